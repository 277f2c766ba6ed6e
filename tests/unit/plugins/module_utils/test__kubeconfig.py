# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import datetime
import os

import pytest
import yaml

from ansible_collections.cloudops.kops.plugins.module_utils import _kubeconfig
from ansible_collections.cloudops.kops.plugins.module_utils._kubeconfig import (
    Kubeconfig,
    KubeconfigError,
    certificate_not_after,
    client_certificate,
    default_path,
)

# Hand-written the way people leave them: comments, quoting, two indentation styles.
OTHERS = """\
apiVersion: v1
# production first
clusters:
- cluster:
    certificate-authority-data: QUJD
    server: "https://prod.example.com:6443"   # via VPN
  name: prod
- cluster:
    insecure-skip-tls-verify: true
    server: https://127.0.0.1:6443
  name: 'kind-dev'
contexts:
  - context:
      cluster: prod
      user: prod-admin
      namespace: "default"
    name: prod
  - context: {cluster: kind-dev, user: kind-dev}
    name: kind-dev
current-context: prod
kind: Config
preferences: {}
users:
- name: prod-admin
  user:
    token: s3cr3t   # rotated monthly
- name: kind-dev
  user:
    client-certificate: dev.crt
    client-key: dev.key
"""

OURS_CLUSTER = {'cluster': {'certificate-authority-data': 'Q0E=', 'server': 'https://api.fleetman',
                            'tls-server-name': 'api.internal.fleetman.k8s.local'}, 'name': 'fleetman.k8s.local'}
OURS_CONTEXT = {'context': {'cluster': 'fleetman.k8s.local', 'user': 'fleetman.k8s.local'}, 'name': 'fleetman.k8s.local'}
OURS_USER = {'name': 'fleetman.k8s.local', 'user': {'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ'}}


def other_blocks():
    """Each entry we do not own, as the exact text it must keep."""
    return [
        '- cluster:\n    certificate-authority-data: QUJD\n    server: "https://prod.example.com:6443"   # via VPN\n  name: prod\n',
        "- cluster:\n    insecure-skip-tls-verify: true\n    server: https://127.0.0.1:6443\n  name: 'kind-dev'\n",
        '  - context:\n      cluster: prod\n      user: prod-admin\n      namespace: "default"\n    name: prod\n',
        '  - context: {cluster: kind-dev, user: kind-dev}\n    name: kind-dev\n',
        '- name: prod-admin\n  user:\n    token: s3cr3t   # rotated monthly\n',
        '- name: kind-dev\n  user:\n    client-certificate: dev.crt\n    client-key: dev.key\n',
        '# production first\n',
    ]


def add_ours(config):
    config.upsert('clusters', OURS_CLUSTER)
    config.upsert('users', OURS_USER)
    config.upsert('contexts', OURS_CONTEXT)


def test_default_path_prefers_the_first_kubeconfig_entry():
    assert default_path({'KUBECONFIG': os.pathsep.join(['', '/a/config', '/b/config'])}) == '/a/config'


def test_default_path_falls_back_to_home(monkeypatch):
    monkeypatch.setenv('HOME', '/home/ops')
    assert default_path({}) == '/home/ops/.kube/config'
    assert default_path({'KUBECONFIG': ''}) == '/home/ops/.kube/config'


def test_upsert_keeps_every_other_entry_byte_for_byte():
    config = Kubeconfig(OTHERS)
    add_ours(config)
    for block in other_blocks():
        assert block in config.text
    data = yaml.safe_load(config.text)
    assert [c['name'] for c in data['clusters']] == ['prod', 'kind-dev', 'fleetman.k8s.local']
    assert [c['name'] for c in data['contexts']] == ['prod', 'kind-dev', 'fleetman.k8s.local']
    assert [u['name'] for u in data['users']] == ['prod-admin', 'kind-dev', 'fleetman.k8s.local']
    assert config.entry('contexts', 'fleetman.k8s.local') == OURS_CONTEXT
    assert config.entry('clusters', 'fleetman.k8s.local') == OURS_CLUSTER
    assert config.current_context == 'prod'


def test_new_entries_follow_the_sequence_indentation():
    config = Kubeconfig(OTHERS)
    add_ours(config)
    assert '  - context:\n      cluster: fleetman.k8s.local\n      user: fleetman.k8s.local\n    name: fleetman.k8s.local\n' \
        in config.text


def test_remove_after_upsert_gives_back_the_original_text():
    config = Kubeconfig(OTHERS)
    add_ours(config)
    for section in ('contexts', 'users', 'clusters'):
        assert config.remove(section, 'fleetman.k8s.local') is True
    assert config.text == OTHERS


def test_replacing_an_entry_touches_only_its_lines():
    config = Kubeconfig(OTHERS)
    add_ours(config)
    before = config.text
    renewed = {'name': 'fleetman.k8s.local', 'user': {'client-certificate-data': 'TkVX', 'client-key-data': 'TkVXS0VZ'}}
    config.upsert('users', renewed)
    assert config.entry('users', 'fleetman.k8s.local') == renewed
    assert config.text == before.replace('Q0VSVA==', 'TkVX').replace('S0VZ\n', 'TkVXS0VZ\n')


def test_replacing_an_entry_in_the_middle():
    config = Kubeconfig(OTHERS)
    replacement = {'cluster': {'server': 'https://new'}, 'name': 'prod'}
    config.upsert('clusters', replacement)
    assert config.entry('clusters', 'prod') == replacement
    assert config.entry('clusters', 'kind-dev')['cluster']['server'] == 'https://127.0.0.1:6443'
    assert '# production first\n' in config.text
    for block in other_blocks()[1:]:
        assert block in config.text


def test_remove_a_missing_entry_changes_nothing():
    config = Kubeconfig(OTHERS)
    assert config.remove('users', 'nobody') is False
    assert config.text == OTHERS


def test_removing_the_last_entry_leaves_an_empty_list():
    config = Kubeconfig('apiVersion: v1\nusers:\n- name: a\n  user: {}\nkind: Config\n')
    config.remove('users', 'a')
    assert config.text == 'apiVersion: v1\nusers: []\nkind: Config\n'
    assert yaml.safe_load(config.text)['users'] == []


@pytest.mark.parametrize('text', [
    'apiVersion: v1\nusers: null\nkind: Config\n',      # what kops writes without --admin
    'apiVersion: v1\nusers: []\nkind: Config\n',
    'apiVersion: v1\nusers:\nkind: Config\n',
])
def test_upsert_into_an_empty_section(text):
    config = Kubeconfig(text)
    config.upsert('users', OURS_USER)
    data = yaml.safe_load(config.text)
    assert data['users'] == [OURS_USER]
    assert data['kind'] == 'Config'
    assert config.text.startswith('apiVersion: v1\nusers:\n- name: fleetman.k8s.local\n')


def test_upsert_into_a_flow_sequence_keeps_its_entries():
    config = Kubeconfig('users: [{name: a, user: {token: t}}]\n')
    config.upsert('users', OURS_USER)
    assert yaml.safe_load(config.text)['users'] == [{'name': 'a', 'user': {'token': 't'}}, OURS_USER]


def test_upsert_adds_a_missing_section_at_the_end():
    config = Kubeconfig('apiVersion: v1\nkind: Config')
    config.upsert('contexts', OURS_CONTEXT)
    assert config.text.startswith('apiVersion: v1\nkind: Config\ncontexts:\n- context:\n')
    assert config.entry('contexts', 'fleetman.k8s.local') == OURS_CONTEXT


def test_set_current_context_replaces_only_the_value():
    config = Kubeconfig(OTHERS)
    config.set_current_context('fleetman.k8s.local')
    assert config.text == OTHERS.replace('current-context: prod\n', 'current-context: fleetman.k8s.local\n')


def test_set_current_context_quotes_what_yaml_would_misread():
    config = Kubeconfig('current-context: ""\n')
    config.set_current_context('true')
    assert yaml.safe_load(config.text)['current-context'] == 'true'
    config.set_current_context('')
    assert config.text == "current-context: ''\n"
    assert config.current_context is None


def test_set_current_context_adds_the_key():
    config = Kubeconfig('apiVersion: v1\n')
    config.set_current_context('fleetman.k8s.local')
    assert config.text == 'apiVersion: v1\ncurrent-context: fleetman.k8s.local\n'


def test_new_file_is_a_complete_kubeconfig():
    config = Kubeconfig.new()
    add_ours(config)
    config.set_current_context('fleetman.k8s.local')
    data = yaml.safe_load(config.text)
    assert data['apiVersion'] == 'v1'
    assert data['kind'] == 'Config'
    assert data['current-context'] == 'fleetman.k8s.local'
    assert data['contexts'] == [OURS_CONTEXT]


def test_empty_text_is_an_empty_kubeconfig():
    config = Kubeconfig('')
    assert config.current_context is None
    assert config.entry('contexts', 'x') is None
    config.upsert('clusters', OURS_CLUSTER)
    assert yaml.safe_load(config.text) == {'clusters': [OURS_CLUSTER]}


@pytest.mark.parametrize('text, message', [
    ('clusters: [unclosed\n', 'not valid YAML'),
    ('- a\n- b\n', 'not a mapping'),
    ('users: {name: a}\n', 'users is not a list of mappings'),
    ('contexts:\n- just-a-string\n', 'contexts is not a list of mappings'),
])
def test_refuses_files_it_cannot_edit_safely(text, message):
    with pytest.raises(KubeconfigError, match=message):
        Kubeconfig(text)


# -- certificates ------------------------------------------------------------------------

def make_certificate(not_after):
    """A self-signed PEM certificate that expires at ``not_after``."""
    x509 = pytest.importorskip('cryptography.x509')
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'kubecfg')])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_after - datetime.timedelta(days=1)).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def test_not_after_from_inline_data():
    expiry = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    pem = make_certificate(expiry)
    user = {'name': 'u', 'user': {'client-certificate-data': base64.b64encode(pem).decode()}}
    assert client_certificate(user, '/nowhere') == pem
    assert certificate_not_after(client_certificate(user, '/nowhere')) == expiry


def test_not_after_from_a_file_relative_to_the_kubeconfig(tmp_path):
    expiry = datetime.datetime(2031, 6, 1, tzinfo=datetime.timezone.utc)
    (tmp_path / 'admin.crt').write_bytes(make_certificate(expiry))
    user = {'name': 'u', 'user': {'client-certificate': 'admin.crt'}}
    assert certificate_not_after(client_certificate(user, str(tmp_path))) == expiry


def test_no_certificate():
    assert client_certificate({'name': 'u', 'user': {'token': 't'}}, '/') is None
    assert client_certificate(None, '/') is None
    assert client_certificate({'name': 'u', 'user': {'client-certificate': 'missing.crt'}}, '/nonexistent') is None
    assert certificate_not_after(b'not a certificate') is None


def test_without_cryptography_the_expiry_is_unknown(monkeypatch):
    pem = make_certificate(datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc))
    monkeypatch.setattr(_kubeconfig, 'HAS_CRYPTOGRAPHY', False)
    assert certificate_not_after(pem) is None
