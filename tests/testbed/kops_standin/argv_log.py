"""Test hooks: log every stand-in invocation (KOPS_STANDIN_ARGV_LOG) and how long it ran (KOPS_STANDIN_TIME_LOG).

When KOPS_STANDIN_ARGV_LOG names a file, each run of the stand-in appends one line at its start: a
JSON object with the argv (after ``kops``), the process id and a wall-clock start time. Benchmarks
and tests count kops processes with it.

When KOPS_STANDIN_TIME_LOG names a file, each run that ends normally also appends one line there
when it exits: the argv, the process id and ``seconds``, the wall time from the process's start
(interpreter start-up included, read from /proc where there is one). Benchmarks split a playbook's
time into kops's share and Ansible's with it. A process the fork server forks, or one killed by a
signal, writes no such line.

Real kops has neither switch; unset, the stand-in writes nothing.
"""

import atexit
import json
import os
import time


def record(argv):
    path = os.environ.get("KOPS_STANDIN_ARGV_LOG")
    if path:
        _append(path, {"argv": list(argv), "pid": os.getpid(), "time": time.time()})
    time_path = os.environ.get("KOPS_STANDIN_TIME_LOG")
    if time_path:
        started = _process_start()
        atexit.register(lambda: _append(time_path, {"argv": list(argv), "pid": os.getpid(),
                                                    "seconds": round(time.time() - started, 3)}))


def _append(path, entry):
    line = json.dumps(entry) + "\n"
    # One write(2) on an O_APPEND descriptor: lines from parallel processes never interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(descriptor, line.encode("utf-8"))
    finally:
        os.close(descriptor)


def _process_start():
    """When this process started (epoch seconds), so the interpreter's own start-up counts as kops's time."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            # Field 22, after the parenthesised command name (which may hold spaces): clock ticks since boot.
            ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return time.time()
    return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
