"""Reader for the real-kops recordings in tests/fixtures/kops_reference/<version>/."""

import os
import re

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "kops_reference")
VERSIONS = ("1.30.1", "1.36.2")
_FILE_HEADER = re.compile(r"^=== FILE (?P<desc>.*) \((?P<path>[^()]*)\) ===$", re.M)


class Recording:
    def __init__(self, version, filename):
        self.version = version
        self.filename = filename
        self.number = int(filename.split("-", 1)[0])
        self.path = os.path.join(FIXTURES, version, filename)
        with open(self.path, encoding="utf-8") as fh:
            text = fh.read()
        head, dummy, rest = text.partition("=== STDOUT ===\n")
        self.header = {}
        for line in head.splitlines():
            key, sep, value = line.partition(": ")
            if sep:
                self.header[key] = value
        self.stdout, dummy, rest = rest.partition("\n=== STDERR ===\n")
        match = _FILE_HEADER.search(rest)
        self.stderr = rest[:match.start()].rstrip("\n") if match else rest.rstrip("\n")
        self.files = {}
        while match:
            nxt = _FILE_HEADER.search(rest, match.end())
            body = rest[match.end() + 1:nxt.start() if nxt else len(rest)]
            self.files[match.group("path")] = (match.group("desc"), body.rstrip("\n") + "\n")
            match = nxt

    @property
    def command(self):
        return self.header["command"].split()

    @property
    def exit_code(self):
        return int(self.header["exit_code"])

    @property
    def env(self):
        out = {}
        for item in self.header.get("env", "").split():
            key, dummy, value = item.partition("=")
            out[key] = value
        return out

    @property
    def env_unset(self):
        return self.header.get("env_unset", "").split()

    def error_line(self):
        lines = [line for line in self.stderr.splitlines() if line.startswith("Error: ")]
        return lines[-1] if lines else None

    def __repr__(self):
        return "%s/%s" % (self.version, self.filename)


def recordings(version):
    folder = os.path.join(FIXTURES, version)
    names = [n for n in os.listdir(folder) if re.match(r"^\d+-.*\.txt$", n)]
    return sorted((Recording(version, n) for n in names), key=lambda r: r.number)


def state_listing(version, step_dir):
    """Current keys and version counts of a recorded state dump (``_listing.txt``)."""
    path = os.path.join(FIXTURES, version, "state", step_dir, "_listing.txt")
    current, versions = [], {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            key, dummy, rest = line.rstrip("\n").partition("\t")
            if "(deleted;" in rest:
                continue
            current.append(key)
            m = re.search(r"versions=(\d+)", rest)
            if m:
                versions[key] = int(m.group(1))
    return current, versions


def state_dirs(version):
    folder = os.path.join(FIXTURES, version, "state")
    return {int(d.split("-")[1]): d for d in os.listdir(folder) if d.startswith("after-")}
