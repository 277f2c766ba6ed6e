"""Build the Cluster and InstanceGroup objects `kops create cluster` writes,
with the defaults kops fills in (compare state/after-57-create-cluster)."""

import ipaddress

from kops_standin import model
from kops_standin import version as vermod
from kops_standin.errors import KopsError, info, warn

_NETWORKING = {
    "cilium": {"cilium": {"enableNodePort": True}},
    "cilium-etcd": {"cilium": {"enableNodePort": True, "etcdManaged": True}},
    "cilium-eni": {"cilium": {"ipam": "eni", "enableNodePort": True}},
    "calico": {"calico": {}},
    "kubenet": {"kubenet": {}},
    "external": {"external": {}},
    "cni": {"cni": {}},
    "kopeio": {"kopeio": {}},
    "kopeio-vxlan": {"kopeio": {}},
    "flannel": {"flannel": {"backend": "vxlan"}},
    "flannel-vxlan": {"flannel": {"backend": "vxlan"}},
    "flannel-udp": {"flannel": {"backend": "udp"}},
    "kube-router": {"kuberouter": {}},
    "amazonvpc": {"amazonvpc": {}},
    "amazon-vpc-routed-eni": {"amazonvpc": {}},
    "canal": {"canal": {}},
    "kindnet": {"kindnet": {}},
}


def networking_names(ver):
    names = set(_NETWORKING)
    names.discard("kindnet" if ver == "1.30.1" else "canal")
    return names


def _split(total, parts):
    base, rem = divmod(total, parts)
    return [base + (1 if i < rem else 0) for i in range(parts)]


def _gossip_name(name):
    """dns.IsGossipClusterName (pkg/dns/gossip.go, both versions)."""
    return name.rstrip(".").endswith(".k8s.local")


def _dns_type(ver, opts, name):
    """setupDNSTopology (new_cluster.go, both versions): --dns is compared lower-cased; without it,
    Public when --dns-zone is given, else None (with a warning for a gossip name)."""
    dns = opts.get("dns") or ""
    lowered = dns.lower()
    if lowered == "":
        if opts.get("dns-zone"):
            return "Public"
        if _gossip_name(name):
            warn(vermod.source_line(ver, "new_cluster_gossip"), "Gossip is deprecated, using None DNS instead")
        return "None"
    if lowered in ("public", "private", "none"):
        return lowered.capitalize()
    raise KopsError('unknown DNSType: "%s"' % dns)


def _etcd_member_names(ig_names):
    """createEtcdCluster + trimCommonPrefix (new_cluster.go, both versions)."""
    names = [n[len("control-plane-"):] if n.startswith("control-plane-") else n for n in ig_names]
    while names and len(names[0]) > 1 and all(n.startswith(names[0][0]) for n in names):
        names = [n[1:] for n in names]
    return ["etcd-" + n if n[:1].isdigit() else n for n in names]


def control_plane_zone_flags(opts):
    """--control-plane-zones, or its deprecated name --master-zones; [] when neither is given."""
    return opts.get("control-plane-zones") or opts.get("master-zones") or []


def _control_plane_zones(opts, zones):
    """setupControlPlane (new_cluster.go, both versions): the zone of each control-plane group, round
    robin over --control-plane-zones (else --zones), and the group names."""
    count = opts.get("control-plane-count") or opts.get("master-count") or 0
    cp_zones = control_plane_zone_flags(opts)
    if cp_zones:
        if count and count < len(cp_zones):
            raise KopsError("specified %d control-plane zones, but also requested %d control-plane nodes.  If "
                            "specifying both, the count should match." % (len(cp_zones), count))
        count = count or len(cp_zones)
    else:
        cp_zones = zones
        count = count or 1
    groups = []
    for i in range(count):
        zone = cp_zones[i % len(cp_zones)]
        suffix = "-%d" % (1 + i // len(cp_zones)) if count > len(cp_zones) else ""
        groups.append(("control-plane-" + zone + suffix, zone))
    return groups


def _api_spec(ver, opts, name, topology, dns_type):
    """setupAPI (new_cluster.go, both versions): a load balancer when one is asked for, the topology is
    private, or the API name cannot be published (a gossip name, or no DNS); else the API by DNS. Type
    and class are compared as given."""
    info(vermod.source_line(ver, "new_cluster_cloud"), 'Cloud Provider ID: "aws"')
    lb_type = opts.get("api-loadbalancer-type") or ""
    if not (lb_type or opts.get("api-ssl-certificate") or topology == "private" or dns_type == "None"
            or _gossip_name(name)):
        return {"dns": {}}
    api = {"loadBalancer": {}}
    if lb_type not in ("", "public", "internal"):
        raise KopsError('unknown api-loadbalancer-type: "%s"' % lb_type)
    api["loadBalancer"]["type"] = "Internal" if lb_type == "internal" else "Public"
    if opts.get("api-ssl-certificate"):
        api["loadBalancer"]["sslCertificate"] = opts.get("api-ssl-certificate")
    lb_class = opts.get("api-loadbalancer-class") or ""
    if lb_class == "classic":
        warn(vermod.source_line(ver, "new_cluster_classic_lb"),
             "AWS Classic Load Balancer support for API is deprecated and should not be used for newly created "
             "clusters")
    elif lb_class not in ("", "network"):
        raise KopsError('unknown api-loadbalancer-class: "%s"' % lb_class)
    api["loadBalancer"]["class"] = "Classic" if lb_class == "classic" else "Network"
    return api


def assign_cidrs(cluster):
    """assignCIDRsToSubnets (upup/pkg/fi/cloudup/subnets.go, both versions), for subnets without a
    CIDR: the network is split in 1, 2, 4 or 8 (one slice per zone subnet, one more for all the utility
    subnets); the first slice is split in 8 for the utility subnets. Both kinds go in zone order."""
    spec = cluster["spec"]
    network = ipaddress.ip_network(spec["networkCIDR"], strict=False)
    subnets = [s for s in spec["subnets"] if not s.get("cidr")]
    big = sorted((s for s in subnets if s["type"] != "Utility"), key=lambda s: s["zone"])
    little = sorted((s for s in subnets if s["type"] == "Utility"), key=lambda s: s["zone"])
    slices = len(big) + (1 if little else 0)
    bits = 0 if slices <= 1 else 1 if slices <= 2 else 2 if slices <= 4 else 3
    big_cidrs = list(network.subnets(prefixlen_diff=bits))
    if little:
        _hand_out(little, list(big_cidrs.pop(0).subnets(prefixlen_diff=3)), "little", "subnets.go:205")
    _hand_out(big, big_cidrs, "big", "subnets.go:224")


def _hand_out(subnets, cidrs, size, where):
    """The next free CIDR to each subnet, logged as assignCIDRsToSubnets logs it."""
    for subnet in subnets:
        if not cidrs:
            # PerformAssignments's error, wrapped by RunCreateCluster.
            raise KopsError('error populating configuration: insufficient (%s) CIDRs remaining for automatic CIDR '
                            'allocation to subnet "%s"' % (size, subnet["name"]))
        subnet["cidr"] = str(cidrs.pop(0))
        info(where, "Assigned CIDR %s to subnet %s" % (subnet["cidr"], subnet["name"]))


def build(ver, opts, name, config_base, zones):
    """Return (cluster, [instance groups]) for `create cluster` options, without subnet CIDRs (see
    assign_cidrs). Follows NewCluster (upup/pkg/fi/cloudup/new_cluster.go) step by step, so the first
    refusal and the log lines before it come in kops's order."""
    # setupZones: one subnet per zone of --zones and --control-plane-zones, in sorted order.
    all_zones = sorted(set(zones) | set(control_plane_zone_flags(opts)))
    subnets = [{"name": z, "type": "Public", "zone": z} for z in all_zones]
    # --subnets / --utility-subnets: kops looks up each ID's zone in AWS; here they are taken in --zones order.
    subnet_ids = dict(zip(zones, opts.get("subnets") or []))
    utility_ids = dict(zip(zones, opts.get("utility-subnets") or []))
    for sub in subnets:
        if sub["zone"] in subnet_ids:
            sub["id"] = subnet_ids[sub["zone"]]

    # setupNetworking: the mode as given.
    networking = opts.get("networking") or "cilium"
    if networking not in networking_names(ver):
        raise KopsError('unknown networking mode "%s"' % networking)
    if networking == "flannel-udp":
        warn(vermod.source_line(ver, "new_cluster_flannel_udp"),
             "flannel UDP mode is not recommended; consider flannel-vxlan instead")

    # setupTopology: the DNS type first, then the topology as given.
    topology = opts.get("topology") or "public"
    dns_type = _dns_type(ver, opts, name)
    bastion = opts.bool("bastion")
    topology_spec = {"dns": {"type": dns_type}}
    if topology == "public":
        if bastion:
            raise KopsError("bastion supports --topology='private' only")
    elif topology == "private":
        if networking == "kubenet":
            raise KopsError("invalid networking option %s. Kubenet does not support private topology" % networking)
        for sub in subnets:
            sub["type"] = "Private"
        for sub in list(subnets):
            utility = {"name": "utility-" + sub["name"], "type": "Utility", "zone": sub["zone"]}
            if sub["zone"] in utility_ids:
                utility["id"] = utility_ids[sub["zone"]]
            subnets.append(utility)
        if bastion and dns_type != "None" and not _gossip_name(name):  # Cluster.PublishesDNSRecords
            topology_spec["bastion"] = {"publicName": "bastion." + name}
    else:
        raise KopsError("invalid topology %s" % topology)

    # setupControlPlane, with its etcd clusters.
    cp_groups = _control_plane_zones(opts, zones)
    if len({zone for dummy, zone in cp_groups}) < len(cp_groups):
        warn(vermod.source_line(ver, "new_cluster_same_azs"),
             "Running with control-plane nodes in the same AZs; redundancy will be reduced")
    etcd_names = list(opts.get("etcd-clusters") or ["main", "events"])
    if networking == "cilium-etcd":
        etcd_names.append("cilium")
    members = _etcd_member_names([group for group, dummy in cp_groups])
    etcd = [{"cpuRequest": "200m" if ename == "main" else "100m",
             "etcdMembers": [{"encryptedVolume": True, "instanceGroup": group, "name": member}
                             for (group, dummy), member in zip(cp_groups, members)],
             "manager": {"backupRetentionDays": 90}, "memoryRequest": "100Mi", "name": ename}
            for ename in etcd_names]

    # setupAPI (after the node groups, which cannot fail here).
    api = _api_spec(ver, opts, name, topology, dns_type)

    network_cidr = (opts.get("network-cidr") or ["172.20.0.0/16"])[0]
    admin_access = opts.get("admin-access") or ["0.0.0.0/0", "::/0"]
    spec = {
        "api": api,
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
        "sshAccess": list(opts.get("ssh-access") or admin_access),
        "subnets": subnets,
        "topology": topology_spec,
    }
    if networking.startswith("cilium") or networking == "kube-router":
        spec["kubeProxy"] = {"enabled": False}
    if "amazonvpc" in spec["networking"] and not opts.get("network-cidr"):
        # PerformAssignments (defaults.go): the Amazon VPC CNI puts pods in the default VPC network.
        spec["nonMasqueradeCIDR"] = network_cidr
    if opts.get("dns-zone"):
        spec["dnsZone"] = opts.get("dns-zone")
    if opts.get("network-id") or opts.get("vpc"):
        spec["networkID"] = opts.get("network-id") or opts.get("vpc")
    if opts.get("cloud-labels"):
        labels = {}
        for pair in opts.get("cloud-labels").split(","):
            key, dummy, value = pair.partition("=")
            labels[key.strip()] = value.strip()
        spec["cloudLabels"] = labels
    # v1alpha2 keeps the API's public name as spec.masterPublicName. PerformAssignments (defaults.go)
    # sets api.<cluster> when Cluster.UsesPublicDNS (pkg/apis/kops/cluster.go): DNS type Public, and
    # in 1.36 also not a gossip name.
    public_name = opts.get("api-public-name") or opts.get("master-public-name")
    if public_name or (dns_type == "Public" and (ver == "1.30.1" or not _gossip_name(name))):
        spec["masterPublicName"] = public_name or "api." + name
    cluster = {"apiVersion": model.API_VERSION, "kind": "Cluster", "metadata": {"name": name}, "spec": spec}

    image = opts.get("image") or model.default_image(ver)
    cp_size = (opts.get("control-plane-size") or opts.get("master-size") or ["t3.medium"])[0]
    node_size = (opts.get("node-size") or ["t3.medium"])[0]
    igs = []
    for group, zone in cp_groups:
        igs.append(_ig(ver, group, "Master", opts.get("control-plane-image") or
                       opts.get("master-image") or image, cp_size, 1, [zone],
                       opts.get("control-plane-volume-size") or opts.get("master-volume-size"),
                       opts.get("control-plane-volume-type")))
    # setupNodes: every zone gets a group, also one with no node (--node-count below the zone count).
    node_count = opts.get("node-count") or len(zones)
    for zone, count in zip(zones, _split(node_count, len(zones))):
        igs.append(_ig(ver, "nodes-" + zone, "Node", opts.get("node-image") or image, node_size, count, [zone],
                       opts.get("node-volume-size"), opts.get("node-volume-type")))
    if bastion:
        # NewCluster gives a group without subnets every subnet that is neither utility nor dual-stack,
        # and AWSCloud.DefaultInstanceType picks t3.micro first for bastions.
        igs.append(_ig(ver, "bastions", "Bastion", opts.get("bastion-image") or image, "t3.micro", 1,
                       [sub["name"] for sub in subnets if sub["type"] != "Utility"]))
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
    if "loadBalancer" in spec.setdefault("api", {}):
        spec["api"]["loadBalancer"].setdefault("class", "Network")
    spec.setdefault("masterInternalName", "api.internal." + name)
    spec.setdefault("secretStore", spec["configBase"] + "/secrets")
    spec.setdefault("keyStore", spec["configBase"] + "/pki")
    return full
