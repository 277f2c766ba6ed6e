"""Errors and klog-style log lines, printed the way kops/cobra print them."""

import datetime
import os
import sys


class KopsError(Exception):
    """A failure that kops reports as ``Error: <msg>`` with exit code 1."""

    def __init__(self, msg, usage=None):
        super().__init__(msg)
        self.msg = msg
        self.usage = usage  # cobra prints usage only for flag/argument errors


def klog(level, where, msg):
    """Write one klog line (``I1121 09:37:37.460198   27227 file.go:123] msg``) to stderr."""
    now = datetime.datetime.now()
    stamp = now.strftime("%m%d %H:%M:%S.%f")
    sys.stderr.write("%s%s %7d %s] %s\n" % (level, stamp, os.getpid(), where, msg))
    sys.stderr.flush()


def info(where, msg):
    klog("I", where, msg)


def warn(where, msg):
    klog("W", where, msg)
