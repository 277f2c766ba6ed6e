# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import (
    duration_option,
    format_go_duration,
    parse_duration,
    parse_go_duration,
)


@pytest.mark.parametrize('value, seconds', [
    (600, 600.0), ('600', 600.0), (' 600 ', 600.0), ('+600', 600.0),
    ('15m', 900.0), ('900s', 900.0), ('1h30m', 5400.0), ('87600h', 315360000.0), ('1.5h', 5400.0),
    ('500ms', 0.5), ('2m30s', 150.0), ('1h0m0s', 3600.0), (1.5, 1.5),
])
def test_parse_duration(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize('zero', [0, '0', '', '  ', None, '0s', '0h0m', 0.0])
def test_zero_and_empty_are_the_same_zero_duration(zero):
    assert parse_duration(zero) == 0.0


@pytest.mark.parametrize('value', [-1, '-1', '-5m', '-0.5s', -0.5])
def test_negative_durations_are_rejected(value):
    with pytest.raises(ValueError, match='negative'):
        parse_duration(value)


@pytest.mark.parametrize('value', ['15 m', '1d', 'abc', 'm', '10x', '1h 30m', '5e3', True, False, [], {},
                                   float('nan'), float('inf'), '0x10'])
def test_garbage_is_rejected(value):
    with pytest.raises(ValueError):
        parse_duration(value)


def test_go_duration_parser_needs_units_as_go_does():
    with pytest.raises(ValueError):
        parse_go_duration('18')
    with pytest.raises(ValueError):
        parse_go_duration('')
    assert parse_go_duration('0') == 0.0
    assert parse_go_duration('-5m') == -300.0


@pytest.mark.parametrize('seconds, text', [
    (0, '0s'), (600, '10m'), (900, '15m'), (5400, '1h30m'), (10, '10s'), (0.5, '0.5s'), (3661, '1h1m1s'),
    (315360000, '87600h'), (3600.25, '3600.25s'),
])
def test_format_go_duration(seconds, text):
    assert format_go_duration(seconds) == text
    # What kops gets back means the same number of seconds.
    assert parse_go_duration(text) == seconds


class Failed(Exception):
    pass


class FakeModule(object):
    def __init__(self, **params):
        self.params = params

    def fail_json(self, **kwargs):
        raise Failed(kwargs['msg'])


def test_duration_option_names_option_and_value():
    with pytest.raises(Failed, match=r"^wait_timeout: '10 minutes' is not a duration"):
        duration_option(FakeModule(wait_timeout='10 minutes'), 'wait_timeout')
    with pytest.raises(Failed, match=r"^delete_timeout: -5 is negative"):
        duration_option(FakeModule(delete_timeout=-5), 'delete_timeout')


@pytest.mark.parametrize('zero', [0, ''])
def test_duration_option_positive_refuses_zero(zero):
    with pytest.raises(Failed, match='wait_sleep must be longer than 0'):
        duration_option(FakeModule(wait_sleep=zero), 'wait_sleep', positive=True)
    assert duration_option(FakeModule(wait_timeout=zero), 'wait_timeout') == 0.0
