"""The kops stand-in's cloud for a private topology, which no recording covers.

It follows the kops source at the tags v1.30.1 and v1.36.2 of kubernetes/kops (the same in both):

- pkg/model/awsmodel/network.go NetworkModelBuilder.Build: per zone with a private subnet, an ElasticIP and a
  NatGateway named <zone>.<cluster>, the NAT gateway in the zone's utility subnet, and a RouteTable
  private-<zone>.<cluster> whose 0.0.0.0/0 route goes to it; the private subnet is associated with that table,
  utility subnets with the public one (named after the cluster);
- new_cluster.go setupTopology, update_cluster.go (first-run suggestions) and get_instances.go: a bastion
  group (--bastion) runs an instance that never joins the cluster, so `get instances` shows no node name for
  it (pkg/validation/validate_cluster.go skips it), and a gossip cluster's bastion has no public name;
- pkg/resources/aws/aws.go FindNatGateways, natgateway.go buildNatGatewayResource (named by its ID, blocks its
  Elastic IP), elasticip.go buildElasticIPResource (named by its public IP), routetable.go
  buildTrackerForRouteTable (named by its Name tag): what `delete cluster` lists and deletes.

Routes and route table associations are not listed as tasks, as for the public topology (their kinds are not
imitated).
"""

import json
import os

import pytest

import recording as rec
from test_flows import STATE, _ssh_key
from test_recordings import task_headers

ZONES = ["us-west-2a", "us-west-2b"]


def tasks(text):
    """The Kind/name lines of a preview, as the recordings test compares them."""
    return {line for dummy, line in task_headers(text)}


def by_name(items):
    return {t["Value"]: item for item in items for t in item.get("Tags", []) if t["Key"] == "Name"}


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_private_topology_egress_from_create_to_delete(module_beds, version):
    bed = module_beds(version)
    name = "private.k8s.local"
    ec2 = bed.client("ec2")
    res = bed.run(["create", "cluster", "--name", name, "--ssh-public-key", _ssh_key(bed), "--zones", ",".join(ZONES),
                   "--topology", "private", "--bastion"] + STATE)
    assert res.rc == 0, res
    wanted = {"%s/%s%s.%s" % (kind, prefix, zone, name) for zone in ZONES
              for kind, prefix in (("ElasticIP", ""), ("NatGateway", ""), ("RouteTable", "private-"))}
    assert wanted <= tasks(res.stdout), res

    # kops 1.30 reads nodes through a kubeconfig; update --yes --admin writes one.
    kubeconfig = {"KUBECONFIG": os.path.join(bed.workdir, "kubeconfig")}
    res = bed.run(["update", "cluster", "--name", name, "--yes", "--admin"] + STATE, env=kubeconfig)
    assert res.rc == 0, res
    # update_cluster.go RunUpdateCluster, first run: a gossip cluster's bastion has no public name to ssh to.
    assert " * to ssh to the bastion, you probably want to configure a bastionPublicName.\n" in res.stdout, res
    assert "ssh to a control-plane node" not in res.stdout, res
    subnets = by_name(ec2.describe_subnets()["Subnets"])
    tables = by_name(ec2.describe_route_tables()["RouteTables"])
    nats = by_name(ec2.describe_nat_gateways()["NatGateways"])
    addresses = by_name(ec2.describe_addresses()["Addresses"])
    for zone in ZONES:
        zname = "%s.%s" % (zone, name)
        nat = nats[zname]
        assert nat["SubnetId"] == subnets["utility-" + zname]["SubnetId"]
        assert [a["AllocationId"] for a in nat["NatGatewayAddresses"]] == [addresses[zname]["AllocationId"]]
        private = tables["private-" + zname]
        assert [r.get("NatGatewayId") for r in private["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"] == [
            nat["NatGatewayId"]]
        assert {a.get("SubnetId") for a in private["Associations"]} == {subnets[zname]["SubnetId"]}
    public = {a.get("SubnetId") for a in tables[name]["Associations"]}
    assert public == {subnets["utility-%s.%s" % (zone, name)]["SubnetId"] for zone in ZONES}

    res = bed.run(["validate", "cluster", "--name", name, "--wait", "2m", "--interval", "1s"] + STATE, env=kubeconfig)
    assert res.rc == 0, res
    res = bed.run(["get", "instances", "--name", name, "-o", "json"] + STATE, env=kubeconfig)
    assert res.rc == 0, res
    listed = {(i["instanceGroup"].split(".")[0], "nodeName" in i, tuple(i["roles"])) for i in json.loads(res.stdout)}
    assert listed == {("bastions", False, ("bastion",)), ("nodes-us-west-2a", True, ("node",)),
                      ("nodes-us-west-2b", True, ("node",)),
                      ("control-plane-us-west-2a", True, ("control-plane", "control-plane"))}, res

    res = bed.run(["update", "cluster", "--name", name] + STATE)
    assert res.rc == 0 and not {t for t in tasks(res.stdout) if t.split("/")[0] in ("ElasticIP", "NatGateway")}, res
    assert not [t for t in tasks(res.stdout) if t.startswith("RouteTable/")], res

    res = bed.run(["delete", "cluster", "--name", name] + STATE)
    rows = {tuple(c for c in line.split("\t") if c)[:2] for line in res.stdout.splitlines() if "\t" in line}
    for zone in ZONES:
        zname = "%s.%s" % (zone, name)
        assert ("nat-gateway", nats[zname]["NatGatewayId"]) in rows, res
        assert ("elastic-ip", addresses[zname]["PublicIp"]) in rows, res
        assert ("route-table", "private-" + zname) in rows, res

    res = bed.run(["delete", "cluster", "--name", name, "--yes"] + STATE)
    assert res.rc == 0, res
    assert {n["State"] for n in ec2.describe_nat_gateways()["NatGateways"]} <= {"deleted"}
    assert not by_name(ec2.describe_addresses()["Addresses"])
    assert not [t for t in by_name(ec2.describe_route_tables()["RouteTables"]) if t.endswith(name)]
