# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.modules import kops_cluster_info
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


LIST = ('get', 'clusters', '-o', 'json')


def args(kops_binary, **extra):
    out = dict(state_store=STORE, binary_path=kops_binary)
    out.update(extra)
    return out


@pytest.mark.parametrize('version', VERSIONS)
def test_all_clusters_with_instance_groups(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(LIST, response(version, '61'))
    fake.add(GET_IGS, response(version, '67'))
    failed, result = run_module(kops_cluster_info, args(kops_binary), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is False
    assert fake.args() == [('version', '--short'), LIST, GET_IGS]
    (cluster,) = result['clusters']
    assert cluster['name'] == CLUSTER
    assert cluster['zones'] == ['us-west-2a', 'us-west-2b', 'us-west-2c']
    assert cluster['kops_object']['spec']['cloudProvider'] == 'aws' and cluster['cloud_provider'] == 'aws'
    assert 'spec' not in cluster
    assert cluster['instance_groups'][0]['kops_object']['kind'] == 'InstanceGroup'
    assert [(ig['name'], ig['role'], ig['min_size'], ig['max_size']) for ig in cluster['instance_groups']] == [
        ('control-plane-us-west-2a', 'control-plane', 1, 1), ('nodes-us-west-2a', 'node', 1, 1),
        ('nodes-us-west-2b', 'node', 1, 1), ('nodes-us-west-2c', 'node', 1, 1)]
    assert cluster['instance_groups'][1]['subnets'] == ['us-west-2a']
    assert result['kops_version'] == version


@pytest.mark.parametrize('version', VERSIONS)
def test_empty_state_store_is_an_empty_list(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(LIST, response(version, '22'))
    failed, result = run_module(kops_cluster_info, args(kops_binary), fake, monkeypatch)
    assert not failed
    assert result['clusters'] == []


@pytest.mark.parametrize('version', VERSIONS)
def test_missing_bucket_is_an_error(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(LIST, response(version, '24'))
    failed, result = run_module(kops_cluster_info, args(kops_binary), fake, monkeypatch)
    assert failed
    assert result['error_kind'] == 'state_store'
    assert 'NoSuchBucket' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_bad_credentials_are_an_error(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(LIST, response(version, '150'))
    failed, result = run_module(kops_cluster_info, args(kops_binary), fake, monkeypatch)
    assert failed and result['error_kind'] == 'credentials'


@pytest.mark.parametrize('version', VERSIONS)
def test_one_named_cluster(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    failed, result = run_module(kops_cluster_info, args(kops_binary, name=CLUSTER, read_instance_groups=False),
                                fake, monkeypatch)
    assert not failed
    assert [c['name'] for c in result['clusters']] == [CLUSTER]
    assert result['clusters'][0]['instance_groups'] == []
    assert fake.args() == [('version', '--short'), GET]


@pytest.mark.parametrize('version', VERSIONS)
def test_named_cluster_missing_is_empty(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '143'))
    failed, result = run_module(kops_cluster_info, args(kops_binary, name=CLUSTER), fake, monkeypatch)
    assert not failed and result['clusters'] == []


def test_query_selects_fields(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(GET_IGS, response(version, '67'))
    query = "clusters[0].instance_groups[?role=='node'].{name: name, max: max_size}"
    failed, result = run_module(kops_cluster_info, args(kops_binary, name=CLUSTER, query=query, _ansible_check_mode=True),
                                fake, monkeypatch)
    assert not failed
    assert result['query_result'] == [{'name': 'nodes-us-west-2a', 'max': 1}, {'name': 'nodes-us-west-2b', 'max': 1},
                                      {'name': 'nodes-us-west-2c', 'max': 1}]


def test_bad_query_fails_before_kops(kops_binary, monkeypatch):
    failed, result = run_module(kops_cluster_info, args(kops_binary, query='clusters[?'), None, monkeypatch)
    assert failed and 'not a valid JMESPath' in result['msg']


def test_missing_jmespath(kops_binary, monkeypatch):
    monkeypatch.setattr(kops_cluster_info, 'HAS_JMESPATH', False)
    failed, result = run_module(kops_cluster_info, args(kops_binary, query='clusters'), None, monkeypatch)
    assert failed and 'jmespath' in result['msg']


def test_missing_state_store(kops_binary, monkeypatch):
    failed, result = run_module(kops_cluster_info, dict(binary_path=kops_binary), None, monkeypatch)
    assert failed and 'KOPS_STATE_STORE' in result['msg']


class ListingS3(object):
    """What read_state_store_objects asks of boto3: a list_object_versions paginator."""

    def __init__(self, pages=None, error=None):
        self.pages = pages or []
        self.error = error
        self.buckets = []

    def get_paginator(self, operation):
        assert operation == 'list_object_versions'
        s3 = self

        class Paginator(object):
            def paginate(self, Bucket):
                s3.buckets.append(Bucket)
                if s3.error is not None:
                    raise s3.error
                return iter(s3.pages)

        return Paginator()


@pytest.mark.parametrize('version', VERSIONS)
def test_state_store_objects_are_listed_with_their_versions(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(LIST, response(version, '61'))
    s3 = ListingS3([{'Versions': [{'Key': CLUSTER + '/config', 'IsLatest': True},
                                  {'Key': 'old.k8s.local/config', 'IsLatest': False}],
                     'DeleteMarkers': [{'Key': 'old.k8s.local/config', 'IsLatest': True}]}])
    made = []
    monkeypatch.setattr(kops_cluster_info, 'boto3_clients', lambda params, *services: made.append(
        (params['region'], services)) or (s3,))
    failed, result = run_module(kops_cluster_info, args(kops_binary, read_instance_groups=False, region='us-west-2',
                                                        read_state_store_objects=True,
                                                        query="state_store_objects[?!current].key"), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert made == [('us-west-2', ('s3',))] and s3.buckets == ['fleetman-kops-state']
    assert result['state_store_objects'] == [
        dict(key=CLUSTER + '/config', cluster=CLUSTER, versions=1, delete_markers=0, current=True),
        dict(key='old.k8s.local/config', cluster='old.k8s.local', versions=1, delete_markers=1, current=False)]
    assert result['query_result'] == ['old.k8s.local/config']
    assert [c['name'] for c in result['clusters']] == [CLUSTER]


def test_state_store_objects_are_not_read_unless_asked(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(LIST, response(version, '61'))
    monkeypatch.setattr(kops_cluster_info, 'boto3_clients', lambda params, *services: pytest.fail('boto3 was used'))
    failed, result = run_module(kops_cluster_info, args(kops_binary, read_instance_groups=False), fake, monkeypatch)
    assert not failed and 'state_store_objects' not in result


def test_state_store_objects_need_an_s3_store(kops_binary, monkeypatch):
    failed, result = run_module(kops_cluster_info, args(kops_binary, state_store='gs://fleetman-kops-state',
                                                        read_state_store_objects=True), None, monkeypatch)
    assert failed
    assert result['msg'] == ('read_state_store_objects=true needs an S3 state store (s3://bucket[/prefix]), not '
                             'gs://fleetman-kops-state.')


def test_state_store_objects_need_botocore(kops_binary, monkeypatch):
    monkeypatch.setattr(kops_cluster_info, 'HAS_BOTOCORE', False)
    failed, result = run_module(kops_cluster_info, args(kops_binary, read_state_store_objects=True), None, monkeypatch)
    assert failed and 'boto3 and botocore' in result['msg']


def test_a_listing_error_fails_with_the_bucket_and_the_kops_commands(kops_binary, monkeypatch):
    botocore = pytest.importorskip('botocore.exceptions')
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(LIST, response(version, '61'))
    denied = botocore.ClientError({'Error': {'Code': 'AccessDenied', 'Message': 'Access Denied'}}, 'ListObjectVersions')
    monkeypatch.setattr(kops_cluster_info, 'boto3_clients', lambda params, *services: (ListingS3(error=denied),))
    failed, result = run_module(kops_cluster_info, args(kops_binary, read_instance_groups=False,
                                                        read_state_store_objects=True), fake, monkeypatch)
    assert failed
    assert result['msg'].startswith('Could not list the object versions of the state store bucket of '
                                    's3://fleetman-kops-state: An error occurred (AccessDenied)')
    assert result['commands'][-1][1:] == list(LIST) + ['--state', STORE]
