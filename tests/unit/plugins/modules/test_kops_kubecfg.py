# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import datetime
import fcntl
import multiprocessing
import os
import stat

import pytest
import yaml

from ansible.module_utils import basic

from ansible_collections.cloudops.kops.plugins.module_utils import _kubeconfig
from ansible_collections.cloudops.kops.plugins.modules import kops_kubecfg
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    call_main,
    fake_binary,
    patch_exits,
)

x509 = pytest.importorskip('cryptography.x509')
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

NAME = 'fleetman.k8s.local'
STORE = 's3://fleetman-kops-state'
SERVER = 'https://api-fleetman-k8s-local-tkmafs-1.us-west-2.elb.amazonaws.com'
CA = base64.b64encode(b'-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n').decode()

OTHER = """\
apiVersion: v1
clusters:
- cluster:
    server: "https://prod.example.com:6443"   # via VPN
  name: prod
contexts:
- context:
    cluster: prod
    user: prod-admin
  name: prod
current-context: prod
kind: Config
preferences: {}
users:
- name: prod-admin
  user:
    token: s3cr3t   # rotated monthly
"""
OTHER_BLOCKS = [
    '- cluster:\n    server: "https://prod.example.com:6443"   # via VPN\n  name: prod\n',
    '- context:\n    cluster: prod\n    user: prod-admin\n  name: prod\n',
    '- name: prod-admin\n  user:\n    token: s3cr3t   # rotated monthly\n',
]


def certificate(hours):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'kubecfg')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=hours))
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def kops_kubeconfig(server=SERVER, hours=18.0):
    """What ``kops export kubecfg --admin`` writes (recordings 90/92)."""
    cert, key = certificate(hours)
    return yaml.safe_dump({
        'apiVersion': 'v1',
        'clusters': [{'cluster': {'certificate-authority-data': CA, 'server': server,
                                  'tls-server-name': 'api.internal.' + NAME}, 'name': NAME}],
        'contexts': [{'context': {'cluster': NAME, 'user': NAME}, 'name': NAME}],
        'current-context': NAME,
        'kind': 'Config',
        'users': [{'name': NAME, 'user': {'client-certificate-data': base64.b64encode(cert).decode(),
                                          'client-key-data': base64.b64encode(key).decode()}}],
    }, default_flow_style=False)


class FakeKops(object):
    """Answers run_command like kops 1.36.2 would; records every argv."""

    def __init__(self, version='1.36.2', server=SERVER, export_rc=0, export_stderr=''):
        self.version = version
        self.server = server
        self.export_rc = export_rc
        self.export_stderr = export_stderr
        self.calls = []

    def __call__(self, module, args, **kwargs):
        self.calls.append(list(args))
        if args[1:3] == ['version', '--short']:
            return 0, self.version + '\n', ''
        if args[1:3] == ['export', 'kubecfg']:
            if self.export_rc:
                return self.export_rc, '', self.export_stderr
            admin = [a for a in args if a.startswith('--admin=')][0][len('--admin='):]
            path = args[args.index('--kubeconfig') + 1]
            with open(path, 'w') as handle:
                handle.write(kops_kubeconfig(self.server, float(admin.rstrip('h'))))
            return 0, 'kOps has set your kubectl context to %s\n' % NAME, ''
        raise AssertionError('unexpected kops call %r' % (args,))

    @property
    def exports(self):
        return [call for call in self.calls if call[1:3] == ['export', 'kubecfg']]


@pytest.fixture
def kops(monkeypatch, tmp_path):
    fake = FakeKops()
    fake.binary = fake_binary(tmp_path)

    def run_command(self, args, **kwargs):
        return fake(self, args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    patch_exits(monkeypatch)
    monkeypatch.delenv('KUBECONFIG', raising=False)
    monkeypatch.delenv('KOPS_STATE_STORE', raising=False)
    return fake


def run(kops, tmp_path, check_mode=False, diff=False, **params):
    args = dict(name=NAME, state_store=STORE, binary_path=kops.binary)
    args.update(params)
    args.update(_ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_remote_tmp=str(tmp_path / 'remote'),
                _ansible_keep_remote_files=False)
    return call_main(kops_kubecfg, args)


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_creates_a_new_file_with_parents_and_mode_0600(kops, tmp_path):
    target = tmp_path / 'home' / '.kube' / 'config'
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert not failed, result
    assert result['changed'] is True
    assert result['exported'] is True
    assert result['export_reason'] == 'the context is missing'
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700
    data = yaml.safe_load(target.read_text())
    assert data['current-context'] == NAME
    assert [c['name'] for c in data['contexts']] == [NAME]
    assert result['context'] == NAME
    assert result['server'] == SERVER
    assert result['kubeconfig'] == str(target)
    assert 17 * 3600 < result['expires_in_seconds'] <= 18 * 3600
    assert result['expires'].endswith('+00:00')
    assert result['kops_version'] == '1.36.2'


def test_exact_argv_and_private_export_file(kops, tmp_path):
    target = tmp_path / 'config'
    run(kops, tmp_path, kubeconfig=str(target), admin_ttl='87600h', renew_before='24h', internal=True)
    assert kops.calls[0] == [kops.binary, 'version', '--short']
    (export,) = kops.exports
    exported_to = export[7]
    assert export == [kops.binary, 'export', 'kubecfg', '--name', NAME, '--admin=87600h', '--kubeconfig', exported_to,
                      '--internal', '--state', STORE]
    # kops never writes the real kubeconfig; its own file is thrown away.
    assert exported_to != str(target)
    assert not os.path.exists(exported_to)


@pytest.mark.parametrize('ttl, renew', [(72000, 3600), ('72000', '3600'), ('20h', '1h')])
def test_seconds_reach_kops_as_a_go_duration(kops, tmp_path, ttl, renew):
    failed, result = run(kops, tmp_path, kubeconfig=str(tmp_path / 'config'), admin_ttl=ttl, renew_before=renew)
    assert not failed, result
    (export,) = kops.exports
    assert '--admin=20h' in export


def test_keeps_other_entries_byte_for_byte(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text(OTHER)
    target.chmod(0o600)
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert not failed, result
    text = target.read_text()
    for block in OTHER_BLOCKS:
        assert block in text
    data = yaml.safe_load(text)
    assert [c['name'] for c in data['contexts']] == ['prod', NAME]
    assert data['current-context'] == NAME


def test_second_run_changes_nothing(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text(OTHER)
    run(kops, tmp_path, kubeconfig=str(target))
    first = target.read_bytes()
    first_stat = os.stat(str(target))
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert not failed, result
    assert result['changed'] is False
    assert result['exported'] is False
    assert 'export_reason' not in result
    assert target.read_bytes() == first
    assert os.stat(str(target)).st_ino == first_stat.st_ino  # not even rewritten
    assert result['expires_in_seconds'] > 17 * 3600


def test_check_mode_writes_nothing(kops, tmp_path):
    target = tmp_path / 'sub' / 'config'
    failed, result = run(kops, tmp_path, check_mode=True, kubeconfig=str(target))
    assert not failed, result
    assert result['changed'] is True
    assert result['exported'] is True
    assert not target.parent.exists()


def test_check_mode_after_a_real_run_is_not_changed(kops, tmp_path):
    target = tmp_path / 'config'
    run(kops, tmp_path, kubeconfig=str(target))
    before = target.read_bytes()
    failed, result = run(kops, tmp_path, check_mode=True, kubeconfig=str(target))
    assert result['changed'] is False
    assert target.read_bytes() == before


def test_renews_a_certificate_that_expires_soon(kops, tmp_path):
    target = tmp_path / 'config'
    run(kops, tmp_path, kubeconfig=str(target), admin_ttl='2h')
    first = yaml.safe_load(target.read_text())
    # 2 h left, renew when less than 3 h are left
    failed, result = run(kops, tmp_path, kubeconfig=str(target), admin_ttl='18h', renew_before='3h')
    assert result['changed'] is True
    assert result['export_reason'].startswith('the client certificate expires at ')
    second = yaml.safe_load(target.read_text())
    assert second['users'][0]['user'] != first['users'][0]['user']
    assert result['expires_in_seconds'] > 17 * 3600


def test_reexports_when_the_server_changed(kops, tmp_path):
    target = tmp_path / 'config'
    run(kops, tmp_path, kubeconfig=str(target))
    kops.server = 'https://api-new.example.com'
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert result['changed'] is True
    assert result['export_reason'] == 'the context points at another API server or CA'
    assert yaml.safe_load(target.read_text())['clusters'][0]['cluster']['server'] == 'https://api-new.example.com'


def test_reexports_when_the_user_has_no_certificate(kops, tmp_path):
    # What `update cluster --yes` without --admin leaves: a context whose user has no credential.
    target = tmp_path / 'config'
    run(kops, tmp_path, kubeconfig=str(target))
    data = yaml.safe_load(target.read_text())
    data['users'][0]['user'] = {}
    target.write_text(yaml.safe_dump(data))
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert result['changed'] is True
    assert result['export_reason'] == 'the user has no client certificate'


def test_set_current_context_false_leaves_it_alone(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text(OTHER)
    failed, result = run(kops, tmp_path, kubeconfig=str(target), set_current_context=False)
    assert result['current_context'] == 'prod'
    assert yaml.safe_load(target.read_text())['current-context'] == 'prod'
    # and switching it later is a change that needs no new certificate
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert result['changed'] is True
    assert result['exported'] is False
    assert yaml.safe_load(target.read_text())['current-context'] == NAME


def test_new_file_without_current_context(kops, tmp_path):
    target = tmp_path / 'config'
    failed, result = run(kops, tmp_path, kubeconfig=str(target), set_current_context=False)
    assert yaml.safe_load(target.read_text())['current-context'] == ''
    assert result['current_context'] is None


def test_tightens_a_world_readable_file(kops, tmp_path):
    target = tmp_path / 'config'
    run(kops, tmp_path, kubeconfig=str(target))
    target.chmod(0o644)
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert result['changed'] is True
    assert result['exported'] is False
    assert mode(target) == 0o600


def test_existing_file_mode_is_0600_after_write(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text(OTHER)
    target.chmod(0o644)
    run(kops, tmp_path, kubeconfig=str(target))
    assert mode(target) == 0o600


def test_default_path_is_the_first_kubeconfig_entry(kops, tmp_path, monkeypatch):
    first, second = tmp_path / 'a' / 'config', tmp_path / 'b' / 'config'
    monkeypatch.setenv('KUBECONFIG', os.pathsep.join([str(first), str(second)]))
    failed, result = run(kops, tmp_path)
    assert result['kubeconfig'] == str(first)
    assert first.exists() and not second.exists()


def test_diff_never_shows_credentials(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text(OTHER)
    failed, result = run(kops, tmp_path, diff=True, kubeconfig=str(target))
    diff = result['diff']
    assert diff['before'] == {'current_context': 'prod'}
    assert diff['after']['context'] == {'name': NAME, 'cluster': NAME, 'user': NAME}
    assert diff['after']['server'] == SERVER
    assert diff['after']['current_context'] == NAME
    rendered = repr(result)
    user = yaml.safe_load(target.read_text())['users'][1]['user']
    for secret in (user['client-certificate-data'], user['client-key-data'], CA, 's3cr3t'):
        assert secret not in rendered


def test_without_cryptography_keeps_the_certificate_and_warns(kops, tmp_path, monkeypatch):
    target = tmp_path / 'config'
    run(kops, tmp_path, kubeconfig=str(target))
    before = target.read_bytes()
    monkeypatch.setattr(_kubeconfig, 'HAS_CRYPTOGRAPHY', False)
    monkeypatch.setattr(kops_kubecfg, 'HAS_CRYPTOGRAPHY', False)
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert result['changed'] is False
    assert result['expires'] is None
    assert target.read_bytes() == before
    assert any('cryptography' in w for w in warnings)


# -- failures before anything is written ------------------------------------------------

@pytest.mark.parametrize('params, message', [
    (dict(admin_ttl='18 h'), 'admin_ttl: '),
    (dict(admin_ttl='1d'), 'admin_ttl: '),
    (dict(admin_ttl='0'), 'which means no admin credential'),
    (dict(admin_ttl=''), 'which means no admin credential'),
    (dict(admin_ttl=0), 'which means no admin credential'),
    (dict(admin_ttl=1800, renew_before='1h'), 'renew_before (1h) must be shorter than admin_ttl (30m)'),
    (dict(renew_before='soon'), 'renew_before: '),
    (dict(admin_ttl='1h', renew_before='1h'), 'renew_before (1h) must be shorter than admin_ttl (1h)'),
])
def test_bad_input_fails_before_kops_runs(kops, tmp_path, params, message):
    target = tmp_path / 'config'
    failed, result = run(kops, tmp_path, kubeconfig=str(target), **params)
    assert failed
    assert message in result['msg']
    assert kops.calls == []
    assert not target.exists()


def test_a_directory_is_not_a_kubeconfig(kops, tmp_path):
    failed, result = run(kops, tmp_path, kubeconfig=str(tmp_path))
    assert failed
    assert 'is a directory' in result['msg']
    assert kops.calls == []


def test_a_broken_kubeconfig_is_left_alone(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text('clusters: [unclosed\n')
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert failed
    assert 'cannot be updated safely: not valid YAML' in result['msg']
    assert kops.calls == []
    assert target.read_text() == 'clusters: [unclosed\n'


def test_missing_cluster(kops, tmp_path):
    kops.export_rc = 1
    kops.export_stderr = 'Error: error reading cluster configuration: Cluster.kops.k8s.io "%s" not found\n' % NAME
    target = tmp_path / 'config'
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert failed
    assert result['msg'].startswith('Cluster %s was not found in the state store %s.' % (NAME, STORE))
    assert result['error_kind'] == 'not_found'
    assert not target.exists()


def test_missing_state_store_fails_before_kops_runs(kops, tmp_path):
    args = dict(name=NAME, binary_path=kops.binary, kubeconfig=str(tmp_path / 'config'),
                _ansible_remote_tmp=str(tmp_path / 'remote'))
    failed, result = call_main(kops_kubecfg, args)
    assert failed
    assert 'No kops state store' in result['msg']
    assert kops.calls == []


# -- state=absent ---------------------------------------------------------------------------

def test_absent_removes_only_our_entries_without_kops(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text(OTHER)
    run(kops, tmp_path, kubeconfig=str(target))
    kops.calls[:] = []
    failed, result = run(kops, tmp_path, kubeconfig=str(target), state='absent')
    assert not failed, result
    assert result['changed'] is True
    assert kops.calls == []
    text = target.read_text()
    assert text == OTHER.replace('current-context: prod\n', "current-context: ''\n")
    assert mode(target) == 0o600


def test_absent_twice_is_not_changed(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text(OTHER)
    target.chmod(0o600)
    failed, result = run(kops, tmp_path, kubeconfig=str(target), state='absent')
    assert result['changed'] is False
    assert target.read_text() == OTHER


def test_absent_keeps_a_current_context_that_is_not_ours(kops, tmp_path):
    target = tmp_path / 'config'
    target.write_text(OTHER)
    run(kops, tmp_path, kubeconfig=str(target), set_current_context=False)
    failed, result = run(kops, tmp_path, kubeconfig=str(target), state='absent')
    assert result['changed'] is True
    assert target.read_text() == OTHER


def test_absent_check_mode(kops, tmp_path):
    target = tmp_path / 'config'
    run(kops, tmp_path, kubeconfig=str(target))
    before = target.read_bytes()
    failed, result = run(kops, tmp_path, check_mode=True, kubeconfig=str(target), state='absent')
    assert result['changed'] is True
    assert target.read_bytes() == before


def test_absent_without_a_file(kops, tmp_path):
    failed, result = run(kops, tmp_path, kubeconfig=str(tmp_path / 'nope'), state='absent')
    assert result['changed'] is False
    assert not (tmp_path / 'nope').exists()


def test_writes_through_a_symlinked_kubeconfig(kops, tmp_path):
    real = tmp_path / 'dotfiles' / 'kubeconfig'
    real.parent.mkdir()
    real.write_text(OTHER)
    link = tmp_path / 'config'
    link.symlink_to(real)
    failed, result = run(kops, tmp_path, kubeconfig=str(link))
    assert not failed, result
    assert link.is_symlink()
    assert NAME in real.read_text()
    assert mode(real) == 0o600


# -- parent directories, lock and atomic replace (issue 8) ------------------------------------------


class NamedKops(FakeKops):
    """Exports whichever cluster ``--name`` names; ``during_export(name, path)`` runs while kops "works"."""

    def __init__(self, during_export=None):
        super(NamedKops, self).__init__()
        self.during_export = during_export

    def __call__(self, module, args, **kwargs):
        if args[1:3] != ['export', 'kubecfg']:
            return super(NamedKops, self).__call__(module, args, **kwargs)
        self.calls.append(list(args))
        name = args[args.index('--name') + 1]
        if self.during_export is not None:
            self.during_export(name, module.params['kubeconfig'])
        with open(args[args.index('--kubeconfig') + 1], 'w') as handle:
            handle.write(kops_kubeconfig().replace(NAME, name))
        return 0, 'kOps has set your kubectl context to %s\n' % name, ''


def use(monkeypatch, fake):
    def run_command(self, args, **kwargs):
        return fake(self, args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    return fake


def run_named(fake, tmp_path, name, kubeconfig, check_mode=False):
    remote = tmp_path / ('remote-' + name)
    args = dict(name=name, state_store=STORE, binary_path=fake.binary, kubeconfig=str(kubeconfig),
                _ansible_check_mode=check_mode, _ansible_diff=False, _ansible_remote_tmp=str(remote),
                _ansible_keep_remote_files=False)
    return call_main(kops_kubecfg, args)


def lock_is_free(kubeconfig):
    fd = os.open(_kubeconfig.lock_path(str(kubeconfig)), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_every_created_parent_directory_is_0700(kops, tmp_path, umask_022):
    home = tmp_path / 'home'
    home.mkdir()
    home.chmod(0o751)
    target = home / 'ops' / 'kube' / 'fleet' / 'config'
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert not failed, result
    assert [mode(d) for d in (home / 'ops', home / 'ops' / 'kube', target.parent)] == [0o700] * 3
    assert mode(home) == 0o751  # it existed: never chmodded
    assert mode(target) == 0o600


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_file(kops, tmp_path, monkeypatch):
    target = tmp_path / 'kube' / 'config'
    target.parent.mkdir()
    target.write_text(OTHER)
    real_mkstemp = kops_kubecfg.tempfile.mkstemp

    def read_only_mkstemp(*args, **kwargs):
        """A temporary file whose writes fail part-way (EBADF), as a full disk would."""
        fd, name = real_mkstemp(*args, **kwargs)
        os.close(fd)
        return os.open(name, os.O_RDONLY), name

    monkeypatch.setattr(kops_kubecfg.tempfile, 'mkstemp', read_only_mkstemp)
    new = tmp_path / 'fresh' / 'config'
    failed, result = run(kops, tmp_path, kubeconfig=str(new))
    assert failed
    assert not new.exists()  # never an empty or partial kubeconfig
    assert lock_is_free(new)

    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert failed
    assert result['msg'].startswith('Could not write kubeconfig %s: ' % target)
    assert target.read_text() == OTHER
    assert sorted(p.name for p in target.parent.iterdir()) == ['config', 'config' + _kubeconfig.LOCK_SUFFIX]
    assert lock_is_free(target)


def test_the_lock_is_released_when_the_file_turns_bad_under_it(tmp_path, monkeypatch):
    target = tmp_path / 'config'
    target.write_text(OTHER)

    def break_the_file(name, path):
        with open(path, 'w') as handle:
            handle.write('clusters: {not: a list}\n')

    fake = use(monkeypatch, NamedKops(during_export=break_the_file))
    fake.binary = fake_binary(tmp_path)
    patch_exits(monkeypatch)
    failed, result = run_named(fake, tmp_path, NAME, target)
    assert failed
    assert 'cannot be updated safely' in result['msg']
    assert lock_is_free(target)


def test_the_merge_starts_from_the_file_as_it_is_under_the_lock(tmp_path, monkeypatch):
    """Another writer adds its context while kops exports: it must survive this run's write."""
    target = tmp_path / 'config'
    target.write_text(OTHER)
    other = kops_kubeconfig().replace(NAME, 'other.k8s.local')
    fresh_other = _kubeconfig.Kubeconfig(other)

    def concurrent_writer(name, path):
        config = _kubeconfig.Kubeconfig(target.read_text())
        for section in ('clusters', 'users', 'contexts'):
            config.upsert(section, fresh_other.data[section][0])
        target.write_text(config.text)

    fake = use(monkeypatch, NamedKops(during_export=concurrent_writer))
    fake.binary = fake_binary(tmp_path)
    patch_exits(monkeypatch)
    failed, result = run_named(fake, tmp_path, NAME, target)
    assert not failed, result
    data = yaml.safe_load(target.read_text())
    assert [c['name'] for c in data['contexts']] == ['prod', 'other.k8s.local', NAME]
    for block in OTHER_BLOCKS:
        assert block in target.read_text()


def test_the_renewal_is_decided_on_the_file_under_the_lock(tmp_path, monkeypatch):
    """A parallel run renewed the certificate while kops exported: this run must keep that one."""
    target = tmp_path / 'config'
    target.write_text(kops_kubeconfig(hours=0.5))  # about to expire: a renewal is due when first read
    target.chmod(0o600)
    renewed_meanwhile = kops_kubeconfig(hours=18)

    def parallel_renewal(name, path):
        target.write_text(renewed_meanwhile)

    fake = use(monkeypatch, NamedKops(during_export=parallel_renewal))
    fake.binary = fake_binary(tmp_path)
    patch_exits(monkeypatch)
    failed, result = run_named(fake, tmp_path, NAME, target)
    assert not failed, result
    assert result['exported'] is False
    assert result['changed'] is False
    assert target.read_text() == renewed_meanwhile


def test_no_lock_file_for_check_mode_or_a_run_without_changes(kops, tmp_path):
    target = tmp_path / 'kube' / 'config'
    failed, result = run(kops, tmp_path, check_mode=True, kubeconfig=str(target))
    assert not failed and result['changed']
    assert not target.parent.exists()
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert not failed and result['changed']
    lock = target.parent / ('config' + _kubeconfig.LOCK_SUFFIX)
    assert lock.exists() and mode(lock) == 0o600
    # kubectl's own lock name stays free, or `kubectl config ...` would fail with "file exists"
    assert not (target.parent / 'config.lock').exists()
    lock.unlink()
    failed, result = run(kops, tmp_path, kubeconfig=str(target))
    assert not failed and not result['changed']
    assert not lock.exists()


def _export_in_a_child(fake, tmp_path, name, target, barrier, outcome):
    """Runs in a forked process: one kops_kubecfg run; the barrier makes every run read before any writes."""
    fake.during_export = lambda *a: barrier.wait(30)
    try:
        failed, result = run_named(fake, tmp_path, name, target)
        outcome.put((name, failed, result.get('msg')))
    except BaseException as exc:  # pragma: no cover - reported to the parent
        outcome.put((name, True, repr(exc)))
    finally:
        outcome.close()
        outcome.join_thread()
        os._exit(0)


def test_parallel_exports_keep_every_context(tmp_path, monkeypatch):
    target = tmp_path / 'kube' / 'config'
    target.parent.mkdir()
    target.write_text(OTHER)
    fake = use(monkeypatch, NamedKops())
    fake.binary = fake_binary(tmp_path)
    patch_exits(monkeypatch)
    names = ['c%d.k8s.local' % i for i in range(6)]
    fork = multiprocessing.get_context('fork')
    barrier, outcome = fork.Barrier(len(names)), fork.Queue()
    children = [fork.Process(target=_export_in_a_child, args=(fake, tmp_path, name, target, barrier, outcome))
                for name in names]
    for child in children:
        child.start()
    results = [outcome.get(timeout=120) for dummy in children]
    for child in children:
        child.join(60)
    assert [r for r in results if r[1]] == []
    text = target.read_text()
    data = yaml.safe_load(text)
    assert sorted(c['name'] for c in data['contexts']) == sorted(['prod'] + names)
    assert sorted(u['name'] for u in data['users']) == sorted(['prod-admin'] + names)
    assert sorted(c['name'] for c in data['clusters']) == sorted(['prod'] + names)
    for block in OTHER_BLOCKS:
        assert block in text  # the user's own entries, byte for byte
    assert data['current-context'] in names
    assert mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ['config', 'config' + _kubeconfig.LOCK_SUFFIX]


@pytest.mark.parametrize('params, warned', [
    (dict(admin_ttl='87600h'), True),
    (dict(admin_ttl='169h'), True),
    (dict(admin_ttl='168h'), False),
    (dict(admin_ttl='87600h', admin_ttl_ceiling='87600h'), False),
    (dict(admin_ttl=86400 * 30, admin_ttl_ceiling=0), False),
])
def test_long_admin_ttl_is_allowed_with_a_warning(kops, tmp_path, monkeypatch, params, warned):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    failed, result = run(kops, tmp_path, kubeconfig=str(tmp_path / 'config'), **params)
    assert not failed, result.get('msg')
    risk = [w for w in warnings if 'longer than admin_ttl_ceiling' in w]
    assert bool(risk) is warned
    if warned:
        assert 'cannot revoke a client certificate' in risk[0]
