#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: kops_reconcile
short_description: Apply a kops cluster's spec and roll its instances, control plane first, with kops reconcile
version_added: 0.1.0
description:
  - Runs C(kops reconcile cluster --yes) (kops 1.31 and later), which applies the spec to the control-plane
    instance groups, waits for the Kubernetes API, replaces the control-plane instances, then applies and rolls the
    node groups, and prunes what is no longer used. This is the order a Kubernetes upgrade needs, because nodes must
    never run a newer kubelet than the API server.
  - Decides whether anything is to do before acting, from kops's own dry run (C(kops reconcile cluster) without
    C(--yes)) and from the instances launched from an older launch template (C(kops get instances)).
  - kops replaces only instances that need it, so a run interrupted half-way is finished by running the task again,
    without touching the instances already replaced; a run with nothing left to do reports no change.
  - With kops older than 1.31, which has no C(reconcile) command, the task fails before anything runs; apply with
    M(cloudops.kops.kops_cluster) and roll with M(cloudops.kops.kops_rolling_update), control plane first (the
    cloudops.kops.upgrade role does so).
author:
  - cloudops.kops maintainers (@cloudops)
extends_documentation_fragment:
  - cloudops.kops._kops
  - cloudops.kops._aws_connection
  - cloudops.kops._duration
  - cloudops.kops._lock
  - cloudops.kops._attributes.IDEMPOTENT
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  action_group:
    support: full
    membership: [cloudops.kops.kops]
  check_mode:
    support: full
    details:
      - Returns the pending cloud changes and the instances that need an update; runs nothing that writes.
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - Once the spec is applied and every instance runs the current launch template, a second run changes nothing.
  platform:
    platforms: posix
options:
  name:
    required: true
  allow_kops_downgrade:
    description:
      - Let a kops binary older than the one that last applied the cluster apply it (C(--allow-kops-downgrade)).
    type: bool
    default: false
notes:
  - kops reconciles through the Kubernetes API (it validates the cluster between the phases and drains nodes), with an
    admin credential it makes itself; the API must be reachable from where the task runs.
seealso:
  - module: cloudops.kops.kops_upgrade
  - module: cloudops.kops.kops_rolling_update
  - name: kops reconcile cluster
    description: The kops command this module runs.
    link: https://kops.sigs.k8s.io/cli/kops_reconcile_cluster/
'''

EXAMPLES = r'''
- name: Apply an upgraded spec, control plane first (kops 1.31 or later)
  cloudops.kops.kops_reconcile:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
  register: reconciled

- name: Show how long it took
  ansible.builtin.debug:
    msg: "Replaced {{ reconciled.replaced | length }} instances in {{ reconciled.seconds }} s"
'''

RETURN = r'''
changed:
  description: Whether kops had cloud changes to apply or instances to replace (in check mode, whether it would).
  returned: always
  type: bool
update_pending:
  description: Whether the dry run listed cloud changes.
  returned: always
  type: bool
update_preview:
  description: The resources the dry run would create, modify or delete (C(kops update cluster) preview as data).
  returned: always
  type: dict
needs_update:
  description: Ids of the instances launched from an older launch template before the task.
  returned: always
  type: list
  elements: str
replaced:
  description: Ids of the instances that are gone after the task. Empty in check mode.
  returned: always
  type: list
  elements: str
new_instances:
  description: Ids of the instances the cluster has after the task that it did not have before. Empty in check mode.
  returned: always
  type: list
  elements: str
groups:
  description:
    - What was replaced, one entry per cloud group (Auto Scaling Group) that lost instances, control plane first.
      Empty in check mode.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The cloud group, as C(kops get instances) names it.
      type: str
    role:
      description: C(control-plane) or C(node) (the instances' roles as kops reports them).
      type: str
    replaced:
      description: Ids of the group's instances that were replaced.
      type: list
      elements: str
instances:
  description:
    - Every instance of the cluster after the task (C(kops get instances) as snake_case data
      C(id), C(node_name), C(status), C(needs_update), C(roles), C(cloud_group), C(internal_ip), C(machine_type), C(state)).
  returned: always
  type: list
  elements: dict
seconds:
  description: How long C(kops reconcile cluster --yes) took; 0 when it did not run.
  returned: always
  type: float
kops_version:
  description: Version of the kops binary that ran.
  returned: always
  type: str
commands:
  description: Every kops command line the module ran.
  returned: always
  type: list
  elements: list
cmd:
  description: The kops command line that failed.
  returned: failure
  type: list
  elements: str
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudops.kops.plugins.module_utils._kops_instances import read_instances
from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import guard_writes, lock_argument_spec, lock_durations, release_lock
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import update_change_summary, update_has_changes
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_state import get_cluster

# cmd/kops/reconcile_cluster.go first appears in kops 1.31.
MIN_RECONCILE_VERSION = (1, 31, 0)


def reconcile_args(name, params, yes=False):
    args = ['reconcile', 'cluster', '--name', name]
    if params.get('allow_kops_downgrade'):
        args.append('--allow-kops-downgrade')
    return args + (['--yes'] if yes else [])


def replaced_groups(before, replaced):
    """The replaced instances per cloud group, control-plane groups first (the order kops reconciles in)."""
    groups = {}
    for instance in before:
        if instance['id'] in replaced:
            roles = instance.get('roles') or []
            role = 'control-plane' if 'control-plane' in roles or 'master' in roles else (roles[0] if roles else 'node')
            group = instance.get('cloud_group') or ''
            groups.setdefault(group, dict(name=group, role=role, replaced=[]))['replaced'].append(instance['id'])
    return sorted(groups.values(), key=lambda g: (g['role'] != 'control-plane', g['name']))


def main():
    argument_spec = kops_argument_spec(name_required=True)
    argument_spec.update(lock_argument_spec())
    argument_spec.update(allow_kops_downgrade=dict(type='bool', default=False))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    lock_durations(module)
    params = module.params
    name = params['name']

    runner = KopsRunner(module)
    if runner.version_info < MIN_RECONCILE_VERSION:
        module.fail_json(msg='kops reconcile cluster needs kops 1.31 or later; this kops is %s. Apply with '
                             'cloudops.kops.kops_cluster and roll with cloudops.kops.kops_rolling_update, control plane '
                             'first.' % runner.version, kops_version=runner.version, commands=runner.commands)
    if get_cluster(runner, name) is None:
        runner.fail('Cluster %s does not exist in state store %s.' % (name, runner.state_store))

    dry = runner.run(reconcile_args(name, params))
    if dry.rc != 0:
        runner.fail('kops reconcile cluster (dry run) failed for %s.' % name, dry)
    pending = update_has_changes(dry.stdout)
    before = read_instances(runner, name)
    stale = sorted(i['id'] for i in before if i.get('needs_update'))
    result = dict(changed=bool(pending or stale), update_pending=pending, update_preview=update_change_summary(dry.stdout),
                  needs_update=stale, replaced=[], new_instances=[], groups=[], instances=before, seconds=0.0,
                  kops_version=runner.version, commands=runner.commands)
    if not result['changed'] or module.check_mode:
        module.exit_json(**result)

    lock = guard_writes(module, runner, name, 'reconcile')
    try:
        started = time.monotonic()
        done = runner.run(reconcile_args(name, params, yes=True))
        result['seconds'] = round(time.monotonic() - started, 3)
        after = read_instances(runner, name)
        before_ids, after_ids = {i['id'] for i in before}, {i['id'] for i in after}
        result.update(instances=after, replaced=sorted(before_ids - after_ids), new_instances=sorted(after_ids - before_ids))
        result['groups'] = replaced_groups(before, set(result['replaced']))
        if done.rc != 0:
            runner.fail('kops reconcile cluster --yes failed for %s; run the task again to continue with what still needs '
                        'it.' % name, done, **{k: v for k, v in result.items() if k not in ('commands',)})
    finally:
        release_lock(module, lock)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
