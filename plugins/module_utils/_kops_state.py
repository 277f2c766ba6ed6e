# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Reading and writing kops objects (Cluster, InstanceGroup) in the state store."""

from __future__ import annotations

from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import NOT_FOUND
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import json_objects

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False


def _objects(runner, result, what, kind):
    try:
        return [obj for obj in json_objects(result.stdout) if obj.get('kind') == kind]
    except ValueError as exc:
        runner.fail('Could not parse the %s kops printed: %s' % (what, exc), result)


def get_cluster(runner, name):
    """The stored Cluster object, or None when the state store has no such cluster."""
    result = runner.run(['get', 'cluster', name, '-o', 'json'])
    if result.rc != 0:
        if result.error_kind == NOT_FOUND:
            return None
        runner.fail('Failed to read cluster %s from the state store.' % name, result)
    clusters = _objects(runner, result, 'cluster', 'Cluster')
    return clusters[0] if clusters else None


def list_clusters(runner):
    """Every Cluster object in the state store; an empty store is an empty list."""
    result = runner.run(['get', 'clusters', '-o', 'json'])
    if result.rc != 0:
        # kops exits 1 with "no clusters found" on an empty (but existing) store.
        if 'no clusters found' in result.stderr:
            return []
        runner.fail('Failed to list the clusters in the state store.', result)
    return _objects(runner, result, 'cluster list', 'Cluster')


def get_instance_groups(runner, cluster_name):
    """Every InstanceGroup of a cluster (kops prints an object when there is only one)."""
    result = runner.run(['get', 'ig', '--name', cluster_name, '-o', 'json'])
    if result.rc != 0:
        # kops get ig errors out on a cluster without groups instead of printing [].
        if 'no instancegroup objects found' in result.stderr.lower():
            return []
        runner.fail('Failed to read the instance groups of cluster %s.' % cluster_name, result)
    return _objects(runner, result, 'instance groups', 'InstanceGroup')


def get_cluster_and_instance_groups(runner, name):
    """The stored Cluster and its InstanceGroups in one ``kops get all``: ``(None, [])`` when there is no such cluster.

    ``kops get all -o json`` always prints an array, the Cluster first, then its InstanceGroups (then any
    addon objects, ignored here); a cluster without groups is ``[Cluster]`` with exit code 0 (kops says
    "No instance groups found" on stderr). A missing cluster is kops's NotFound error. One process instead
    of ``get cluster`` plus ``get ig``.
    """
    result = runner.run(['get', 'all', '--name', name, '-o', 'json'])
    if result.rc != 0:
        if result.error_kind == NOT_FOUND:
            return None, []
        runner.fail('Failed to read cluster %s and its instance groups from the state store.' % name, result)
    try:
        objects = json_objects(result.stdout)
    except ValueError as exc:
        runner.fail('Could not parse the cluster and instance groups kops printed: %s' % exc, result)
    clusters = [obj for obj in objects if obj.get('kind') == 'Cluster']
    if not clusters:
        return None, []
    return clusters[0], [obj for obj in objects if obj.get('kind') == 'InstanceGroup']


def get_instance_group(runner, cluster_name, ig_name):
    """One InstanceGroup, or None when the cluster has no group of that name."""
    result = runner.run(['get', 'ig', ig_name, '--name', cluster_name, '-o', 'json'])
    if result.rc != 0:
        if result.error_kind == NOT_FOUND and 'instancegroup not found' in result.stderr:
            return None
        runner.fail('Failed to read instance group %s of cluster %s.' % (ig_name, cluster_name), result)
    groups = _objects(runner, result, 'instance group', 'InstanceGroup')
    return groups[0] if groups else None


def to_manifest(objects):
    """A multi-document YAML stream, the form ``kops replace -f -`` reads."""
    if not HAS_YAML:
        raise ValueError('PyYAML is required to write kops manifests')
    return yaml.safe_dump_all(objects, default_flow_style=False, sort_keys=True, explicit_start=False)


def replace_objects(runner, objects, force=False, what='objects'):
    """Write whole objects back with ``kops replace -f -`` (``--force`` also creates missing ones)."""
    args = ['replace', '-f', '-']
    if force:
        args.append('--force')
    result = runner.run(args, data=to_manifest(objects))
    if result.rc != 0:
        runner.fail('kops replace failed for %s.' % what, result)
    return result


def create_objects(runner, objects, what='objects'):
    """Create new objects with ``kops create -f -`` (fails if one exists)."""
    result = runner.run(['create', '-f', '-'], data=to_manifest(objects))
    if result.rc != 0:
        runner.fail('kops create failed for %s.' % what, result)
    return result
