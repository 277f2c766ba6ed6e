# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_apply as apply_mod
from ansible_collections.cloudops.kops.tests.unit.plugins.module_utils.test__kops_state import Failed, ScriptedRunner
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import VERSIONS, response

NAME = 'fleetman.k8s.local'
DRY = ('update', 'cluster', '--name', NAME)
ROLL = ('rolling-update', 'cluster', '--name', NAME)


def params(**extra):
    out = dict(apply=True, admin_ttl='18h', rolling_update='never', rolling_update_cloud_only=False,
               rolling_update_instance_groups=None, rolling_update_instance_group_roles=None)
    out.update(extra)
    return out


@pytest.mark.parametrize('version', VERSIONS)
def test_pending_changes_are_applied(version):
    runner = ScriptedRunner({DRY: response(version, '80'), DRY + ('--yes', '--create-kube-config=false'): response(version, '81')})
    changed, changes, report = apply_mod.apply_cluster(runner, NAME, params(), check_mode=False)
    assert changed and report['updated'] and report['update_pending']
    assert [c[0] for c in runner.calls] == [DRY, DRY + ('--yes', '--create-kube-config=false')]


def test_nothing_pending_nothing_run():
    runner = ScriptedRunner({DRY: (0, 'No changes need to be applied\n', '')})
    changed, changes, report = apply_mod.apply_cluster(runner, NAME, params(admin_ttl=''), check_mode=False)
    assert not changed and changes == []


def test_check_mode_predicts_from_spec_change():
    runner = ScriptedRunner({DRY: (0, 'No changes need to be applied\n', '')})
    changed, changes, report = apply_mod.apply_cluster(runner, NAME, params(), check_mode=True, spec_changed=True)
    assert changed and [c[0] for c in runner.calls] == [DRY]


@pytest.mark.parametrize('ttl', ['', '18h', '87600h'])
def test_apply_never_writes_a_kubeconfig(ttl):
    # --admin implies --create-kube-config in kops (cmd/kops/update_cluster.go, RunUpdateCluster), so it is never passed.
    runner = ScriptedRunner({DRY: response('1.36.2', '80'), DRY + ('--yes', '--create-kube-config=false'): (0, '', '')})
    assert apply_mod.apply_cluster(runner, NAME, params(admin_ttl=ttl), check_mode=False)[0]
    assert [c[0] for c in runner.calls][-1] == DRY + ('--yes', '--create-kube-config=false')


def test_apply_false_runs_nothing():
    runner = ScriptedRunner({})
    assert apply_mod.apply_cluster(runner, NAME, params(apply=False), check_mode=False)[0] is False
    assert runner.calls == []


@pytest.mark.parametrize('version', VERSIONS)
def test_dry_run_failure(version):
    runner = ScriptedRunner({DRY: response(version, '84')})
    with pytest.raises(Failed, match='dry run'):
        apply_mod.apply_cluster(runner, NAME, params(), check_mode=False)


def test_new_cluster_skips_rolling_update():
    runner = ScriptedRunner({DRY: (0, 'No changes need to be applied\n', '')})
    apply_mod.apply_cluster(runner, NAME, params(rolling_update='always'), check_mode=False, new_cluster=True)
    assert [c[0] for c in runner.calls] == [DRY]


def test_rolling_filters():
    runner = ScriptedRunner({DRY: (0, 'No changes need to be applied\n', ''),
                             ROLL + ('--cloudonly', '--instance-group', 'a,b', '--instance-group-roles', 'node'):
                             response('1.30.1', '111')})
    changed, dummy, report = apply_mod.apply_cluster(
        runner, NAME, params(rolling_update='auto', rolling_update_cloud_only=True,
                             rolling_update_instance_groups=['a', 'b'], rolling_update_instance_group_roles=['node']),
        check_mode=False)
    assert not changed and report['rolling_update_required'] is False


def test_rolling_update_reads_the_given_kubeconfig_and_says_how_to_get_one():
    runner = ScriptedRunner({DRY: (0, 'No changes need to be applied\n', ''),
                             ROLL: (1, '', 'Error: cannot load kubecfg settings for "%s": context "%s" does not exist\n'
                                    % (NAME, NAME))})
    with pytest.raises(Failed, match='export the admin kubeconfig with cloudops.kops.kops_kubecfg and pass it as kubeconfig'):
        apply_mod.apply_cluster(runner, NAME, params(rolling_update='auto', kubeconfig='/tmp/k'), check_mode=False)
    assert runner.calls[-1][2] == {'KUBECONFIG': '/tmp/k'}
