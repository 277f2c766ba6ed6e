"""Pack the stand-in into one executable zipapp (``#!/usr/bin/env python3``).

    python -m kops_standin.build DEST [--version 1.30.1|1.36.2]

The baked version is only a default: KOPS_STANDIN_VERSION still wins.
"""

import argparse
import os
import shutil
import tempfile
import zipapp

from kops_standin import SUPPORTED_VERSIONS

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

_MAIN = """\
# kops stand-in launcher (cloudops.kops test infrastructure, not kops).
import sys

from kops_standin.forkclient import delegate
from kops_standin.version import BAKED_VERSION

code = delegate(sys.argv, BAKED_VERSION)  # the test bed's warm fork server, when there is one
if code is None:
    from kops_standin.cli import main

    code = main(sys.argv[1:])
sys.exit(code)
"""


def build_zipapp(dest, baked_version=None, interpreter="/usr/bin/env python3"):
    if baked_version is not None and baked_version not in SUPPORTED_VERSIONS:
        raise ValueError("unsupported kops version %r (supported: %s)" % (baked_version, ", ".join(SUPPORTED_VERSIONS)))
    with tempfile.TemporaryDirectory() as staging:
        target = os.path.join(staging, "kops_standin")
        shutil.copytree(PACKAGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_baked.py"))
        if baked_version:
            with open(os.path.join(target, "_baked.py"), "w") as fh:
                fh.write("BAKED_VERSION = %r\n" % baked_version)
        with open(os.path.join(staging, "__main__.py"), "w") as fh:
            fh.write(_MAIN)
        zipapp.create_archive(staging, dest, interpreter=interpreter)
    os.chmod(dest, 0o755)
    return dest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest")
    parser.add_argument("--version", choices=SUPPORTED_VERSIONS)
    args = parser.parse_args(argv)
    print(build_zipapp(args.dest, args.version))


if __name__ == "__main__":
    main()
