# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""The one way cloudops.kops modules run kops."""

from __future__ import annotations

import os
import re
from collections import namedtuple

from ansible.module_utils.basic import env_fallback

from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import classify, error_lines

MIN_KOPS_VERSION = (1, 30, 0)

# Flags kops renamed; value: (old spelling, first version with the new one).
# The old spellings still work in 1.30-1.36 but print a deprecation warning.
_RENAMED_FLAGS = {
    'control-plane-count': ('master-count', (1, 26, 0)),
    'control-plane-image': ('master-image', (1, 26, 0)),
    'control-plane-security-groups': ('master-security-groups', (1, 26, 0)),
    'control-plane-size': ('master-size', (1, 26, 0)),
    'control-plane-tenancy': ('master-tenancy', (1, 26, 0)),
    'control-plane-volume-size': ('master-volume-size', (1, 26, 0)),
    'control-plane-zones': ('master-zones', (1, 26, 0)),
}

_VERSION_RE = re.compile(r'(?<![\d.])v?(\d+)\.(\d+)(?:\.(\d+))?')


def kops_argument_spec(name_required=True):
    """The options every kops module shares (documented in cloudops.kops._kops)."""
    return dict(
        name=dict(type='str', required=name_required, aliases=['cluster_name']),
        state_store=dict(type='str', fallback=(env_fallback, ['KOPS_STATE_STORE'])),
        kops_binary=dict(type='path'),
        region=dict(type='str', aliases=['aws_region']),
        profile=dict(type='str', aliases=['aws_profile']),
        endpoint_url=dict(type='str', aliases=['aws_endpoint_url']),
        access_key=dict(type='str', aliases=['aws_access_key_id'], no_log=False),
        secret_key=dict(type='str', aliases=['aws_secret_access_key'], no_log=True),
        session_token=dict(type='str', aliases=['aws_session_token'], no_log=True),
    )


def parse_version(text):
    """Find the first ``X.Y[.Z]`` in ``kops version`` output.

    Accepts ``1.36.2`` (``--short``), ``Client version: 1.30.1 (git-v1.30.1)``
    and the older ``Version 1.25.3 (git-...)``. Returns a 3-tuple or None.
    """
    for line in (text or '').splitlines():
        match = _VERSION_RE.search(line)
        if match:
            return (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    return None


def version_string(info):
    return '.'.join(str(part) for part in info)


class KopsResult(namedtuple('KopsResult', 'rc stdout stderr command')):
    __slots__ = ()

    @property
    def error_kind(self):
        if self.rc == 0:
            return None
        return classify(self.stderr, self.stdout)


class KopsRunner(object):
    """Resolves kops and the state store, builds argv lists, runs them in the C locale."""

    def __init__(self, module):
        self.module = module
        self.commands = []
        self._version_info = None
        self.binary = self._find_binary()
        self.state_store = self._find_state_store()
        self.environ = self._environment()

    # -- setup -------------------------------------------------------------------------

    def _find_binary(self):
        binary = self.module.params.get('kops_binary')
        if binary:
            if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
                self.module.fail_json(msg='kops_binary %s is not an executable file.' % binary)
            return binary
        binary = self.module.get_bin_path('kops')
        if not binary:
            self.module.fail_json(
                msg='Could not find the kops binary on PATH. Install kops (for example with the '
                    'cloudops.kops.kops_tools role) or set kops_binary.')
        return binary

    def _find_state_store(self):
        store = self.module.params.get('state_store') or os.environ.get('KOPS_STATE_STORE')
        if not store:
            self.module.fail_json(
                msg='No kops state store: set state_store or export KOPS_STATE_STORE '
                    '(for example s3://my-kops-state).')
        if not re.match(r'^[a-z][a-z0-9+.-]*://[^/\s]', store):
            self.module.fail_json(msg='state_store %r is not a URL such as s3://bucket[/prefix].' % store)
        return store.rstrip('/')

    def _environment(self):
        params = self.module.params
        env = {'LANGUAGE': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'}
        region = params.get('region')
        if region:
            env['AWS_REGION'] = region
            env['AWS_DEFAULT_REGION'] = region
        if params.get('profile'):
            env['AWS_PROFILE'] = params['profile']
        if params.get('access_key'):
            env['AWS_ACCESS_KEY_ID'] = params['access_key']
        if params.get('secret_key'):
            env['AWS_SECRET_ACCESS_KEY'] = params['secret_key']
        if params.get('session_token'):
            env['AWS_SESSION_TOKEN'] = params['session_token']
        endpoint = params.get('endpoint_url')
        if endpoint:
            # kops's S3 client ignores AWS_ENDPOINT_URL for the state store (and
            # fails on dual-stack); it only honours the S3_* family.
            env['AWS_ENDPOINT_URL'] = endpoint
            env['S3_ENDPOINT'] = endpoint
            s3_region = region or os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION')
            if s3_region:
                env['S3_REGION'] = s3_region
            access_key = params.get('access_key') or os.environ.get('AWS_ACCESS_KEY_ID')
            secret_key = params.get('secret_key') or os.environ.get('AWS_SECRET_ACCESS_KEY')
            if access_key:
                env['S3_ACCESS_KEY_ID'] = access_key
            if secret_key:
                env['S3_SECRET_ACCESS_KEY'] = secret_key
        return env

    # -- version -----------------------------------------------------------------------

    @property
    def version_info(self):
        if self._version_info is None:
            self._version_info = self._probe_version()
        return self._version_info

    @property
    def version(self):
        return version_string(self.version_info)

    def _probe_version(self):
        result = self._exec([self.binary, 'version', '--short'])
        info = parse_version(result.stdout) if result.rc == 0 else None
        if info is None:
            # kops releases before --short existed print "Version 1.x.y (git-...)".
            result = self._exec([self.binary, 'version'])
            info = parse_version(result.stdout) if result.rc == 0 else None
        if info is None:
            self.fail('Could not determine the kops version from %s.' % self.binary, result)
        if info < MIN_KOPS_VERSION:
            self.fail('kops %s is too old: cloudops.kops needs kops %s or newer.'
                      % (version_string(info), version_string(MIN_KOPS_VERSION)), result,
                      kops_version=version_string(info))
        return info

    def flag(self, name):
        """``--<name>`` spelled the way this kops version wants it."""
        renamed = _RENAMED_FLAGS.get(name)
        if renamed and self.version_info < renamed[1]:
            return '--' + renamed[0]
        return '--' + name

    # -- running -----------------------------------------------------------------------

    def _exec(self, argv, data=None):
        self.commands.append(list(argv))
        rc, stdout, stderr = self.module.run_command(
            argv, data=data, check_rc=False, environ_update=self.environ, expand_user_and_vars=False)
        return KopsResult(rc, stdout or '', stderr or '', list(argv))

    def run(self, args, data=None):
        """Run ``kops *args --state STORE``; never raises on a non-zero exit."""
        return self._exec([self.binary] + list(args) + ['--state', self.state_store], data=data)

    def fail(self, msg, result=None, **extra):
        details = dict(commands=self.commands)
        if result is not None:
            details.update(rc=result.rc, stdout=result.stdout, stderr=result.stderr,
                           command=result.command, error_kind=result.error_kind)
            errors = error_lines(result.stderr)
            if errors:
                msg = '%s kops: %s' % (msg.rstrip(), errors[-1])
        details.update(extra)
        self.module.fail_json(msg=msg, **details)
