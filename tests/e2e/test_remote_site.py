# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tutorial's two plays for real over SSH: playbooks/remote_site.yml provisions the management server
(playbooks/management_server.yml, in moto) and builds the cluster ON it (site.yml with
kops_target_hosts=kops_management), then playbooks/remote_teardown.yml removes the cluster from the server
and the server itself.

The server is an OpenSSH server on a free loopback port (tests/testbed/testbed/ssh_server.py) for a
throw-away non-root user; the connect host/port overrides of the management_server role map the
provisioned instance to it. One ansible-playbook run holds both plays, since the host added by add_host
lives only as long as the run. Every kops command must run as that user: the stand-in's argv log is
written from the server's session environment into the user's home, and the controller's own log
(KOPS_STANDIN_ARGV_LOG of ansible-playbook) must stay empty. The steps share one cluster and run in file
order: the build, a second run that changes nothing, the teardown.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
import yaml

from e2e_helpers import cluster_resources, run_playbook, unique
from testbed.ssh_server import SshServer

NAME = unique("remote") + ".k8s.local"
BUCKET = unique("remote-state")
SERVER = unique("kops-mgmt")
# The stand-in's waits, scaled down; new instances are Ready nodes after one second.
FAST = {"KOPS_STANDIN_TIME_SCALE": "0.02", "KOPS_STANDIN_BOOT_SECONDS": "1"}
# What the server's sessions get from the bed: the AWS endpoint and keys (a real server has an instance
# profile instead) and the stand-in's settings. Not KOPS_STATE_STORE nor KUBECONFIG: the playbooks pass them.
SERVER_ENV = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION",
              "S3_ENDPOINT", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "KOPS_STANDIN_KUBE_API")
SERVER_ARGV_LOG = "kops-argv.jsonl"


@pytest.fixture(scope="module")
def bed(testbed_vars, aws, tmp_path_factory):
    work = tmp_path_factory.mktemp("remote")
    environment = {k: os.environ[k] for k in SERVER_ENV if k in os.environ}
    environment.update(FAST, KOPS_STANDIN_ARGV_LOG="$HOME/" + SERVER_ARGV_LOG)
    with SshServer(environment=environment) as server:
        # The provisioned host's connection settings (it joins this group by add_host): the server-side
        # Python that has boto3, and the throw-away host key as the only one trusted.
        inventory = work / "inventory.yml"
        inventory.write_text(yaml.safe_dump({"kops_management": {"vars": {
            "ansible_python_interpreter": server.python,
            "ansible_ssh_common_args": server.ssh_common_args,
            # One SSH round trip per task instead of several (the bed's sshd has no requiretty).
            "ansible_pipelining": True,
        }}}))
        extra = {
            "kops_cluster_name": NAME,
            "kops_state_store_bucket": BUCKET,
            "kops_target_hosts": "kops_management",
            # Paths on the server, in the user's home (the bed's vars file has controller paths).
            "kops_tools_install_dir": "~/.local/bin",
            "ssh_keypair_path": "~/.ssh/kops_id_ed25519",
            "cluster_kubeconfig": "",
            "cluster_fetch_kubeconfig_to": str(work / "fetched" / "kubeconfig"),
            "cluster_zones": ["us-west-2a"],
            "cluster_node_count": 1,
            "cluster_validate_timeout": "5m",
            "cluster_validate_poll_interval": "1s",
            "management_server_name": SERVER,
            "management_server_ssh_cidrs": ["203.0.113.7/32"],
            # moto loads no AWS managed policies: the shipped policy, scoped to this cluster and bucket.
            "management_server_iam_mode": "least_privilege",
            # moto has no Ubuntu 24.04 image, only older Canonical ones.
            "management_server_image_name": "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-*",
            "management_server_connect_host": server.host,
            "management_server_connect_port": server.port,
            "management_server_user": server.user,
            "management_server_public_key": server.public_key,
            "management_server_private_key_path": server.key,
            "management_server_wait_timeout": "30s",
        }
        (work / "fetched").mkdir()
        yield {"server": server, "work": work, "extra": extra, "aws": aws,
               "inventory": str(inventory), "controller_log": work / "controller-argv.jsonl"}


def play(bed, playbook, extra=None):
    # Any kops run on the controller would land in this log.
    return run_playbook(playbook, os.environ["TESTBED_EXTRA_VARS"], dict(bed["extra"], **(extra or {})),
                        "-i", bed["inventory"], env={"KOPS_STANDIN_ARGV_LOG": str(bed["controller_log"])})


def server_kops_runs(bed):
    log = os.path.join(bed["server"].home, SERVER_ARGV_LOG)
    if not os.path.exists(log):
        return []
    assert os.stat(log).st_uid == bed["server"].uid, "the argv log was written by another user"
    with open(log, encoding="utf-8") as handle:
        return [json.loads(line)["argv"] for line in handle if line.strip()]


def verbs(runs):
    return [" ".join(a for a in argv[:2] if not a.startswith("-")) for argv in runs]


def owned_by_user(bed, path, mode=None):
    info = os.stat(path)
    assert info.st_uid == bed["server"].uid, path
    if mode is not None:
        assert stat.S_IMODE(info.st_mode) == mode, (path, oct(info.st_mode))


def management_instances(bed):
    ec2 = bed["aws"]("ec2")
    return [i for r in ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [SERVER]}])["Reservations"]
            for i in r["Instances"] if i["State"]["Name"] not in ("terminated", "shutting-down")]


def test_remote_site_builds_the_cluster_on_the_server(bed):
    run = play(bed, "playbooks/remote_site.yml")
    assert run.rc == 0, run.explain()
    home = bed["server"].home

    # The server was provisioned in moto and reached over SSH as the non-root user.
    assert len(management_instances(bed)) == 1
    assert run.recap[SERVER]["changed"] > 0, run.explain()
    assert f"{bed['server'].user}@127.0.0.1:{bed['server'].port}" in run.stdout, run.explain()

    # Every kops command ran on the server, as its user: its log has the build, the controller's nothing.
    runs = server_kops_runs(bed)
    done = verbs(runs)
    for expected in ("create cluster", "update cluster", "export kubecfg", "validate cluster"):
        assert expected in done, (expected, done)
    assert all(NAME in argv or "version" in argv for argv in runs), runs
    assert not bed["controller_log"].exists(), bed["controller_log"].read_text()

    # kops_tools installed into the user's ~/.local/bin; key and kubeconfig in the user's home.
    for tool in ("kops", "kubectl"):
        owned_by_user(bed, os.path.join(home, ".local", "bin", tool), 0o755)
    owned_by_user(bed, os.path.join(home, ".ssh", "kops_id_ed25519"), 0o600)
    assert open(os.path.join(home, ".ssh", "kops_id_ed25519.pub"), encoding="utf-8").read().startswith("ssh-ed25519 ")
    kubeconfig = os.path.join(home, ".kube", "config")
    owned_by_user(bed, kubeconfig)
    server_kubeconfig = open(kubeconfig, "rb").read()
    assert NAME.encode() in server_kubeconfig
    assert not os.path.exists(os.path.join(bed["work"], "tools")), "nothing installed on the controller"

    # The admin kubeconfig fetched to the controller, private.
    fetched = bed["work"] / "fetched" / "kubeconfig"
    assert fetched.read_bytes() == server_kubeconfig
    assert stat.S_IMODE(fetched.stat().st_mode) == 0o600

    # The cluster: one control plane and one node, valid.
    resources = cluster_resources(bed["aws"], NAME)
    assert len(resources.get("instances", [])) == 2, resources
    assert f"Cluster {NAME}: valid" in run.stdout, run.explain()
    assert "Nodes: 2 (2 ready)" in run.stdout, run.explain()


def test_a_second_run_of_both_plays_changes_nothing(bed):
    before = len(server_kops_runs(bed))
    run = play(bed, "playbooks/remote_site.yml")
    assert run.rc == 0, run.explain()
    assert run.recap["localhost"]["changed"] == 0, run.explain()
    assert run.recap[SERVER]["changed"] == 0, run.explain()
    assert len(management_instances(bed)) == 1
    # It read the cluster with the server's kops again, and wrote nothing.
    again = verbs(server_kops_runs(bed)[before:])
    assert again and "create cluster" not in again, again
    assert not bed["controller_log"].exists()


def test_remote_teardown_removes_the_cluster_and_the_server(bed):
    run = play(bed, "playbooks/remote_teardown.yml", {"teardown_confirm": NAME, "teardown_management_server": True,
                                                      "teardown_delete_state_store": True})
    assert run.rc == 0, run.explain()
    # The server was reached as it is: none of its provisioning ran.
    assert "Create the key pair, security group and instance" not in run.stdout, run.explain()
    assert "Create the IAM role and instance profile of the server" not in run.stdout, run.explain()
    assert "delete cluster" in verbs(server_kops_runs(bed))
    assert not bed["controller_log"].exists()
    assert cluster_resources(bed["aws"], NAME) == {}
    aws = bed["aws"]
    assert management_instances(bed) == []
    assert SERVER not in [r["RoleName"] for r in aws("iam").list_roles()["Roles"]]
    assert SERVER not in [p["InstanceProfileName"] for p in aws("iam").list_instance_profiles()["InstanceProfiles"]]
    assert aws("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": [SERVER + "-ssh"]}])["SecurityGroups"] == []
    assert aws("ec2").describe_key_pairs(Filters=[{"Name": "key-name", "Values": [SERVER]}])["KeyPairs"] == []
    assert BUCKET not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
