# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared interface of the kops modules: one duration type, shared names and aliases,
the AWS connection options, and what a failed kops call returns."""

from __future__ import annotations

import re

import pytest

from ansible_collections.cloudops.kops.plugins.modules import (
    kops_cluster,
    kops_cluster_info,
    kops_instance_group,
    kops_kubecfg,
    kops_reconcile,
    kops_rolling_update,
    kops_upgrade,
    kops_validate,
)
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    CLUSTER,
    GET,
    STORE,
    FakeKops,
    response,
    run_module,
)

LIST = ('get', 'clusters', '-o', 'json')
REACHED_KOPS = 'reached kops'


def outcome(module, args, monkeypatch):
    """REACHED_KOPS when every input check passed (kops was about to run), else the failure message."""
    try:
        failed, result = run_module(module, args, None, monkeypatch)
    except AssertionError as exc:
        if 'kops must not run' in str(exc):
            return REACHED_KOPS
        raise
    assert failed, result
    return result['msg']


# (module, option, other options): every duration option of every kops module (admin_ttl of kops_cluster and
# kops_instance_group is deprecated and ignored: they no longer export credentials).
DURATION_OPTIONS = [
    (kops_validate, 'wait_timeout', {}),
    (kops_validate, 'wait_sleep', {'wait_timeout': '1h'}),
    (kops_kubecfg, 'admin_ttl', {'renew_before': 0}),
    (kops_kubecfg, 'renew_before', {}),
    (kops_cluster, 'delete_timeout', {'state': 'absent'}),
] + [
    # The state-store lock's options are checked before kops runs, in check mode and on runs with nothing to
    # change too, not only when the lock is taken.
    (module, option, extra)
    for module, extra in ((kops_cluster, {'state': 'absent'}), (kops_instance_group, {'state': 'absent'}),
                          (kops_reconcile, {}), (kops_rolling_update, {}), (kops_upgrade, {}))
    for option in ('lock_ttl', 'lock_timeout')
]


def base_args(module, kops_binary, tmp_path):
    if module is kops_instance_group:
        args = dict(cluster_name=CLUSTER, name='nodes-us-west-2a')
    else:
        args = dict(name=CLUSTER)
    if module is kops_kubecfg:
        args.update(kubeconfig=str(tmp_path / 'kubeconfig'))
    args.update(state_store=STORE, binary_path=kops_binary)
    return args


@pytest.mark.parametrize('module, option, extra', DURATION_OPTIONS)
@pytest.mark.parametrize('value', [600, '600', '10m', '0h10m0s'])
def test_every_duration_option_takes_seconds_and_go_durations(kops_binary, tmp_path, monkeypatch,
                                                              module, option, extra, value):
    args = dict(base_args(module, kops_binary, tmp_path), **extra)
    args[option] = value
    assert outcome(module, args, monkeypatch) == REACHED_KOPS


@pytest.mark.parametrize('module, option, extra', DURATION_OPTIONS)
def test_zero_and_empty_string_mean_the_same_everywhere(kops_binary, tmp_path, monkeypatch, module, option, extra):
    seen = []
    for value in (0, '0', '', '0s'):
        args = dict(base_args(module, kops_binary, tmp_path), **extra)
        args[option] = value
        seen.append(re.sub(r"(got|is) %s" % re.escape(repr(value)), r'\1 <zero>', outcome(module, args, monkeypatch)))
    assert len(set(seen)) == 1, seen


@pytest.mark.parametrize('module, option, extra', DURATION_OPTIONS)
@pytest.mark.parametrize('value', ['ten minutes', '-5m', -1, '10 m'])
def test_bad_durations_fail_before_kops_naming_the_option(kops_binary, tmp_path, monkeypatch, module, option, extra,
                                                          value):
    args = dict(base_args(module, kops_binary, tmp_path), **extra)
    args[option] = value
    message = outcome(module, args, monkeypatch)
    assert message.startswith('%s: ' % option), message


# -- names and aliases ------------------------------------------------------------------

def info_run(monkeypatch, binary, version='1.36.2', **args):
    fake = FakeKops(binary, version)
    fake.add(LIST, (0, '[]', ''))
    failed, result = run_module(kops_cluster_info, dict(dict(state_store=STORE), **args), fake, monkeypatch)
    return fake, failed, result


@pytest.mark.parametrize('key', ['binary_path', 'kops_binary'])
def test_binary_path_and_its_alias(kops_binary, monkeypatch, key):
    fake, failed, result = info_run(monkeypatch, kops_binary, **{key: kops_binary})
    assert not failed, result
    assert fake.calls[0][0] == kops_binary


def test_binary_path_that_is_not_executable_is_named(tmp_path, monkeypatch):
    failed, result = run_module(kops_cluster_info, dict(state_store=STORE, binary_path=str(tmp_path / 'nope')),
                                None, monkeypatch)
    assert failed and result['msg'].startswith('binary_path ')


@pytest.mark.parametrize('group_key', ['name', 'instance_group', 'ig_name'])
def test_instance_group_names_cluster_and_group(kops_binary, monkeypatch, group_key):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(('get', 'ig', 'nosuch-ig', '--name', CLUSTER, '-o', 'json'), response(version, '71'))
    args = {'cluster_name': CLUSTER, group_key: 'nosuch-ig', 'state': 'absent', 'state_store': STORE,
            'binary_path': kops_binary}
    failed, result = run_module(kops_instance_group, args, fake, monkeypatch)
    assert not failed, result
    assert ('get', 'ig', 'nosuch-ig', '--name', CLUSTER, '-o', 'json') in fake.args()


def test_instance_group_needs_cluster_name(kops_binary, monkeypatch):
    # The pre-release spelling (name = cluster, instance_group = group) is refused before kops runs.
    failed, result = run_module(kops_instance_group, dict(name=CLUSTER, state_store=STORE, binary_path=kops_binary),
                                None, monkeypatch)
    assert failed and 'cluster_name' in result['msg']


@pytest.mark.parametrize('aliases', [
    dict(aws_access_key_id='AKIDALIAS', aws_secret_access_key='s3cr3t', aws_session_token='tok', aws_profile='p',
         aws_region='eu-west-1', aws_endpoint_url='http://127.0.0.1:9'),
    dict(aws_access_key='AKIDALIAS', aws_secret_key='s3cr3t', session_token='tok', profile='p', region='eu-west-1',
         endpoint_url='http://127.0.0.1:9'),
])
def test_aws_connection_aliases_reach_kops(kops_binary, monkeypatch, aliases):
    for variable in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'):
        monkeypatch.delenv(variable, raising=False)
    fake, failed, result = info_run(monkeypatch, kops_binary, binary_path=kops_binary, **aliases)
    assert not failed, result
    env = fake.environ[0]
    assert (env['AWS_ACCESS_KEY_ID'], env['AWS_SECRET_ACCESS_KEY'], env['AWS_SESSION_TOKEN']) == ('AKIDALIAS', 's3cr3t', 'tok')
    assert (env['AWS_PROFILE'], env['AWS_REGION'], env['AWS_DEFAULT_REGION']) == ('p', 'eu-west-1', 'eu-west-1')
    assert (env['AWS_ENDPOINT_URL'], env['S3_ENDPOINT'], env['S3_REGION']) == ('http://127.0.0.1:9',) * 2 + ('eu-west-1',)
    assert (env['S3_ACCESS_KEY_ID'], env['S3_SECRET_ACCESS_KEY']) == ('AKIDALIAS', 's3cr3t')


def test_aws_ca_bundle_is_exported(kops_binary, tmp_path, monkeypatch):
    bundle = tmp_path / 'ca.pem'
    bundle.write_text('-----BEGIN CERTIFICATE-----\n')
    fake, failed, result = info_run(monkeypatch, kops_binary, binary_path=kops_binary, aws_ca_bundle=str(bundle))
    assert not failed, result
    assert all(env['AWS_CA_BUNDLE'] == str(bundle) for env in fake.environ)


@pytest.mark.parametrize('module', [kops_cluster, kops_cluster_info, kops_instance_group, kops_kubecfg, kops_validate])
def test_validate_certs_false_is_refused_before_kops(kops_binary, tmp_path, monkeypatch, module):
    args = dict(base_args(module, kops_binary, tmp_path), validate_certs=False)
    message = outcome(module, args, monkeypatch)
    assert message.startswith('validate_certs=false is not supported'), message
    assert 'aws_ca_bundle' in message


# -- failures ---------------------------------------------------------------------------

PANIC = ('I1121 10:00:00.000000   123 s3context.go:100] Querying S3 for bucket location\n'
         'panic: runtime error: invalid memory address or nil pointer dereference\n'
         '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1c3d2f0]\n\n'
         'goroutine 1 [running]:\n'
         'k8s.io/kops/util/pkg/vfs.(*S3Path).ReadFile(0x0)\n\n')


def test_failure_without_error_line_says_last_stderr_line_and_exit_code(kops_binary, monkeypatch):
    fake = FakeKops(kops_binary, '1.36.2')
    fake.add(GET, (2, '', PANIC))
    failed, result = run_module(kops_cluster_info, dict(name=CLUSTER, state_store=STORE, binary_path=kops_binary),
                                fake, monkeypatch)
    assert failed
    assert result['msg'].startswith('Failed to read cluster %s from the state store.' % CLUSTER)
    assert 'exited with code 2' in result['msg']
    assert 'k8s.io/kops/util/pkg/vfs.(*S3Path).ReadFile(0x0)' in result['msg']
    assert result['cmd'] == fake.calls[-1]
    assert result['commands'] == fake.calls
    assert 'command' not in result
    assert result['rc'] == 2


def test_failure_with_error_line_quotes_it(kops_binary, monkeypatch):
    fake = FakeKops(kops_binary, '1.36.2')
    fake.add(LIST, (1, '', 'W1121 noise\nError: error reading state store: NoSuchBucket\n'))
    failed, result = run_module(kops_cluster_info, dict(state_store=STORE, binary_path=kops_binary), fake, monkeypatch)
    assert failed
    assert result['msg'].endswith('kops: error reading state store: NoSuchBucket')
    assert result['cmd'][1:3] == ['get', 'clusters']
