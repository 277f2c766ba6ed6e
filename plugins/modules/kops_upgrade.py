#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: kops_upgrade
short_description: Move a kops cluster's spec to a newer Kubernetes version, one minor version at a time
version_added: 0.1.0
description:
  - Runs C(kops upgrade cluster), which only edits the cluster spec in the state store; applying it to the cloud
    and replacing the instances is the job of M(cloudops.kops.kops_cluster) (C(kops update cluster)),
    M(cloudops.kops.kops_reconcile) and M(cloudops.kops.kops_rolling_update), control plane first.
  - Before anything is written it refuses a target more than one minor version above the version the cluster runs
    (listing the versions to go through), a target below it, and, unless O(allow_kops_downgrade=true), a kops binary
    older than the one that last applied the cluster (read with C(kops version --server)).
  - It also refuses a target this kops release cannot apply. C(kops update cluster) refuses Kubernetes at or above the
    kops release's next minor (kops 1.30.1 refuses Kubernetes 1.31.1 and newer), while C(kops upgrade cluster) would
    write it, leaving a spec that cannot be applied. Exporting E(KOPS_RUN_TOO_NEW_VERSION) in the task's environment
    lifts both checks, as it does kops's own.
  - The target is O(kubernetes_version), or else the version kops's channel recommends for this kops release
    (which may be more than one minor above the running one; then the task fails and names the steps).
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
      - Runs kops's own dry run (C(kops upgrade cluster) without C(--yes)) and returns what it would change.
  diff_mode:
    support: full
    details:
      - The properties kops changes in the cluster spec, before and after.
  idempotent:
    support: full
  platform:
    platforms: posix
options:
  name:
    required: true
  kubernetes_version:
    description:
      - The Kubernetes version to move the cluster to, for example V(1.30.14).
      - At most one minor version above the version the cluster runs. To go further, run the task once per minor
        version (the cloudops.kops.upgrade role walks a list of steps).
      - When not set, the version kops's channel recommends for this kops release.
    type: str
  allow_kops_downgrade:
    description:
      - Let a kops binary older than the one that last applied the cluster change it.
      - kops guards C(update cluster) the same way (C(--allow-kops-downgrade)); an older kops may not know fields the
        newer one wrote.
    type: bool
    default: false
notes:
  - Only the state store changes. Until C(kops update cluster --yes) runs, the cloud and the nodes are untouched.
seealso:
  - module: cloudops.kops.kops_cluster
  - module: cloudops.kops.kops_reconcile
  - module: cloudops.kops.kops_rolling_update
  - name: kops upgrade cluster
    description: The kops command this module runs.
    link: https://kops.sigs.k8s.io/cli/kops_upgrade_cluster/
'''

EXAMPLES = r'''
- name: Show what kops would upgrade (nothing changes)
  cloudops.kops.kops_upgrade:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
  check_mode: true
  register: upgrade_plan

- name: Move the spec to the next minor version
  cloudops.kops.kops_upgrade:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    kubernetes_version: 1.30.14
  diff: true
'''

RETURN = r'''
changed:
  description: Whether the spec was (in check mode, would be) changed.
  returned: always
  type: bool
kubernetes_version_before:
  description: The Kubernetes version of the cluster spec before the task.
  returned: always
  type: str
  sample: 1.29.15
kubernetes_version:
  description: The Kubernetes version of the cluster spec after the task (in check mode, the one it would have).
  returned: always
  type: str
  sample: 1.30.14
upgrade_actions:
  description: What C(kops upgrade cluster) changes, one entry per line of its table. Empty when nothing is to do.
  returned: always
  type: list
  elements: dict
  contains:
    item:
      description: C(Cluster) or an instance group.
      type: str
    property:
      description: The property, for example C(KubernetesVersion) or C(Image).
      type: str
    old:
      description: Value before.
      type: str
    new:
      description: Value after.
      type: str
  sample: [{item: Cluster, property: KubernetesVersion, old: 1.29.15, new: 1.30.14}]
last_applied_kops_version:
  description: The kops version that last applied the cluster (C(kops version --server)); empty when it was never applied.
  returned: always
  type: str
  sample: 1.30.1
steps:
  description: The versions to go through, one minor each, when the target is more than one minor away.
  returned: failure
  type: list
  elements: str
  sample: ['1.29', '1.30.14']
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

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_versions as versions
from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import guard_writes, lock_argument_spec, lock_durations, release_lock
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_state import get_cluster

_LAST_APPLIED = 'Last applied server version:'


def parse_actions(stdout):
    """The ``ITEM PROPERTY OLD NEW`` table of ``kops upgrade cluster`` (tabwriter columns) as dicts."""
    actions = []
    for line in (stdout or '').splitlines():
        fields = line.split()
        if len(fields) != 4 or fields[:2] == ['ITEM', 'PROPERTY']:
            continue
        actions.append(dict(zip(('item', 'property', 'old', 'new'), fields)))
    return actions


def parse_last_applied(stdout):
    """The version in ``Last applied server version: X``; None when kops says it could not get one."""
    for line in (stdout or '').splitlines():
        if line.startswith(_LAST_APPLIED):
            return versions.parse(line[len(_LAST_APPLIED):].strip())
    return None


def upgrade_args(name, target, yes=False):
    args = ['upgrade', 'cluster', '--name', name]
    if target:
        args.extend(['--kubernetes-version', target])
    return args + (['--yes'] if yes else [])


def proposed_version(actions, current_text):
    for action in actions:
        if action['item'] == 'Cluster' and action['property'] == 'KubernetesVersion':
            return action['new']
    return current_text


def main():
    argument_spec = kops_argument_spec(name_required=True)
    argument_spec.update(lock_argument_spec())
    argument_spec.update(
        kubernetes_version=dict(type='str'),
        allow_kops_downgrade=dict(type='bool', default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    name = module.params['name']
    wanted_text = (module.params['kubernetes_version'] or '').strip().lstrip('v')
    wanted = versions.parse(wanted_text) if wanted_text else None
    if wanted_text and wanted is None:
        module.fail_json(msg='kubernetes_version %r is not a Kubernetes version such as 1.30.14.'
                             % module.params['kubernetes_version'])
    lock_durations(module)

    runner = KopsRunner(module)
    cluster = get_cluster(runner, name)
    if cluster is None:
        runner.fail('Cluster %s does not exist in state store %s.' % (name, runner.state_store))
    current_text = str(cluster.get('spec', {}).get('kubernetesVersion') or '').lstrip('v')
    current = versions.parse(current_text)
    if current is None:
        runner.fail('Cluster %s has no Kubernetes version kops can upgrade from (%r).' % (name, current_text))
    result = dict(changed=False, kubernetes_version_before=current_text, kubernetes_version=current_text,
                  upgrade_actions=[], last_applied_kops_version='', kops_version=runner.version,
                  commands=runner.commands)

    server = runner.run(['version', '--server', '--name', name])
    if server.rc != 0:
        runner.fail('Could not read which kops version last applied cluster %s.' % name, server)
    last_applied = parse_last_applied(server.stdout)
    result['last_applied_kops_version'] = versions.text(last_applied) if last_applied else ''
    if not module.params['allow_kops_downgrade']:
        error = versions.downgrade_error(last_applied, runner.version_info)
        if error:
            module.fail_json(msg='Cluster %s: %s.' % (name, error), **result)

    def refuse_step(target):
        error = versions.step_error(current, target)
        if error:
            extra = {}
            if target > current and current[0] == target[0]:
                extra['steps'] = versions.steps(current, target)
            module.fail_json(msg='Cluster %s: %s.' % (name, error), **dict(result, **extra))
        # The same bypass as kops's own check (apply_cluster.go validateKubernetesVersion).
        error = None if os.environ.get('KOPS_RUN_TOO_NEW_VERSION') else versions.too_new_error(target, runner.version_info)
        if error:
            module.fail_json(msg='Cluster %s: %s; nothing was changed.' % (name, error), **result)

    if wanted is not None:
        refuse_step(wanted)
    dry = runner.run(upgrade_args(name, wanted_text))
    if dry.rc != 0:
        runner.fail('kops upgrade cluster (dry run) failed for %s.' % name, dry)
    actions = parse_actions(dry.stdout)
    target_text = proposed_version(actions, current_text)
    target = versions.parse(target_text)
    if target is None:
        runner.fail('kops proposed Kubernetes version %r for cluster %s, which is not a version.' % (target_text, name), dry)
    if wanted is None:
        refuse_step(target)
    result.update(changed=bool(actions), upgrade_actions=actions, kubernetes_version=target_text)
    if module._diff:
        result['diff'] = dict(
            before={'%s.%s' % (a['item'], a['property']): a['old'] for a in actions},
            after={'%s.%s' % (a['item'], a['property']): a['new'] for a in actions})
    if not actions or module.check_mode:
        module.exit_json(**result)

    lock = guard_writes(module, runner, name, 'upgrade')
    try:
        applied = runner.run(upgrade_args(name, wanted_text, yes=True))
        if applied.rc != 0:
            runner.fail('kops upgrade cluster --yes failed for %s.' % name, applied, **result)
    finally:
        release_lock(module, lock)
    stored = get_cluster(runner, name) or {}
    result['kubernetes_version'] = str(stored.get('spec', {}).get('kubernetesVersion') or target_text).lstrip('v')
    module.exit_json(**result)


if __name__ == '__main__':
    main()
