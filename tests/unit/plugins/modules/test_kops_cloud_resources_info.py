# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")
backends = pytest.importorskip("moto.backends")

# ansible-test runs each module test in a fork of the collecting process: load moto's models for the
# services the module reads once here, not in every fork (about half a second each time).
for _service in ("autoscaling", "ec2", "elb", "elbv2", "events", "iam", "sqs"):
    backends.get_backend(_service)

from ansible_collections.cloudops.kops.tests.unit.plugins.module_args_compat import patch_module_args  # noqa: E402

from ansible_collections.cloudops.kops.plugins.modules import kops_cloud_resources_info as module_under_test  # noqa: E402
from ansible_collections.cloudops.kops.plugins.modules.kops_cloud_resources_info import KINDS, Lister  # noqa: E402

REGION = "us-west-2"
OURS = "fleetman.k8s.local"
THEIRS = "other.k8s.local"


def owner_tags(cluster, extra=None):
    tags = {"KubernetesCluster": cluster, "kubernetes.io/cluster/%s" % cluster: "owned"}
    tags.update(extra or {})
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def build_cluster(cluster, ami):
    """What kops leaves in a region for one cluster (a representative slice)."""
    ec2 = boto3.client("ec2", region_name=REGION)

    def spec(kind, extra=None):
        return [{"ResourceType": kind, "Tags": owner_tags(cluster, extra)}]

    vpc = ec2.create_vpc(CidrBlock="172.20.0.0/16", TagSpecifications=spec("vpc", {"Name": cluster}))["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="172.20.32.0/19", AvailabilityZone="us-west-2a",
                               TagSpecifications=spec("subnet"))["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="nodes." + cluster, Description="nodes", VpcId=vpc,
                                   TagSpecifications=spec("security-group"))["GroupId"]
    igw = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway"))["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_route_table(VpcId=vpc, TagSpecifications=spec("route-table"))
    ec2.create_volume(AvailabilityZone="us-west-2a", Size=20, TagSpecifications=spec("volume", {"Name": "a.etcd-main." + cluster}))
    ec2.create_launch_template(LaunchTemplateName="nodes-us-west-2a." + cluster,
                               LaunchTemplateData={"ImageId": ami, "InstanceType": "t3.medium"},
                               TagSpecifications=spec("launch-template"))
    asg_name = "nodes-us-west-2a." + cluster
    boto3.client("autoscaling", region_name=REGION).create_auto_scaling_group(
        AutoScalingGroupName=asg_name, MinSize=1, MaxSize=1, DesiredCapacity=1,
        LaunchTemplate={"LaunchTemplateName": "nodes-us-west-2a." + cluster, "Version": "$Latest"},
        VPCZoneIdentifier=subnet,
        Tags=[{"Key": t["Key"], "Value": t["Value"], "PropagateAtLaunch": True} for t in owner_tags(cluster, {"Name": asg_name})])
    dashed = cluster.replace(".", "-")
    elbv2 = boto3.client("elbv2", region_name=REGION)
    nlb = elbv2.create_load_balancer(Name="api-" + dashed, Subnets=[subnet], Type="network",
                                     Tags=owner_tags(cluster))["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.create_target_group(Name="tcp-" + dashed, Protocol="TCP", Port=443, VpcId=vpc, Tags=owner_tags(cluster))
    iam = boto3.client("iam", region_name=REGION)
    iam.create_role(RoleName="nodes." + cluster, AssumeRolePolicyDocument="{}", Tags=owner_tags(cluster))
    iam.create_instance_profile(InstanceProfileName="nodes." + cluster)  # kops names it; untagged here
    ec2.import_key_pair(KeyName="kubernetes.%s-9e:39:30" % cluster,
                        PublicKeyMaterial=b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBlGoQXUAVaWcN5j2hFqmDkZ0KMiy6D8NR8dVr7mR8Eh t@t")
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.create_queue(QueueName=dashed + "-nth", tags=dict((t["Key"], t["Value"]) for t in owner_tags(cluster)))
    events = boto3.client("events", region_name=REGION)
    events.put_rule(Name=cluster + "-ASGLifecycle", EventPattern='{"source": ["aws.autoscaling"]}', Tags=owner_tags(cluster))
    return {"vpc": vpc, "subnet": subnet, "sg": sg, "nlb": nlb, "asg": asg_name}


@pytest.fixture
def aws(monkeypatch):
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # moto's 1,299 default images take a second to load in every test; one registered image does the job.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with moto.mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        source = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        ami = ec2.create_image(InstanceId=source, Name="node-image")["ImageId"]
        ec2.terminate_instances(InstanceIds=[source])
        yield ami


def lister(cluster):
    return Lister(lambda service: boto3.client(service, region_name=REGION), cluster)


def plant_service_load_balancer(cluster, subnet):
    """A classic ELB as the Kubernetes cloud controller makes it for a LoadBalancer Service."""
    elb = boto3.client("elb", region_name=REGION)
    elb.create_load_balancer(LoadBalancerName="a1b2c3d4e5f6", Subnets=[subnet],
                             Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 80, "InstancePort": 30080}],
                             Tags=[{"Key": "kubernetes.io/cluster/%s" % cluster, "Value": "owned"},
                                   {"Key": "kubernetes.io/service-name", "Value": "default/fleetman-webapp"}])


def test_finds_every_kind_of_our_cluster_and_nothing_of_the_other(aws):
    ours = build_cluster(OURS, aws)
    theirs = build_cluster(THEIRS, aws)
    plant_service_load_balancer(OURS, ours["subnet"])
    found = lister(OURS).list(KINDS)
    kinds = set(r["kind"] for r in found)
    assert kinds >= {"instance", "volume", "security_group", "subnet", "route_table", "internet_gateway", "vpc",
                     "key_pair", "launch_template", "autoscaling_group", "load_balancer", "load_balancer_v2",
                     "target_group", "iam_role", "iam_instance_profile", "sqs_queue", "eventbridge_rule"}
    text = json.dumps(found)
    assert THEIRS not in text
    assert theirs["vpc"] not in text and theirs["nlb"] not in text
    by_id = dict((r["id"], r) for r in found)
    assert by_id[ours["vpc"]]["name"] == OURS
    assert by_id[ours["nlb"]]["details"]["type"] == "network"
    assert by_id[ours["nlb"]]["details"]["load_balancer_name"] == "api-" + OURS.replace(".", "-")
    assert by_id[ours["nlb"]]["details"]["dns_name"].startswith("api-" + OURS.replace(".", "-"))
    assert by_id[ours["asg"]]["details"]["desired_capacity"] == 1
    asg_instances = by_id[ours["asg"]]["details"]["instance_ids"]
    assert len(asg_instances) == 1 and by_id[asg_instances[0]]["kind"] == "instance"
    assert by_id[asg_instances[0]]["details"]["auto_scaling_group"] == ours["asg"]
    queue = [r for r in found if r["kind"] == "sqs_queue"]
    assert [r["name"] for r in queue] == ["fleetman-k8s-local-nth"]
    rule = [r for r in found if r["kind"] == "eventbridge_rule"]
    assert [(r["id"], r["state"]) for r in rule] == [(OURS + "-ASGLifecycle", "ENABLED")]
    service_lb = by_id["a1b2c3d4e5f6"]
    assert (service_lb["kind"], service_lb["service_name"], service_lb["details"]["type"]) == ("load_balancer", "default/fleetman-webapp", "classic")
    assert service_lb["details"]["load_balancer_name"] == "a1b2c3d4e5f6"
    profile = by_id["nodes." + OURS]
    assert profile["kind"] in ("iam_role", "iam_instance_profile")
    matched = dict(((r["kind"], r["id"]), r["matched_by"]) for r in found if r["id"] == "nodes." + OURS)
    assert matched == {("iam_role", "nodes." + OURS): "tags", ("iam_instance_profile", "nodes." + OURS): "name"}
    # sorted by kind order, then id
    order = [KINDS.index(r["kind"]) for r in found]
    assert order == sorted(order)


def test_terminated_instances_are_gone_unless_asked(aws):
    ec2 = boto3.client("ec2", region_name=REGION)
    instance = ec2.run_instances(ImageId=aws, MinCount=1, MaxCount=1,
                                 TagSpecifications=[{"ResourceType": "instance", "Tags": owner_tags(OURS)}])["Instances"][0]["InstanceId"]
    assert [r["id"] for r in lister(OURS).list(["instance"])] == [instance]
    ec2.terminate_instances(InstanceIds=[instance])
    assert lister(OURS).list(["instance"]) == []
    again = Lister(lambda service: boto3.client(service, region_name=REGION), OURS, include_terminated=True).list(["instance"])
    assert [(r["id"], r["state"]) for r in again] == [(instance, "terminated")]


def test_shared_and_prefix_names_are_not_ours(aws):
    ec2 = boto3.client("ec2", region_name=REGION)
    ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [
        {"Key": "kubernetes.io/cluster/%s" % OURS, "Value": "shared"}]}])
    ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [
        {"Key": "KubernetesCluster", "Value": OURS + ".old"}]}])
    iam = boto3.client("iam", region_name=REGION)
    iam.create_role(RoleName="ci-runner." + OURS, AssumeRolePolicyDocument="{}")  # right suffix, not a kops role
    # right name prefix, another cluster's tags
    boto3.client("sqs", region_name=REGION).create_queue(QueueName="fleetman-k8s-local-old-nth",
                                                         tags={"KubernetesCluster": OURS + ".old"})
    boto3.client("events", region_name=REGION).put_rule(Name=OURS + "-manual", ScheduleExpression="rate(1 day)")
    assert lister(OURS).list(["vpc", "iam_role", "sqs_queue", "eventbridge_rule"]) == []


def create_asg(name, tags, ami, size=1):
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.0.0/24", AvailabilityZone="us-west-2a")["Subnet"]["SubnetId"]
    template = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": ami, "InstanceType": "t3.medium"})
    boto3.client("autoscaling", region_name=REGION).create_auto_scaling_group(
        AutoScalingGroupName=name, MinSize=size, MaxSize=size + 2, DesiredCapacity=size, VPCZoneIdentifier=subnet,
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplate"]["LaunchTemplateId"], "Version": "$Latest"},
        Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in tags.items()])


def test_auto_scaling_groups_are_asked_by_tag_and_list_their_members(aws):
    create_asg("nodes." + OURS, {"KubernetesCluster": OURS}, aws, size=2)
    create_asg("bastions." + OURS, {"kubernetes.io/cluster/%s" % OURS: "owned"}, aws)
    create_asg("borrowed", {"kubernetes.io/cluster/%s" % OURS: "shared"}, aws)
    create_asg("nodes." + THEIRS, {"KubernetesCluster": THEIRS}, aws)
    asked = []

    def recording_client(service):
        client = boto3.client(service, region_name=REGION)
        client.meta.events.register("provide-client-params.autoscaling.DescribeAutoScalingGroups",
                                    lambda params, **kwargs: asked.append(params.get("Filters")))
        return client

    found = Lister(recording_client, OURS).list(["autoscaling_group"])
    assert [r["id"] for r in found] == ["bastions." + OURS, "nodes." + OURS]
    # Only the two ownership tags are asked for: the region's other groups are never listed.
    assert asked == [[{"Name": "tag:KubernetesCluster", "Values": [OURS]}],
                     [{"Name": "tag:kubernetes.io/cluster/%s" % OURS, "Values": ["owned"]}]]
    nodes = found[1]["details"]
    assert (nodes["min_size"], nodes["max_size"], nodes["desired_capacity"]) == (2, 4, 2)
    assert [m["instance_id"] for m in nodes["instances"]] == nodes["instance_ids"] and len(nodes["instance_ids"]) == 2
    assert set(m["lifecycle_state"] for m in nodes["instances"]) == {"InService"}
    assert set(m["availability_zone"] for m in nodes["instances"]) == {"us-west-2a"}


def test_classic_load_balancer_tags_are_read_in_batches_of_20(aws):
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.0.0/24", AvailabilityZone="us-west-2a")["Subnet"]["SubnetId"]
    elb = boto3.client("elb", region_name=REGION)
    for n in range(23):
        tags = [{"Key": "KubernetesCluster", "Value": OURS if n % 2 else THEIRS}]
        elb.create_load_balancer(LoadBalancerName="lb-%02d" % n, Subnets=[subnet], Tags=tags,
                                 Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 80, "InstancePort": 80}])
    names = [r["id"] for r in lister(OURS).list(["load_balancer"])]
    assert names == ["lb-%02d" % n for n in range(23) if n % 2]


def run_main(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module_under_test.main()
    return json.loads(capsys.readouterr().out)


def test_main_returns_resources_and_counts_without_changing_anything(aws, capsys):
    ours = build_cluster(OURS, aws)
    plant_service_load_balancer(OURS, ours["subnet"])
    result = run_main(capsys, {"name": OURS, "region": REGION, "kinds": ["load_balancer_v2", "load_balancer"]})
    assert result["changed"] is False
    assert result["counts"] == {"load_balancer": 1, "load_balancer_v2": 1}
    # documented order, whatever order was asked for
    assert [r["kind"] for r in result["resources"]] == ["load_balancer", "load_balancer_v2"]


def test_main_finds_nothing_for_an_unknown_cluster(aws, capsys):
    build_cluster(OURS, aws)
    result = run_main(capsys, {"name": "gone.k8s.local", "region": REGION})
    assert (result["resources"], result["counts"]) == ([], {})


def test_main_rejects_a_blank_name(aws, capsys):
    result = run_main(capsys, {"name": "  ", "region": REGION})
    assert result["failed"] is True
    assert "cluster name" in result["msg"]


def test_main_rejects_an_unknown_kind(aws, capsys):
    result = run_main(capsys, {"name": OURS, "region": REGION, "kinds": ["bucket"]})
    assert result["failed"] is True
    assert "kinds" in result["msg"]
