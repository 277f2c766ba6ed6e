# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real kubectl of the test bed (tests/testbed/testbed/real_kubectl.py): the pinned binary from the
PyPI package's Lambda layer, served by the mirror under the official path with its real sha256, and the
fake Kubernetes API (tests/testbed/testbed/kube_api.py) read by it: discovery, the server-side node
Table (its AGE column checked against kubectl's own client-side printing of the same nodes) and
``-o json``.

Without the binary (offline) these tests skip with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from testbed import real_kubectl
from testbed.kube_api import KubeApi
from testbed.mirror import Mirror

CLUSTER = "demo.k8s.local"


def require_real_kubectl() -> real_kubectl.RealKubectl:
    kubectl, reason = real_kubectl.provide()
    if kubectl is None:
        message = f"no real kubectl for the test bed: {reason}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return kubectl


@pytest.fixture(scope="module")
def kubectl():
    return require_real_kubectl()


def test_the_binary_is_the_pinned_upstream_kubectl(kubectl):
    with open(kubectl.path, "rb") as binary:
        assert hashlib.sha256(binary.read()).hexdigest() == real_kubectl.KUBECTL_SHA256
    out = subprocess.run([kubectl.path, "version", "--client", "-o", "json"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    client = json.loads(out)["clientVersion"]
    assert client["gitVersion"] == "v" + real_kubectl.KUBECTL_VERSION
    assert client["platform"] == "linux/" + real_kubectl.KUBECTL_ARCH
    assert client["gitTreeState"] == "clean"


def test_the_mirror_serves_it_under_the_official_path_and_the_standin_elsewhere(kubectl, tmp_path):
    with Mirror(cache_dir=str(tmp_path / "cache"), real_kubectls=[kubectl]) as mirror:
        url = f"{mirror.url}/kubectl/release/v{kubectl.version}/bin/linux/{kubectl.arch}/kubectl"
        body = urllib.request.urlopen(url, timeout=30).read()
        published = urllib.request.urlopen(url + ".sha256", timeout=5).read().decode()
        other = urllib.request.urlopen(f"{mirror.url}/kubectl/release/v1.36.3/bin/linux/amd64/kubectl",
                                       timeout=5).read()
        head = urllib.request.Request(url, method="HEAD")
        with urllib.request.urlopen(head, timeout=5) as answer:
            assert int(answer.headers["Content-Length"]) == len(body)
    assert published == real_kubectl.KUBECTL_SHA256 + "\n"
    assert hashlib.sha256(body).hexdigest() == real_kubectl.KUBECTL_SHA256
    assert other.startswith(b"#!/bin/sh\n# kubectl stand-in")


def test_without_the_binary_the_mirror_serves_the_standin_for_that_version(tmp_path, monkeypatch):
    monkeypatch.setenv(real_kubectl.DISABLE_ENV, "standin")
    kubectl, reason = real_kubectl.provide()
    assert kubectl is None and real_kubectl.DISABLE_ENV in reason
    with Mirror(cache_dir=str(tmp_path)) as mirror:
        url = f"{mirror.url}/kubectl/release/v{real_kubectl.KUBECTL_VERSION}/bin/linux/amd64/kubectl"
        body = urllib.request.urlopen(url, timeout=5).read()
    assert body.startswith(b"#!/bin/sh\n# kubectl stand-in")


# -- the fake API read by the real client ----------------------------------------------------------

AGES = (0, 59, 119, 120, 121, 599, 601, 3599, 10799, 10860, 28799, 86400, 172799, 176400, 691200,
        730 * 86400, 731 * 86400 + 3600, 9 * 365 * 86400)


def _instance(name: str, age: int, zone: str = "us-west-2a", ip: str | None = "172.20.32.10") -> dict:
    launch = datetime.datetime.fromtimestamp(int(time.time()) - age, datetime.timezone.utc)
    inst = {"InstanceId": name, "Placement": {"AvailabilityZone": zone}, "LaunchTime": launch,
            "InstanceType": "t3.medium"}
    if ip:
        inst["PrivateIpAddress"] = ip
    return inst


@pytest.fixture
def api(tmp_path, monkeypatch):
    """The fake API with made-up nodes (no AWS endpoint needed) and a kubeconfig pointing at it."""
    monkeypatch.setenv("KOPS_STANDIN_BOOT_SECONDS", "3")
    made = {"nodes": []}
    server = KubeApi("http://127.0.0.1:9", "us-west-2")
    server.nodes = lambda cluster, now=None: list(made["nodes"]) if cluster == CLUSTER else []
    kubeconfig = tmp_path / "kubeconfig"
    with server:
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": CLUSTER,
            "clusters": [{"name": CLUSTER, "cluster": {"server": server.cluster_url(CLUSTER)}}],
            "contexts": [{"name": CLUSTER, "context": {"cluster": CLUSTER, "user": CLUSTER}}],
            "users": [{"name": CLUSTER, "user": {"token": "testbed"}}]}))
        yield server, made, str(kubeconfig), str(tmp_path)


def _kubectl(kubectl, api, *args):
    _server, _made, kubeconfig, home = api
    proc = subprocess.run([kubectl.path, "--kubeconfig", kubeconfig, "--cache-dir", os.path.join(home, "cache"),
                           *args], capture_output=True, text=True, timeout=60, check=False,
                          env={"HOME": home, "PATH": os.environ.get("PATH", "")})
    return proc


def test_get_nodes_prints_the_server_side_table(kubectl, api):
    server, made, _kubeconfig, _home = api
    made["nodes"] = [KubeApi._node(_instance("i-0aaa", 600), True, "control-plane-us-west-2a", time.time(), "v1.30.14"),
                     KubeApi._node(_instance("i-0bbb", 1, ip=None), False, "nodes-us-west-2a", time.time(), "v1.29.15")]
    proc = _kubectl(kubectl, api, "get", "nodes", "-v=6")
    assert proc.returncode == 0, proc.stderr
    lines = [line.split() for line in proc.stdout.splitlines()]
    assert lines[0] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert lines[1][:3] == ["i-0aaa", "Ready", "control-plane"] and lines[1][4] == "v1.30.14"
    assert lines[1][3] == "10m"
    assert lines[2][:3] == ["i-0bbb", "NotReady", "node"] and lines[2][4] == "v1.29.15"
    # kubectl took the server's table (no fallback to its built-in NAME/AGE printing)
    assert "Falling back" not in proc.stderr
    assert any(p.startswith("/clusters/demo.k8s.local/api/v1/nodes") for p in server.requests)

    wide = _kubectl(kubectl, api, "get", "nodes", "-o", "wide", "--show-labels")
    assert wide.returncode == 0, wide.stderr
    header, first, second = (line.split() for line in wide.stdout.splitlines())
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE",
                      "KERNEL-VERSION", "CONTAINER-RUNTIME", "LABELS"]
    assert first[5:7] == ["172.20.32.10", "<none>"] and second[5] == "<none>"
    assert "kops.k8s.io/instancegroup=nodes-us-west-2a" in second[-1]

    one = _kubectl(kubectl, api, "get", "node", "i-0bbb", "--no-headers")
    assert one.returncode == 0, one.stderr
    assert one.stdout.split()[:3] == ["i-0bbb", "NotReady", "node"]
    missing = _kubectl(kubectl, api, "get", "node", "i-0zzz")
    assert missing.returncode != 0 and 'nodes "i-0zzz" not found' in missing.stderr

    selected = _kubectl(kubectl, api, "get", "nodes", "-l", "node-role.kubernetes.io/control-plane", "-o", "name")
    assert selected.returncode == 0, selected.stderr
    assert selected.stdout.split() == ["node/i-0aaa"]


def test_get_nodes_json_is_the_node_list(kubectl, api):
    _server, made, _kubeconfig, _home = api
    made["nodes"] = [KubeApi._node(_instance(name, 60), cp, "ig", time.time(), "v1.30.14")
                     for name, cp in (("i-01", True), ("i-02", False), ("i-03", False))]
    proc = _kubectl(kubectl, api, "get", "nodes", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [n["metadata"]["name"] for n in doc["items"]] == ["i-01", "i-02", "i-03"]
    assert {n["kind"] for n in doc["items"]} == {"Node"}
    assert all(n["status"]["nodeInfo"]["kubeletVersion"] == "v1.30.14" for n in doc["items"])
    assert [c["status"] for n in doc["items"] for c in n["status"]["conditions"]] == ["True"] * 3


def test_the_age_column_matches_kubectls_own_printing(kubectl, api):
    """The server's AGE (kube_api.human_duration) against kubectl's client-side printer for the same nodes
    (``--server-print=false`` makes kubectl ask for plain JSON and print NAME and AGE itself)."""
    _server, made, _kubeconfig, _home = api
    made["nodes"] = [KubeApi._node(_instance(f"i-{i:03d}", age), False, "ig", time.time())
                     for i, age in enumerate(AGES)]
    # Both printers read the clock: the two runs go side by side, and again should a second tick between them.
    for _attempt in range(3):
        with ThreadPoolExecutor(2) as pool:
            server_side, client_side = pool.map(
                lambda extra: _kubectl(kubectl, api, "get", "nodes", "--no-headers", *extra),
                ([], ["--server-print=false"]))
        assert server_side.returncode == 0 and client_side.returncode == 0, server_side.stderr + client_side.stderr
        server_ages = [line.split()[3] for line in server_side.stdout.splitlines()]
        client_ages = [line.split()[1] for line in client_side.stdout.splitlines()]
        assert len(server_ages) == len(AGES)
        if server_ages == client_ages:
            break
    assert server_ages == client_ages
