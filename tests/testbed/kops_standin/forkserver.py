"""Test-bed speed-up: run stand-in commands in forks of one warm process (TEST INFRASTRUCTURE, not kops).

Most of a stand-in run is Python importing boto3/botocore and loading AWS service models, about 0.3 s
of CPU per kops command; a ``make test`` starts thousands. The test bed starts one server
(``python -m kops_standin.forkserver SOCKET``) that has done that work once, and sets
``KOPS_STANDIN_FORK_SERVER`` to its Unix socket (unless ``TESTBED_FORK_SERVER=0``, see testbed/bed.py).
The stand-in executable (``forkclient``) sends its argv, environment, working directory, umask and its
stdin/stdout/stderr file descriptors; the server forks, the fork becomes that command (same descriptors,
environment and directory) and runs the stand-in's ``cli.main``; the client then exits the way the fork
did: the same exit code, or killed by the same signal (``KOPS_STANDIN_KILL_AT`` SIGKILLs, so the caller
still sees -9). When the client dies first (a timeout, a signal), the server kills the command. Without
the variable, or when the socket cannot be reached (another user, a stopped bed), the stand-in runs in
its own process as before, so what kops prints and does is the same either way;
tests/contract/test_standin_forkserver.py checks it.
"""

import gc
import json
import os
import select
import signal
import socket
import sys

from kops_standin.forkclient import HEADER

# What every command needs; imported once here, so that a fork starts with it.
_WARM_IMPORTS = ("boto3", "botocore.session", "botocore.client", "botocore.exceptions", "yaml",
                 "kops_standin.cli", "kops_standin.context", "kops_standin.model", "kops_standin.statestore",
                 "kops_standin.cloud", "kops_standin.output", "kops_standin.pki", "kops_standin.sshkeys")
_SERVICES = ("s3", "ec2", "autoscaling", "elb", "elbv2", "iam")
_WARM_LOADER = []
MAX_REQUEST = 16 * 1024 * 1024


def warm_up():
    import importlib
    import pkgutil

    for name in _WARM_IMPORTS:
        importlib.import_module(name)
    from kops_standin import commands

    for info in pkgutil.iter_modules(commands.__path__):
        importlib.import_module("kops_standin.commands." + info.name)
    # Parse each service's model once, into a data loader every fork's own session shares (as the contract
    # suite's in-process runs do); dummy credentials and endpoint keep the server's environment out of it.
    import botocore.session

    session = botocore.session.get_session()
    for service in _SERVICES:
        session.create_client(service, region_name="us-east-1", aws_access_key_id="warm-up",
                              aws_secret_access_key="warm-up", endpoint_url="http://127.0.0.1:9")
    _WARM_LOADER.append(session.get_component("data_loader"))


def read_request(conn):
    """The client's request (a dict) and the three descriptors sent with it."""
    data, fds, _flags, _addr = socket.recv_fds(conn, 65536, 3)
    if len(fds) != 3 or len(data) < HEADER.size:
        raise ValueError("a request needs a length, a JSON body and three descriptors")
    (length,) = HEADER.unpack_from(data)
    if length > MAX_REQUEST:
        raise ValueError("request too large")
    body = data[HEADER.size:]
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            raise ValueError("the client went away mid-request")
        body += chunk
    return json.loads(body.decode("utf-8")), fds


def become_command(request, fds):
    """In the fork: take over the client's descriptors, environment and directory, and run the command."""
    for number, fd in enumerate(fds):
        os.dup2(fd, number)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    # Fresh buffered text streams over descriptors 0-2, as a new interpreter opens them (UTF-8, as in the
    # bed). Buffered: a text stream straight over a raw file drops what a short write to a pipe left out.
    sys.stdin = open(0, "r", encoding="utf-8", errors="surrogateescape", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", errors="surrogateescape", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    sys.argv = list(request["argv"])
    # A fresh boto3 session: credentials, region and endpoint come from this command's environment.
    import boto3
    import botocore.session

    session = botocore.session.get_session()
    if _WARM_LOADER:
        session.register_component("data_loader", _WARM_LOADER[0])
    boto3.setup_default_session(botocore_session=session)
    from kops_standin import version

    if request.get("baked_version"):
        version.BAKED_VERSION = request["baked_version"]
    from kops_standin.cli import main

    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def supervise(conn, pid):
    """Wait for the command or for the client to go away; tell the client how the command ended."""
    poller = select.poll()
    poller.register(conn, select.POLLIN | select.POLLHUP)
    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None  # Linux 5.3+
    if pidfd is not None:
        poller.register(pidfd, select.POLLIN)
    while True:
        ready = dict(poller.poll(None if pidfd is not None else 50))
        if pidfd in ready:
            status = os.waitpid(pid, 0)[1]
            break
        if pidfd is None:
            ended, status = os.waitpid(pid, os.WNOHANG)
            if ended:
                break
        if conn.fileno() in ready:
            # The client only ever sends the request: anything now means it is gone.
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return
    if os.WIFSIGNALED(status):
        outcome = {"signal": os.WTERMSIG(status)}
    else:
        outcome = {"code": os.WEXITSTATUS(status)}
    try:
        conn.sendall(json.dumps(outcome).encode("utf-8"))
    except OSError:
        pass


def handle(conn):
    """In a fork of the server: one client, one command."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        request, fds = read_request(conn)
    except (OSError, ValueError):
        return
    pid = os.fork()
    if pid == 0:
        conn.close()
        code = 1
        try:
            code = become_command(request, fds)
        finally:
            os._exit(code if isinstance(code, int) else 1)
    for fd in fds:
        os.close(fd)
    supervise(conn, pid)


def serve(path):
    warm_up()
    # Every command is a fork of this process. Unfrozen, a fork's garbage collections walk (and so copy,
    # page by page) the warm imports and service models: measured in a bed, a third more CPU per command
    # (`update cluster` 0.29 s against 0.20, `get all` 0.09 against 0.06) and half again the page faults.
    gc.collect()
    gc.freeze()
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o077)  # the owner only: another user's stand-in runs on its own instead
    try:
        listener.bind(path)
    finally:
        os.umask(old_umask)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # handlers reap themselves
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        while True:
            try:
                conn, _addr = listener.accept()
            except InterruptedError:
                continue
            if os.fork() == 0:
                listener.close()
                try:
                    handle(conn)
                finally:
                    os._exit(0)
            conn.close()
    finally:
        listener.close()
        if os.path.exists(path):
            os.unlink(path)


if __name__ == "__main__":
    serve(sys.argv[1])
