"""kops version [--short] [--server]."""

import os
import sys

from kops_standin import statestore
from kops_standin.errors import KopsError


def run(ver, path, parsed):
    short = parsed.bool("short")
    out = [ver if short else "Client version: %s (git-v%s)" % (ver, ver)]
    if parsed.bool("server"):
        out.append(_server_version(parsed, short))
    sys.stdout.write("".join(line + "\n" for line in out))
    return 0


def _server_version(parsed, short):
    # Wording as recorded (79/156/186), including kops's "could get" typo.
    name = parsed.get("name") or os.environ.get("KOPS_CLUSTER_NAME")
    text = "could not fetch cluster"
    if name:
        try:
            store = statestore.from_flags(parsed)
            if store.read(name, "config") is not None:
                data = store.read(name, "kops-version.txt")
                text = data.decode().strip() if data else "could get cluster version"
        except KopsError:
            pass
    return text if short else "Last applied server version: " + text
