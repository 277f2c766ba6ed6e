# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""The verdicts of one validation attempt, the ways a wait ends, and the wait's budget and clock.

kops_validate runs the attempts itself (it lets kops do part of the waiting, and starts attempts
``interval`` apart, start to start); this module holds what that loop and its tests share.
"""

from __future__ import annotations

import time

# What a probe says about one attempt.
SUCCESS = 'success'
RETRY = 'retry'
FATAL = 'fatal'

# How the whole wait ended.
DONE = 'done'
TIMEOUT = 'timeout'
ABORTED = 'aborted'


class Waiter(object):
    """A wait of at most ``timeout`` seconds, attempts ``interval`` seconds apart, done after ``successes``
    consecutive successful attempts; ``clock`` and ``sleep`` are injectable so tests need not wait."""

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
        """The waiter's clock (monotonic seconds)."""
        return self._clock()

    def pause(self, seconds):
        """Sleep on the waiter's clock."""
        self._sleep(seconds)
