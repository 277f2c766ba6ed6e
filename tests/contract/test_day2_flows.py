"""Day-2 paths of the kops stand-in that the recordings could not show (they had no Kubernetes API):
rolling updates that drain and validate, reconcile --yes, delete instance through the API, and the test
bed's replacement log and kubelet versions. Each follows the kops source of v1.30.1 / v1.36.2:

* cmd/kops/rolling-update_cluster.go RunRollingUpdateCluster (table, "No rolling-update required." /
  "Must specify --yes"), pkg/instancegroups/rollingupdate.go RollingUpdate (bastions, control plane, apiservers,
  nodes, each sorted; final "Rolling update completed ..." (1.30) / "Completed rolling update ... instance
  groups [...]" (1.36)), pkg/instancegroups/instancegroups.go rollingUpdateInstanceGroup (validate before the
  group; surge: detach one non-control-plane instance first), drainTerminateAndWait ("Draining the node",
  "Waiting for ... for pods to stabilize after draining.", "Stopping instance", "waiting for ... after
  terminating instance"), maybeValidate / validateClusterWithTimeout ("Validating the cluster.",
  "Cluster did not pass validation, will retry in "30s": ...", "Cluster validated.");
* cmd/kops/reconcile_cluster.go RunReconcileCluster (v1.36.2): "Updating control plane configuration",
  "Waiting for the kubernetes API to be served", "Performing rolling-update for control plane",
  "Updating node configuration", "Performing rolling-update for nodes", "Pruning old resources ...";
* cmd/kops/delete_instance.go RunDeleteInstance ("Instance %v (%v) found for deletion") and
  pkg/instancegroups/instancegroups.go UpdateSingleInstance (detach unless control plane, validate, drain,
  terminate, wait 0s).
"""

import json
import os
import re
import time

import pytest

from test_flows import NAME, STATE, _create
from test_recordings import klog_free

S = ["--name", NAME] + STATE
FAST = {"KOPS_STANDIN_TIME_SCALE": "0.01", "KOPS_STANDIN_BOOT_SECONDS": "1"}
FROM = {"1.30.1": "1.29.15", "1.36.2": "1.35.7"}
TO = {"1.30.1": "1.30.14", "1.36.2": "1.36.3"}


def _events(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _kubelets(bed, api_cls):
    api = api_cls(bed.aws.url, bed.aws.region)
    return {n["metadata"]["labels"]["kops.k8s.io/instancegroup"]: n["status"]["nodeInfo"]["kubeletVersion"]
            for n in api.nodes(NAME)}


def _upgraded_cluster(bed, version, env, hold_nodes=False):
    """A cluster built at FROM, its spec upgraded to TO and applied. kops 1.36 holds the nodes at the control
    plane's running version (update_cluster.go checkControlPlaneRunningVersion) unless told
    --ignore-kubelet-version-skew, which it is here unless ``hold_nodes``, so every group needs an update."""
    _create(bed, zones="us-west-2a", extra=["--kubernetes-version", FROM[version]])
    assert bed.run(["update", "cluster"] + S + ["--yes", "--admin"], env=env).rc == 0
    assert bed.run(["upgrade", "cluster"] + S + ["--yes"], env=env).rc == 0
    skew = [] if hold_nodes or version == "1.30.1" else ["--ignore-kubelet-version-skew"]
    assert bed.run(["update", "cluster"] + S + ["--yes"] + skew, env=env).rc == 0
    time.sleep(float(env["KOPS_STANDIN_BOOT_SECONDS"]) + 0.1)  # the instances boot


@pytest.mark.parametrize("version", ["1.30.1", "1.36.2"])
def test_rolling_update_drains_validates_and_rolls_control_plane_first(bed_factory, version):
    from testbed.kube_api import KubeApi

    bed = bed_factory(version)
    log = os.path.join(bed.workdir, "roll.jsonl")
    # Replacements take 3s to boot, so the validation after the surge sees one that has not joined yet.
    env = dict(FAST, KOPS_STANDIN_ROLL_LOG=log, KOPS_STANDIN_BOOT_SECONDS="3")
    _upgraded_cluster(bed, version, env)
    assert set(_kubelets(bed, KubeApi).values()) == {"v" + FROM[version]}

    res = bed.run(["rolling-update", "cluster"] + S, env=env)
    assert res.rc == 0, res
    assert res.stdout.splitlines()[-1] == "Must specify --yes to rolling-update.", res
    assert "NODES" in res.stdout  # the API column without --cloudonly

    res = bed.run(["rolling-update", "cluster"] + S + ["--yes", "--validate-count=1"], env=env)
    assert res.rc == 0, res
    msgs = klog_free(res.stderr).splitlines()
    ids = re.compile(r"i-[0-9a-f]+")
    msgs = [ids.sub("i-ID", m) for m in msgs]
    assert msgs[0] == "Validating the cluster."
    assert 'Draining the node: "i-ID".' in msgs
    assert "Waiting for 5s for pods to stabilize after draining." in msgs
    assert "waiting for 15s after terminating instance" in msgs
    # surge: the node is detached first (not the control plane), then validated with its replacement booting
    assert any(m.startswith('Detaching instance "i-ID", in group "nodes-us-west-2a.') for m in msgs)
    assert not any(m.startswith("Detaching") and "masters" in m for m in msgs)
    assert any(m.startswith('Cluster did not pass validation, will retry in "30s": machine "i-ID" has not yet joined')
               for m in msgs)
    final = msgs[-1]
    if version == "1.30.1":
        assert final == 'Rolling update completed for cluster "%s"!' % NAME
    else:
        assert final == ('Completed rolling update for cluster "%s" instance groups '
                         "[control-plane-us-west-2a nodes-us-west-2a]" % NAME)

    events = _events(log)
    assert [e["role"] for e in events] == ["ControlPlane", "Node", "Node"]
    assert [e["action"] for e in events] == ["terminate", "detach", "terminate"]
    assert all(e["replacements"] for e in events[:2])
    assert set(_kubelets(bed, KubeApi).values()) == {"v" + TO[version]}
    again = bed.run(["rolling-update", "cluster"] + S, env=env)
    assert again.stdout.splitlines()[-1] == "No rolling-update required.", again


def test_kubelet_versions_show_the_control_plane_first(bed_factory):
    from testbed.kube_api import KubeApi

    bed = bed_factory("1.36.2")
    env = dict(FAST, KOPS_STANDIN_ROLL_LOG=os.path.join(bed.workdir, "roll.jsonl"))
    _upgraded_cluster(bed, "1.36.2", env)
    res = bed.run(["rolling-update", "cluster"] + S + ["--yes", "--cloudonly", "--instance-group-roles=control-plane"],
                  env=env)
    assert res.rc == 0, res
    time.sleep(1.1)
    assert _kubelets(bed, KubeApi) == {"control-plane-us-west-2a": "v1.36.3", "nodes-us-west-2a": "v1.35.7"}


def test_kops_136_update_holds_the_nodes_until_the_control_plane_runs_the_new_version(bed_factory):
    """update_cluster.go RunCoreUpdateCluster / checkControlPlaneRunningVersion and apply_cluster.go
    KubeletSupportedVersion (v1.36.2): with the control plane still on FROM, only its launch template moves to
    TO; a second update after the control plane was rolled moves the nodes. kops 1.30.1 has no such check."""
    bed = bed_factory("1.36.2")
    env = dict(FAST, KOPS_STANDIN_ROLL_LOG=os.path.join(bed.workdir, "roll.jsonl"))
    _upgraded_cluster(bed, "1.36.2", env, hold_nodes=True)

    def needing_update():
        listing = json.loads(bed.run(["get", "instances"] + S + ["-o", "json"], env=env).stdout)
        return sorted(i["instanceGroup"].split(".")[0] for i in listing if i["status"] == "NeedsUpdate")

    assert needing_update() == ["control-plane-us-west-2a"]
    res = bed.run(["rolling-update", "cluster"] + S + ["--yes", "--cloudonly"], env=env)
    assert res.rc == 0, res
    time.sleep(1.1)
    assert needing_update() == []
    res = bed.run(["update", "cluster"] + S, env=env)
    assert "nodes-us-west-2a" in res.stdout and "Must specify --yes to apply changes" in res.stdout, res
    assert bed.run(["update", "cluster"] + S + ["--yes"], env=env).rc == 0
    assert needing_update() == ["nodes-us-west-2a"]


def test_reconcile_yes_updates_and_rolls_control_plane_then_nodes(bed_factory):
    bed = bed_factory("1.36.2")
    log = os.path.join(bed.workdir, "roll.jsonl")
    env = dict(FAST, KOPS_STANDIN_ROLL_LOG=log)
    _upgraded_cluster(bed, "1.36.2", env)
    assert bed.run(["upgrade", "cluster"] + S + ["--yes", "--kubernetes-version", "1.36.3"], env=env).rc == 0
    res = bed.run(["reconcile", "cluster"] + S + ["--yes"], env=env)
    assert res.rc == 0, res
    steps = [line for line in res.stdout.splitlines() if line.startswith(
        ("Updating", "Waiting for the kubernetes", "Performing", "Pruning"))]
    assert steps == ["Updating control plane configuration", "Waiting for the kubernetes API to be served",
                     "Performing rolling-update for control plane", "Updating node configuration",
                     "Performing rolling-update for nodes", "Pruning old resources that are no longer used"]
    assert [e["role"] for e in _events(log)][0] == "ControlPlane"
    listing = bed.run(["get", "instances"] + S, env=env)
    assert "NeedsUpdate" not in listing.stdout, listing


def test_reconcile_is_unknown_to_kops_130(bed_factory):
    bed = bed_factory("1.30.1")
    res = bed.run(["reconcile", "cluster"] + S)
    assert res.rc == 1
    assert res.error_line() == 'Error: unknown command "reconcile" for "kops"'


def test_delete_instance_through_the_api(bed_factory):
    bed = bed_factory("1.36.2")
    log = os.path.join(bed.workdir, "roll.jsonl")
    env = dict(FAST, KOPS_STANDIN_ROLL_LOG=log)
    _create(bed, zones="us-west-2a")
    assert bed.run(["update", "cluster"] + S + ["--yes", "--admin"], env=env).rc == 0
    time.sleep(1.1)
    node = [i for i in json.loads(bed.run(["get", "instances"] + S + ["-o", "json"]).stdout)
            if i["roles"] == ["node"]][0]["id"]
    res = bed.run(["delete", "instance", node] + S, env=env)
    assert res.stdout == "Instance %s (%s) found for deletion\n\nMust specify --yes to delete instance\n" % (node, node)
    res = bed.run(["delete", "instance", node] + S + ["--yes", "--validate-count=1"], env=env)
    assert res.rc == 0, res
    msgs = klog_free(res.stderr).splitlines()
    assert msgs[0].startswith('Detaching instance "%s"' % node)
    assert 'Draining the node: "%s".' % node in msgs
    assert msgs[-1] == "waiting for 0s after terminating instance"
    events = _events(log)
    assert [e["action"] for e in events] == ["detach", "terminate"] and events[0]["replacements"]


@pytest.mark.parametrize("version", ["1.30.1", "1.36.2"])
def test_a_roll_killed_after_its_surge_leaves_a_detached_instance_the_next_roll_replaces(bed_factory, version):
    """upup/pkg/fi/cloudup/awsup/aws_cloud.go (v1.30.1 / v1.36.2) detachInstance tags the instance
    kops.k8s.io/detached-from-asg=<ASG> before DetachInstances, and awsBuildCloudInstanceGroup lists a running
    instance with that tag as Detached (NeedUpdate); pkg/instancegroups/instancegroups.go prioritizeUpdate
    puts detached instances last and rollingUpdateInstanceGroup does not detach a Detached one again."""
    bed = bed_factory(version, inprocess=False)  # the kill point SIGKILLs the stand-in's own process
    log = os.path.join(bed.workdir, "roll.jsonl")
    env = dict(FAST, KOPS_STANDIN_ROLL_LOG=log)
    _create(bed, zones="us-west-2a", extra=["--kubernetes-version", FROM[version], "--node-count", "2"])
    assert bed.run(["update", "cluster"] + S + ["--yes", "--admin"], env=env).rc == 0
    assert bed.run(["upgrade", "cluster"] + S + ["--yes"], env=env).rc == 0
    # The nodes' launch template moves now, not after the control plane (see _upgraded_cluster).
    skew = [] if version == "1.30.1" else ["--ignore-kubelet-version-skew"]
    assert bed.run(["update", "cluster"] + S + ["--yes"] + skew, env=env).rc == 0
    time.sleep(1.1)

    killed = bed.run(["rolling-update", "cluster"] + S + ["--yes", "--validate-count=1", "--instance-group",
                                                          "nodes-us-west-2a"],
                     env=dict(env, KOPS_STANDIN_KILL_AT="rolling-update-after-first-node"))
    assert killed.rc != 0
    events = _events(log)
    assert [e["action"] for e in events] == ["detach", "terminate"]
    detached = events[0]["instance"]
    tags = bed.client("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [detached]}])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}["kops.k8s.io/detached-from-asg"].startswith("nodes-us-west-2a.")

    listed = json.loads(bed.run(["get", "instances"] + S + ["-o", "json"], env=env).stdout)
    assert {i["id"]: i["status"] for i in listed}[detached] == "Detached"
    res = bed.run(["rolling-update", "cluster"] + S + ["--yes", "--validate-count=1", "--instance-group",
                                                       "nodes-us-west-2a"], env=env)
    assert res.rc == 0, res
    assert not any(m.startswith("Detaching") for m in klog_free(res.stderr).splitlines()), res.stderr
    assert [(e["action"], e["instance"]) for e in _events(log)[2:]] == [("terminate", detached)]
    again = bed.run(["rolling-update", "cluster"] + S + ["--cloudonly", "--instance-group", "nodes-us-west-2a"], env=env)
    assert again.stdout.splitlines()[-1] == "No rolling-update required.", again
