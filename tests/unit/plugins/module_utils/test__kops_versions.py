# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_versions as versions


@pytest.mark.parametrize('text, parsed', [
    ('1.30.14', (1, 30, 14)), ('v1.30.14', (1, 30, 14)), ('1.30', (1, 30, 0)), ('1.31.0-beta.1', (1, 31, 0)),
    (' 1.29.15\n', (1, 29, 15)), ('latest', None), ('', None), (None, None), ('1', None), ('1.30.x', None),
])
def test_parse(text, parsed):
    assert versions.parse(text) == parsed


def test_one_minor_up_is_a_step():
    assert versions.step_error((1, 29, 15), (1, 30, 14)) is None
    assert versions.step_error((1, 30, 1), (1, 30, 14)) is None
    assert versions.step_error((1, 30, 14), (1, 30, 14)) is None


def test_two_minors_up_names_the_way_through():
    error = versions.step_error((1, 28, 9), (1, 30, 14))
    assert 'is 2 minor versions above' in error
    assert 'through 1.29, 1.30.14 (a patch release for each minor, such as 1.29.x' in error
    assert versions.steps((1, 28, 9), (1, 31, 2)) == ['1.29', '1.30', '1.31.2']


def test_going_back_is_refused():
    assert 'does not downgrade' in versions.step_error((1, 30, 14), (1, 30, 2))
    assert 'does not downgrade' in versions.step_error((1, 30, 14), (1, 29, 15))
    assert versions.steps((1, 30, 14), (1, 29, 15)) == []


def test_a_major_change_is_refused():
    assert 'major version' in versions.step_error((1, 30, 0), (2, 0, 0))


def test_walk():
    assert versions.walk_error((1, 28, 9), ['1.29.15', '1.30.14']) is None
    assert versions.walk_error((1, 28, 9), ['1.30.14']).startswith('step 1: ')
    assert versions.walk_error((1, 28, 9), ['1.29.15', '1.31.1']).startswith('step 2: ')
    assert 'is not a Kubernetes version' in versions.walk_error((1, 28, 9), ['1.29.x'])


def test_downgrade_guard():
    assert versions.downgrade_error(None, (1, 30, 1)) is None
    assert versions.downgrade_error((1, 30, 1), (1, 36, 2)) is None
    assert versions.downgrade_error((1, 30, 1), (1, 30, 1)) is None
    assert 'last applied by kops 1.36.2, newer than this kops 1.30.1' in versions.downgrade_error((1, 36, 2), (1, 30, 1))


@pytest.mark.parametrize('target, binary, refused', [
    # apply_cluster.go validateKubernetesVersion: refused from kops major.(minor+1).patch up.
    ((1, 30, 14), (1, 30, 1), False),
    ((1, 31, 0), (1, 30, 1), False),
    ((1, 31, 1), (1, 30, 1), True),
    ((1, 37, 2), (1, 36, 2), True),
    ((1, 38, 0), (1, 36, 2), True),
    ((1, 36, 3), (1, 36, 2), False),
    ((1, 40, 0), None, False),
])
def test_too_new_for_this_kops(target, binary, refused):
    error = versions.too_new_error(target, binary)
    assert bool(error) is refused
    if refused:
        assert error.startswith('kops %s cannot apply Kubernetes %s' % (versions.text(binary), versions.text(target)))
        assert error.endswith('Upgrade with kops %d.%d or newer' % target[:2])
