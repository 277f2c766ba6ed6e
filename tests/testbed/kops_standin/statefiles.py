"""The state-store files `update cluster --yes` writes next to the config.

Their keys match the recordings (state/after-81-*); their contents are short
stand-ins except where the collection or the stand-in reads them
(cluster-completed.spec, kops-version.txt, the CA keysets, secrets).
"""

import hashlib
import json

from kops_standin import clusterspec, model, output

ADDONS = [
    ("aws-cloud-controller.addons.k8s.io", "k8s-1.18.yaml"),
    ("aws-ebs-csi-driver.addons.k8s.io", "k8s-1.17.yaml"),
    ("coredns.addons.k8s.io", "k8s-1.12.yaml"),
    ("kops-controller.addons.k8s.io", "k8s-1.16.yaml"),
    ("kubelet-api.rbac.addons.k8s.io", "k8s-1.9.yaml"),
    ("limit-range.addons.k8s.io", "v1.5.0.yaml"),
    ("networking.cilium.io", "k8s-1.16-v1.15.yaml"),
    ("node-termination-handler.aws", "k8s-1.11.yaml"),
    ("storage-aws.addons.k8s.io", "v1.15.0.yaml"),
]


def files(ver, cluster, igs):
    """{relative key: bytes} of everything update writes besides PKI and secrets."""
    name = cluster["metadata"]["name"]
    out = {}
    addons = list(ADDONS)
    if ver != "1.30.1":
        addons.append(("dns-controller.addons.k8s.io", "k8s-1.12.yaml"))
    channel = []
    for addon, manifest in sorted(addons):
        body = ("# %s addon manifest for cluster %s (kops stand-in)\napiVersion: v1\nkind: List\nitems: []\n"
                % (addon, name)).encode()
        out["addons/%s/%s" % (addon, manifest)] = body
        channel.append({"id": manifest.rsplit(".", 1)[0], "manifest": "%s/%s" % (addon, manifest),
                        "manifestHash": hashlib.sha256(body).hexdigest(), "name": addon,
                        "selector": {"k8s-addon": addon}})
    out["addons/bootstrap-channel.yaml"] = output.go_yaml(
        {"kind": "Addons", "metadata": {"name": "bootstrap"}, "spec": {"addons": channel}}).encode()
    out["cluster-completed.spec"] = output.go_yaml(clusterspec.completed_spec(cluster, ver)).encode()
    out["kops-version.txt"] = ver.encode()
    etcd_version = "3.5.21" if ver == "1.30.1" else "3.6.12"
    for etcd in cluster["spec"].get("etcdClusters", []):
        out["backups/etcd/%s/control/etcd-cluster-spec" % etcd["name"]] = json.dumps(
            {"memberCount": len(etcd.get("etcdMembers", [])), "etcdVersion": etcd_version}, indent=2).encode()
    for ig in igs:
        igname = ig["metadata"]["name"]
        cp = model.is_control_plane(ig)
        kind = "control-plane" if cp else "node"
        out["igconfig/%s/%s/nodeupconfig.yaml" % (kind, igname)] = output.go_yaml({
            "InstanceGroupName": igname, "InstanceGroupRole": "ControlPlane" if cp else "Node",
            "KubernetesVersion": cluster["spec"].get("kubernetesVersion"),
            "ConfigBase": cluster["spec"].get("configBase")}).encode()
        if cp:
            for etcd in cluster["spec"].get("etcdClusters", []):
                out["manifests/etcd/%s-%s.yaml" % (etcd["name"], igname)] = output.go_yaml({
                    "apiVersion": "kops.k8s.io/v1alpha2", "kind": "EtcdManifest",
                    "metadata": {"name": "%s-%s" % (etcd["name"], igname)}}).encode()
    out["manifests/static/kube-apiserver-healthcheck.yaml"] = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver-healthcheck\n"
    if ver != "1.30.1":
        out["manifests/channels/kops-channels.yaml"] = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: kops-channels\n"
    return out


def pending(store, ver, cluster, igs):
    """Keys whose content update would change (for the dry-run's ManagedFile tasks)."""
    name = cluster["metadata"]["name"]
    return [k for k, v in files(ver, cluster, igs).items() if store.read(name, *k.split("/")) != v]


def write(store, ver, cluster, igs):
    name = cluster["metadata"]["name"]
    for key, body in files(ver, cluster, igs).items():
        store.write(body, name, *key.split("/"), only_if_changed=True)
