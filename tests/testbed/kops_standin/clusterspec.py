"""Build the Cluster and InstanceGroup objects `kops create cluster` writes,
with the defaults kops fills in (compare state/after-57-create-cluster)."""

import ipaddress

from kops_standin import model
from kops_standin import version as vermod
from kops_standin.errors import KopsError

_NETWORKING = {
    "cilium": {"cilium": {"enableNodePort": True}},
    "cilium-etcd": {"cilium": {"enableNodePort": True, "etcdManaged": True}},
    "calico": {"calico": {}},
    "kubenet": {"kubenet": {}},
    "external": {"external": {}},
    "cni": {"cni": {}},
    "flannel": {"flannel": {"backend": "vxlan"}},
    "flannel-vxlan": {"flannel": {"backend": "vxlan"}},
    "flannel-udp": {"flannel": {"backend": "udp"}},
    "kube-router": {"kuberouter": {}},
    "amazonvpc": {"amazonvpc": {}},
    "canal": {"canal": {}},
    "kindnet": {"kindnet": {}},
}


def networking_names(ver):
    names = set(_NETWORKING)
    names.discard("kindnet" if ver == "1.30.1" else "canal")
    return names


def _subnet_cidrs(network_cidr, count):
    """kops splits the VPC into /18s (for up to 4 zones) in zone order."""
    net = ipaddress.ip_network(network_cidr, strict=False)
    extra = 2
    while (1 << extra) < count:
        extra += 1
    return [str(s) for s in list(net.subnets(prefixlen_diff=extra))[:count]]


def _split(total, parts):
    base, rem = divmod(total, parts)
    return [base + (1 if i < rem else 0) for i in range(parts)]


def build(ver, opts, name, config_base, zones, ssh_public_key=None):
    """Return (cluster, [instance groups]) for `create cluster` options."""
    networking = (opts.get("networking") or "cilium").lower()
    if networking not in networking_names(ver):
        raise KopsError('unknown networking mode "%s"' % networking)
    topology = (opts.get("topology") or "public").lower()
    if topology not in ("public", "private"):
        raise KopsError('invalid topology: "%s"' % topology)
    network_cidr = (opts.get("network-cidr") or ["172.20.0.0/16"])[0]
    cp_zones = opts.get("control-plane-zones") or opts.get("master-zones") or []
    cp_count = opts.get("control-plane-count") or opts.get("master-count") or 0
    if not cp_zones:
        cp_zones = zones[:max(1, cp_count)] if cp_count and cp_count <= len(zones) else zones[:1]
    if not cp_count:
        cp_count = len(cp_zones)
    admin_access = opts.get("admin-access") or ["0.0.0.0/0", "::/0"]
    ssh_access = opts.get("ssh-access") or admin_access
    dns = (opts.get("dns") or "").lower()
    if dns == "none" or (not dns and name.endswith(".k8s.local")) or not dns and "." not in name:
        dns_spec = {"type": "None"}
    elif dns == "private":
        dns_spec = {"type": "Private"}
    else:
        dns_spec = {"type": "Public"}
    lb_type = (opts.get("api-loadbalancer-type") or "public").capitalize()
    if lb_type not in ("Public", "Internal"):
        raise KopsError('unknown api-loadbalancer-type: "%s"' % opts.get("api-loadbalancer-type"))
    lb_class = (opts.get("api-loadbalancer-class") or "network").capitalize()
    if lb_class not in ("Network", "Classic"):
        raise KopsError('unknown api-loadbalancer-class: "%s"' % opts.get("api-loadbalancer-class"))

    subnets = []
    cidrs = _subnet_cidrs(network_cidr, len(zones) * (2 if topology == "private" else 1))
    for i, zone in enumerate(zones):
        subnets.append({"cidr": cidrs[i], "name": zone, "type": "Private" if topology == "private" else "Public",
                        "zone": zone})
    if topology == "private":
        for i, zone in enumerate(zones):
            subnets.append({"cidr": cidrs[len(zones) + i], "name": "utility-" + zone, "type": "Utility", "zone": zone})
    shared = opts.get("subnets") or []
    for sub, sid in zip(subnets, shared):
        sub["id"] = sid

    etcd = []
    for ename in opts.get("etcd-clusters") or ["main", "events"]:
        etcd.append({
            "cpuRequest": "200m" if ename == "main" else "100m",
            "etcdMembers": [{"encryptedVolume": True, "instanceGroup": "control-plane-" + z, "name": z[-1]}
                            for z in cp_zones[:cp_count]],
            "manager": {"backupRetentionDays": 90}, "memoryRequest": "100Mi", "name": ename})

    spec = {
        "api": {"loadBalancer": {"class": lb_class, "type": lb_type}},
        "authorization": {"alwaysAllow": {}} if (opts.get("authorization") or "RBAC").lower() == "alwaysallow"
        else {"rbac": {}},
        "channel": opts.get("channel") or "stable",
        "cloudProvider": "aws",
        "configBase": config_base,
        "etcdClusters": etcd,
        "iam": {"allowContainerRegistry": True, "legacy": False},
        "kubelet": {"anonymousAuth": False},
        "kubernetesApiAccess": admin_access,
        "kubernetesVersion": (opts.get("kubernetes-version") or vermod.KUBERNETES_VERSION[ver]).lstrip("v"),
        "networkCIDR": network_cidr,
        "networking": _NETWORKING[networking],
        "nonMasqueradeCIDR": "100.64.0.0/10",
        "sshAccess": ssh_access,
        "subnets": subnets,
        "topology": {"dns": dns_spec},
    }
    if networking.startswith("cilium"):
        spec["kubeProxy"] = {"enabled": False}
    if opts.get("dns-zone"):
        spec["dnsZone"] = opts.get("dns-zone")
    if opts.get("network-id"):
        spec["networkID"] = opts.get("network-id")
    if opts.get("cloud-labels"):
        labels = {}
        for pair in opts.get("cloud-labels").split(","):
            key, dummy, value = pair.partition("=")
            labels[key.strip()] = value.strip()
        spec["cloudLabels"] = labels
    if opts.get("api-public-name") or opts.get("master-public-name"):
        spec["api"]["publicName"] = opts.get("api-public-name") or opts.get("master-public-name")
    cluster = {"apiVersion": model.API_VERSION, "kind": "Cluster", "metadata": {"name": name}, "spec": spec}

    image = opts.get("image") or model.default_image(ver)
    cp_size = (opts.get("control-plane-size") or opts.get("master-size") or ["t3.medium"])[0]
    node_size = (opts.get("node-size") or ["t3.medium"])[0]
    igs = []
    for zone in cp_zones[:cp_count]:
        igs.append(_ig(ver, "control-plane-" + zone, "Master", opts.get("control-plane-image") or
                       opts.get("master-image") or image, cp_size, 1, [zone],
                       opts.get("control-plane-volume-size") or opts.get("master-volume-size"),
                       opts.get("control-plane-volume-type")))
    node_count = opts.get("node-count") or len(zones)
    for zone, count in zip(zones, _split(node_count, len(zones))):
        if count == 0:
            continue
        igs.append(_ig(ver, "nodes-" + zone, "Node", opts.get("node-image") or image, node_size, count, [zone],
                       opts.get("node-volume-size"), opts.get("node-volume-type")))
    return cluster, igs


def _ig(ver, name, role, image, size, count, zones, volume_size=None, volume_type=None):
    spec = {"image": image, "machineType": size, "maxSize": count, "minSize": count, "role": role, "subnets": zones}
    if vermod.has_node_labels(ver):
        spec["nodeLabels"] = {"kops.k8s.io/instancegroup": name}
    if volume_size or volume_type:
        spec["rootVolume"] = {}
        if volume_size:
            spec["rootVolume"]["size"] = int(volume_size)
        if volume_type:
            spec["rootVolume"]["type"] = volume_type
    return {"apiVersion": model.API_VERSION, "kind": "InstanceGroup", "metadata": {"name": name}, "spec": spec}


def completed_spec(cluster, ver):
    """The fully expanded spec kops writes as cluster-completed.spec on update."""
    import copy

    full = copy.deepcopy(cluster)
    spec = full["spec"]
    name = full["metadata"]["name"]
    spec.setdefault("clusterDNSDomain", "cluster.local")
    spec.setdefault("serviceClusterIPRange", "100.64.0.0/13")
    spec.setdefault("podCIDR", "100.96.0.0/11")
    spec.setdefault("containerd", {"logLevel": "info"})
    spec.setdefault("cloudConfig", {"manageStorageClasses": True})
    spec.setdefault("masterKubelet", {"anonymousAuth": False})
    spec.setdefault("kubeAPIServer", {"serviceClusterIPRange": "100.64.0.0/13", "securePort": 443,
                                      "image": "registry.k8s.io/kube-apiserver:v%s" % spec.get("kubernetesVersion")})
    spec.setdefault("cloudControllerManager", {"clusterName": name, "clusterCIDR": "100.96.0.0/11"})
    spec.setdefault("api", {}).setdefault("loadBalancer", {}).setdefault("class", "Network")
    spec.setdefault("masterInternalName", "api.internal." + name)
    spec.setdefault("secretStore", spec["configBase"] + "/secrets")
    spec.setdefault("keyStore", spec["configBase"] + "/pki")
    return full
