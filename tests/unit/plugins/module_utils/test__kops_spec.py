# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_spec as spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import json_objects
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import VERSIONS, recording


def stored(version):
    return json_objects(recording(version, '65').stdout)[0], json_objects(recording(version, '67').stdout)


@pytest.mark.parametrize('name,ok', [
    ('fleetman.k8s.local', True), ('k8s.example.com', True), ('a-b.c', True),
    ('Bad_Name', False), ('nodots', False), ('-x.example.com', False), ('x..y', False), ('', False), ('a' * 250 + '.com', False),
])
def test_cluster_name(name, ok):
    assert (spec.cluster_name_error(name) is None) is ok


@pytest.mark.parametrize('taint,ok', [
    ('dedicated=batch:NoSchedule', True), ('gpu:NoExecute', True), ('example.com/x=y:PreferNoSchedule', True),
    ('dedicated=batch', False), ('a=b:Never', False), ('=b:NoSchedule', False),
])
def test_taints(taint, ok):
    assert (spec.taint_error(taint) is None) is ok


@pytest.mark.parametrize('count,buckets,expected', [(3, 3, [1, 1, 1]), (4, 3, [2, 1, 1]), (6, 3, [2, 2, 2]), (0, 2, [0, 0]), (5, 0, [])])
def test_distribute_like_kops_create(count, buckets, expected):
    assert spec.distribute(count, buckets) == expected


@pytest.mark.parametrize('version', VERSIONS)
def test_stored_settings(version):
    cluster, igs = stored(version)
    s = cluster['spec']
    assert spec.stored_zones(s) == ['us-west-2a', 'us-west-2b', 'us-west-2c']
    assert spec.stored_topology(s) == 'public'
    assert spec.stored_dns(s) == 'none'
    assert spec.stored_networking(s) == 'cilium'
    assert [spec.ig_zones(ig, s) for ig in igs] == [['us-west-2a'], ['us-west-2a'], ['us-west-2b'], ['us-west-2c']]
    assert [spec.is_control_plane(ig) for ig in igs] == [True, False, False, False]


@pytest.mark.parametrize('version', VERSIONS)
def test_matching_request_has_no_changes(version):
    cluster, igs = stored(version)
    params = dict(zones=['us-west-2c', 'us-west-2a', 'us-west-2b'], node_count=3, node_size='t3.medium',
                  control_plane_size='t3.medium', networking='cilium', topology='public', dns='none',
                  control_plane_count=1, control_plane_zones=['us-west-2a'], api_loadbalancer_class='network',
                  api_loadbalancer_type='public', kubernetes_version=cluster['spec']['kubernetesVersion'])
    changes = spec.compare_cluster(cluster, igs, params)
    assert changes.conflicts == [] and changes.differences == [] and changes.objects == []


def test_changes_leave_inputs_untouched():
    cluster, igs = stored('1.36.2')
    changes = spec.compare_cluster(cluster, igs, dict(node_size='t3.large'))
    assert igs[1]['spec']['machineType'] == 't3.medium'
    assert [o['metadata']['name'] for o in changes.objects] == ['nodes-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c']
    assert all(o['spec']['machineType'] == 't3.large' for o in changes.objects)


def test_cloud_labels_removed_by_empty_dict():
    cluster, igs = stored('1.30.1')
    cluster['spec']['cloudLabels'] = {'team': 'a'}
    changes = spec.compare_cluster(cluster, igs, dict(cloud_labels={}))
    expected = {'object': 'Cluster/fleetman.k8s.local', 'field': 'spec.cloudLabels', 'before': {'team': 'a'}, 'after': None}
    assert changes.differences == [expected]
    assert 'cloudLabels' not in changes.objects[0]['spec']


def test_networking_aliases():
    cluster, igs = stored('1.30.1')
    assert spec.compare_cluster(cluster, igs, dict(networking='cilium-etcd')).conflicts == []
    assert spec.compare_cluster(cluster, igs, dict(networking='flannel')).conflicts


def test_instance_group_labels_merge_and_taints_replace():
    cluster, igs = stored('1.36.2')
    ig = igs[1]
    ig['spec']['taints'] = ['a=b:NoSchedule']
    changes = spec.compare_instance_group(ig, cluster['spec'], dict(node_labels={'x': 'y'}, taints=[]))
    (obj,) = changes.objects
    assert obj['spec']['nodeLabels'] == {'kops.k8s.io/instancegroup': 'nodes-us-west-2a', 'x': 'y'}
    assert 'taints' not in obj['spec']


def test_subnet_lookup():
    cluster, dummy = stored('1.36.2')
    cluster['spec']['subnets'].append({'name': 'utility-us-west-2d', 'zone': 'us-west-2d', 'type': 'Utility'})
    assert spec.subnets_for_zones(cluster['spec'], ['us-west-2b', 'us-west-2d']) == (['us-west-2b'], ['us-west-2d'])
    assert spec.unknown_subnets(cluster['spec'], dict(subnets=['us-west-2a', 'nope'])) == ['nope']


def test_new_instance_group_defaults():
    cluster, igs = stored('1.30.1')
    ig = spec.new_instance_group('fleetman.k8s.local', 'extra', cluster['spec'], dict(role='node', min_size=2), igs[1])
    assert ig['spec']['minSize'] == 2 and ig['spec']['maxSize'] == 2
    assert ig['spec']['subnets'] == ['us-west-2a'] and ig['spec']['machineType'] == 't3.medium'
    control = spec.new_instance_group('fleetman.k8s.local', 'cp-b', cluster['spec'], dict(role='control-plane', zones=['us-west-2b']))
    assert control['spec']['role'] == 'Master' and 'machineType' not in control['spec']


def test_node_count_remainder_follows_zone_order():
    # kops create --zones c,a,b --node-count 4 puts 2 nodes in the c group.
    cluster, igs = stored('1.36.2')
    changes = spec.compare_cluster(cluster, igs, dict(zones=['us-west-2c', 'us-west-2a', 'us-west-2b'], node_count=4))
    assert [(o['metadata']['name'], o['spec']['maxSize']) for o in changes.objects] == [('nodes-us-west-2c', 2)]
    changes = spec.compare_cluster(cluster, igs, dict(node_count=4))
    assert [(o['metadata']['name'], o['spec']['maxSize']) for o in changes.objects] == [('nodes-us-west-2a', 2)]


def test_load_balancer_options_need_a_load_balancer():
    cluster, igs = stored('1.30.1')
    cluster['spec']['api'] = {'dns': {}}
    changes = spec.compare_cluster(cluster, igs, dict(api_loadbalancer_class='classic'))
    assert changes.conflicts and 'reaches its API through DNS' in changes.conflicts[0]
    assert changes.objects == []


def _with_batch_group(version):
    cluster, igs = stored(version)
    batch = spec.new_instance_group('fleetman.k8s.local', 'batch', cluster['spec'], dict(
        role='node', machine_type='m5.xlarge', min_size=0, max_size=4, zones=['us-west-2a']))
    return cluster, igs + [batch]


@pytest.mark.parametrize('version', VERSIONS)
def test_cluster_options_leave_groups_it_did_not_make_alone(version):
    cluster, igs = _with_batch_group(version)
    params = dict(node_count=6, node_size='t3.large', control_plane_size='t3.large', image='ami-0123456789abcdef0')
    changes = spec.compare_cluster(cluster, igs, params)
    touched = sorted({d['object'] for d in changes.differences})
    assert touched == sorted(
        ['InstanceGroup/control-plane-us-west-2a', 'InstanceGroup/nodes-us-west-2a',
         'InstanceGroup/nodes-us-west-2b', 'InstanceGroup/nodes-us-west-2c'])
    assert not [o for o in changes.objects if o['metadata']['name'] == 'batch']
    assert [o['spec']['maxSize'] for o in changes.objects if o['spec']['role'] == 'Node'] == [2, 2, 2]


@pytest.mark.parametrize('version', VERSIONS)
def test_rerun_with_extra_group_has_no_changes(version):
    cluster, igs = _with_batch_group(version)
    params = dict(zones=['us-west-2a', 'us-west-2b', 'us-west-2c'], node_count=3, node_size='t3.medium',
                  control_plane_size='t3.medium', control_plane_count=1)
    changes = spec.compare_cluster(cluster, igs, params)
    assert changes.conflicts == [] and changes.differences == []


def test_selected_node_groups_are_the_only_ones_changed():
    cluster, igs = _with_batch_group('1.36.2')
    changes = spec.compare_cluster(cluster, igs, dict(node_count=2, node_instance_groups=['batch']))
    assert changes.differences == [
        {'object': 'InstanceGroup/batch', 'field': 'spec.minSize', 'before': 0, 'after': 2},
        {'object': 'InstanceGroup/batch', 'field': 'spec.maxSize', 'before': 4, 'after': 2},
    ]


def test_selecting_an_unknown_or_non_node_group_is_a_conflict():
    cluster, igs = stored('1.30.1')
    changes = spec.compare_cluster(cluster, igs, dict(node_size='t3.large',
                                                      node_instance_groups=['control-plane-us-west-2a', 'gpu']))
    assert changes.conflicts == ['node_instance_groups names control-plane-us-west-2a, gpu, which are not a node '
                                 'instance group of the cluster.']
    assert changes.differences == []


def test_node_count_without_owned_groups_names_the_way_out():
    cluster, igs = _with_batch_group('1.30.1')
    igs = [ig for ig in igs if not ig['metadata']['name'].startswith('nodes-')]
    changes = spec.compare_cluster(cluster, igs, dict(node_count=3))
    assert 'node_instance_groups' in changes.conflicts[0]
    assert changes.differences == []


@pytest.mark.parametrize('wanted, allowed', [
    ('1.30.15', True),   # a patch release up
    ('1.31.2', True),    # one minor up
    ('1.32.0', False),   # two minors up: one at a time
    ('1.30.2', False),   # back: kops does not downgrade Kubernetes
    ('1.29.15', False),
])
def test_kubernetes_version_moves_one_minor_forward_at_most(wanted, allowed):
    cluster, igs = stored('1.30.1')
    assert cluster['spec']['kubernetesVersion'] == '1.30.14'
    changes = spec.compare_cluster(cluster, igs, dict(kubernetes_version=wanted))
    if allowed:
        assert changes.conflicts == []
        assert changes.objects[0]['spec']['kubernetesVersion'] == wanted
    else:
        assert len(changes.conflicts) == 1 and 'cloudops.kops.upgrade' in changes.conflicts[0]
        assert changes.objects == []
