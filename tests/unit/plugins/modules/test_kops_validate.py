# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os
import re

import pytest

from ansible.module_utils import basic

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_waiter
from ansible_collections.cloudops.kops.plugins.modules import kops_validate
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    call_main,
    fake_binary,
    patch_exits,
    response,
)

NAME = 'fleetman.k8s.local'
STORE = 's3://fleetman-kops-state'
NOT_FOUND = (1, '', 'Error: error fetching cluster "%s": Cluster.kops.k8s.io "%s" not found\n' % (NAME, NAME))


class FakeClock(object):
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def go_seconds(text):
    """Go durations as the module writes them: ``1m30s``, ``19.5s``."""
    total = 0.0
    for number, unit in re.findall(r'([0-9.]+)(h|m|s)', text):
        total += float(number) * {'h': 3600, 'm': 60, 's': 1}[unit]
    return total


class FakeKops(object):
    """kops as recorded: ``validate`` answers come from a script, one per attempt.

    With ``--wait``, the fake runs kops's own loop (validate_cluster.go, RunValidateCluster, v1.30.1 and
    v1.36.2) over the same script: check the deadline, take one scripted attempt, print its document,
    log "(will retry): ..." (the texts of recordings 103, 166 and 173) and sleep ``--interval`` on the test
    clock, until ``--count`` consecutive passes or "wait time exceeded during validation". An error
    before the loop (the kubeconfig cannot be loaded, recording 1.30.1/105) ends the run as it is.
    """

    def __init__(self, version='1.36.2', clock=None):
        self.version = version
        self.validations = []
        self.instance_groups = response(version, 67)
        # How long `kops get instancegroups` and one validation take on the test clock.
        self.instance_group_seconds = 0.0
        self.validation_seconds = 0.0
        self.calls = []
        self.environ = []
        self.clock = clock

    def __call__(self, module, args, **kwargs):
        self.calls.append(list(args))
        if args[1:3] == ['version', '--short']:
            return 0, self.version + '\n', ''
        if args[1:3] == ['get', 'instancegroups']:
            self.clock.now += self.instance_group_seconds
            return self.instance_groups
        if args[1:3] == ['validate', 'cluster']:
            environ = dict(module.run_command_environ_update)
            environ.update(kwargs.get('environ_update') or {})
            self.environ.append(environ)
            if '--wait' in args:
                return self.wait_loop(args)
            return self.attempt()
        raise AssertionError('unexpected kops call %r' % (args,))

    def attempt(self):
        self.clock.now += self.validation_seconds
        answer = self.validations.pop(0)
        return response(self.version, answer) if isinstance(answer, int) else answer

    def wait_loop(self, args):
        wait = go_seconds(args[args.index('--wait') + 1])
        interval = go_seconds(args[args.index('--interval') + 1])
        count = int(args[args.index('--count') + 1]) if '--count' in args else 0
        start = self.clock.now
        stdout, log, consecutive = '', [], 0
        line = '%s1121 09:42:09.091748    1504 validate_cluster.go:%d] (will retry): %s'
        while True:
            if self.clock.now - start > wait:
                log.append('Error: validation failed: wait time exceeded during validation')
                return 1, stdout, '\n'.join(log) + '\n'
            rc, out, err = self.attempt()
            if not out.strip():
                text = err.strip().split('Error: validation failed: ', 1)[-1]
                if not text.startswith('unexpected error during validation: '):
                    return rc, stdout, '\n'.join(log + [err.strip()]) + '\n'
                log.append(line % ('W', 193, text))
            elif rc == 0:
                stdout += out
                consecutive += 1
                if consecutive >= max(count, 1):
                    return 0, stdout, '\n'.join(log) + '\n' if log else ''
                log.append(line % ('I', 229, 'cluster passed validation %d consecutive times' % consecutive))
            else:
                stdout += out
                consecutive = 0
                log.append(line % ('W', 241, 'cluster not yet healthy'))
            self.clock.sleep(interval)

    @property
    def validate_calls(self):
        return [call for call in self.calls if call[1:3] == ['validate', 'cluster']]


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(_kops_waiter, 'time', fake)
    return fake


@pytest.fixture
def kops(monkeypatch, tmp_path, clock):
    fake = FakeKops(clock=clock)
    fake.binary = fake_binary(tmp_path)

    def run_command(self, args, **kwargs):
        return fake(self, args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    patch_exits(monkeypatch)
    fake.warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, msg: fake.warnings.append(msg))
    return fake


def call_with(kops, handler, **params):
    """run() with ``handler`` as run_command (to look at files while kops "runs")."""
    basic.AnsibleModule.run_command = handler
    return run(kops, **params)


def run(kops, check_mode=False, **params):
    args = dict(name=NAME, state_store=STORE, binary_path=kops.binary)
    args.update(params)
    args['_ansible_check_mode'] = check_mode
    return call_main(kops_validate, args)


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_healthy_at_once(kops, clock, version):
    kops.version = version
    kops.instance_groups = response(version, 67)
    kops.validations = [170]
    failed, result = run(kops)
    assert not failed, result
    assert result['changed'] is False
    assert result['valid'] is True
    assert result['attempts'] == 1
    assert result['elapsed'] == 0.0
    assert result['failures'] == []
    assert len(result['nodes']) == 4 and all(node['ready'] for node in result['nodes'])
    assert [g['name'] for g in result['instance_groups']] == [
        'control-plane-us-west-2a', 'nodes-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c']
    assert result['instance_groups'][0]['role'] == 'control-plane'
    assert result['instance_groups'][1] == {
        'name': 'nodes-us-west-2a', 'role': 'node', 'machine_type': 't3.medium', 'min_size': 1, 'max_size': 1,
        'subnets': ['us-west-2a'], 'zones': [], 'image': result['instance_groups'][1]['image']}
    assert result['kops_version'] == version
    assert clock.sleeps == []


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_exact_argv(kops, version):
    kops.version = version
    kops.validations = [170]
    run(kops)
    # A first attempt that settles the wait leaves no pause to read the instance groups in: they come after.
    assert kops.calls == [
        [kops.binary, 'version', '--short'],
        [kops.binary, 'validate', 'cluster', '--name', NAME, '-o', 'json', '--state', STORE],
        [kops.binary, 'get', 'instancegroups', '--name', NAME, '-o', 'json', '--state', STORE],
    ]


def test_argv_130_kubeconfig(kops):
    kops.version = '1.30.1'
    kops.validations = [170]
    run(kops, kubeconfig='/srv/kc.yaml')
    assert kops.validate_calls == [
        [kops.binary, 'validate', 'cluster', '--name', NAME, '-o', 'json', '--kubeconfig', '/srv/kc.yaml', '--state', STORE]]


def test_argv_136_api_server(kops):
    kops.validations = [170]
    run(kops, api_server='https://127.0.0.1:16444')
    assert kops.validate_calls == [
        [kops.binary, 'validate', 'cluster', '--name', NAME, '-o', 'json', '--api-server', 'https://127.0.0.1:16444',
         '--state', STORE]]


def test_argv_136_use_kubeconfig_sets_kubeconfig_in_the_environment(kops):
    kops.validations = [170]
    run(kops, use_kubeconfig=True, kubeconfig='/srv/kc.yaml')
    assert kops.validate_calls == [
        [kops.binary, 'validate', 'cluster', '--name', NAME, '-o', 'json', '--use-kubeconfig', '--state', STORE]]
    assert kops.environ[0]['KUBECONFIG'] == '/srv/kc.yaml'
    assert kops.environ[0]['LC_ALL'] == 'C'


def test_136_kubeconfig_alone_validates_through_it(kops):
    # kubeconfig now implies --use-kubeconfig on kops 1.34+ (it used to be ignored with a warning).
    kops.validations = [170]
    failed, result = run(kops, kubeconfig='/srv/kc.yaml')
    assert not failed
    assert kops.validate_calls == [
        [kops.binary, 'validate', 'cluster', '--name', NAME, '-o', 'json', '--use-kubeconfig', '--state', STORE]]
    assert kops.environ[0]['KUBECONFIG'] == '/srv/kc.yaml'
    assert kops.warnings == []


def test_136_kubeconfig_with_use_kubeconfig_false_is_ignored_with_a_warning(kops):
    kops.validations = [170]
    failed, result = run(kops, kubeconfig='/srv/kc.yaml', use_kubeconfig=False)
    assert not failed
    assert '--use-kubeconfig' not in kops.validate_calls[0] and '--kubeconfig' not in kops.validate_calls[0]
    assert len(kops.warnings) == 1 and 'ignores kubeconfig' in kops.warnings[0]


KUBECONFIG_TEXT = """apiVersion: v1
kind: Config
clusters:
- name: fleetman.k8s.local
  cluster: {server: 'https://api.fleetman.example'}
- name: proxy
  cluster: {server: 'http://127.0.0.1:8001'}
users:
- name: fleetman.k8s.local
  user: {token: abc}
contexts:
- name: fleetman.k8s.local
  context: {cluster: fleetman.k8s.local, user: fleetman.k8s.local}
- name: via-proxy
  context: {cluster: proxy, user: fleetman.k8s.local, namespace: kube-system}
current-context: fleetman.k8s.local
"""


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_context_maps_the_cluster_context_to_the_chosen_one(kops, tmp_path, version):
    kops.version = version
    kops.instance_groups = response(version, 67)
    kops.validations = [170]
    config = tmp_path / 'kc.yaml'
    config.write_text(KUBECONFIG_TEXT)
    seen = []

    def spy(module, args, **kwargs):
        answer = kops(module, args, **kwargs)
        if args[1:3] == ['validate', 'cluster']:
            chain = kops.environ[-1]['KUBECONFIG'].split(os.pathsep)
            with open(chain[0]) as handle:
                seen.append((chain, json.load(handle), oct(os.stat(chain[0]).st_mode & 0o777)))
        return answer

    failed, result = call_with(kops, spy, context='via-proxy', kubeconfig=str(config))
    assert not failed, result
    chain, overlay, mode = seen[0]
    assert chain[1:] == [str(config)]
    assert overlay['contexts'] == [{'name': NAME, 'context': {'cluster': 'proxy', 'user': NAME,
                                                              'namespace': 'kube-system'}}]
    assert mode == '0o600'
    expected = ['--use-kubeconfig'] if version == '1.36.2' else []
    assert kops.validate_calls[0] == [kops.binary, 'validate', 'cluster', '--name', NAME, '-o', 'json'] + expected + [
        '--state', STORE]
    assert config.read_text() == KUBECONFIG_TEXT


def test_unknown_context_fails_before_validating(kops, tmp_path):
    config = tmp_path / 'kc.yaml'
    config.write_text(KUBECONFIG_TEXT)
    failed, result = run(kops, context='nosuch', kubeconfig=str(config))
    assert failed
    assert "context: context 'nosuch' is not in the kubeconfig" in result['msg']
    assert kops.validate_calls == []


@pytest.mark.parametrize('version', ['1.31.0', '1.33.1'])
def test_context_on_a_kops_that_cannot_use_a_kubeconfig_fails_clearly(kops, tmp_path, version):
    kops.version = version
    failed, result = run(kops, context='via-proxy')
    assert failed
    assert 'context needs kops 1.34.0 or later (--use-kubeconfig), but kops %s is in use' % version in result['msg']
    assert kops.validate_calls == []


def test_context_and_api_server_exclude_each_other(kops):
    failed, result = run(kops, context='via-proxy', api_server='https://x')
    assert failed and 'mutually exclusive' in result['msg']
    assert kops.calls == []


@pytest.mark.parametrize('params', [dict(wait=False), dict(wait_timeout=0), dict(wait_timeout=''),
                                    dict(timeout='0')])
def test_no_wait_validates_once(kops, clock, params):
    kops.validations = [163]
    failed, result = run(kops, **params)
    assert failed
    assert result['attempts'] == 1 and clock.sleeps == []


def test_old_option_names_still_work(kops, clock):
    kops.validations = [163, 170]
    failed, result = run(kops, timeout=600, poll_interval=10)
    assert not failed, result
    assert result['attempts'] == 2 and clock.sleeps == [10.0]
    assert result['cmd'] == kops.validate_calls[-1] and result['commands'][-1] == result['cmd']


def test_api_server_on_130_fails_before_validating(kops):
    kops.version = '1.30.1'
    failed, result = run(kops, api_server='https://127.0.0.1:16444')
    assert failed
    assert 'api_server needs kops 1.33.0 or later, but kops 1.30.1 is in use' in result['msg']
    assert kops.calls == [[kops.binary, 'version', '--short']]


def test_api_server_and_use_kubeconfig_exclude_each_other(kops):
    failed, result = run(kops, api_server='https://x', use_kubeconfig=True)
    assert failed
    assert 'mutually exclusive' in result['msg']
    assert kops.calls == []


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_waits_through_transient_errors_and_degraded_results(kops, clock, version):
    kops.version = version
    kops.instance_groups = response(version, 67)
    kops.validations = [100, 104, 163, 170]
    failed, result = run(kops, wait_timeout='5m', wait_sleep='30s')
    assert not failed, result
    assert result['valid'] is True
    assert result['attempts'] == 4
    assert clock.sleeps == [30.0, 30.0, 30.0]
    assert result['elapsed'] == 90.0
    assert 'last_error' not in result


def test_consecutive_successes(kops, clock):
    kops.validations = [170, 163, 170, 170]
    failed, result = run(kops, success_count=2, wait_sleep='10s', wait_timeout='1m')
    assert not failed, result
    assert result['attempts'] == 4


def test_timeout_fails_with_the_last_structured_result(kops, clock):
    kops.validations = [100, 163, 163, 163]
    failed, result = run(kops, wait_timeout='30s', wait_sleep='10s')
    assert failed
    assert result['valid'] is False
    assert result['attempts'] == 4
    assert [f['type'] for f in result['failures']] == ['Node', 'Machine', 'Pod', 'Pod', 'Node']
    assert any(not node['ready'] for node in result['nodes'])
    assert len(result['instance_groups']) == 4
    assert result['msg'].startswith('Cluster %s did not pass validation within 30s (4 attempt(s)); 5 problem(s) left: '
                                    % NAME)
    assert 'machine "i-f9452ff03c6346001" has not yet joined cluster' in result['msg']
    assert 'last_error' not in result


def test_timeout_while_the_api_is_unreachable(kops, clock):
    kops.validations = [163, 100, 100]
    failed, result = run(kops, wait_timeout='20s', wait_sleep='10s')
    assert failed
    assert result['attempts'] == 3
    # the nodes seen before the API dropped out are still reported
    assert len(result['failures']) == 5
    assert result['last_error'].startswith('validation failed: unexpected error during validation: error listing nodes')
    assert 'the last attempt failed with: validation failed' in result['msg']


def test_timeout_zero_validates_once(kops, clock):
    kops.validations = [163]
    failed, result = run(kops, wait_timeout=0)
    assert failed
    assert result['attempts'] == 1
    assert clock.sleeps == []


def test_timeout_reports_a_partial_streak(kops, clock):
    kops.validations = [163, 170, 170]
    failed, result = run(kops, success_count=3, wait_timeout='20s', wait_sleep='10s')
    assert failed
    assert 'passed 2 of 3 consecutive times' in result['msg']


# The instance groups are read after the first check (or in the pause after it): a cluster or state store
# that is missing fails there, with the message of the read, and never waits.
def test_missing_cluster_fails_without_waiting(kops, clock):
    kops.instance_groups = NOT_FOUND
    kops.validations = [NOT_FOUND]
    failed, result = run(kops)
    assert failed
    assert result['msg'].startswith('Cluster %s was not found in the state store %s.' % (NAME, STORE))
    assert result['error_kind'] == 'not_found'
    assert len(kops.validate_calls) == 1 and clock.sleeps == []


def test_state_store_errors_fail_without_waiting(kops, clock):
    kops.instance_groups = response('1.36.2', 24)
    kops.validations = [24]
    failed, result = run(kops)
    assert failed
    assert result['error_kind'] == 'state_store'
    assert 'NoSuchBucket' in result['msg']
    assert len(kops.validate_calls) == 1 and clock.sleeps == []


def test_fatal_error_during_validation_stops_at_once(kops, clock):
    kops.version = '1.30.1'
    kops.instance_groups = response('1.30.1', 67)
    kops.validations = [105, 170]
    failed, result = run(kops, kubeconfig='/does-not-exist.yaml')
    assert failed
    assert result['attempts'] == 1
    assert clock.sleeps == []
    assert 'waiting would not help' in result['msg']
    assert 'cannot load kubecfg settings' in result['msg']
    assert result['valid'] is False


def test_credentials_error_during_validation_is_fatal(kops, clock):
    kops.validations = [response('1.36.2', 150)]
    failed, result = run(kops)
    assert failed
    assert result['attempts'] == 1
    assert result['error_kind'] == 'credentials'


def test_runs_in_check_mode(kops):
    kops.validations = [170]
    failed, result = run(kops, check_mode=True)
    assert not failed
    assert result['valid'] is True
    assert len(kops.validate_calls) == 1


@pytest.mark.parametrize('params, message', [
    (dict(wait_timeout='soon'), 'timeout: '),
    (dict(wait_sleep='10 s'), 'wait_sleep: '),
    (dict(wait_sleep='0'), 'wait_sleep must be longer than 0'),
    (dict(wait_timeout='5s', wait_sleep='10s'), 'wait_timeout (5s) is shorter than wait_sleep (10s)'),
    (dict(success_count=0), 'success_count must be 1 or more'),
    (dict(success_count=4, wait_timeout='20s', wait_sleep='10s'), 'success_count=4 needs a wait_timeout of at least 30s'),
    (dict(success_count=2, wait_timeout=0), 'success_count=2 needs a wait_timeout of at least 10s'),
    (dict(success_count=2, wait=False), 'success_count=2 needs wait=true'),
])
def test_bad_input_fails_before_kops_runs(kops, params, message):
    failed, result = run(kops, **params)
    assert failed
    assert message in result['msg']
    assert kops.calls == []


def test_kops_does_the_waiting_after_the_first_check(kops, clock):
    # Unhealthy three times, then healthy: one single check, then one kops --wait run with the time left.
    kops.validations = [163, 163, 163, 170]
    failed, result = run(kops, wait_timeout='5m', wait_sleep='30s')
    assert not failed, result
    base = [kops.binary, 'validate', 'cluster', '--name', NAME, '-o', 'json']
    assert kops.validate_calls == [base + ['--state', STORE],
                                   base + ['--wait', '4m30s', '--interval', '30s', '--state', STORE]]
    assert result['attempts'] == 4
    # The module sleeps once, before handing over; kops polls every wait_sleep and stops at the first pass.
    assert clock.sleeps == [30.0, 30.0, 30.0]
    assert result['elapsed'] == 90.0
    assert result['cmd'] == kops.validate_calls[-1]


def test_attempts_start_wait_sleep_apart_and_the_instance_groups_are_read_in_the_pause(kops, clock):
    # A check takes 1 s and the read 2.5 s: kops's wait starts 30 s after the first check started
    # (wait_sleep is the time between the starts of two attempts), not 33.5 s after.
    kops.validations = [163, 170]
    kops.validation_seconds = 1.0
    kops.instance_group_seconds = 2.5
    failed, result = run(kops, wait_timeout='5m', wait_sleep='30s')
    assert not failed, result
    assert [call[1:3] for call in kops.calls] == [
        ['version', '--short'], ['validate', 'cluster'], ['get', 'instancegroups'], ['validate', 'cluster']]
    assert clock.sleeps == [26.5]
    assert '--wait' in kops.calls[-1] and result['cmd'] == kops.calls[-1]
    assert [g['name'] for g in result['instance_groups']][:2] == ['control-plane-us-west-2a', 'nodes-us-west-2a']
    assert result['elapsed'] == 31.0


def test_a_check_slower_than_wait_sleep_is_followed_at_once(kops, clock):
    kops.validations = [163, 170]
    kops.validation_seconds = 12.0
    failed, result = run(kops, wait_timeout='5m', wait_sleep='10s', read_instance_groups=False)
    assert not failed, result
    assert clock.sleeps == [0.0]
    assert result['attempts'] == 2 and result['elapsed'] == 24.0


def test_success_count_is_kops_count(kops, clock):
    kops.validations = [163, 170, 170]
    failed, result = run(kops, success_count=2, wait_timeout='1m', wait_sleep='10s')
    assert not failed, result
    assert kops.validate_calls[-1][-6:] == ['--interval', '10s', '--count', '2', '--state', STORE]
    assert result['attempts'] == 3


def test_a_pass_at_the_first_check_counts_toward_the_streak(kops, clock):
    kops.validations = [170, 170]
    failed, result = run(kops, success_count=2, wait_timeout='1m', wait_sleep='10s')
    assert not failed, result
    assert result['attempts'] == 2 and clock.sleeps == [10.0]
    assert '--count' not in kops.validate_calls[-1]


def test_a_streak_broken_inside_kops_wait_is_completed(kops, clock):
    # First check passes; kops (asked for one more pass) sees a failure, then a pass: that pass alone is
    # no streak of 2, so one more pass is asked for, wait_sleep later.
    kops.validations = [170, 163, 170, 170]
    failed, result = run(kops, success_count=2, wait_timeout='1m', wait_sleep='10s')
    assert not failed, result
    assert result['attempts'] == 4
    assert len([call for call in kops.validate_calls if '--wait' in call]) == 2


def test_long_waits_go_in_rounds(kops, clock):
    # kops gets at most 5 minutes (or five polls) per run; the next round starts right after kops's own pause.
    kops.validations = [163] * 32 + [170]
    failed, result = run(kops, wait_timeout='20m', wait_sleep='10s')
    assert not failed, result
    waits = [call[call.index('--wait') + 1] for call in kops.validate_calls if '--wait' in call]
    assert waits == ['5m', '5m']
    assert result['attempts'] == 33
    assert set(clock.sleeps) == {10.0}


def test_an_error_waiting_cannot_fix_ends_the_wait_after_its_round(kops, clock):
    forbidden = (1, '', 'Error: validation failed: unexpected error during validation: error listing pods: '
                        'pods is forbidden: User "kops" cannot list resource "pods"\n')
    kops.validations = [163] + [forbidden] * 31
    failed, result = run(kops, wait_timeout='20m', wait_sleep='10s')
    assert failed
    assert 'waiting would not help' in result['msg'] and 'pods is forbidden' in result['msg']
    assert result['last_error'].startswith('validation failed: unexpected error during validation: error listing pods')
    assert len([call for call in kops.validate_calls if '--wait' in call]) == 1


def test_a_transient_error_before_kops_waits_is_tried_again(kops, clock):
    eof = (1, '', 'Error: error reading cluster configuration: EOF\n')
    kops.validations = [163, eof, 170]
    failed, result = run(kops, wait_timeout='1m', wait_sleep='10s')
    assert not failed, result
    assert result['attempts'] == 3
    assert clock.sleeps == [10.0, 10.0]


def test_instance_groups_can_come_from_the_caller(kops, clock):
    kops.validations = [170]
    failed, result = run(kops, read_instance_groups=False)
    assert not failed, result
    assert result['instance_groups'] == []
    assert [call[1:3] for call in kops.calls] == [['version', '--short'], ['validate', 'cluster']]


def test_without_the_instance_group_read_a_missing_cluster_fails_at_the_first_check(kops, clock):
    kops.validations = [NOT_FOUND]
    failed, result = run(kops, read_instance_groups=False)
    assert failed
    assert result['attempts'] == 1 and clock.sleeps == []
    assert result['error_kind'] == 'not_found'
