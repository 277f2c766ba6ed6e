"""kops delete instance on an instance detached from its group, with --surge=false: what cloudops.kops's
safe scale-down relies on (no recording: it needs the Kubernetes API). Follows the kops source of
v1.30.1 and v1.36.2 (same behaviour in both):

* upup/pkg/fi/cloudup/awsup/aws_cloud.go tagNameDetachedInstance ("kops.k8s.io/detached-from-asg") and
  awsBuildCloudInstanceGroup: a running instance carrying the tag is a member of its group with status
  Detached, so cmd/kops/delete_instance.go findDeletionNode finds it (group.NeedUpdate);
* pkg/instancegroups/instancegroups.go UpdateSingleInstance: with --surge=false (detach=false) no detach and
  no validation; drainTerminateAndWait drains the node ("Draining the node: ...") and deleteInstance
  ("Stopping instance ...") terminates it (awsup deleteInstance: EC2 TerminateInstances), then
  "waiting for 0s after terminating instance";
* awsup DetachInstance returns at once for a Detached instance, after detachInstance's "Detaching instance" line.

Test-bed assertions: the group launches no replacement (its desired capacity was lowered by the detach).
"""

import json
import os
import time

import pytest

from test_flows import NAME, STATE, _create
from test_recordings import klog_free

S = ["--name", NAME] + STATE
FAST = {"KOPS_STANDIN_TIME_SCALE": "0.01", "KOPS_STANDIN_BOOT_SECONDS": "1"}
TAG = "kops.k8s.io/detached-from-asg"


def _node_group(bed):
    asg = bed.client("autoscaling")
    return next(g for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
                if g["AutoScalingGroupName"].startswith("nodes-"))


def _state(bed, instance_id):
    res = bed.client("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    return res[0]["Instances"][0]["State"]["Name"]


@pytest.mark.parametrize("version", ["1.30.1", "1.36.2"])
@pytest.mark.parametrize("surge", [False, True])
def test_delete_detached_instance_drains_and_terminates_without_replacement(bed_factory, version, surge):
    bed = bed_factory(version)
    log = os.path.join(bed.workdir, "roll.jsonl")
    env = dict(FAST, KOPS_STANDIN_ROLL_LOG=log)
    _create(bed, zones="us-west-2a")
    assert bed.run(["update", "cluster"] + S + ["--yes", "--admin"], env=env).rc == 0
    time.sleep(1.1)  # the instances boot and join as nodes
    group = _node_group(bed)
    name = group["AutoScalingGroupName"]
    (victim,) = [i["InstanceId"] for i in group["Instances"]]
    # What the module does before kops: kops's detached tag, then a detach that lowers the desired capacity.
    bed.client("ec2").create_tags(Resources=[victim], Tags=[{"Key": TAG, "Value": name}])
    asg = bed.client("autoscaling")
    asg.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=0)
    asg.detach_instances(InstanceIds=[victim], AutoScalingGroupName=name, ShouldDecrementDesiredCapacity=True)

    # validate-count 0: the group is below its minimum now, so validation would wait out its timeout.
    flags = ["--validate-count=0"] + ([] if surge else ["--surge=false"])
    preview = bed.run(["delete", "instance", victim] + S + flags, env=env)
    assert preview.rc == 0, preview
    assert preview.stdout == ("Instance %s (%s) found for deletion\n\nMust specify --yes to delete instance\n"
                              % (victim, victim))
    res = bed.run(["delete", "instance", victim] + S + flags + ["--post-drain-delay=0s", "--yes"], env=env)
    assert res.rc == 0, res
    msgs = klog_free(res.stderr).splitlines()
    detaching = 'Detaching instance "%s", in group "%s".' % (victim, name)
    assert (detaching in msgs) is surge
    assert ("skipping cluster validation because validate-count was 0" in msgs) is surge
    assert 'Draining the node: "%s".' % victim in msgs
    assert 'Stopping instance "%s", in group "%s" (this may take a while).' % (victim, name) in msgs
    assert msgs[-1] == "waiting for 0s after terminating instance"
    assert _state(bed, victim) in ("shutting-down", "terminated")
    after = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    assert after["Instances"] == [] and after["DesiredCapacity"] == 0
    with open(log) as fh:
        events = [json.loads(line) for line in fh if line.strip()]
    assert [(e["action"], e["instance"], e["replacements"]) for e in events] == [("terminate", victim, [])]
