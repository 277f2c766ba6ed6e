# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_instances as ki
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import VERSIONS, recording

CLUSTER = 'fleetman.k8s.local'
GROUPS = {'control-plane-us-west-2a': 'control-plane', 'nodes-us-west-2a': 'node', 'nodes-us-west-2b': 'node',
          'nodes-us-west-2c': 'node'}


def day2(version, number):
    return recording(version + '/day2', number)


@pytest.mark.parametrize('version', VERSIONS)
def test_instances_json_up_to_date(version):
    instances = ki.parse_instances(day2(version, '209').stdout)
    assert len(instances) == 4
    assert {i['status'] for i in instances} == {'UpToDate'}
    assert not any(i['needs_update'] for i in instances)
    cp = [i for i in instances if i['roles'] == ['control-plane', 'control-plane']]
    assert [i['cloud_group'] for i in cp] == ['control-plane-us-west-2a.masters.fleetman.k8s.local']
    assert all(i['id'].startswith('i-') and i['machine_type'] == 't3.medium' for i in instances)


@pytest.mark.parametrize('version', VERSIONS)
def test_instances_table_equals_json(version):
    """208 (table) and 209 (-o json) of the same four instances read the same."""
    table = sorted(ki.parse_instances(day2(version, '208').stdout), key=lambda i: i['id'])
    data = sorted(ki.parse_instances(day2(version, '209').stdout), key=lambda i: i['id'])
    assert table == data


@pytest.mark.parametrize('version', VERSIONS)
def test_instances_table_needs_update(version):
    after = ki.parse_instances(day2(version, '223').stdout)
    stale = sorted(i['cloud_group'] for i in after if i['needs_update'])
    assert stale == ['nodes-us-west-2a.fleetman.k8s.local', 'nodes-us-west-2b.fleetman.k8s.local',
                     'nodes-us-west-2c.fleetman.k8s.local']
    cp = [i for i in after if not i['needs_update']]
    assert cp[0]['roles'] == ['control-plane', 'control-plane'] and cp[0]['node_name'] is None


@pytest.mark.parametrize('version', VERSIONS)
def test_plan_after_upgrade_needs_every_group(version):
    """220/221: after update --yes every instance runs an older launch template."""
    rows = ki.table_rows(day2(version, '221').stdout)
    assert [r['name'] for r in rows] == sorted(GROUPS)
    instances = [{'id': 'i-%d' % n, 'node_name': None, 'status': 'NeedsUpdate', 'needs_update': True, 'roles': [],
                  'cloud_group': cg, 'internal_ip': None, 'machine_type': 't3.medium', 'state': None}
                 for n, cg in enumerate(['control-plane-us-west-2a.masters.fleetman.k8s.local',
                                         'nodes-us-west-2a.fleetman.k8s.local', 'nodes-us-west-2b.fleetman.k8s.local',
                                         'nodes-us-west-2c.fleetman.k8s.local'])]
    selected = ki.select_groups(GROUPS)
    assert selected[0] == 'control-plane-us-west-2a'  # control plane first
    plan = ki.build_plan(CLUSTER, GROUPS, selected, instances, rows)
    assert [(p['name'], p['status'], p['need_update'], p['ready'], p['min'], p['target'], p['max'])
            for p in plan] == [(n, 'NeedsUpdate', 1, 0, 1, 1, 1) for n in selected]
    assert [p['to_replace'] for p in plan] == [['i-0'], ['i-1'], ['i-2'], ['i-3']]


@pytest.mark.parametrize('version', VERSIONS)
def test_plan_after_partial_roll(version):
    """223 instances + 225 table: a re-run replaces only what still needs it."""
    rows = ki.table_rows(day2(version, '225').stdout)
    statuses = {r['name']: (r['status'], r['need_update'], r['ready']) for r in rows}
    assert statuses == {'control-plane-us-west-2a': ('Ready', 0, 1), 'nodes-us-west-2a': ('Ready', 0, 1),
                        'nodes-us-west-2b': ('NeedsUpdate', 1, 0), 'nodes-us-west-2c': ('NeedsUpdate', 1, 0)}


@pytest.mark.parametrize('version', VERSIONS)
def test_plan_nothing_to_do(version):
    rows = ki.table_rows(day2(version, '228').stdout)
    assert rows and all(r['status'] == 'Ready' and r['need_update'] == 0 for r in rows)
    instances = ki.parse_instances(day2(version, '209').stdout)
    plan = ki.build_plan(CLUSTER, GROUPS, ki.select_groups(GROUPS), instances, rows)
    assert not any(p['to_replace'] for p in plan)
    forced = ki.build_plan(CLUSTER, GROUPS, ki.select_groups(GROUPS), instances, rows, force=True)
    assert all(len(p['to_replace']) == 1 for p in forced)


def test_table_with_nodes_column_and_single_control_plane_note():
    rows = ki.table_rows(recording('1.36.2/day2', '247').stdout)  # run by kops 1.30.1
    assert len(rows) == 4 and rows[0]['name'] == 'control-plane-us-west-2a'


def test_select_groups():
    assert ki.select_groups(GROUPS, roles=['node']) == ['nodes-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c']
    assert ki.select_groups(GROUPS, instance_groups=['nodes-us-west-2b', 'control-plane-us-west-2a']) == \
        ['control-plane-us-west-2a', 'nodes-us-west-2b']
    assert ki.select_groups(GROUPS, exclude=['nodes-us-west-2a']) == \
        ['control-plane-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c']
    assert ki.select_groups(dict(GROUPS, bastions='bastion'))[0] == 'bastions'
    with pytest.raises(ValueError, match='nodes-us-west-2z'):
        ki.select_groups(GROUPS, instance_groups=['nodes-us-west-2z'])


def test_roll_flags_kops_defaults_unless_set():
    assert ki.roll_args(CLUSTER, 'nodes-us-west-2a', {}) == [
        'rolling-update', 'cluster', '--name', CLUSTER, '--instance-group', 'nodes-us-west-2a', '--yes']
    params = dict(cloud_only=True, force=True, drain_timeout=600, validation_timeout=900, validate_count=1,
                  control_plane_interval=1, node_interval=90, bastion_interval=0, post_drain_delay=0,
                  fail_on_validate_error=False, fail_on_drain_error=True)
    assert ki.roll_flags(params) == ['--cloudonly', '--force', '--drain-timeout=10m', '--validation-timeout=15m',
                                     '--validate-count=1', '--control-plane-interval=1s', '--node-interval=1m30s',
                                     '--bastion-interval=0s', '--post-drain-delay=0s',
                                     '--fail-on-validate-error=false', '--fail-on-drain-error=true']


@pytest.mark.parametrize('version', VERSIONS)
def test_every_flag_is_in_the_recorded_help(version):
    """Both versions accept every flag the module passes (201-help-rolling-update-cluster)."""
    text = day2(version, '201').stdout
    for dummy, flag, dummy2 in ki.ROLL_FLAGS:
        assert '--%s ' % flag in text
    assert '--instance-group ' in text and '--yes' in text


def test_validation_outcome():
    assert ki.validation_outcome(0, 'I... Cluster validated.\n', False) == 'passed'
    assert ki.validation_outcome(0, recording('1.36.2/day2', '222').stderr, True) == 'skipped'
    assert ki.validation_outcome(0, 'W... Cluster validation failed after terminating instance, proceeding since '
                                    'fail-on-validate is set to false: x', False) == 'failed'
    assert ki.validation_outcome(1, 'Error: x', False) == 'failed'


def test_a_detached_instance_needs_replacing():
    """awsBuildCloudInstanceGroup (upup/pkg/fi/cloudup/awsup/aws_cloud.go, v1.30.1 and v1.36.2) lists an instance
    tagged kops.k8s.io/detached-from-asg with status Detached, in the group's NeedUpdate list."""
    line = ('[{"id":"i-1","status":"Detached","roles":["node"],"internalIP":"172.20.0.9","externalIP":"",'
            '"instanceGroup":"nodes-us-west-2a.fleetman.k8s.local","machineType":"t3.medium","state":""},'
            '{"id":"i-2","status":"UpToDate","roles":["node"],"internalIP":"172.20.0.8","externalIP":"",'
            '"instanceGroup":"nodes-us-west-2a.fleetman.k8s.local","machineType":"t3.medium","state":""}]')
    instances = {i['id']: i for i in ki.parse_instances(line)}
    assert instances['i-1']['needs_update'] is True
    assert instances['i-2']['needs_update'] is False


@pytest.mark.parametrize('role, names', [
    ('control-plane', ('api-a.masters.fleetman.k8s.local', 'api-a.fleetman.k8s.local')),
    # pkg/model/names.go AutoscalingGroupName: InstanceGroupRoleAPIServer -> <ig>.apiservers.<cluster>.
    ('apiserver', ('api-a.apiservers.fleetman.k8s.local',)),
    ('node', ('api-a.fleetman.k8s.local',)),
    ('bastion', ('api-a.fleetman.k8s.local',)),
])
def test_cloud_group_names_follow_kops(role, names):
    assert ki.cloud_group_names(CLUSTER, 'api-a', role) == names


def test_plan_finds_the_instances_of_an_apiserver_group():
    groups = dict(GROUPS, **{'apiserver-us-west-2a': 'apiserver'})
    instances = [{'id': 'i-api', 'node_name': None, 'status': 'NeedsUpdate', 'needs_update': True, 'roles': [],
                  'cloud_group': 'apiserver-us-west-2a.apiservers.fleetman.k8s.local', 'internal_ip': None,
                  'machine_type': 't3.medium', 'state': None}]
    plan = ki.build_plan(CLUSTER, groups, ['apiserver-us-west-2a'], instances, [])
    assert [(p['name'], p['to_replace']) for p in plan] == [('apiserver-us-west-2a', ['i-api'])]


def test_plan_refuses_a_group_kops_would_roll_but_no_instance_matches():
    rows = [{'name': 'nodes-us-west-2a', 'status': 'NeedsUpdate', 'need_update': 2, 'ready': 0, 'min': 2,
             'target': 2, 'max': 2}]
    with pytest.raises(ValueError, match='kops reports 2 instance.* nodes-us-west-2a .* nodes-us-west-2a.fleetman.k8s.local'):
        ki.build_plan(CLUSTER, GROUPS, ['nodes-us-west-2a'], [], rows)
