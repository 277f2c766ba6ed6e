# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared helpers for the kops_cluster / kops_cluster_info / kops_instance_group unit tests.

Outputs come from the real kops recordings copied under tests/fixtures/kops_reference/.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import namedtuple

from ansible.module_utils import basic
from ansible_collections.cloudops.kops.tests.unit.plugins.module_args_compat import patch_module_args

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'fixtures', 'kops_reference'))
VERSIONS = ('1.30.1', '1.36.2')
STORE = 's3://fleetman-kops-state'
CLUSTER = 'fleetman.k8s.local'

# The argv (without binary and --state) of the kops calls most module tests script.
GET = ('get', 'cluster', CLUSTER, '-o', 'json')
GET_IGS = ('get', 'ig', '--name', CLUSTER, '-o', 'json')
UPDATE_DRY = ('update', 'cluster', '--name', CLUSTER)
UPDATE_YES = ('update', 'cluster', '--name', CLUSTER, '--yes', '--create-kube-config=false')
NO_CHANGES = (0, 'No changes need to be applied\n', '')

Recording = namedtuple('Recording', 'command rc stdout stderr')


def recording(version, number):
    """Parse ``<version>/<number>-*.txt``: header, ``=== STDOUT ===``, ``=== STDERR ===``."""
    folder = os.path.join(FIXTURES, version)
    prefix = '%s-' % number
    names = [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith('.txt')]
    assert len(names) == 1, 'no single recording %s/%s-*' % (version, number)
    with open(os.path.join(folder, names[0])) as handle:
        text = handle.read()
    header, rest = text.split('=== STDOUT ===\n', 1)
    # An empty stdout leaves no newline before the STDERR marker.
    stdout, stderr = ('\n' + rest).split('\n=== STDERR ===\n', 1)
    stdout = stdout[1:]
    stderr = stderr.split('\n=== FILE ', 1)[0]
    command = re.search(r'^command: (.*)$', header, re.M).group(1)
    rc = int(re.search(r'^exit_code: (\d+)$', header, re.M).group(1))
    return Recording(command, rc, stdout, stderr)


def response(version, number):
    rec = recording(version, number)
    return (rec.rc, rec.stdout, rec.stderr)


class AnsibleExit(Exception):
    def __init__(self, kwargs):
        super(AnsibleExit, self).__init__(kwargs.get('msg', 'exit'))
        self.result = kwargs


class AnsibleFail(AnsibleExit):
    pass


class FakeKops(object):
    """Stands in for module.run_command: answers kops argv lists from a script.

    ``script`` maps the argv without the binary and the trailing ``--state STORE``
    (as a tuple) to a response or to a list of responses consumed in order.
    Unscripted commands fail the test.
    """

    def __init__(self, binary, version, script=None):
        self.binary = binary
        self.version = version
        self.calls = []
        self.data = []
        self.environ = []
        self.script = {('version', '--short'): response(version, '01')}
        self.script.update(script or {})

    def add(self, args, *responses):
        self.script[tuple(args)] = list(responses) if len(responses) > 1 else responses[0]

    def __call__(self, argv, data=None, check_rc=False, environ_update=None, **kwargs):
        assert isinstance(argv, list), 'kops must get an argv list, got %r' % (argv,)
        assert argv[0] == self.binary
        self.calls.append(list(argv))
        self.data.append(data)
        self.environ.append(dict(environ_update or {}))
        args = argv[1:]
        if args[-2:-1] == ['--state']:
            assert args[-1] == STORE
            args = args[:-2]
        key = tuple(args)
        if key not in self.script:
            raise AssertionError('unexpected kops call: %r' % (args,))
        answer = self.script[key]
        if isinstance(answer, list):
            assert answer, 'kops call %r made more often than scripted' % (args,)
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        return answer

    def args(self):
        """The calls without binary and --state, as tuples."""
        out = []
        for argv in self.calls:
            args = argv[1:]
            if args[-2:-1] == ['--state']:
                args = args[:-2]
            out.append(tuple(args))
        return out


def fake_binary(tmp_path):
    """An executable file to pass as kops_binary; run_command is mocked, so it never runs."""
    path = tmp_path / 'kops'
    path.write_text('#!/bin/sh\nexit 99\n')
    path.chmod(0o755)
    return str(path)


def patch_exits(monkeypatch):
    """Make exit_json/fail_json raise, so a test gets the module's result back."""
    def exit_json(self, **kwargs):
        raise AnsibleExit(kwargs)

    def fail_json(self, **kwargs):
        raise AnsibleFail(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)


def call_main(module, args):
    """Run ``module.main()`` with ``args`` (exits patched); returns (failed, result)."""
    with patch_module_args(args):
        try:
            module.main()
        except AnsibleFail as exc:
            return True, exc.result
        except AnsibleExit as exc:
            return False, exc.result
    raise AssertionError('module returned without exit_json/fail_json')


def run_module(module, args, fake, monkeypatch):
    """Run ``module.main()`` with ``args`` and ``fake`` as run_command; returns (failed, result)."""
    patch_exits(monkeypatch)
    if fake is not None:
        monkeypatch.setattr(basic.AnsibleModule, 'run_command', lambda self, *a, **kw: fake(*a, **kw))
    else:
        def no_kops(self, *a, **kw):
            raise AssertionError('kops must not run, got %r' % (a,))
        monkeypatch.setattr(basic.AnsibleModule, 'run_command', no_kops)
    monkeypatch.delenv('KOPS_STATE_STORE', raising=False)
    return call_main(module, args)


def json_of(version, number):
    return json.loads(recording(version, number).stdout)


class FakeS3(object):
    """An in-memory S3 client with the conditional writes the state store lock uses."""

    def __init__(self, conditional=True):
        import botocore.exceptions
        self.errors = botocore.exceptions
        self.objects = {}
        self.conditional = conditional
        self.calls = []
        self._etag = 0

    def _error(self, code, status):
        return self.errors.ClientError({'Error': {'Code': code}, 'ResponseMetadata': {'HTTPStatusCode': status}}, 'op')

    def get_object(self, Bucket, Key):
        self.calls.append(('get', Key))
        if (Bucket, Key) not in self.objects:
            raise self._error('NoSuchKey', 404)
        body, etag = self.objects[(Bucket, Key)]
        return {'Body': io.BytesIO(body), 'ETag': etag}

    def put_object(self, Bucket, Key, Body, IfNoneMatch=None, IfMatch=None, **kwargs):
        self.calls.append(('put', Key))
        if (IfNoneMatch or IfMatch) and not self.conditional:
            raise self._error('NotImplemented', 501)
        current = self.objects.get((Bucket, Key))
        if IfNoneMatch == '*' and current is not None:
            raise self._error('PreconditionFailed', 412)
        if IfMatch is not None and (current is None or current[1] != IfMatch):
            raise self._error('PreconditionFailed', 412)
        self._etag += 1
        self.objects[(Bucket, Key)] = (Body, '"%d"' % self._etag)
        return {'ETag': '"%d"' % self._etag}

    def delete_object(self, Bucket, Key):
        self.calls.append(('delete', Key))
        self.objects.pop((Bucket, Key), None)
        return {}
