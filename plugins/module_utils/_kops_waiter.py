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

    def now(self):
        """The waiter's clock (monotonic seconds), for callers that time their own steps."""
        return self._clock()

    def pause(self, seconds):
        """Sleep on the waiter's clock."""
        self._sleep(seconds)

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
