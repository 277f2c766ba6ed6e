# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The job templates run through ansible-runner the way AWX runs them: every job in a brand-new
private data directory with a brand-new HOME (two jobs, two throw-away containers), the repository
as the project, the job template's extra variables, an inventory with the management server, the
AWS credential injected as environment variables, and kops and kubectl already on PATH as the
execution-environment image has them.

One cluster, in file order: the site template twice (the second job changes nothing in AWS or the
state store, installs nothing and gets the same SSH key back from the state store), then the
validate, inspect and self-heal templates, then the teardown template, which deletes everything.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import stat
import sys
import urllib.request
from pathlib import Path

import ansible_runner
import pytest
import yaml

from e2e_helpers import FLEETMAN_VARS, REPO, bucket_exists, cluster_resources, unique

AWX_VARS = REPO / "playbooks" / "vars" / "awx"
AWX_DATA = yaml.safe_load((AWX_VARS / "job_templates.yml").read_text())

NAME = unique("awx") + ".k8s.local"
BUCKET = unique("awx-state")
KEY = f"cloudops-keys/{NAME}/id_ed25519"
# The kubectl the kops_tools role wants next to kops 1.36.2 (roles/kops_tools/vars/main.yml).
KUBECTL_VERSION = "1.36.3"
# What the second site job may report as changed, and why: it writes only into its own fresh HOME.
SECOND_SITE_JOB_CHANGES = {
    # ~/.ssh does not exist in a new HOME; created 0700.
    ("ssh_keypair", "Create the directory of the key pair"),
    # The key pair kept in the state store, written to ~/.ssh/fleetman_id_ed25519(.pub) for this job.
    ("ssh_keypair", "Write the stored key pair"),
    # The admin kubeconfig, exported into the new HOME's ~/.kube/config for this job.
    ("cluster", "Export an admin kubeconfig"),
}


def _changed_tasks(job) -> list[tuple[str, str]]:
    """(role, task name) of every task the job reported as changed, in order: what AWX shows as changed.
    A no_log task's event data holds no ``changed``, so its line of output ("changed: [host]") is read;
    a loop task counts once."""
    found = {}
    for event in job.events:
        data = event.get("event_data", {})
        if event.get("event") not in ("runner_on_ok", "runner_item_on_ok"):
            continue
        line = re.sub(r"\x1b\[[0-9;]*m", "", event.get("stdout") or "")
        if data.get("res", {}).get("changed") or line.startswith("changed: "):
            found.setdefault(data.get("task_uuid"), (data.get("role", ""), data.get("task", "")))
    stats = [e["event_data"].get("changed", {}) for e in job.events if e.get("event") == "playbook_on_stats"]
    # The play recap counts the same tasks.
    assert stats and sum(stats[-1].values()) == len(found), (stats, found)
    return list(found.values())


def _facts(job, name: str):
    """The last value a set_fact in the job gave to ``name``."""
    value = None
    for event in job.events:
        res = event.get("event_data", {}).get("res") or {}
        if event.get("event") == "runner_on_ok" and name in (res.get("ansible_facts") or {}):
            value = res["ansible_facts"][name]
    return value


def _snapshot(aws) -> dict:
    """Everything the jobs could change: every version of every object of the state store (the lock
    objects under cloudops-locks/ excepted: each run takes and deletes its own), the cluster's EC2
    instances and Auto Scaling Groups, and the EC2 key pairs."""
    s3 = aws("s3")
    objects = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=BUCKET):
        for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
            if version["Key"].startswith("cloudops-locks/"):
                continue
            body = b"" if "ETag" not in version else s3.get_object(
                Bucket=BUCKET, Key=version["Key"], VersionId=version["VersionId"])["Body"].read()
            objects[(version["Key"], version["VersionId"])] = (version.get("IsLatest"), hashlib.sha256(body).hexdigest())
    ec2 = aws("ec2")
    instances = sorted(
        (i["InstanceId"], i["State"]["Name"], i["InstanceType"], str(i["LaunchTime"]))
        for r in ec2.describe_instances(Filters=[{"Name": "tag:KubernetesCluster", "Values": [NAME]}])["Reservations"]
        for i in r["Instances"])
    groups = sorted(
        (g["AutoScalingGroupName"], g["MinSize"], g["MaxSize"], g["DesiredCapacity"],
         tuple(sorted(i["InstanceId"] for i in g.get("Instances", []))), repr(g.get("LaunchTemplate")))
        for g in aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
        if g["AutoScalingGroupName"].endswith("." + NAME))
    # This cluster's key pairs only: other end-to-end files run beside this one on the same local AWS.
    key_pairs = sorted((k["KeyName"], k.get("KeyFingerprint")) for k in ec2.describe_key_pairs()["KeyPairs"]
                       if NAME in k["KeyName"])
    return {"objects": objects, "instances": instances, "groups": groups, "key_pairs": key_pairs}


@pytest.fixture(scope="module")
def awx(testbed_vars, aws, tmp_path_factory):
    """The execution environment (kops and kubectl on PATH) and the job template's extra variables."""
    work = tmp_path_factory.mktemp("awx")
    image_bin = work / "ee" / "usr-local-bin"
    image_bin.mkdir(parents=True)
    # kops: the test bed's stand-in of the newest version; kubectl: the mirror's stand-in.
    shutil.copy2(testbed_vars["testbed_kops_binary"], image_bin / "kops")
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    with urllib.request.urlopen(f"{testbed_vars['testbed_mirror_url']}/kubectl/release/v{KUBECTL_VERSION}"
                                f"/bin/linux/{arch}/kubectl", timeout=30) as answer:
        (image_bin / "kubectl").write_bytes(answer.read())
    for tool in ("kops", "kubectl"):
        (image_bin / tool).chmod(0o755)

    # The answers a user gives the surveys here: this cluster, as small and quick as a cluster gets.
    answers = {
        "kops_cluster_name": NAME,
        "kops_aws_region": testbed_vars["kops_aws_region"],
        "cluster_zones": ["us-west-2a"],
        "cluster_node_count": 1,
    }
    # The job templates' own extra variables (playbooks/awx_configure.yml): the cluster vars file, then
    # awx_job_template_extra_vars (ssh_keypair_store: aws), then what this site sets (the test bed's
    # endpoint and bucket, where the image has the tools, quicker validation).
    extravars = yaml.safe_load(FLEETMAN_VARS.read_text())
    extravars.update(AWX_DATA["awx_job_template_extra_vars"])
    extravars.update({
        "kops_target_hosts": "management",
        "kops_state_store_bucket": BUCKET,
        "kops_aws_endpoint_url": testbed_vars["kops_aws_endpoint_url"],
        # Where the image has the tools (/usr/local/bin, the default, in a real EE).
        "kops_tools_install_dir": str(image_bin),
        # Nothing may be downloaded: a download attempt fails the job.
        "kops_tools_kops_base_url": "http://127.0.0.1:9/kops",
        "kops_tools_kubectl_base_url": "http://127.0.0.1:9/kubectl",
        "cluster_validate_timeout": "3m",
        "cluster_validate_poll_interval": "1s",
    })
    # The key pair and the kubeconfig stay at their documented defaults, in each job's own HOME.
    assert extravars["ssh_keypair_store"] == "aws"
    assert extravars["ssh_keypair_path"] == "~/.ssh/fleetman_id_ed25519"
    assert extravars["cluster_kubeconfig"] == ""
    return {"work": work, "image_bin": image_bin, "extravars": extravars, "answers": answers, "aws": aws, "jobs": 0}


def _survey_defaults(survey: str) -> dict:
    """The survey's default answers as AWX passes them (a multiselect is a list, an integer an int)."""
    spec = yaml.safe_load((AWX_VARS / "surveys" / f"{survey}.yml").read_text())["awx_survey_spec"]["spec"]
    answers = {}
    for question in spec:
        default = question.get("default")
        if default in (None, ""):
            continue
        if question["type"] == "multiselect":
            default = [line for line in str(default).split("\n") if line]
        elif question["type"] == "integer":
            default = int(default)
        answers[question["variable"]] = default
    return answers


def _job(awx, template: str, playbook: str | None = None, **extra):
    """One AWX job of a job template: a new private data directory and a new HOME (a new container), the
    image's PATH, the template's extra variables, then its survey's defaults overridden by this test's
    answers (only for the questions the survey asks), then ``extra``."""
    template_data = {t["name"]: t for t in AWX_DATA["awx_job_templates"]}[template]
    survey = _survey_defaults(template_data["survey"])
    survey.update({key: value for key, value in awx["answers"].items() if key in survey})
    extravars = dict(awx["extravars"], **survey)
    extravars.update(extra)
    awx["jobs"] += 1
    job_dir = awx["work"] / f"job{awx['jobs']}"
    private, home = job_dir / "private_data_dir", job_dir / "home"
    (private / "inventory").mkdir(parents=True)
    home.mkdir()
    # AWX's inventory for a management-server job: the controller itself.
    (private / "inventory" / "hosts").write_text(
        f"[management]\nlocalhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    env = {
        "HOME": str(home),
        "PATH": f"{awx['image_bin']}{os.pathsep}{os.environ['PATH']}",
        # What an "Amazon Web Services" credential injects; the collection path stands in for the EE's.
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(REPO / ".tmp" / "collections")),
    }
    job = ansible_runner.run(private_data_dir=str(private), project_dir=str(REPO),
                             playbook=playbook or template_data["playbook"], extravars=extravars, envvars=env,
                             quiet=True, timeout=900)
    job.home = home
    return job


def _explain(job) -> str:
    return f"{job.status} rc={job.rc}\n{job.stdout.read()[-6000:]}"


@pytest.fixture(autouse=True)
def _container_environment(monkeypatch):
    # A container has no kubeconfig from anywhere else: nothing may rely on the test bed's KUBECONFIG.
    monkeypatch.delenv("KUBECONFIG", raising=False)


def _tree(path: Path) -> dict:
    return {str(p.relative_to(path)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(path.rglob("*")) if p.is_file()}


def test_site_twice_in_fresh_containers(awx):
    image_before = _tree(awx["image_bin"])

    # The build template, with site.yml (build, then the report) as its playbook.
    first = _job(awx, "build", "site.yml")
    assert (first.status, first.rc) == ("successful", 0), _explain(first)
    assert not [t for t in _changed_tasks(first) if t[0] == "kops_tools"], _changed_tasks(first)
    after_first = _snapshot(awx["aws"])
    assert (KEY, ) == tuple(obj[0] for obj in after_first["objects"] if obj[0] == KEY)
    assert len(after_first["instances"]) == 2

    second = _job(awx, "build", "site.yml")
    assert (second.status, second.rc) == ("successful", 0), _explain(second)
    # Nothing changed in AWS or the state store, nothing was installed, and the job changed only
    # files in its own new HOME.
    assert _snapshot(awx["aws"]) == after_first
    assert _tree(awx["image_bin"]) == image_before
    assert set(_changed_tasks(second)) == SECOND_SITE_JOB_CHANGES, _changed_tasks(second)
    assert len(_changed_tasks(second)) == len(SECOND_SITE_JOB_CHANGES)

    # The same key in both containers, and it is the key kops has for the cluster.
    key_files = [job.home / ".ssh" / "fleetman_id_ed25519" for job in (first, second)]
    assert key_files[0].read_bytes() == key_files[1].read_bytes()
    assert stat.S_IMODE(key_files[1].stat().st_mode) == 0o600
    s3 = awx["aws"]("s3")
    assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == key_files[1].read_bytes()
    kops_keys = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{NAME}/pki/ssh/public/admin/")["Contents"]
    assert len(kops_keys) == 1
    kops_key = s3.get_object(Bucket=BUCKET, Key=kops_keys[0]["Key"])["Body"].read().decode().split()[:2]
    assert Path(f"{key_files[1]}.pub").read_text().split()[:2] == kops_key
    # The private key never reached the job's output or its events.
    private_lines = [line for line in key_files[1].read_text().splitlines() if len(line) > 60]
    assert private_lines
    for job in (first, second):
        output = job.stdout.read() + "".join(str(e) for e in job.events)
        assert not [line for line in private_lines if line in output]

    summary = _facts(second, "cluster_summary")
    assert summary["valid"] in (True, "True"), summary
    assert summary["kubeconfig"] == str(second.home / ".kube" / "config")


def test_validate_template_in_a_fresh_container(awx):
    before = _snapshot(awx["aws"])
    job = _job(awx, "validate")
    assert (job.status, job.rc) == ("successful", 0), _explain(job)
    assert _facts(job, "cluster_summary")["valid"] in (True, "True")
    # Only the kubeconfig it needs, exported into its own HOME.
    assert _changed_tasks(job) == [("cluster", "Export an admin kubeconfig")]
    assert (job.home / ".kube" / "config").is_file()
    assert _snapshot(awx["aws"]) == before


def test_inspect_template_in_a_fresh_container(awx):
    before = _snapshot(awx["aws"])
    # Read the nodes through the Kubernetes API: the kubeconfig is exported for the job, not assumed.
    job = _job(awx, "inspect", inspect_kubeconfig="~/.kube/inspect.kubeconfig")
    assert (job.status, job.rc) == ("successful", 0), _explain(job)
    report = _facts(job, "inspect_report")
    assert report["nodes_source"] == "kubernetes_api", report
    assert len(report["nodes"]) == 2, report
    assert _changed_tasks(job) == [("inspect", "Export an admin kubeconfig that does not exist yet")]
    assert (job.home / ".kube" / "inspect.kubeconfig").is_file()
    assert _snapshot(awx["aws"]) == before

    plain = _job(awx, "inspect")
    assert (plain.status, plain.rc) == ("successful", 0), _explain(plain)
    assert _facts(plain, "inspect_report")["nodes_source"] == "kops_validate"
    assert _changed_tasks(plain) == []
    assert not (plain.home / ".kube").exists()


def test_self_heal_template_in_a_fresh_container(awx):
    before = _snapshot(awx["aws"])
    job = _job(awx, "self-heal", self_heal_confirm=NAME, self_heal_poll_interval=1,
               self_heal_replacement_timeout=180, self_heal_validate_timeout="3m",
               self_heal_validate_poll_interval="1s")
    assert (job.status, job.rc) == ("successful", 0), _explain(job)
    result = _facts(job, "self_heal_result")
    assert result["new_instance_ids"] and result["old_instance_id"] not in result["new_instance_ids"], result
    after = _snapshot(awx["aws"])
    assert after["objects"] == before["objects"]
    assert len([i for i in after["instances"] if i[1] == "running"]) == 2


def test_teardown_template_deletes_everything(awx):
    job = _job(awx, "teardown", teardown_confirm=NAME, teardown_delete_state_store=True)
    assert (job.status, job.rc) == ("successful", 0), _explain(job)
    assert cluster_resources(awx["aws"], NAME) == {}
    assert not bucket_exists(awx["aws"], BUCKET)
    assert not [k for k in awx["aws"]("ec2").describe_key_pairs()["KeyPairs"] if NAME in k["KeyName"]]
