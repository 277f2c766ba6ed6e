"""A tiny fake Kubernetes API server for the test bed. Test infrastructure, not a kube-apiserver.

No kube-apiserver exists on these machines, so the bed serves just enough of the Kubernetes API
for ``kubernetes.core.k8s_info`` (the kubernetes Python client and its discovery) to read
``kind: Node``: plain HTTP on 127.0.0.1, on a free port, from a thread of the bed's process.

Every cluster has its own path prefix, ``/clusters/<cluster name>``; the kops stand-in writes
``server: $KOPS_STANDIN_KUBE_API/clusters/<cluster name>`` into the kubeconfig when the bed sets
``KOPS_STANDIN_KUBE_API``. Under a prefix it answers, read-only (GET):

* discovery: ``/version``, ``/api``, ``/api/v1`` (only the ``nodes`` resource), ``/apis`` (no groups);
* ``/api/v1/nodes`` (a NodeList) and ``/api/v1/nodes/<name>`` (a Node, else a 404 Status), filtered by a
  ``labelSelector`` of equality and existence terms (``k``, ``!k``, ``k=v``, ``k==v``, ``k!=v``).

Content negotiation as kube-apiserver does it for the two clients the bed serves:

* the real kubectl (the bed's mirror serves v1.30.0, ``testbed.real_kubectl``) asks discovery with
  ``Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,...,application/json``;
  the plain ``APIVersions``/``APIGroupList`` answer is one it accepts (it then reads ``/api/v1``), as
  from an apiserver without aggregated discovery. ``kubectl get nodes`` (table output) asks for
  ``application/json;as=Table;v=v1;g=meta.k8s.io,...``: the answer is a ``meta.k8s.io/v1`` ``Table``
  with the columns kube-apiserver prints for nodes (NAME, STATUS, ROLES, AGE, VERSION, and the wide
  ones INTERNAL-IP, EXTERNAL-IP, OS-IMAGE, KERNEL-VERSION, CONTAINER-RUNTIME at priority 1), one row per
  node whose ``object`` follows ``includeObject`` (``Metadata``, the default: a ``PartialObjectMetadata``;
  ``Object``: the Node; ``None``: no object). ``kubectl get nodes -o json`` and the Python client ask for
  plain ``application/json`` and get the NodeList or Node. An Accept header nothing here can serve is a
  406 Status.

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


def human_duration(seconds: float) -> str:
    """An age as kube-apiserver's printers write it (k8s.io/apimachinery ``duration.HumanDuration``)."""
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        return f"{minutes}m" if whole % 60 == 0 else f"{minutes}m{whole % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


# The node columns kube-apiserver's table printer defines, in its order; priority 1 is `-o wide` only.
NODE_COLUMNS = (
    ("Name", "name", 0, "Name must be unique within a namespace."),
    ("Status", "", 0, "The status of the node"),
    ("Roles", "", 0, "The roles of the node"),
    ("Age", "", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."),
    ("Version", "", 0, "Kubelet Version reported by the node."),
    ("Internal-IP", "", 1, "List of addresses reachable to the node."),
    ("External-IP", "", 1, "List of addresses reachable to the node."),
    ("OS-Image", "", 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
    ("Kernel-Version", "", 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    ("Container-Runtime", "", 1, "ContainerRuntime Version reported by the node through runtime remote API "
                                 "(e.g. containerd://1.4.2)."),
)
ROLE_LABEL_PREFIX = "node-role.kubernetes.io/"


def node_cells(node: dict, now: float | None = None) -> list:
    """A node's table row, as kube-apiserver prints it (every column, the wide ones too)."""
    now = now or time.time()
    conditions = {c.get("type"): c for c in node.get("status", {}).get("conditions", [])}
    status = []
    if "Ready" in conditions:
        status.append("Ready" if conditions["Ready"].get("status") == "True" else "NotReady")
    status = status or ["Unknown"]
    if node.get("spec", {}).get("unschedulable"):
        status.append("SchedulingDisabled")
    labels = node["metadata"].get("labels") or {}
    roles = {key[len(ROLE_LABEL_PREFIX):] for key in labels if key.startswith(ROLE_LABEL_PREFIX)} - {""}
    if labels.get("kubernetes.io/role"):
        roles.add(labels["kubernetes.io/role"])
    created = node["metadata"].get("creationTimestamp")
    age = "<unknown>"
    if created:
        born = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        age = human_duration(now - born.timestamp())
    info = node.get("status", {}).get("nodeInfo", {})
    addresses = node.get("status", {}).get("addresses", [])

    def address(kind: str) -> str:
        return next((a["address"] for a in addresses if a.get("type") == kind), "<none>")

    return [node["metadata"]["name"], ",".join(status), ",".join(sorted(roles)) or "<none>", age,
            info.get("kubeletVersion", ""), address("InternalIP"), address("ExternalIP"),
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def node_table(nodes: list[dict], include_object: str = "Metadata", group_version: str = "meta.k8s.io/v1",
               now: float | None = None) -> dict:
    """A ``Table`` of nodes; ``include_object`` is the request's ``includeObject`` (None, Metadata, Object)."""
    rows = []
    for node in nodes:
        row = {"cells": node_cells(node, now)}
        if include_object == "Object":
            row["object"] = node
        elif include_object != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": group_version,
                             "metadata": node["metadata"]}
        rows.append(row)
    return {"kind": "Table", "apiVersion": group_version, "metadata": {"resourceVersion": "1"},
            "columnDefinitions": [{"name": name, "type": "string", "format": fmt, "description": text,
                                   "priority": priority} for name, fmt, priority, text in NODE_COLUMNS],
            "rows": rows}


def wanted_representation(accept: str) -> str | None:
    """What a request's Accept header lets the server answer: ``"json"``, ``"meta.k8s.io/v1"`` or
    ``"meta.k8s.io/v1beta1"`` (a Table), or None (nothing it can serve: a 406). The first acceptable
    media type wins, as the client lists them by preference."""
    if not accept.strip():
        return "json"
    for media in accept.split(","):
        kind, *params = [part.strip() for part in media.split(";")]
        if kind not in ("application/json", "application/*", "*/*"):
            continue
        options = dict(p.split("=", 1) for p in params if "=" in p)
        options.pop("q", None)
        if not options:
            return "json"
        if options.get("as") == "Table" and options.get("g") == "meta.k8s.io" and options.get("v") in ("v1", "v1beta1"):
            return "meta.k8s.io/" + options["v"]
    return None


def label_selector(text: str):
    """A predicate on a labels dict for a ``labelSelector`` of equality and existence terms, or None when a
    term is a form this fake API does not parse (set-based ``in``/``notin``)."""
    tests = []
    for term in [t.strip() for t in text.split(",") if t.strip()]:
        if "!=" in term:
            key, value = (p.strip() for p in term.split("!=", 1))
            tests.append(lambda labels, k=key, v=value: labels.get(k) != v)
        elif "=" in term:
            key, value = (p.strip() for p in term.replace("==", "=").split("=", 1))
            tests.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif term.startswith("!"):
            tests.append(lambda labels, k=term[1:].strip(): k not in labels)
        elif " " in term or "(" in term:
            return None
        else:
            tests.append(lambda labels, k=term: k in labels)
    return lambda labels: all(test(labels) for test in tests)


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

    def answer(self, path: str, accept: str = "") -> tuple[int, dict]:
        """(HTTP status, JSON body) for a GET of ``path`` with the request's ``Accept`` header."""
        representation = wanted_representation(accept)
        if representation is None:
            return 406, _status(406, "NotAcceptable", "only the following media types are accepted: application/json")
        path, _sep, query = path.partition("?")
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(query).items()}
        parts = [urllib.parse.unquote(p) for p in path.split("/") if p]
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
        if rest[:3] == ["api", "v1", "nodes"] and len(rest) in (3, 4):
            selects = label_selector(params.get("labelSelector", ""))
            if selects is None:
                return 400, _status(400, "BadRequest", f"unable to parse requirement: {params['labelSelector']}")
            nodes = [n for n in self.nodes(cluster) if selects(n["metadata"].get("labels") or {})]
            if len(rest) == 4:
                nodes = [n for n in nodes if n["metadata"]["name"] == rest[3]]
                if not nodes:
                    return 404, _status(404, "NotFound", f'nodes "{rest[3]}" not found')
            if representation != "json":
                return 200, node_table(nodes, params.get("includeObject", "Metadata"), representation)
            if len(rest) == 4:
                return 200, nodes[0]
            return 200, {"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
                         "items": nodes}
        return 404, _status(404, "NotFound", "the server could not find the requested resource")

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's name)
                api.requests.append(self.path)
                try:
                    code, doc = api.answer(self.path, self.headers.get("Accept", ""))
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
