# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: a kops_tools re-run with both tools installed against a one-task playbook.

Issue 12, goal 2: the re-run should take at most 2x the wall time of a one-task playbook. The
one-task playbook is what a user writes to check the tools: one ``ansible.builtin.command`` task
running ``kops version --short``. Both run with ``ansible-playbook`` on localhost, paired and in
alternating order, several times; the medians and their ratio are printed, the conditions in the
last line. It asserts nothing (figures, not a timed test). Run it on the test bed (binary mirror):

    tests/testbed/run -- .venv/bin/python benchmarks/bench_kops_tools_rerun.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

from standin_conditions import one_process_per_command, standin

ROLE_PLAY = """---
- name: Install kops and kubectl
  hosts: localhost
  gather_facts: false
  roles:
    - cloudops.kops.kops_tools
"""

ONE_TASK_PLAY = """---
- name: One task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Ask kops its version
      ansible.builtin.command:
        argv: ["{{ kops_tools_install_dir }}/kops", version, --short]
      changed_when: false
"""


def environment() -> dict[str, str]:
    env = one_process_per_command(ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false",
                                  ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    # The bed puts its kops stand-in first on PATH; leave it out so the role finds its tools in
    # the install directory, as on a management server (not the execution-environment case).
    bed_bin = os.path.join(os.environ["TESTBED_DIR"], "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bed_bin)
    return env


def run(play: str, extra: list[str], env: dict[str, str]) -> tuple[float, str]:
    argv = [sys.executable, "-m", "ansible.cli.playbook", play, "-e", "@" + os.environ["TESTBED_EXTRA_VARS"]] + extra
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed (rc {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def changed(stdout: str) -> int:
    match = re.search(r"changed=(\d+)", stdout)
    return int(match.group(1)) if match else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="paired runs (default 7)")
    args = parser.parse_args()
    if "TESTBED_EXTRA_VARS" not in os.environ:
        sys.exit("run it on the test bed: tests/testbed/run -- .venv/bin/python " + sys.argv[0])

    import ansible  # the same ansible-core the runs use

    env = environment()
    with tempfile.TemporaryDirectory(prefix="kops-tools-bench-") as work:
        role_play = os.path.join(work, "role.yml")
        one_task_play = os.path.join(work, "one_task.yml")
        with open(role_play, "w", encoding="utf-8") as handle:
            handle.write(ROLE_PLAY)
        with open(one_task_play, "w", encoding="utf-8") as handle:
            handle.write(ONE_TASK_PLAY)
        extra = ["-e", "kops_tools_install_dir=" + os.path.join(work, "bin")]

        first, stdout = run(role_play, extra, env)
        if changed(stdout) < 1:
            sys.exit("the first run installed nothing:\n" + stdout)
        print(f"first run (downloads both tools): {first:.2f} s")

        role_times, one_task_times = [], []
        for index in range(args.repeat):
            pair = [("role", role_play), ("one", one_task_play)]
            if index % 2:
                pair.reverse()
            for kind, play in pair:
                elapsed, stdout = run(play, extra, env)
                if kind == "role":
                    if changed(stdout) != 0:
                        sys.exit("a re-run changed something:\n" + stdout)
                    role_times.append(elapsed)
                else:
                    one_task_times.append(elapsed)

    role = statistics.median(role_times)
    one = statistics.median(one_task_times)
    ratios = [r / o for r, o in zip(role_times, one_task_times)]
    print(f"kops_tools re-run: median {role:.2f} s (min {min(role_times):.2f}, max {max(role_times):.2f})")
    print(f"one-task playbook: median {one:.2f} s (min {min(one_task_times):.2f}, max {max(one_task_times):.2f})")
    print(f"paired ratios: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"kops_tools re-run / one-task playbook = {role / one:.2f}x (target <= 2.0; median of {args.repeat} paired runs, "
          f"both tools installed, changed=0; {standin('1.36.2')} and the kubectl 1.36.3 stand-in; "
          f"ansible-core {ansible.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
