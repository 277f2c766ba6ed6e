# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Poll a probe until it succeeds enough times in a row, fails for good, or time runs out.

The waiter never raises on timeout: it hands back the last value the probe produced,
so the caller can fail with the state the cluster was last seen in.
"""

from __future__ import annotations

import re
import time
from collections import namedtuple

# What a probe says about one attempt.
SUCCESS = 'success'
RETRY = 'retry'
FATAL = 'fatal'

# How the whole wait ended.
DONE = 'done'
TIMEOUT = 'timeout'
ABORTED = 'aborted'

WaitOutcome = namedtuple('WaitOutcome', 'status value attempts elapsed streak')
"""status: DONE, TIMEOUT or ABORTED; value: what the last attempt returned;
attempts: how many attempts ran; elapsed: seconds since the first attempt started;
streak: consecutive successes at the end."""


class Waiter(object):
    """Run ``probe()`` every ``interval`` seconds for at most ``timeout`` seconds.

    ``probe`` returns ``(verdict, value)`` with verdict SUCCESS, RETRY or FATAL.
    The wait is DONE after ``successes`` consecutive SUCCESS verdicts and ABORTED at the
    first FATAL one. No attempt starts after the deadline, and attempts are always a
    full ``interval`` apart, so consecutive successes really are spread over time.
    ``clock`` and ``sleep`` are injectable so tests need not wait.
    """

    def __init__(self, timeout, interval, successes=1, clock=None, sleep=None):
        if timeout < 0:
            raise ValueError('timeout must not be negative')
        if interval <= 0:
            raise ValueError('interval must be positive')
        if successes < 1:
            raise ValueError('successes must be at least 1')
        self.timeout = timeout
        self.interval = interval
        self.successes = successes
        # Resolved here rather than in the signature so tests can swap this module's ``time``.
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep

    def wait(self, probe):
        start = self._clock()
        deadline = start + self.timeout
        attempts = 0
        streak = 0
        while True:
            verdict, value = probe()
            attempts += 1
            now = self._clock()
            elapsed = now - start
            if verdict == FATAL:
                return WaitOutcome(ABORTED, value, attempts, elapsed, streak)
            if verdict == SUCCESS:
                streak += 1
            elif verdict == RETRY:
                streak = 0
            else:
                raise ValueError('probe returned unknown verdict %r' % (verdict,))
            if streak >= self.successes:
                return WaitOutcome(DONE, value, attempts, elapsed, streak)
            if now + self.interval > deadline:
                return WaitOutcome(TIMEOUT, value, attempts, elapsed, streak)
            self._sleep(self.interval)


# -- durations -----------------------------------------------------------------
# Users write timeouts the way kops and kubectl do (Go durations such as 15m or 1h30m);
# a bare number means seconds, as Ansible's own timeouts do.

_GO_UNITS = {'ns': 1e-9, 'us': 1e-6, '\u00b5s': 1e-6, '\u03bcs': 1e-6, 'ms': 1e-3, 's': 1.0, 'm': 60.0, 'h': 3600.0}
_GO_PART = re.compile(r'(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)')
_NUMBER = re.compile(r'^\d+(?:\.\d*)?$')


def parse_go_duration(text):
    """Seconds in a Go duration string (``18h``, ``1h30m``, ``87600h``, ``0``); ValueError otherwise."""
    text = str(text).strip()
    if text == '0':
        return 0.0
    position, total = 0, 0.0
    while position < len(text):
        match = _GO_PART.match(text, position)
        if not match:
            raise ValueError('%r is not a Go duration (examples: 18h, 1h30m, 900s)' % (text,))
        total += float(match.group(1)) * _GO_UNITS[match.group(2)]
        position = match.end()
    if not text:
        raise ValueError('an empty string is not a duration')
    return total


def parse_duration(value):
    """Seconds in ``900``, ``900s``, ``15m`` or ``1h30m``; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError('%r is not a duration' % (value,))
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif _NUMBER.match(str(value).strip()):
        seconds = float(str(value).strip())
    else:
        seconds = parse_go_duration(value)
    if seconds < 0:
        raise ValueError('a duration must not be negative')
    return seconds


def duration_option(module, name, parse=parse_duration):
    """Seconds in the module option ``name``; a bad value fails the module, naming the option."""
    try:
        return parse(module.params[name])
    except ValueError as exc:
        module.fail_json(msg='%s: %s' % (name, exc))


def format_duration(seconds):
    """``900`` -> ``15m``, ``5400`` -> ``1h30m``, ``0.5`` -> ``0.5s`` (for messages)."""
    whole = int(seconds)
    if whole != seconds or whole == 0:
        return '%gs' % seconds
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [('%dh' % hours) if hours else '', ('%dm' % minutes) if minutes else '', ('%ds' % secs) if secs else '']
    return ''.join(parts)
