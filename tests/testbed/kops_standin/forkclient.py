"""The stand-in executable's side of ``forkserver`` (TEST INFRASTRUCTURE, not kops).

Imports nothing heavy: when ``KOPS_STANDIN_FORK_SERVER`` names a socket this process can reach, it
hands the command to the bed's warm server and exits the way the command ended; otherwise
``delegate`` returns None and the caller runs the command itself.
"""

import json
import os
import signal
import socket
import struct
import sys

HEADER = struct.Struct("!I")  # the request body's length, before the body (forkserver reads it)


def delegate(argv, baked_version=None):
    """Run ``argv`` (``sys.argv``) in the fork server; its exit code, or None when there is no server."""
    path = os.environ.get("KOPS_STANDIN_FORK_SERVER")
    if not path:
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None  # not started, stopped, or another user's: run here
    body = json.dumps({"argv": list(argv), "env": dict(os.environ), "cwd": os.getcwd(),
                       "umask": _umask(), "baked_version": baked_version}).encode("utf-8")
    message = HEADER.pack(len(body)) + body
    try:
        sent = socket.send_fds(conn, [message[:65536]], [0, 1, 2])
        # Only what is left: sendall(b"") still makes one send(), which fails with EPIPE once a quick
        # command has ended and the server has hung up; running it here again would double its output.
        if sent < len(message):
            conn.sendall(message[sent:])
    except OSError:
        conn.close()
        return None  # the server never had the whole request, so it ran nothing: run it here
    reply = b""
    try:
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    except OSError:
        reply = b""  # reset: the server died; whether it ran the command is unknown, so it is not run here
    finally:
        conn.close()
    try:
        outcome = json.loads(reply.decode("utf-8"))
    except ValueError:
        sys.stderr.write("Error: kops stand-in internal error: the test bed's fork server ended without a result\n")
        return 1
    if "signal" in outcome:
        if outcome["signal"] not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(outcome["signal"], signal.SIG_DFL)
        os.kill(os.getpid(), outcome["signal"])
    return outcome.get("code", 1)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
