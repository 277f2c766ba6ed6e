# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Instances of a kops cluster and the rolling-update plan, as data.

Sources: ``kops get instances -o json`` (one object per instance: id, status UpToDate/NeedsUpdate, roles,
instanceGroup = the cloud group's name, machineType, ...) and the ``kops rolling-update cluster`` dry-run
table (``NAME STATUS NEEDUPDATE READY MIN TARGET MAX [NODES]``, one row per instance group). kops 1.30 and
1.36 print both the same way.
"""

from __future__ import annotations

from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import format_go_duration
from ansible_collections.cloudops.kops.plugins.module_utils._kops_kube_context import missing_context_hint
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import (
    ig_role,
    json_documents,
    rolling_update_plan,
)

ROLES = ('control-plane', 'apiserver', 'node', 'bastion')
# pkg/instancegroups/rollingupdate.go RollingUpdate: bastions, then control plane, apiservers, nodes.
ROLL_ORDER = {'bastion': 0, 'control-plane': 1, 'apiserver': 2, 'node': 3}

# option -> (kops flag, kind); kops's own defaults apply to every option left unset.
ROLL_FLAGS = (
    ('cloud_only', 'cloudonly', 'switch'),
    ('force', 'force', 'switch'),
    ('drain_timeout', 'drain-timeout', 'duration'),
    ('validation_timeout', 'validation-timeout', 'duration'),
    ('validate_count', 'validate-count', 'int'),
    ('control_plane_interval', 'control-plane-interval', 'duration'),
    ('node_interval', 'node-interval', 'duration'),
    ('bastion_interval', 'bastion-interval', 'duration'),
    ('post_drain_delay', 'post-drain-delay', 'duration'),
    ('fail_on_validate_error', 'fail-on-validate-error', 'bool'),
    ('fail_on_drain_error', 'fail-on-drain-error', 'bool'),
)


_TABLE_KEYS = {'ID': 'id', 'NODE-NAME': 'nodeName', 'STATUS': 'status', 'ROLES': 'roles', 'STATE': 'state',
               'INTERNAL-IP': 'internalIP', 'EXTERNAL-IP': 'externalIP', 'INSTANCE-GROUP': 'instanceGroup',
               'MACHINE-TYPE': 'machineType'}


def _table_items(stdout):
    """The ``kops get instances`` table (tabwriter, 8-column tab stops; NODE-NAME and STATE may be empty)
    as the JSON objects kops prints with ``-o json``: columns are cut at the header's positions."""
    lines = [line.expandtabs(8) for line in (stdout or '').splitlines()]
    for index, line in enumerate(lines):
        if line.startswith('ID ') and 'INSTANCE-GROUP' in line:
            break
    else:
        raise ValueError('no instance table (ID ... INSTANCE-GROUP ...) in the output')
    header = lines[index]
    starts = [pos for pos, char in enumerate(header) if char != ' ' and (pos == 0 or header[pos - 1] == ' ')]
    names = [header[pos:].split(' ', 1)[0] for pos in starts]
    items = []
    for line in lines[index + 1:]:
        if not line.strip():
            continue
        cells = {}
        for n, (pos, name) in enumerate(zip(starts, names)):
            end = starts[n + 1] if n + 1 < len(starts) else len(line)
            cells[_TABLE_KEYS.get(name, name)] = line[pos:end].strip()
        cells['roles'] = [r.strip() for r in cells.get('roles', '').split(',') if r.strip()]
        items.append(cells)
    return items


def parse_instances(stdout):
    """``kops get instances`` (``-o json`` or the table) as a list of dicts (id, status, roles, cloud_group, ...)."""
    if (stdout or '').lstrip().startswith('['):
        items = []
        for doc in json_documents(stdout):
            items.extend(doc if isinstance(doc, list) else [doc])
    else:
        items = _table_items(stdout)
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError('an instance is not an object: %r' % (item,))
        out.append({
            'id': item.get('id'),
            'node_name': item.get('nodeName') or None,
            'status': item.get('status'),
            # Detached: taken out of its group by an interrupted rolling update; kops replaces it like the others.
            'needs_update': item.get('status') in ('NeedsUpdate', 'Detached'),
            'roles': list(item.get('roles') or []),
            'cloud_group': item.get('instanceGroup'),
            'internal_ip': item.get('internalIP') or None,
            'machine_type': item.get('machineType') or None,
            'state': item.get('state') or None,
        })
    return out


def cloud_group_names(cluster_name, ig_name, role):
    """The names kops gives an instance group's cloud (auto scaling) group on AWS (pkg/model/names.go
    AutoscalingGroupName: ``<ig>.masters.<cluster>``, ``<ig>.apiservers.<cluster>``, else ``<ig>.<cluster>``)."""
    if role == 'control-plane':
        return ('%s.masters.%s' % (ig_name, cluster_name), '%s.%s' % (ig_name, cluster_name))
    if role == 'apiserver':
        return ('%s.apiservers.%s' % (ig_name, cluster_name),)
    return ('%s.%s' % (ig_name, cluster_name),)


def select_groups(groups, instance_groups=None, roles=None, exclude=None):
    """Names of the groups to roll, in kops's roll order. ``groups``: {name: role}.

    Raises ValueError for a named group that does not exist (kops: InstanceGroup "x" not found).
    """
    names = list(groups)
    unknown = [n for n in list(instance_groups or []) + list(exclude or []) if n not in groups]
    if unknown:
        raise ValueError('instance group%s %s not found; the cluster has %s' % (
            's' if len(unknown) > 1 else '', ', '.join(sorted(set(unknown))), ', '.join(sorted(groups)) or 'none'))
    if instance_groups:
        names = [n for n in names if n in instance_groups]
    if roles:
        names = [n for n in names if groups[n] in roles]
    names = [n for n in names if n not in (exclude or [])]
    return sorted(names, key=lambda n: (ROLL_ORDER.get(groups[n], 3), n))


def build_plan(cluster_name, groups, selected, instances, table_rows, force=False):
    """Per selected group: role, status, instances needing an update, the dry-run table's numbers.

    The instances decide what needs an update; the table adds the group's min/target/max sizes.

    ``groups``: {name: role}; ``instances``: parse_instances(); ``table_rows``: rolling_update_plan().
    With ``force`` every instance of a selected group is replaced. Raises ValueError when the table says a
    group needs an update but none of the instances belongs to it.
    """
    rows = {row['name']: row for row in table_rows}
    plan = []
    for name in selected:
        role = groups[name]
        cloud = cloud_group_names(cluster_name, name, role)
        members = [i for i in instances if i['cloud_group'] in cloud]
        stale = [i['id'] for i in members if i['needs_update']]
        row = rows.get(name, {})
        # Rolling nothing where kops would roll something is worse than stopping: the names disagree.
        if not members and (row.get('need_update') or 0) > 0:
            raise ValueError('kops reports %d instance(s) of instance group %s needing an update, but none of the '
                             'instances it lists is in an Auto Scaling Group named %s'
                             % (row['need_update'], name, ' or '.join(cloud)))
        entry = {
            'name': name,
            'role': role,
            'status': 'NeedsUpdate' if stale else 'Ready',
            'need_update': len(stale),
            'ready': len(members) - len(stale),
            'min': row.get('min'),
            'target': row.get('target'),
            'max': row.get('max'),
            'instances': [{'id': i['id'], 'status': i['status'], 'node_name': i['node_name']} for i in members],
            'to_replace': sorted(i['id'] for i in members) if force else sorted(stale),
        }
        plan.append(entry)
    return plan


def roll_flags(params):
    """The rolling-update flags of the options that are set (kops defaults otherwise), in a stable order.

    Durations are seconds already (parse_duration); kops gets them as Go durations.
    """
    args = []
    for option, flag, kind in ROLL_FLAGS:
        value = params.get(option)
        if value is None:
            continue
        if kind == 'switch':
            if value:
                args.append('--' + flag)
        elif kind == 'duration':
            args.append('--%s=%s' % (flag, format_go_duration(value)))
        elif kind == 'int':
            args.append('--%s=%d' % (flag, value))
        else:
            args.append('--%s=%s' % (flag, 'true' if value else 'false'))
    return args


def dry_run_args(cluster_name, selected):
    """The preview: the table for the selected groups, never needing the Kubernetes API (--cloudonly)."""
    args = ['rolling-update', 'cluster', '--name', cluster_name, '--cloudonly']
    for name in selected:
        args += ['--instance-group', name]
    return args


def roll_args(cluster_name, group, params):
    """Roll one instance group."""
    return ['rolling-update', 'cluster', '--name', cluster_name, '--instance-group', group, '--yes'] + roll_flags(params)


def validation_outcome(rc, stderr, cloud_only):
    """What kops said about validating the cluster while it rolled a group (its klog lines)."""
    if cloud_only:
        return 'skipped'
    text = stderr or ''
    if 'Cluster validated.' in text and rc == 0:
        return 'passed'
    if 'skipping cluster validation because validate-count was 0' in text:
        return 'skipped'
    if 'proceeding since fail-on-validate is set to false' in text:
        return 'failed'
    return 'passed' if rc == 0 else 'failed'


def table_rows(stdout):
    return rolling_update_plan(stdout)


def group_roles(instance_groups):
    """{name: role} of InstanceGroup objects."""
    return {(ig.get('metadata') or {}).get('name'): ig_role((ig.get('spec') or {}).get('role')) or 'node'
            for ig in instance_groups}


def read_instances(runner, cluster_name, output=None, environ=None):
    """Every instance of the cluster from ``kops get instances``; fails the module when kops or the parse fails.

    By default the table (recorded for every state in both versions, NeedsUpdate included, and read by
    position); ``output='json'`` asks for JSON instead. ``environ`` as for ``KopsRunner.run``.
    """
    args = ['get', 'instances', '--name', cluster_name]
    if output:
        args += ['-o', output]
    result = runner.run(args, environ=environ)
    if result.rc != 0:
        runner.fail('Failed to list the instances of cluster %s.%s' % (cluster_name, missing_context_hint(result.stderr)),
                    result)
    try:
        return parse_instances(result.stdout)
    except ValueError as exc:
        runner.fail('Could not parse the instances kops printed: %s.' % exc, result)
