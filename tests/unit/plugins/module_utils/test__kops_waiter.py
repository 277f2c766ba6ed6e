# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._kops_waiter import Waiter


@pytest.mark.parametrize('kwargs', [
    dict(timeout=-1, interval=1),
    dict(timeout=10, interval=0),
    dict(timeout=10, interval=1, successes=0),
])
def test_rejects_impossible_settings(kwargs):
    with pytest.raises(ValueError):
        Waiter(**kwargs)


def test_keeps_the_budget():
    waiter = Waiter(600, 30, successes=2)
    assert (waiter.timeout, waiter.interval, waiter.successes) == (600, 30, 2)


def test_uses_the_monotonic_clock_by_default(monkeypatch):
    from ansible_collections.cloudops.kops.plugins.module_utils import _kops_waiter

    slept = []

    class FakeTime(object):
        @staticmethod
        def monotonic():
            return 1000.0 + sum(slept)

        @staticmethod
        def sleep(seconds):
            slept.append(seconds)

        @staticmethod
        def time():
            raise AssertionError('wall-clock time must not drive the deadline')

    monkeypatch.setattr(_kops_waiter, 'time', FakeTime)
    waiter = Waiter(30, 5)
    assert waiter.now() == 1000.0
    waiter.pause(5)
    assert slept == [5]
    assert waiter.now() == 1005.0
