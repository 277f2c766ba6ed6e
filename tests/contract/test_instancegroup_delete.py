"""`kops delete instancegroup`: no recording exists, so the stand-in follows kops's source
(cmd/kops/delete_instancegroup.go, pkg/instancegroups/delete.go, awsup deleteGroup):
a y/N prompt without --yes, the cloud resources deleted at once with --yes, kops's errors."""

import pytest
import yaml

import recording as rec
from test_flows import NAME, STATE, _create

PROMPT = 'Do you really want to delete instance group "%s"? This action cannot be undone. (y/N)\n'


def _asg_names(bed):
    groups = bed.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    return sorted(g["AutoScalingGroupName"] for g in groups)


def _ig_names(bed):
    res = bed.run(["get", "ig", "--name", NAME, "-o", "yaml"] + STATE)
    assert res.rc == 0, res
    docs = [d for d in yaml.safe_load_all(res.stdout) if d]
    items = docs[0]["items"] if len(docs) == 1 and "items" in docs[0] else docs
    return sorted(d["metadata"]["name"] for d in items)


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_delete_instancegroup(bed_factory, version):
    bed = bed_factory(version)
    _create(bed)
    ec2 = bed.client("ec2")
    name = ["--name", NAME] + STATE

    # Before `update --yes` there is no ASG: kops warns and still deletes the object.
    res = bed.run(["delete", "ig", "nodes-us-west-2c", "-y"] + name)
    assert (res.rc, res.stdout) == (0, 'InstanceGroup "nodes-us-west-2c" found for deletion\n\n'
                                       'Deleted InstanceGroup: "nodes-us-west-2c"\n'), res
    assert '] AutoScalingGroup "nodes-us-west-2c" not found in cloud - skipping delete' in res.stderr
    assert res.stderr.startswith("W")
    assert NAME + "/instancegroup/nodes-us-west-2c" not in bed.keys()

    assert bed.run(["update", "cluster", "--yes", "--create-kube-config=false"] + name).rc == 0
    assert "nodes-us-west-2b.%s" % NAME in _asg_names(bed)
    group = bed.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=["nodes-us-west-2b.%s" % NAME])["AutoScalingGroups"][0]
    instance = group["Instances"][0]["InstanceId"]

    # Without --yes: the prompt; no answer (EOF), "n", an empty line and a bad answer all stop it.
    res = bed.run(["delete", "ig", "nodes-us-west-2b"] + name)
    assert (res.rc, res.stdout, res.stderr) == (1, PROMPT % "nodes-us-west-2b", "Error: error reading from input: EOF\n")
    for answer in ("n\n", "no\n", "\n"):
        res = bed.run(["delete", "instancegroup", "nodes-us-west-2b"] + name, stdin=answer)
        assert (res.rc, res.stdout, res.stderr) == (1, PROMPT % "nodes-us-west-2b", ""), res
    res = bed.run(["delete", "ig", "nodes-us-west-2b"] + name, stdin="maybe\nyes\n")
    assert res.rc == 1 and res.stdout == (PROMPT + "invalid response: maybe\n\n" + PROMPT) % (
        "nodes-us-west-2b", "nodes-us-west-2b"), res
    assert res.error_line() == "Error: error reading from input: EOF"
    assert "nodes-us-west-2b.%s" % NAME in _asg_names(bed)

    # Errors, as kops words them.
    res = bed.run(["delete", "ig", "nosuch", "--yes"] + name)
    assert (res.rc, res.stdout, res.error_line()) == (
        1, "", 'Error: error reading InstanceGroup "nosuch": InstanceGroup.kops.k8s.io "nosuch" not found'), res
    res = bed.run(["delete", "ig", "nodes-us-west-2b", "--yes", "--name", "nosuch.k8s.local"] + STATE)
    assert (res.rc, res.error_line()) == (
        1, 'Error: error reading cluster configuration: Cluster.kops.k8s.io "nosuch.k8s.local" not found'), res
    res = bed.run(["delete", "ig", "control-plane-us-west-2a", "--yes"] + name)
    assert (res.rc, res.stdout, res.error_line()) == (
        1, 'InstanceGroup "control-plane-us-west-2a" found for deletion\n',
        "Error: cannot delete the only control plane instance group"), res
    res = bed.run(["delete", "ig", "--yes"] + name)
    assert res.error_line() == "Error: must specify the name of the instance group to delete", res
    assert "Usage:\n  kops delete instancegroup INSTANCE_GROUP [flags]" in res.stderr
    res = bed.run(["delete", "ig", "a", "b", "--yes"] + name)
    assert res.error_line() == "Error: can only delete one instance group at a time", res
    res = bed.run(["delete", "ig", "nodes-us-west-2b", "--yes"] + STATE, env={"KUBECONFIG": "/nonexistent"})
    assert res.error_line() == "Error: --name is required", res
    res = bed.run(["delete", "ig", "nodes-us-west-2b", "--yes", "--name", NAME])
    assert res.error_line().startswith("Error: State Store: Required value"), res
    res = bed.run(["delete", "ig", "nodes-us-west-2b", "--wait"] + name)
    assert res.error_line() == "Error: unknown flag: --wait", res
    assert _asg_names(bed).count("nodes-us-west-2b.%s" % NAME) == 1

    # --yes: the ASG (and its instance) and the launch template go at once, then the state-store object.
    keys = bed.keys()
    res = bed.run(["delete", "instancegroups", "nodes-us-west-2b", "--yes"] + name)
    assert (res.rc, res.stdout) == (0, 'InstanceGroup "nodes-us-west-2b" found for deletion\n\n'
                                       'Deleted InstanceGroup: "nodes-us-west-2b"\n'), res
    assert '] Deleting AutoScalingGroup "nodes-us-west-2b"' in res.stderr
    assert "nodes-us-west-2b.%s" % NAME not in _asg_names(bed)
    templates = [t["LaunchTemplateName"] for t in ec2.describe_launch_templates()["LaunchTemplates"]]
    assert "nodes-us-west-2b.%s" % NAME not in templates and "nodes-us-west-2a.%s" % NAME in templates
    state = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["State"]["Name"]
    assert state in ("shutting-down", "terminated")
    assert sorted(set(keys) - set(bed.keys())) == [NAME + "/instancegroup/nodes-us-west-2b"]
    assert _ig_names(bed) == ["control-plane-us-west-2a", "nodes-us-west-2a"]
    res = bed.run(["update", "cluster"] + name)
    assert res.rc == 0 and "nodes-us-west-2b" not in res.stdout, res

    # Answering the prompt with "yes" deletes as --yes does.
    res = bed.run(["delete", "ig", "nodes-us-west-2a"] + name, stdin="yes\n")
    want = PROMPT % "nodes-us-west-2a" + 'InstanceGroup "nodes-us-west-2a" found for deletion\n\n' \
        'Deleted InstanceGroup: "nodes-us-west-2a"\n'
    assert (res.rc, res.stdout) == (0, want), res
    assert _asg_names(bed) == ["control-plane-us-west-2a.masters.%s" % NAME]
    assert _ig_names(bed) == ["control-plane-us-west-2a"]


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_delete_instancegroup_help(bed_factory, version):
    bed = bed_factory(version)
    res = bed.run(["delete", "ig", "--help"])
    assert res.rc == 0 and res.stdout.startswith("Delete an instance group configuration."), res
    assert "Aliases:\n  instancegroup, instancegroups, ig\n" in res.stdout
    assert "Flags:\n  -h, --help   help for instancegroup\n  -y, --yes    Specify --yes to immediately delete " \
           "the instance group\n\nGlobal Flags:\n" in res.stdout
    cluster_help = bed.run(["delete", "cluster", "--help"]).stdout
    assert res.stdout.split("Global Flags:")[1] == cluster_help.split("Global Flags:")[1]
