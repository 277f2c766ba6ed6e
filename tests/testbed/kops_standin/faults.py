"""Test hook: die at a named point, as a kops process killed mid-run would.

KOPS_STANDIN_KILL_AT names the point (for example ``create-after-config``); the stand-in then
SIGKILLs itself there, leaving the state store and the local AWS endpoint exactly as far as it got.
Real kops has no such switch; it exists so tests can interrupt a build at a step boundary.
"""

import os
import signal
import sys

POINTS = ("create-after-config", "create-after-instancegroups", "update-after-first-task",
          "reconcile-before-validate", "rolling-update-after-first-node")


def checkpoint(point):
    if os.environ.get("KOPS_STANDIN_KILL_AT") == point:
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
