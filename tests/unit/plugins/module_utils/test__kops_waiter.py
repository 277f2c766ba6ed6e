# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._kops_waiter import (
    ABORTED,
    DONE,
    FATAL,
    RETRY,
    SUCCESS,
    TIMEOUT,
    Waiter,
)


class FakeClock(object):
    """Time only moves when someone sleeps or an attempt takes time."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def scripted(clock, verdicts, attempt_seconds=0.0):
    """A probe that returns the given verdicts in order and records when it ran."""
    calls = []

    def probe():
        calls.append(clock.now)
        clock.now += attempt_seconds
        verdict = verdicts[len(calls) - 1]
        return verdict, 'result-%d' % len(calls)
    return probe, calls


def test_success_at_first_attempt_does_not_sleep():
    clock = FakeClock()
    probe, calls = scripted(clock, [SUCCESS])
    outcome = Waiter(60, 10, clock=clock.clock, sleep=clock.sleep).wait(probe)
    assert outcome.status == DONE
    assert outcome.value == 'result-1'
    assert outcome.attempts == 1
    assert clock.sleeps == []


def test_retries_every_interval_until_success():
    clock = FakeClock()
    probe, calls = scripted(clock, [RETRY, RETRY, SUCCESS])
    outcome = Waiter(60, 10, clock=clock.clock, sleep=clock.sleep).wait(probe)
    assert outcome.status == DONE
    assert outcome.attempts == 3
    assert calls == [1000.0, 1010.0, 1020.0]
    assert outcome.elapsed == 20.0


def test_timeout_returns_the_last_result_and_never_starts_after_the_deadline():
    clock = FakeClock()
    probe, calls = scripted(clock, [RETRY] * 10)
    outcome = Waiter(25, 10, clock=clock.clock, sleep=clock.sleep).wait(probe)
    assert outcome.status == TIMEOUT
    # 0, 10, 20 start in time; 30 would be after the 25 s deadline.
    assert calls == [1000.0, 1010.0, 1020.0]
    assert outcome.value == 'result-3'
    assert outcome.attempts == 3


def test_deadline_counts_the_time_attempts_take():
    clock = FakeClock()
    probe, calls = scripted(clock, [RETRY] * 10, attempt_seconds=4.0)
    outcome = Waiter(30, 10, clock=clock.clock, sleep=clock.sleep).wait(probe)
    assert outcome.status == TIMEOUT
    # each attempt takes 4 s and is followed by a 10 s pause: starts at 0, 14, 28
    assert calls == [1000.0, 1014.0, 1028.0]
    assert outcome.elapsed == 32.0


def test_zero_timeout_means_exactly_one_attempt():
    clock = FakeClock()
    probe, calls = scripted(clock, [RETRY, SUCCESS])
    outcome = Waiter(0, 10, clock=clock.clock, sleep=clock.sleep).wait(probe)
    assert outcome.status == TIMEOUT
    assert len(calls) == 1
    assert clock.sleeps == []


def test_needs_consecutive_successes():
    clock = FakeClock()
    probe, calls = scripted(clock, [SUCCESS, RETRY, SUCCESS, SUCCESS, SUCCESS])
    outcome = Waiter(100, 10, successes=3, clock=clock.clock, sleep=clock.sleep).wait(probe)
    assert outcome.status == DONE
    assert outcome.attempts == 5
    assert outcome.streak == 3
    assert calls == [1000.0, 1010.0, 1020.0, 1030.0, 1040.0]


def test_timeout_reports_the_streak_reached():
    clock = FakeClock()
    probe, calls = scripted(clock, [RETRY, SUCCESS, SUCCESS, SUCCESS])
    outcome = Waiter(20, 10, successes=3, clock=clock.clock, sleep=clock.sleep).wait(probe)
    assert outcome.status == TIMEOUT
    assert outcome.streak == 2
    assert outcome.value == 'result-3'


def test_fatal_stops_at_once():
    clock = FakeClock()
    probe, calls = scripted(clock, [RETRY, FATAL, SUCCESS])
    outcome = Waiter(600, 10, clock=clock.clock, sleep=clock.sleep).wait(probe)
    assert outcome.status == ABORTED
    assert outcome.value == 'result-2'
    assert outcome.attempts == 2
    assert clock.sleeps == [10]


def test_unknown_verdict_is_a_programming_error():
    clock = FakeClock()
    probe, calls = scripted(clock, ['maybe'])
    with pytest.raises(ValueError, match='unknown verdict'):
        Waiter(10, 1, clock=clock.clock, sleep=clock.sleep).wait(probe)


@pytest.mark.parametrize('kwargs', [
    dict(timeout=-1, interval=1),
    dict(timeout=10, interval=0),
    dict(timeout=10, interval=1, successes=0),
])
def test_rejects_impossible_settings(kwargs):
    with pytest.raises(ValueError):
        Waiter(**kwargs)


def test_uses_the_monotonic_clock_by_default(monkeypatch):
    from ansible_collections.cloudops.kops.plugins.module_utils import _kops_waiter

    clock = FakeClock()

    class FakeTime(object):
        monotonic = staticmethod(clock.clock)
        sleep = staticmethod(clock.sleep)

        @staticmethod
        def time():
            raise AssertionError('wall-clock time must not drive the deadline')

    monkeypatch.setattr(_kops_waiter, 'time', FakeTime)
    probe, calls = scripted(clock, [RETRY, SUCCESS])
    assert Waiter(30, 5).wait(probe).status == DONE
    assert clock.sleeps == [5]
