# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.cloudops.kops.plugins.modules import kops_reconcile as mod
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    CLUSTER,
    GET,
    STORE,
    FakeKops,
    response,
    run_module,
)

DRY = ('reconcile', 'cluster', '--name', CLUSTER)
YES = DRY + ('--yes',)
INSTANCES = ('get', 'instances', '--name', CLUSTER)


def day2(number, version='1.36.2'):
    return response(version + '/day2', number)


def fake_for(kops_binary, dry, *instances):
    fake = FakeKops(kops_binary, '1.36.2')
    fake.add(GET, response('1.36.2', '65'))
    fake.add(DRY, dry)
    fake.add(INSTANCES, *instances)
    return fake


def args(kops_binary, **extra):
    out = dict(name=CLUSTER, state_store=STORE, binary_path=kops_binary, lock=False)
    out.update(extra)
    return out


def test_kops_without_reconcile_fails_before_anything_runs(kops_binary, monkeypatch):
    """kops 1.30.1 has no reconcile command (recording 1.30.1/day2/229)."""
    fake = FakeKops(kops_binary, '1.30.1')
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert failed
    assert 'needs kops 1.31 or later; this kops is 1.30.1' in result['msg']
    assert fake.args() == [('version', '--short')]


def test_check_mode_reports_pending_changes_and_stale_instances(kops_binary, monkeypatch):
    fake = fake_for(kops_binary, day2('232'), day2('220'))
    failed, result = run_module(mod, dict(args(kops_binary), _ansible_check_mode=True), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is True
    assert result['update_pending'] is True
    assert len(result['needs_update']) == 4
    assert result['replaced'] == [] and result['groups'] == []
    assert YES not in fake.args()


def test_nothing_pending_and_nothing_stale_is_not_a_change(kops_binary, monkeypatch):
    fake = fake_for(kops_binary, day2('229'), day2('227'))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is False
    assert result['needs_update'] == []
    assert YES not in fake.args()


def test_stale_instances_alone_are_reconciled(kops_binary, monkeypatch):
    """A reconcile interrupted after the spec was applied: nothing pending, instances still to replace."""
    fake = fake_for(kops_binary, day2('229'), day2('220'), day2('227'))
    fake.add(YES, (0, 'Updating control plane configuration\n', ''))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is True
    assert YES in fake.args()
    assert sorted(result['replaced']) == sorted(result['needs_update'])
    assert [g['role'] for g in result['groups']][0] == 'control-plane'
    assert {g['role'] for g in result['groups'][1:]} == {'node'}
    assert sum(len(g['replaced']) for g in result['groups']) == 4
    assert result['seconds'] >= 0


def test_a_failed_reconcile_says_to_run_again(kops_binary, monkeypatch):
    fake = fake_for(kops_binary, day2('232'), day2('220'), day2('223'))
    fake.add(YES, (1, '', 'Error: validation failed: wait time exceeded during validation\n'))
    failed, result = run_module(mod, args(kops_binary), fake, monkeypatch)
    assert failed
    assert 'run the task again' in result['msg']
    assert result['cmd'][-3:] == ['--yes', '--state', STORE]
    assert len(result['replaced']) == 1


def test_allow_kops_downgrade_is_passed_on(kops_binary, monkeypatch):
    fake = FakeKops(kops_binary, '1.36.2')
    fake.add(GET, response('1.36.2', '65'))
    fake.add(DRY + ('--allow-kops-downgrade',), day2('229'))
    fake.add(INSTANCES, day2('227'))
    failed, result = run_module(mod, args(kops_binary, allow_kops_downgrade=True), fake, monkeypatch)
    assert not failed, result
    assert result['changed'] is False
