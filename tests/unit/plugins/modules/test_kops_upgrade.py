# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.kops.plugins.modules import kops_upgrade as mod
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    CLUSTER,
    GET,
    STORE,
    VERSIONS,
    FakeKops,
    json_of,
    response,
    run_module,
)

# The recorded day-2 clusters: created one minor below the channel's version for the kops that ran.
BUILT_AT = {'1.30.1': '1.29.15', '1.36.2': '1.35.7'}
CHANNEL = {'1.30.1': '1.30.14', '1.36.2': '1.36.3'}
SERVER = ('version', '--server', '--name', CLUSTER)
DRY = ('upgrade', 'cluster', '--name', CLUSTER)


def day2(version, number):
    return response(version + '/day2', number)


def cluster_at(version, kubernetes):
    cluster = json_of(version, '65')
    cluster['spec']['kubernetesVersion'] = kubernetes
    return (0, json.dumps(cluster), '')


def last_applied(client, server):
    return (0, 'Client version: %s (git-v%s)\nLast applied server version: %s\n' % (client, client, server), '')


def fake_for(version, kops_binary, kubernetes=None, server=None):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, cluster_at(version, kubernetes or BUILT_AT[version]))
    fake.add(SERVER, last_applied(version, server or version))
    return fake


def args(kops_binary, **extra):
    out = dict(name=CLUSTER, state_store=STORE, binary_path=kops_binary, lock=False)
    out.update(extra)
    return out


def yes_calls(fake):
    return [call for call in fake.args() if '--yes' in call]


@pytest.mark.parametrize('version', VERSIONS)
def test_check_mode_is_the_kops_dry_run_as_data(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary)
    fake.add(DRY, day2(version, '211'))
    failed, result = run_module(mod, dict(args(kops_binary), _ansible_check_mode=True, _ansible_diff=True), fake,
                                monkeypatch)
    assert not failed, result
    assert result['changed'] is True
    assert result['upgrade_actions'] == [dict(item='Cluster', property='KubernetesVersion', old=BUILT_AT[version],
                                              new=CHANNEL[version])]
    assert result['kubernetes_version_before'] == BUILT_AT[version]
    assert result['kubernetes_version'] == CHANNEL[version]
    assert result['diff'] == dict(before={'Cluster.KubernetesVersion': BUILT_AT[version]},
                                  after={'Cluster.KubernetesVersion': CHANNEL[version]})
    assert result['last_applied_kops_version'] == version
    assert yes_calls(fake) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_upgrade_writes_the_spec_with_kops_upgrade_yes(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary)
    target = ('upgrade', 'cluster', '--name', CLUSTER, '--kubernetes-version', CHANNEL[version])
    fake.add(target, day2(version, '211'))
    fake.add(target + ('--yes',), day2(version, '213'))
    fake.add(GET, cluster_at(version, BUILT_AT[version]), cluster_at(version, CHANNEL[version]))
    failed, result = run_module(mod, args(kops_binary, kubernetes_version='v' + CHANNEL[version]), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is True
    assert yes_calls(fake) == [target + ('--yes',)]
    assert result['kubernetes_version'] == CHANNEL[version]


@pytest.mark.parametrize('version', VERSIONS)
def test_nothing_to_upgrade_is_not_a_change(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary, kubernetes=CHANNEL[version])
    fake.add(DRY, day2(version, '214'))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is False
    assert result['upgrade_actions'] == []
    assert result['kubernetes_version'] == CHANNEL[version]
    assert yes_calls(fake) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_a_two_minor_target_is_refused_before_kops_upgrade_runs(version, kops_binary, monkeypatch):
    major, minor, dummy = BUILT_AT[version].split('.')
    too_far = '%s.%d.0' % (major, int(minor) + 2)
    fake = fake_for(version, kops_binary)
    failed, result = run_module(mod, args(kops_binary, kubernetes_version=too_far), fake, monkeypatch)
    assert failed
    assert 'upgrade one minor version at a time' in result['msg']
    assert result['steps'] == ['%s.%d' % (major, int(minor) + 1), too_far]
    assert not any(call[0] == 'upgrade' for call in fake.args())


@pytest.mark.parametrize('version', VERSIONS)
def test_a_channel_recommendation_two_minors_away_is_refused_with_the_steps(version, kops_binary, monkeypatch):
    major, minor, dummy = CHANNEL[version].split('.')
    older = '%s.%d.5' % (major, int(minor) - 2)
    fake = fake_for(version, kops_binary, kubernetes=older)
    stdout = day2(version, '211')[1].replace(BUILT_AT[version], older)
    fake.add(DRY, (0, stdout, ''))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert failed
    assert result['steps'] == ['%s.%d' % (major, int(minor) - 1), CHANNEL[version]]
    assert yes_calls(fake) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_a_kubernetes_downgrade_is_refused(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary, kubernetes=CHANNEL[version])
    failed, result = run_module(mod, args(kops_binary, kubernetes_version=BUILT_AT[version]), fake, monkeypatch)
    assert failed
    assert 'kops does not downgrade Kubernetes' in result['msg']
    assert 'steps' not in result
    assert not any(call[0] == 'upgrade' for call in fake.args())


def test_an_older_kops_than_the_last_applied_is_refused(kops_binary, monkeypatch):
    """Recording 1.36.2/day2/239: kops 1.30.1 reads a cluster last applied by 1.36.2."""
    fake = FakeKops(kops_binary, '1.30.1')
    fake.add(GET, cluster_at('1.30.1', '1.29.15'))
    fake.add(SERVER, day2('1.36.2', '239'))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert failed
    assert 'last applied by kops 1.36.2, newer than this kops 1.30.1' in result['msg']
    assert result['last_applied_kops_version'] == '1.36.2'
    assert not any(call[0] == 'upgrade' for call in fake.args())


def test_allow_kops_downgrade_lets_an_older_kops_go_on(kops_binary, monkeypatch):
    fake = FakeKops(kops_binary, '1.30.1')
    fake.add(GET, cluster_at('1.30.1', '1.29.15'))
    fake.add(SERVER, day2('1.36.2', '239'))
    fake.add(DRY, day2('1.30.1', '211'))
    failed, result = run_module(mod, dict(args(kops_binary, allow_kops_downgrade=True), _ansible_check_mode=True),
                                fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is True


@pytest.mark.parametrize('value', ['latest', '1', 'one.two.three', '1.30.x'])
def test_a_bad_version_fails_before_kops_runs(value, kops_binary, monkeypatch):
    failed, result = run_module(mod, args(kops_binary, kubernetes_version=value), None, monkeypatch)
    assert failed
    assert 'is not a Kubernetes version' in result['msg']


def test_a_missing_cluster_fails(kops_binary, monkeypatch):
    fake = FakeKops(kops_binary, '1.36.2')
    fake.add(GET, response('1.36.2', '143'))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert failed
    assert 'does not exist' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_a_never_applied_cluster_has_no_last_applied_version(version, kops_binary, monkeypatch):
    fake = fake_for(version, kops_binary)
    fake.add(SERVER, (0, 'Client version: %s (git-v%s)\nLast applied server version: could get cluster version\n'
                      % (version, version), ''))
    fake.add(DRY, day2(version, '211'))
    failed, result = run_module(mod, dict(args(kops_binary), _ansible_check_mode=True), fake, monkeypatch)
    assert not failed, result
    assert result['last_applied_kops_version'] == ''


def next_minor(version, patch):
    major, minor, dummy = version.split('.')
    return '%s.%d.%d' % (major, int(minor) + 1, patch)


@pytest.mark.parametrize('version', VERSIONS)
def test_a_target_this_kops_cannot_apply_is_refused_before_kops_upgrade_runs(version, kops_binary, monkeypatch):
    # apply_cluster.go validateKubernetesVersion: kops X.Y.Z refuses Kubernetes X.(Y+1).Z and newer on update.
    monkeypatch.delenv('KOPS_RUN_TOO_NEW_VERSION', raising=False)
    fake = fake_for(version, kops_binary, kubernetes=CHANNEL[version])
    target = next_minor(version, 5)
    failed, result = run_module(mod, args(kops_binary, kubernetes_version=target), fake, monkeypatch)
    assert failed
    assert result['msg'] == ('Cluster %s: kops %s cannot apply Kubernetes %s: its update cluster refuses Kubernetes '
                             '%s and newer ("kops upgrade is required"). Upgrade with kops %s or newer; nothing was '
                             'changed.' % (CLUSTER, version, target, next_minor(version, int(version.split('.')[2])),
                                           target.rsplit('.', 1)[0]))
    assert not any(call[0] == 'upgrade' for call in fake.args())


@pytest.mark.parametrize('version', VERSIONS)
def test_kops_own_bypass_lifts_the_check(version, kops_binary, monkeypatch):
    monkeypatch.setenv('KOPS_RUN_TOO_NEW_VERSION', '1')
    fake = fake_for(version, kops_binary, kubernetes=CHANNEL[version])
    target = next_minor(version, 5)
    dry = ('upgrade', 'cluster', '--name', CLUSTER, '--kubernetes-version', target)
    fake.add(dry, (0, day2(version, '211')[1].replace(BUILT_AT[version], CHANNEL[version])
                   .replace(CHANNEL[version] + '\n', target + '\n'), ''))
    failed, result = run_module(mod, dict(args(kops_binary, kubernetes_version=target), _ansible_check_mode=True),
                                fake, monkeypatch)
    assert not failed, result
    assert dry in fake.args()


def test_the_next_minor_below_this_kops_patch_is_allowed(kops_binary, monkeypatch):
    # kops 1.30.1 refuses 1.31.1 and newer, not 1.31.0 (the patch of kops itself is the bound).
    monkeypatch.delenv('KOPS_RUN_TOO_NEW_VERSION', raising=False)
    version = '1.30.1'
    fake = fake_for(version, kops_binary, kubernetes=CHANNEL[version])
    dry = ('upgrade', 'cluster', '--name', CLUSTER, '--kubernetes-version', '1.31.0')
    fake.add(dry, day2(version, '214'))
    failed, result = run_module(mod, dict(args(kops_binary, kubernetes_version='1.31.0'), _ansible_check_mode=True),
                                fake, monkeypatch)
    assert not failed, result
    assert dry in fake.args()
