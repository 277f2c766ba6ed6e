"""The kops API objects (Cluster, InstanceGroup) and the names kops derives."""

import base64
import datetime
import json
import re

import yaml

from kops_standin import version as vermod
from kops_standin.errors import KopsError

API_VERSION = "kops.k8s.io/v1alpha2"
_DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_RFC1123_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


def now_stamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _go_quote(text):
    """Go's %q for the ASCII names kops validates."""
    return json.dumps(text)


def validate_cluster_name(ver, name, dns_none=True):
    """pkg/apis/kops/validation/validation.go newValidateCluster (name part), as kops aggregates it.

    ValidateObjectMeta(NameIsDNSSubdomain) adds one metadata.name error per IsDNS1123Subdomain
    message, then objectMeta.name adds kops's own. A name without a dot is refused by 1.30.1; 1.36.2
    accepts it when the cluster uses no DNS (`&& !cluster.UsesNoneDNS()`)."""
    msgs = []
    if len(name) > 253:
        msgs.append("must be no more than 253 characters")
    if not _DNS1123.fullmatch(name):
        msgs.append(_RFC1123_MSG)
    quoted = _go_quote(name)
    errs = ["metadata.name: Invalid value: %s: %s" % (quoted, m) for m in msgs]
    if msgs:
        errs.append("objectMeta.name: Invalid value: %s: Cluster Name must be a valid DNS name "
                    "(e.g. --name=mycluster.myzone.com) errors: %s" % (quoted, ", ".join(msgs)))
    elif "." not in name and (ver == "1.30.1" or not dns_none):
        errs.append("objectMeta.name: Invalid value: %s: Cluster Name must be a fully-qualified DNS name "
                    "(e.g. --name=mycluster.myzone.com)" % quoted)
    if errs:
        # k8s.io/apimachinery util/errors aggregate.Error(): one error bare, several in [a, b].
        raise KopsError(errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]")


# -- names kops derives ----------------------------------------------------
def _fnv32a(text):
    h = 0x811C9DC5
    for b in text.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h.to_bytes(4, "big")


def truncate_with_hash(text, max_len=32, hash_len=6):
    """kops's truncate.TruncateString with AlwaysAddHash (FNV-32a, base32hex)."""
    digest = base64.b32hexencode(_fnv32a(text)).decode().lower()[:hash_len]
    return text[:max_len - hash_len - 1] + "-" + digest


def lb_name(cluster):
    return truncate_with_hash("api-" + cluster.replace(".", "-"))


def tcp_target_group_name(cluster):
    return truncate_with_hash("tcp-" + cluster.replace(".", "-"))


def kops_controller_target_group_name(cluster):
    return truncate_with_hash("kops-controller-" + cluster.replace(".", "-"))


def asg_name(ig, cluster):
    """pkg/model/names.go AutoscalingGroupName (v1.30.1 / v1.36.2)."""
    role = ig["spec"].get("role")
    if role in ("Master", "ControlPlane"):
        return "%s.masters.%s" % (ig["metadata"]["name"], cluster)
    if role == "APIServer":
        return "%s.apiservers.%s" % (ig["metadata"]["name"], cluster)
    return "%s.%s" % (ig["metadata"]["name"], cluster)


def role_of(ig):
    return ig["spec"].get("role", "Node")


def is_control_plane(ig):
    return role_of(ig) in ("Master", "ControlPlane")


def table_role(ig):
    return "ControlPlane" if is_control_plane(ig) else role_of(ig)


# -- loading from the state store -----------------------------------------
def load_cluster(store, name):
    """ClusterVFS.find: None when the config does not exist; a read failure is an error."""
    try:
        data = store.read(name, "config")
    except KopsError as err:
        raise KopsError('error reading cluster configuration "%s": %s' % (name, err.msg))
    if data is None:
        return None
    return yaml.safe_load(data)


def load_igs(store, name):
    igs = []
    for key in store.list_keys(name, "instancegroup"):
        if "/" in key:
            continue
        doc = yaml.safe_load(store.read(name, "instancegroup", key))
        doc.setdefault("metadata", {}).setdefault("labels", {})["kops.k8s.io/cluster"] = name
        igs.append(doc)
    return igs


def strip_cluster_label(ig):
    """kops does not persist the kops.k8s.io/cluster label in the IG object."""
    ig = yaml.safe_load(yaml.safe_dump(ig))
    labels = ig.get("metadata", {}).get("labels") or {}
    labels.pop("kops.k8s.io/cluster", None)
    if not labels:
        ig["metadata"].pop("labels", None)
    return ig


def require_cluster(store, name):
    """cmd/kops/root.go GetCluster: clientset.GetCluster errors wrapped, NotFound included."""
    try:
        cluster = load_cluster(store, name)
    except KopsError as err:
        raise KopsError("error reading cluster configuration: %s" % err.msg)
    if cluster is None:
        raise KopsError('error reading cluster configuration: Cluster.kops.k8s.io "%s" not found' % name)
    return cluster


def zones_of(cluster):
    return [s.get("zone") for s in cluster["spec"].get("subnets", []) if s.get("zone")]


def region_of(cluster):
    zones = zones_of(cluster)
    if zones:
        return zones[0][:-1]
    return None


def default_image(ver):
    return vermod.IMAGE[ver]
