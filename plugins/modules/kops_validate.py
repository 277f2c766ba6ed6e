#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kops_validate
short_description: Wait until a kops cluster passes C(kops validate cluster)
version_added: 0.1.0
description:
  - Runs C(kops validate cluster --name NAME -o json) until the cluster is healthy, then returns its nodes and
    instance groups.
  - Each attempt is one C(kops validate cluster) run without C(--wait), so every attempt is judged on its own.
    An unhealthy cluster (nodes not ready, pods pending) and the errors a new cluster shows while its API comes
    up (C(error listing nodes), connection refused, EOF, i/o timeout, no such host, TLS handshake timeout,
    Unauthorized) are retried every O(poll_interval) until O(timeout).
  - Errors that waiting cannot fix fail at once, for example a cluster missing from the state store, a missing
    state store bucket, bad AWS credentials or a kubeconfig that cannot be loaded.
  - When O(timeout) runs out the module fails and still returns the last result it saw, so the failure shows
    which nodes and pods were not ready.
  - Read-only. The module never changes the cluster and runs in check mode too.
author:
  - cloudops.kops maintainers (@cloudops)
options:
  name:
    required: true
  timeout:
    description:
      - How long to keep trying, as a duration such as V(15m), V(900s), V(1h30m) or a number of seconds such as V(900).
      - No attempt starts later than O(timeout) after the first one.
      - V(0) validates exactly once.
      - Must be at least O(poll_interval) unless it is V(0), and long enough for O(success_count) attempts.
    type: str
    default: 15m
  poll_interval:
    description:
      - Time between the start of two attempts, as a duration such as V(10s) or a number of seconds.
    type: str
    default: 10s
  success_count:
    description:
      - How many consecutive attempts must pass, O(poll_interval) apart, before the cluster counts as healthy.
      - Raise it to ride out a cluster that passes once and then flaps.
    type: int
    default: 1
  kubeconfig:
    description:
      - Path of the kubeconfig file whose context (named after the cluster) kops uses to reach the API.
      - kops 1.30 always validates through a kubeconfig context; this option becomes its C(--kubeconfig) flag.
        Without it kops 1.30 reads E(KUBECONFIG) or C(~/.kube/config).
      - kops 1.31 and later ignore the kubeconfig and build their own admin credential from the state store. With
        O(use_kubeconfig=true) (kops 1.34 or later) the file is used again, passed to kops as E(KUBECONFIG);
        otherwise the module warns that it is ignored.
    type: path
  use_kubeconfig:
    description:
      - Validate through the kubeconfig context named after the cluster instead of the admin credential that
        kops 1.31 and later build themselves (C(--use-kubeconfig), kops 1.34 or later).
      - Useful when the API is only reachable through an address the kubeconfig knows.
      - kops 1.30 always uses the kubeconfig, so the option changes nothing there. On kops 1.31 to 1.33 the
        module fails, because those versions cannot do it.
      - Mutually exclusive with O(api_server).
    type: bool
    default: false
  api_server:
    description:
      - The API server URL to validate against instead of the one kops infers (C(--api-server)), for example a
        private endpoint reached through a bastion or VPN.
      - Needs kops 1.33 or later. With kops 1.30 the module fails before running any validation; use a kubeconfig
        whose context points at that address with O(kubeconfig) instead.
    type: str
extends_documentation_fragment:
  - cloudops.kops._kops
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - The module first reads the cluster's instance groups with C(kops get instancegroups), which also proves the
    cluster exists before any waiting starts.
  - kops prints the validation result and then exits 1 when the cluster is unhealthy; the module reads that
    result whatever the exit code.
seealso:
  - name: kops validate cluster
    description: The kops command this module runs.
    link: https://kops.sigs.k8s.io/cli/kops_validate_cluster/
  - module: cloudops.kops.kops_kubecfg
"""

EXAMPLES = r"""
- name: Wait up to 20 minutes for a new cluster to become healthy
  cloudops.kops.kops_validate:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    timeout: 20m

- name: Require three healthy results in a row, 30 seconds apart
  cloudops.kops.kops_validate:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    poll_interval: 30s
    success_count: 3

- name: Check once, without waiting, and carry on if the cluster is unhealthy
  cloudops.kops.kops_validate:
    name: fleetman.k8s.local
    timeout: 0
  register: health
  ignore_errors: true

- name: Show what was not ready
  ansible.builtin.debug:
    msg: "{{ health.failures | map(attribute='message') | list }}"
  when: health is failed

- name: Validate a cluster with a private API through its kubeconfig context (kops 1.34 or later)
  cloudops.kops.kops_validate:
    name: private.example.com
    use_kubeconfig: true
    kubeconfig: ~/.kube/private.yaml
"""

RETURN = r"""
valid:
  description: Whether the cluster passed validation O(success_count) times in a row. V(false) only on failure.
  returned: always
  type: bool
  sample: true
nodes:
  description:
    - The nodes kops saw in the last attempt that printed a result.
    - Empty when no attempt reached the Kubernetes API.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node name.
      type: str
      sample: i-0f98077c03dcaa4c8
    role:
      description: V(control-plane), V(node) or V(apiserver).
      type: str
      sample: node
    ready:
      description: Whether the node's Ready condition is true.
      type: bool
      sample: true
    zone:
      description: Availability zone of the node.
      type: str
      sample: us-west-2b
    hostname:
      description: The node's hostname.
      type: str
      sample: i-0f98077c03dcaa4c8
failures:
  description:
    - What kept the cluster from passing in the last attempt that printed a result. Empty when it passed.
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description: What failed, as kops names it, for example V(Node), V(Machine), V(Pod), V(InstanceGroup) or V(dns).
      type: str
      sample: Node
    name:
      description: The failing object, for example an instance ID or C(namespace/pod).
      type: str
      sample: kube-system/coredns-5d8f7b8d9c-abcde
    message:
      description: kops's description of the failure.
      type: str
      sample: node "i-b39b5c8c509377b28" of role "node" is not ready
    instance_group:
      description: The instance group the failure belongs to; V(null) for cluster-wide pods.
      type: str
      sample: nodes-us-west-2a
instance_groups:
  description: The cluster's instance groups as read from the state store.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Instance group name.
      type: str
      sample: nodes-us-west-2a
    role:
      description: V(control-plane), V(node) or V(bastion).
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
      description: Subnets the group runs in.
      type: list
      elements: str
      sample: [us-west-2a]
    zones:
      description: Zones set on the group, if any.
      type: list
      elements: str
      sample: []
    image:
      description: Machine image.
      type: str
      sample: 099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260714
attempts:
  description: How many times C(kops validate cluster) ran.
  returned: always
  type: int
  sample: 4
elapsed:
  description: Seconds from the start of the first attempt to the end of the last.
  returned: always
  type: float
  sample: 31.2
last_error:
  description: The error kops printed in the last attempt when that attempt printed no result, for example while
    the API is still unreachable.
  returned: when the last attempt printed no validation result
  type: str
  sample: 'validation failed: unexpected error during validation: error listing nodes: ...'
kops_version:
  description: Version of the kops binary that ran.
  returned: always
  type: str
  sample: 1.36.2
command:
  description: The argument list of the last C(kops validate cluster) run.
  returned: always
  type: list
  elements: str
  sample: [kops, validate, cluster, --name, fleetman.k8s.local, -o, json, --state, s3://fleetman-kops-state]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import NOT_FOUND
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import (
    as_list,
    instance_group_summary,
    json_documents,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import (
    error_line,
    judge,
    validate_command,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_waiter import (
    ABORTED,
    DONE,
    Waiter,
    duration_option,
    format_duration,
)


def check_timing(module):
    """Durations in seconds; every bad value fails here, before kops runs."""
    params = module.params
    timeout = duration_option(module, 'timeout')
    interval = duration_option(module, 'poll_interval')
    if interval <= 0:
        module.fail_json(msg='poll_interval must be longer than 0.')
    if params['success_count'] < 1:
        module.fail_json(msg='success_count must be 1 or more, got %d.' % params['success_count'])
    if timeout and timeout < interval:
        module.fail_json(msg='timeout (%s) is shorter than poll_interval (%s); use timeout=0 to validate once.'
                         % (format_duration(timeout), format_duration(interval)))
    needed = (params['success_count'] - 1) * interval
    if needed > timeout:
        module.fail_json(msg='success_count=%d needs a timeout of at least %s with poll_interval=%s.'
                         % (params['success_count'], format_duration(needed), format_duration(interval)))
    return timeout, interval


def read_instance_groups(runner, name):
    result = runner.run(['get', 'instancegroups', '--name', name, '-o', 'json'])
    if result.rc != 0:
        if result.error_kind == NOT_FOUND:
            runner.fail('Cluster %s was not found in the state store %s.' % (name, runner.state_store), result)
        runner.fail('Could not read the instance groups of cluster %s.' % name, result)
    try:
        documents = json_documents(result.stdout)
    except ValueError as exc:
        runner.fail('kops printed instance groups that could not be parsed: %s' % exc, result)
    groups = as_list(documents[0]) if documents else []
    summaries = []
    for group in groups:
        summary = instance_group_summary(group)
        summaries.append(dict((key, summary[key]) for key in (
            'name', 'role', 'machine_type', 'min_size', 'max_size', 'subnets', 'zones', 'image')))
    return summaries


def main():
    argument_spec = kops_argument_spec(name_required=True)
    argument_spec.update(
        timeout=dict(type='str', default='15m'),
        poll_interval=dict(type='str', default='10s'),
        success_count=dict(type='int', default=1),
        kubeconfig=dict(type='path'),
        use_kubeconfig=dict(type='bool', default=False),
        api_server=dict(type='str'),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[('api_server', 'use_kubeconfig')],
        supports_check_mode=True,
    )
    params = module.params
    name = params['name']
    timeout, interval = check_timing(module)

    runner = KopsRunner(module)
    try:
        command = validate_command(name, runner.version_info, kubeconfig=params['kubeconfig'],
                                   use_kubeconfig=params['use_kubeconfig'], api_server=params['api_server'])
    except ValueError as exc:
        module.fail_json(msg=str(exc), kops_version=runner.version)
    for warning in command.warnings:
        module.warn(warning)
    module.run_command_environ_update.update(command.environ)

    instance_groups = read_instance_groups(runner, name)

    # The newest printed result is kept apart from the last attempt: when the API drops
    # out at the end, the nodes seen before that are still the best picture of the cluster.
    seen = {'report': None, 'attempt': None}

    def probe():
        verdict, attempt = judge(runner.run(command.args))
        seen['attempt'] = attempt
        if attempt.report is not None:
            seen['report'] = attempt.report
        return verdict, attempt

    outcome = Waiter(timeout, interval, params['success_count']).wait(probe)
    last = seen['attempt']
    report = seen['report'] or {'nodes': [], 'failures': []}
    result = dict(
        changed=False,
        valid=outcome.status == DONE,
        nodes=report['nodes'],
        failures=report['failures'] if outcome.status != DONE else [],
        instance_groups=instance_groups,
        attempts=outcome.attempts,
        elapsed=round(outcome.elapsed, 1),
        kops_version=runner.version,
        command=last.result.command,
    )
    if last.report is None:
        result['last_error'] = error_line(last.result)

    if outcome.status == DONE:
        module.exit_json(**result)
    if outcome.status == ABORTED:
        runner.fail('Validation of cluster %s failed and waiting would not help:' % name, last.result,
                    **dict((k, v) for k, v in result.items() if k != 'command'))
    if last.report is not None and report['failures']:
        detail = '%d problem(s) left: %s' % (len(report['failures']), '; '.join(
            failure['message'] or failure['name'] or '' for failure in report['failures']))
    elif last.report is not None:
        detail = 'kops did not report the cluster healthy'
    else:
        detail = 'the last attempt failed with: %s' % result['last_error']
    if params['success_count'] > 1 and outcome.streak:
        detail += ' (it passed %d of %d consecutive times)' % (outcome.streak, params['success_count'])
    module.fail_json(
        msg='Cluster %s did not pass validation within %s (%d attempt(s)); %s.'
            % (name, format_duration(timeout), outcome.attempts, detail),
        **result)


if __name__ == '__main__':
    main()
