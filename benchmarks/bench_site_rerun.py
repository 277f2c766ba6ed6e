# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: a site.yml re-run with nothing to change against the naive three-command playbook.

Issue 12, goal 1: the re-run of ``site.yml`` on a built cluster should take at most the wall time of
the playbook a user writes from the kops tutorial (three ``ansible.builtin.command`` tasks:
``kops update cluster --yes --admin``, ``kops export kubecfg --admin``, ``kops validate cluster
--wait``) and start at most 5 kops processes. kops processes are counted through the stand-in's
``KOPS_STANDIN_ARGV_LOG``. The cluster is built once by ``site.yml``; then ``site.yml``, ``build.yml``
(the same without the inspect report) and the naive playbook run in rounds, in a rotating order,
several times; medians, the ratios and the process counts are printed, the conditions in the last
line. The stand-in's ``KOPS_STANDIN_TIME_LOG`` splits each playbook's time into the share spent in
kops processes and the rest (Ansible, the modules around kops, the AWS reads). It asserts nothing
(figures, not a timed test). On the test bed:

    tests/testbed/run -- .venv/bin/python benchmarks/bench_site_rerun.py [--repeat 5] [--kops 1.36.2]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

from standin_conditions import one_process_per_command, standin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NAIVE_PLAY = """---
- name: The kops tutorial as three commands
  hosts: localhost
  gather_facts: false
  environment:
    KOPS_STATE_STORE: "s3://{{ kops_state_store_bucket }}"
  tasks:
    - name: Apply the cluster
      ansible.builtin.command:
        argv: ["{{ kops_tools_install_dir }}/kops", update, cluster, --name, "{{ kops_cluster_name }}", --yes, --admin]
      changed_when: false
    - name: Export the kubeconfig
      ansible.builtin.command:
        argv: ["{{ kops_tools_install_dir }}/kops", export, kubecfg, --name, "{{ kops_cluster_name }}", --admin]
      changed_when: false
    - name: Validate the cluster
      ansible.builtin.command:
        argv: ["{{ kops_tools_install_dir }}/kops", validate, cluster, --name, "{{ kops_cluster_name }}", --wait, 10m]
      changed_when: false
"""


def environment(work: str) -> dict[str, str]:
    env = one_process_per_command(ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false",
                                  ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                                  KOPS_STANDIN_ARGV_LOG=os.path.join(work, "argv.log"),
                                  KOPS_STANDIN_TIME_LOG=os.path.join(work, "seconds.log"))
    # As on a management server: the tools come from kops_tools's install directory, not the bed's PATH.
    bed_bin = os.path.join(os.environ["TESTBED_DIR"], "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bed_bin)
    return env


def run(play: str, extra: list[str], env: dict[str, str]) -> tuple[float, str, list[list[str]], float]:
    """One playbook run: its wall time, output, the kops commands it started and their summed wall time."""
    argv_log, time_log = env["KOPS_STANDIN_ARGV_LOG"], env["KOPS_STANDIN_TIME_LOG"]
    for log in (argv_log, time_log):
        if os.path.exists(log):
            os.unlink(log)
    argv = [sys.executable, "-m", "ansible.cli.playbook", play] + extra
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed (rc {done.returncode}):\n{done.stdout}\n{done.stderr}")
    calls, kops_seconds = [], 0.0
    if os.path.exists(argv_log):
        with open(argv_log, encoding="utf-8") as handle:
            calls = [json.loads(line)["argv"] for line in handle if line.strip()]
    if os.path.exists(time_log):
        with open(time_log, encoding="utf-8") as handle:
            kops_seconds = sum(json.loads(line)["seconds"] for line in handle if line.strip())
    return elapsed, done.stdout, calls, kops_seconds


def changed(stdout: str) -> int:
    match = re.search(r"changed=(\d+)", stdout)
    return int(match.group(1)) if match else -1


def describe(calls: list[list[str]]) -> str:
    words = collections.Counter(" ".join(a for a in argv if not a.startswith("-"))[:40] for argv in calls)
    return ", ".join(f"{count}x {name}" for name, count in words.most_common())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the three playbooks (default 5)")
    parser.add_argument("--kops", default="1.36.2", choices=["1.30.1", "1.36.2"], help="kops version of the stand-in")
    args = parser.parse_args()
    if "TESTBED_EXTRA_VARS" not in os.environ:
        sys.exit("run it on the test bed: tests/testbed/run -- .venv/bin/python " + sys.argv[0])

    import ansible  # the same ansible-core the runs use

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="site-rerun-bench-") as work:
        env = environment(work)
        naive_play = os.path.join(work, "naive.yml")
        with open(naive_play, "w", encoding="utf-8") as handle:
            handle.write(NAIVE_PLAY)
        extra = ["-e", "@playbooks/vars/fleetman.yml", "-e", "@" + os.environ["TESTBED_EXTRA_VARS"],
                 "-e", "kops_kops_version=" + args.kops,
                 "-e", "ssh_keypair_path=" + os.path.join(work, "ssh", "id_ed25519"),
                 "-e", "cluster_validate_poll_interval=2s", "-e", "cluster_validate_timeout=5m"]
        # All three write the same kubeconfig, as a user's re-runs would.
        env["KUBECONFIG"] = os.path.join(work, "kube", "config")

        first, stdout, calls, _kops_seconds = run("site.yml", extra, env)
        if changed(stdout) < 1:
            sys.exit("the first run built nothing:\n" + stdout)
        print(f"first run (builds the cluster): {first:.2f} s, {len(calls)} kops processes")

        # build.yml is site.yml without the inspect report: it shows what the report itself costs.
        plays = [("site", "site.yml"), ("build", "playbooks/build.yml"), ("naive", naive_play)]
        times: dict[str, list[float]] = {kind: [] for kind, _play in plays}
        counts: dict[str, list[int]] = {kind: [] for kind, _play in plays}
        kops_times: dict[str, list[float]] = {kind: [] for kind, _play in plays}
        for index in range(args.repeat):
            # A different order each round, so no playbook always runs first or last.
            rotation = plays[index % len(plays):] + plays[:index % len(plays)]
            for kind, play in rotation:
                elapsed, stdout, calls, kops_seconds = run(play, extra, env)
                if kind != "naive" and changed(stdout) != 0:
                    sys.exit("a re-run changed something:\n" + stdout)
                times[kind].append(elapsed)
                counts[kind].append(len(calls))
                kops_times[kind].append(kops_seconds)
                if index == 0:
                    print(f"{kind}: {len(calls)} kops processes: {describe(calls)}")

    load_after = os.getloadavg()[0]
    site = statistics.median(times["site"])
    build = statistics.median(times["build"])
    naive = statistics.median(times["naive"])
    ratios = [s / n for s, n in zip(times["site"], times["naive"])]
    for kind, label in (("site", "site.yml re-run"), ("build", "build.yml re-run (site.yml without the report)"),
                        ("naive", "naive 3-command playbook")):
        kops_share = statistics.median(kops_times[kind])
        print(f"{label}: median {statistics.median(times[kind]):.2f} s "
              f"(min {min(times[kind]):.2f}, max {max(times[kind]):.2f}), {max(counts[kind])} kops processes "
              f"taking {kops_share:.2f} s, the rest (Ansible, its modules and AWS reads) "
              f"{statistics.median(times[kind]) - kops_share:.2f} s")
    print(f"paired ratios site/naive: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"time in kops processes, site.yml / naive = "
          f"{statistics.median(kops_times['site']) / statistics.median(kops_times['naive']):.2f}x")
    print(f"build.yml re-run / naive playbook = {build / naive:.2f}x; the inspect report adds {site - build:.2f} s")
    print(f"site.yml re-run / naive playbook = {site / naive:.2f}x (target <= 1.0), kops processes "
          f"{max(counts['site'])} vs {max(counts['naive'])} (target <= 5); median of {args.repeat} rounds, "
          f"nothing to change, {standin(args.kops)}, playbooks/vars/fleetman.yml (1 control plane, "
          f"3 nodes); ansible-core {ansible.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"1-min load average {load_before:.2f} before, {load_after:.2f} after")


if __name__ == "__main__":
    main()
