"""The stand-in asks AWS for a cluster's Auto Scaling Groups together, as kops does
(upup/pkg/fi/cloudup/awsup/aws_cloud.go, FindAutoscalingGroups, v1.30.1 and v1.36.2: batches of 50
names), and for all their instances in one DescribeInstances (kops asks per group, findInstances; the
bed's economy). This is test-bed cost, not kops output: the validation and the plan stay the same, and
every request is a moto round trip that `make test` pays for in every validate poll and update dry run. Likewise
one command reads the cluster's instance groups once and looks each API target group up once."""

import collections
import json

from test_flows import NAME, STATE, _create


def _asked(requests):
    return collections.Counter((service, operation) for service, operation, _params in requests)


def test_validate_and_update_read_the_groups_and_their_instances_once(bed_factory, aws_requests):
    bed = bed_factory("1.36.2")
    _create(bed)  # one control plane and three node groups
    name = ["--name", NAME] + STATE
    assert bed.run(["update", "cluster", "--yes", "--create-kube-config=false"] + name).rc == 0

    del aws_requests[:]
    res = bed.run(["validate", "cluster", "-o", "json"] + name, env={"KOPS_STANDIN_BOOT_SECONDS": "0"})
    assert res.rc == 0, res
    assert sorted(node["role"] for node in json.loads(res.stdout)["nodes"]) == ["control-plane", "node", "node", "node"]
    asked = _asked(aws_requests)
    assert asked[("autoscaling", "DescribeAutoScalingGroups")] == 1
    assert asked[("ec2", "DescribeInstances")] == 1

    del aws_requests[:]
    res = bed.run(["update", "cluster"] + name)
    assert res.rc == 0, res
    assert "No changes need to be applied" in res.stdout + res.stderr
    asked = _asked(aws_requests)
    assert asked[("autoscaling", "DescribeAutoScalingGroups")] == 1
    # Each of the two API target groups once (kops's task finds it once per run; the dry run asks about it for
    # the TargetGroup task and for the control plane's Auto Scaling Group), the instance groups listed once.
    assert asked[("elbv2", "DescribeTargetGroups")] == 2
    listed = [params["Prefix"] for service, operation, params in aws_requests if operation == "ListObjectsV2"]
    assert listed.count(NAME + "/instancegroup/") == 1
