# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the end-to-end tests: run the playbooks as a user would and look at the test bed's AWS."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FLEETMAN_VARS = REPO / "playbooks" / "vars" / "fleetman.yml"
_RECAP = re.compile(r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                    r"\s+failed=(?P<failed>\d+)", re.M)


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str

    @property
    def recap(self) -> dict[str, dict[str, int]]:
        return {m["host"]: {k: int(m[k]) for k in ("ok", "changed", "unreachable", "failed")}
                for m in _RECAP.finditer(self.stdout)}

    def changed(self, host: str = "localhost") -> int:
        return self.recap[host]["changed"]

    def explain(self) -> str:
        return f"rc={self.rc}\n--- stdout (tail) ---\n{self.stdout[-6000:]}\n--- stderr (tail) ---\n{self.stderr[-3000:]}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def run_playbook(playbook: str, testbed_vars_path: str, extra_vars: dict, *args: str,
                 env: dict | None = None, timeout: int = 900) -> PlaybookRun:
    """``ansible-playbook <playbook> -e @fleetman.yml -e @<test bed vars> -e <extra_vars> args...`` from the repository root."""
    cmd = [str(BIN / "ansible-playbook"), playbook,
           "-e", f"@{FLEETMAN_VARS}", "-e", f"@{testbed_vars_path}", "-e", json.dumps(extra_vars), *args]
    full_env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_LOCALHOST_WARNING="false",
                    ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    full_env.update(env or {})
    proc = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout, check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)


def cluster_resources(client, cluster: str) -> dict[str, list[str]]:
    """Everything on the test bed's AWS that carries the cluster's KubernetesCluster tag (or its kops names)."""
    ec2 = client("ec2")
    tag = [{"Name": "tag:KubernetesCluster", "Values": [cluster]}]
    found: dict[str, list[str]] = {}
    found["instances"] = [i["InstanceId"] for r in ec2.describe_instances(Filters=tag)["Reservations"]
                          for i in r["Instances"] if i["State"]["Name"] not in ("terminated", "shutting-down")]
    found["vpcs"] = [v["VpcId"] for v in ec2.describe_vpcs(Filters=tag)["Vpcs"]]
    found["subnets"] = [s["SubnetId"] for s in ec2.describe_subnets(Filters=tag)["Subnets"]]
    found["security_groups"] = [g["GroupId"] for g in ec2.describe_security_groups(Filters=tag)["SecurityGroups"]]
    found["volumes"] = [v["VolumeId"] for v in ec2.describe_volumes(Filters=tag)["Volumes"]]
    found["asgs"] = [g["AutoScalingGroupName"] for g in client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
                     if {"Key": "KubernetesCluster", "Value": cluster} in
                     [{"Key": t["Key"], "Value": t["Value"]} for t in g.get("Tags", [])]]
    elbv2 = client("elbv2")
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    found["load_balancers"] = []
    if lbs:
        for desc in elbv2.describe_tags(ResourceArns=[lb["LoadBalancerArn"] for lb in lbs])["TagDescriptions"]:
            if {t["Key"]: t["Value"] for t in desc["Tags"]}.get("KubernetesCluster") == cluster:
                found["load_balancers"].append(desc["ResourceArn"])
    elb = client("elb")
    classic = [lb["LoadBalancerName"] for lb in elb.describe_load_balancers()["LoadBalancerDescriptions"]]
    if classic:
        for desc in elb.describe_tags(LoadBalancerNames=classic)["TagDescriptions"]:
            if {t["Key"]: t["Value"] for t in desc["Tags"]}.get("KubernetesCluster") == cluster:
                found["load_balancers"].append(desc["LoadBalancerName"])
    found["iam_roles"] = [r["RoleName"] for r in client("iam").list_roles()["Roles"] if r["RoleName"].endswith("." + cluster)]
    return {kind: ids for kind, ids in found.items() if ids}


def bucket_exists(client, bucket: str) -> bool:
    return bucket in [b["Name"] for b in client("s3").list_buckets()["Buckets"]]
