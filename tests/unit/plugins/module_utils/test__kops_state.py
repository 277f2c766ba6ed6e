# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
import yaml

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_state as state
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsResult
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import VERSIONS, response


class Failed(Exception):
    pass


class ScriptedRunner(object):
    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def run(self, args, data=None, environ=None):
        self.calls.append((tuple(args), data, environ))
        rc, out, err = self.answers[tuple(args)]
        return KopsResult(rc, out, err, ['kops'] + list(args))

    def fail(self, msg, result=None, **extra):
        raise Failed(msg, result)


@pytest.mark.parametrize('version', VERSIONS)
def test_get_cluster_found_and_missing(version):
    runner = ScriptedRunner({('get', 'cluster', 'fleetman.k8s.local', '-o', 'json'): response(version, '65'),
                             ('get', 'cluster', 'nosuch.k8s.local', '-o', 'json'): response(version, '29')})
    assert state.get_cluster(runner, 'fleetman.k8s.local')['kind'] == 'Cluster'
    assert state.get_cluster(runner, 'nosuch.k8s.local') is None


@pytest.mark.parametrize('version', VERSIONS)
def test_get_cluster_other_errors_fail(version):
    runner = ScriptedRunner({('get', 'cluster', 'x.k8s.local', '-o', 'json'): response(version, '150')})
    with pytest.raises(Failed, match='Failed to read cluster'):
        state.get_cluster(runner, 'x.k8s.local')


@pytest.mark.parametrize('version', VERSIONS)
def test_list_clusters(version):
    assert len(state.list_clusters(ScriptedRunner({('get', 'clusters', '-o', 'json'): response(version, '61')}))) == 1
    assert state.list_clusters(ScriptedRunner({('get', 'clusters', '-o', 'json'): response(version, '22')})) == []
    with pytest.raises(Failed):
        state.list_clusters(ScriptedRunner({('get', 'clusters', '-o', 'json'): response(version, '24')}))


@pytest.mark.parametrize('version', VERSIONS)
def test_instance_groups(version):
    runner = ScriptedRunner({
        ('get', 'ig', '--name', 'fleetman.k8s.local', '-o', 'json'): response(version, '67'),
        ('get', 'ig', 'nodes-us-west-2a', '--name', 'fleetman.k8s.local', '-o', 'json'): response(version, '70'),
        ('get', 'ig', 'nosuch-ig', '--name', 'fleetman.k8s.local', '-o', 'json'): response(version, '71'),
        ('get', 'ig', 'x', '--name', 'nosuch.k8s.local', '-o', 'json'): response(version, '31'),
    })
    assert len(state.get_instance_groups(runner, 'fleetman.k8s.local')) == 4
    assert state.get_instance_group(runner, 'fleetman.k8s.local', 'nodes-us-west-2a')['spec']['role'] == 'Node'
    assert state.get_instance_group(runner, 'fleetman.k8s.local', 'nosuch-ig') is None
    with pytest.raises(Failed):
        state.get_instance_group(runner, 'nosuch.k8s.local', 'x')


def test_replace_sends_multi_document_yaml():
    runner = ScriptedRunner({('replace', '-f', '-', '--force'): (0, '', '')})
    state.replace_objects(runner, [{'kind': 'Cluster'}, {'kind': 'InstanceGroup'}], force=True)
    data = runner.calls[0][1]
    assert [d['kind'] for d in yaml.safe_load_all(data)] == ['Cluster', 'InstanceGroup']


@pytest.mark.parametrize('version', VERSIONS)
def test_create_existing_fails(version):
    runner = ScriptedRunner({('create', '-f', '-'): response(version, '128')})
    with pytest.raises(Failed, match='kops create failed'):
        state.create_objects(runner, [{'kind': 'InstanceGroup'}])


def test_cluster_without_groups_is_an_empty_list():
    runner = ScriptedRunner({('get', 'ig', '--name', 'x.k8s.local', '-o', 'json'):
                             (1, '', 'Error: no InstanceGroup objects found\n')})
    assert state.get_instance_groups(runner, 'x.k8s.local') == []


GET_ALL = ('get', 'all', '--name', 'fleetman.k8s.local', '-o', 'json')


def drop(obj):
    """The object without its creation time (the recordings were taken at different times)."""
    return dict(obj, metadata=dict((k, v) for k, v in obj['metadata'].items() if k != 'creationTimestamp'))


@pytest.mark.parametrize('version', VERSIONS)
def test_cluster_and_instance_groups_in_one_get_all(version):
    runner = ScriptedRunner({GET_ALL: response(version, '185')})
    cluster, groups = state.get_cluster_and_instance_groups(runner, 'fleetman.k8s.local')
    assert cluster['kind'] == 'Cluster' and cluster['metadata']['name'] == 'fleetman.k8s.local'
    assert [g['metadata']['name'] for g in groups] == [
        'control-plane-us-west-2a', 'nodes-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c']
    # The same objects as get cluster and get ig print (recordings 65 and 67, taken from the same cluster).
    single = ScriptedRunner({('get', 'cluster', 'fleetman.k8s.local', '-o', 'json'): response(version, '65'),
                             ('get', 'ig', '--name', 'fleetman.k8s.local', '-o', 'json'): response(version, '67')})
    assert drop(cluster) == drop(state.get_cluster(single, 'fleetman.k8s.local'))
    assert [drop(g) for g in groups] == [drop(g) for g in state.get_instance_groups(single, 'fleetman.k8s.local')]
    assert [call[0] for call in runner.calls] == [GET_ALL]


@pytest.mark.parametrize('version', VERSIONS)
def test_get_all_missing_cluster_and_cluster_without_groups(version):
    # cmd/kops/get_all.go RunGetAll: GetCluster's NotFound as is; a cluster without groups is [Cluster], exit 0.
    missing = ScriptedRunner({GET_ALL: (1, '', 'Error: Cluster.kops.k8s.io "fleetman.k8s.local" not found\n')})
    assert state.get_cluster_and_instance_groups(missing, 'fleetman.k8s.local') == (None, [])
    only = json.dumps([json.loads(response(version, '185')[1])[0]])
    bare = ScriptedRunner({GET_ALL: (0, only, 'No instance groups found\n')})
    cluster, groups = state.get_cluster_and_instance_groups(bare, 'fleetman.k8s.local')
    assert cluster['kind'] == 'Cluster' and groups == []


@pytest.mark.parametrize('version', VERSIONS)
def test_get_all_other_errors_fail(version):
    # Recording 53: GetCluster on a missing bucket (the path get all takes).
    runner = ScriptedRunner({GET_ALL: response(version, '53')})
    with pytest.raises(Failed, match='Failed to read cluster fleetman.k8s.local and its instance groups'):
        state.get_cluster_and_instance_groups(runner, 'fleetman.k8s.local')
