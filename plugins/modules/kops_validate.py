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
  - The first check is a single C(kops validate cluster) run. A healthy cluster ends the task there; otherwise,
    O(wait_sleep) later, kops itself waits (C(--wait) with the time left of O(wait_timeout), C(--interval) set to
    O(wait_sleep), C(--count) set to the passes still needed of O(success_count)), so the module returns as soon as kops's own
    C(validate --wait) would, and never polls less often than every O(wait_sleep).
  - An unhealthy cluster (nodes not ready, pods pending) and the errors a new cluster shows while its API comes
    up (C(error listing nodes), connection refused, EOF, i/o timeout, no such host, TLS handshake timeout,
    Unauthorized) are retried until O(wait_timeout).
  - Errors that waiting cannot fix fail at once, for example a cluster missing from the state store, a missing
    state store bucket, bad AWS credentials or a kubeconfig that cannot be loaded. kops retries every error it
    meets while it waits; the module hands it the wait in rounds of at most 5 minutes (or five O(wait_sleep),
    if longer), so such an error that first appears during the wait ends it at the end of its round.
  - When O(wait_timeout) runs out the module fails and still returns the last result it saw, so the failure shows
    which nodes and pods were not ready.
  - Read-only. The module never changes the cluster and runs in check mode too.
author:
  - cloudops.kops maintainers (@cloudops)
options:
  name:
    required: true
  wait:
    description:
      - Whether to wait for the cluster to pass. With V(false) the cluster is validated exactly once, as with
        O(wait_timeout=0).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to keep trying, a duration (see Notes), for example V(15m) or V(900).
      - No attempt starts later than O(wait_timeout) after the first one.
      - V(0) or V('') validates exactly once.
      - Must be at least O(wait_sleep) unless it is zero, and long enough for O(success_count) attempts.
    type: raw
    default: 15m
    aliases: [timeout]
  wait_sleep:
    description:
      - Time between the start of two attempts, a duration (see Notes) longer than zero, for example V(10s) or V(10).
    type: raw
    default: 10s
    aliases: [poll_interval]
  success_count:
    description:
      - How many consecutive attempts must pass, O(wait_sleep) apart, before the cluster counts as healthy.
      - Raise it to ride out a cluster that passes once and then flaps.
      - Above 1, a pass at the first check counts; kops's own wait (C(--count)) is asked for the passes still needed.
    type: int
    default: 1
  read_instance_groups:
    description:
      - Read the cluster's instance groups (C(kops get instancegroups)) before validating, and return them in
        RV(instance_groups).
      - V(false) saves that kops run when the caller already has them, for example from M(cloudops.kops.kops_cluster);
        RV(instance_groups) is then empty, and a cluster missing from the state store fails at the first check.
    type: bool
    default: true
  kubeconfig:
    description:
      - Path of the kubeconfig file to validate through.
      - kops 1.30 always validates through a kubeconfig context; this option becomes its C(--kubeconfig) flag.
        Without it kops reads E(KUBECONFIG) or C(~/.kube/config).
      - kops 1.31 and later build their own admin credential from the state store unless told to use the
        kubeconfig (C(--use-kubeconfig), kops 1.34 or later). Setting this option tells them to, unless
        O(use_kubeconfig=false) or O(api_server) is set; on kops 1.31 to 1.33 the module then warns that the file is ignored.
    type: path
  context:
    description:
      - The kubeconfig context to validate through, in O(kubeconfig) or else the files of E(KUBECONFIG) or
        C(~/.kube/config).
      - kops itself always uses the context named after the cluster (the one C(kops export kubecfg) and
        M(cloudops.kops.kops_kubecfg) write). For another context the module gives kops a private temporary
        kubeconfig, first on E(KUBECONFIG), whose context named after the cluster points at the cluster and user
        entries of O(context); the user's files are not changed.
      - Works with kops 1.30 and with kops 1.34 or later (C(--use-kubeconfig), implied). On kops 1.31 to 1.33 the
        module fails before validating, because those versions cannot use a kubeconfig context.
      - The module fails before running kops when no kubeconfig file defines O(context).
      - Mutually exclusive with O(api_server).
    type: str
  use_kubeconfig:
    description:
      - Validate through the kubeconfig context named after the cluster instead of the admin credential that
        kops 1.31 and later build themselves (C(--use-kubeconfig), kops 1.34 or later).
      - Useful when the API is only reachable through an address the kubeconfig knows.
      - When not set, it is V(true) if O(kubeconfig) or O(context) is set and O(api_server) is not.
      - kops 1.30 always uses the kubeconfig, so the option changes nothing there. On kops 1.31 to 1.33 V(true)
        fails, because those versions cannot do it.
      - Mutually exclusive with O(api_server).
    type: bool
  api_server:
    description:
      - The API server URL to validate against instead of the one kops infers (C(--api-server)), for example a
        private endpoint reached through a bastion or VPN.
      - Needs kops 1.33 or later. With kops 1.30 the module fails before running any validation; use a kubeconfig
        whose context points at that address with O(kubeconfig) and O(context) instead.
    type: str
extends_documentation_fragment:
  - cloudops.kops._kops
  - cloudops.kops._aws_connection
  - cloudops.kops._duration
  - cloudops.kops._attributes.IDEMPOTENT
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  action_group:
    support: full
    membership: [cloudops.kops.kops]
  check_mode:
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: N/A
    details: The module only reads.
  idempotent:
    support: full
    details: The module never changes anything.
  platform:
    platforms: posix
notes:
  - The module first reads the cluster's instance groups with C(kops get instancegroups) (unless
    O(read_instance_groups=false)), which also proves the cluster exists before any waiting starts.
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
    wait_timeout: 20m

- name: Require three healthy results in a row, 30 seconds apart
  cloudops.kops.kops_validate:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    wait_sleep: 30s
    success_count: 3

- name: Check once, without waiting, and carry on if the cluster is unhealthy
  cloudops.kops.kops_validate:
    name: fleetman.k8s.local
    wait: false
  register: health
  ignore_errors: true

- name: Show what was not ready
  ansible.builtin.debug:
    msg: "{{ health.failures | map(attribute='message') | list }}"
  when: health is failed

- name: Validate a cluster with a private API through its kubeconfig context (kops 1.30, or 1.34 or later)
  cloudops.kops.kops_validate:
    name: private.example.com
    kubeconfig: ~/.kube/private.yaml

- name: Validate through another context of that file, for example one that goes through a proxy
  cloudops.kops.kops_validate:
    name: private.example.com
    kubeconfig: ~/.kube/private.yaml
    context: private-via-proxy
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
  description: The cluster's instance groups as read from the state store; empty with O(read_instance_groups=false).
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
  description: How many validation attempts ran, counting each poll of kops's own wait.
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
cmd:
  description: The argument list of the last C(kops validate cluster) run (with C(--wait) when kops waited).
  returned: always
  type: list
  elements: str
  sample: [kops, validate, cluster, --name, fleetman.k8s.local, -o, json, --state, s3://fleetman-kops-state]
commands:
  description: Every kops command line the module ran, as argument lists, in the order they ran.
  returned: always
  type: list
  elements: list
  sample: [[kops, version, --short]]
"""

from ansible.module_utils.basic import AnsibleModule

import json
import os
from collections import namedtuple

from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import duration_option, format_go_duration
from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import NOT_FOUND
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import (
    as_list,
    instance_group_summary,
    json_documents,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import (
    context_overlay,
    hopeless,
    judge,
    judge_wait,
    kubeconfig_paths,
    last_try_error,
    validate_command,
    wait_args,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_waiter import (
    ABORTED,
    DONE,
    FATAL,
    SUCCESS,
    TIMEOUT,
    Waiter,
)


def check_timing(module):
    """Durations in seconds; every bad value fails here, before kops runs."""
    params = module.params
    timeout = duration_option(module, 'wait_timeout')
    if not params['wait']:
        timeout = 0.0
    interval = duration_option(module, 'wait_sleep', positive=True)
    if params['success_count'] < 1:
        module.fail_json(msg='success_count must be 1 or more, got %d.' % params['success_count'])
    if timeout and timeout < interval:
        module.fail_json(msg='wait_timeout (%s) is shorter than wait_sleep (%s); use wait=false or wait_timeout=0 '
                             'to validate once.' % (format_go_duration(timeout), format_go_duration(interval)))
    if not params['wait'] and params['success_count'] > 1:
        module.fail_json(msg='success_count=%d needs wait=true: with wait=false the cluster is validated once.'
                         % params['success_count'])
    needed = (params['success_count'] - 1) * interval
    if needed > timeout:
        module.fail_json(msg='success_count=%d needs a wait_timeout of at least %s with wait_sleep=%s.'
                         % (params['success_count'], format_go_duration(needed), format_go_duration(interval)))
    return timeout, interval


def write_overlay(module, name):
    """The private kubeconfig that maps the cluster's context name to O(context), or None when not needed."""
    params = module.params
    context = params.get('context')
    if not context or context == name:
        return None
    try:
        overlay = context_overlay(name, context, kubeconfig_paths(params.get('kubeconfig')))
    except ValueError as exc:
        module.fail_json(msg='context: %s.' % exc)
    path = os.path.join(module.tmpdir, 'kops-validate-kubeconfig.json')
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w') as handle:
        json.dump(overlay, handle)
    module.add_cleanup_file(path)
    return path


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


# kops waits in rounds of at most this long (or five polls, if longer), so an error kops would retry
# but waiting cannot fix (by the module's rules) ends the wait within a round.
ROUND_SECONDS = 300.0

WaitResult = namedtuple('WaitResult', 'status attempt report attempts elapsed streak hopeless')


def wait_for_cluster(runner, args, timeout, interval, count, waiter, meanwhile=None):
    """Validate once; then, while the budget lasts, let kops wait (``--wait``, ``--interval``, ``--count``).

    The first check is a single attempt, so a healthy cluster costs one kops run and an error that
    waiting cannot fix fails at once. After it, kops polls every ``interval`` and returns as soon as
    the cluster passed ``count`` times in a row, as ``kops validate cluster --wait`` does. Errors kops
    does not retry (it fails before its loop) follow the module's rules: transient ones are tried again
    ``interval`` later, others end the wait. No attempt starts after ``timeout``.

    Attempts start ``interval`` apart (``wait_sleep``'s meaning), so the kops start-up of each run and
    anything done in a pause come out of the pause: after the first check, the next starts ``interval``
    after it started. After a kops wait that has to be followed by more passes, the last attempt inside
    it started at an unknown time: the pause runs from that run's end. ``meanwhile`` (a callable) runs
    once, in the first pause.
    """
    start = waiter.now()
    deadline = start + timeout
    seen = {'report': None}

    def outcome(status, attempt, attempts, streak, hopeless=None):
        return WaitResult(status, attempt, seen['report'], attempts, waiter.now() - start, streak, hopeless)

    anchor = start
    verdict, attempt = judge(runner.run(args))
    if attempt.report is not None:
        seen['report'] = attempt.report
    attempts = 1
    streak = 1 if verdict == SUCCESS else 0
    if verdict == FATAL:
        return outcome(ABORTED, attempt, attempts, streak)
    if streak >= count:
        return outcome(DONE, attempt, attempts, streak)
    slept = False
    while True:
        if not slept:
            if anchor + interval > deadline:
                return outcome(TIMEOUT, attempt, attempts, streak)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            waiter.pause(max(0.0, anchor + interval - waiter.now()))
        remaining = deadline - waiter.now()
        if remaining < 0.001:
            return outcome(TIMEOUT, attempt, attempts, streak)
        budget = min(remaining, max(ROUND_SECONDS, 5 * interval))
        # kops counts the passes still needed: a streak begun before this run goes on if every try passes.
        run = judge_wait(runner.run(wait_args(args, budget, interval, count - streak)))
        anchor = waiter.now()
        attempt = run.attempt
        streak = run.streak + (0 if run.broken else streak)
        attempts += run.attempts
        if attempt.report is not None:
            seen['report'] = attempt.report
        if run.verdict == SUCCESS and streak >= count:
            return outcome(DONE, attempt, attempts, streak)
        if run.verdict == SUCCESS:
            # kops's passes came after a failure: the few still needed are asked for, wait_sleep later.
            slept = False
            continue
        if run.verdict == FATAL:
            return outcome(ABORTED, attempt, attempts, streak)
        bad = hopeless(run.loop_errors)
        if bad:
            return outcome(ABORTED, attempt, attempts, streak, bad)
        # kops ends a round that ran out of time right after its pause: the next try is due now.
        slept = run.exceeded
        if run.exceeded and budget >= remaining:
            return outcome(TIMEOUT, attempt, attempts, streak)


def main():
    argument_spec = kops_argument_spec(name_required=True)
    argument_spec.update(
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='raw', default='15m', aliases=['timeout']),
        wait_sleep=dict(type='raw', default='10s', aliases=['poll_interval']),
        success_count=dict(type='int', default=1),
        read_instance_groups=dict(type='bool', default=True),
        kubeconfig=dict(type='path'),
        context=dict(type='str'),
        use_kubeconfig=dict(type='bool'),
        api_server=dict(type='str'),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[('api_server', 'use_kubeconfig'), ('api_server', 'context')],
        supports_check_mode=True,
    )
    params = module.params
    name = params['name']
    timeout, interval = check_timing(module)
    if params.get('use_kubeconfig') is False and params.get('context'):
        module.fail_json(msg='context selects a kubeconfig context, so it cannot be combined with use_kubeconfig=false.')

    runner = KopsRunner(module)
    try:
        command = validate_command(name, runner.version_info, kubeconfig=params['kubeconfig'],
                                   use_kubeconfig=params['use_kubeconfig'], api_server=params['api_server'],
                                   context=params['context'])
    except ValueError as exc:
        module.fail_json(msg=str(exc) + '.', kops_version=runner.version, commands=runner.commands)
    overlay = write_overlay(module, name)
    if overlay:
        command = validate_command(name, runner.version_info, kubeconfig=params['kubeconfig'],
                                   use_kubeconfig=params['use_kubeconfig'], api_server=params['api_server'],
                                   context=params['context'], overlay_path=overlay)
    for warning in command.warnings:
        module.warn(warning)
    module.run_command_environ_update.update(command.environ)

    # Read in the first pause, where it costs no time, or after a first attempt that settled it; a cluster
    # missing from the state store fails there, with the read's not-found message.
    groups = {'pending': params['read_instance_groups'], 'list': []}

    def read_groups():
        if groups['pending']:
            groups['pending'] = False
            groups['list'] = read_instance_groups(runner, name)

    waiter = Waiter(timeout, interval, params['success_count'])
    outcome = wait_for_cluster(runner, command.args, timeout, interval, params['success_count'], waiter,
                               meanwhile=read_groups)
    read_groups()
    instance_groups = groups['list']
    last = outcome.attempt
    report = outcome.report or {'nodes': [], 'failures': []}
    result = dict(
        changed=False,
        valid=outcome.status == DONE,
        nodes=report['nodes'],
        failures=report['failures'] if outcome.status != DONE else [],
        instance_groups=instance_groups,
        attempts=outcome.attempts,
        elapsed=round(outcome.elapsed, 1),
        kops_version=runner.version,
        cmd=last.result.cmd,
        commands=runner.commands,
    )
    if last.report is None:
        result['last_error'] = last_try_error(last.result)

    if outcome.status == DONE:
        module.exit_json(**result)
    if outcome.status == ABORTED and outcome.hopeless:
        result['last_error'] = 'validation failed: unexpected error during validation: ' + outcome.hopeless
        module.fail_json(msg='Validation of cluster %s failed and waiting would not help: kops: %s'
                             % (name, result['last_error']), **result)
    if outcome.status == ABORTED:
        runner.fail('Validation of cluster %s failed and waiting would not help:' % name, last.result,
                    **dict((k, v) for k, v in result.items() if k not in ('cmd', 'commands')))
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
            % (name, format_go_duration(timeout), outcome.attempts, detail),
        **result)


if __name__ == '__main__':
    main()
