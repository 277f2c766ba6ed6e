# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tutorial's own check with the real client: playbooks/build.yml installs kubectl v1.30.0 with kops_tools
from the test bed's mirror (the upstream binary, pinned by sha256: tests/testbed/testbed/real_kubectl.py),
builds a small cluster and exports its kubeconfig; then that kubectl runs `kubectl get nodes` (table and
`-o json`) through the kubeconfig against the bed's Kubernetes API and must show the cluster's instances
as Ready nodes with their kubelet versions.

Without the real binary (the bed fell back to the stand-in, offline) the tests skip with the bed's reason,
except under CI=true, where they fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pytest

from e2e_helpers import run_playbook, unique
from testbed.real_kubectl import KUBECTL_SHA256, KUBECTL_VERSION

KOPS = "1.30.1"
KUBERNETES = "1.30.14"
# The stand-in's waits scaled down, but not its boot time: the bed's Kubernetes API counts a node Ready
# after the KOPS_STANDIN_BOOT_SECONDS of its own environment (3 by default). A shorter one here let kops
# validate the cluster while kubectl, a second later on an idle machine, still saw NotReady nodes.
FAST = {"KOPS_STANDIN_TIME_SCALE": "0.02"}


def _require_real_kubectl():
    if os.environ.get("TESTBED_REAL_KUBECTL_VERSION") == KUBECTL_VERSION:
        return
    message = ("the test bed serves no real kubectl: "
               + (os.environ.get("TESTBED_REAL_KUBECTL_MISSING") or "TESTBED_REAL_KUBECTL_VERSION is not set"))
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def cluster(testbed_vars, aws, tmp_path_factory):
    _require_real_kubectl()
    work = tmp_path_factory.mktemp("real-kubectl")
    extra = {
        "kops_cluster_name": unique("kubectl") + ".k8s.local",
        "kops_state_store_bucket": unique("kubectl-state"),
        "kops_kops_version": KOPS,
        "kops_tools_install_dir": str(work / "tools"),
        # the client from the mirror, not one found on PATH, checked against the pinned upstream digest
        "kops_tools_kubectl_version": KUBECTL_VERSION,
        "kops_tools_use_path": False,
        "kops_tools_checksums": {f"kubectl-{KUBECTL_VERSION}-linux-amd64": KUBECTL_SHA256},
        "ssh_keypair_path": str(work / "ssh" / "id_ed25519"),
        "cluster_kubeconfig": str(work / "kubeconfig"),
        "cluster_zones": ["us-west-2a"],
        "cluster_node_count": 1,
        "cluster_kubernetes_version": KUBERNETES,
        "cluster_validate_timeout": "5m",
        "cluster_validate_poll_interval": "1s",
    }
    built = run_playbook("playbooks/build.yml", os.environ["TESTBED_EXTRA_VARS"], extra, env=FAST)
    assert built.rc == 0, built.explain()
    ec2 = aws("ec2")
    running = sorted(i["InstanceId"] for r in ec2.describe_instances(
        Filters=[{"Name": "tag:KubernetesCluster", "Values": [extra["kops_cluster_name"]]},
                 {"Name": "instance-state-name", "Values": ["pending", "running"]}])["Reservations"]
        for i in r["Instances"])
    return {"work": work, "extra": extra, "instances": running}


def kubectl(cluster, *args):
    """The kubectl kops_tools installed, with the kubeconfig the cluster role exported (and nothing else)."""
    home = cluster["work"] / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "KUBECONFIG": cluster["extra"]["cluster_kubeconfig"]}
    return subprocess.run([str(cluster["work"] / "tools" / "kubectl"), *args], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_kops_tools_installed_the_real_kubectl_from_the_mirror(cluster):
    binary = cluster["work"] / "tools" / "kubectl"
    assert hashlib.sha256(binary.read_bytes()).hexdigest() == KUBECTL_SHA256
    version = kubectl(cluster, "version", "--client", "-o", "json")
    assert version.returncode == 0, version.stderr
    assert json.loads(version.stdout)["clientVersion"]["gitVersion"] == "v" + KUBECTL_VERSION


def test_get_nodes_shows_the_cluster_ready_with_its_kubelet_versions(cluster):
    got = kubectl(cluster, "get", "nodes")
    assert got.returncode == 0, got.stderr
    header, *rows = [line.split() for line in got.stdout.splitlines()]
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert sorted(row[0] for row in rows) == cluster["instances"]
    assert len(rows) == 2  # one control plane, one node
    assert {row[1] for row in rows} == {"Ready"}
    assert sorted(row[2] for row in rows) == ["control-plane", "node"]
    assert {row[4] for row in rows} == {"v" + KUBERNETES}


def test_get_nodes_json_names_the_cluster_nodes(cluster):
    got = kubectl(cluster, "get", "nodes", "-o", "json")
    assert got.returncode == 0, got.stderr
    doc = json.loads(got.stdout)
    assert sorted(n["metadata"]["name"] for n in doc["items"]) == cluster["instances"]
    assert {n["status"]["nodeInfo"]["kubeletVersion"] for n in doc["items"]} == {"v" + KUBERNETES}
    assert all(c["status"] == "True" for n in doc["items"] for c in n["status"]["conditions"] if c["type"] == "Ready")
