# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Module documentation must load with only this collection installed (no amazon.aws).

galaxy-importer runs one ``ansible-doc --json`` over all modules in such a sterile tree;
one module borrowing another collection's doc fragment blanks the docs of every module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                 if name.endswith('.py') and not name.startswith('_'))


def test_every_module_documents_itself_without_other_collections(tmp_path):
    dest = tmp_path / 'ansible_collections' / 'cloudops' / 'kops'
    dest.mkdir(parents=True)
    shutil.copytree(os.path.join(ROOT, 'plugins'), str(dest / 'plugins'))
    shutil.copytree(os.path.join(ROOT, 'meta'), str(dest / 'meta'))
    shutil.copy(os.path.join(ROOT, 'galaxy.yml'), str(dest / 'galaxy.yml'))
    env = dict(os.environ,
               ANSIBLE_COLLECTIONS_PATH=str(tmp_path),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_HOME=str(tmp_path / 'home'),
               ANSIBLE_NOCOLOR='1')
    proc = subprocess.run(
        [sys.executable, '-c', 'import sys; from ansible.cli.doc import main; main(["ansible-doc"] + sys.argv[1:])',
         '--json', '-t', 'module'] + ['cloudops.kops.%s' % m for m in MODULES],
        env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert sorted(docs) == ['cloudops.kops.%s' % m for m in MODULES]
    for name, entry in docs.items():
        assert entry.get('doc'), name
        options = entry['doc']['options']
        # The AWS connection options come from the collection's own fragment.
        for option in ('access_key', 'secret_key', 'session_token', 'profile', 'region', 'endpoint_url',
                       'validate_certs', 'aws_ca_bundle'):
            assert option in options, (name, option)
        # An option that sends the reader to the Notes for its duration syntax finds the note there.
        refers = sorted(option for option, spec in options.items() if 'duration (see Notes)' in json.dumps(spec)
                        or 'a duration, see Notes' in json.dumps(spec))
        if refers:
            assert any(note.startswith('Durations:') for note in entry['doc'].get('notes', [])), (name, refers)
