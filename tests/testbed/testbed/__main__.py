"""``python -m testbed run [--keep] -- COMMAND ...``: run COMMAND with the test bed up."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from .bed import Testbed


def _stop_on_signal(signum, _frame):
    # SystemExit unwinds through the finally blocks, so the bed is always taken down.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tests/testbed/run",
                                     description="Run COMMAND with the local AWS endpoint and the kops stand-in up.")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="run a command inside the test bed")
    run.add_argument("--keep", action="store_true", help="keep the scratch directory afterwards")
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no COMMAND given (usage: tests/testbed/run -- COMMAND ...)")

    signal.signal(signal.SIGTERM, _stop_on_signal)
    with Testbed(keep=args.keep) as bed:
        env = dict(os.environ)
        env.update(bed.command_environment())
        env["PATH"] = os.pathsep.join([bed.path("bin"), os.path.dirname(sys.executable), env.get("PATH", "")])
        print(f"test bed: local AWS endpoint {bed.aws.url}, binary mirror {bed.mirror.url}, "
              f"kops stand-in {bed.path('bin', 'kops')} (stand-ins for AWS and kops, not the real ones)",
              file=sys.stderr)
        process = subprocess.Popen(command, env=env)
        try:
            return process.wait()
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()


if __name__ == "__main__":
    sys.exit(main())
