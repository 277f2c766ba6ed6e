"""The whole test bed: local AWS endpoint, binary mirror, kops stand-ins, environment, vars file."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import yaml

from kops_standin.build import build_zipapp
from .aws_endpoint import AwsEndpoint
from .kube_api import KubeApi
from .mirror import Mirror
from .ssh_server import SshServer
from .standin_server import StandinForkServer
from .real_kubectl import provide as provide_real_kubectl

KOPS_VERSIONS = ("1.30.1", "1.36.2")
NEWEST_KOPS = KOPS_VERSIONS[-1]
STATE_BUCKET = "testbed-kops-state"


class Testbed:
    """Brings the bed up in a private scratch directory and takes it down again."""

    def __init__(self, keep: bool = False, ssh: bool | None = None):
        self.keep = keep
        # The SSH bed (ssh_server.py) only when asked: TESTBED_SSH=1 (make demo-remote) or ssh=True.
        self.ssh_wanted = os.environ.get("TESTBED_SSH") == "1" if ssh is None else ssh
        self.ssh: SshServer | None = None
        self.dir: str | None = None
        self.aws: AwsEndpoint | None = None
        self.mirror: Mirror | None = None
        self.kube_api: KubeApi | None = None
        self.standin_server: StandinForkServer | None = None
        self.real_kubectl = None  # testbed.real_kubectl.RealKubectl, or None: the stand-in (reason below)
        self.real_kubectl_missing = ""

    def path(self, *parts: str) -> str:
        return os.path.join(self.dir, *parts)

    def start(self) -> "Testbed":
        self.dir = tempfile.mkdtemp(prefix="cloudops-kops-testbed-")
        try:
            for sub in ("bin", "kube", "ssh", "tools/bin", "mirror-cache"):
                os.makedirs(self.path(sub), exist_ok=True)
            self.aws = AwsEndpoint(log_path=self.path("moto.log")).start()
            self.real_kubectl, self.real_kubectl_missing = provide_real_kubectl()
            if self.real_kubectl is None:
                print(f"test bed: WARNING: NO REAL KUBECTL: the mirror serves the kubectl STAND-IN for every version "
                      f"({self.real_kubectl_missing}); tests that need the real client skip, or fail under CI=true",
                      file=sys.stderr)
            real = [self.real_kubectl] if self.real_kubectl else []
            self.mirror = Mirror(cache_dir=self.path("mirror-cache"), real_kubectls=real).start()
            self.kube_api = KubeApi(self.aws.url, self.aws.region).start()
            self._install_standins()
            # Commands run in forks of one warm process (kops_standin/forkserver.py); TESTBED_FORK_SERVER=0
            # runs each in a process of its own instead, as a user's kops would.
            if os.environ.get("TESTBED_FORK_SERVER", "1") != "0":
                self.standin_server = StandinForkServer(self.path("kops-standin.sock"),
                                                        log_path=self.path("kops-standin-server.log")).start()
            self._create_state_bucket()
            if self.ssh_wanted:
                self._start_ssh()
            with open(self.path("testbed-vars.yml"), "w", encoding="utf-8") as handle:
                handle.write("# Written by the cloudops.kops test bed: local stand-ins for AWS and kops.\n")
                yaml.safe_dump(self.variables(), handle, sort_keys=True)
        except BaseException:
            self.stop()
            raise
        return self

    def _install_standins(self) -> None:
        for version in KOPS_VERSIONS:
            build_zipapp(self.path("bin", f"kops-{version}"), version)
        shutil.copy2(self.path("bin", f"kops-{NEWEST_KOPS}"), self.path("bin", "kops"))

    def _create_state_bucket(self) -> None:
        import boto3  # only the bed itself needs boto3 at this point

        s3 = boto3.client("s3", endpoint_url=self.aws.url, region_name=self.aws.region,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        s3.create_bucket(Bucket=STATE_BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": self.aws.region})
        s3.put_bucket_versioning(Bucket=STATE_BUCKET, VersioningConfiguration={"Status": "Enabled"})

    def _start_ssh(self) -> None:
        """The management server's stand-in; its sessions get the AWS endpoint and the stand-in's settings,
        which a real server would not need (instance profile, real kops), and a kops argv log in the user's home."""
        env = dict(self.aws.environment(), KOPS_STANDIN_KUBE_API=self.kube_api.url,
                   KOPS_STANDIN_ARGV_LOG="$HOME/kops-argv.jsonl")
        env.update({k: v for k, v in os.environ.items() if k.startswith("KOPS_STANDIN_") and k != "KOPS_STANDIN_ARGV_LOG"})
        self.ssh = SshServer(environment=env).start()
        # For -i: the provisioned host joins kops_management (add_host); these are its connection settings.
        with open(self.path("ssh-inventory.yml"), "w", encoding="utf-8") as handle:
            handle.write("# Written by the cloudops.kops test bed: how to reach its SSH stand-in for the management server.\n")
            yaml.safe_dump({"kops_management": {"vars": {"ansible_python_interpreter": self.ssh.python,
                                                         "ansible_ssh_common_args": self.ssh.ssh_common_args,
                                                         "ansible_pipelining": True}}}, handle, sort_keys=True)

    def command_environment(self) -> dict[str, str]:
        """What a command run inside the bed gets on top of the caller's environment."""
        env = dict(self.aws.environment())
        if self.standin_server is not None:
            env.update(self.standin_server.environment())
        env.update({
            "KOPS_STATE_STORE": f"s3://{STATE_BUCKET}",
            "KUBECONFIG": self.path("kube", "config"),
            "TESTBED_DIR": self.dir,
            "TESTBED_MIRROR_URL": self.mirror.url,
            "KOPS_STANDIN_KUBE_API": self.kube_api.url,
            "TESTBED_EXTRA_VARS": self.path("testbed-vars.yml"),
            # The real kubectl the mirror serves (empty: none, only the stand-in; the reason beside it).
            "TESTBED_REAL_KUBECTL": self.real_kubectl.path if self.real_kubectl else "",
            "TESTBED_REAL_KUBECTL_VERSION": self.real_kubectl.version if self.real_kubectl else "",
            "TESTBED_REAL_KUBECTL_MISSING": self.real_kubectl_missing,
        })
        if self.ssh is not None:
            env.update({
                "TESTBED_SSH_HOST": self.ssh.host,
                "TESTBED_SSH_PORT": str(self.ssh.port),
                "TESTBED_SSH_USER": self.ssh.user,
                "TESTBED_SSH_HOME": self.ssh.home,
                "TESTBED_SSH_KEY": self.ssh.key,
                "TESTBED_SSH_KNOWN_HOSTS": self.ssh.known_hosts,
                "TESTBED_SSH_INVENTORY": self.path("ssh-inventory.yml"),
            })
        return env

    def variables(self) -> dict:
        """The vars file: role variables for playbooks and ``testbed_*`` for integration targets."""
        return {
            "kops_aws_region": self.aws.region,
            "kops_aws_endpoint_url": self.aws.url,
            "kops_tools_kops_base_url": f"{self.mirror.url}/kops/releases/download",
            "kops_tools_kubectl_base_url": f"{self.mirror.url}/kubectl/release",
            "kops_tools_install_dir": self.path("tools", "bin"),
            "ssh_keypair_path": self.path("ssh", "id_ed25519"),
            "testbed_dir": self.dir,
            "testbed_aws_endpoint_url": self.aws.url,
            "testbed_region": self.aws.region,
            "testbed_state_store": f"s3://{STATE_BUCKET}",
            "testbed_kops_binary": self.path("bin", "kops"),
            "testbed_kops_binaries": {v: self.path("bin", f"kops-{v}") for v in KOPS_VERSIONS},
            "testbed_mirror_url": self.mirror.url,
            "testbed_kube_api_url": self.kube_api.url,
            "testbed_real_kubectl_version": self.real_kubectl.version if self.real_kubectl else "",
            "testbed_environment": self.command_environment(),
        }

    def stop(self) -> None:
        if self.ssh is not None:
            self.ssh.stop()
            self.ssh = None
        if self.standin_server is not None:
            self.standin_server.stop()
            self.standin_server = None
        if self.kube_api is not None:
            self.kube_api.stop()
            self.kube_api = None
        if self.mirror is not None:
            self.mirror.stop()
            self.mirror = None
        if self.aws is not None:
            self.aws.stop()
            self.aws = None
        if self.dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Testbed":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
