# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Read and edit a kubeconfig file without disturbing what other tools put in it.

Edits are made on the text, at the exact spans PyYAML's composer reports, so entries this
module does not own (other clusters, contexts, users, comments, quoting, order) stay
byte-for-byte as they were. Only the named entries and ``current-context`` are rewritten.
"""

from __future__ import annotations

import base64
import datetime
import os
import traceback

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_YAML = True
    YAML_IMPORT_ERROR = None

try:
    from cryptography import x509
except ImportError:
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None

SECTIONS = ('clusters', 'contexts', 'users')
# Keys whose values are credentials: never returned, never shown in a diff.
SECRET_KEYS = frozenset((
    'client-certificate-data', 'client-key-data', 'token', 'password', 'username',
))


class KubeconfigError(ValueError):
    """The text is not a kubeconfig this module can edit safely."""


def default_path(environ=None):
    """Where kubectl would read and write: the first KUBECONFIG entry, else ~/.kube/config."""
    environ = os.environ if environ is None else environ
    for entry in environ.get('KUBECONFIG', '').split(os.pathsep):
        if entry:
            return os.path.expanduser(entry)
    return os.path.expanduser(os.path.join('~', '.kube', 'config'))


# Not ``<kubeconfig>.lock``: kubectl (client-go's clientcmd) creates that name with O_EXCL for
# the length of its own write and deletes it afterwards, so a lock file of that name that stays
# in place (as a flock file must) would make every later ``kubectl config ...`` write fail.
LOCK_SUFFIX = '.cloudops-kops.lock'


def lock_path(path):
    """The lock file that guards ``path``: beside the real file, so every symlink to it shares it."""
    return os.path.realpath(path) + LOCK_SUFFIX


def _flow_scalar(value):
    """A YAML scalar as PyYAML would quote it (``true`` or ``123`` must stay strings)."""
    text = yaml.safe_dump([value], default_flow_style=True, width=2 ** 31 - 1).strip()
    return text[1:-1]


def _block_item(entry, indent):
    """One ``- name: ...`` sequence item, indented like its future siblings."""
    text = yaml.safe_dump([entry], default_flow_style=False, sort_keys=False, width=2 ** 31 - 1)
    return ''.join(indent + line for line in text.splitlines(True))


def _last_descendant(node):
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


class Kubeconfig(object):
    """A kubeconfig held as text; every edit re-parses so spans are never stale."""

    def __init__(self, text=''):
        if not HAS_YAML:
            raise KubeconfigError('PyYAML is required to read kubeconfig files')
        self.text = text
        self._parse()

    def _parse(self):
        try:
            data = yaml.safe_load(self.text)
            root = yaml.compose(self.text)
        except yaml.YAMLError as exc:
            raise KubeconfigError('not valid YAML: %s' % exc)
        if data is None:
            data, root = {}, None
        if not isinstance(data, dict) or (root is not None and not isinstance(root, yaml.MappingNode)):
            raise KubeconfigError('the top level is not a mapping')
        for section in SECTIONS:
            items = data.get(section)
            if items is None:
                continue
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise KubeconfigError('%s is not a list of mappings' % section)
        self.data = data
        self._root = root

    # -- reading ---------------------------------------------------------------

    @property
    def current_context(self):
        return self.data.get('current-context') or None

    def entry(self, section, name):
        for item in self.data.get(section) or []:
            if item.get('name') == name:
                return item
        return None

    def names(self, section):
        return [item.get('name') for item in self.data.get(section) or []]

    # -- editing ---------------------------------------------------------------

    def _key_nodes(self, key):
        if self._root is None:
            return None, None
        for key_node, value_node in self._root.value:
            if key_node.value == key:
                return key_node, value_node
        return None, None

    def _replace(self, start, end, new):
        self.text = self.text[:start] + new + self.text[end:]
        self._parse()

    def _line_start(self, index):
        return self.text.rfind('\n', 0, index) + 1

    def _line_end(self, index):
        end = self.text.find('\n', index)
        return len(self.text) if end == -1 else end + 1

    def _item_span(self, item_node):
        """From the start of the item's ``-`` line to the end of its last line."""
        dash = self.text.rfind('-', 0, item_node.start_mark.index)
        start = self._line_start(dash)
        end = self._line_end(max(_last_descendant(item_node).end_mark.index - 1, item_node.start_mark.index))
        return start, end, ' ' * (dash - start)

    def _append_text(self, new):
        if self.text and not self.text.endswith('\n'):
            new = '\n' + new
        self._replace(len(self.text), len(self.text), new)

    def upsert(self, section, entry):
        """Add or replace the entry with ``entry['name']``; siblings are left untouched."""
        name = entry['name']
        key_node, seq = self._key_nodes(section)
        if key_node is None:
            self._append_text('%s:\n%s' % (section, _block_item(entry, '')))
            return
        if isinstance(seq, yaml.SequenceNode) and not seq.flow_style and seq.value:
            items = list(seq.value)
            for index, item in enumerate(self.data[section]):
                if item.get('name') == name:
                    start, end, indent = self._item_span(items[index])
                    self._replace(start, end, _block_item(entry, indent))
                    return
            start, end, indent = self._item_span(items[-1])
            self._replace(end, end, _block_item(entry, indent))
            return
        # null, [] or a flow sequence: rewrite just this key's value as a block list.
        kept = [item for item in self.data.get(section) or [] if item.get('name') != name]
        block = ''.join(_block_item(item, '') for item in kept + [entry])
        self._replace(key_node.end_mark.index, seq.end_mark.index, ':\n' + block.rstrip('\n'))

    def remove(self, section, name):
        """Drop the named entry; returns whether there was one."""
        key_node, seq = self._key_nodes(section)
        if key_node is None or self.entry(section, name) is None:
            return False
        if isinstance(seq, yaml.SequenceNode) and not seq.flow_style:
            for index, item in enumerate(self.data[section]):
                if item.get('name') == name:
                    start, end, dummy = self._item_span(seq.value[index])
                    self._replace(start, end, '')
                    if not self.data.get(section):
                        key_node, seq = self._key_nodes(section)
                        self._replace(key_node.end_mark.index, seq.end_mark.index, ': []')
                    return True
        kept = [item for item in self.data[section] if item.get('name') != name]
        block = ''.join(_block_item(item, '') for item in kept)
        self._replace(key_node.end_mark.index, seq.end_mark.index, (':\n' + block.rstrip('\n')) if kept else ': []')
        return True

    def set_current_context(self, name):
        key_node, value = self._key_nodes('current-context')
        rendered = _flow_scalar(name or '')
        if key_node is None:
            self._append_text('current-context: %s\n' % rendered)
        else:
            self._replace(key_node.end_mark.index, value.end_mark.index, ': ' + rendered)

    @classmethod
    def new(cls):
        return cls(yaml.safe_dump({
            'apiVersion': 'v1', 'kind': 'Config', 'preferences': {},
            'clusters': [], 'contexts': [], 'users': [], 'current-context': '',
        }, default_flow_style=False))


# -- credentials -------------------------------------------------------------


def client_certificate(user_entry, base_dir):
    """PEM bytes of a user's client certificate (inline data or a file), else None."""
    user = (user_entry or {}).get('user') or {}
    data = user.get('client-certificate-data')
    if data:
        try:
            return base64.b64decode(data)
        except (TypeError, ValueError):
            return None
    path = user.get('client-certificate')
    if path:
        path = os.path.join(base_dir, os.path.expanduser(path))
        try:
            with open(path, 'rb') as handle:
                return handle.read()
        except (IOError, OSError):
            return None
    return None


def certificate_not_after(pem):
    """The certificate's NotAfter as an aware UTC datetime; None when it cannot be read."""
    if not HAS_CRYPTOGRAPHY or not pem:
        return None
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        return None
    not_after = getattr(cert, 'not_valid_after_utc', None)
    if not_after is None:  # cryptography < 42 only has the naive UTC value
        not_after = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return not_after
