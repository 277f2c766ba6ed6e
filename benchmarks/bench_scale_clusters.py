# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: building N clusters in one run against building one.

Issue 12, goal 4: building N clusters in one ``ansible-playbook`` run (one state store, N names, N
inventory hosts on the local connection with ``forks`` = N, the cluster role on each: create, update,
kubeconfig, validate) should grow sub-linearly: T(N)/T(1) <= 3 for N = 10 with a stand-in boot time
of 20 s. Each size runs on a fresh state store bucket; the peak resident memory of the whole process
tree (ansible, its workers, modules, kops stand-ins; moto and the bed not counted) is sampled every
0.2 s. Figures and the conditions (last line) are printed; it asserts nothing. On the test bed:

    tests/testbed/run -- .venv/bin/python benchmarks/bench_scale_clusters.py [--sizes 1,10] [--boot 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time

from standin_conditions import one_process_per_command, standin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PLAY = """---
- name: Build clusters
  hosts: clusters
  gather_facts: false
  module_defaults:
    group/cloudops.kops.kops:
      state_store: "s3://{{ bucket }}"
      binary_path: "{{ kops_binary }}"
  roles:
    - role: cloudops.kops.cluster
      vars:
        cluster_zones: [us-west-2a]
        cluster_node_count: 1
        cluster_ssh_public_key: "{{ ssh_public_key }}"
        cluster_kubeconfig: "{{ workdir }}/kube/{{ cluster_name }}.yaml"
        cluster_validate_poll_interval: 5s
        cluster_validate_timeout: 10m
"""


def descendants_rss(root_pid: int) -> int:
    """Resident memory (bytes) of ``root_pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def build(size: int, work: str, env: dict[str, str]) -> tuple[float, int]:
    import boto3

    bucket = f"scale-bench-{size}-{int(time.time())}"
    boto3.client("s3", region_name=env["AWS_REGION"]).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": env["AWS_REGION"]})
    inventory = os.path.join(work, f"inventory-{size}.ini")
    with open(inventory, "w", encoding="utf-8") as handle:
        handle.write("[clusters]\n")
        for index in range(size):
            handle.write(f"c{index} ansible_connection=local ansible_python_interpreter={sys.executable} "
                         f"cluster_name=n{size}-c{index}.k8s.local\n")
    play = os.path.join(work, "play.yml")
    argv = [sys.executable, "-m", "ansible.cli.playbook", "-i", inventory, "-f", str(size), play,
            "-e", f"bucket={bucket} workdir={work} kops_binary={env['KOPS_BENCH_BINARY']}",
            "-e", f"ssh_public_key={work}/id_ed25519.pub"]
    peak = [0]
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], descendants_rss(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0]
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"building {size} cluster(s) failed:\n{output}")
    return elapsed, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10", help="comma-separated cluster counts, the first is the baseline")
    parser.add_argument("--boot", type=int, default=20, help="KOPS_STANDIN_BOOT_SECONDS (default 20)")
    parser.add_argument("--kops", default="1.36.2", choices=["1.30.1", "1.36.2"])
    args = parser.parse_args()
    if "TESTBED_DIR" not in os.environ:
        sys.exit("run it on the test bed: tests/testbed/run -- .venv/bin/python " + sys.argv[0])

    import ansible

    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as work:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(work, "id_ed25519")],
                       check=True)
        with open(os.path.join(work, "play.yml"), "w", encoding="utf-8") as handle:
            handle.write(PLAY)
        env = one_process_per_command(ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false",
                                      KOPS_STANDIN_BOOT_SECONDS=str(args.boot),
                                      KOPS_BENCH_BINARY=os.path.join(os.environ["TESTBED_DIR"], "bin", "kops-" + args.kops))
        results = {}
        for size in sizes:
            elapsed, peak = build(size, work, env)
            results[size] = (elapsed, peak)
            print(f"N={size}: {elapsed:.1f} s, peak memory {peak / 2**20:.0f} MiB")

    base = results[sizes[0]][0]
    for size in sizes[1:]:
        elapsed, peak = results[size]
        print(f"T({size})/T({sizes[0]}) = {elapsed / base:.2f} (target <= 3 for N=10; peak memory {peak / 2**20:.0f} MiB; "
              f"forks={size}, one state store, cluster role: create, update, kubeconfig, validate every 5s; "
              f"KOPS_STANDIN_BOOT_SECONDS={args.boot}, {standin(args.kops)}, 1 control plane + 1 node "
              f"per cluster; ansible-core {ansible.__version__}, Python {platform.python_version()}, "
              f"{os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
