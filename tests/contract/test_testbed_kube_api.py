"""The test bed's fake Kubernetes API (tests/testbed/testbed/kube_api.py), read with the kubernetes
Python client through the kubeconfig the kops stand-in writes when KOPS_STANDIN_KUBE_API is set.

Nodes are the cluster's ASG instances, Ready after KOPS_STANDIN_BOOT_SECONDS; an unknown cluster
answers discovery and an empty node list (a 404 for a single node)."""

import calendar
import json
import os
import time
import urllib.error
import urllib.request

import pytest
import yaml

from test_flows import NAME, STATE, _create
from testbed.kube_api import KubeApi

kubernetes = pytest.importorskip("kubernetes")


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def test_nodes_are_the_asg_instances_and_become_ready(bed_factory, monkeypatch):
    monkeypatch.setenv("KOPS_STANDIN_BOOT_SECONDS", "2")
    bed = bed_factory("1.36.2")
    with KubeApi(bed.aws.url, bed.aws.region) as api:
        _create(bed)
        _create(bed, name="other.k8s.local", zones="us-west-2a")
        kubeconfig = os.path.join(bed.workdir, "kubeconfig")
        env = {"KOPS_STANDIN_KUBE_API": api.url, "KUBECONFIG": kubeconfig}
        res = bed.run(["update", "cluster", "--name", NAME, "--yes", "--admin"] + STATE, env=env)
        assert res.rc == 0, res
        with open(kubeconfig) as fh:
            doc = yaml.safe_load(fh)
        assert [c["cluster"]["server"] for c in doc["clusters"]] == [api.cluster_url(NAME)]
        # without the variable the stand-in keeps kops's unreachable API name
        res = bed.run(["export", "kubecfg", "--name", NAME, "--admin", "--kubeconfig", kubeconfig + ".plain"] + STATE)
        assert res.rc == 0, res
        with open(kubeconfig + ".plain") as fh:
            assert yaml.safe_load(fh)["clusters"][0]["cluster"]["server"].startswith("https://api-")

        asgs = bed.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
        mine = [g for g in asgs if {t["Key"]: t["Value"] for t in g["Tags"]}.get("KubernetesCluster") == NAME]
        ids = sorted(i["InstanceId"] for g in mine for i in g["Instances"])
        assert len(ids) == 4

        # readiness follows the instance's age (deterministic with an explicit clock)
        nodes = api.nodes(NAME)
        launched = max(calendar.timegm(time.strptime(n["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ"))
                       for n in nodes)
        assert [n["metadata"]["name"] for n in nodes] == ids
        assert all(n["status"]["conditions"][0]["status"] == "False" for n in api.nodes(NAME, now=launched - 5))
        assert all(n["status"]["conditions"][0]["status"] == "True" for n in api.nodes(NAME, now=launched + 3))

        client = kubernetes.config.new_client_from_config(config_file=kubeconfig, context=NAME)
        core = kubernetes.client.CoreV1Api(client)
        time.sleep(2.5)
        listed = core.list_node().items
        assert sorted(n.metadata.name for n in listed) == ids
        assert all(n.status.conditions[0].type == "Ready" and n.status.conditions[0].status == "True" for n in listed)
        roles = sorted("control-plane" if "node-role.kubernetes.io/control-plane" in n.metadata.labels else "node"
                       for n in listed)
        assert roles == ["control-plane", "node", "node", "node"]
        one = core.read_node(ids[0])
        zone = one.metadata.labels["topology.kubernetes.io/zone"]
        assert one.spec.provider_id == "aws:///%s/%s" % (zone, ids[0])
        assert one.metadata.labels["node.kubernetes.io/instance-type"] == "t3.medium"
        assert one.metadata.labels["kops.k8s.io/instancegroup"]

        # discovery as kubernetes.core's dynamic client does it
        dynamic = kubernetes.dynamic.DynamicClient(client)
        resource = dynamic.resources.get(api_version="v1", kind="Node")
        assert sorted(n.metadata.name for n in resource.get().items) == ids

        # the other cluster (created, never updated: no ASGs yet) and an unknown one are empty, a missing node a 404
        assert _get(api.cluster_url("other.k8s.local") + "/api/v1/nodes")["items"] == []
        assert _get(api.cluster_url("missing.k8s.local") + "/api/v1/nodes")["items"] == []
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(api.cluster_url("missing.k8s.local") + "/api/v1/nodes/i-0000")
        assert missing.value.code == 404
        with pytest.raises(urllib.error.HTTPError) as outside:
            _get(api.url + "/api/v1/nodes")
        assert outside.value.code == 404

        # a terminated instance leaves the list
        bed.client("autoscaling").terminate_instance_in_auto_scaling_group(
            InstanceId=ids[-1], ShouldDecrementDesiredCapacity=True)
        assert ids[-1] not in [n["metadata"]["name"] for n in api.nodes(NAME)]
