# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
import yaml

from ansible_collections.cloudops.kops.plugins.modules import kops_instance_group
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    CLUSTER,
    GET,
    GET_IGS,
    NO_CHANGES,
    STORE,
    UPDATE_DRY,
    UPDATE_YES,
    VERSIONS,
    FakeKops,
    response,
    run_module,
)


def get_ig(name):
    return ('get', 'ig', name, '--name', CLUSTER, '-o', 'json')


def args(kops_binary, **extra):
    out = dict(cluster_name=CLUSTER, state_store=STORE, binary_path=kops_binary)
    out.update(extra)
    return out


def writes(fake):
    return [a for a in fake.args() if a[0] in ('create', 'replace', 'delete') or '--yes' in a]


@pytest.mark.parametrize('extra,message', [
    (dict(name='Bad_IG'), 'Instance group name'),
    (dict(name='nodes', min_size=3, max_size=2), 'min_size (3) is larger than max_size (2)'),
    (dict(name='nodes', min_size=-1), 'min_size must be 0 or more'),
    (dict(name='nodes', taints=['dedicated=batch']), 'Taint'),
    (dict(name='nodes', taints=['a=b:Sometimes']), 'Taint'),
    (dict(name='nodes', cluster_name='bad name'), 'not a valid DNS name'),
])
def test_bad_input_fails_before_kops(kops_binary, monkeypatch, extra, message):
    failed, result = run_module(kops_instance_group, args(kops_binary, **extra), None, monkeypatch)
    assert failed and message in result['msg']


def test_zones_and_subnets_are_exclusive(kops_binary, monkeypatch):
    failed, result = run_module(kops_instance_group, args(kops_binary, name='x', zones=['a'], subnets=['b']),
                                None, monkeypatch)
    assert failed and 'mutually exclusive' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_scale_node_group_from_1_to_2(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'), response(version, '70'))
    fake.add(('replace', '-f', '-'), response(version, '124'))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a',
                                                          min_size=2, max_size=2, _ansible_diff=True), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    assert fake.args() == [('version', '--short'), GET, get_ig('nodes-us-west-2a'), ('replace', '-f', '-'),
                           UPDATE_DRY, UPDATE_YES, get_ig('nodes-us-west-2a')]
    (doc,) = list(yaml.safe_load_all(fake.data[3]))
    assert doc['kind'] == 'InstanceGroup' and doc['metadata']['name'] == 'nodes-us-west-2a'
    assert (doc['spec']['minSize'], doc['spec']['maxSize']) == (2, 2)
    assert doc['spec']['machineType'] == 't3.medium'
    assert result['changes'][:2] == ['InstanceGroup/nodes-us-west-2a spec.minSize: 1 -> 2',
                                     'InstanceGroup/nodes-us-west-2a spec.maxSize: 1 -> 2']
    assert result['diff']['before']['spec']['maxSize'] == 1


@pytest.mark.parametrize('version', VERSIONS)
def test_scale_check_mode(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', max_size=2,
                                                          _ansible_check_mode=True), fake, monkeypatch)
    assert not failed
    assert result['changed'] is True
    assert writes(fake) == []
    assert result['instance_group']['max_size'] == 2


@pytest.mark.parametrize('version', VERSIONS)
def test_unchanged_group(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1,
                                                          max_size=1, machine_type='t3.medium', zones=['us-west-2a']),
                                fake, monkeypatch)
    assert not failed
    assert result['changed'] is False
    assert result['instance_group']['subnets'] == ['us-west-2a']


@pytest.mark.parametrize('version', VERSIONS)
def test_create_new_group_copies_template(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    created = '{"kind":"InstanceGroup","metadata":{"name":"batch-us-west-2b"},"spec":{"role":"Node","minSize":0,"maxSize":3}}'
    fake.add(get_ig('batch-us-west-2b'), response(version, '71'), (0, created, ''))
    fake.add(GET_IGS, response(version, '67'))
    fake.add(('create', '-f', '-'), (0, '', ''))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='batch-us-west-2b', min_size=0,
                                                          max_size=3, zones=['us-west-2b'], node_labels={'workload': 'batch'},
                                                          taints=['dedicated=batch:NoSchedule']), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    (doc,) = list(yaml.safe_load_all(fake.data[fake.args().index(('create', '-f', '-'))]))
    template = [ig for ig in yaml.safe_load_all(response(version, '69')[1]) if ig['metadata']['name'] == 'nodes-us-west-2a'][0]
    assert doc == {
        'apiVersion': 'kops.k8s.io/v1alpha2', 'kind': 'InstanceGroup',
        'metadata': {'name': 'batch-us-west-2b', 'labels': {'kops.k8s.io/cluster': CLUSTER}},
        'spec': {'role': 'Node', 'machineType': 't3.medium', 'image': template['spec']['image'], 'minSize': 0,
                 'maxSize': 3, 'subnets': ['us-west-2b'],
                 'nodeLabels': {'kops.k8s.io/instancegroup': 'batch-us-west-2b', 'workload': 'batch'},
                 'taints': ['dedicated=batch:NoSchedule']}}


def test_unknown_zone_fails_before_writing(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a',
                                                          zones=['us-west-2d']), fake, monkeypatch)
    assert failed and 'us-west-2d' in result['msg']
    assert writes(fake) == []


def test_role_change_is_refused(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', role='bastion'),
                                fake, monkeypatch)
    assert failed and result['msg'].startswith('role cannot be changed')


def test_min_above_stored_max_is_refused(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=3),
                                fake, monkeypatch)
    assert failed and 'minSize (3) would be larger than maxSize (1)' in result['msg']
    assert writes(fake) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_missing_cluster(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '143'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a'), fake, monkeypatch)
    assert failed and 'does not exist' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_absent_deletes(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2c'), response(version, '70'), response(version, '71'))
    fake.add(('delete', 'instancegroup', 'nodes-us-west-2c', '--name', CLUSTER, '--yes'), (0, 'Deleted InstanceGroup\n', ''))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2c', state='absent'),
                                fake, monkeypatch)
    assert not failed and result['changed'] is True
    assert fake.args()[-2:] == [('delete', 'instancegroup', 'nodes-us-west-2c', '--name', CLUSTER, '--yes'),
                                get_ig('nodes-us-west-2c')]


def test_delete_that_leaves_the_group_fails(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2c'), response(version, '70'))
    fake.add(('delete', 'instancegroup', 'nodes-us-west-2c', '--name', CLUSTER, '--yes'), (0, '', ''))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2c', state='absent'),
                                fake, monkeypatch)
    assert failed and 'still in the state store' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_absent_missing_group_and_check_mode(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nosuch-ig'), response(version, '71'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nosuch-ig', state='absent'),
                                fake, monkeypatch)
    assert not failed and result['changed'] is False
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', state='absent',
                                                          _ansible_check_mode=True), fake, monkeypatch)
    assert not failed and result['changed'] is True and writes(fake) == []


def test_rolling_update_defaults_to_this_group(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    fake.add(('rolling-update', 'cluster', '--name', CLUSTER, '--cloudonly', '--instance-group', 'nodes-us-west-2a'),
             response(version, '111'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a',
                                                          rolling_update='auto', rolling_update_cloudonly=True),
                                fake, monkeypatch)
    assert not failed and result['changed'] is False


@pytest.mark.parametrize('name', ['nodes-us-west-2b', 'control-plane-us-west-2c', 'master-us-west-2a'])
def test_names_kops_create_gives_its_groups_are_refused_for_new_groups(kops_binary, monkeypatch, name):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig(name), response(version, '71'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name=name, min_size=0, max_size=3), fake, monkeypatch)
    assert failed and 'is a name kops create cluster gives the groups it makes' in result['msg']
    assert [a for a in fake.args() if a[0] in ('create', 'replace')] == []


@pytest.mark.parametrize('version', VERSIONS)
def test_a_write_takes_and_releases_the_state_store_lock(kops_binary, monkeypatch, fake_state_store_s3, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    created = '{"kind":"InstanceGroup","metadata":{"name":"batch"},"spec":{"role":"Node","minSize":0,"maxSize":3}}'
    fake.add(get_ig('batch'), response(version, '71'), (0, created, ''))
    fake.add(GET_IGS, response(version, '67'))
    fake.add(('create', '-f', '-'), (0, '', ''))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='batch', min_size=0, max_size=3,
                                                          zones=['us-west-2b']), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert [c[0] for c in fake_state_store_s3.calls] == ['get', 'put', 'get', 'delete']
    assert fake_state_store_s3.objects == {}
