# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""The one way cloudops.kops modules run kops."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections import namedtuple

from ansible.module_utils.basic import env_fallback

from ansible_collections.cloudops.kops.plugins.module_utils._aws_connection import (
    aws_connection_argument_spec,
    aws_environment,
    validate_certs_error,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import classify, failure_summary

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

# The version of a kops binary is remembered per binary (real path, device, inode, size, mtime and
# ctime), so every module task of a play does not start `kops version --short` again.
# Unit tests switch it off (tests/unit/plugins/conftest.py) except where they test it.
VERSION_CACHE = True
_VERSION_CACHE_FILE = 'kops-versions.json'
_VERSION_CACHE_ENTRIES = 32


def kops_argument_spec(name_required=True, cluster_option='name'):
    """The options every kops module shares (documented in cloudops.kops._kops and cloudops.kops._aws_connection).

    ``cluster_option`` is the key of the cluster name: ``name`` (alias ``cluster_name``) in most
    modules; ``cluster_name`` in a module whose ``name`` is a sub-resource (kops_instance_group).
    """
    if cluster_option == 'name':
        cluster = dict(name=dict(type='str', required=name_required, aliases=['cluster_name']))
    else:
        cluster = {cluster_option: dict(type='str', required=name_required)}
    spec = dict(
        state_store=dict(type='str', fallback=(env_fallback, ['KOPS_STATE_STORE'])),
        binary_path=dict(type='path', aliases=['kops_binary']),
    )
    spec.update(cluster)
    spec.update(aws_connection_argument_spec())
    return spec


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


def version_cache_dir(environ=None):
    """``$XDG_CACHE_HOME/cloudops.kops``, else ``~/.cache/cloudops.kops``: private to the user (0700)."""
    environ = os.environ if environ is None else environ
    base = environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'cloudops.kops')


def binary_identity(path):
    """A key that changes whenever the file at ``path`` (symlinks followed) is replaced or rewritten."""
    real = os.path.realpath(path)
    info = os.stat(real)
    return '%s|%d|%d|%d|%d|%d' % (real, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _private(path):
    """Whether ``path`` belongs to this user and nobody else can write it (a cache others could write is not trusted)."""
    info = os.lstat(path)
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not stat.S_ISLNK(info.st_mode)


def _read_version_cache(directory):
    path = os.path.join(directory, _VERSION_CACHE_FILE)
    try:
        if not (_private(directory) and _private(path)):
            return {}
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def cached_version(binary, directory=None):
    """The version remembered for this very binary file, or None."""
    try:
        key = binary_identity(binary)
    except OSError:
        return None
    entry = _read_version_cache(directory or version_cache_dir()).get(key)
    return parse_version(entry) if isinstance(entry, str) else None


def remember_version(binary, info, directory=None):
    """Remember ``info`` for this binary file. Best effort: a cache that cannot be written is skipped."""
    directory = directory or version_cache_dir()
    try:
        key = binary_identity(binary)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
            os.chmod(directory, 0o700)
        if not _private(directory):
            return
        data = _read_version_cache(directory)
        data.pop(key, None)
        # Keep the newest entries only; a replaced binary leaves its old key behind.
        entries = list(data.items())[-(_VERSION_CACHE_ENTRIES - 1):] + [(key, version_string(info))]
        descriptor, scratch = tempfile.mkstemp(prefix='.kops-versions.', dir=directory)
        try:
            with os.fdopen(descriptor, 'w') as handle:
                json.dump(dict(entries), handle)
            os.replace(scratch, os.path.join(directory, _VERSION_CACHE_FILE))
        except BaseException:
            os.unlink(scratch)
            raise
    except (OSError, ValueError):
        pass


def writes(args):
    """Whether ``kops *args`` changes the state store or the cloud (previews and dry runs do not)."""
    args = list(args)
    if '--dry-run' in args or '--dry-run=true' in args:
        return False
    if '--yes' in args or '-y' in args:
        return True
    return bool(args) and args[0] in ('create', 'replace', 'edit')


class KopsResult(namedtuple('KopsResult', 'rc stdout stderr cmd')):
    __slots__ = ()

    @property
    def command(self):
        """The argv, under its older name."""
        return self.cmd

    @property
    def error_kind(self):
        if self.rc == 0:
            return None
        return classify(self.stderr, self.stdout)


class KopsRunner(object):
    """Resolves kops and the state store, builds argv lists, runs them in the C locale."""

    def __init__(self, module, cluster_option='name'):
        self.module = module
        self.cluster_option = cluster_option
        self.commands = []
        self.write_guard = None
        self._version_info = None
        error = validate_certs_error(module.params)
        if error:
            module.fail_json(msg=error)
        self.binary = self._find_binary()
        self.state_store = self._find_state_store()
        self.environ = self._environment()

    @property
    def cluster_name(self):
        """The cluster the module works on, read from the module's cluster option."""
        return self.module.params.get(self.cluster_option)

    # -- setup -------------------------------------------------------------------------

    def _find_binary(self):
        binary = self.module.params.get('binary_path')
        if binary:
            if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
                self.module.fail_json(msg='binary_path %s is not an executable file.' % binary)
            return binary
        binary = self.module.get_bin_path('kops')
        if not binary:
            self.module.fail_json(
                msg='Could not find the kops binary on PATH. Install kops (for example with the '
                    'cloudops.kops.kops_tools role) or set binary_path.')
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
        env = {'LANGUAGE': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'}
        env.update(aws_environment(self.module.params, os.environ))
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
        if VERSION_CACHE:
            info = cached_version(self.binary)
            if info is not None and info >= MIN_KOPS_VERSION:
                return info
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
        if VERSION_CACHE:
            remember_version(self.binary, info)
        return info

    def flag(self, name):
        """``--<name>`` spelled the way this kops version wants it."""
        renamed = _RENAMED_FLAGS.get(name)
        if renamed and self.version_info < renamed[1]:
            return '--' + renamed[0]
        return '--' + name

    # -- running -----------------------------------------------------------------------

    def _exec(self, argv, data=None, environ=None):
        self.commands.append(list(argv))
        env = dict(self.environ, **(environ or {}))
        rc, stdout, stderr = self.module.run_command(
            argv, data=data, check_rc=False, environ_update=env, expand_user_and_vars=False)
        return KopsResult(rc, stdout or '', stderr or '', list(argv))

    def run(self, args, data=None, environ=None):
        """Run ``kops *args --state STORE``; never raises on a non-zero exit.

        ``environ`` adds variables for this call only (for example a private KUBECONFIG).
        Before the first command that writes, ``write_guard`` (the state store lock) runs once.
        """
        if writes(args):
            self.before_write()
        return self._exec([self.binary] + list(args) + ['--state', self.state_store], data=data, environ=environ)

    def before_write(self):
        """Run ``write_guard`` (the state store lock) once, before the first write.

        ``run`` calls it before a kops command that writes; a module calls it itself before a
        write that is not a kops command (for example an AWS call).
        """
        guard, self.write_guard = self.write_guard, None
        if guard is not None:
            guard()

    def run_without_kubeconfig(self, args, data=None):
        """Run a kops command that would edit a kubeconfig against a throw-away one.

        ``kops delete cluster`` removes the cluster's context from E(KUBECONFIG) or ~/.kube/config
        and has no flag to stop it; only kops_kubecfg may write the user's kubeconfig.
        """
        scratch = os.path.join(self.module.tmpdir, 'kops-scratch-kubeconfig')
        return self.run(args, data=data, environ={'KUBECONFIG': scratch})

    def fail(self, msg, result=None, **extra):
        """Fail the module; with ``result``, say what kops said and return ``cmd``, rc, stdout and stderr.

        ``msg`` gets kops's last ``Error:`` line or, when kops printed none (a panic, an
        endpoint that does not answer, a signal), its last stderr line and its exit code.
        """
        details = dict(commands=self.commands)
        if result is not None:
            details.update(rc=result.rc, stdout=result.stdout, stderr=result.stderr,
                           cmd=result.cmd, error_kind=result.error_kind)
            msg = '%s %s' % (msg.rstrip(), failure_summary(result.rc, result.stderr, result.stdout))
        details.update(extra)
        self.module.fail_json(msg=msg.rstrip(), **details)
