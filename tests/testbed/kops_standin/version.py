"""Which kops version is imitated, and the facts that differ between them."""

import os

from kops_standin import DEFAULT_VERSION, SUPPORTED_VERSIONS

# Written into the zipapp by build.build_zipapp(baked_version=...).
try:
    from kops_standin._baked import BAKED_VERSION  # type: ignore
except ImportError:  # plain package checkout
    BAKED_VERSION = None


def current():
    env = os.environ.get("KOPS_STANDIN_VERSION")
    if env in SUPPORTED_VERSIONS:
        return env
    if BAKED_VERSION in SUPPORTED_VERSIONS:
        return BAKED_VERSION
    return DEFAULT_VERSION


def version_tuple(text):
    """(major, minor, patch) of a kops or Kubernetes version such as 1.30.1, v1.36.3 or 1.31.0-beta.1, for
    comparisons; (0,) when it does not parse."""
    try:
        return tuple(int(part) for part in str(text).strip().lstrip("v").split("-", 1)[0].split("+", 1)[0]
                     .split(".")[:3])
    except ValueError:
        return (0,)


# What the recorded channel chose for each version (RECORDINGS.md, "Channel").
KUBERNETES_VERSION = {"1.30.1": "1.30.14", "1.36.2": "1.36.3"}
IMAGE = {
    "1.30.1": "099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20260714",
    "1.36.2": "099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260714",
}

# kops 1.30.1 prints this on stdout (from the channel) in create/update runs.
UPGRADE_BANNER = (
    "\n"
    "*********************************************************************************\n"
    "\n"
    "A new kops version is available: 1.35.1\n"
    "Upgrading is recommended\n"
    "More information: https://github.com/kubernetes/kops/blob/master/permalinks/upgrade_kops.md#1.35.1\n"
    "\n"
    "*********************************************************************************\n"
    "\n"
)


def banner(ver):
    return UPGRADE_BANNER if ver == "1.30.1" else ""


def has_node_labels(ver):
    """1.36.2 writes spec.nodeLabels kops.k8s.io/instancegroup into each IG."""
    return ver != "1.30.1"


def source_line(ver, name):
    """file:line that real kops prints in klog prefixes (cosmetic only)."""
    table = {
        "create_cluster": {"1.30.1": "create_cluster.go:880", "1.36.2": "create_cluster.go:934"},
        "new_cluster_gossip": {"1.30.1": "new_cluster.go:1435", "1.36.2": "new_cluster.go:1483"},
        "new_cluster_cloud": {"1.30.1": "new_cluster.go:1454", "1.36.2": "new_cluster.go:1502"},
        "new_cluster_flannel_udp": {"1.30.1": "new_cluster.go:1231", "1.36.2": "new_cluster.go:1288"},
        "new_cluster_same_azs": {"1.30.1": "new_cluster.go:971", "1.36.2": "new_cluster.go:1041"},
        "new_cluster_classic_lb": {"1.30.1": "new_cluster.go:1493", "1.36.2": "new_cluster.go:1541"},
        "no_context": {"1.30.1": "root.go:314", "1.36.2": "root.go:320"},
    }
    return table.get(name, {}).get(ver, name + ".go:1")
