# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._kops_state_store_objects import (
    key_cluster,
    read_state_store_objects,
    summarise_versions,
)


@pytest.mark.parametrize('key, prefix, cluster', [
    ('fleetman.k8s.local/config', '', 'fleetman.k8s.local'),
    ('fleetman.k8s.local/instancegroup/nodes-us-west-2a', '', 'fleetman.k8s.local'),
    ('cloudops-keys/fleetman.k8s.local/id_ed25519', '', 'fleetman.k8s.local'),
    ('cloudops-locks/fleetman.k8s.local.json', '', 'fleetman.k8s.local'),
    ('team-b/fleetman.k8s.local/config', 'team-b', 'fleetman.k8s.local'),
    ('team-b/cloudops-keys/fleetman.k8s.local/id_ed25519.pub', 'team-b', 'fleetman.k8s.local'),
    ('team-b/cloudops-locks/fleetman.k8s.local.json', 'team-b', 'fleetman.k8s.local'),
    ('a/b/fleetman.k8s.local/config', 'a/b', 'fleetman.k8s.local'),
    # Outside the store, or not under a cluster's directory.
    ('team-b/fleetman.k8s.local/config', '', 'team-b'),
    ('fleetman.k8s.local/config', 'team-b', None),
    ('team-bb/fleetman.k8s.local/config', 'team-b', None),
    ('README', '', None),
    ('team-b/README', 'team-b', None),
    ('/config', '', None),
    ('cloudops-keys/id_ed25519', '', None),
    ('cloudops-keys/fleetman.k8s.local', '', None),
    ('cloudops-locks/.json', '', None),
    ('cloudops-locks/fleetman.k8s.local.lock', '', None),
    ('cloudops-locks/x/y.json', '', None),
])
def test_key_cluster_follows_the_state_store_layout(key, prefix, cluster):
    assert key_cluster(key, prefix) == cluster


def test_versions_and_delete_markers_are_counted_per_key_across_pages():
    pages = [
        {'Versions': [
            {'Key': 'fleetman.k8s.local/config', 'VersionId': '3', 'IsLatest': True},
            {'Key': 'fleetman.k8s.local/config', 'VersionId': '2', 'IsLatest': False},
            {'Key': 'old.k8s.local/config', 'VersionId': '1', 'IsLatest': False},
        ], 'DeleteMarkers': [
            {'Key': 'old.k8s.local/config', 'VersionId': '4', 'IsLatest': True},
        ]},
        {'Versions': [
            {'Key': 'fleetman.k8s.local/config', 'VersionId': '1', 'IsLatest': False},
            {'Key': 'README', 'VersionId': 'null', 'IsLatest': True},
        ]},
        {},
    ]
    assert summarise_versions(pages, '') == [
        dict(key='README', cluster=None, versions=1, delete_markers=0, current=True),
        dict(key='fleetman.k8s.local/config', cluster='fleetman.k8s.local', versions=3, delete_markers=0, current=True),
        dict(key='old.k8s.local/config', cluster='old.k8s.local', versions=1, delete_markers=1, current=False),
    ]


def test_a_key_with_only_delete_markers_is_listed_and_not_current():
    pages = [{'DeleteMarkers': [{'Key': 'x.k8s.local/config', 'IsLatest': True}, {'Key': 'x.k8s.local/config'}]}]
    assert summarise_versions(pages, '') == [
        dict(key='x.k8s.local/config', cluster='x.k8s.local', versions=0, delete_markers=2, current=False)]


class FakePaginatingS3(object):
    def __init__(self, pages):
        self.pages = pages
        self.asked = []

    def get_paginator(self, operation):
        client = self

        class Paginator(object):
            def paginate(self, **kwargs):
                client.asked.append((operation, kwargs))
                return iter(client.pages)

        return Paginator()


def test_the_whole_bucket_is_listed_and_keys_are_read_against_the_store_prefix():
    s3 = FakePaginatingS3([{'Versions': [{'Key': 'team-b/b.k8s.local/config', 'IsLatest': True},
                                         {'Key': 'a.k8s.local/config', 'IsLatest': True}]}])
    found = read_state_store_objects(s3, 's3://fleetman-kops-state/team-b/')
    # No Prefix: objects outside the state store keep the bucket too.
    assert s3.asked == [('list_object_versions', {'Bucket': 'fleetman-kops-state'})]
    assert [(entry['key'], entry['cluster']) for entry in found] == [
        ('a.k8s.local/config', None), ('team-b/b.k8s.local/config', 'b.k8s.local')]
