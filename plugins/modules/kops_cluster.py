#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: kops_cluster
short_description: Create, update and delete Kubernetes clusters on AWS with kops
version_added: 0.1.0
description:
  - Creates a kops cluster when the state store does not hold it, with C(kops create cluster).
  - When the cluster exists, compares the requested settings with the stored cluster and instance group specs
    (C(kops get ... -o json)), writes the differences with C(kops replace -f -) and reports each of them.
  - Pushes the stored spec to AWS with C(kops update cluster --yes) only when the kops dry run says changes are pending,
    and optionally replaces instances with C(kops rolling-update cluster --yes).
  - Deletes the cluster and all its cloud resources with O(state=absent).
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
      - Nothing is written. For a cluster that does not exist yet the module runs C(kops create cluster --dry-run -o yaml)
        and returns what would be created.
  diff_mode:
    support: full
    details:
      - Shows the stored cluster and instance group specs before and after.
  idempotent:
    support: partial
    details:
      - A second run with the same options changes nothing, except with O(rolling_update=always), which replaces the
        selected instances on every run and reports a change each time.
  platform:
    platforms: posix
options:
  name:
    required: true
  state:
    description:
      - V(present) creates the cluster or brings an existing one in line with the options.
      - V(absent) deletes the cluster, its cloud resources and its state store entry with C(kops delete cluster --yes).
    type: str
    choices: [present, absent]
    default: present
  zones:
    description:
      - Availability zones of the cluster, for example V(us-west-2a).
      - Required to create a cluster. kops cannot move an existing cluster to other zones, so a different list
        for an existing cluster is an error.
    type: list
    elements: str
  control_plane_zones:
    description:
      - Zones of the control plane nodes (an odd number). Defaults to the first zone of O(zones). Create-only.
    type: list
    elements: str
  control_plane_count:
    description:
      - Number of control plane nodes. Create-only.
    type: int
  control_plane_size:
    description:
      - EC2 instance type of the control plane nodes, for example V(t3.medium).
      - On an existing cluster this sets the machine type of the control plane instance groups C(kops create cluster)
        made (C(control-plane-<zone>), C(master-<zone>)); see O(node_instance_groups) for the ownership rule.
    type: str
  node_count:
    description:
      - Total number of worker nodes, spread over the node instance groups as kops does at creation
        (one group per zone, the first groups take the remainder).
      - On an existing cluster this sets C(minSize) and C(maxSize) of the node instance groups this module owns
        (see O(node_instance_groups)), spread the same way.
    type: int
  node_size:
    description:
      - EC2 instance type of the worker nodes. On an existing cluster this sets the machine type of the node instance
        groups this module owns (see O(node_instance_groups)).
    type: str
  kubernetes_version:
    description:
      - Kubernetes version to run, for example V(1.30.14). Defaults to the version of the kops channel.
      - Changing it on an existing cluster is an upgrade; instances pick it up after a rolling update (O(rolling_update)).
      - On an existing cluster it may move at most one minor version forward (a patch release or the next minor). An
        older version or a longer jump fails before anything is written; the cloudops.kops.upgrade role walks an
        upgrade one minor version at a time, control plane first. After an upgrade, set it to the version the cluster
        runs (or leave it unset).
    type: str
  networking:
    description:
      - Networking (CNI) mode passed to C(--networking), for example V(cilium), V(calico), V(amazonvpc) or V(kindnet).
        kops checks the value. Create-only.
    type: str
  topology:
    description:
      - V(public) puts nodes in public subnets, V(private) in private subnets behind NAT gateways. Create-only.
    type: str
    choices: [public, private]
  dns:
    description:
      - DNS type of the cluster. Names ending in V(.k8s.local) need V(none). Create-only.
    type: str
    choices: [public, private, none]
  dns_zone:
    description:
      - Route 53 hosted zone of the cluster (ID or name). Defaults to the longest zone matching O(name). Create-only.
    type: str
  api_loadbalancer_type:
    description:
      - Whether the Kubernetes API load balancer is internet-facing (V(public)) or internal (V(internal)).
    type: str
    choices: [public, internal]
  api_loadbalancer_class:
    description:
      - Class of the Kubernetes API load balancer, a network load balancer (V(network), the kops default) or a classic one.
      - Written into C(spec.api.loadBalancer.class) of the cluster spec. When a new cluster is created with this option
        and without O(api_loadbalancer_type), the API gets a public load balancer.
    type: str
    choices: [network, classic]
  ssh_public_key:
    description:
      - SSH public key for the instances, either the key itself (V(ssh-ed25519 AAAA...)) or the path of a C(.pub) file.
      - As for every path option, V(~) and environment variables are expanded.
      - Used only when the cluster is created. kops keeps keys as separate secrets; rotate them with C(kops create sshpublickey).
    type: path
  image:
    description:
      - Machine image (AMI) for all instance groups, for example V(099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260714).
      - On an existing cluster this sets the image of the instance groups this module owns (see O(node_instance_groups))
        and of the control plane groups C(kops create cluster) made.
    type: str
  node_instance_groups:
    description:
      - The node instance groups that O(node_count), O(node_size) and O(image) apply to on an existing cluster.
      - "Ownership rule: by default these options reach only the node groups C(kops create cluster) made for the
        cluster's zones (C(nodes-<zone>)). A group added with M(cloudops.kops.kops_instance_group), or by hand,
        is never changed by this module unless it is named here."
      - Every name must be a node instance group of the cluster. When the cluster is created, that means one of the
        C(nodes-<zone>) groups C(kops create cluster) makes for O(zones); any other name fails the task before
        anything is written.
    type: list
    elements: str
  cloud_labels:
    description:
      - Tags for every AWS resource of the cluster (C(spec.cloudLabels)).
      - With O(purge_tags=true) (the default) the stored labels are replaced by exactly these; V({}) removes all.
        With O(purge_tags=false) they are added to the stored labels, changing the values of the keys given.
      - Keys and values must not contain V(,) or V(=), which C(--cloud-labels) uses as separators.
    type: dict
    aliases: [tags]
  purge_tags:
    description:
      - Whether O(cloud_labels) replaces the stored labels (V(true)) or is merged into them (V(false)), as
        C(purge_tags) does in amazon.aws.
      - Without O(cloud_labels) the stored labels are left alone either way.
    type: bool
    default: true
  vpc:
    description:
      - ID of an existing VPC to build the cluster in (C(--network-id)). Create-only.
    type: str
    aliases: [network_id]
  subnets:
    description:
      - IDs of existing subnets to use (C(--subnets)). Create-only.
    type: list
    elements: str
  utility_subnets:
    description:
      - IDs of existing utility (public) subnets for a private topology (C(--utility-subnets)). Create-only.
    type: list
    elements: str
  extra_create_flags:
    description:
      - Further C(kops create cluster) flags, as a mapping of flag name (without leading dashes) to value.
      - "For example C({channel: stable, admin-access: 203.0.113.0/24})."
      - Each becomes one C(--flag=value) argument; lists are joined with commas; V(true) gives C(--flag).
      - Flags this module sets itself cannot be given here. Used only when the cluster is created.
    type: dict
    default: {}
  delete_timeout:
    description:
      - How long C(kops delete cluster) keeps retrying undeletable resources, a duration (see Notes) such as V(10m)
        or V(600), passed to kops as C(--wait) in Go syntax.
      - Must be longer than zero, because kops reads C(--wait=0s) as "no time limit".
    type: raw
    default: 10m
notes:
  - O(rolling_update) is not run for a cluster this task creates; its instances are all new.
  - C(create cluster), C(replace) and C(delete cluster) are not idempotent in kops itself; the module checks whether the
    cluster exists before each of them. With O(state=present) it reads the cluster and its instance groups in one
    C(kops get all --name NAME -o json), so a run with nothing to change starts two kops processes (that read and the
    C(kops update cluster) dry run), besides the kops version probe, which is cached per binary.
  - The module never writes a kubeconfig. It runs C(kops update cluster --yes --create-kube-config=false), so kops does not
    touch E(KUBECONFIG) or C(~/.kube/config); export credentials with M(cloudops.kops.kops_kubecfg), which merges them
    under a lock without losing other contexts.
  - With kops 1.30, every rolling update reads the cluster's context from a kubeconfig; export one with
    M(cloudops.kops.kops_kubecfg) and pass it as O(kubeconfig).
seealso:
  - module: cloudops.kops.kops_cluster_info
  - module: cloudops.kops.kops_instance_group
  - module: cloudops.kops.kops_validate
'''

EXAMPLES = r'''
- name: Create the fleetman cluster (gossip-free, no DNS zone needed)
  cloudops.kops.kops_cluster:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    region: us-west-2
    zones: [us-west-2a, us-west-2b, us-west-2c]
    node_count: 3
    node_size: t3.medium
    control_plane_size: t3.medium
    ssh_public_key: "{{ lookup('ansible.builtin.file', '~/.ssh/id_ed25519.pub') }}"

- name: Scale the worker nodes to two per zone and replace nothing else
  cloudops.kops.kops_cluster:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    node_count: 6

- name: Upgrade Kubernetes and roll the instances that need it
  cloudops.kops.kops_cluster:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    kubernetes_version: 1.30.14
    rolling_update: auto

- name: Private cluster in an existing VPC with a classic API load balancer
  cloudops.kops.kops_cluster:
    name: k8s.example.com
    zones: [eu-west-1a, eu-west-1b, eu-west-1c]
    topology: private
    networking: calico
    vpc: vpc-0123456789abcdef0
    api_loadbalancer_class: classic
    cloud_labels:
      team: platform
    purge_tags: false
    extra_create_flags:
      channel: stable
      bastion: true

- name: Delete the cluster
  cloudops.kops.kops_cluster:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    state: absent
'''

RETURN = r'''
cluster:
  description:
    - The cluster after the task (for a new cluster in check mode, as C(kops create cluster --dry-run) printed it),
      summarised with snake_case keys as in RV(cloudops.kops.kops_cluster_info#module:clusters); the object kops
      stores is under RV(cluster.kops_object).
    - Empty when the cluster is absent.
  returned: always
  type: dict
  contains:
    name:
      description: Cluster name.
      type: str
      sample: fleetman.k8s.local
    kubernetes_version:
      description: Kubernetes version of the spec.
      type: str
      sample: 1.30.14
    cloud_provider:
      description: Cloud provider.
      type: str
      sample: aws
    zones:
      description: Zones of the cluster subnets.
      type: list
      elements: str
      sample: [us-west-2a, us-west-2b, us-west-2c]
    topology:
      description: V(public) or V(private) (private when any subnet is private).
      type: str
      sample: public
    dns:
      description: DNS type from C(spec.topology.dns.type), lowercased (V(none) for DNS-less clusters).
      type: str
      sample: none
    networking:
      description: The networking (CNI) key of the spec.
      type: str
      sample: cilium
    api_loadbalancer_type:
      description: V(public) or V(internal).
      type: str
      sample: public
    api_loadbalancer_class:
      description: V(network) or V(classic).
      type: str
      sample: network
    network_id:
      description: VPC ID when the cluster uses an existing VPC.
      type: str
      sample: null
    config_base:
      description: Where the cluster lives in the state store.
      type: str
      sample: s3://fleetman-kops-state/fleetman.k8s.local
    kops_object:
      description: The Cluster object exactly as kops stores it, with kops's own camelCase keys.
      type: dict
      sample: {"kind": "Cluster", "apiVersion": "kops.k8s.io/v1alpha2", "metadata": {"name": "fleetman.k8s.local"},
               "spec": {"kubernetesVersion": "1.30.14", "cloudProvider": "aws"}}
instance_groups:
  description: The instance groups of the cluster, flattened.
  returned: always
  type: list
  elements: dict
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
      description: Minimum number of instances.
      type: int
      sample: 1
    max_size:
      description: Maximum number of instances.
      type: int
      sample: 1
    subnets:
      description: Subnet names of the group.
      type: list
      elements: str
      sample: [us-west-2a]
    zones:
      description: Zones listed in the spec (most AWS groups list subnets instead).
      type: list
      elements: str
      sample: []
    image:
      description: Machine image.
      type: str
      sample: 099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20260714
    node_labels:
      description: Kubernetes labels of the nodes.
      type: dict
      sample: {"kops.k8s.io/instancegroup": "nodes-us-west-2a"}
    taints:
      description: Kubernetes taints of the nodes.
      type: list
      elements: str
      sample: []
    kops_object:
      description: The InstanceGroup object exactly as kops stores it, with kops's own camelCase keys.
      type: dict
      sample: {"kind": "InstanceGroup", "metadata": {"name": "nodes-us-west-2a"}, "spec": {"role": "Node", "minSize": 1}}
changes:
  description:
    - What the task did or, in check mode, would do; one sentence per change.
    - Spec edits read C(Kind/name field) followed by the old and the new value.
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
  description: Every kops command line the module ran, as argument lists.
  returned: always
  type: list
  elements: list
  sample: [["/usr/local/bin/kops", "get", "cluster", "fleetman.k8s.local", "-o", "json", "--state", "s3://fleetman-kops-state"]]
kops_version:
  description: Version of the kops binary used.
  returned: always
  type: str
  sample: 1.30.1
update_report:
  description: What the C(update cluster) and C(rolling-update cluster) steps saw and did.
  returned: when O(state=present), except in check mode when the cluster would be created
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

import json
import os
import re

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudops.kops.plugins.module_utils._kops_apply import (
    apply_argument_spec,
    apply_cluster,
    rolling_update_groups_error,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import duration_option, format_go_duration
from ansible_collections.cloudops.kops.plugins.module_utils._kops_kube_context import kube_context_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import (
    HAS_YAML,
    cluster_summary,
    instance_group_summary,
    yaml_documents,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_input import (
    ssh_public_key_error,
    ssh_public_key_text,
    zones_region_error,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import guard_writes, lock_argument_spec, lock_durations, release_lock
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_spec import (
    cluster_name_error,
    compare_cluster,
    ig_name,
    new_cluster_node_groups_error,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_state import (
    get_cluster,
    get_cluster_and_instance_groups,
    get_instance_groups,
    replace_objects,
)

FLAG_NAME = re.compile(r'^[a-z][a-z0-9-]*$')

# Flags the module sets itself (or that would break its contract) and so refuses in extra_create_flags.
MANAGED_FLAGS = frozenset([
    'name', 'state', 'yes', 'y', 'dry-run', 'output', 'o', 'config', 'out', 'target',
    'zones', 'control-plane-zones', 'master-zones', 'control-plane-count', 'master-count',
    'control-plane-size', 'master-size', 'node-count', 'node-size', 'kubernetes-version',
    'networking', 'topology', 't', 'dns', 'dns-zone', 'api-loadbalancer-type', 'ssh-public-key',
    'image', 'cloud-labels', 'network-id', 'subnets', 'utility-subnets',
])

CREATE_FLAGS = (
    # (option, flag, formatter)
    ('zones', 'zones', ','.join),
    ('control_plane_zones', 'control-plane-zones', ','.join),
    ('control_plane_count', 'control-plane-count', str),
    ('control_plane_size', 'control-plane-size', str),
    ('node_count', 'node-count', str),
    ('node_size', 'node-size', str),
    ('kubernetes_version', 'kubernetes-version', str),
    ('networking', 'networking', str),
    ('topology', 'topology', str),
    ('dns', 'dns', str),
    ('dns_zone', 'dns-zone', str),
    ('api_loadbalancer_type', 'api-loadbalancer-type', str),
    ('image', 'image', str),
    ('vpc', 'network-id', str),
    ('subnets', 'subnets', ','.join),
    ('utility_subnets', 'utility-subnets', ','.join),
)


def validate_params(module):
    """Every check that needs no kops call, so bad input fails before anything runs."""
    params = module.params
    error = cluster_name_error(params['name'])
    if error:
        module.fail_json(msg=error)
    if params['state'] == 'absent':
        duration_option(module, 'delete_timeout', positive=True)
        return
    if params['name'].endswith('.k8s.local') and params.get('dns') in ('public', 'private'):
        module.fail_json(msg='A cluster named *.k8s.local has no DNS zone: use dns=none or a name in a Route 53 zone.')
    for option in ('node_count',):
        if params.get(option) is not None and params[option] < 0:
            module.fail_json(msg='%s must be 0 or more, got %d.' % (option, params[option]))
    if params.get('control_plane_count') is not None and params['control_plane_count'] < 1:
        module.fail_json(msg='control_plane_count must be 1 or more, got %d.' % params['control_plane_count'])
    for option in ('zones', 'control_plane_zones', 'subnets', 'utility_subnets'):
        for value in params.get(option) or []:
            if not value or ',' in value or value.startswith('-'):
                module.fail_json(msg='%s contains an invalid entry %r.' % (option, value))
    region = params.get('region') or os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION')
    error = zones_region_error('zones', params.get('zones'), region)
    if not error and params.get('control_plane_zones'):
        error = zones_region_error('zones and control_plane_zones',
                                   list(params.get('zones') or []) + list(params['control_plane_zones']), region)
    if error:
        module.fail_json(msg=error)
    for key, value in (params.get('cloud_labels') or {}).items():
        if any(sep in str(part) for part in (key, value) for sep in (',', '=')) or not str(key):
            module.fail_json(msg='cloud_labels entry %r=%r must not be empty or contain "," or "=".' % (key, value))
    for flag, value in (params.get('extra_create_flags') or {}).items():
        if not FLAG_NAME.match(str(flag)):
            module.fail_json(msg='extra_create_flags key %r is not a kops flag name (write it without dashes, e.g. admin-access).' % flag)
        if flag in MANAGED_FLAGS:
            module.fail_json(msg='extra_create_flags cannot set --%s: use the module option instead.' % flag)
        if isinstance(value, dict):
            module.fail_json(msg='extra_create_flags value for %s must be a string, number, boolean or list.' % flag)
    if params.get('ssh_public_key'):
        error = ssh_public_key_error('ssh_public_key', params['ssh_public_key'])
        if error:
            module.fail_json(msg=error)


def flag_value(value):
    if isinstance(value, (list, tuple)):
        return ','.join(str(item) for item in value)
    return str(value)


def ssh_key_path(module):
    key = module.params.get('ssh_public_key')
    if not key:
        return None
    text, path = ssh_public_key_text(key)
    if path:
        return path
    # kops only reads keys from files.
    path = os.path.join(module.tmpdir, 'kops_cluster_ssh_key.pub')
    with open(path, 'w') as handle:
        handle.write(text + '\n')
    module.add_cleanup_file(path)
    return path


def create_args(module, runner):
    params = module.params
    args = ['create', 'cluster', '--name', params['name']]
    for option, flag, formatter in CREATE_FLAGS:
        value = params.get(option)
        if value is None or value == [] or value == '':
            continue
        name = runner.flag(flag) if flag.startswith('control-plane-') else '--' + flag
        args.append('%s=%s' % (name, formatter(value)))
    if params.get('api_loadbalancer_class') and not params.get('api_loadbalancer_type'):
        # A class only means something with a load balancer; without a type kops may pick DNS for the API.
        args.append('--api-loadbalancer-type=public')
    if params.get('cloud_labels'):
        labels = ','.join('%s=%s' % (k, v) for k, v in sorted(params['cloud_labels'].items()))
        args.append('--cloud-labels=%s' % labels)
    key_path = ssh_key_path(module)
    if key_path:
        args.append('--ssh-public-key=%s' % key_path)
    for flag, value in sorted((params.get('extra_create_flags') or {}).items()):
        if value is True:
            args.append('--%s' % flag)
        elif value is False:
            args.append('--%s=false' % flag)
        else:
            args.append('--%s=%s' % (flag, flag_value(value)))
    return args


def describe(differences):
    return ['%s %s: %s -> %s' % (d['object'], d['field'], d['before'], d['after']) for d in differences]


def snapshot(cluster, igs):
    return {
        'cluster': cluster or {},
        'instance_groups': dict(((ig.get('metadata') or {}).get('name'), ig) for ig in igs or []),
    }


def merge(objects, changed):
    by_key = dict(('%s/%s' % (o.get('kind'), o['metadata']['name']), o) for o in changed)
    return [by_key.get('%s/%s' % (o.get('kind'), o['metadata']['name']), o) for o in objects]


def preview_create(module, runner, result):
    """Check mode for a missing cluster: kops's own dry run shows what would be created."""
    dry = runner.run(create_args(module, runner) + ['--dry-run', '-o', 'yaml'])
    if dry.rc != 0:
        runner.fail('kops create cluster --dry-run failed for %s.' % module.params['name'], dry)
    try:
        docs = yaml_documents(dry.stdout)
    except Exception as exc:  # yaml raises several error types
        runner.fail('Could not parse the kops create --dry-run output: %s' % exc, dry)
    cluster = next((d for d in docs if d.get('kind') == 'Cluster'), {})
    igs = [d for d in docs if d.get('kind') == 'InstanceGroup']
    # Settings kops has no create flag for are applied to the preview as the module would after creating.
    changes = compare_cluster(cluster, igs, module.params)
    cluster = merge([cluster], changes.objects)[0]
    igs = merge(igs, changes.objects)
    result['changes'].append('would run kops create cluster for %s' % module.params['name'])
    result['changes'].extend(describe(changes.differences))
    if module.params['apply']:
        result['changes'].append('would run kops update cluster --yes to create the cloud resources')
    return cluster, igs


def last_applied_version(runner, name):
    """The kops version that last applied the cluster, or None when it was never applied.

    ``kops version --server`` reads ``<cluster>/kops-version.txt``, which only ``update --yes`` writes;
    before that it says "could get cluster version" (sic, kops 1.30 and 1.36).
    """
    result = runner.run(['version', '--server', '--name', name])
    if result.rc != 0:
        runner.fail('kops version --server failed for %s.' % name, result)
    match = re.search(r'Last applied server version:\s*v?(\d+\.\d+\.\d+\S*)', result.stdout)
    return match.group(1) if match else None


def settle_incomplete(module, runner, result, name):
    """A cluster with a configuration but no instance groups: an interrupted ``kops create cluster``.

    kops writes the configuration before the instance groups, and refuses to create a cluster whose
    configuration exists, so every rerun would fail. When it was never applied and AWS holds nothing
    of it, the configuration is removed so the create runs again with the requested settings.
    Returns True when the cluster is (or, in check mode, would be) created from scratch.
    """
    store = runner.state_store
    fix = 'kops delete cluster --name %s --state %s --yes' % (name, store)
    applied = last_applied_version(runner, name)
    if applied:
        module.fail_json(
            msg='Cluster %s has a configuration but no instance groups, and kops %s applied it before, so kops_cluster '
                'will not guess the groups it had. Add them with cloudops.kops.kops_instance_group, or delete the '
                'cluster with: %s' % (name, applied, fix), commands=runner.commands, kops_version=runner.version)
    preview = runner.run_without_kubeconfig(['delete', 'cluster', '--name', name])
    if preview.rc != 0:
        runner.fail('Could not list the cloud resources of the incomplete cluster %s.' % name, preview)
    if 'No cloud resources to delete' not in preview.stdout:
        module.fail_json(
            msg='Cluster %s is incomplete (a configuration without instance groups, never applied), but AWS still holds '
                'resources tagged for it. Remove them and the configuration with: %s, then run the task again.' % (name, fix),
            resources=preview.stdout, commands=runner.commands, kops_version=runner.version)
    if not module.params.get('zones'):
        module.fail_json(
            msg='Cluster %s was left incomplete by an interrupted create (a configuration without instance groups). '
                'Give zones and the other create settings to complete it, or remove it with: %s' % (name, fix),
            commands=runner.commands, kops_version=runner.version)
    result['changed'] = True
    what = ('cluster %s was left incomplete by an interrupted create (a configuration without instance groups, never '
            'applied, no cloud resources): ' % name)
    if module.check_mode:
        result['changes'].append(what + 'would remove that configuration and create the cluster again')
        return True
    deleted = runner.run_without_kubeconfig(['delete', 'cluster', '--name', name, '--yes'])
    if deleted.rc != 0:
        runner.fail('Could not remove the incomplete configuration of cluster %s; run: %s' % (name, fix), deleted)
    result['changes'].append(what + 'removed that configuration to create the cluster again')
    return True


def stored_ssh_keys(runner, name):
    result = runner.run(['get', 'sshpublickeys', '--name', name, '-o', 'json'])
    if result.rc != 0:
        runner.fail('Could not read the SSH public keys of cluster %s.' % name, result)
    try:
        items = json.loads(result.stdout or 'null') or []
    except ValueError as exc:
        runner.fail('Could not parse the SSH public keys kops printed: %s' % exc, result)
    # cmd/kops/get_sshpublickeys.go SSHKeyItem (1.30.1 and 1.36.2): {"id": ..., "publicKey": ...}.
    return [(item.get('publicKey') or '').strip() for item in items]


def ensure_ssh_key(module, runner, result, name):
    """Before the first apply: the requested SSH key must be in the store.

    ``kops create cluster`` stores the key after the configuration and the instance groups; a create
    killed in between leaves a cluster that ``update --yes`` would build with no SSH key at all.
    """
    if not module.params.get('ssh_public_key'):
        return
    stored = stored_ssh_keys(runner, name)
    wanted, dummy = ssh_public_key_text(module.params['ssh_public_key'])
    wanted = ' '.join(wanted.split()[:2])
    if stored:
        if wanted not in [' '.join(key.split()[:2]) for key in stored]:
            module.warn('Cluster %s keeps the SSH public key kops stored when it was created; ssh_public_key is only '
                        'used at creation. Rotate keys with kops create sshpublickey and a rolling update.' % name)
        return
    result['changed'] = True
    if module.check_mode:
        result['changes'].append('would store the SSH public key of cluster %s (missing after an interrupted create)' % name)
        return
    added = runner.run(['create', 'sshpublickey', '--name', name, '-i', ssh_key_path(module)])
    if added.rc != 0:
        runner.fail('Could not store the SSH public key of cluster %s.' % name, added)
    result['changes'].append('stored the SSH public key of cluster %s (missing after an interrupted create)' % name)


def create(module, runner, result, name):
    """``kops create cluster``; on failure, say whether kops left part of the cluster in the store."""
    created_result = runner.run(create_args(module, runner))
    if created_result.rc != 0:
        if get_cluster(runner, name) is not None:
            runner.fail('kops create cluster failed for %s after writing part of the cluster to the state store; '
                        'fix the cause and run the task again, which completes or recreates it.' % name, created_result)
        runner.fail('kops create cluster failed for %s; nothing was written to the state store.' % name, created_result)
    result['changes'].append('ran kops create cluster for %s' % name)
    cluster = get_cluster(runner, name)
    if cluster is None:
        runner.fail('kops create cluster succeeded but cluster %s is not in the state store.' % name, created_result)
    return cluster


def present(module, runner, result):
    params = module.params
    name = params['name']
    # One kops process for the cluster and its groups (kops get all).
    cluster, igs = get_cluster_and_instance_groups(runner, name)
    created = False
    before = snapshot(cluster, igs)

    if igs:
        error = rolling_update_groups_error(params, name, [ig_name(ig) for ig in igs])
        if error:
            module.fail_json(msg=error, commands=runner.commands, kops_version=runner.version)
    recreate = cluster is not None and not igs and settle_incomplete(module, runner, result, name)
    if cluster is None or recreate:
        if not params.get('zones'):
            module.fail_json(msg='zones is required to create cluster %s.' % name, commands=runner.commands)
        error = new_cluster_node_groups_error(params)
        if error:
            module.fail_json(msg=error, commands=runner.commands, kops_version=runner.version)
        result['changed'] = True
        if module.check_mode:
            if recreate:
                # kops refuses a dry-run create while the incomplete configuration exists.
                result.update(cluster=cluster, instance_groups=[])
                return
            cluster, igs = preview_create(module, runner, result)
            result.update(cluster=cluster, instance_groups=[instance_group_summary(ig) for ig in igs])
            if module._diff:
                result['diff'] = dict(before=before, after=snapshot(cluster, igs))
            return
        cluster = create(module, runner, result, name)
        created = True
        igs = get_instance_groups(runner, name)

    changes = compare_cluster(cluster, igs, params)
    if changes.conflicts:
        module.fail_json(msg=' '.join(changes.conflicts), conflicts=changes.conflicts,
                         commands=runner.commands, kops_version=runner.version)
    if changes.changed:
        result['changed'] = True
        result['differences'] = changes.differences
        result['changes'].extend(describe(changes.differences))
        if not module.check_mode:
            replace_objects(runner, changes.objects, what='cluster %s' % name)
        cluster = merge([cluster], changes.objects)[0]
        igs = merge(igs, changes.objects)

    applied, apply_changes, report = apply_cluster(
        runner, name, params, module.check_mode, spec_changed=changes.changed or created, new_cluster=created,
        before_update=None if created else (lambda: ensure_ssh_key(module, runner, result, name)))
    result['changed'] = result['changed'] or applied
    result['changes'].extend(apply_changes)
    result['update_report'] = report

    if result['changed'] and not module.check_mode:
        # Read back what kops stored, not what we sent.
        stored, igs = get_cluster_and_instance_groups(runner, name)
        cluster = stored or cluster
    result.update(cluster=cluster, instance_groups=[instance_group_summary(ig) for ig in igs])
    if module._diff:
        result['diff'] = dict(before=before, after=snapshot(cluster, igs))


def absent(module, runner, result):
    name = module.params['name']
    cluster, igs = get_cluster_and_instance_groups(runner, name)
    if cluster is None:
        return
    result['changed'] = True
    if module._diff:
        result['diff'] = dict(before=snapshot(cluster, igs), after=snapshot(None, None))
    if module.check_mode:
        result['changes'].append('would run kops delete cluster --yes for %s' % name)
        return
    deleted = runner.run_without_kubeconfig(
        ['delete', 'cluster', '--name', name, '--yes',
         '--wait=%s' % format_go_duration(duration_option(module, 'delete_timeout', positive=True))])
    if deleted.rc != 0:
        runner.fail('kops delete cluster failed for %s; cloud resources or the state store entry may remain.' % name, deleted)
    if get_cluster(runner, name) is not None:
        runner.fail('kops delete cluster exited 0 but cluster %s is still in the state store.' % name, deleted)
    result['changes'].append('ran kops delete cluster --yes for %s' % name)


def main():
    argument_spec = kops_argument_spec(name_required=True)
    argument_spec.update(apply_argument_spec())
    argument_spec.update(kube_context_argument_spec())
    argument_spec.update(lock_argument_spec())
    argument_spec.update(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        zones=dict(type='list', elements='str'),
        control_plane_zones=dict(type='list', elements='str'),
        control_plane_count=dict(type='int'),
        control_plane_size=dict(type='str'),
        node_count=dict(type='int'),
        node_size=dict(type='str'),
        node_instance_groups=dict(type='list', elements='str'),
        kubernetes_version=dict(type='str'),
        networking=dict(type='str'),
        topology=dict(type='str', choices=['public', 'private']),
        dns=dict(type='str', choices=['public', 'private', 'none']),
        dns_zone=dict(type='str'),
        api_loadbalancer_type=dict(type='str', choices=['public', 'internal']),
        api_loadbalancer_class=dict(type='str', choices=['network', 'classic']),
        ssh_public_key=dict(type='path', no_log=False),
        image=dict(type='str'),
        cloud_labels=dict(type='dict', aliases=['tags']),
        purge_tags=dict(type='bool', default=True),
        vpc=dict(type='str', aliases=['network_id']),
        subnets=dict(type='list', elements='str'),
        utility_subnets=dict(type='list', elements='str'),
        extra_create_flags=dict(type='dict', default={}),
        delete_timeout=dict(type='raw', default='10m'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib('PyYAML'))
    validate_params(module)
    lock_durations(module)

    runner = KopsRunner(module)
    result = dict(changed=False, cluster={}, instance_groups=[], changes=[], differences=[],
                  commands=runner.commands, kops_version=runner.version)
    lock = guard_writes(module, runner, module.params['name'], 'kops_cluster state=%s' % module.params['state'])
    try:
        if module.params['state'] == 'present':
            present(module, runner, result)
        else:
            absent(module, runner, result)
    finally:
        release_lock(module, lock)
    # One casing with kops_cluster_info: a snake_case summary, kops's own object under kops_object.
    result['cluster'] = cluster_summary(result['cluster']) if result.get('cluster') else {}
    module.exit_json(**result)


if __name__ == '__main__':
    main()
