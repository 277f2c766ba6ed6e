"""The spec the kops stand-in's `create cluster` writes for inputs the recordings do not cover.

Every recording creates the same cluster: a gossip name, three zones, public topology. Real kops
builds other specs for one or two zones, for unsorted zones, for a private topology, for a DNS name
and for more control-plane nodes than zones. Each test names the kops source it follows, at the tags
v1.30.1 and v1.36.2 of kubernetes/kops (the code is the same in both unless a test says otherwise):

- upup/pkg/fi/cloudup/new_cluster.go NewCluster: setupZones, setupNetworking, setupTopology
  (setupDNSTopology), setupControlPlane (createEtcdCluster, trimCommonPrefix), setupNodes, setupAPI;
- upup/pkg/fi/cloudup/subnets.go assignCIDRsToSubnets, pkg/util/subnet/subnet.go SplitInto;
- upup/pkg/fi/cloudup/defaults.go PerformAssignments, pkg/apis/kops/cluster.go UsesPublicDNS;
- pkg/apis/kops/v1alpha2/cluster.go ClusterSpec (field order of the JSON output).

Most tests use the dry run (`--dry-run -o yaml|json`), which prints the spec without writing it.
"""

import json

import pytest
import yaml

import recording as rec
from kops_standin import clusterspec
from kops_standin.errors import KopsError
from test_flows import STATE, _ssh_key


def dry_run(bed, name, *flags, output="yaml"):
    """The objects `create cluster --dry-run` prints, and its klog lines without their prefixes."""
    res = bed.run(["create", "cluster", "--name", name, "--ssh-public-key", _ssh_key(bed), "--node-size", "t3.medium",
                   "--control-plane-size", "t3.medium", "--dry-run", "-o", output] + list(flags) + STATE)
    assert res.rc == 0 and "Traceback" not in res.stderr, res
    assert "&id0" not in res.stdout, res  # sigs.k8s.io/yaml writes no anchors (sshAccess repeats the API access)
    if output == "yaml":
        docs = [d for d in yaml.safe_load_all(res.stdout) if d]
    else:  # objects joined by "\n," without brackets, as kops prints them (recording 41)
        docs = json.loads("[" + res.stdout + "]", object_pairs_hook=list)
    logs = [line.split("] ", 1)[1] for line in res.stderr.splitlines() if "] " in line and line[:1] in "IW"]
    return docs, logs


def cluster_of(docs):
    return next(d for d in docs if d["kind"] == "Cluster")


def groups_of(docs):
    return [d for d in docs if d["kind"] == "InstanceGroup"]


def subnets(cluster):
    return [(s["name"], s["type"], s["cidr"]) for s in cluster["spec"]["subnets"]]


def assigned(logs):
    return [line for line in logs if line.startswith("Assigned CIDR")]


@pytest.mark.parametrize("version", rec.VERSIONS)
@pytest.mark.parametrize("zones,expected", [
    # one subnet: SplitInto1, the whole network
    ("us-west-2a", [("us-west-2a", "Public", "172.20.0.0/16")]),
    # two: SplitInto2; subnets come from the sorted zone set (setupZones: allZones.List())
    ("us-west-2b,us-west-2a", [("us-west-2a", "Public", "172.20.0.0/17"), ("us-west-2b", "Public", "172.20.128.0/17")]),
    # four: SplitInto4 (the recorded three-zone cluster is the same split)
    ("us-west-2a,us-west-2b,us-west-2c,us-west-2d",
     [("us-west-2a", "Public", "172.20.0.0/18"), ("us-west-2b", "Public", "172.20.64.0/18"),
      ("us-west-2c", "Public", "172.20.128.0/18"), ("us-west-2d", "Public", "172.20.192.0/18")]),
], ids=["one-zone", "two-zones-unsorted", "four-zones"])
def test_public_subnets_split_the_network_by_zone_count(module_beds, version, zones, expected):
    docs, logs = dry_run(module_beds(version), "cidr.k8s.local", "--zones", zones)
    assert subnets(cluster_of(docs)) == expected
    assert assigned(logs) == ["Assigned CIDR %s to subnet %s" % (cidr, name) for name, dummy, cidr in expected]


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_six_zones_split_the_network_in_eight(module_beds, version):
    """SplitInto8 from five subnet slices up (us-east-1 has six zones on the bed)."""
    bed = module_beds(version)
    zones = ["us-east-1%s" % letter for letter in "abcdef"]
    docs, logs = dry_run(bed, "six.k8s.local", "--zones", ",".join(zones))
    assert [cidr for dummy, dummy, cidr in subnets(cluster_of(docs))] == [
        "172.20.%d.0/19" % (32 * i) for i in range(6)]


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_private_topology_adds_utility_subnets_cut_from_the_first_slice(module_beds, version):
    """setupTopology (private): zone subnets become Private and each gets a Utility twin; then
    assignCIDRsToSubnets: four slices (three zones + one for all utility subnets), the first cut in
    eight for the utility subnets, which are assigned (and logged at subnets.go:205) first."""
    docs, logs = dry_run(module_beds(version), "private.k8s.local", "--zones", "us-west-2a,us-west-2b,us-west-2c",
                         "--topology", "private")
    cluster = cluster_of(docs)
    assert subnets(cluster) == [
        ("us-west-2a", "Private", "172.20.64.0/18"), ("us-west-2b", "Private", "172.20.128.0/18"),
        ("us-west-2c", "Private", "172.20.192.0/18"), ("utility-us-west-2a", "Utility", "172.20.0.0/21"),
        ("utility-us-west-2b", "Utility", "172.20.8.0/21"), ("utility-us-west-2c", "Utility", "172.20.16.0/21")]
    assert assigned(logs) == ["Assigned CIDR %s to subnet %s" % (cidr, name) for name, cidr in [
        ("utility-us-west-2a", "172.20.0.0/21"), ("utility-us-west-2b", "172.20.8.0/21"),
        ("utility-us-west-2c", "172.20.16.0/21"), ("us-west-2a", "172.20.64.0/18"), ("us-west-2b", "172.20.128.0/18"),
        ("us-west-2c", "172.20.192.0/18")]]
    # setupAPI: a private topology always gets a load balancer.
    assert cluster["spec"]["api"] == {"loadBalancer": {"class": "Network", "type": "Public"}}
    # Node and control-plane groups stay in their zone's (private) subnet.
    groups = groups_of(docs)
    assert [g["spec"]["subnets"] for g in groups] == [[g["metadata"]["name"][-len("us-west-2a"):]] for g in groups]


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_bastion_group_of_a_private_gossip_cluster(module_beds, version):
    """setupTopology: --bastion adds the group "bastions" (1 node); NewCluster gives it every subnet that is
    neither utility nor dual-stack, and AWSCloud.DefaultInstanceType (awsup/aws_cloud.go) picks t3.micro.
    A gossip cluster publishes no DNS records, so the spec names no bastion host."""
    docs, dummy = dry_run(module_beds(version), "bastion.k8s.local", "--zones", "us-west-2a,us-west-2b", "--topology",
                          "private", "--bastion")
    bastions = groups_of(docs)[-1]
    assert bastions["metadata"]["name"] == "bastions"
    assert {k: bastions["spec"][k] for k in ("role", "machineType", "minSize", "maxSize", "subnets")} == {
        "role": "Bastion", "machineType": "t3.micro", "minSize": 1, "maxSize": 1,
        "subnets": ["us-west-2a", "us-west-2b"]}
    assert cluster_of(docs)["spec"]["topology"] == {"dns": {"type": "None"}}


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_node_count_below_zone_count_leaves_empty_groups(module_beds, version):
    """setupNodes: one group per --zones entry, in the given order, sized by an even split; a zone's share
    can be 0. setupControlPlane: the control plane goes to the first given zone."""
    docs, dummy = dry_run(module_beds(version), "few.k8s.local", "--zones", "us-west-2c,us-west-2a,us-west-2b",
                          "--node-count", "1")
    assert [(g["metadata"]["name"], g["spec"]["minSize"], g["spec"]["maxSize"]) for g in groups_of(docs)] == [
        ("control-plane-us-west-2c", 1, 1), ("nodes-us-west-2c", 1, 1), ("nodes-us-west-2a", 0, 0),
        ("nodes-us-west-2b", 0, 0)]
    assert [s[0] for s in subnets(cluster_of(docs))] == ["us-west-2a", "us-west-2b", "us-west-2c"]


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_more_control_plane_nodes_than_zones(module_beds, version):
    """setupControlPlane: round robin over the zones, names suffixed -1, -2, ... when nodes outnumber zones,
    with a warning for the shared zone; createEtcdCluster names the members after the groups
    (trimCommonPrefix strips the shared "us-west-2a-", and a name starting with a digit gets "etcd-")."""
    docs, logs = dry_run(module_beds(version), "ha.k8s.local", "--zones", "us-west-2a", "--control-plane-count", "3")
    names = ["control-plane-us-west-2a-%d" % i for i in (1, 2, 3)]
    assert [g["metadata"]["name"] for g in groups_of(docs)][:3] == names
    for etcd in cluster_of(docs)["spec"]["etcdClusters"]:
        assert [(m["name"], m["instanceGroup"]) for m in etcd["etcdMembers"]] == list(
            zip(["etcd-1", "etcd-2", "etcd-3"], names))
    assert "Running with control-plane nodes in the same AZs; redundancy will be reduced" in logs


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_dns_cluster_publishes_the_api_by_dns(module_beds, version):
    """setupDNSTopology: --dns public; setupAPI: a public topology with a name that is not gossip gets
    spec.api.dns and no load balancer; PerformAssignments: UsesPublicDNS sets the public name, which
    v1alpha2 keeps as spec.masterPublicName. No gossip warning for a DNS name."""
    docs, logs = dry_run(module_beds(version), "k8s.example.com", "--zones", "us-west-2a", "--dns", "public",
                         "--dns-zone", "example.com")
    spec = cluster_of(docs)["spec"]
    assert spec["api"] == {"dns": {}}
    assert spec["topology"] == {"dns": {"type": "Public"}}
    assert (spec["masterPublicName"], spec["dnsZone"]) == ("api.k8s.example.com", "example.com")
    assert not [line for line in logs if "Gossip" in line], logs


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_dns_name_without_dns_flags_uses_no_dns(module_beds, version):
    """setupDNSTopology: neither --dns nor --dns-zone means DNS type None for any name; setupAPI then needs a
    load balancer, and UsesPublicDNS is false, so there is no public name."""
    docs, dummy = dry_run(module_beds(version), "k8s.example.com", "--zones", "us-west-2a")
    spec = cluster_of(docs)["spec"]
    assert spec["topology"] == {"dns": {"type": "None"}}
    assert spec["api"] == {"loadBalancer": {"class": "Network", "type": "Public"}}
    assert "masterPublicName" not in spec


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_classic_load_balancer_is_a_deprecated_flag_with_a_warning(module_beds, version):
    """create_cluster.go: --api-loadbalancer-class is hidden by MarkDeprecated (pflag prints the notice);
    setupAPI warns about the classic class and keeps it."""
    bed = module_beds(version)
    res = bed.run(["create", "cluster", "--name", "classic.k8s.local", "--ssh-public-key", _ssh_key(bed),
                   "--zones", "us-west-2a", "--api-loadbalancer-class", "classic", "--dry-run", "-o", "yaml"] + STATE)
    assert res.rc == 0, res
    assert res.stderr.splitlines()[0] == ("Flag --api-loadbalancer-class has been deprecated, network load balancer "
                                          "should be used for all newly created clusters")
    assert ("AWS Classic Load Balancer support for API is deprecated and should not be used for newly created "
            "clusters") in res.stderr
    assert cluster_of([d for d in yaml.safe_load_all(res.stdout) if d])["spec"]["api"] == {
        "loadBalancer": {"class": "Classic", "type": "Public"}}


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_json_keeps_the_v1alpha2_field_order(module_beds, version):
    """encoding/json prints struct fields in declaration order: ClusterSpec has subnets, masterPublicName,
    networkCIDR, topology, dnsZone, nonMasqueradeCIDR in that order; ClusterSubnetSpec name, zone, cidr, type;
    TopologySpec bastion before dns."""
    docs, dummy = dry_run(module_beds(version), "k8s.example.com", "--zones", "us-west-2a", "--dns", "public",
                          "--dns-zone", "example.com", "--topology", "private", "--bastion", output="json")
    pairs = dict(docs[0])["spec"]  # [(key, value), ...] in the printed order
    wanted = ["subnets", "masterPublicName", "networkCIDR", "topology", "dnsZone", "nonMasqueradeCIDR"]
    assert [k for k, dummy in pairs if k in wanted] == wanted, pairs
    spec = dict(pairs)
    assert [k for k, dummy in spec["subnets"][0]] == ["name", "zone", "cidr", "type"]
    assert [k for k, dummy in spec["topology"]] == ["bastion", "dns"]
    # Cluster.PublishesDNSRecords: a DNS name with public DNS names its bastion host.
    assert dict(dict(spec["topology"])["bastion"]) == {"publicName": "bastion.k8s.example.com"}


@pytest.mark.parametrize("version", rec.VERSIONS)
@pytest.mark.parametrize("networking,expected", [
    # setupNetworking: kube-router turns kube-proxy off; PerformAssignments: the Amazon VPC CNI uses the VPC's network.
    ("kube-router", {"networking": {"kuberouter": {}}, "kubeProxy": {"enabled": False},
                     "nonMasqueradeCIDR": "100.64.0.0/10"}),
    ("amazonvpc", {"networking": {"amazonvpc": {}}, "nonMasqueradeCIDR": "172.20.0.0/16"}),
    ("cilium-eni", {"networking": {"cilium": {"ipam": "eni", "enableNodePort": True}}, "kubeProxy": {"enabled": False},
                    "nonMasqueradeCIDR": "100.64.0.0/10"}),
])
def test_networking_modes(module_beds, version, networking, expected):
    docs, dummy = dry_run(module_beds(version), "net.k8s.local", "--zones", "us-west-2a", "--networking", networking)
    spec = cluster_of(docs)["spec"]
    assert {k: spec.get(k) for k in expected} == expected
    assert ("kubeProxy" in spec) == ("kubeProxy" in expected)


@pytest.mark.parametrize("version", rec.VERSIONS)
@pytest.mark.parametrize("flags,line", [
    ([], " * ssh to a control-plane node: ssh -i ~/.ssh/id_rsa ubuntu@api.k8s.example.com\n"),
    (["--topology", "private", "--bastion"],
     " * ssh to the bastion: ssh -A -i ~/.ssh/id_rsa ubuntu@bastion.k8s.example.com\n"),
], ids=["control-plane", "bastion"])
def test_first_run_suggests_ssh_by_the_public_name(module_beds, version, flags, line):
    """update_cluster.go RunUpdateCluster (create --yes runs it): the first-run suggestion names the API's
    public name (spec.masterPublicName, which a DNS cluster has and a gossip cluster has not), or, with a
    bastion group, the bastion's (spec.topology.bastion.publicName, findBastionPublicName)."""
    bed = module_beds(version)
    kubeconfig = {"KUBECONFIG": bed.workdir + "/kubeconfig-dns"}
    res = bed.run(["create", "cluster", "--name", "k8s.example.com", "--ssh-public-key", _ssh_key(bed), "--zones",
                   "us-west-2a", "--dns", "public", "--dns-zone", "example.com", "--yes"] + flags + STATE,
                  env=kubeconfig)
    assert res.rc == 0, res
    assert line in res.stdout, res
    res = bed.run(["delete", "cluster", "--name", "k8s.example.com", "--yes"] + STATE, env=kubeconfig)
    assert res.rc == 0, res


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_flannel_udp_warns(module_beds, version):
    """setupNetworking: flannel-udp is flannel with the udp backend, and a warning."""
    docs, logs = dry_run(module_beds(version), "udp.k8s.local", "--zones", "us-west-2a", "--networking", "flannel-udp")
    assert cluster_of(docs)["spec"]["networking"] == {"flannel": {"backend": "udp"}}
    assert "flannel UDP mode is not recommended; consider flannel-vxlan instead" in logs


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_hidden_deprecated_flags_still_work(module_beds, version):
    """create_cluster.go: --vpc and --container-runtime are hidden by MarkDeprecated; pflag prints each notice,
    and --vpc sets the network ID as --network-id does. The VPC exists, with the CIDR PerformAssignments
    (defaults.go) would read from it, so the spec is kops's."""
    bed = module_beds(version)
    vpc = bed.client("ec2").create_vpc(CidrBlock="172.20.0.0/16")["Vpc"]["VpcId"]
    res = bed.run(["create", "cluster", "--name", "old.k8s.local", "--ssh-public-key", _ssh_key(bed), "--zones",
                   "us-west-2a", "--vpc", vpc, "--container-runtime", "containerd", "--dry-run", "-o", "yaml"] + STATE)
    assert res.rc == 0, res
    assert res.stderr.splitlines()[:2] == ["Flag --vpc has been deprecated, use --network-id instead",
                                           "Flag --container-runtime has been deprecated, containerd is the only "
                                           "supported value"], res
    spec = cluster_of([d for d in yaml.safe_load_all(res.stdout) if d])["spec"]
    assert (spec["networkID"], spec["networkCIDR"]) == (vpc, "172.20.0.0/16")


def test_more_subnets_than_the_network_splits_into():
    """assignCIDRsToSubnets (subnets.go) splits the network in at most eight and refuses the ninth subnet;
    RunCreateCluster wraps the error from PerformAssignments. (No bed region has nine zones.)"""
    cluster = {"spec": {"networkCIDR": "172.20.0.0/16",
                        "subnets": [{"name": "z%d" % i, "zone": "z%d" % i, "type": "Public"} for i in range(9)]}}
    with pytest.raises(KopsError) as refused:
        clusterspec.assign_cidrs(cluster)
    assert refused.value.msg == ('error populating configuration: insufficient (big) CIDRs remaining for automatic '
                                 'CIDR allocation to subnet "z8"')
    assert [s.get("cidr") for s in cluster["spec"]["subnets"]][:2] == ["172.20.0.0/19", "172.20.32.0/19"]


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_one_control_plane_node_per_zone(module_beds, version):
    """setupControlPlane: --control-plane-count equal to the zone count puts one node in each zone, names
    without a suffix; trimCommonPrefix leaves the zone letters as etcd member names; no shared-zone warning."""
    docs, logs = dry_run(module_beds(version), "ha.k8s.local", "--zones", "us-west-2a,us-west-2b,us-west-2c",
                         "--control-plane-count", "3")
    names = ["control-plane-us-west-2%s" % z for z in "abc"]
    assert [g["metadata"]["name"] for g in groups_of(docs)][:3] == names
    members = cluster_of(docs)["spec"]["etcdClusters"][0]["etcdMembers"]
    assert [(m["name"], m["instanceGroup"]) for m in members] == list(zip("abc", names))
    assert not [line for line in logs if "same AZs" in line], logs
