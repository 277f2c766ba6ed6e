# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read-only probe of the cloudops.kops.kops_tools role, run on the management server by one
``ansible.builtin.script`` task (roles in collections cannot carry modules of their own) with
the host's Python.

    probe.py INSTALL_DIR KOPS_VERSION KUBECTL_VERSION USE_PATH

Prints one JSON object: ``machine`` (uname -m), ``user`` (who ran it), ``install_dir`` (``~``
expanded, absolute), ``install_dir_exists``, ``writable`` (the user can create files in the
install directory, or create it in its nearest existing parent), ``writable_checked`` (the path
that decided it) and ``tools``: per tool, ``managed`` (a version is wanted; an empty version only
reports whether the install directory holds the tool), ``path`` (the binary to use), ``found``
(it already has the wanted version), ``source`` (``install_dir``, ``path`` or ``none``),
``installed_version`` (of the install directory's binary), ``path_binary`` and ``path_version``
(the first one on PATH, looked at only when USE_PATH is ``true`` and the install directory does
not hold the wanted version). Binaries on PATH are used only when they complete the set: every
managed tool then has its wanted version and nothing needs installing. It changes nothing.
"""

import json
import os
import pwd
import stat
import subprocess
import sys

VERSION_ARGV = {
    "kops": ["version", "--short"],
    "kubectl": ["version", "--client", "-o", "json"],
}
VERSION_TIMEOUT = 60


def parse_version(tool, text):
    """kops prints the bare version; kubectl's JSON carries it as clientVersion.gitVersion."""
    text = (text or "").strip()
    if tool == "kubectl":
        if not text.startswith("{"):
            return ""
        try:
            text = str(json.loads(text).get("clientVersion", {}).get("gitVersion", ""))
        except (ValueError, AttributeError):
            return ""
    text = text.strip()
    return text[1:] if text.startswith("v") else text


def is_executable_file(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def read_version(tool, path):
    if not is_executable_file(path):
        return ""
    env = dict(os.environ, LC_ALL="C", LANGUAGE="C")
    try:
        done = subprocess.run([path] + VERSION_ARGV[tool], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, timeout=VERSION_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    if done.returncode != 0:
        return ""
    return parse_version(tool, done.stdout.decode("utf-8", "replace"))


def first_on_path(tool):
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(directory or ".", tool)
        if is_executable_file(candidate):
            return os.path.abspath(candidate)
    return ""


def writability(path):
    """Whether files can be created in ``path``, or ``path`` created under its nearest existing parent."""
    checked = path
    while not os.path.lexists(checked):
        parent = os.path.dirname(checked)
        if parent == checked:
            break
        checked = parent
    if not os.path.isdir(checked):
        return False, checked
    return os.access(checked, os.W_OK | os.X_OK), checked


def replaceable(directory, binary):
    """In a sticky directory (like /tmp) only the owners may replace an existing file."""
    try:
        dir_stat = os.stat(directory)
        file_stat = os.lstat(binary)
    except OSError:
        return True
    if dir_stat.st_mode & stat.S_ISVTX:
        return os.geteuid() in (0, file_stat.st_uid, dir_stat.st_uid)
    return True


def user_name():
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def probe_tool(tool, wanted, install_dir):
    installed = os.path.join(install_dir, tool)
    result = {
        "managed": bool(wanted), "path": installed, "found": False, "source": "none",
        "installed_version": "", "path_binary": "", "path_version": "",
    }
    if not wanted:
        if is_executable_file(installed):
            result.update(found=True, source="install_dir")
        return result
    result["installed_version"] = read_version(tool, installed)
    if result["installed_version"] == wanted:
        result.update(found=True, source="install_dir")
    return result


def look_on_path(tool, wanted, result):
    on_path = first_on_path(tool)
    if on_path and os.path.realpath(on_path) != os.path.realpath(result["path"]):
        result.update(path_binary=on_path, path_version=read_version(tool, on_path))
    return result["path_version"] == wanted


def probe(install_dir, versions, use_path):
    install_dir = os.path.abspath(os.path.expanduser(install_dir))
    writable, checked = writability(install_dir)
    tools = {tool: probe_tool(tool, versions[tool], install_dir) for tool in ("kops", "kubectl")}
    missing = [tool for tool, result in tools.items() if result["managed"] and not result["found"]]
    # PATH (an execution-environment image) is used only when it completes the set: every managed
    # tool is then available in its wanted version and nothing is installed. Otherwise the role
    # keeps both tools together in the install directory.
    on_path = [look_on_path(tool, versions[tool], tools[tool]) for tool in missing] if use_path else []
    if missing and on_path and all(on_path):
        for tool in missing:
            tools[tool].update(path=tools[tool]["path_binary"], found=True, source="path")
        missing = []
    for tool in missing:
        if not replaceable(install_dir, tools[tool]["path"]):
            writable, checked = False, tools[tool]["path"]
    return {
        "machine": os.uname()[4],
        "user": user_name(),
        "install_dir": install_dir,
        "install_dir_exists": os.path.isdir(install_dir),
        "writable": writable,
        "writable_checked": checked,
        "tools": tools,
    }


def main(argv):
    if len(argv) != 4 or argv[3] not in ("true", "false"):
        sys.stderr.write("usage: probe.py INSTALL_DIR KOPS_VERSION KUBECTL_VERSION true|false\n")
        return 2
    result = probe(argv[0], {"kops": argv[1], "kubectl": argv[2]}, argv[3] == "true")
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
