#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: kops_cluster_info
short_description: List kops clusters and their instance groups
version_added: 0.1.0
description:
  - Reads the clusters of a kops state store (all of them, or the one named by O(name)) with their instance groups.
  - Read-only; an empty state store gives an empty list, a missing or unreadable state store is an error.
  - With O(read_state_store_objects), it also lists every object version and delete marker of the state store's S3
    bucket and says which cluster each key belongs to, for example to decide whether a bucket holds anything but one
    cluster before deleting it. amazon.aws has no module that lists object versions.
author:
  - cloudops.kops maintainers (@cloudops)
extends_documentation_fragment:
  - cloudops.kops._kops
  - cloudops.kops._aws_connection
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
      - The module only reads.
  diff_mode:
    support: N/A
    details:
      - The module only reads.
  idempotent:
    support: full
    details:
      - The module never changes anything.
  platform:
    platforms: posix
options:
  name:
    description:
      - Only this cluster. Without it, every cluster in the state store.
      - A named cluster that does not exist gives an empty list, not an error.
  read_instance_groups:
    description:
      - Whether to read the instance groups of each cluster (one more kops call per cluster), as
        O(cloudops.kops.kops_validate#module:read_instance_groups) does.
    type: bool
    default: true
  read_state_store_objects:
    description:
      - Whether to list every key of the state store's S3 bucket with its versions and delete markers
        (C(ListObjectVersions), one request per thousand versions), returned as RV(state_store_objects).
      - The whole bucket is listed, other prefixes included. A versioned bucket keeps the earlier versions and the
        delete markers of deleted objects; a plain listing does not show them, and deleting the bucket deletes them.
      - Needs an C(s3://) state store and boto3; fails before any kops call otherwise.
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression applied to the result (a dict with the key C(clusters), and C(state_store_objects) with
        O(read_state_store_objects)); its value is returned as RV(query_result).
      - Needs the Python C(jmespath) library on the host that runs the module.
    type: str
requirements:
  - jmespath (only for O(query))
  - boto3 and botocore (only for O(read_state_store_objects))
seealso:
  - module: cloudops.kops.kops_cluster
'''

EXAMPLES = r'''
- name: Every cluster in the state store
  cloudops.kops.kops_cluster_info:
    state_store: s3://fleetman-kops-state
  register: kops_clusters

- name: One cluster, with its instance groups
  cloudops.kops.kops_cluster_info:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
  register: fleetman

- name: Names and sizes of the node groups
  cloudops.kops.kops_cluster_info:
    name: fleetman.k8s.local
    query: "clusters[0].instance_groups[?role=='node'].{name: name, min: min_size, max: max_size}"
  register: node_groups

- name: Fail if the cluster is missing
  ansible.builtin.assert:
    that: fleetman.clusters | length == 1

- name: Everything in the state store bucket, earlier versions included
  cloudops.kops.kops_cluster_info:
    state_store: s3://fleetman-kops-state
    read_instance_groups: false
    read_state_store_objects: true
  register: store

- name: Keys of anything but fleetman.k8s.local, deleted ones included
  ansible.builtin.debug:
    msg: "{{ store.state_store_objects | rejectattr('cluster', 'equalto', 'fleetman.k8s.local') | map(attribute='key') }}"
'''

RETURN = r'''
clusters:
  description: One entry per cluster, sorted by name.
  returned: always
  type: list
  elements: dict
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
      description:
        - The Cluster object exactly as kops stores it (C(apiVersion), C(kind), C(metadata), C(spec)), with kops's
          own camelCase keys. Every other key of the entry is a snake_case summary of it.
      type: dict
      sample: {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "fleetman.k8s.local"},
               "spec": {"cloudProvider": "aws", "kubernetesVersion": "1.30.14"}}
    instance_groups:
      description: The instance groups (empty when O(read_instance_groups=false)).
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
          description: Minimum size.
          type: int
          sample: 1
        max_size:
          description: Maximum size.
          type: int
          sample: 1
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
          sample: {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup", "metadata": {"name": "nodes-us-west-2a"},
                   "spec": {"role": "Node", "minSize": 1, "maxSize": 1}}
state_store_objects:
  description:
    - One entry per key of the state store's bucket that has a version or a delete marker, sorted by key.
  returned: when O(read_state_store_objects=true)
  type: list
  elements: dict
  contains:
    key:
      description: The object key.
      type: str
      sample: fleetman.k8s.local/config
    cluster:
      description:
        - The cluster the key belongs to, from its place in the state store. kops keeps a cluster under
          C(<store>/<cluster>/); cloudops.kops keeps its node key pair under C(<store>/cloudops-keys/<cluster>/)
          and its lock at C(<store>/cloudops-locks/<cluster>.json).
        - V(null) for a key outside the state store's prefix or not under a cluster's directory.
        - The directory name is read as kops lays clusters out, not checked against the clusters kops lists, so a
          deleted cluster's earlier versions still name it.
      type: str
      sample: fleetman.k8s.local
    versions:
      description: How many versions of the key the bucket holds (V(1) in a bucket that was never versioned).
      type: int
      sample: 3
    delete_markers:
      description: How many delete markers the key has.
      type: int
      sample: 1
    current:
      description: Whether the key's latest version is an object (V(false) when it was deleted and only earlier
        versions and delete markers remain).
      type: bool
      sample: true
query_result:
  description: The value O(query) selected.
  returned: when O(query) is set
  type: raw
  sample: [{"name": "nodes-us-west-2a", "min": 1, "max": 1}]
commands:
  description: Every kops command line the module ran.
  returned: always
  type: list
  elements: list
  sample: [["/usr/local/bin/kops", "get", "clusters", "-o", "json", "--state", "s3://fleetman-kops-state"]]
kops_version:
  description: Version of the kops binary used.
  returned: always
  type: str
  sample: 1.36.2
'''

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudops.kops.plugins.module_utils._aws_connection import boto3_clients
from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import split_store
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import cluster_summary, instance_group_summary
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_state import (
    get_cluster,
    get_instance_groups,
    list_clusters,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_state_store_objects import read_state_store_objects

try:
    # boto3 itself is imported only when the bucket is listed (boto3_clients). botocore.exceptions is cheap.
    import botocore.exceptions
    HAS_BOTOCORE = True
    BOTOCORE_IMPORT_ERROR = None
except ImportError:
    HAS_BOTOCORE = False
    BOTOCORE_IMPORT_ERROR = traceback.format_exc()

try:
    import jmespath
    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None
except ImportError:
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = traceback.format_exc()


def main():
    argument_spec = kops_argument_spec(name_required=False)
    argument_spec.update(
        read_instance_groups=dict(type='bool', default=True),
        read_state_store_objects=dict(type='bool', default=False),
        query=dict(type='str'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    compiled = None
    if params.get('query'):
        if not HAS_JMESPATH:
            module.fail_json(msg=missing_required_lib('jmespath'), exception=JMESPATH_IMPORT_ERROR)
        try:
            compiled = jmespath.compile(params['query'])
        except jmespath.exceptions.JMESPathError as exc:
            module.fail_json(msg='query is not a valid JMESPath expression: %s' % exc)

    runner = KopsRunner(module)
    if params['read_state_store_objects']:
        if split_store(runner.state_store) is None:
            module.fail_json(msg='read_state_store_objects=true needs an S3 state store (s3://bucket[/prefix]), not %s.'
                                 % runner.state_store)
        if not HAS_BOTOCORE:
            module.fail_json(msg=missing_required_lib('boto3 and botocore'), exception=BOTOCORE_IMPORT_ERROR)
    kops_version = runner.version
    if params.get('name'):
        cluster = get_cluster(runner, params['name'])
        objects = [cluster] if cluster else []
    else:
        objects = list_clusters(runner)

    clusters = []
    for obj in sorted(objects, key=lambda o: (o.get('metadata') or {}).get('name') or ''):
        entry = cluster_summary(obj)
        entry['instance_groups'] = []
        if params['read_instance_groups']:
            igs = get_instance_groups(runner, entry['name'])
            entry['instance_groups'] = [instance_group_summary(ig) for ig in sorted(
                igs, key=lambda ig: (ig.get('metadata') or {}).get('name') or '')]
        clusters.append(entry)

    result = dict(changed=False, clusters=clusters, commands=runner.commands, kops_version=kops_version)
    if params['read_state_store_objects']:
        try:
            result['state_store_objects'] = read_state_store_objects(boto3_clients(params, 's3')[0], runner.state_store)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            module.fail_json(msg='Could not list the object versions of the state store bucket of %s: %s'
                                 % (runner.state_store, exc), commands=runner.commands)
    if compiled is not None:
        result['query_result'] = compiled.search(
            dict((key, result[key]) for key in ('clusters', 'state_store_objects') if key in result))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
