# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Push a stored spec to the cloud: ``update cluster`` then ``rolling-update cluster``.

Shared by kops_cluster and kops_instance_group so both decide "changed" the same
way: from kops's own dry runs, which exit 0 whether or not anything is pending.
"""

from __future__ import annotations

from ansible_collections.cloudops.kops.plugins.module_utils._kops_kube_context import kubeconfig_environ, missing_context_hint
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import (
    rolling_update_plan,
    rolling_update_required,
    update_change_summary,
    update_has_changes,
)

ROLLING_UPDATE_MODES = ('never', 'auto', 'always')


def apply_argument_spec():
    """Options of the apply step, shared by the modules that write specs."""
    return dict(
        apply=dict(type='bool', default=True),
        # kops update --admin implies --create-kube-config; only kops_kubecfg writes kubeconfigs now.
        admin_ttl=dict(type='raw', removed_in_version='1.0.0', removed_from_collection='cloudops.kops'),
        rolling_update=dict(type='str', default='never', choices=list(ROLLING_UPDATE_MODES)),
        rolling_update_cloud_only=dict(type='bool', default=False, aliases=['rolling_update_cloudonly']),
        rolling_update_instance_groups=dict(type='list', elements='str'),
        rolling_update_instance_group_roles=dict(
            type='list', elements='str', choices=['control-plane', 'apiserver', 'node', 'bastion']),
        allow_kops_downgrade=dict(type='bool', default=False),
    )


def _rolling_args(name, params):
    args = ['rolling-update', 'cluster', '--name', name]
    if params.get('rolling_update_cloud_only'):
        args.append('--cloudonly')
    if params.get('rolling_update_instance_groups'):
        args.extend(['--instance-group', ','.join(params['rolling_update_instance_groups'])])
    if params.get('rolling_update_instance_group_roles'):
        args.extend(['--instance-group-roles', ','.join(params['rolling_update_instance_group_roles'])])
    return args


def rolling_update_groups_error(params, cluster_name, group_names):
    """The message for O(rolling_update_instance_groups) names the cluster does not have, or None.

    kops reports such a name (rolling-update_cluster.go: InstanceGroup "x" not found) only when it
    rolls, after the spec was replaced and applied; the modules check before they write anything.
    """
    if (params.get('rolling_update') or 'never') == 'never':
        return None
    unknown = sorted(set(params.get('rolling_update_instance_groups') or []) - set(group_names))
    if not unknown:
        return None
    return ('rolling_update_instance_groups names %s, which cluster %s does not have (it has %s); nothing was changed.'
            % (', '.join(unknown), cluster_name, ', '.join(sorted(group_names)) or 'no instance groups'))


def apply_cluster(runner, name, params, check_mode, spec_changed=False, new_cluster=False, before_update=None):
    """Run the update (and optionally rolling-update) path for cluster ``name``.

    ``spec_changed`` says the module just wrote (or, in check mode, would write)
    the spec, so cloud changes are expected even where the dry run cannot show
    them yet. ``before_update`` runs right before ``update --yes`` (or where it would run, in
    check mode). Returns ``(changed, changes, report)``.
    """
    changes = []
    report = {'update_pending': False, 'updated': False,
              'rolling_update_required': False, 'rolling_update_plan': [], 'rolling_updated': False}
    if not params.get('apply', True):
        return False, changes, report

    downgrade = ['--allow-kops-downgrade'] if params.get('allow_kops_downgrade') else []
    dry = runner.run(['update', 'cluster', '--name', name] + downgrade)
    if dry.rc != 0:
        runner.fail('kops update cluster (dry run) failed for %s.' % name, dry)
    pending = update_has_changes(dry.stdout)
    report['update_pending'] = pending or spec_changed
    report['update_preview'] = update_change_summary(dry.stdout)

    if pending or (check_mode and spec_changed):
        if before_update is not None:
            before_update()
        if check_mode:
            changes.append('would run kops update cluster --yes to apply pending cloud changes')
        else:
            # Only kops_kubecfg writes kubeconfigs (under a lock, without losing contexts); --admin
            # would imply --create-kube-config and write ~/.kube/config behind the user's back.
            result = runner.run(['update', 'cluster', '--name', name, '--yes', '--create-kube-config=false'] + downgrade)
            if result.rc != 0:
                runner.fail('kops update cluster --yes failed for %s.' % name, result)
            report['updated'] = True
            changes.append('ran kops update cluster --yes to apply pending cloud changes')

    mode = params.get('rolling_update') or 'never'
    # A cluster created in this run has only new instances: nothing to roll.
    if mode == 'never' or new_cluster:
        return bool(changes), changes, report

    environ = kubeconfig_environ(params)
    preview = runner.run(_rolling_args(name, params), environ=environ)
    if preview.rc != 0:
        hint = (missing_context_hint(preview.stderr)
                or ' Set rolling_update_cloud_only=true when the Kubernetes API cannot be reached.')
        runner.fail('kops rolling-update cluster (preview) failed for %s.%s' % (name, hint), preview)
    report['rolling_update_plan'] = rolling_update_plan(preview.stdout)
    required = rolling_update_required(preview.stdout)
    report['rolling_update_required'] = required
    if mode == 'always' or required:
        if check_mode:
            changes.append('would run kops rolling-update cluster --yes')
        else:
            args = _rolling_args(name, params) + ['--yes']
            if mode == 'always':
                args.append('--force')
            result = runner.run(args, environ=environ)
            if result.rc != 0:
                runner.fail('kops rolling-update cluster --yes failed for %s.' % name, result)
            report['rolling_updated'] = True
            changes.append('ran kops rolling-update cluster --yes')
    return bool(changes), changes, report
