"""An instance group with role APIServer: no recording has one, so the stand-in follows kops's source.

pkg/model/names.go KopsModelContext.AutoscalingGroupName (v1.30.1 and v1.36.2) names its Auto Scaling
Group ``<ig>.apiservers.<cluster>`` (``<ig>.masters.<cluster>`` for the control plane, ``<ig>.<cluster>``
for nodes and bastions); cmd/kops/get_instances.go prints that name as the instance's INSTANCE-GROUP.
"""

import json
import os

import pytest
import yaml

import recording as rec
from test_flows import NAME, STATE, _create

IG = "apiserver-us-west-2a"


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_apiserver_group_has_its_own_asg_name(bed_factory, version):
    bed = bed_factory(version)
    _create(bed, zones="us-west-2a")
    doc = {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
           "metadata": {"name": IG, "labels": {"kops.k8s.io/cluster": NAME}},
           "spec": {"role": "APIServer", "machineType": "t3.medium", "minSize": 1, "maxSize": 1,
                    "subnets": ["us-west-2a"]}}
    path = os.path.join(bed.workdir, "apiserver.yaml")
    with open(path, "w") as fh:
        yaml.safe_dump(doc, fh)
    assert bed.run(["create", "-f", path] + STATE).rc == 0
    res = bed.run(["update", "cluster", "--name", NAME, "--yes", "--create-kube-config=false"] + STATE)
    assert res.rc == 0, res

    groups = bed.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    names = sorted(g["AutoScalingGroupName"] for g in groups)
    assert names == sorted(["%s.apiservers.%s" % (IG, NAME), "control-plane-us-west-2a.masters.%s" % NAME,
                            "nodes-us-west-2a.%s" % NAME])

    kubeconfig = {} if version != "1.30.1" else {"KUBECONFIG": _context_file(bed)}
    res = bed.run(["get", "instances", "--name", NAME, "-o", "json"] + STATE, env=kubeconfig)
    assert res.rc == 0, res
    assert "%s.apiservers.%s" % (IG, NAME) in {i["instanceGroup"] for i in json.loads(res.stdout)}


def _context_file(bed):
    """A kubeconfig with the cluster's context: kops 1.30.1's get instances loads it before anything else."""
    path = os.path.join(bed.workdir, "kubeconfig")
    with open(path, "w") as fh:
        yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": NAME,
                        "clusters": [{"name": NAME, "cluster": {"server": "https://api.%s" % NAME}}],
                        "contexts": [{"name": NAME, "context": {"cluster": NAME, "user": NAME}}],
                        "users": [{"name": NAME, "user": {}}]}, fh)
    return path
