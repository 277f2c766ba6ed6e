# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsResult
from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import (
    context_overlay,
    error_line,
    judge,
    kubeconfig_paths,
    last_report,
    summarize,
    validate_command,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_waiter import FATAL, RETRY, SUCCESS
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import response

NAME = 'fleetman.k8s.local'


def recorded_result(version, number):
    rc, stdout, stderr = response(version, number)
    return KopsResult(rc, stdout, stderr, ['kops', 'validate', 'cluster'])


# -- the command line -----------------------------------------------------------------


def test_command_130_plain():
    command = validate_command(NAME, (1, 30, 1))
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json']
    assert command.environ == {}
    assert command.warnings == []


def test_command_130_passes_kubeconfig_as_a_flag():
    command = validate_command(NAME, (1, 30, 1), kubeconfig='/tmp/kc')
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json', '--kubeconfig', '/tmp/kc']
    assert command.environ == {}


def test_command_130_use_kubeconfig_is_what_it_does_anyway():
    command = validate_command(NAME, (1, 30, 1), kubeconfig='/tmp/kc', use_kubeconfig=True)
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json', '--kubeconfig', '/tmp/kc']


def test_command_130_rejects_api_server():
    with pytest.raises(ValueError, match='api_server needs kops 1.33.0 or later, but kops 1.30.1'):
        validate_command(NAME, (1, 30, 1), api_server='https://127.0.0.1:6443')


def test_command_136_plain():
    command = validate_command(NAME, (1, 36, 2))
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json']
    assert command.warnings == []


def test_command_136_api_server():
    command = validate_command(NAME, (1, 36, 2), api_server='https://127.0.0.1:16444')
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json', '--api-server', 'https://127.0.0.1:16444']


def test_command_136_use_kubeconfig_reads_the_file_through_the_environment():
    # 1.36 ignores --kubeconfig even with --use-kubeconfig; only KUBECONFIG reaches it.
    command = validate_command(NAME, (1, 36, 2), kubeconfig='/tmp/kc', use_kubeconfig=True)
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json', '--use-kubeconfig']
    assert command.environ == {'KUBECONFIG': '/tmp/kc'}


def test_command_136_kubeconfig_alone_uses_the_kubeconfig():
    command = validate_command(NAME, (1, 36, 2), kubeconfig='/tmp/kc')
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json', '--use-kubeconfig']
    assert command.environ == {'KUBECONFIG': '/tmp/kc'}
    assert command.warnings == []


@pytest.mark.parametrize('version', [(1, 31, 0), (1, 33, 4)])
def test_command_kubeconfig_alone_before_134_is_ignored_with_a_warning(version):
    command = validate_command(NAME, version, kubeconfig='/tmp/kc')
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json']
    assert command.environ == {}
    assert len(command.warnings) == 1 and 'ignores kubeconfig' in command.warnings[0]


def test_command_136_kubeconfig_with_api_server_keeps_the_warning():
    command = validate_command(NAME, (1, 36, 2), kubeconfig='/tmp/kc', api_server='https://x')
    assert '--use-kubeconfig' not in command.args and command.args[-2:] == ['--api-server', 'https://x']
    assert len(command.warnings) == 1


@pytest.mark.parametrize('version, expected_args', [((1, 30, 1), []), ((1, 36, 2), ['--use-kubeconfig'])])
def test_command_context_overlay_goes_first_on_kubeconfig(version, expected_args):
    command = validate_command(NAME, version, kubeconfig='/tmp/kc', context='other', overlay_path='/tmp/overlay.json')
    assert command.args == ['validate', 'cluster', '--name', NAME, '-o', 'json'] + expected_args
    assert command.environ == {'KUBECONFIG': os.pathsep.join(['/tmp/overlay.json', '/tmp/kc'])}


def test_command_context_with_use_kubeconfig_false_is_refused():
    with pytest.raises(ValueError, match='context selects a kubeconfig context'):
        validate_command(NAME, (1, 36, 2), context='other', use_kubeconfig=False)


def test_kubeconfig_paths_follow_client_go(monkeypatch):
    assert kubeconfig_paths('/a') == ['/a']
    assert kubeconfig_paths(None, {'KUBECONFIG': os.pathsep.join(['/x', '', '/y'])}) == ['/x', '/y']
    assert kubeconfig_paths(None, {})[0].endswith(os.path.join('.kube', 'config'))


def test_context_overlay_first_file_wins(tmp_path):
    first, second = tmp_path / 'one', tmp_path / 'two'
    first.write_text('contexts:\n- name: c\n  context: {cluster: a, user: u}\n')
    second.write_text('contexts:\n- name: c\n  context: {cluster: b, user: u}\n')
    overlay = context_overlay(NAME, 'c', [str(tmp_path / 'missing'), str(first), str(second)])
    assert overlay['contexts'] == [{'name': NAME, 'context': {'cluster': 'a', 'user': 'u'}}]
    assert overlay['current-context'] == NAME
    with pytest.raises(ValueError, match="context 'd' is not in the kubeconfig"):
        context_overlay(NAME, 'd', [str(first)])


@pytest.mark.parametrize('version, kwargs, message', [
    ((1, 32, 0), dict(use_kubeconfig=True), 'use_kubeconfig needs kops 1.34.0'),
    ((1, 32, 0), dict(api_server='https://x'), 'api_server needs kops 1.33.0'),
    ((1, 36, 2), dict(api_server='https://x', use_kubeconfig=True), 'mutually exclusive'),
])
def test_command_impossible_combinations(version, kwargs, message):
    with pytest.raises(ValueError, match=message):
        validate_command(NAME, version, **kwargs)


# -- every recorded validate run ------------------------------------------------------

# (number, verdict for 1.30.1, verdict for 1.36.2). The module always asks for JSON and never
# passes --wait, so the YAML/table/--wait recordings must never be taken for a result.
RECORDED = [
    (100, RETRY, RETRY),    # API name does not resolve yet: no such host
    (101, RETRY, RETRY),
    (102, RETRY, RETRY),
    (103, FATAL, FATAL),    # kops's own --wait ran out: not a state we produce, not retried
    (104, RETRY, RETRY),
    (105, FATAL, RETRY),    # 1.30 cannot load the kubeconfig; 1.36 ignores it and hits the API error
    (107, RETRY, RETRY),
    (163, RETRY, RETRY),    # degraded: result on stdout, exit 1
    (164, FATAL, FATAL),    # YAML is not what we asked for
    (165, FATAL, FATAL),    # table likewise
    (166, RETRY, RETRY),    # three JSON documents back to back
    (170, SUCCESS, SUCCESS),
    (171, FATAL, FATAL),
    (172, FATAL, FATAL),
    (173, SUCCESS, SUCCESS),  # two JSON documents
]


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
@pytest.mark.parametrize('number, verdict_130, verdict_136', RECORDED)
def test_judge_every_recording(version, number, verdict_130, verdict_136):
    verdict, attempt = judge(recorded_result(version, number))
    assert verdict == (verdict_130 if version == '1.30.1' else verdict_136)
    if verdict == SUCCESS:
        assert attempt.report['valid'] is True
        assert attempt.report['failures'] == []
    elif attempt.report is not None:
        assert attempt.report['valid'] is False


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_healthy_result(version):
    verdict, attempt = judge(recorded_result(version, 170))
    nodes = attempt.report['nodes']
    assert len(nodes) == 4
    assert all(node['ready'] is True for node in nodes)
    assert sorted(node['role'] for node in nodes) == ['control-plane', 'node', 'node', 'node']
    assert set(nodes[0]) == {'name', 'role', 'ready', 'zone', 'hostname'}
    assert all(node['zone'].startswith('us-west-2') for node in nodes)


def test_degraded_result_130_in_detail():
    verdict, attempt = judge(recorded_result('1.30.1', 163))
    report = attempt.report
    assert report['valid'] is False
    assert [(f['type'], f['instance_group']) for f in report['failures']] == [
        ('Machine', 'nodes-us-west-2c'),
        ('Node', 'nodes-us-west-2a'),
        ('Pod', None),  # system-cluster-critical pods belong to no instance group
        ('Pod', 'nodes-us-west-2b'),
        ('Node', 'control-plane-us-west-2a'),
    ]
    assert report['failures'][2] == {
        'type': 'Pod',
        'name': 'kube-system/coredns-5d8f7b8d9c-abcde',
        'message': 'system-cluster-critical pod "coredns-5d8f7b8d9c-abcde" is pending',
        'instance_group': None,
    }
    not_ready = [node['name'] for node in report['nodes'] if not node['ready']]
    assert not_ready == ['i-b39b5c8c509377b28']


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_wait_output_uses_the_last_document(version):
    rc, stdout, stderr = response(version, 166)
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while position < len(stdout):
        value, position = decoder.raw_decode(stdout, position)
        documents.append(value)
    assert len(documents) == 3
    assert last_report(stdout) == summarize(documents[-1])


def test_healthy_count2_has_two_documents_and_passes():
    rc, stdout, stderr = response('1.36.2', 173)
    assert stdout.count('{"nodes"') == 2
    assert last_report(stdout)['valid'] is True


def test_no_output_is_no_report():
    assert last_report('') is None
    assert last_report('Validating cluster x\n\n') is None


def test_truncated_json_is_no_report():
    assert last_report('{"nodes":[{"name":') is None


def test_empty_healthy_document():
    verdict, attempt = judge(KopsResult(0, '{}', '', []))
    assert verdict == SUCCESS
    assert attempt.report == {'valid': True, 'nodes': [], 'failures': []}


def test_exit_zero_without_a_result_is_fatal():
    verdict, attempt = judge(KopsResult(0, 'something else\n', '', []))
    assert verdict == FATAL
    assert attempt.report is None


# -- error classes --------------------------------------------------------------------

TRANSIENT_ERRORS = [
    'Error: validation failed: unexpected error during validation: error listing nodes: Get "https://api/api/v1/nodes": '
    'dial tcp: lookup api on 10.0.0.2:53: no such host',
    'Error: validation failed: unexpected error during validation: error listing nodes: Get "https://1.2.3.4/api/v1/nodes": '
    'dial tcp 1.2.3.4:443: connect: connection refused',
    'Error: validation failed: unexpected error during validation: error listing nodes: Get "https://x/api/v1/nodes": EOF',
    'Error: validation failed: unexpected error during validation: error listing nodes: Get "https://x/api/v1/nodes": '
    'dial tcp 1.2.3.4:443: i/o timeout',
    'Error: validation failed: unexpected error during validation: error listing nodes: Get "https://x/api/v1/nodes": '
    'net/http: TLS handshake timeout',
    'Error: validation failed: unexpected error during validation: error listing nodes: Unauthorized',
]

FATAL_ERRORS = [
    'Error: error reading cluster configuration: Cluster.kops.k8s.io "nosuch.k8s.local" not found',
    'Error: State Store: Required value: Please set the --state flag or export KOPS_STATE_STORE.',
    'Error: error reading state store: error listing s3://no-such-bucket/: operation error S3: ListObjectsV2, '
    'https response error StatusCode: 404, RequestID: 1, HostID: 2, NoSuchBucket: ',
    'Error: error reading state store: error listing s3://b/: operation error S3: ListObjectsV2, https response error '
    'StatusCode: 403, api error InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.',
    'Error: validation failed: cannot load kubecfg settings for "fleetman.k8s.local": stat /x: no such file or directory',
]


@pytest.mark.parametrize('stderr', TRANSIENT_ERRORS)
def test_transient_errors_are_retried(stderr):
    verdict, attempt = judge(KopsResult(1, '', stderr + '\n', []))
    assert verdict == RETRY
    assert attempt.report is None


@pytest.mark.parametrize('stderr', FATAL_ERRORS)
def test_fatal_errors_stop_the_wait(stderr):
    verdict, attempt = judge(KopsResult(1, '', stderr + '\n', []))
    assert verdict == FATAL


def test_error_line_prefers_the_error_over_log_lines():
    rc, stdout, stderr = response('1.30.1', 103)
    assert error_line(KopsResult(rc, stdout, stderr, [])) == 'validation failed: wait time exceeded during validation'
    assert error_line(KopsResult(1, '', 'W1121 something\n', [])) == 'W1121 something'
    assert error_line(KopsResult(1, '', '', [])) == ''


# -- kops's own wait (--wait) ---------------------------------------------------------


def test_wait_args():
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import wait_args
    base = ['validate', 'cluster', '--name', NAME, '-o', 'json']
    assert wait_args(base, 270, 30) == base + ['--wait', '4m30s', '--interval', '30s']
    assert wait_args(base, 19.99951, 2.5, count=3) == base + ['--wait', '20s', '--interval', '2.5s', '--count', '3']
    assert wait_args(base, 9.25, 1) == base + ['--wait', '9.25s', '--interval', '1s']


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_judge_wait_degraded_until_the_wait_ran_out(version):
    # Recording 166: --wait 25s on a degraded cluster, one document per attempt, then "wait time exceeded".
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import judge_wait
    run = judge_wait(recorded_result(version, 166))
    assert run.verdict == RETRY and run.exceeded
    assert run.attempts == 3 and run.streak == 0
    assert run.attempt.report['valid'] is False and len(run.attempt.report['failures']) == 5
    assert run.loop_errors == []


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_judge_wait_api_never_answered(version):
    # Recording 103: --wait 30s while the API name does not resolve: three retried errors, no document.
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import hopeless, judge_wait
    result = recorded_result(version, 103)
    run = judge_wait(result)
    assert run.verdict == RETRY and run.exceeded
    assert run.attempts == 3 and run.attempt.report is None
    assert len(run.loop_errors) == 3 and all(e.startswith('error listing nodes: ') for e in run.loop_errors)
    assert hopeless(run.loop_errors) is None
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import last_try_error
    assert last_try_error(result).startswith('validation failed: unexpected error during validation: error listing nodes: ')
    assert error_line(result) == 'validation failed: wait time exceeded during validation'


@pytest.mark.parametrize('version', ['1.30.1', '1.36.2'])
def test_judge_wait_count2_passes(version):
    # Recording 173: --count 2 --interval 2s on a healthy cluster: two documents, one "(will retry)" line.
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import judge_wait
    run = judge_wait(recorded_result(version, 173))
    assert run.verdict == SUCCESS and not run.exceeded
    assert run.attempts == 2 and run.streak == 2
    assert run.attempt.report['valid'] is True


def test_judge_wait_error_before_the_loop_is_one_attempt():
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import judge_wait
    run = judge_wait(recorded_result('1.30.1', 105))
    assert run.verdict == FATAL and run.attempts == 1 and not run.exceeded


def test_hopeless_follows_the_module_rules():
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_validation import hopeless
    assert hopeless(['error listing nodes: Unauthorized', 'error listing nodes: EOF']) is None
    assert hopeless(['error listing nodes: EOF', 'error listing pods: pods is forbidden']) == \
        'error listing pods: pods is forbidden'
