"""The kops stand-in's warm fork server for the bed (kops_standin/forkserver.py says why and how)."""

from __future__ import annotations

import os
import select
import subprocess
import sys

import kops_standin

from .processes import stop_process

# Where kops_standin lives, so that the server imports the same code the bed's zipapps were built from.
STANDIN_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(kops_standin.__file__)))


class StandinForkServer:
    """``python -m kops_standin.forkserver SOCKET``, up until ``stop``; ``environment()`` points the stand-in at it."""

    def __init__(self, socket_path: str, log_path: str | None = None, start_timeout: float = 60.0):
        self.socket_path = socket_path
        self.log_path = log_path or os.devnull
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        return {"KOPS_STANDIN_FORK_SERVER": self.socket_path}

    def start(self) -> "StandinForkServer":
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (STANDIN_ROOT, env.get("PYTHONPATH")) if p)
        env.pop("KOPS_STANDIN_FORK_SERVER", None)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kops_standin.forkserver", self.socket_path],
                stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, env=env)
        # It prints "ready" once it listens, after importing what every command needs.
        ready = select.select([self.process.stdout], [], [], self.start_timeout)[0]
        line = self.process.stdout.readline() if ready else b""
        self.process.stdout.close()
        if line.strip() != b"ready":
            self.stop()
            raise RuntimeError(f"the kops stand-in's fork server did not start (see {self.log_path})")
        return self

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None
