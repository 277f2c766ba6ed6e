#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: kops_instance_group
short_description: Create, change and delete instance groups of a kops cluster
version_added: 0.1.0
description:
  - Manages one instance group (on AWS, one auto scaling group) of an existing kops cluster.
  - A new group is written with C(kops create -f -) from a manifest shaped like the groups kops creates itself;
    fields the task leaves out (machine type, image, subnets) are taken from an existing group with the same role.
  - An existing group is compared field by field with the stored spec and written back with C(kops replace -f -)
    only when something differs.
  - Changes reach AWS through the same C(kops update cluster) / C(kops rolling-update cluster) path as M(cloudops.kops.kops_cluster).
  - "Ownership rule: a group this module creates belongs to it. M(cloudops.kops.kops_cluster) never resizes or changes it
    (its O(cloudops.kops.kops_cluster#module:node_count), O(cloudops.kops.kops_cluster#module:node_size) and
    O(cloudops.kops.kops_cluster#module:image) reach only the groups C(kops create cluster) made, unless a play names
    others in O(cloudops.kops.kops_cluster#module:node_instance_groups)). So that the two modules never own the same
    group, this module refuses to create a group under a name C(kops create cluster) gives its own groups
    (C(nodes-<zone>), C(control-plane-<zone>), C(master-<zone>) for the cluster's zones); it can still change such a
    group when it exists."
author:
  - cloudops.kops maintainers (@cloudops)
extends_documentation_fragment:
  - cloudops.kops._kops
  - cloudops.kops._aws_connection
  - cloudops.kops._duration
  - cloudops.kops._lock
  - cloudops.kops._apply
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
      - Nothing is written; C(changed) comes from the comparison with the stored spec and from the kops dry runs.
  diff_mode:
    support: full
  idempotent:
    support: partial
    details:
      - A second run with the same options changes nothing, except with O(rolling_update=always), which replaces
        the group's instances on every run and reports a change each time.
  platform:
    platforms: posix
options:
  cluster_name:
    description:
      - Name of the kops cluster the instance group belongs to, for example V(fleetman.k8s.local).
      - Passed to kops as C(--name).
    type: str
    required: true
  name:
    description:
      - Name of the instance group, for example V(nodes-us-west-2a).
      - Development versions before the first release named the cluster O(name) and the group O(instance_group).
    type: str
    required: true
    aliases: [instance_group, ig_name]
  state:
    description:
      - V(present) creates or updates the group, V(absent) deletes it and its instances with C(kops delete instancegroup --yes).
    type: str
    choices: [present, absent]
    default: present
  role:
    description:
      - Role of the group. A new group gets V(node) when this is not set.
      - kops cannot change the role of a group, so a different role for an existing group is an error.
    type: str
    choices: [node, control-plane, bastion, apiserver]
  machine_type:
    description:
      - EC2 instance type, for example V(t3.medium).
    type: str
  min_size:
    description:
      - Minimum number of instances. Defaults to V(1) for a new group.
    type: int
  max_size:
    description:
      - Maximum number of instances. Defaults to O(min_size) for a new group.
    type: int
  zones:
    description:
      - Zones of the group. Each is mapped to the cluster subnet in that zone (not a utility subnet).
    type: list
    elements: str
  subnets:
    description:
      - Names of cluster subnets (as in C(spec.subnets[].name) of the cluster) for the group.
    type: list
    elements: str
  node_labels:
    description:
      - Kubernetes labels for the nodes of the group. Added to the labels already in the spec; labels not listed are kept.
    type: dict
  taints:
    description:
      - Kubernetes taints for the nodes, as V(key=value:Effect). The stored taints are replaced by exactly this list;
        V([]) removes all.
    type: list
    elements: str
  image:
    description:
      - Machine image (AMI) of the group.
    type: str
  rolling_update_instance_groups:
    description:
      - Instance groups to roll. Defaults to the group this task manages.
    type: list
    elements: str
notes:
  - kops deletes the cloud resources of a deleted group at once, without C(kops update cluster).
  - kops refuses to delete the only control plane group.
seealso:
  - module: cloudops.kops.kops_cluster
  - module: cloudops.kops.kops_cluster_info
'''

EXAMPLES = r'''
- name: Scale the tutorial's node groups from 1 to 2 instances
  cloudops.kops.kops_instance_group:
    cluster_name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    name: "{{ item }}"
    min_size: 2
    max_size: 2
  loop: [nodes-us-west-2a, nodes-us-west-2b, nodes-us-west-2c]

- name: Add a tainted group of bigger nodes for batch jobs
  cloudops.kops.kops_instance_group:
    cluster_name: fleetman.k8s.local
    name: batch-us-west-2a
    machine_type: m5.xlarge
    min_size: 0
    max_size: 4
    zones: [us-west-2a]
    node_labels:
      workload: batch
    taints:
      - dedicated=batch:NoSchedule

- name: Change the machine type and replace the instances
  cloudops.kops.kops_instance_group:
    cluster_name: fleetman.k8s.local
    name: nodes-us-west-2a
    machine_type: t3.large
    rolling_update: auto

- name: Remove the batch group
  cloudops.kops.kops_instance_group:
    cluster_name: fleetman.k8s.local
    name: batch-us-west-2a
    state: absent
'''

RETURN = r'''
instance_group:
  description: The group as stored after the task, flattened; empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Instance group name.
      type: str
      sample: nodes-us-west-2a
    role:
      description: V(control-plane), V(node), V(bastion) or V(apiserver).
      type: str
      sample: node
    machine_type:
      description: EC2 instance type.
      type: str
      sample: t3.medium
    min_size:
      description: Minimum size.
      type: int
      sample: 2
    max_size:
      description: Maximum size.
      type: int
      sample: 2
    zones:
      description: Zones listed in the spec.
      type: list
      elements: str
      sample: []
    subnets:
      description: Subnet names.
      type: list
      elements: str
      sample: [us-west-2a]
    image:
      description: Machine image.
      type: str
      sample: 099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20260714
    node_labels:
      description: Node labels.
      type: dict
      sample: {"kops.k8s.io/instancegroup": "nodes-us-west-2a"}
    taints:
      description: Node taints.
      type: list
      elements: str
      sample: []
    kops_object:
      description:
        - The InstanceGroup object exactly as kops stores it (or would store it, in check mode), with kops's own
          camelCase keys. Every other key of RV(instance_group) is a snake_case summary of it.
      type: dict
      sample: {"kind": "InstanceGroup", "metadata": {"name": "nodes-us-west-2a"}, "spec": {"minSize": 2, "maxSize": 2}}
changes:
  description: What the task did or would do.
  returned: always
  type: list
  elements: str
  sample: ["InstanceGroup/nodes-us-west-2a spec.maxSize: 1 -> 2", "ran kops update cluster --yes to apply pending cloud changes"]
differences:
  description: The spec edits as data.
  returned: always
  type: list
  elements: dict
  sample: [{"object": "InstanceGroup/nodes-us-west-2a", "field": "spec.maxSize", "before": 1, "after": 2}]
commands:
  description: Every kops command line the module ran.
  returned: always
  type: list
  elements: list
  sample: [["/usr/local/bin/kops", "get", "ig", "nodes-us-west-2a", "--name", "fleetman.k8s.local", "-o", "json", "--state", "s3://fleetman-kops-state"]]
kops_version:
  description: Version of the kops binary used.
  returned: always
  type: str
  sample: 1.36.2
update_report:
  description: What the C(update cluster) and C(rolling-update cluster) steps saw and did.
  returned: when O(state=present)
  type: dict
  sample: {"update_pending": true, "updated": true, "rolling_update_required": false, "rolling_updated": false}
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudops.kops.plugins.module_utils._kops_apply import apply_argument_spec, apply_cluster
from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import guard_writes, lock_argument_spec, release_lock
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import HAS_YAML, instance_group_summary
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_spec import (
    ROLE_TO_KOPS,
    CONTROL_PLANE_ROLES,
    cluster_name_error,
    compare_instance_group,
    instance_group_name_error,
    is_kops_made_group,
    new_instance_group,
    taint_error,
    unknown_subnets,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_state import (
    create_objects,
    get_cluster,
    get_instance_group,
    get_instance_groups,
    replace_objects,
)


def validate_params(module):
    params = module.params
    if not params['cluster_name']:
        module.fail_json(msg='cluster_name must not be empty.')
    for error in (cluster_name_error(params['cluster_name']), instance_group_name_error(params['name'])):
        if error:
            module.fail_json(msg=error)
    for option in ('min_size', 'max_size'):
        if params.get(option) is not None and params[option] < 0:
            module.fail_json(msg='%s must be 0 or more, got %d.' % (option, params[option]))
    if params.get('min_size') is not None and params.get('max_size') is not None and params['min_size'] > params['max_size']:
        module.fail_json(msg='min_size (%d) is larger than max_size (%d).' % (params['min_size'], params['max_size']))
    for taint in params.get('taints') or []:
        error = taint_error(taint)
        if error:
            module.fail_json(msg=error)


def same_role(ig, role):
    stored = (ig.get('spec') or {}).get('role')
    if role == 'control-plane':
        return stored in CONTROL_PLANE_ROLES
    return stored == ROLE_TO_KOPS[role]


def sizes_error(spec):
    if spec.get('minSize') is not None and spec.get('maxSize') is not None and spec['minSize'] > spec['maxSize']:
        return 'minSize (%d) would be larger than maxSize (%d); set both min_size and max_size.' % (spec['minSize'], spec['maxSize'])
    return None


def present(module, runner, result, cluster):
    params = module.params
    cluster_name, name = params['cluster_name'], params['name']
    cluster_spec = cluster.get('spec') or {}
    unknown = unknown_subnets(cluster_spec, params)
    if unknown:
        module.fail_json(msg='Cluster %s has no (non-utility) subnet for: %s.' % (cluster_name, ', '.join(unknown)),
                         commands=runner.commands)
    ig = get_instance_group(runner, cluster_name, name)
    before = ig or {}
    if ig is None:
        if is_kops_made_group({'metadata': {'name': name}}, cluster_spec):
            module.fail_json(msg='Instance group %s does not exist, and %s is a name kops create cluster gives the groups it '
                                 'makes, which cloudops.kops.kops_cluster manages. Pick another name for a group of your own.'
                                 % (name, name), commands=runner.commands)
        template = next((g for g in sorted(get_instance_groups(runner, cluster_name),
                                           key=lambda g: g['metadata']['name'])
                         if same_role(g, params.get('role') or 'node')), None)
        ig = new_instance_group(cluster_name, name, cluster_spec, params, template)
        missing = [field for field in ('machineType', 'subnets') if not ig['spec'].get(field)]
        if missing:
            module.fail_json(msg='Cannot create instance group %s: no existing %s group to copy %s from; set %s.'
                             % (name, params.get('role') or 'node', ' and '.join(missing),
                                ' and '.join('machine_type' if f == 'machineType' else 'zones or subnets' for f in missing)),
                             commands=runner.commands)
        error = sizes_error(ig['spec'])
        if error:
            module.fail_json(msg=error, commands=runner.commands)
        result['changed'] = True
        result['changes'].append('%s kops create -f for InstanceGroup/%s' % ('would run' if module.check_mode else 'ran', name))
        if not module.check_mode:
            create_objects(runner, [ig], what='instance group %s' % name)
        spec_changed = True
    else:
        changes = compare_instance_group(ig, cluster_spec, params)
        if changes.conflicts:
            module.fail_json(msg=' '.join(changes.conflicts), conflicts=changes.conflicts, commands=runner.commands)
        spec_changed = changes.changed
        if spec_changed:
            ig = changes.objects[0]
            error = sizes_error(ig['spec'])
            if error:
                module.fail_json(msg=error, commands=runner.commands)
            result['changed'] = True
            result['differences'] = changes.differences
            result['changes'].extend('%s %s: %s -> %s' % (d['object'], d['field'], d['before'], d['after'])
                                     for d in changes.differences)
            if not module.check_mode:
                replace_objects(runner, [ig], what='instance group %s' % name)

    apply_params = dict(params)
    if not apply_params.get('rolling_update_instance_groups'):
        apply_params['rolling_update_instance_groups'] = [name]
    applied, apply_changes, report = apply_cluster(runner, cluster_name, apply_params, module.check_mode,
                                                   spec_changed=spec_changed)
    result['changed'] = result['changed'] or applied
    result['changes'].extend(apply_changes)
    result['update_report'] = report
    if spec_changed and not module.check_mode:
        ig = get_instance_group(runner, cluster_name, name) or ig
    result['instance_group'] = instance_group_summary(ig)
    if module._diff:
        result['diff'] = dict(before=before, after=ig)


def absent(module, runner, result):
    cluster_name, name = module.params['cluster_name'], module.params['name']
    ig = get_instance_group(runner, cluster_name, name)
    if ig is None:
        return
    result['changed'] = True
    if module._diff:
        result['diff'] = dict(before=ig, after={})
    if module.check_mode:
        result['changes'].append('would run kops delete instancegroup --yes for %s' % name)
        return
    # Without --yes kops asks on the terminal.
    deleted = runner.run(['delete', 'instancegroup', name, '--name', cluster_name, '--yes'])
    if deleted.rc != 0:
        runner.fail('kops delete instancegroup failed for %s.' % name, deleted)
    if get_instance_group(runner, cluster_name, name) is not None:
        runner.fail('kops delete instancegroup exited 0 but instance group %s is still in the state store.' % name, deleted)
    result['changes'].append('ran kops delete instancegroup --yes for %s' % name)


def main():
    argument_spec = kops_argument_spec(name_required=True, cluster_option='cluster_name')
    argument_spec.update(apply_argument_spec())
    argument_spec.update(lock_argument_spec())
    argument_spec.update(
        name=dict(type='str', required=True, aliases=['instance_group', 'ig_name']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        role=dict(type='str', choices=list(ROLE_TO_KOPS)),
        machine_type=dict(type='str'),
        min_size=dict(type='int'),
        max_size=dict(type='int'),
        zones=dict(type='list', elements='str'),
        subnets=dict(type='list', elements='str'),
        node_labels=dict(type='dict'),
        taints=dict(type='list', elements='str'),
        image=dict(type='str'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           mutually_exclusive=[('zones', 'subnets')])
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib('PyYAML'))
    validate_params(module)

    runner = KopsRunner(module, cluster_option='cluster_name')
    result = dict(changed=False, instance_group={}, changes=[], differences=[],
                  commands=runner.commands, kops_version=runner.version)
    cluster = get_cluster(runner, runner.cluster_name)
    if cluster is None:
        if module.params['state'] == 'absent':
            module.exit_json(**result)
        module.fail_json(msg='Cluster %s (cluster_name) does not exist in the state store; create it first.'
                         % runner.cluster_name, **result)
    lock = guard_writes(module, runner, runner.cluster_name,
                        'kops_instance_group %s state=%s' % (module.params['name'], module.params['state']))
    try:
        if module.params['state'] == 'present':
            present(module, runner, result, cluster)
        else:
            absent(module, runner, result)
    finally:
        release_lock(module, lock)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
