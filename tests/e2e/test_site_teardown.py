# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""site.yml from nothing to a validated cluster, then teardown.yml, as a platform engineer runs them
from a clone (``ansible-playbook site.yml -e @my-cluster.yml``), against the local test bed.

The steps share one cluster and run in file order: bad settings and another account's credentials
refused, check mode on a fresh bed, the build, an idempotent second run (with the account guard on),
validate.yml, teardowns refused (no confirmation, another account), the real teardown.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from e2e_helpers import BIN, REPO, bucket_exists, cluster_resources, run_playbook, unique

NAME = unique("e2e") + ".k8s.local"
BUCKET = unique("e2e-state")
USER_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: mine, cluster: {server: "https://203.0.113.10"}}]
contexts: [{name: mine, context: {cluster: mine, user: mine}}]
current-context: mine
users: [{name: mine, user: {token: not-a-secret}}]
"""


@pytest.fixture(scope="module")
def bed(testbed_vars, aws, tmp_path_factory):
    work = tmp_path_factory.mktemp("site")
    extra = {
        "kops_cluster_name": NAME,
        "kops_state_store_bucket": BUCKET,
        # A private tools directory and key, so this module proves both are created from nothing.
        "kops_tools_install_dir": str(work / "tools"),
        "ssh_keypair_path": str(work / "ssh" / "id_ed25519"),
        "cluster_kubeconfig": str(work / "kubeconfig"),
        "cluster_validate_timeout": "5m",
        "cluster_validate_poll_interval": "2s",
    }
    # The user's own default kubeconfig: only kops_kubecfg may write a kubeconfig, and it was asked for another file.
    default_kubeconfig = Path(os.environ["KUBECONFIG"])
    default_kubeconfig.parent.mkdir(parents=True, exist_ok=True)
    if not default_kubeconfig.exists():
        default_kubeconfig.write_text(USER_KUBECONFIG)
    return {"vars_file": os.environ["TESTBED_EXTRA_VARS"], "extra": extra, "work": work, "aws": aws,
            "default_kubeconfig": default_kubeconfig, "default_kubeconfig_bytes": default_kubeconfig.read_bytes()}


def test_bad_cluster_settings_fail_before_anything_is_made(bed):
    # An admin TTL of 1h would pass kops but fail kops_kubecfg (it renews 1h before expiry) after the cluster was made.
    extra = dict(bed["extra"], kops_cluster_name="Fleetman_Cluster", cluster_zones=["eu-west-1a", "eu-west-1b"],
                 cluster_admin_ttl="1h")
    run = run_playbook("site.yml", bed["vars_file"], extra)
    assert run.rc != 0
    assert "Cluster settings rejected before anything was created" in run.stdout, run.explain()
    assert "cluster_name Fleetman_Cluster is not a DNS name" in run.stdout, run.explain()
    assert "eu-west-1a, eu-west-1b are in region eu-west-1, not in region us-west-2" in run.stdout, run.explain()
    assert "cluster_admin_ttl 1h must be longer than 1h" in run.stdout, run.explain()
    assert not bucket_exists(bed["aws"], BUCKET)
    assert not (bed["work"] / "tools").exists()
    assert not (bed["work"] / "ssh").exists()


def test_credentials_of_another_account_make_nothing(bed):
    account = bed["aws"]("sts").get_caller_identity()["Account"]
    run = run_playbook("site.yml", bed["vars_file"], dict(bed["extra"], kops_aws_allowed_account_ids=["000000000001"]))
    assert run.rc != 0
    assert f"in account {account}, which is not one of the allowed accounts 000000000001" in run.stdout, run.explain()
    assert not bucket_exists(bed["aws"], BUCKET)
    assert not (bed["work"] / "tools").exists()
    assert not (bed["work"] / "ssh").exists()


def test_check_mode_on_a_fresh_bed_writes_nothing(bed):
    # By its FQCN, as with the collection installed; the other steps use the clone's site.yml.
    run = run_playbook("cloudops.kops.site", bed["vars_file"], bed["extra"], "--check")
    assert run.rc == 0, run.explain()
    assert run.changed() > 0, "check mode must report what it would build\n" + run.explain()
    assert f"Would create bucket {BUCKET}" in run.stdout
    assert f"Would create cluster {NAME}" in run.stdout
    assert "Would install kops 1.36.2" in run.stdout
    assert not bucket_exists(bed["aws"], BUCKET)
    assert not (bed["work"] / "tools").exists()
    assert not (bed["work"] / "ssh").exists()
    assert not (bed["work"] / "kubeconfig").exists()
    assert cluster_resources(bed["aws"], NAME) == {}


def test_site_builds_a_validated_cluster(bed):
    run = run_playbook("site.yml", bed["vars_file"], bed["extra"])
    assert run.rc == 0, run.explain()
    aws = bed["aws"]
    s3 = aws("s3")

    # kops_tools really ran: both binaries from the mirror, 0755, the versions asked for.
    for tool in ("kops", "kubectl"):
        path = bed["work"] / "tools" / tool
        assert path.is_file(), tool
        assert path.stat().st_mode & 0o777 == 0o755, tool

    key = bed["work"] / "ssh" / "id_ed25519"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (bed["work"] / "ssh" / "id_ed25519.pub").read_text().startswith("ssh-ed25519 ")

    # The state store: versioned, encrypted, private, tagged, in the requested region.
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == "us-west-2"
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    pab = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(pab[flag] for flag in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"))
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}
    assert tags == {"project": "fleetman", "managed-by": "cloudops.kops"}
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=NAME + "/")["Contents"]]
    assert f"{NAME}/config" in keys

    # The cloud side: one control plane and three nodes across three zones, behind the API load balancer.
    resources = cluster_resources(aws, NAME)
    assert len(resources.get("instances", [])) == 4, resources
    groups = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=resources["asgs"])["AutoScalingGroups"]
    assert sum(g["DesiredCapacity"] for g in groups) == 4
    assert sorted({z for g in groups for z in g["AvailabilityZones"]}) == ["us-west-2a", "us-west-2b", "us-west-2c"]
    assert len(resources.get("load_balancers", [])) == 1, resources

    # Validation passed and the summary was printed; the kubeconfig was written where asked.
    assert f"Cluster {NAME}: valid" in run.stdout, run.explain()
    assert "Nodes: 4 (4 ready)" in run.stdout, run.explain()
    # Inside the test bed the kubeconfig's server is the bed's Kubernetes API (KOPS_STANDIN_KUBE_API).
    assert f"API endpoint: {os.environ['KOPS_STANDIN_KUBE_API']}/clusters/{NAME}" in run.stdout, run.explain()
    assert NAME in (bed["work"] / "kubeconfig").read_text()
    assert bed["default_kubeconfig"].read_bytes() == bed["default_kubeconfig_bytes"]


def instance_group(bed, name):
    """The stored InstanceGroup ``name``, read with the kops the site playbook installed."""
    out = subprocess.run([str(bed["work"] / "tools" / "kops"), "get", "ig", name, "--name", NAME, "-o", "json",
                          "--state", f"s3://{BUCKET}"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_second_site_run_leaves_a_group_it_does_not_own_alone(bed):
    # The kops_instance_group module's own example: a batch group, m5.xlarge, 0-4.
    args = {"cluster_name": NAME, "name": "batch", "role": "node", "machine_type": "m5.xlarge", "min_size": 0,
            "max_size": 4, "zones": ["us-west-2a"], "state_store": f"s3://{BUCKET}",
            "binary_path": str(bed["work"] / "tools" / "kops"), "region": "us-west-2"}
    added = subprocess.run([str(BIN / "ansible"), "localhost", "-m", "cloudops.kops.kops_instance_group", "-a", json.dumps(args)],
                           cwd=REPO, capture_output=True, text=True, check=False)
    assert added.returncode == 0, added.stdout + added.stderr
    before = instance_group(bed, "batch")["spec"]

    # With the account guard on, for the bed's own account: it lets the run through and changes nothing.
    account = bed["aws"]("sts").get_caller_identity()["Account"]
    run = run_playbook("site.yml", bed["vars_file"], dict(bed["extra"], kops_aws_allowed_account_ids=[account]))
    assert run.rc == 0, run.explain()
    assert run.changed() == 0, run.explain()
    after = instance_group(bed, "batch")["spec"]
    assert (after["machineType"], after["minSize"], after["maxSize"]) == ("m5.xlarge", 0, 4)
    assert after == before
    assert bed["default_kubeconfig"].read_bytes() == bed["default_kubeconfig_bytes"]


def test_validate_playbook_reports_the_cluster(bed):
    run = run_playbook("playbooks/validate.yml", bed["vars_file"], bed["extra"])
    assert run.rc == 0, run.explain()
    assert run.changed() == 0, run.explain()
    assert f"Cluster {NAME}: valid" in run.stdout


def test_teardown_without_confirmation_deletes_nothing(bed):
    run = run_playbook("playbooks/teardown.yml", bed["vars_file"], dict(bed["extra"], teardown_confirm="some-other.k8s.local"))
    assert run.rc != 0
    assert f"Refusing to delete cluster {NAME}" in run.stdout, run.explain()
    assert len(cluster_resources(bed["aws"], NAME).get("instances", [])) == 4


def test_teardown_for_another_account_deletes_nothing(bed):
    extra = dict(bed["extra"], teardown_confirm=NAME, kops_aws_allowed_account_ids=["000000000001"])
    run = run_playbook("playbooks/teardown.yml", bed["vars_file"], extra)
    assert run.rc != 0
    assert "which is not one of the allowed accounts 000000000001" in run.stdout, run.explain()
    assert len(cluster_resources(bed["aws"], NAME).get("instances", [])) == 4
    assert bucket_exists(bed["aws"], BUCKET)


def test_teardown_removes_the_cluster_and_the_state_store(bed):
    extra = dict(bed["extra"], teardown_confirm=NAME, teardown_delete_state_store=True)
    preview = run_playbook("playbooks/teardown.yml", bed["vars_file"], extra, "--check")
    assert preview.rc == 0, preview.explain()
    assert f"Cluster {NAME}: would be deleted" in preview.stdout, preview.explain()
    assert len(cluster_resources(bed["aws"], NAME).get("instances", [])) == 4
    assert bucket_exists(bed["aws"], BUCKET)

    run = run_playbook("playbooks/teardown.yml", bed["vars_file"], extra)
    assert run.rc == 0, run.explain()
    assert f"Cluster {NAME}: deleted" in run.stdout, run.explain()
    assert f"State store {BUCKET}: deleted" in run.stdout, run.explain()
    assert cluster_resources(bed["aws"], NAME) == {}
    assert not bucket_exists(bed["aws"], BUCKET)

    again = run_playbook("playbooks/teardown.yml", bed["vars_file"], extra)
    assert again.rc == 0, again.explain()
    assert again.changed() == 0, again.explain()
