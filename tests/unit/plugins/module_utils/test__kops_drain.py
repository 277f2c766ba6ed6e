# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._kops_drain import (
    choose_removals,
    delete_instance_args,
    group_members,
    preview_outcome,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsResult

CLUSTER = 'fleetman.k8s.local'


def member(instance_id, status='UpToDate', group='nodes-us-west-2a.fleetman.k8s.local'):
    return {'id': instance_id, 'status': status, 'needs_update': status == 'NeedsUpdate', 'cloud_group': group}


def test_members_of_a_group_by_its_cloud_group_names():
    instances = [member('i-1'), member('i-2', group='nodes-us-west-2b.fleetman.k8s.local'),
                 member('i-3', group='control-plane-us-west-2a.masters.fleetman.k8s.local')]
    assert [m['id'] for m in group_members(instances, CLUSTER, 'nodes-us-west-2a', 'node')] == ['i-1']
    assert [m['id'] for m in group_members(instances, CLUSTER, 'control-plane-us-west-2a', 'control-plane')] == ['i-3']


def test_detached_first_then_needs_update_then_newest_then_id():
    members = [member('i-a'), member('i-b'), member('i-c', 'NeedsUpdate'), member('i-d'), member('i-e', 'Detached')]
    times = {'i-a': 100.0, 'i-b': 300.0, 'i-c': 50.0, 'i-d': 300.0}
    assert [m['id'] for m in choose_removals(members, 1, times)] == ['i-e', 'i-c', 'i-b', 'i-d']
    assert [m['id'] for m in choose_removals(members, 4, times)] == ['i-e']
    assert [m['id'] for m in choose_removals(members, 0, times)] == ['i-e', 'i-c', 'i-b', 'i-d', 'i-a']
    assert choose_removals([member('i-a')], 1) == []


def test_delete_instance_never_surges():
    assert delete_instance_args(CLUSTER, 'i-1') == ['delete', 'instance', 'i-1', '--name', CLUSTER, '--surge=false']
    assert delete_instance_args(CLUSTER, 'i-1', yes=True, cloud_only=True, post_drain_delay=0) == [
        'delete', 'instance', 'i-1', '--name', CLUSTER, '--surge=false', '--cloudonly', '--post-drain-delay=0s', '--yes']


@pytest.mark.parametrize('rc,stdout,stderr,outcome', [
    (0, 'Instance i-1 (ip-10-0-0-1.ec2.internal) found for deletion\n\nMust specify --yes to delete instance\n', '',
     ('node', 'ip-10-0-0-1.ec2.internal')),
    (1, '', 'Instance is not a member of the cluster\nUse --cloudonly to do a deletion without confirming progress '
            'with the k8s API\n\nError: error finding node name for instance: i-1\n', ('not-a-node', None)),
    (1, '', 'Unable to reach the kubernetes API.\n\nError: listing nodes in cluster: boom\n', ('error', None)),
    (1, '', 'Error: could not find instance i-1\n', ('error', None)),
])
def test_preview_outcome(rc, stdout, stderr, outcome):
    assert preview_outcome(KopsResult(rc, stdout, stderr, [])) == outcome
