#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: kops_rolling_update
short_description: Replace the instances of a kops cluster that need an update, group by group, and report it as data
version_added: 0.1.0
description:
  - Reads which instances need an update before acting, from C(kops get instances) and the
    C(kops rolling-update cluster) dry-run table, and returns that plan per instance group (status, instances
    needing an update, ready instances, min/target/max).
  - When instances need an update (or O(force=true)), runs C(kops rolling-update cluster --yes) for one instance
    group at a time, in the order kops itself uses (bastions, control plane, API servers, nodes), and returns per
    group what was replaced, how long it took and what kops reported about validating the cluster after it.
  - kops replaces only instances launched from an older launch template, so a run interrupted half-way is
    finished by running the task again; a run with nothing left to replace reports no change.
  - Every timing and failure option left unset keeps kops's own default.
author:
  - cloudops.kops maintainers (@cloudops)
extends_documentation_fragment:
  - cloudops.kops._kops
  - cloudops.kops._aws_connection
  - cloudops.kops._duration
  - cloudops.kops._lock
  - cloudops.kops._kube_context
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
      - Returns the plan (the groups and instances that would be replaced) and runs no rolling update.
  diff_mode:
    support: none
  idempotent:
    support: partial
    details:
      - Once every instance runs the current launch template a second run changes nothing, except with
        O(force=true), which replaces the selected instances on every run.
  platform:
    platforms: posix
options:
  name:
    required: true
  instance_groups:
    description:
      - Roll only these instance groups (by name). All groups when not set.
      - A name the cluster does not have fails the task before anything is replaced.
    type: list
    elements: str
  instance_group_roles:
    description:
      - Roll only the instance groups with these roles.
    type: list
    elements: str
    choices: [control-plane, apiserver, node, bastion]
  exclude_instance_groups:
    description:
      - Never roll these instance groups, even when they are selected by O(instance_groups) or O(instance_group_roles).
    type: list
    elements: str
  cloud_only:
    description:
      - Replace instances without draining them and without validating the cluster through the Kubernetes API
        (C(kops rolling-update --cloudonly)). Causes downtime; for clusters whose API is not reachable.
    type: bool
    default: false
  force:
    description:
      - Replace every instance of the selected groups, also those that are up to date.
      - Such a task reports a change on every run.
    type: bool
    default: false
  drain_timeout:
    description:
      - Longest wait for a node to drain (C(--drain-timeout)). kops's default (15m) when not set.
    type: raw
  validation_timeout:
    description:
      - Longest wait for the cluster to validate after an instance was replaced (C(--validation-timeout)).
        kops's default (15m) when not set.
    type: raw
  validate_count:
    description:
      - How many consecutive successful validations kops needs after each replaced instance (C(--validate-count)).
        kops's default (2) when not set; V(0) skips validation.
    type: int
  control_plane_interval:
    description:
      - Wait between control-plane instances (C(--control-plane-interval)). kops's default (15s) when not set.
    type: raw
  node_interval:
    description:
      - Wait between worker nodes (C(--node-interval)). kops's default (15s) when not set.
    type: raw
  bastion_interval:
    description:
      - Wait between bastions (C(--bastion-interval)). kops's default (15s) when not set.
    type: raw
  post_drain_delay:
    description:
      - Wait after draining each node, for its pods to settle elsewhere (C(--post-drain-delay)).
        kops's default (5s) when not set.
    type: raw
  fail_on_validate_error:
    description:
      - Stop when the cluster does not validate after an instance was replaced (C(--fail-on-validate-error)).
        kops's default (true) when not set.
    type: bool
  fail_on_drain_error:
    description:
      - Stop when a node cannot be drained (C(--fail-on-drain-error)). kops's default (true) when not set.
    type: bool
notes:
  - kops drains and validates through the Kubernetes API while it rolls (unless O(cloud_only=true)). kops 1.30 reads
    the cluster's admin context from O(kubeconfig) (even with O(cloud_only=true)); kops 1.36 builds its own credential.
  - The plan never calls the Kubernetes API; it is read with C(--cloudonly) dry runs. kops 1.30 still loads the
    cluster's context from the kubeconfig for them.
seealso:
  - module: cloudops.kops.kops_cluster
  - module: cloudops.kops.kops_validate
'''

EXAMPLES = r'''
- name: Show what a rolling update would replace (nothing changes)
  cloudops.kops.kops_rolling_update:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
  check_mode: true
  register: plan

# kops 1.30 drains and validates through the cluster's context: export it to a file of its own first.
- name: Export an admin credential for the roll
  cloudops.kops.kops_kubecfg:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    kubeconfig: /srv/kops/fleetman-admin.yaml
    admin_ttl: 2h
    set_current_context: false

- name: Roll the control plane first
  cloudops.kops.kops_rolling_update:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    kubeconfig: /srv/kops/fleetman-admin.yaml
    instance_group_roles: [control-plane]
    validation_timeout: 20m
    validate_count: 2

- name: Then the nodes, except a group that is rolled by hand
  cloudops.kops.kops_rolling_update:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    kubeconfig: /srv/kops/fleetman-admin.yaml
    instance_group_roles: [node]
    exclude_instance_groups: [gpu-nodes]
    drain_timeout: 10m
    node_interval: 30s
    post_drain_delay: 10s
'''

RETURN = r'''
changed:
  description: Whether instances were replaced (in check mode, whether any would be).
  returned: always
  type: bool
plan:
  description:
    - The selected instance groups in the order they are rolled, as read before acting.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Instance group name.
      type: str
    role:
      description: C(control-plane), C(apiserver), C(node) or C(bastion).
      type: str
    status:
      description: C(NeedsUpdate) or C(Ready), as in the kops table.
      type: str
    need_update:
      description: Number of instances launched from an older launch template.
      type: int
    ready:
      description: Number of up-to-date instances.
      type: int
    min:
      description: Minimum size of the cloud group.
      type: int
    target:
      description: Desired size of the cloud group.
      type: int
    max:
      description: Maximum size of the cloud group.
      type: int
    instances:
      description:
        - The group's instances (C(id), C(status) C(UpToDate), C(NeedsUpdate) or C(Detached), C(node_name)).
        - C(Detached) is an instance an interrupted rolling update took out of its group; kops replaces it like one
          that needs an update.
      type: list
      elements: dict
    to_replace:
      description: Ids of the instances that the rolling update replaces.
      type: list
      elements: str
  sample:
    - name: control-plane-us-west-2a
      role: control-plane
      status: NeedsUpdate
      need_update: 1
      ready: 0
      min: 1
      target: 1
      max: 1
      instances: [{id: i-0b1f2c3d4e5f60718, status: NeedsUpdate, node_name: i-0b1f2c3d4e5f60718}]
      to_replace: [i-0b1f2c3d4e5f60718]
groups:
  description:
    - What was rolled, one entry per rolled group, in order. Empty in check mode and when nothing needed it.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Instance group name.
      type: str
    role:
      description: Instance group role.
      type: str
    replaced:
      description: Ids of the instances that were replaced.
      type: list
      elements: str
    new_instances:
      description: Ids of the instances the group has after the roll that it did not have before.
      type: list
      elements: str
    seconds:
      description: How long the group's rolling update took.
      type: float
    validation:
      description:
        - What kops reported about validating the cluster after the group's instances were replaced
          (C(passed), C(failed) when kops went on because O(fail_on_validate_error=false), or C(skipped) with
          O(cloud_only=true) or O(validate_count=0)).
      type: str
instances:
  description:
    - Every instance of the cluster after the task (C(kops get instances) as snake_case data
      C(id), C(node_name), C(status), C(needs_update), C(roles), C(cloud_group), C(internal_ip), C(machine_type), C(state)).
  returned: always
  type: list
  elements: dict
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

from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import duration_option
from ansible_collections.cloudops.kops.plugins.module_utils._kops_instances import (
    ROLES,
    build_plan,
    dry_run_args,
    group_roles,
    read_instances,
    roll_args,
    select_groups,
    table_rows,
    validation_outcome,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_kube_context import (
    kube_context_argument_spec,
    kubeconfig_environ,
    missing_context_hint,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import (
    guard_writes,
    lock_argument_spec,
    lock_durations,
    release_lock,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_state import get_cluster, get_instance_groups

DURATIONS = ('drain_timeout', 'validation_timeout', 'control_plane_interval', 'node_interval', 'bastion_interval',
             'post_drain_delay')


def read_plan(runner, name, groups, selected, force, environ):
    instances = read_instances(runner, name, environ=environ)
    rows = []
    if selected:
        result = runner.run(dry_run_args(name, selected), environ=environ)
        if result.rc != 0:
            runner.fail('The rolling-update dry run of cluster %s failed.%s' % (name, missing_context_hint(result.stderr)),
                        result)
        rows = table_rows(result.stdout)
    try:
        return build_plan(name, groups, selected, instances, rows, force=force), instances
    except ValueError as exc:
        runner.fail('Cannot plan the rolling update of cluster %s: %s.' % (name, exc))


def main():
    argument_spec = kops_argument_spec(name_required=True)
    argument_spec.update(lock_argument_spec())
    argument_spec.update(kube_context_argument_spec())
    argument_spec.update(
        instance_groups=dict(type='list', elements='str'),
        instance_group_roles=dict(type='list', elements='str', choices=list(ROLES)),
        exclude_instance_groups=dict(type='list', elements='str'),
        cloud_only=dict(type='bool', default=False),
        force=dict(type='bool', default=False),
        drain_timeout=dict(type='raw'),
        validation_timeout=dict(type='raw'),
        validate_count=dict(type='int'),
        control_plane_interval=dict(type='raw'),
        node_interval=dict(type='raw'),
        bastion_interval=dict(type='raw'),
        post_drain_delay=dict(type='raw'),
        fail_on_validate_error=dict(type='bool'),
        fail_on_drain_error=dict(type='bool'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    lock_durations(module)
    params = dict(module.params)
    for option in DURATIONS:
        if params.get(option) is not None:
            params[option] = duration_option(module, option)
    if params.get('validate_count') is not None and params['validate_count'] < 0:
        module.fail_json(msg='validate_count must be 0 or more, got %d.' % params['validate_count'])
    name = params['name']

    runner = KopsRunner(module)
    if get_cluster(runner, name) is None:
        runner.fail('Cluster %s does not exist in state store %s.' % (name, runner.state_store))
    groups = group_roles(get_instance_groups(runner, name))
    try:
        selected = select_groups(groups, params['instance_groups'], params['instance_group_roles'],
                                 params['exclude_instance_groups'])
    except ValueError as exc:
        module.fail_json(msg='Cluster %s: %s.' % (name, exc), commands=runner.commands, kops_version=runner.version)
    environ = kubeconfig_environ(params)
    plan, instances = read_plan(runner, name, groups, selected, params['force'], environ)
    todo = [entry for entry in plan if entry['to_replace']]
    result = dict(changed=bool(todo), plan=plan, groups=[], instances=instances, kops_version=runner.version,
                  commands=runner.commands)
    if not todo or module.check_mode:
        module.exit_json(**result)

    lock = guard_writes(module, runner, name, 'rolling-update')
    try:
        for entry in todo:
            before = {i['id'] for i in read_instances(runner, name, environ=environ)}
            started = time.monotonic()
            rolled = runner.run(roll_args(name, entry['name'], params), environ=environ)
            seconds = round(time.monotonic() - started, 3)
            after_instances = read_instances(runner, name, environ=environ)
            after = {i['id'] for i in after_instances}
            done = dict(name=entry['name'], role=entry['role'],
                        replaced=sorted(i for i in entry['to_replace'] if i not in after),
                        new_instances=sorted(after - before), seconds=seconds,
                        validation=validation_outcome(rolled.rc, rolled.stderr, params['cloud_only']
                                                      or params.get('validate_count') == 0))
            result['groups'].append(done)
            result['instances'] = after_instances
            if rolled.rc != 0:
                release_lock(module, lock)
                lock = None
                runner.fail('The rolling update of instance group %s of cluster %s failed.%s Run the task again to '
                            'continue with the instances that still need an update.'
                            % (entry['name'], name, missing_context_hint(rolled.stderr)),
                            rolled, plan=plan, groups=result['groups'], instances=after_instances,
                            changed=bool(done['replaced'] or len(result['groups']) > 1))
    finally:
        release_lock(module, lock)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
