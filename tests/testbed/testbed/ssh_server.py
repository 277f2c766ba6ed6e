# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test bed's stand-in for the management server: an OpenSSH server on a free loopback port.

Test infrastructure. ``SshServer`` starts Debian's ``/usr/sbin/sshd`` (package ``openssh-server``,
installed with apt-get when missing and the bed runs as root) on 127.0.0.1, with a throw-away host
key and client key in a scratch directory of its own, for a non-root user it creates for the
occasion (``kopsops-<hex>``, home under /home, removed again at the end), so a play that targets
the provisioned host really runs over SSH as that user::

    with SshServer(environment={"AWS_ENDPOINT_URL": ...}) as server:
        server.host, server.port, server.user, server.key, server.known_hosts, server.python

What the server's sessions need and a real management server would have otherwise:

* ``environment`` is set in every session (sshd_config ``SetEnv``): the bed's AWS endpoint, keys
  and region, ``S3_ENDPOINT`` and ``KOPS_STANDIN_*``. A real server has none of these: its kops and
  amazon.aws modules use the instance profile. The SSH session does not inherit the controller's
  environment, so this is the only way they reach the server.
* ``python`` (the interpreter to give Ansible as ``ansible_python_interpreter``) is a virtualenv in
  the scratch directory, made from a system Python of the same minor version as the repository's
  virtualenv, that reads the repository virtualenv's site-packages (boto3 for amazon.aws and for
  the kops stand-in). The repository's own ``.venv/bin/python`` is a link to an interpreter under
  /root (mode 0700) that the user cannot run, and nothing outside the scratch directory is
  re-permissioned. Where the user cannot read that site-packages either (a clone under /root), the
  few distributions the server side imports are copied into the scratch virtualenv instead.
  ``PATH`` in the sessions starts with ``~/.local/bin`` (where ``kops_tools`` installs for the
  user, as Ubuntu's profile adds it) and then this virtualenv's ``bin``: the kops stand-in is a
  Python zipapp run by ``python3`` from PATH. Real kops is a Go binary and needs no Python.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time

from .processes import stop_process

SSHD = "/usr/sbin/sshd"
PACKAGE = "openssh-server"
HOST = "127.0.0.1"
# The distributions the server side imports (amazon.aws modules, the kops stand-in), copied only when
# the user cannot read the repository's virtualenv.
SERVER_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3",
                        "PyYAML", "packaging", "cryptography", "cffi", "pycparser")
_INSTALL_LOCK = os.path.join(tempfile.gettempdir(), "cloudops-kops-testbed-openssh-install.lock")


class SshBedError(RuntimeError):
    """The SSH bed cannot start; the message says what is missing."""


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if done.returncode != 0:
        raise SshBedError(f"{' '.join(argv)} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done


def ensure_sshd() -> str:
    """/usr/sbin/sshd, installing Debian's openssh-server first when it is missing and we are root."""
    if os.access(SSHD, os.X_OK):
        return SSHD
    if os.geteuid() != 0:
        raise SshBedError(f"{SSHD} is missing: install Debian's {PACKAGE} package "
                          f"(apt-get install --no-install-recommends {PACKAGE}), or run the test bed as root so it installs it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends", PACKAGE]
    # Two beds starting at once install it once.
    with open(_INSTALL_LOCK, "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.access(SSHD, os.X_OK):
            return SSHD
        print(f"test bed: installing Debian's {PACKAGE} for the SSH bed (sshd is missing)", file=sys.stderr)
        first = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
        if first.returncode != 0:
            # A fresh machine has no package lists yet.
            _run(["apt-get", "-o", "DPkg::Lock::Timeout=300", "update"], env=env)
            _run(install, env=env)
    if not os.access(SSHD, os.X_OK):
        raise SshBedError(f"{PACKAGE} is installed but {SSHD} is still missing")
    return SSHD


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class SshServer:
    """sshd on 127.0.0.1:<free port> for a throw-away non-root user; stopped by its own PID."""

    def __init__(self, environment: dict[str, str] | None = None, user_prefix: str = "kopsops",
                 start_timeout: float = 30.0):
        self.environment = dict(environment or {})
        self.user_prefix = user_prefix
        self.start_timeout = start_timeout
        self.host = HOST
        self.dir: str | None = None
        self.user: str | None = None
        self.home: str | None = None
        self.port: int | None = None
        self.process: subprocess.Popen | None = None

    # Paths inside the scratch directory (root's; the user only traverses it to reach `python`).
    def path(self, *parts: str) -> str:
        return os.path.join(self.dir, *parts)

    @property
    def key(self) -> str:
        """The client's private key, authorized for the user."""
        return self.path("client_ed25519")

    @property
    def public_key(self) -> str:
        with open(self.key + ".pub", encoding="utf-8") as handle:
            return handle.read().strip()

    @property
    def known_hosts(self) -> str:
        return self.path("known_hosts")

    @property
    def python(self) -> str:
        return self.path("python", "bin", "python")

    @property
    def ssh_common_args(self) -> str:
        """For ``ansible_ssh_common_args``: trust the throw-away host key and nothing else."""
        return f"-o UserKnownHostsFile={self.known_hosts} -o StrictHostKeyChecking=yes"

    def start(self) -> "SshServer":
        sshd = ensure_sshd()
        if os.geteuid() != 0:
            raise SshBedError("the SSH bed creates a user and runs sshd for it: run it as root")
        self.dir = tempfile.mkdtemp(prefix="cloudops-kops-sshbed-")
        try:
            # Others may traverse (not list) it, to reach the server-side Python.
            os.chmod(self.dir, 0o711)
            self._create_user()
            self._make_keys()
            self._make_python()
            self._launch(sshd)
            self._check_login()
        except BaseException:
            self.stop()
            raise
        return self

    def _create_user(self) -> None:
        name = f"{self.user_prefix}-{secrets.token_hex(3)}"
        # A password of "*" is no password, but not a locked account (sshd refuses those without PAM).
        _run(["useradd", "--create-home", "--shell", "/bin/bash", "--password", "*", name])
        self.user = name
        entry = pwd.getpwnam(name)
        self.uid, self.gid, self.home = entry.pw_uid, entry.pw_gid, entry.pw_dir

    def _make_keys(self) -> None:
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cloudops-kops test bed host key",
              "-f", self.path("ssh_host_ed25519_key")])
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cloudops-kops test bed client key", "-f", self.key])
        with open(self.path("ssh_host_ed25519_key.pub"), encoding="utf-8") as handle:
            host_key = " ".join(handle.read().split()[:2])
        # Written once the port is known (_launch).
        self._host_key = host_key
        ssh_dir = os.path.join(self.home, ".ssh")
        os.makedirs(ssh_dir, mode=0o700, exist_ok=True)
        authorized = os.path.join(ssh_dir, "authorized_keys")
        with open(authorized, "w", encoding="utf-8") as handle:
            handle.write(self.public_key + "\n")
        os.chmod(authorized, 0o600)
        for path in (ssh_dir, authorized):
            os.chown(path, self.uid, self.gid)

    def _run_as_user(self, argv: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(argv, user=self.uid, group=self.gid, extra_groups=[], cwd=self.home,
                              env={"HOME": self.home, "PATH": "/usr/local/bin:/usr/bin:/bin"},
                              capture_output=True, text=True, check=False)

    def _make_python(self) -> None:
        version = "%d.%d" % sys.version_info[:2]
        base = None
        for directory in ("/usr/bin", "/usr/local/bin", "/bin"):
            candidate = os.path.join(directory, "python" + version)
            if os.access(candidate, os.X_OK) and self._run_as_user([candidate, "-c", "pass"]).returncode == 0:
                base = candidate
                break
        if base is None:
            raise SshBedError(f"no python{version} the user {self.user} can run in /usr/bin or /usr/local/bin "
                              f"(the server side needs the repository virtualenv's Python version; Debian: python3)")
        venv = self.path("python")
        _run([base, "-m", "venv", "--without-pip", venv])
        site_packages = self._run_as_user_path(venv)
        repo_paths = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
        probe = self._run_as_user([base, "-c", "import os, sys; sys.exit(0 if all(os.access(p, os.R_OK | os.X_OK) "
                                   "for p in sys.argv[1:]) else 1)", *repo_paths])
        if probe.returncode == 0:
            # The repository's virtualenv, read in place (.pth "import" lines run at start-up).
            with open(os.path.join(site_packages, "cloudops_kops_testbed.pth"), "w", encoding="utf-8") as handle:
                for path in repo_paths:
                    handle.write(f"import site; site.addsitedir({path!r})\n")
        else:
            self._copy_distributions(site_packages)
        for root, dirs, files in os.walk(venv):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
            for name in files:
                path = os.path.join(root, name)
                if not os.path.islink(path):
                    os.chmod(path, os.stat(path).st_mode | 0o444)
        check = self._run_as_user([self.python, "-c", "import boto3, botocore, yaml"])
        if check.returncode != 0:
            raise SshBedError(f"the server-side Python {self.python} cannot import boto3 and yaml as {self.user}: "
                              f"{check.stderr.strip()}")

    @staticmethod
    def _run_as_user_path(venv: str) -> str:
        done = _run([os.path.join(venv, "bin", "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
        return done.stdout.strip()

    @staticmethod
    def _copy_distributions(site_packages: str) -> None:
        for name in SERVER_DISTRIBUTIONS:
            try:
                dist = importlib.metadata.distribution(name)
            except importlib.metadata.PackageNotFoundError:
                continue
            tops = {str(f).split("/", 1)[0] for f in dist.files or [] if not str(f).startswith("..")}
            for top in tops:
                source = str(dist.locate_file(top))
                target = os.path.join(site_packages, top)
                if os.path.isdir(source) and not os.path.exists(target):
                    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
                elif os.path.isfile(source) and not os.path.exists(target):
                    shutil.copy2(source, target)

    def _config(self) -> str:
        env = " ".join(f"{k}={v}" for k, v in sorted(self.session_environment().items()))
        return "\n".join([
            "# cloudops.kops test bed: the stand-in for the management server (test infrastructure).",
            f"ListenAddress {self.host}",
            f"Port {self.port}",
            f"HostKey {self.path('ssh_host_ed25519_key')}",
            f"PidFile {self.path('sshd.pid')}",
            "AuthorizedKeysFile .ssh/authorized_keys",
            f"AllowUsers {self.user}",
            "PermitRootLogin no",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            # No PAM stack in a container; the account has password "*", not locked.
            "UsePAM no",
            # The user's ~/.ssh and authorized_keys are made as sshd wants them (0700/0600, the user's).
            "StrictModes yes",
            "PermitUserEnvironment no",
            "X11Forwarding no",
            "AllowTcpForwarding no",
            "PrintMotd no",
            # Ansible copies files with sftp (falls back to scp); the in-process server needs no binary.
            "Subsystem sftp internal-sftp",
            "LogLevel VERBOSE",
            f"SetEnv {env}" if env else "",
            "",
        ])

    def session_environment(self) -> dict[str, str]:
        """``environment`` (``$HOME`` in a value is the user's home), then PATH."""
        env = {k: v.replace("$HOME", self.home) for k, v in self.environment.items() if " " not in v and '"' not in v}
        env["PATH"] = ":".join([os.path.join(self.home, ".local", "bin"), os.path.dirname(self.python),
                                "/usr/local/bin", "/usr/bin", "/bin"])
        return env

    def _launch(self, sshd: str) -> None:
        # sshd wants its privilege separation directory (made by the service scripts, absent in a container).
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        last_error = "not started"
        for _attempt in range(5):
            self.port = free_port(self.host)
            with open(self.path("sshd_config"), "w", encoding="utf-8") as handle:
                handle.write(self._config())
            with open(self.known_hosts, "w", encoding="utf-8") as handle:
                handle.write(f"[{self.host}]:{self.port} {self._host_key}\n")
            _run([sshd, "-t", "-f", self.path("sshd_config")])
            self.process = subprocess.Popen([sshd, "-D", "-f", self.path("sshd_config"), "-E", self.path("sshd.log")],
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            last_error = self._wait_banner()
            if last_error is None:
                return
            self._stop_sshd()
        raise SshBedError(f"sshd did not start on {self.host}: {last_error} (log: {self.path('sshd.log')})")

    def _wait_banner(self) -> str | None:
        deadline = time.monotonic() + self.start_timeout
        error = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"sshd exited with status {self.process.returncode}"
            try:
                with socket.create_connection((self.host, self.port), timeout=2) as sock:
                    if sock.recv(64).startswith(b"SSH-"):
                        return None
            except OSError as exc:
                error = str(exc)
            time.sleep(0.1)
        return error

    def ssh_argv(self, *command: str) -> list[str]:
        """``ssh`` to the user on this server, with the bed's key and host key."""
        return ["ssh", "-i", self.key, "-p", str(self.port), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes",
                f"{self.user}@{self.host}", *command]

    def _check_login(self) -> None:
        done = subprocess.run(self.ssh_argv("id -un"), capture_output=True, text=True, timeout=30, check=False)
        if done.returncode != 0 or done.stdout.strip() != self.user:
            raise SshBedError(f"ssh {self.user}@{self.host}:{self.port} failed (exit {done.returncode}): "
                              f"{done.stderr.strip()} (log: {self.path('sshd.log')})")

    def _stop_sshd(self) -> None:
        stop_process(self.process)
        self.process = None

    def _user_processes(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == self.uid:
                        pids.append(int(entry))
                except OSError:
                    continue
        return pids

    def stop(self) -> None:
        self._stop_sshd()
        if self.user is not None:
            # What the user's sessions left running (every one of them started through this sshd), by PID.
            for pid in self._user_processes():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            deadline = time.monotonic() + 5
            while self._user_processes() and time.monotonic() < deadline:
                time.sleep(0.1)
            done = subprocess.run(["userdel", "--remove", self.user], capture_output=True, text=True, check=False)
            if done.returncode not in (0, 12):  # 12: the mail spool was missing
                print(f"test bed: userdel {self.user} failed: {done.stderr.strip()}", file=sys.stderr)
            self.user = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> "SshServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
