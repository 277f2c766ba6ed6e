# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Compare the settings a play asks for with the Cluster and InstanceGroup specs kops stored.

Everything here is pure: objects in, objects and differences out. The modules
decide what to run.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_versions

# v1alpha2 (what `kops get -o json` prints and `kops replace` reads) still says Master.
ROLE_TO_KOPS = {'node': 'Node', 'control-plane': 'Master', 'bastion': 'Bastion', 'apiserver': 'APIServer'}
CONTROL_PLANE_ROLES = ('Master', 'ControlPlane')

# --networking values whose spec.networking key is spelled differently.
_NETWORKING_KEYS = {
    'flannel-vxlan': 'flannel',
    'flannel-udp': 'flannel',
    'cilium-etcd': 'cilium',
    'kube-router': 'kuberouter',
    'amazon-vpc-routed-eni': 'amazonvpc',
}

_DNS_LABEL = r'[a-z0-9]([-a-z0-9]*[a-z0-9])?'
_DNS_SUBDOMAIN = re.compile(r'^%s(\.%s)*$' % (_DNS_LABEL, _DNS_LABEL))
_TAINT = re.compile(r'^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?(=[^:=\s]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$')


# -- validation ---------------------------------------------------------------------------

def cluster_name_error(name):
    """Why kops would reject ``name`` as a cluster name, or None."""
    if not name:
        return 'name must not be empty.'
    if len(name) > 253:
        return 'Cluster name %r is longer than 253 characters.' % name
    if not _DNS_SUBDOMAIN.match(name):
        return ('Cluster name %r is not a valid DNS name: use lowercase letters, digits, "-" and "." '
                '(for example k8s.example.com, or fleetman.k8s.local for a cluster without DNS).' % name)
    if '.' not in name:
        return ('Cluster name %r must be a fully qualified DNS name such as k8s.example.com '
                '(or end in .k8s.local for a cluster without DNS).' % name)
    return None


def instance_group_name_error(name):
    if not name or len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        return ('Instance group name %r is not valid: use lowercase letters, digits, "-" and "." '
                '(for example nodes-us-west-2a).' % name)
    return None


def taint_error(taint):
    if not _TAINT.match(taint or ''):
        return ('Taint %r is not of the form key[=value]:Effect with Effect one of NoSchedule, '
                'PreferNoSchedule or NoExecute.' % taint)
    return None


# -- reading stored specs -----------------------------------------------------------------

def version_text(value):
    return str(value).lstrip('v') if value is not None else None


def networking_key(value):
    value = (value or '').lower()
    return _NETWORKING_KEYS.get(value, value)


def stored_networking(spec):
    networking = spec.get('networking') or {}
    keys = sorted(key for key, value in networking.items() if isinstance(value, dict))
    return keys[0].lower() if keys else None


def stored_zones(spec):
    return sorted({subnet['zone'] for subnet in spec.get('subnets') or [] if subnet.get('zone')})


def stored_topology(spec):
    types = {subnet.get('type') for subnet in spec.get('subnets') or []}
    return 'private' if 'Private' in types else 'public'


def stored_dns(spec):
    dns_type = ((spec.get('topology') or {}).get('dns') or {}).get('type')
    return dns_type.lower() if dns_type else 'public'


def is_control_plane(ig):
    return (ig.get('spec') or {}).get('role') in CONTROL_PLANE_ROLES


def is_node(ig):
    return (ig.get('spec') or {}).get('role') == 'Node'


def ig_zones(ig, cluster_spec):
    """Zones an instance group runs in, through the cluster's subnet list."""
    spec = ig.get('spec') or {}
    if spec.get('zones'):
        return sorted(spec['zones'])
    by_name = {subnet.get('name'): subnet.get('zone') for subnet in cluster_spec.get('subnets') or []}
    return sorted({by_name.get(name, name) for name in spec.get('subnets') or []})


def subnets_for_zones(cluster_spec, zones):
    """Map zones to the cluster's non-utility subnet names; returns (names, unknown zones)."""
    names, unknown = [], []
    for zone in zones:
        match = [s.get('name') for s in cluster_spec.get('subnets') or []
                 if s.get('zone') == zone and s.get('type') != 'Utility']
        if match:
            names.append(match[0])
        else:
            unknown.append(zone)
    return names, unknown


def distribute(count, buckets):
    """Spread ``count`` over ``buckets`` groups the way kops create does (first groups get the rest)."""
    if buckets <= 0:
        return []
    base, extra = divmod(count, buckets)
    return [base + (1 if index < extra else 0) for index in range(buckets)]


def ig_name(ig):
    return (ig.get('metadata') or {}).get('name')


# -- ownership ----------------------------------------------------------------------------
# kops_cluster's node_* and image options reach only the groups `kops create cluster` makes
# (nodes-<zone>, control-plane-<zone>/master-<zone>) or the node groups a play names; a group
# added by kops_instance_group, or by hand, belongs to whoever made it.

def kops_made_group_names(cluster_spec):
    """Names `kops create cluster` gives the groups it makes, for the zones of this cluster."""
    zones = stored_zones(cluster_spec)
    names = {'nodes'}
    for zone in zones:
        names.update(('nodes-%s' % zone, 'control-plane-%s' % zone, 'master-%s' % zone))
    return names


def new_cluster_node_groups_error(params):
    """The message for O(node_instance_groups) names ``kops create cluster`` will not make, or None.

    A new cluster's node groups are the ones kops makes for its zones (``nodes-<zone>``); any other
    name is refused before the create, rather than after it has written the cluster.
    """
    made = set('nodes-%s' % zone for zone in params.get('zones') or [])
    unknown = [name for name in params.get('node_instance_groups') or [] if name not in made]
    if not unknown:
        return None
    return ('node_instance_groups names %s, which kops create cluster does not make for zones %s (it makes nodes-<zone>); '
            'leave node_instance_groups out when creating the cluster, or name those groups.'
            % (', '.join(unknown), ', '.join(params.get('zones') or [])))


def is_kops_made_group(ig, cluster_spec):
    return ig_name(ig) in kops_made_group_names(cluster_spec)


def owned_node_groups(igs, cluster_spec, selected=None, changes=None):
    """The node groups that node_count, node_size and image apply to.

    ``selected`` (node_instance_groups) names them explicitly; a name that is not a node
    group of the cluster becomes a conflict on ``changes``.
    """
    nodes = [ig for ig in igs if is_node(ig)]
    if selected:
        by_name = dict((ig_name(ig), ig) for ig in nodes)
        missing = [name for name in selected if name not in by_name]
        if missing and changes is not None:
            changes.conflicts.append('node_instance_groups names %s, which %s not a node instance group of the cluster.'
                                     % (', '.join(missing), 'is' if len(missing) == 1 else 'are'))
        return [by_name[name] for name in selected if name in by_name]
    return [ig for ig in nodes if is_kops_made_group(ig, cluster_spec)]


def owned_control_plane_groups(igs, cluster_spec):
    return [ig for ig in igs if is_control_plane(ig) and is_kops_made_group(ig, cluster_spec)]


# -- differences ---------------------------------------------------------------------------

class SpecChanges(object):
    """Collects changed copies of objects plus a readable list of differences."""

    def __init__(self):
        self.differences = []
        self.conflicts = []
        self._objects = {}
        self._order = []

    def _key(self, obj):
        return '%s/%s' % (obj.get('kind'), (obj.get('metadata') or {}).get('name'))

    def working_copy(self, obj):
        key = self._key(obj)
        if key not in self._objects:
            self._objects[key] = copy.deepcopy(obj)
            self._order.append(key)
        return self._objects[key]

    def current(self, obj):
        return self._objects.get(self._key(obj), obj)

    def set(self, obj, path, value):
        """Set ``spec.<path>`` on the working copy when it differs from the current value."""
        target = self.working_copy(obj) if _get(self.current(obj), path) != value else None
        if target is None:
            return False
        before = _get(target, path)
        _set(target, path, value)
        self.differences.append({'object': self._key(obj), 'field': '.'.join(path), 'before': before, 'after': value})
        return True

    def conflict(self, field, stored, wanted):
        self.conflicts.append('%s cannot be changed on an existing cluster with kops (stored: %s, wanted: %s).'
                              % (field, stored, wanted))

    @property
    def objects(self):
        return [self._objects[key] for key in self._order
                if key in {d['object'] for d in self.differences}]

    @property
    def changed(self):
        return bool(self.differences)


def _get(obj, path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _set(obj, path, value):
    for key in path[:-1]:
        if not isinstance(obj.get(key), dict):
            obj[key] = {}
        obj = obj[key]
    if value is None:
        obj.pop(path[-1], None)
    else:
        obj[path[-1]] = value


def compare_cluster(cluster, igs, params, changes=None):
    """Differences between the stored cluster (and its IGs) and the module parameters.

    Create-only settings that differ become ``conflicts``; settings kops can
    change become edits of working copies. Returns a SpecChanges.
    """
    changes = changes or SpecChanges()
    spec = cluster.get('spec') or {}

    zones = set(params.get('zones') or []) | set(params.get('control_plane_zones') or [])
    if zones and zones != set(stored_zones(spec)):
        changes.conflict('zones', ','.join(stored_zones(spec)), ','.join(sorted(zones)))
    if params.get('control_plane_zones'):
        current = sorted({z for ig in igs if is_control_plane(ig) for z in ig_zones(ig, spec)})
        if set(params['control_plane_zones']) != set(current):
            changes.conflict('control_plane_zones', ','.join(current), ','.join(sorted(params['control_plane_zones'])))
    if params.get('control_plane_count') is not None:
        current = sum((ig.get('spec') or {}).get('maxSize') or 0 for ig in igs if is_control_plane(ig))
        if current != params['control_plane_count']:
            changes.conflict('control_plane_count', current, params['control_plane_count'])
    if params.get('networking') and networking_key(params['networking']) != stored_networking(spec):
        changes.conflict('networking', stored_networking(spec), params['networking'])
    if params.get('topology') and params['topology'] != stored_topology(spec):
        changes.conflict('topology', stored_topology(spec), params['topology'])
    if params.get('dns') and params['dns'] != stored_dns(spec):
        changes.conflict('dns', stored_dns(spec), params['dns'])
    if params.get('dns_zone') and params['dns_zone'] != spec.get('dnsZone'):
        changes.conflict('dns_zone', spec.get('dnsZone'), params['dns_zone'])
    if params.get('vpc') and params['vpc'] != spec.get('networkID'):
        changes.conflict('vpc', spec.get('networkID'), params['vpc'])
    if params.get('subnets'):
        current = sorted(s.get('id') for s in spec.get('subnets') or [] if s.get('id'))
        if set(params['subnets']) != set(current):
            changes.conflict('subnets', ','.join(current), ','.join(sorted(params['subnets'])))

    if params.get('kubernetes_version'):
        wanted = version_text(params['kubernetes_version'])
        stored = version_text(spec.get('kubernetesVersion'))
        if stored != wanted:
            # Kubernetes moves one minor at a time and never back: anything else is refused before any write.
            error = _kops_versions.step_error(_kops_versions.parse(stored), _kops_versions.parse(wanted)) \
                if _kops_versions.parse(stored) and _kops_versions.parse(wanted) else None
            if error:
                changes.conflicts.append('Cluster %s: kubernetes_version: %s. Upgrades go through the cloudops.kops.upgrade '
                                         'role (playbooks/upgrade.yml); after one, set kubernetes_version to the version '
                                         'the cluster runs.' % ((cluster.get('metadata') or {}).get('name'), error))
            else:
                changes.set(cluster, ('spec', 'kubernetesVersion'), wanted)
    if (params.get('api_loadbalancer_type') or params.get('api_loadbalancer_class')) and \
            not (spec.get('api') or {}).get('loadBalancer'):
        changes.conflicts.append('Cluster %s reaches its API through DNS, not a load balancer; kops cannot switch '
                                 'that on an existing cluster, so api_loadbalancer_type and api_loadbalancer_class '
                                 'do not apply.' % (cluster.get('metadata') or {}).get('name'))
        return changes
    if params.get('api_loadbalancer_type'):
        changes.set(cluster, ('spec', 'api', 'loadBalancer', 'type'), params['api_loadbalancer_type'].capitalize())
    if params.get('api_loadbalancer_class'):
        changes.set(cluster, ('spec', 'api', 'loadBalancer', 'class'), params['api_loadbalancer_class'].capitalize())
    if params.get('cloud_labels') is not None:
        wanted = dict((str(k), str(v)) for k, v in params['cloud_labels'].items())
        if params.get('purge_tags') is False:
            # amazon.aws purge_tags=false: add and update the given labels, keep the others.
            wanted = dict(spec.get('cloudLabels') or {}, **wanted)
        wanted = wanted or None
        if (spec.get('cloudLabels') or None) != wanted:
            changes.set(cluster, ('spec', 'cloudLabels'), wanted)

    # kops create gives the remainder to the groups of the first zones, in --zones order.
    zone_order = list(params.get('zones') or [])

    def node_order(ig):
        zones = ig_zones(ig, spec)
        first = min((zone_order.index(z) for z in zones if z in zone_order), default=len(zone_order))
        return (first, ig_name(ig))

    nodes = sorted(owned_node_groups(igs, spec, params.get('node_instance_groups'), changes), key=node_order)
    if params.get('node_count') is not None:
        if not nodes:
            changes.conflicts.append('node_count is set but cluster %s has no node instance groups that kops_cluster '
                                     'manages (named nodes-<zone>); select groups with node_instance_groups.'
                                     % (cluster.get('metadata') or {}).get('name'))
        for ig, size in zip(nodes, distribute(params['node_count'], len(nodes))):
            changes.set(ig, ('spec', 'minSize'), size)
            changes.set(ig, ('spec', 'maxSize'), size)
    if params.get('node_size'):
        for ig in nodes:
            changes.set(ig, ('spec', 'machineType'), params['node_size'])
    control_plane = sorted(owned_control_plane_groups(igs, spec), key=ig_name)
    if params.get('control_plane_size'):
        for ig in control_plane:
            changes.set(ig, ('spec', 'machineType'), params['control_plane_size'])
    if params.get('image'):
        for ig in sorted(control_plane + nodes, key=ig_name):
            changes.set(ig, ('spec', 'image'), params['image'])
    return changes


def compare_instance_group(ig, cluster_spec, params, changes=None):
    """Differences between a stored InstanceGroup and the kops_instance_group parameters."""
    changes = changes or SpecChanges()
    spec = ig.get('spec') or {}
    if params.get('role') and ROLE_TO_KOPS[params['role']] != spec.get('role') and not (
            params['role'] == 'control-plane' and spec.get('role') in CONTROL_PLANE_ROLES):
        changes.conflict('role', spec.get('role'), ROLE_TO_KOPS[params['role']])
    for option, field in (('machine_type', 'machineType'), ('min_size', 'minSize'),
                          ('max_size', 'maxSize'), ('image', 'image')):
        if params.get(option) is not None:
            changes.set(ig, ('spec', field), params[option])
    subnets = wanted_subnets(cluster_spec, params)
    if subnets is not None and sorted(subnets) != sorted(spec.get('subnets') or []):
        changes.set(ig, ('spec', 'subnets'), subnets)
    if params.get('node_labels'):
        labels = dict(spec.get('nodeLabels') or {})
        labels.update((str(k), str(v)) for k, v in params['node_labels'].items())
        if labels != (spec.get('nodeLabels') or {}):
            changes.set(ig, ('spec', 'nodeLabels'), labels)
    if params.get('taints') is not None:
        if sorted(params['taints']) != sorted(spec.get('taints') or []):
            changes.set(ig, ('spec', 'taints'), list(params['taints']) or None)
    return changes


def wanted_subnets(cluster_spec, params):
    """Subnet names for the ``subnets``/``zones`` options, or None when neither is set."""
    if params.get('subnets'):
        return list(params['subnets'])
    if params.get('zones'):
        names, dummy = subnets_for_zones(cluster_spec, params['zones'])
        return names
    return None


def unknown_subnets(cluster_spec, params):
    """Zones or subnet names the cluster does not have (to fail before writing)."""
    if params.get('subnets'):
        known = {s.get('name') for s in cluster_spec.get('subnets') or []}
        return [name for name in params['subnets'] if name not in known]
    if params.get('zones'):
        return subnets_for_zones(cluster_spec, params['zones'])[1]
    return []


def new_instance_group(cluster_name, name, cluster_spec, params, template=None):
    """An InstanceGroup manifest shaped like the ones kops writes itself.

    Fields the play leaves out (machine type, image) come from ``template``,
    an existing group of the same role, because kops create -f does not fill them.
    """
    template_spec = (template or {}).get('spec') or {}
    spec = {
        'role': ROLE_TO_KOPS[params.get('role') or 'node'],
        'machineType': params.get('machine_type') or template_spec.get('machineType'),
        'image': params.get('image') or template_spec.get('image'),
        'minSize': params['min_size'] if params.get('min_size') is not None else 1,
        'maxSize': params['max_size'] if params.get('max_size') is not None else (
            params['min_size'] if params.get('min_size') is not None else 1),
        'subnets': wanted_subnets(cluster_spec, params) or list(template_spec.get('subnets') or []),
        'nodeLabels': {'kops.k8s.io/instancegroup': name},
    }
    if params.get('node_labels'):
        spec['nodeLabels'].update((str(k), str(v)) for k, v in params['node_labels'].items())
    if params.get('taints'):
        spec['taints'] = list(params['taints'])
    spec = dict((k, v) for k, v in spec.items() if v is not None)
    return {
        'apiVersion': 'kops.k8s.io/v1alpha2',
        'kind': 'InstanceGroup',
        'metadata': {'name': name, 'labels': {'kops.k8s.io/cluster': cluster_name}},
        'spec': spec,
    }
