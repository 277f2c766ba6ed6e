"""The stand-in asks AWS for a cluster's Auto Scaling Groups together, as kops does
(upup/pkg/fi/cloudup/awsup/aws_cloud.go, FindAutoscalingGroups, v1.30.1 and v1.36.2: batches of 50
names), and for all their instances in one DescribeInstances (kops asks per group, findInstances; the
bed's economy). This is test-bed cost, not kops output: the validation and the plan stay the same, and
every request is a moto round trip that `make test` pays for in every validate poll and update dry run."""

import collections
import json

import botocore.client
import pytest

from test_flows import NAME, STATE, _create


@pytest.fixture
def aws_calls(monkeypatch):
    """(service, operation) of every AWS request the in-process stand-in makes."""
    calls = []
    real = botocore.client.BaseClient._make_api_call

    def recorded(client, operation, params):
        calls.append((client.meta.service_model.service_name, operation))
        return real(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recorded)
    return calls


def test_validate_and_update_read_the_groups_and_their_instances_once(bed_factory, aws_calls):
    bed = bed_factory("1.36.2")
    _create(bed)  # one control plane and three node groups
    name = ["--name", NAME] + STATE
    assert bed.run(["update", "cluster", "--yes", "--create-kube-config=false"] + name).rc == 0

    del aws_calls[:]
    res = bed.run(["validate", "cluster", "-o", "json"] + name, env={"KOPS_STANDIN_BOOT_SECONDS": "0"})
    assert res.rc == 0, res
    assert sorted(node["role"] for node in json.loads(res.stdout)["nodes"]) == ["control-plane", "node", "node", "node"]
    asked = collections.Counter(aws_calls)
    assert asked[("autoscaling", "DescribeAutoScalingGroups")] == 1
    assert asked[("ec2", "DescribeInstances")] == 1

    del aws_calls[:]
    res = bed.run(["update", "cluster"] + name)
    assert res.rc == 0, res
    assert "No changes need to be applied" in res.stdout + res.stderr
    assert collections.Counter(aws_calls)[("autoscaling", "DescribeAutoScalingGroups")] == 1
