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
      - Nothing is written; C(changed) comes from the comparison with the stored spec and from the kops dry runs.
        The instances a scale-down or delete would drain and remove are listed in RV(removed_instances).
  diff_mode:
    support: full
    details:
      - The spec before and after; with instances to remove, a second diff lists the group's instances before and after.
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
      - V(present) creates or updates the group, V(absent) deletes it and its instances with C(kops delete instancegroup --yes)
        (after draining them, see O(drain)).
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
      - Mutually exclusive with O(subnets).
    type: list
    elements: str
  subnets:
    description:
      - Names of cluster subnets (as in C(spec.subnets[].name) of the cluster) for the group.
      - Mutually exclusive with O(zones).
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
  drain:
    description:
      - Drain nodes before they go. When the task lowers O(max_size) below the number of instances the group runs,
        or deletes a group that has instances (O(state=absent)), the surplus instances are drained and removed
        one by one with C(kops delete instance) before kops changes the group (see Notes for the exact sequence).
        RV(removed_instances) lists them.
      - V(false) keeps kops's own behaviour. The new size reaches AWS with C(kops update cluster --yes) and AWS
        terminates the instances it picks, undrained; C(kops delete instancegroup) terminates all of them, undrained.
      - Draining goes through the Kubernetes API. kops 1.30 reads the cluster's context from the kubeconfig, so pass
        the one M(cloudops.kops.kops_kubecfg) exports as O(kubeconfig) (used for C(kops get instances) and
        C(kops delete instance) too); kops 1.36 makes its own credential.
      - Needs boto3 on the host that runs the module when there is something to remove.
    type: bool
    default: true
  post_drain_delay:
    description:
      - Wait after draining each node, for its pods to settle elsewhere (C(kops delete instance --post-drain-delay),
        a duration). kops's default (5s) when not set.
    type: raw
notes:
  - kops deletes the cloud resources of a deleted group at once, without C(kops update cluster).
  - kops refuses to delete the only control plane group; with O(drain=true) the module refuses it before draining anything.
  - "Safe scale-down: C(kops update cluster --yes) only writes the Auto Scaling Group's MinSize and MaxSize; a MaxSize
    below the desired capacity makes AWS terminate instances of its choice, undrained. C(kops delete instance) drains,
    but with C(--surge) (its default) it detaches the instance so that the group launches a replacement, and without it
    the group replaces the terminated instance. So, with O(drain=true), the module (1) lists the group's instances
    (C(kops get instances -o json)) and asks kops, without C(--yes), whether each surplus instance can be drained, before
    writing anything; (2) lowers the group's MinSize if it is above the size the group will have; (3) for each surplus
    instance, detaches it from the group with the desired capacity decremented and tags it
    C(kops.k8s.io/detached-from-asg) as kops does, so nothing replaces it and kops still knows it, then runs
    C(kops delete instance <id> --surge=false --yes), which drains the node and terminates the instance; (4) only then
    writes the spec and runs C(kops update cluster), whose MaxSize is now no lower than the desired capacity, so AWS
    terminates nothing by itself. For O(state=absent) step (4) is C(kops delete instancegroup --yes)."
  - "Which instances go: instances kops lists as C(Detached) from the group (left by an interrupted run) first, then of
    the attached ones those that need an update (C(NeedsUpdate)), then the newest (latest launch time), then by instance
    id. An instance that never joined the cluster as a node has nothing to drain and is removed with C(--cloudonly).
    A run interrupted in the middle leaves the stored spec unchanged, so the next run finishes the scale-down."
  - With O(apply=false) the surplus instances are still drained and removed; only C(kops update cluster) is skipped.
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

- name: Remove the batch group (its nodes are drained first)
  cloudops.kops.kops_instance_group:
    cluster_name: fleetman.k8s.local
    name: batch-us-west-2a
    state: absent

- name: Scale a node group down to 1, draining the nodes that go
  cloudops.kops.kops_instance_group:
    cluster_name: fleetman.k8s.local
    name: nodes-us-west-2a
    min_size: 1
    max_size: 1
    kubeconfig: "{{ playbook_dir }}/kubeconfig-fleetman"
    post_drain_delay: 30s
  register: scale_down

- name: Show which instances went
  ansible.builtin.debug:
    msg: "{{ scale_down.removed_instances | map(attribute='id') | list }}"
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
removed_instances:
  description:
    - The instances the task drained and removed (in check mode, would drain and remove), in that order.
      Empty with O(drain=false), where AWS picks the instances it terminates.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: EC2 instance id.
      type: str
      sample: i-0a5ed581b862d3425
    instance_group:
      description: The kops instance group.
      type: str
      sample: nodes-us-west-2a
    cloud_group:
      description: The Auto Scaling Group the instance belonged to.
      type: str
      sample: nodes-us-west-2a.fleetman.k8s.local
    status:
      description: What kops said about the instance before, V(UpToDate), V(NeedsUpdate) or V(Detached).
      type: str
      sample: UpToDate
    node_name:
      description: The Kubernetes node name kops found for it; null when the instance never joined the cluster.
      type: str
      sample: i-0a5ed581b862d3425
    drained:
      description: Whether the node was drained (false for an instance that was no node, removed with C(--cloudonly)).
      type: bool
      sample: true
  sample: [{"id": "i-0a5ed581b862d3425", "instance_group": "nodes-us-west-2a", "cloud_group": "nodes-us-west-2a.fleetman.k8s.local",
            "status": "UpToDate", "node_name": "i-0a5ed581b862d3425", "drained": true}]
kops_version:
  description: Version of the kops binary used.
  returned: always
  type: str
  sample: 1.36.2
update_report:
  description: What the C(update cluster) and C(rolling-update cluster) steps saw and did.
  returned: when O(state=present)
  type: dict
  contains:
    update_pending:
      description: Whether cloud changes were pending (kops's dry run listed some, or the spec was just written).
      type: bool
    updated:
      description: Whether C(kops update cluster --yes) ran.
      type: bool
    update_preview:
      description:
        - The C(Kind/name) headings of the C(update cluster) dry run, per action (C(create), C(modify), C(delete)).
        - Missing with O(apply=false), which runs no dry run.
      type: dict
      returned: when O(apply=true)
    rolling_update_required:
      description: Whether kops's C(rolling-update cluster) preview found instances that need replacing.
      type: bool
    rolling_update_plan:
      description: The rows of that preview (name, status, need_update, ready, min, target, max and, when kops
        reached the API, nodes); empty when no rolling update was asked for.
      type: list
      elements: dict
    rolling_updated:
      description: Whether C(kops rolling-update cluster --yes) ran.
      type: bool
  sample: {"update_pending": true, "updated": true, "update_preview": {"modify": ["AutoscalingGroup/nodes-us-west-2a.fleetman.k8s.local"]},
           "rolling_update_required": false, "rolling_update_plan": [], "rolling_updated": false}
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudops.kops.plugins.module_utils._kops_apply import (
    apply_argument_spec,
    apply_cluster,
    rolling_update_groups_error,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_drain import (
    AWS_ERRORS,
    DETACHED,
    HAS_BOTO3 as HAS_BOTO3_DRAIN,
    aws_clients,
    choose_removals,
    delete_instance_args,
    describe_group,
    detach,
    group_members,
    launch_times,
    lower_min_size,
    preview_outcome,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import duration_option
from ansible_collections.cloudops.kops.plugins.module_utils._kops_instances import read_instances
from ansible_collections.cloudops.kops.plugins.module_utils._kops_kube_context import (
    kube_context_argument_spec,
    kubeconfig_environ,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import guard_writes, lock_argument_spec, lock_durations, release_lock
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import HAS_YAML, ig_role, instance_group_summary
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_spec import (
    ROLE_TO_KOPS,
    CONTROL_PLANE_ROLES,
    cluster_name_error,
    compare_instance_group,
    ig_name,
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


def plan_removals(module, runner, ig, target):
    """The instances to drain and remove so that ``target`` remain attached; reads only.

    Returns ``(plan, members, clients)``: the plan in removal order, every member of the group, and the
    boto3 clients (None when nothing is to be removed).
    """
    params = module.params
    cluster_name, name = params['cluster_name'], params['name']
    environ = kubeconfig_environ(params)
    # get_instances.go asRenderable: an empty cluster prints [] (make, not a nil slice).
    instances = read_instances(runner, cluster_name, output='json', environ=environ)
    role = ig_role((ig.get('spec') or {}).get('role')) or 'node'
    members = group_members(instances, cluster_name, name, role)
    if not choose_removals(members, target):
        return [], members, None
    if not HAS_BOTO3_DRAIN:
        module.fail_json(msg=missing_required_lib('boto3') + ' Draining instances before a scale-down or a delete '
                         'needs it (or set drain=false).', commands=runner.commands)
    clients = aws_clients(params)
    try:
        times = launch_times(clients[1], [m['id'] for m in members])
    except AWS_ERRORS as exc:
        module.fail_json(msg='Could not read the launch times of the instances of %s: %s' % (name, exc),
                         commands=runner.commands)
    plan = []
    for member in choose_removals(members, target, times):
        preview = runner.run(delete_instance_args(cluster_name, member['id']), environ=environ)
        outcome, node = preview_outcome(preview)
        if outcome == 'error':
            runner.fail('kops cannot drain instance %s of instance group %s, so nothing was changed. kops 1.30 reads '
                        'the cluster\'s context from the kubeconfig: export it with cloudops.kops.kops_kubecfg and pass '
                        'it as kubeconfig; or set drain=false to let AWS remove instances without draining them.'
                        % (member['id'], name), preview)
        plan.append(dict(id=member['id'], instance_group=name, cloud_group=member['cloud_group'],
                         status=member['status'], node_name=node, drained=outcome == 'node'))
    return plan, members, clients


def removal_changes(plan, check_mode):
    verb = 'would drain and remove' if check_mode else 'drained and removed'
    return ['%s instance %s of %s (%s)' % (verb, p['id'], p['instance_group'],
                                           'detach without replacement, kops delete instance --surge=false --yes'
                                           if p['drained'] else 'not a node, nothing to drain: --cloudonly')
            for p in plan]


def remove_instances(module, runner, result, plan, clients):
    """Detach each planned instance without a replacement, then drain and terminate it with kops."""
    params = module.params
    cluster_name = params['cluster_name']
    autoscaling, ec2 = clients
    removed = result['removed_instances'] = []
    runner.before_write()  # the boto3 writes below are not kops commands
    attached = [p for p in plan if p['status'] != DETACHED]
    group_name = plan[0]['cloud_group']
    try:
        group = describe_group(autoscaling, group_name) if attached else None
        if group is not None:
            final = max(int(group.get('DesiredCapacity') or 0) - len(attached), 0)
            if int(group.get('MinSize') or 0) > final:
                lower_min_size(autoscaling, group_name, final)
                result['changes'].append('lowered MinSize of auto scaling group %s from %s to %d so that removed '
                                         'instances are not replaced' % (group_name, group.get('MinSize'), final))
    except AWS_ERRORS as exc:
        module.fail_json(msg='Could not lower the minimum size of auto scaling group %s: %s' % (group_name, exc),
                         commands=runner.commands, removed_instances=removed, changes=result['changes'])
    for entry in plan:
        if entry['status'] != DETACHED and group is not None:
            try:
                detach(autoscaling, ec2, group_name, entry['id'])
            except AWS_ERRORS as exc:
                module.fail_json(msg='Could not detach instance %s from auto scaling group %s: %s'
                                 % (entry['id'], group_name, exc), commands=runner.commands,
                                 removed_instances=removed, changes=result['changes'])
        deleted = runner.run(delete_instance_args(cluster_name, entry['id'], yes=True, cloud_only=not entry['drained'],
                                                  post_drain_delay=params.get('post_drain_delay')),
                             environ=kubeconfig_environ(params))
        if deleted.rc != 0:
            runner.fail('kops delete instance failed for %s of instance group %s; it is detached from its auto scaling '
                        'group, and a rerun drains and removes it.' % (entry['id'], entry['instance_group']), deleted,
                        removed_instances=removed, changes=result['changes'])
        removed.append(entry)
        result['changes'].extend(removal_changes([entry], False))


def instances_diff(name, members, plan):
    gone = set(p['id'] for p in plan)
    ids = sorted(m['id'] for m in members)
    return dict(before_header='instances of %s' % name, after_header='instances of %s' % name,
                before=''.join(i + '\n' for i in ids), after=''.join(i + '\n' for i in ids if i not in gone))


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
    write = None
    # The cluster's other groups are read at most once: when a roll names some of them, or a new group
    # copies an existing one.
    groups = []

    def other_groups():
        if not groups:
            groups.append(get_instance_groups(runner, cluster_name))
        return groups[0]

    if params['rolling_update'] != 'never' and set(params.get('rolling_update_instance_groups') or []) - set([name]):
        error = rolling_update_groups_error(params, cluster_name, [ig_name(g) for g in other_groups()] + [name])
        if error:
            module.fail_json(msg=error, commands=runner.commands)
    if ig is None:
        if is_kops_made_group({'metadata': {'name': name}}, cluster_spec):
            module.fail_json(msg='Instance group %s does not exist, and %s is a name kops create cluster gives the groups it '
                                 'makes, which cloudops.kops.kops_cluster manages. Pick another name for a group of your own.'
                                 % (name, name), commands=runner.commands)
        template = next((g for g in sorted(other_groups(), key=lambda g: g['metadata']['name'])
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
        write = create_objects
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
            write = replace_objects

    # Safe scale-down: a smaller maxSize first drains and removes the surplus instances (reads only up to here).
    plan, members, clients = [], [], None
    stored_max = (before.get('spec') or {}).get('maxSize')
    new_max = (ig.get('spec') or {}).get('maxSize')
    if before and params['drain'] and new_max is not None and (stored_max is None or new_max < stored_max):
        plan, members, clients = plan_removals(module, runner, ig, new_max)
    if plan:
        result['changed'] = True
        if module.check_mode:
            result['removed_instances'] = plan
            result['changes'].extend(removal_changes(plan, True))
        else:
            remove_instances(module, runner, result, plan, clients)

    if write is not None and not module.check_mode:
        write(runner, [ig], what='instance group %s' % name)

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
        if plan:
            result['diff'] = [result['diff'], instances_diff(name, members, plan)]


def only_control_plane_group(runner, cluster_name, ig):
    """Whether ``ig`` is the cluster's only control-plane group (kops refuses to delete it)."""
    if (ig.get('spec') or {}).get('role') not in CONTROL_PLANE_ROLES:
        return False
    name = ig['metadata']['name']
    return not any((g.get('spec') or {}).get('role') in CONTROL_PLANE_ROLES and g['metadata']['name'] != name
                   for g in get_instance_groups(runner, cluster_name))


def absent(module, runner, result):
    params = module.params
    cluster_name, name = params['cluster_name'], params['name']
    ig = get_instance_group(runner, cluster_name, name)
    if ig is None:
        return
    plan, members, clients = [], [], None
    if params['drain']:
        # cmd/kops/delete_instancegroup.go refuses this, but only after the nodes would have been drained.
        if only_control_plane_group(runner, cluster_name, ig):
            module.fail_json(msg='Instance group %s is the only control plane instance group of %s; kops cannot '
                                 'delete it.' % (name, cluster_name), commands=runner.commands)
        plan, members, clients = plan_removals(module, runner, ig, 0)
    result['changed'] = True
    if module._diff:
        result['diff'] = dict(before=ig, after={})
        if plan:
            result['diff'] = [result['diff'], instances_diff(name, members, plan)]
    if module.check_mode:
        result['removed_instances'] = plan
        result['changes'].extend(removal_changes(plan, True))
        result['changes'].append('would run kops delete instancegroup --yes for %s' % name)
        return
    if plan:
        remove_instances(module, runner, result, plan, clients)
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
    argument_spec.update(kube_context_argument_spec())
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
        drain=dict(type='bool', default=True),
        post_drain_delay=dict(type='raw'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           mutually_exclusive=[('zones', 'subnets')])
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib('PyYAML'))
    validate_params(module)
    lock_durations(module)
    if module.params.get('post_drain_delay') is not None:
        module.params['post_drain_delay'] = duration_option(module, 'post_drain_delay')

    runner = KopsRunner(module, cluster_option='cluster_name')
    result = dict(changed=False, instance_group={}, changes=[], differences=[], removed_instances=[],
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
