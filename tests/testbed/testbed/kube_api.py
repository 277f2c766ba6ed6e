"""A tiny fake Kubernetes API server for the test bed. Test infrastructure, not a kube-apiserver.

No kube-apiserver exists on these machines, so the bed serves just enough of the Kubernetes API
for ``kubernetes.core.k8s_info`` (the kubernetes Python client and its discovery) to read
``kind: Node``: plain HTTP on 127.0.0.1, on a free port, from a thread of the bed's process.

Every cluster has its own path prefix, ``/clusters/<cluster name>``; the kops stand-in writes
``server: $KOPS_STANDIN_KUBE_API/clusters/<cluster name>`` into the kubeconfig when the bed sets
``KOPS_STANDIN_KUBE_API``. Under a prefix it answers, read-only (GET):

* discovery: ``/version``, ``/api``, ``/api/v1`` (only the ``nodes`` resource), ``/apis`` (no groups);
* ``/api/v1/nodes`` (a NodeList) and ``/api/v1/nodes/<name>`` (a Node, else a 404 Status).

A node's ``status.nodeInfo.kubeletVersion`` is the Kubernetes version of the launch-template version its
instance was launched from, so an upgrade shows the control plane on the new version before the nodes.

kubernetes.core 6.2.0's ``k8s_info`` (kind Node) asks for ``/version``, ``/apis``, ``/api/v1`` and then
``/api/v1/nodes``; the kubernetes client's ``DynamicClient`` also asks for ``/api``. Node objects carry
every field the typed client (kubernetes 37, pydantic models) requires.

Nodes are computed live from the local AWS endpoint, like the stand-in's ``kops validate``: the
non-terminated instances of the Auto Scaling Groups tagged ``KubernetesCluster=<cluster>``, named
by instance id, Ready once they have run ``KOPS_STANDIN_BOOT_SECONDS`` (default 3). A cluster the
endpoint has no Auto Scaling Groups for is answered like an empty cluster: discovery works and
the node list is empty (and ``/api/v1/nodes/<name>`` is a 404). Anything else is a 404 Status.
Authentication is not checked.
"""

from __future__ import annotations

import datetime
import http.server
import json
import os
import threading
import time
import urllib.parse

from .http_thread import ThreadedHttpServer

try:  # the stand-in's readiness rule, when its package is importable (it is in the bed)
    from kops_standin.cloud import booted as _standin_booted
except ImportError:  # pragma: no cover - mirror it
    _standin_booted = None

GIT_VERSION = "v1.32.4"
# The stand-in's launch-template conventions (kops_standin.cloud): the version an instance was launched
# from, and the Kubernetes version a template version was written for.
LT_VERSION_TAG = "aws:ec2launchtemplate:version"
K8S_DESCRIPTION = "kops-standin kubernetesVersion "
_NODE_RESOURCE = {"name": "nodes", "singularName": "node", "namespaced": False, "kind": "Node",
                  "verbs": ["get", "list"], "shortNames": ["no"], "storageVersionHash": ""}


def booted(instance: dict, now: float | None = None) -> bool:
    """Whether an instance is a Ready node: it has run KOPS_STANDIN_BOOT_SECONDS (the stand-in's rule)."""
    if _standin_booted is not None:
        return _standin_booted(instance, now)
    now = now or time.time()
    launch = instance.get("launch")
    if launch is None:
        return False
    try:
        seconds = float(os.environ.get("KOPS_STANDIN_BOOT_SECONDS", "3"))
    except ValueError:
        seconds = 3.0
    return now - launch.timestamp() >= seconds


def _rfc3339(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class KubeApi(ThreadedHttpServer):
    """Serves the fake API from a thread of the calling process on 127.0.0.1."""

    def __init__(self, aws_url: str, region: str, host: str = "127.0.0.1"):
        super().__init__(host)
        self.aws_url = aws_url
        self.region = region
        self._clients: dict = {}
        self._lock = threading.Lock()
        self._template_versions: dict = {}

    def cluster_url(self, cluster: str) -> str:
        return f"{self.url}/clusters/{cluster}"

    def _client(self, service: str):
        with self._lock:
            if service not in self._clients:
                import boto3

                self._clients[service] = boto3.client(
                    service, endpoint_url=self.aws_url, region_name=self.region,
                    aws_access_key_id="testing", aws_secret_access_key="testing")
            return self._clients[service]

    # -- nodes -------------------------------------------------------------

    def nodes(self, cluster: str, now: float | None = None) -> list[dict]:
        """The cluster's nodes as Node objects, sorted by name."""
        now = now or time.time()
        asg = self._client("autoscaling")
        groups = []
        for page in asg.get_paginator("describe_auto_scaling_groups").paginate():
            for group in page["AutoScalingGroups"]:
                tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
                if tags.get("KubernetesCluster") == cluster:
                    groups.append((group, tags))
        nodes = []
        for group, tags in groups:
            ids = [i["InstanceId"] for i in group.get("Instances", [])]
            if not ids:
                continue
            control_plane = "k8s.io/role/control-plane" in tags or ".masters." in group["AutoScalingGroupName"]
            instance_group = tags.get("kops.k8s.io/instancegroup", group["AutoScalingGroupName"].split(".")[0])
            template = (group.get("LaunchTemplate") or {}).get("LaunchTemplateName")
            for reservation in self._client("ec2").describe_instances(InstanceIds=ids)["Reservations"]:
                for inst in reservation["Instances"]:
                    if inst["State"]["Name"] in ("terminated", "shutting-down"):
                        continue
                    kubelet = self._kubelet_version(template, inst)
                    nodes.append(self._node(inst, control_plane, instance_group, now, kubelet))
        return sorted(nodes, key=lambda n: n["metadata"]["name"])

    def _kubelet_version(self, template: str | None, inst: dict) -> str:
        """The kubelet version of an instance: the Kubernetes version of the launch-template version it was
        launched from (the stand-in notes it in the version's description; its instances carry the version
        number in ``aws:ec2launchtemplate:version``). GIT_VERSION when either is unknown."""
        tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
        number = tags.get(LT_VERSION_TAG)
        if not template or not number:
            return GIT_VERSION
        key = (template, number)
        if key not in self._template_versions:
            try:
                versions = self._client("ec2").describe_launch_template_versions(
                    LaunchTemplateName=template, Versions=[number])["LaunchTemplateVersions"]
            except Exception:  # noqa: BLE001 - a deleted template: unknown
                versions = []
            description = versions[0].get("VersionDescription", "") if versions else ""
            version = description[len(K8S_DESCRIPTION):] if description.startswith(K8S_DESCRIPTION) else None
            self._template_versions[key] = "v" + version if version else GIT_VERSION
        return self._template_versions[key]

    @staticmethod
    def _node(inst: dict, control_plane: bool, instance_group: str, now: float, kubelet: str = GIT_VERSION) -> dict:
        name = inst["InstanceId"]
        zone = inst["Placement"]["AvailabilityZone"]
        launch = inst.get("LaunchTime")
        ready = booted({"launch": launch}, now)
        role_label = "node-role.kubernetes.io/control-plane" if control_plane else "node-role.kubernetes.io/node"
        labels = {
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            role_label: "",
            "kops.k8s.io/instancegroup": instance_group,
            "topology.kubernetes.io/region": zone[:-1],
            "topology.kubernetes.io/zone": zone,
            "node.kubernetes.io/instance-type": inst.get("InstanceType", ""),
        }
        when = _rfc3339(launch)
        condition = {"type": "Ready", "status": "True" if ready else "False",
                     "reason": "KubeletReady" if ready else "KubeletNotReady",
                     "message": "kubelet is posting ready status" if ready else "node is booting",
                     "lastHeartbeatTime": _rfc3339(datetime.datetime.now(datetime.timezone.utc)),
                     "lastTransitionTime": when}
        addresses = [{"type": "Hostname", "address": name}]
        if inst.get("PrivateIpAddress"):
            addresses.insert(0, {"type": "InternalIP", "address": inst["PrivateIpAddress"]})
        return {
            "kind": "Node", "apiVersion": "v1",
            "metadata": {"name": name, "uid": name, "resourceVersion": "1", "creationTimestamp": when,
                         "labels": labels},
            "spec": {"providerID": f"aws:///{zone}/{name}"},
            "status": {"conditions": [condition], "addresses": addresses,
                       # every field the typed client requires
                       "nodeInfo": {"architecture": "amd64", "bootID": name, "containerRuntimeVersion": "containerd://1.7.0",
                                    "kernelVersion": "6.1.0", "kubeProxyVersion": kubelet,
                                    "kubeletVersion": kubelet, "machineID": name, "operatingSystem": "linux",
                                    "osImage": "kops test bed", "systemUUID": name}},
        }

    # -- routing -----------------------------------------------------------

    def answer(self, path: str) -> tuple[int, dict]:
        """(HTTP status, JSON body) for a GET of ``path`` (query string ignored)."""
        parts = [urllib.parse.unquote(p) for p in path.split("?", 1)[0].split("/") if p]
        if len(parts) < 2 or parts[0] != "clusters":
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        cluster, rest = parts[1], parts[2:]
        if rest == ["version"]:
            major, minor = GIT_VERSION[1:].split(".")[:2]
            return 200, {"major": major, "minor": minor, "gitVersion": GIT_VERSION, "platform": "linux/amd64"}
        if rest == ["api"]:
            return 200, {"kind": "APIVersions", "versions": ["v1"],
                         "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                         "serverAddress": f"{self.host}:{self.port}"}]}
        if rest == ["apis"]:
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}
        if rest == ["api", "v1"]:
            return 200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
                         "resources": [_NODE_RESOURCE]}
        if rest == ["api", "v1", "nodes"]:
            return 200, {"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
                         "items": self.nodes(cluster)}
        if len(rest) == 4 and rest[:3] == ["api", "v1", "nodes"]:
            for node in self.nodes(cluster):
                if node["metadata"]["name"] == rest[3]:
                    return 200, node
            return 404, _status(404, "NotFound", f'nodes "{rest[3]}" not found')
        return 404, _status(404, "NotFound", "the server could not find the requested resource")

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's name)
                api.requests.append(self.path)
                try:
                    code, doc = api.answer(self.path)
                except Exception as err:  # noqa: BLE001 - answer like an apiserver, never drop the connection
                    code, doc = 500, _status(500, "InternalError", f"{type(err).__name__}: {err}")
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep the command's output clean
                pass

        return Handler
