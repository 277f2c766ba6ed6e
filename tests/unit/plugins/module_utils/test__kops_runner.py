# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_runner as runner_mod
from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import NOT_FOUND
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    STORE,
    VERSIONS,
    FakeKops,
    recording,
    response,
)


class Failed(Exception):
    pass


class FakeModule(object):
    def __init__(self, params, fake=None, bin_path=None):
        self.params = dict(name=None, state_store=None, binary_path=None, region=None, profile=None,
                           endpoint_url=None, access_key=None, secret_key=None, session_token=None)
        self.params.update(params)
        self.fake = fake
        self.bin_path = bin_path
        self.run_kwargs = []

    def get_bin_path(self, name):
        assert name == 'kops'
        return self.bin_path

    def fail_json(self, **kwargs):
        raise Failed(kwargs)

    def run_command(self, argv, **kwargs):
        self.run_kwargs.append(kwargs)
        return self.fake(argv, **kwargs)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for var in ('KOPS_STATE_STORE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize('version', VERSIONS)
@pytest.mark.parametrize('number', ['00', '01'])
def test_parse_version_both_formats(version, number):
    assert runner_mod.parse_version(recording(version, number).stdout) == tuple(int(p) for p in version.split('.'))


@pytest.mark.parametrize('text,expected', [
    ('Version 1.25.3 (git-v1.25.3)\n', (1, 25, 3)),
    ('v1.31.0-beta.1\n', (1, 31, 0)),
    ('1.30\n', (1, 30, 0)),
    ('no version here\n', None),
])
def test_parse_version_other_shapes(text, expected):
    assert runner_mod.parse_version(text) == expected


def test_argument_spec_secrets_are_no_log():
    spec = runner_mod.kops_argument_spec()
    assert spec['name']['required'] is True
    assert runner_mod.kops_argument_spec(name_required=False)['name']['required'] is False
    assert spec['secret_key']['no_log'] is True and spec['session_token']['no_log'] is True
    assert spec['access_key']['no_log'] is False


def test_missing_binary_on_path_fails():
    module = FakeModule({'state_store': STORE})
    with pytest.raises(Failed, match='Could not find the kops binary'):
        runner_mod.KopsRunner(module)


def test_kops_binary_must_be_executable(tmp_path):
    path = tmp_path / 'kops'
    path.write_text('not executable')
    with pytest.raises(Failed, match='not an executable file'):
        runner_mod.KopsRunner(FakeModule({'state_store': STORE, 'binary_path': str(path)}))


def test_missing_state_store_fails(kops_binary):
    with pytest.raises(Failed, match='No kops state store'):
        runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary}))


def test_state_store_from_environment(kops_binary, monkeypatch):
    monkeypatch.setenv('KOPS_STATE_STORE', STORE + '/')
    runner = runner_mod.KopsRunner(FakeModule({}, bin_path=kops_binary))
    assert runner.binary == kops_binary
    assert runner.state_store == STORE


def test_state_store_must_be_url(kops_binary):
    with pytest.raises(Failed, match='is not a URL'):
        runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': 'my-bucket'}))


@pytest.mark.parametrize('version', VERSIONS)
def test_run_builds_argv_env_and_records(kops_binary, version):
    fake = FakeKops(kops_binary, version, {('get', 'cluster', 'nosuch.k8s.local', '-o', 'json'): response(version, '29')})
    module = FakeModule({'binary_path': kops_binary, 'state_store': STORE, 'region': 'us-west-2',
                         'endpoint_url': 'http://127.0.0.1:5000', 'access_key': 'AK', 'secret_key': 'SK',
                         'session_token': 'ST', 'profile': 'ops'}, fake)
    runner = runner_mod.KopsRunner(module)
    assert runner.version == version
    result = runner.run(['get', 'cluster', 'nosuch.k8s.local', '-o', 'json'])
    assert result.rc == 1 and result.error_kind == NOT_FOUND
    assert result.cmd == [kops_binary, 'get', 'cluster', 'nosuch.k8s.local', '-o', 'json', '--state', STORE]
    assert runner.commands == [[kops_binary, 'version', '--short'], result.cmd]
    env = fake.environ[-1]
    assert env == {
        'LANGUAGE': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C',
        'AWS_REGION': 'us-west-2', 'AWS_DEFAULT_REGION': 'us-west-2', 'AWS_PROFILE': 'ops',
        'AWS_ACCESS_KEY_ID': 'AK', 'AWS_SECRET_ACCESS_KEY': 'SK', 'AWS_SESSION_TOKEN': 'ST',
        'AWS_ENDPOINT_URL': 'http://127.0.0.1:5000', 'S3_ENDPOINT': 'http://127.0.0.1:5000',
        'S3_REGION': 'us-west-2', 'S3_ACCESS_KEY_ID': 'AK', 'S3_SECRET_ACCESS_KEY': 'SK',
    }
    assert all(kw.get('check_rc') is False for kw in module.run_kwargs)
    assert all(kw.get('expand_user_and_vars') is False for kw in module.run_kwargs)


def test_endpoint_takes_keys_and_region_from_environment(kops_binary, monkeypatch):
    monkeypatch.setenv('AWS_REGION', 'eu-west-1')
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'envkey')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'envsecret')
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE,
                                               'endpoint_url': 'http://127.0.0.1:1'}))
    assert runner.environ['S3_REGION'] == 'eu-west-1'
    assert runner.environ['S3_ACCESS_KEY_ID'] == 'envkey'
    assert runner.environ['S3_SECRET_ACCESS_KEY'] == 'envsecret'
    assert 'AWS_REGION' not in runner.environ


def test_no_endpoint_leaves_s3_variables_alone(kops_binary):
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE}))
    assert runner.environ == {'LANGUAGE': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'}


def test_data_goes_to_stdin(kops_binary):
    fake = FakeKops(kops_binary, '1.36.2', {('replace', '-f', '-'): (0, '', '')})
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE}, fake))
    runner.run(['replace', '-f', '-'], data='kind: InstanceGroup\n')
    assert fake.data[-1] == 'kind: InstanceGroup\n'


def test_old_kops_is_refused(kops_binary):
    fake = FakeKops(kops_binary, '1.36.2', {('version', '--short'): (0, '1.28.4\n', '')})
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE}, fake))
    with pytest.raises(Failed) as exc:
        runner.version
    assert 'kops 1.28.4 is too old' in exc.value.args[0]['msg']
    assert exc.value.args[0]['kops_version'] == '1.28.4'


def test_version_falls_back_to_plain_version(kops_binary):
    fake = FakeKops(kops_binary, '1.36.2', {
        ('version', '--short'): (1, '', 'Error: unknown flag: --short\n'),
        ('version',): (0, 'Client version: 1.31.2 (git-v1.31.2)\n', ''),
    })
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE}, fake))
    assert runner.version_info == (1, 31, 2)
    assert runner.version_info == (1, 31, 2)
    assert fake.args() == [('version', '--short'), ('version',)]


def test_unparseable_version_fails(kops_binary):
    fake = FakeKops(kops_binary, '1.36.2', {('version', '--short'): (0, 'garbage\n', ''), ('version',): (0, 'x\n', '')})
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE}, fake))
    with pytest.raises(Failed, match='Could not determine the kops version'):
        runner.version


@pytest.mark.parametrize('version', VERSIONS)
def test_flag_spelling(kops_binary, version):
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE},
                                              FakeKops(kops_binary, version)))
    assert runner.flag('control-plane-size') == '--control-plane-size'
    assert runner.flag('node-size') == '--node-size'


def test_flag_spelling_before_rename(kops_binary):
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE}))
    runner._version_info = (1, 25, 0)
    assert runner.flag('control-plane-size') == '--master-size'
    assert runner.flag('control-plane-zones') == '--master-zones'


def test_fail_reports_result(kops_binary):
    fake = FakeKops(kops_binary, '1.36.2', {('get', 'clusters'): response('1.36.2', '24')})
    runner = runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE}, fake))
    result = runner.run(['get', 'clusters'])
    with pytest.raises(Failed) as exc:
        runner.fail('Failed to list clusters.', result)
    details = exc.value.args[0]
    assert details['msg'].startswith('Failed to list clusters. kops: error reading state store')
    assert details['rc'] == 1 and details['error_kind'] == 'state_store'
    assert details['cmd'] == result.cmd and details['commands'] == runner.commands
    assert 'command' not in details


@pytest.fixture
def version_cache(monkeypatch, tmp_path):
    """The version cache on (conftest turns it off), in a private XDG_CACHE_HOME."""
    monkeypatch.setattr(runner_mod, 'VERSION_CACHE', True)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    return tmp_path / 'xdg' / 'cloudops.kops'


def probe_count(fake):
    return len([args for args in fake.args() if args[:1] == ('version',)])


def new_runner(kops_binary, fake):
    return runner_mod.KopsRunner(FakeModule({'binary_path': kops_binary, 'state_store': STORE}, fake))


@pytest.mark.parametrize('version', VERSIONS)
def test_version_is_probed_once_per_binary(kops_binary, version, version_cache):
    fake = FakeKops(kops_binary, version)
    assert new_runner(kops_binary, fake).version == version
    assert new_runner(kops_binary, fake).version == version
    assert new_runner(kops_binary, fake).version_info == tuple(int(p) for p in version.split('.'))
    assert probe_count(fake) == 1
    assert oct(version_cache.stat().st_mode & 0o777) == '0o700'
    assert oct((version_cache / 'kops-versions.json').stat().st_mode & 0o777) == '0o600'


def test_a_replaced_binary_is_probed_again(kops_binary, version_cache):
    import os
    fake = FakeKops(kops_binary, '1.30.1')
    assert new_runner(kops_binary, fake).version == '1.30.1'
    # An upgrade in place: new content, new size and mtime.
    with open(kops_binary, 'a') as handle:
        handle.write('# 1.36.2\n')
    os.utime(kops_binary, ns=(1, 10 ** 18))
    fake.script[('version', '--short')] = response('1.36.2', '01')
    assert new_runner(kops_binary, fake).version == '1.36.2'
    assert probe_count(fake) == 2


def test_a_symlinked_binary_shares_the_entry_of_its_target(kops_binary, tmp_path, version_cache):
    import os
    link = str(tmp_path / 'kops-link')
    os.symlink(kops_binary, link)
    fake = FakeKops(kops_binary, '1.36.2')
    assert new_runner(kops_binary, fake).version == '1.36.2'
    # FakeKops wants the binary it was made with as argv[0]: the link resolves to the same file, no probe runs.
    assert runner_mod.cached_version(link) == (1, 36, 2)
    assert probe_count(fake) == 1


def test_a_cache_others_can_write_is_ignored(kops_binary, version_cache):
    import os
    fake = FakeKops(kops_binary, '1.36.2')
    new_runner(kops_binary, fake).version
    os.chmod(str(version_cache / 'kops-versions.json'), 0o666)
    new_runner(kops_binary, fake).version
    os.chmod(str(version_cache / 'kops-versions.json'), 0o600)
    os.chmod(str(version_cache), 0o770)
    new_runner(kops_binary, fake).version
    assert probe_count(fake) == 3


def test_a_broken_or_unwritable_cache_only_costs_a_probe(kops_binary, tmp_path, monkeypatch):
    monkeypatch.setattr(runner_mod, 'VERSION_CACHE', True)
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('x')
    monkeypatch.setenv('XDG_CACHE_HOME', str(blocker))
    fake = FakeKops(kops_binary, '1.36.2')
    assert new_runner(kops_binary, fake).version == '1.36.2'
    assert new_runner(kops_binary, fake).version == '1.36.2'
    assert probe_count(fake) == 2


def test_garbage_in_the_cache_is_ignored(kops_binary, version_cache):
    fake = FakeKops(kops_binary, '1.36.2')
    new_runner(kops_binary, fake).version
    (version_cache / 'kops-versions.json').write_text('{not json')
    assert new_runner(kops_binary, fake).version == '1.36.2'
    assert probe_count(fake) == 2


def test_a_refused_version_is_not_remembered(kops_binary, version_cache):
    fake = FakeKops(kops_binary, '1.36.2', {('version', '--short'): (0, '1.28.4\n', '')})
    for dummy in range(2):
        with pytest.raises(Failed, match='too old'):
            new_runner(kops_binary, fake).version
    assert probe_count(fake) == 2
