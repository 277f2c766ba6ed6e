"""Packs the kops stand-in into a single executable file (a Python zipapp).

A single file can sit on PATH as ``kops`` and be served by the mirror as a release
download, like the real binary. The version it imitates is baked in as a default;
``KOPS_STANDIN_VERSION`` in the environment still wins.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipapp

STANDIN_PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kops_standin")

_LAUNCHER = """\
# Launcher of the cloudops.kops kops stand-in (test infrastructure, not kops).
import os
import runpy

os.environ.setdefault("KOPS_STANDIN_VERSION", {version!r})
runpy.run_module("kops_standin", run_name="__main__", alter_sys=True)
"""


def build(dest: str, version: str, interpreter: str = "/usr/bin/env python3") -> str:
    """Writes an executable zipapp of the stand-in imitating ``version`` to ``dest``."""
    with tempfile.TemporaryDirectory() as staging:
        shutil.copytree(STANDIN_PACKAGE, os.path.join(staging, "kops_standin"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        with open(os.path.join(staging, "__main__.py"), "w", encoding="utf-8") as launcher:
            launcher.write(_LAUNCHER.format(version=version))
        zipapp.create_archive(staging, dest, interpreter=interpreter)
    os.chmod(dest, 0o755)
    return dest
