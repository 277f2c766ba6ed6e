"""Test hook: append every stand-in invocation to KOPS_STANDIN_ARGV_LOG.

When KOPS_STANDIN_ARGV_LOG names a file, each run of the stand-in appends one line: a JSON
object with the argv (after ``kops``), the process id and a wall-clock start time. Benchmarks
count kops processes with it. Real kops has no such switch; unset, the stand-in writes nothing.
"""

import json
import os
import time


def record(argv):
    path = os.environ.get("KOPS_STANDIN_ARGV_LOG")
    if not path:
        return
    line = json.dumps({"argv": list(argv), "pid": os.getpid(), "time": time.time()}) + "\n"
    # One write(2) on an O_APPEND descriptor: lines from parallel processes never interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(descriptor, line.encode("utf-8"))
    finally:
        os.close(descriptor)
