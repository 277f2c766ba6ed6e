"""The test bed's fork server (kops_standin/forkserver.py) changes nothing kops prints or does.

The bed runs every stand-in command in a fork of one warm process to save the interpreter and boto3
start-up. Through it, a command must end exactly as it does in a process of its own: same stdout,
stderr and exit code, the caller's stdin, working directory and environment (baked version
included), a SIGKILL kill point seen as -9, a killed caller taking its command down, and no server
(or one the user cannot reach) meaning the command runs on its own. A server that dies before it sends
a result is exit code 1 and one line on stderr, never a Python traceback.
"""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from kops_standin import forkclient, forkserver
from kops_standin.build import build_zipapp
from testbed.standin_server import StandinForkServer

NAME = "forkserver.k8s.local"
STATE = ["--state", "s3://fleetman-kops-state"]


@pytest.fixture
def served(bed_factory, tmp_path):
    """A bed, a kops 1.30.1 zipapp (baked version), its fork server, a runner with or without it, an SSH key."""
    bed = bed_factory("1.30.1", inprocess=False)
    kops = build_zipapp(str(tmp_path / "kops-1.30.1"), "1.30.1")
    server = StandinForkServer(str(tmp_path / "standin.sock"), log_path=str(tmp_path / "server.log")).start()
    env = bed.base_env()
    del env["KOPS_STANDIN_VERSION"]  # the zipapp's baked version must reach the fork
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")

    def run(args, via_server=True, stdin=None, extra=None):
        full = dict(env, **(extra or {}))
        if via_server:
            full.update(server.environment())
        done = subprocess.run([kops] + args, env=full, input=stdin, capture_output=True, text=True, check=False,
                              cwd=str(tmp_path), timeout=120)
        return done.returncode, done.stdout, done.stderr

    key = ed25519.Ed25519PrivateKey.generate().public_key()
    (tmp_path / "id.pub").write_bytes(key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH))
    yield run, server, kops, env, tmp_path
    server.stop()


def test_same_output_exit_code_and_baked_version(served):
    run, _server, _kops, _env, tmp_path = served
    assert run(["version"]) == run(["version"], via_server=False) == (0, "Client version: 1.30.1 (git-v1.30.1)\n", "")
    # An error, a usage error and a command that reads the caller's working directory (a relative path).
    for args in (["get", "clusters", NAME] + STATE, ["get", "clusters", "--no-such-flag"] + STATE):
        assert run(args) == run(args, via_server=False)
    rc, _out, err = run(["create", "cluster", "--name", NAME, "--zones", "us-west-2a", "--ssh-public-key", "id.pub"]
                        + STATE)
    assert rc == 0, err
    for args in (["get", "all", "--name", NAME, "-o", "json"] + STATE, ["get", "sshpublickeys", "--name", NAME] + STATE):
        assert run(args) == run(args, via_server=False)
    # stdin reaches the fork: the spec read back is replaced from "-".
    rc, spec, err = run(["get", "cluster", NAME, "-o", "yaml"] + STATE)
    assert rc == 0, err
    assert run(["replace", "-f", "-"] + STATE, stdin=spec)[0] == 0


def test_a_kill_point_is_a_sigkill_for_the_caller(served):
    run, _server, _kops, _env, tmp_path = served
    rc, _out, _err = run(["create", "cluster", "--name", NAME, "--zones", "us-west-2a", "--ssh-public-key", "id.pub"]
                         + STATE, extra={"KOPS_STANDIN_KILL_AT": "create-after-config"})
    assert rc == -signal.SIGKILL


def test_a_killed_caller_takes_its_command_down(served):
    run, server, kops, env, tmp_path = served
    rc, _out, err = run(["create", "cluster", "--name", NAME, "--zones", "us-west-2a", "--ssh-public-key", "id.pub"]
                        + STATE)
    assert rc == 0, err
    rc, _out, err = run(["update", "cluster", "--name", NAME, "--yes", "--admin"] + STATE)  # kops 1.30 validates through it
    assert rc == 0, err
    log = tmp_path / "argv.log"
    full = dict(env, KOPS_STANDIN_ARGV_LOG=str(log), KOPS_STANDIN_BOOT_SECONDS="600", **server.environment())
    # The nodes take 10 minutes to boot: kops keeps retrying until --wait runs out; the caller is killed long before.
    caller = subprocess.Popen([kops, "validate", "cluster", "--name", NAME, "--wait", "10m", "--interval", "1s"] + STATE,
                              env=full, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "validate.err", "w"))
    deadline = time.monotonic() + 30
    while not (log.exists() and log.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    command_pid = json.loads(log.read_text().splitlines()[0])["pid"]
    assert command_pid != caller.pid  # it ran in the server's fork
    time.sleep(0.5)
    assert caller.poll() is None and os.path.exists("/proc/%d" % command_pid)  # still waiting for the cluster
    caller.send_signal(signal.SIGTERM)
    caller.wait(timeout=10)
    deadline = time.monotonic() + 10
    while os.path.exists("/proc/%d" % command_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists("/proc/%d" % command_pid)


def test_without_a_reachable_server_the_command_runs_on_its_own(served, tmp_path):
    run, server, _kops, _env, _tmp = served
    missing = {"KOPS_STANDIN_FORK_SERVER": str(tmp_path / "no-such.sock")}
    assert run(["version"], via_server=False, extra=missing) == (0, "Client version: 1.30.1 (git-v1.30.1)\n", "")
    server.stop()
    assert run(["version"])[0] == 0


def _one_connection_server(tmp_path, monkeypatch, serve):
    """A fake fork server on a socket of its own that hands its one connection to ``serve`` and ends; the
    client's send returns only once ``serve`` has ended, as when the client loses the CPU right after it.
    Returns the listening socket (close it after the client call)."""
    path = str(tmp_path / "one.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def accept_and_serve():
        conn, _addr = listener.accept()
        serve(conn)
        conn.close()

    server = threading.Thread(target=accept_and_serve, daemon=True)
    server.start()
    real_send_fds = socket.send_fds

    def send_then_lose_the_cpu(*args, **kwargs):
        sent = real_send_fds(*args, **kwargs)
        server.join(10)
        return sent

    monkeypatch.setattr(socket, "send_fds", send_then_lose_the_cpu)
    monkeypatch.setenv("KOPS_STANDIN_FORK_SERVER", path)
    return listener


def _read_request(conn):
    request, fds = forkserver.read_request(conn)
    for fd in fds:
        os.close(fd)
    return request


def test_a_command_the_server_ran_is_not_run_again(tmp_path, monkeypatch):
    """A quick command can end, and the server hang up, before the client is scheduled again after sending
    its request. The client must then report that command's end, not run it a second time on its own (both
    runs would write to the same stdout: `kops version --short` printed the version twice under load)."""
    requests = []

    def run_quickly_and_hang_up(conn):
        requests.append(_read_request(conn)["argv"])
        conn.sendall(json.dumps({"code": 7}).encode("utf-8"))

    listener = _one_connection_server(tmp_path, monkeypatch, run_quickly_and_hang_up)
    try:
        assert forkclient.delegate(["kops", "version", "--short"]) == 7  # None would mean "run it here again"
    finally:
        listener.close()
    assert requests == [["kops", "version", "--short"]]


@pytest.mark.parametrize("reads_request", [True, False], ids=["hangs-up", "resets"])
def test_a_server_that_dies_mid_command_is_an_error_not_a_traceback(tmp_path, monkeypatch, capsys, reads_request):
    """The server (or the fork running the command) dies before it sends a result: the caller gets exit code 1
    and one line on stderr, whether the connection ends cleanly or is reset (a server that dies with the
    request still unread resets it on Linux). Not a kops text: the bed failed, not kops."""

    def die(conn):
        if reads_request:
            _read_request(conn)
        else:
            # The whole request has arrived, unread: closing now resets the connection. (Closing before it
            # arrives would fail the client's send instead, which is the "never had the request" case.)
            select.select([conn], [], [], 10)

    listener = _one_connection_server(tmp_path, monkeypatch, die)
    try:
        assert forkclient.delegate(["kops", "get", "clusters"]) == 1
    finally:
        listener.close()
    err = capsys.readouterr().err
    assert err == "Error: kops stand-in internal error: the test bed's fork server ended without a result\n"
