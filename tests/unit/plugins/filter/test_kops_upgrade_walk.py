# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.kops.plugins.filter.kops_upgrade_walk import FilterModule, kops_upgrade_walk


def test_registered_under_its_name():
    assert FilterModule().filters()['kops_upgrade_walk'] is kops_upgrade_walk


def test_steps_one_minor_each_are_kept_in_order():
    assert kops_upgrade_walk('1.28.9', ['1.29.15', '1.30.14']) == {'steps': ['1.29.15', '1.30.14'], 'error': ''}


def test_steps_already_taken_are_skipped_and_the_running_one_is_kept():
    # Interrupted after the spec reached 1.29.15: that step is applied again (its roll resumes), then 1.30.14.
    assert kops_upgrade_walk('1.29.15', ['1.29.15', '1.30.14'])['steps'] == ['1.29.15', '1.30.14']
    assert kops_upgrade_walk('1.30.14', ['1.29.15', '1.30.14'])['steps'] == ['1.30.14']
    assert kops_upgrade_walk('v1.30.14', ['v1.29.15'])['error'].startswith('Kubernetes 1.29.15 is older')


def test_a_jump_is_refused_with_the_way_through():
    walk = kops_upgrade_walk('1.28.9', ['1.30.14'])
    assert walk['steps'] == ['1.30.14']
    assert 'through 1.29, 1.30.14' in walk['error']


def test_the_channel_default_is_left_to_kops_upgrade():
    assert kops_upgrade_walk('1.29.15', ['']) == {'steps': [''], 'error': ''}


def test_bad_input_is_an_error():
    with pytest.raises(AnsibleFilterError):
        kops_upgrade_walk('latest', ['1.30.1'])
    with pytest.raises(AnsibleFilterError):
        kops_upgrade_walk('1.29.1', '1.30.1')
    assert 'is not a Kubernetes version' in kops_upgrade_walk('1.29.1', ['1.30.x'])['error']


def test_a_step_the_kops_release_cannot_apply_is_refused():
    # kops 1.29.3 refuses Kubernetes 1.30.3 and newer (apply_cluster.go validateKubernetesVersion).
    walk = kops_upgrade_walk('1.28.9', ['1.29.15', '1.30.14'], kops_version='1.29.3')
    assert walk['steps'] == ['1.29.15', '1.30.14']
    assert walk['error'].startswith('step 2: kops 1.29.3 cannot apply Kubernetes 1.30.14: its update cluster refuses '
                                    'Kubernetes 1.30.3 and newer')
    assert kops_upgrade_walk('1.28.9', ['1.29.15', '1.30.2'], kops_version='1.29.3')['error'] == ''
    assert kops_upgrade_walk('1.28.9', ['1.29.15', '1.30.14'], kops_version='1.30.1')['error'] == ''
    # The one-minor rule is reported first.
    assert 'one minor version at a time' in kops_upgrade_walk('1.28.9', ['1.31.1'], kops_version='1.29.3')['error']


def test_a_bad_kops_version_is_an_error():
    with pytest.raises(AnsibleFilterError, match='kops_version'):
        kops_upgrade_walk('1.28.9', ['1.29.15'], kops_version='latest')
