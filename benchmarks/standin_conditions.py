# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the benchmarks' kops stand-in ran, for their conditions line: the figures depend on it."""

from __future__ import annotations

import os


def standin(version: str) -> str:
    """``kops <version> test-bed stand-in`` and whether each command was a fork of the bed's warm server
    (``KOPS_STANDIN_FORK_SERVER``, the bed's default) or a process of its own (``TESTBED_FORK_SERVER=0``)."""
    way = "forks of the bed's warm server" if os.environ.get("KOPS_STANDIN_FORK_SERVER") else "one process per command"
    return f"kops {version} test-bed stand-in ({way})"
