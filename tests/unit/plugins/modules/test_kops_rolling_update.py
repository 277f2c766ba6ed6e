# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.modules import kops_rolling_update as mod
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    CLUSTER,
    GET,
    GET_IGS,
    STORE,
    VERSIONS,
    FakeKops,
    response,
    run_module,
)

INSTANCES = ('get', 'instances', '--name', CLUSTER)
DRY = ('rolling-update', 'cluster', '--name', CLUSTER, '--cloudonly')
GROUPS = ('control-plane-us-west-2a', 'nodes-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c')


def day2(version, number):
    return response(version + '/day2', number)


def dry(groups):
    args = list(DRY)
    for g in groups:
        args += ['--instance-group', g]
    return tuple(args)


def roll(group, *flags):
    return ('rolling-update', 'cluster', '--name', CLUSTER, '--instance-group', group, '--yes') + flags


def fake_for(version, kops_binary, instances, table, groups=GROUPS):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(GET_IGS, response(version, '67'))
    fake.add(INSTANCES, *instances)
    fake.add(dry(groups), table)
    return fake


def args(kops_binary, **extra):
    out = dict(name=CLUSTER, state_store=STORE, binary_path=kops_binary, lock=False)
    out.update(extra)
    return out


@pytest.mark.parametrize('version', VERSIONS)
def test_check_mode_returns_the_plan_and_rolls_nothing(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary, [day2(version, '220')], day2(version, '221'))
    failed, result = run_module(mod, dict(args(kops_binary), _ansible_check_mode=True), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is True
    assert [p['name'] for p in result['plan']] == list(GROUPS)
    assert all(p['status'] == 'NeedsUpdate' and len(p['to_replace']) == 1 for p in result['plan'])
    assert result['groups'] == []
    assert not any('--yes' in call for call in fake.args())


@pytest.mark.parametrize('version', VERSIONS)
def test_nothing_to_roll_is_not_a_change(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary, [day2(version, '227')], day2(version, '228'))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is False
    assert all(p['to_replace'] == [] for p in result['plan'])
    assert not any('--yes' in call for call in fake.args())


@pytest.mark.parametrize('version', VERSIONS)
def test_rerun_after_partial_roll_rolls_only_what_is_left(version, kops_binary, monkeypatch):
    """223: the control plane was rolled before the interruption; only the three node groups are left."""
    left = ['nodes-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c']
    fake = fake_for(version, kops_binary, [day2(version, '223')] * 6 + [day2(version, '227')], day2(version, '225'))
    flags = ('--cloudonly', '--validate-count=1', '--node-interval=1s', '--post-drain-delay=0s')
    for group in left:
        fake.add(roll(group, *flags), day2(version, '226'))
    failed, result = run_module(mod, args(kops_binary, cloud_only=True, validate_count=1, node_interval='1s',
                                          post_drain_delay=0), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is True
    assert [p['status'] for p in result['plan']] == ['Ready', 'NeedsUpdate', 'NeedsUpdate', 'NeedsUpdate']
    rolled = [call for call in fake.args() if '--yes' in call]
    assert rolled == [roll(g, *flags) for g in left]
    assert [g['name'] for g in result['groups']] == left
    assert all(g['validation'] == 'skipped' and g['seconds'] >= 0 for g in result['groups'])
    assert result['groups'][-1]['replaced']  # 227: the old instances are gone


@pytest.mark.parametrize('version', VERSIONS)
def test_control_plane_role_selection(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary, [day2(version, '220'), day2(version, '220'), day2(version, '223')],
                    day2(version, '222'), groups=['control-plane-us-west-2a'])
    fake.add(roll('control-plane-us-west-2a', '--validation-timeout=20m', '--fail-on-drain-error=false'),
             day2(version, '222'))
    failed, result = run_module(mod, args(kops_binary, instance_group_roles=['control-plane'],
                                          validation_timeout='20m', fail_on_drain_error=False), fake, monkeypatch)
    assert not failed, result
    assert [p['name'] for p in result['plan']] == ['control-plane-us-west-2a']
    assert [g['name'] for g in result['groups']] == ['control-plane-us-west-2a']
    assert result['groups'][0]['replaced'] and result['groups'][0]['new_instances']


@pytest.mark.parametrize('version', VERSIONS)
def test_failed_group_returns_cmd_and_progress(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary, [day2(version, '220')] * 3, day2(version, '221'),
                    groups=['nodes-us-west-2a'])
    fake.add(roll('nodes-us-west-2a'), (1, '', 'Error: error validating cluster after terminating instance: x\n'))
    failed, result = run_module(mod, args(kops_binary, instance_groups=['nodes-us-west-2a']), fake, monkeypatch)
    assert failed
    assert result['cmd'][-3:] == ['--yes', '--state', STORE]
    assert 'Run the task again' in result['msg'] and 'error validating cluster' in result['msg']
    assert result['groups'][0]['validation'] == 'failed'


@pytest.mark.parametrize('version', VERSIONS)
def test_unknown_group_fails_before_kops_rolls(version, kops_binary, monkeypatch):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(GET_IGS, response(version, '67'))
    failed, result = run_module(mod, args(kops_binary, exclude_instance_groups=['gpu']), fake, monkeypatch)
    assert failed and 'gpu not found' in result['msg']
    assert not any(call[0] == 'rolling-update' for call in fake.args())


def test_bad_duration_is_refused_before_kops_runs(kops_binary, monkeypatch):
    failed, result = run_module(mod, args(kops_binary, drain_timeout='ten minutes'), None, monkeypatch)
    assert failed and result['msg'].startswith('drain_timeout:')


@pytest.mark.parametrize('version', VERSIONS)
def test_kubeconfig_goes_to_the_commands_that_reach_the_api(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary, [day2(version, '220')] * 3, day2(version, '221'),
                    groups=['nodes-us-west-2a'])
    fake.add(roll('nodes-us-west-2a'), day2(version, '226'))
    failed, result = run_module(mod, args(kops_binary, instance_groups=['nodes-us-west-2a'],
                                          kubeconfig='/srv/kube/fleetman.yaml'), fake, monkeypatch)
    assert not failed, result
    by_command = {}
    for call, environ in zip(fake.args(), fake.environ):
        by_command.setdefault(call[:2], set()).add(environ.get('KUBECONFIG'))
    assert by_command[('get', 'instances')] == {'/srv/kube/fleetman.yaml'}
    assert by_command[('rolling-update', 'cluster')] == {'/srv/kube/fleetman.yaml'}
    # Reads of the state store do not need one.
    assert by_command[('get', 'cluster')] == {None}


@pytest.mark.parametrize('version', VERSIONS)
def test_no_kubeconfig_keeps_the_environment(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary, [day2(version, '227')], day2(version, '228'))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert not failed, result
    assert all('KUBECONFIG' not in environ for environ in fake.environ)


def test_missing_context_names_the_kubeconfig_option(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = fake_for(version, kops_binary, [day2(version, '220')] * 3, day2(version, '221'),
                    groups=['nodes-us-west-2a'])
    # rolling-update_cluster.go (v1.30.1) RunRollingUpdateCluster, when no kubeconfig defines the cluster's context.
    fake.add(roll('nodes-us-west-2a'),
             (1, '', 'Error: cannot load kubecfg settings for "%s": context "%s" does not exist\n' % (CLUSTER, CLUSTER)))
    failed, result = run_module(mod, args(kops_binary, instance_groups=['nodes-us-west-2a']), fake, monkeypatch)
    assert failed
    assert 'pass it as kubeconfig' in result['msg'] and 'Run the task again' in result['msg']
