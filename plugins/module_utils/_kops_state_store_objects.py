# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Every object version of an S3 state store bucket, and the cluster each key belongs to.

kops keeps a cluster under ``<store>/<cluster>/``; cloudops.kops adds the node key pair under
``<store>/cloudops-keys/<cluster>/`` (the ssh_keypair role) and the lock ``<store>/cloudops-locks/<cluster>.json``
(_kops_lock). A versioned bucket keeps earlier versions and delete markers after an object is deleted: a plain
listing (ListObjectsV2) does not show them, and deleting the bucket with force deletes them, so whoever decides
that a bucket holds nothing of anyone else's must read the versions (ListObjectVersions).
"""

from __future__ import annotations

from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import LOCK_PREFIX, split_store

KEYS_PREFIX = 'cloudops-keys'


def key_cluster(key, prefix):
    """The cluster ``key`` belongs to in the state store ``prefix`` (``''`` for the bucket root), else None.

    None for a key outside the store or not under a cluster's directory. The directory name is taken as kops lays
    clusters out; it is not checked against the clusters kops lists.
    """
    base = prefix + '/' if prefix else ''
    if not key.startswith(base):
        return None
    parts = key[len(base):].split('/')
    if len(parts) < 2 or not parts[0]:
        return None
    if parts[0] == KEYS_PREFIX:
        return parts[1] if len(parts) > 2 and parts[1] else None
    if parts[0] == LOCK_PREFIX:
        name = parts[1]
        return name[:-len('.json')] if len(parts) == 2 and name.endswith('.json') and len(name) > len('.json') else None
    return parts[0]


def summarise_versions(pages, prefix):
    """One entry per key of ListObjectVersions ``pages``: its versions, its delete markers, whether it is current."""
    entries = {}

    def entry(key):
        if key not in entries:
            entries[key] = dict(key=key, cluster=key_cluster(key, prefix), versions=0, delete_markers=0, current=False)
        return entries[key]

    for page in pages:
        for version in page.get('Versions') or []:
            found = entry(version['Key'])
            found['versions'] += 1
            if version.get('IsLatest'):
                found['current'] = True
        for marker in page.get('DeleteMarkers') or []:
            entry(marker['Key'])['delete_markers'] += 1
    return [entries[key] for key in sorted(entries)]


def read_state_store_objects(client, state_store):
    """Every key of the state store's whole bucket (other prefixes too), with its versions; boto3 errors propagate."""
    bucket, prefix = split_store(state_store)
    return summarise_versions(client.get_paginator('list_object_versions').paginate(Bucket=bucket), prefix)
