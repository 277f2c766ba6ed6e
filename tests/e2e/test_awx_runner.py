# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""site.yml and teardown.yml through ansible-runner, the way AWX runs a job template: the
repository as the project, the job template's extra variables, an inventory with the management
server, and the AWS credential injected as environment variables."""

from __future__ import annotations

import os
import sys

import ansible_runner
import yaml

from e2e_helpers import FLEETMAN_VARS, REPO, bucket_exists, cluster_resources, unique


def _job(tmp_path, playbook: str, extravars: dict):
    private = tmp_path / playbook.replace("/", "_")
    (private / "inventory").mkdir(parents=True)
    # AWX's inventory for a management-server job: the controller itself.
    (private / "inventory" / "hosts").write_text(
        f"[management]\nlocalhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    return ansible_runner.run(
        private_data_dir=str(private),
        project_dir=str(REPO),
        playbook=playbook,
        extravars=extravars,
        # What an "Amazon Web Services" credential injects; the collection path stands in for the EE's.
        envvars={"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(REPO / ".tmp" / "collections"))},
        quiet=True,
        timeout=900,
    )


def test_awx_job_templates_build_and_tear_down(testbed_vars, aws, tmp_path):
    name = unique("awx") + ".k8s.local"
    bucket = unique("awx-state")
    # The job template's extra variables: the documented example plus the site's own settings.
    extravars = yaml.safe_load(FLEETMAN_VARS.read_text())
    extravars.update({key: value for key, value in testbed_vars.items() if not key.startswith("testbed_")})
    extravars.update({
        "kops_target_hosts": "management",
        "kops_cluster_name": name,
        "kops_state_store_bucket": bucket,
        "kops_tools_install_dir": str(tmp_path / "tools"),
        "ssh_keypair_path": str(tmp_path / "ssh" / "id_ed25519"),
        "cluster_kubeconfig": str(tmp_path / "kubeconfig"),
        "cluster_validate_poll_interval": "2s",
        "cluster_validate_timeout": "5m",
    })

    build = _job(tmp_path, "site.yml", extravars)
    assert (build.status, build.rc) == ("successful", 0), build.stdout.read()[-5000:]
    assert bucket_exists(aws, bucket)
    keys = [o["Key"] for o in aws("s3").list_objects_v2(Bucket=bucket, Prefix=name + "/").get("Contents", [])]
    assert f"{name}/config" in keys
    assert len(cluster_resources(aws, name).get("instances", [])) == 4
    ok_hosts = {e["event_data"]["host"] for e in build.events if e.get("event") == "runner_on_ok"}
    assert ok_hosts == {"localhost"}

    teardown = _job(tmp_path, "playbooks/teardown.yml",
                    dict(extravars, teardown_confirm=name, teardown_delete_state_store=True))
    assert (teardown.status, teardown.rc) == ("successful", 0), teardown.stdout.read()[-5000:]
    assert cluster_resources(aws, name) == {}
    assert not bucket_exists(aws, bucket)
