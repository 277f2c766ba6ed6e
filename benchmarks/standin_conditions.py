# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the benchmarks run the kops stand-in, and how their conditions line says so."""

from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def one_process_per_command(**extra: str) -> dict[str, str]:
    """The environment for a benchmark's playbooks and commands: this one, plus ``extra``, without the bed's
    fork server (``KOPS_STANDIN_FORK_SERVER``) and its cache of module payloads' bytecode
    (``ANSIBALLZ_BYTECODE_CACHE``), and with Python's bytecode cache on. Each kops command then starts a
    process of its own, as a real kops does, and each module task compiles its payload, as Ansible does,
    so the figures do not depend on the bed's speed-ups; and Python reads compiled modules, as on a
    management server."""
    env = dict(os.environ, **extra)
    env.pop("KOPS_STANDIN_FORK_SERVER", None)
    env["ANSIBALLZ_BYTECODE_CACHE"] = "0"
    # A management server's Python has its bytecode; the venv here is built --no-compile and the sandbox
    # may set PYTHONDONTWRITEBYTECODE, which would make every module process compile boto3 again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", os.path.join(ROOT, ".tmp", "pycache"))
    return env


def standin(version: str) -> str:
    return f"kops {version} test-bed stand-in (one process per command, bytecode cached)"
