# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cloud_labels with purge_tags, as amazon.aws does tags."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._kops_spec import compare_cluster

STORED = {'team': 'platform', 'cost-center': '42'}


def cluster(labels):
    spec = {'cloudProvider': 'aws', 'kubernetesVersion': '1.30.14'}
    if labels is not None:
        spec['cloudLabels'] = dict(labels)
    return {'apiVersion': 'kops.k8s.io/v1alpha2', 'kind': 'Cluster', 'metadata': {'name': 'fleetman.k8s.local'},
            'spec': spec}


def labels_after(stored, **params):
    changes = compare_cluster(cluster(stored), [], params)
    edits = [d for d in changes.differences if d['field'] == 'spec.cloudLabels']
    return (edits[0]['after'] if edits else 'unchanged'), changes


@pytest.mark.parametrize('purge', [True, None])
def test_purge_replaces_the_labels(purge):
    params = dict(cloud_labels={'team': 'web'})
    if purge is not None:
        params['purge_tags'] = purge
    assert labels_after(STORED, **params)[0] == {'team': 'web'}


def test_no_purge_merges_into_the_stored_labels():
    assert labels_after(STORED, cloud_labels={'team': 'web', 'env': 'prod'}, purge_tags=False)[0] == {
        'team': 'web', 'cost-center': '42', 'env': 'prod'}


def test_no_purge_with_labels_already_there_changes_nothing():
    after, changes = labels_after(STORED, cloud_labels={'team': 'platform'}, purge_tags=False)
    assert after == 'unchanged' and not changes.changed


def test_no_purge_on_a_cluster_without_labels():
    assert labels_after(None, cloud_labels={'team': 'web'}, purge_tags=False)[0] == {'team': 'web'}


@pytest.mark.parametrize('purge, expected', [(True, None), (False, 'unchanged')])
def test_empty_labels(purge, expected):
    assert labels_after(STORED, cloud_labels={}, purge_tags=purge)[0] == expected
