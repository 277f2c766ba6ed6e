# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/upgrade.yml on a cluster built one minor below the newest its kops supports, for both kops versions.

kops 1.30.1 has no `reconcile`, so the role applies with `update --yes` and rolls the control plane, then the
nodes; kops 1.36.2 reconciles. Either way the stand-in's replacement log (KOPS_STANDIN_ROLL_LOG) must show every
instance replaced, the control plane before any node. The steps of one version share one cluster and run in file
order: a two-minor jump refused, --check, --check after the spec moved and before kops applied it, a kill in
the middle of the node roll, the rerun that finishes it, and a run that changes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from e2e_helpers import run_playbook, unique

# (kops, Kubernetes built at, next minor, two minors up)
VERSIONS = {
    "1.30.1": ("1.29.15", "1.30.14", "1.31.0"),
    "1.36.2": ("1.35.7", "1.36.3", "1.37.0"),
}
# The stand-in's waits, scaled down; new instances are Ready nodes after one second.
FAST = {"KOPS_STANDIN_TIME_SCALE": "0.02", "KOPS_STANDIN_BOOT_SECONDS": "1"}


@pytest.fixture(scope="module", params=sorted(VERSIONS))
def cluster(request, testbed_vars, aws, tmp_path_factory):
    return build(request.param, tmp_path_factory.mktemp("upgrade-" + request.param), aws)


def build(kops, work, aws):
    """A cluster built by playbooks/build.yml at VERSIONS[kops]'s first version, and how to upgrade it."""
    built_at, next_minor, too_far = VERSIONS[kops]
    roll_log = work / "replacements.jsonl"
    extra = {
        "kops_cluster_name": unique("up") + ".k8s.local",
        "kops_state_store_bucket": unique("up-state"),
        "kops_kops_version": kops,
        "kops_tools_install_dir": str(work / "tools"),
        "ssh_keypair_path": str(work / "ssh" / "id_ed25519"),
        "cluster_kubeconfig": str(work / "kubeconfig"),
        # One zone, two nodes in one group: the kill lands between the group's two replacements.
        "cluster_zones": ["us-west-2a"],
        "cluster_node_count": 2,
        "cluster_kubernetes_version": built_at,
        "cluster_validate_timeout": "5m",
        "cluster_validate_poll_interval": "1s",
        "upgrade_validate_poll_interval": "1s",
        "upgrade_validate_timeout": "5m",
        "upgrade_validate_count": 1,
        "upgrade_control_plane_interval": "1s",
        "upgrade_node_interval": "1s",
        "upgrade_post_drain_delay": "0s",
    }
    env = dict(FAST, KOPS_STANDIN_ROLL_LOG=str(roll_log))
    built = run_playbook("playbooks/build.yml", bed_vars_path(), extra, env=env)
    assert built.rc == 0, built.explain()
    return {"kops": kops, "work": work, "extra": extra, "env": env, "roll_log": roll_log, "built_at": built_at,
            "next_minor": next_minor, "too_far": too_far, "aws": aws}


def bed_vars_path() -> str:
    return os.environ["TESTBED_EXTRA_VARS"]


def upgrade(cluster, *args, extra=None, env=None):
    return run_playbook("playbooks/upgrade.yml", bed_vars_path(), dict(cluster["extra"], **(extra or {})), *args,
                        env=dict(cluster["env"], **(env or {})))


def instances(cluster):
    """{instance id: launch-template version} of the cluster's running instances."""
    ec2 = cluster["aws"]("ec2")
    found = {}
    for reservation in ec2.describe_instances(Filters=[{"Name": "tag:KubernetesCluster",
                                                        "Values": [cluster["extra"]["kops_cluster_name"]]}])["Reservations"]:
        for inst in reservation["Instances"]:
            if inst["State"]["Name"] in ("pending", "running"):
                tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
                found[inst["InstanceId"]] = tags.get("aws:ec2launchtemplate:version", "")
    return found


def replacements(cluster):
    """The instances the stand-in terminated, in order (a surge also logs a detach before the terminate)."""
    if not cluster["roll_log"].exists():
        return []
    events = [json.loads(line) for line in cluster["roll_log"].read_text().splitlines() if line.strip()]
    return [e for e in events if e["action"] == "terminate"]


def spec_version(cluster):
    s3 = cluster["aws"]("s3")
    body = s3.get_object(Bucket=cluster["extra"]["kops_state_store_bucket"],
                         Key=cluster["extra"]["kops_cluster_name"] + "/config")["Body"].read().decode()
    return next(line.split(":", 1)[1].strip() for line in body.splitlines() if line.strip().startswith("kubernetesVersion:"))


def test_a_two_minor_jump_is_refused_with_the_steps(cluster):
    before = instances(cluster)
    run = upgrade(cluster, extra={"upgrade_kubernetes_version": cluster["too_far"]})
    assert run.rc != 0, run.explain()
    assert "upgrade one minor version at a time" in run.stdout, run.explain()
    assert "through %s, %s" % (cluster["next_minor"].rsplit(".", 1)[0], cluster["too_far"]) in run.stdout, run.explain()
    assert spec_version(cluster) == cluster["built_at"]
    assert instances(cluster) == before


def test_a_step_this_kops_cannot_apply_is_refused_before_the_first(cluster):
    # Both steps keep the one-minor rule, but kops update cluster would refuse the second ("kops upgrade is
    # required", apply_cluster.go validateKubernetesVersion): nothing is written, not even the first step.
    before = instances(cluster)
    too_new = cluster["too_far"].rsplit(".", 1)[0] + ".5"
    run = upgrade(cluster, extra={"upgrade_kubernetes_versions": [cluster["next_minor"], too_new]})
    assert run.rc != 0, run.explain()
    assert "step 2: kops %s cannot apply Kubernetes %s" % (cluster["kops"], too_new) in run.stdout, run.explain()
    assert spec_version(cluster) == cluster["built_at"]
    assert instances(cluster) == before


def test_bad_settings_are_refused_before_anything_is_written(cluster):
    before = instances(cluster)
    run = upgrade(cluster, extra={"upgrade_kubernetes_version": cluster["next_minor"], "upgrade_validate_count": 0,
                                  "upgrade_drain_timeout": "ten minutes", "upgrade_renew_before": "5h"})
    assert run.rc != 0, run.explain()
    assert "Upgrade settings rejected before anything was changed" in run.stdout, run.explain()
    assert "upgrade_drain_timeout is not a duration" in run.stdout
    assert "upgrade_validate_count 0 must be 1 or more" in run.stdout
    assert "upgrade_renew_before 5h must be shorter than upgrade_admin_ttl 4h" in run.stdout
    # reconcile: kops 1.30 has none; kops 1.36 has no rolling-update settings (the fixture sets some).
    run = upgrade(cluster, extra={"upgrade_kubernetes_version": cluster["next_minor"], "upgrade_method": "reconcile"})
    assert run.rc != 0, run.explain()
    if cluster["kops"] == "1.30.1":
        assert "upgrade_method reconcile needs kops 1.31 or newer" in run.stdout, run.explain()
    else:
        assert ("which has no rolling-update settings: unset upgrade_control_plane_interval, upgrade_node_interval, "
                "upgrade_post_drain_delay") in run.stdout, run.explain()
    # An extra variable for kops_tools (a vars file made for site.yml) would put the other kops release where the
    # role installs upgrade_kops_version: refused before any write.
    other = next(v for v in VERSIONS if v != cluster["kops"])
    run = upgrade(cluster, extra={"upgrade_kubernetes_version": cluster["next_minor"], "upgrade_kops_version": cluster["kops"],
                                  "upgrade_kops_install_dir": str(cluster["work"] / "kops-releases-overridden"),
                                  "kops_tools_kops_version": other})
    assert run.rc != 0, run.explain()
    assert "is kops %s, not upgrade_kops_version %s: nothing was changed" % (other, cluster["kops"]) in run.stdout, \
        run.explain()
    assert spec_version(cluster) == cluster["built_at"]
    assert instances(cluster) == before


def test_check_mode_prints_the_plan_and_changes_nothing(cluster):
    before = instances(cluster)
    # With upgrade_kops_version the role installs that release beside the others and plans with it.
    releases = cluster["work"] / "kops-releases"
    run = upgrade(cluster, "--check", "--diff", extra={"upgrade_kubernetes_version": cluster["next_minor"],
                                                       "upgrade_kops_version": cluster["kops"],
                                                       "upgrade_kops_install_dir": str(releases)})
    assert run.rc == 0, run.explain()
    assert "with kops %s" % cluster["kops"] in run.stdout, run.explain()
    # --check installs nothing.
    assert not (releases / ("kops-" + cluster["kops"]) / "kops").exists()
    assert "Plan for %s: Kubernetes %s -> %s" % (cluster["extra"]["kops_cluster_name"], cluster["built_at"],
                                                 cluster["next_minor"]) in run.stdout, run.explain()
    assert "spec: Cluster KubernetesVersion %s -> %s" % (cluster["built_at"], cluster["next_minor"]) in run.stdout
    # Every instance is in the plan, the control-plane group first.
    planned = [line for line in run.stdout.splitlines() if "would roll" in line]
    assert planned and "control-plane" in planned[0], run.explain()
    for instance_id in before:
        assert instance_id in run.stdout, (instance_id, run.explain())
    assert spec_version(cluster) == cluster["built_at"]
    assert instances(cluster) == before
    assert replacements(cluster) == []


def test_check_mode_plans_a_walk_of_two_steps(cluster):
    # too_far (1.31.0 / 1.37.0) is still below what each kops refuses (1.31.1 / 1.37.2): a valid second step.
    before = instances(cluster)
    walk = [cluster["next_minor"], cluster["too_far"]]
    run = upgrade(cluster, "--check", extra={"upgrade_kubernetes_versions": walk})
    assert run.rc == 0, run.explain()
    assert "Plan for %s: Kubernetes %s -> %s" % (cluster["extra"]["kops_cluster_name"], cluster["built_at"],
                                                 cluster["too_far"]) in run.stdout, run.explain()
    assert "Step %s -> %s with kops" % (cluster["built_at"], cluster["next_minor"]) in run.stdout, run.explain()
    assert "Step %s -> %s with kops" % (cluster["next_minor"], cluster["too_far"]) in run.stdout, run.explain()
    assert "would roll every instance again, control plane first, once the cluster runs %s" % cluster["next_minor"] \
        in run.stdout, run.explain()
    assert spec_version(cluster) == cluster["built_at"]
    assert instances(cluster) == before


def test_check_mode_after_a_run_stopped_before_the_apply_plans_every_instance(cluster):
    # What a run leaves when it stops after moving the spec and before kops applies it: the spec moved with the
    # command kops_upgrade runs, nothing applied. The spec already shows the next minor, so only kops's update dry
    # run tells --check that the next run applies it and rolls everything.
    before = instances(cluster)
    moved = subprocess.run([cluster["extra"]["kops_tools_install_dir"] + "/kops", "upgrade", "cluster",
                            "--name", cluster["extra"]["kops_cluster_name"], "--kubernetes-version", cluster["next_minor"],
                            "--yes", "--state", "s3://" + cluster["extra"]["kops_state_store_bucket"]],
                           env=dict(os.environ, **cluster["env"]), capture_output=True, text=True, check=False)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert spec_version(cluster) == cluster["next_minor"]
    assert instances(cluster) == before
    assert replacements(cluster) == []
    run = upgrade(cluster, "--check", extra={"upgrade_kubernetes_version": cluster["next_minor"]})
    assert run.rc == 0, run.explain()
    assert "Nothing to upgrade." not in run.stdout, run.explain()
    assert "not applied yet: kops update would modify LaunchTemplate/" in run.stdout, run.explain()
    planned = [line for line in run.stdout.splitlines() if "would roll" in line]
    assert planned and "control-plane" in planned[0], run.explain()
    for instance_id in before:
        assert instance_id in run.stdout, (instance_id, run.explain())
    assert instances(cluster) == before
    assert replacements(cluster) == []


def test_a_kill_in_the_node_roll_is_finished_by_a_rerun(cluster):
    before = instances(cluster)
    killed = upgrade(cluster, extra={"upgrade_kubernetes_version": cluster["next_minor"]},
                     env={"KOPS_STANDIN_KILL_AT": "rolling-update-after-first-node"})
    assert killed.rc != 0, killed.explain()
    events = replacements(cluster)
    roles = [e["role"] for e in events]
    assert roles and roles[0] == "ControlPlane" and roles[-1] == "Node", events
    first_node = next(e["instance"] for e in events if e["role"] == "Node")
    replaced_once = {e["instance"] for e in events}
    survivors = set(instances(cluster))
    assert first_node not in survivors

    # The rerun installs its kops release beside the others and finishes the roll with it.
    releases = cluster["work"] / "kops-releases"
    rerun = upgrade(cluster, extra={"upgrade_kubernetes_version": cluster["next_minor"],
                                    "upgrade_kops_version": cluster["kops"], "upgrade_kops_install_dir": str(releases)})
    assert rerun.rc == 0, rerun.explain()
    assert (releases / ("kops-" + cluster["kops"]) / "kops").is_file()
    assert rerun.changed() > 0
    events = replacements(cluster)
    # Every original instance was replaced exactly once; none that was already new was touched.
    replaced = [e["instance"] for e in events]
    assert sorted(replaced) == sorted(before), (events, before)
    assert len(replaced) == len(set(replaced))
    assert not (set(replaced) - replaced_once) & (survivors - set(before))
    # The control plane before any node.
    roles = [e["role"] for e in events]
    assert roles.index("Node") > max(i for i, r in enumerate(roles) if r == "ControlPlane"), roles
    assert spec_version(cluster) == cluster["next_minor"]
    after = instances(cluster)
    assert not set(after) & set(before)
    assert "Upgrade of %s: Kubernetes %s -> %s" % (cluster["extra"]["kops_cluster_name"], cluster["next_minor"],
                                                   cluster["next_minor"]) in rerun.stdout, rerun.explain()
    assert "rolled " in rerun.stdout, rerun.explain()
    assert "Validate the cluster after the phase" in rerun.stdout, rerun.explain()


def test_a_second_run_changes_nothing(cluster):
    before = instances(cluster)
    events = len(replacements(cluster))
    run = upgrade(cluster, extra={"upgrade_kubernetes_version": cluster["next_minor"]})
    assert run.rc == 0, run.explain()
    assert run.changed() == 0, run.explain()
    assert "Nothing to upgrade." in run.stdout
    # Nothing was applied or rolled: the pre-flight validation stands, no phase is validated again.
    assert "Validate the cluster after the phase" not in run.stdout, run.explain()
    assert instances(cluster) == before
    assert len(replacements(cluster)) == events


def test_kops_136_update_method_moves_the_nodes_after_the_control_plane(cluster):
    """kops 1.31 and later hold the nodes at the control plane's running version (update_cluster.go
    checkControlPlaneRunningVersion): with upgrade_method=update the role applies again after the control plane
    is rolled, so one run replaces every instance, the control plane first. The next step on the same cluster."""
    if cluster["kops"] == "1.30.1":
        pytest.skip("kops 1.30 has no such hold: its update moves every launch template at once")
    before = instances(cluster)
    events = len(replacements(cluster))
    # KUBECONFIG names the file with the cluster's credential, as for most users: kops then sees the running version.
    env = {"KUBECONFIG": cluster["extra"]["cluster_kubeconfig"]}
    step = {"upgrade_kubernetes_version": cluster["too_far"], "upgrade_method": "update"}
    run = upgrade(cluster, extra=step, env=env)
    assert run.rc == 0, run.explain()
    assert "with kops 1.36.2 (update" in run.stdout, run.explain()
    done = replacements(cluster)[events:]
    assert sorted(e["instance"] for e in done) == sorted(before), run.explain()
    roles = [e["role"] for e in done]
    assert roles.index("Node") > max(i for i, r in enumerate(roles) if r == "ControlPlane"), roles
    assert spec_version(cluster) == cluster["too_far"]
    again = upgrade(cluster, extra=step, env=env)
    assert again.rc == 0 and again.changed() == 0, again.explain()
