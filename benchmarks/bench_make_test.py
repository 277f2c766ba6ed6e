# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: ``make test`` from a fresh clone, as CI runs it.

Issue 12, goal 5: ``make test`` on a fresh clone takes at most 15 minutes on an unloaded 2-core machine.
The script clones the repository's HEAD into a temporary directory (committed work only, as CI sees it),
runs ``.ci/run`` there with ``CI=true``, and prints the table of suites that ``make test`` prints, the
wall clock and the CPU seconds of everything the run reaped, and the conditions in its last line: the
commit, the CPUs, the load average, and the machine's speed as the run itself measured it (a fixed
Python loop, timed at the start and the end), since the same suites take half as long again on a slow
shared host as on an idle one. It asserts nothing. It needs no test bed (``make test`` starts its own)
and no virtualenv (the clone builds one); a full run takes about 15 minutes on two idle cores:

    python3 benchmarks/bench_make_test.py [--suites "units lint"] [--keep]

``--suites`` runs ``make test SUITES=...`` instead, to try the script on a few suites; the last line
then says so, and the figure is not goal 5's.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True, check=True).stdout.strip()


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", help="run only these suites (make test SUITES=...), to try the script")
    parser.add_argument("--keep", action="store_true", help="keep the clone and its log")
    args = parser.parse_args()

    commit = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--untracked-files=no"):
        print(f"note: uncommitted changes are not measured; the clone holds {commit} only", file=sys.stderr)

    work = tempfile.mkdtemp(prefix="make-test-bench-")
    clone = os.path.join(work, "clone")
    log_path = os.path.join(work, "make-test.log")
    subprocess.run(["git", "clone", "--quiet", ROOT, clone], check=True)
    command = ["make", "test", f"SUITES={args.suites}"] if args.suites else [".ci/run"]
    env = dict(os.environ, CI="true")
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        returncode = subprocess.run(command, cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    check=False).returncode
    wall = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    load_after = os.getloadavg()[0]

    with open(log_path, encoding="utf-8") as log:
        output = log.read()
    # make test's own summary: the durations table, the machine's speed, which suites failed.
    table = output[output.find("=== durations"):] if "=== durations" in output else output[-3000:]
    print(table.rstrip())
    speed = re.search(r"Python loop took ([0-9.?]+)s at the start, ([0-9.?]+)s at the end", output)
    suites = re.search(r"^suites: (\d+) passed, (\d+) failed$", output, re.MULTILINE)

    if args.keep:
        print(f"clone and log kept: {clone}, {log_path}")
    else:
        shutil.rmtree(work, ignore_errors=True)

    what = f"make test SUITES='{args.suites}' (not goal 5's figure)" if args.suites else "fresh-clone .ci/run (make test)"
    result = (f"suites passed {suites.group(1)}, failed {suites.group(2)}" if suites
              else f"no suite summary, exit status {returncode}")
    loop = f"{speed.group(1)} s at the start, {speed.group(2)} s at the end" if speed else "not printed"
    print(f"{what}: {minutes(wall)} wall clock (target <= 15 min on an unloaded 2-core machine), "
          f"{cpu:,.0f} CPU-seconds reaped, {result}; commit {commit}, {os.cpu_count()} CPUs, "
          f"1-min load average {load_before:.2f} before, {load_after:.2f} after, 10M-step Python loop {loop}")
    sys.exit(0 if returncode == 0 else 1)


if __name__ == "__main__":
    main()
