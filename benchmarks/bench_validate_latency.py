# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: how long after a cluster becomes healthy kops_validate returns, against kops's own wait.

Issue 12, goal 3: ``cloudops.kops.kops_validate`` (``wait_sleep`` P) should return at most 1 s later
than ``kops validate cluster --wait --interval P`` after the cluster became healthy. A cluster is built
once on the test bed; before every run all its instances are replaced (Auto Scaling replaces a
terminated instance at once), so it becomes healthy exactly KOPS_STANDIN_BOOT_SECONDS after the newest
launch time. Both run as one ad-hoc ``ansible`` task (``ansible.builtin.command`` running kops, and the
module) started right after the replacement, paired and in alternating order; the latency is the
task's end minus the healthy moment. Medians, the difference and the conditions (last line) are
printed. It asserts nothing. On the test bed:

    tests/testbed/run -- .venv/bin/python benchmarks/bench_validate_latency.py [--repeat 5] [--poll 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from standin_conditions import one_process_per_command, standin

CLUSTER = "latency.k8s.local"


def kops(env, *args, check=True):
    done = subprocess.run(["kops", *args, "--state", env["KOPS_STATE_STORE"]], env=env, capture_output=True,
                          text=True, check=False)
    if check and done.returncode != 0:
        sys.exit(f"kops {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def replace_instances(region: str) -> float:
    """Terminate every instance of the cluster's groups; returns when the newest replacement was launched."""
    import boto3

    asg = boto3.client("autoscaling", region_name=region)
    ec2 = boto3.client("ec2", region_name=region)
    groups = [g for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
              if any(t["Key"] == "KubernetesCluster" and t["Value"] == CLUSTER for t in g.get("Tags", []))]
    for group in groups:
        for instance in group["Instances"]:
            asg.terminate_instance_in_auto_scaling_group(InstanceId=instance["InstanceId"],
                                                         ShouldDecrementDesiredCapacity=False)
    ids = [i["InstanceId"] for g in asg.describe_auto_scaling_groups(
        AutoScalingGroupNames=[g["AutoScalingGroupName"] for g in groups])["AutoScalingGroups"] for i in g["Instances"]]
    launches = [i["LaunchTime"].timestamp() for r in ec2.describe_instances(InstanceIds=ids)["Reservations"]
                for i in r["Instances"]]
    return max(launches)


def ad_hoc(env, module: str, args: str) -> tuple[float, str]:
    argv = [sys.executable, "-m", "ansible.cli.adhoc", "localhost", "-m", module, "-a", args]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    end = time.time()
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return end, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="paired runs (default 5)")
    parser.add_argument("--poll", type=int, default=30, help="poll interval in seconds (default 30)")
    parser.add_argument("--boot", type=int, default=20, help="KOPS_STANDIN_BOOT_SECONDS (default 20)")
    parser.add_argument("--kops", default="1.36.2", choices=["1.30.1", "1.36.2"])
    args = parser.parse_args()
    if "TESTBED_DIR" not in os.environ:
        sys.exit("run it on the test bed: tests/testbed/run -- .venv/bin/python " + sys.argv[0])

    import ansible

    region = os.environ["AWS_REGION"]
    with tempfile.TemporaryDirectory(prefix="validate-latency-bench-") as work:
        binary = os.path.join(os.environ["TESTBED_DIR"], "bin", "kops-" + args.kops)
        env = one_process_per_command(ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false",
                                      ANSIBLE_INVENTORY_UNPARSED_WARNING="false", KOPS_STANDIN_BOOT_SECONDS=str(args.boot),
                                      KUBECONFIG=os.path.join(work, "kubeconfig"))
        env["PATH"] = os.path.dirname(binary) + os.pathsep + env["PATH"]
        kops(env, "create", "cluster", "--name", CLUSTER, "--zones", region + "a", "--node-count", "1")
        kops(env, "update", "cluster", "--name", CLUSTER, "--yes", "--admin")
        # kops 1.30 validates through the kubeconfig that update --admin wrote.
        poll = f"{args.poll}s"
        command = f"{binary} validate cluster --name {CLUSTER} --wait 10m --interval {poll}"
        module = (f"name={CLUSTER} binary_path={binary} wait_timeout=10m wait_sleep={poll} "
                  f"state_store={env['KOPS_STATE_STORE']}")
        # The version cache is warm for both, as in any play after the first task.
        ad_hoc(env, "cloudops.kops.kops_validate", module)

        latency: dict[str, list[float]] = {"kops": [], "module": []}
        for index in range(args.repeat):
            pair = [("kops", "ansible.builtin.command", command), ("module", "cloudops.kops.kops_validate", module)]
            if index % 2:
                pair.reverse()
            for kind, name, task_args in pair:
                healthy = replace_instances(region) + args.boot
                end, stdout = ad_hoc(env, name, task_args)
                latency[kind].append(end - healthy)
                print(f"run {index + 1} {kind}: returned {end - healthy:.2f} s after the cluster became healthy")

    kops_median = statistics.median(latency["kops"])
    module_median = statistics.median(latency["module"])
    diffs = [m - k for m, k in zip(latency["module"], latency["kops"])]
    print(f"kops validate --wait --interval {poll}: median {kops_median:.2f} s after healthy")
    print(f"kops_validate wait_sleep={poll}: median {module_median:.2f} s after healthy")
    print(f"paired differences (module - kops): {', '.join(f'{d:+.2f}' for d in diffs)}")
    print(f"kops_validate returns {module_median - kops_median:+.2f} s after kops's own wait (target <= +1.0 s; "
          f"median of {args.repeat} paired runs, poll {poll}, KOPS_STANDIN_BOOT_SECONDS={args.boot}, "
          f"{standin(args.kops)}, 1 control plane + 1 node; ansible-core {ansible.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
