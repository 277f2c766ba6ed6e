# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""A lock in the S3 state store, so two runs (two AWX jobs, two operators) never change one cluster at once.

The lock is one JSON object, ``<store prefix>/cloudops-locks/<cluster>.json``, holding its owner, a
random token and an expiry. It is created with a conditional write (``If-None-Match: *``), so of two
runs exactly one wins; a lock past its expiry is taken over with ``If-Match`` on its ETag. Stores whose
S3 API lacks conditional writes get a check-and-verify instead (write, wait, read back the token).

Why not under ``<store>/<cluster>/``: ``kops delete cluster`` refuses to delete a cluster whose prefix
holds a file it does not know ("refusing to delete: unknown file found", DeleteAllClusterState in
pkg/client/simple/vfsclientset/clientset.go), and kops lists clusters only by their ``*/config`` keys,
so an object outside the cluster prefixes is invisible to it.
"""

from __future__ import annotations

import datetime
import getpass
import importlib.util
import json
import os
import socket
import time
import uuid

try:
    # boto3 itself is imported when the first write needs the lock (s3_client): importing it and making a
    # client costs a run that writes nothing (most re-runs) about 0.4 s. botocore.exceptions is cheap.
    import botocore.exceptions
    HAS_BOTO3 = importlib.util.find_spec('boto3') is not None
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    HAS_BOTO3 = False

from ansible_collections.cloudops.kops.plugins.module_utils._aws_connection import boto3_clients
from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import duration_option

LOCK_PREFIX = 'cloudops-locks'
_NO_CONDITIONAL = ('NotImplemented', 'InvalidArgument', 'InvalidRequest')
# How long the check-and-verify fallback waits before reading its write back.
VERIFY_DELAY = 1.0


def lock_argument_spec():
    """Options of the state-store lock (documented in cloudops.kops._lock)."""
    return dict(
        lock=dict(type='bool', default=True),
        lock_timeout=dict(type='raw', default=0),
        lock_ttl=dict(type='raw', default='2h'),
    )


class LockHeld(Exception):
    """Another run holds the lock; ``str()`` says who and until when."""


def split_store(state_store):
    """(bucket, prefix) of an ``s3://bucket[/prefix]`` URL, or None for other stores."""
    if not state_store.startswith('s3://'):
        return None
    rest = state_store[len('s3://'):].strip('/')
    bucket, dummy, prefix = rest.partition('/')
    return bucket, prefix


def lock_key(prefix, cluster_name):
    return '/'.join(part for part in (prefix, LOCK_PREFIX, cluster_name + '.json') if part)


def describe_owner():
    """Who is changing the cluster, in words an operator recognises."""
    try:
        user = getpass.getuser()
    except Exception:  # getpass raises several types when there is no user name
        user = 'uid %d' % os.getuid()
    owner = '%s@%s (pid %d)' % (user, socket.gethostname(), os.getpid())
    job = os.environ.get('JOB_ID') or os.environ.get('AWX_JOB_ID')
    if job:
        owner += ', AWX job %s' % job
    return owner


def _utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class StateStoreLock(object):
    """Acquire once (``acquire``), release on every path (``release``); re-entrant within one run."""

    def __init__(self, client, bucket, key, operation, ttl, timeout=0, clock=time.time, sleep=time.sleep):
        self.client = client
        self.bucket = bucket
        self.key = key
        self.operation = operation
        self.ttl = ttl
        self.timeout = timeout
        self.token = str(uuid.uuid4())
        self.held = False
        self._etag = None
        self._clock = clock
        self._sleep = sleep

    def _body(self):
        now = self._clock()
        return json.dumps({'owner': describe_owner(), 'operation': self.operation, 'token': self.token,
                           'acquired': _utc(now), 'expires': _utc(now + self.ttl), 'expires_epoch': now + self.ttl},
                          sort_keys=True).encode('utf-8')

    def _read(self):
        """(lock data, etag) or (None, None) when there is no lock."""
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except botocore.exceptions.ClientError as exc:
            if exc.response.get('Error', {}).get('Code') in ('NoSuchKey', '404', 'NotFound'):
                return None, None
            raise
        try:
            data = json.loads(found['Body'].read().decode('utf-8'))
        except ValueError:
            data = {}
        return data, found.get('ETag')

    def _put(self, **condition):
        try:
            answer = self.client.put_object(Bucket=self.bucket, Key=self.key, Body=self._body(),
                                            ContentType='application/json', ServerSideEncryption='AES256', **condition)
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get('Error', {}).get('Code')
            if code in ('PreconditionFailed', 'ConditionalRequestConflict') or \
                    exc.response.get('ResponseMetadata', {}).get('HTTPStatusCode') in (409, 412):
                return False
            if code in _NO_CONDITIONAL:
                return self._put_and_verify()
            raise
        self._etag = answer.get('ETag')
        return True

    def _put_and_verify(self):
        """For S3 APIs without conditional writes: write, wait, and keep the lock only if the token stuck."""
        self.client.put_object(Bucket=self.bucket, Key=self.key, Body=self._body(),
                               ContentType='application/json', ServerSideEncryption='AES256')
        self._sleep(VERIFY_DELAY)
        data, etag = self._read()
        self._etag = etag
        return bool(data) and data.get('token') == self.token

    def _try_once(self):
        data, etag = self._read()
        if data is None:
            return self._put(IfNoneMatch='*'), None
        if data.get('token') == self.token:
            return True, None
        if float(data.get('expires_epoch') or 0) < self._clock():
            # A stale lock (its run died without releasing it): take it over, unless someone else just did.
            return self._put(IfMatch=etag), data
        return False, data

    def acquire(self):
        """Take the lock or raise LockHeld. Returns the stale lock taken over, if any (for a warning)."""
        if self.held:
            return None
        deadline = self._clock() + self.timeout
        while True:
            won, other = self._try_once()
            if won:
                self.held = True
                return other
            if self._clock() >= deadline:
                other = other or self._read()[0] or {}
                raise LockHeld('cluster is being changed by %s (%s) since %s; its lock expires at %s. Wait for it to '
                               'finish, or if that run died, delete s3://%s/%s after making sure nothing runs.'
                               % (other.get('owner', 'another run'), other.get('operation', 'unknown operation'),
                                  other.get('acquired', '?'), other.get('expires', '?'), self.bucket, self.key))
            self._sleep(min(5.0, max(0.0, deadline - self._clock())) or 1.0)

    def release(self):
        """Delete the lock if it is still ours; never raises (a failed release only leaves a lock that expires)."""
        if not self.held:
            return None
        self.held = False
        try:
            data, etag = self._read()
            if data and data.get('token') == self.token:
                self.client.delete_object(Bucket=self.bucket, Key=self.key)
        except Exception as exc:  # any boto failure: the lock expires by itself
            return 'Could not release the state store lock s3://%s/%s (%s); it expires by itself.' % (
                self.bucket, self.key, exc)
        return None


def s3_client(params):
    """A boto3 S3 client from the shared AWS connection options (unset ones fall back to boto3's chain)."""
    return boto3_clients(params, 's3')[0]


class LazyS3Client(object):
    """Makes the S3 client (``s3_client``) on first use, so a run whose lock is never taken never loads boto3."""

    def __init__(self, params):
        self._params = params
        self._client = None

    def __getattr__(self, name):
        if self._client is None:
            self._client = s3_client(self._params)
        return getattr(self._client, name)


def lock_durations(module):
    """``lock_ttl`` and ``lock_timeout`` in seconds; a bad value fails the module, naming the option.

    Modules call it right after AnsibleModule, so a typo fails every run, check mode and runs with
    nothing to change included, rather than only the first run that would take the lock.
    """
    return duration_option(module, 'lock_ttl', positive=True), duration_option(module, 'lock_timeout')


def state_store_lock(module, state_store, cluster_name, operation):
    """The lock for ``cluster_name`` per the module's lock options, or None when locking is off or impossible."""
    params = module.params
    if not params.get('lock', True):
        return None
    where = split_store(state_store)
    if where is None:
        module.warn('The state store %s is not on S3, so cloudops.kops cannot lock it; make sure no other run '
                    'changes cluster %s at the same time.' % (state_store, cluster_name))
        return None
    if not HAS_BOTO3:
        module.fail_json(msg='Locking the state store needs boto3 on the host that runs the module; install it, '
                             'or set lock=false.')
    ttl, timeout = lock_durations(module)
    bucket, prefix = where
    return StateStoreLock(LazyS3Client(params), bucket, lock_key(prefix, cluster_name), operation, ttl, timeout)


def guard_writes(module, runner, cluster_name, operation):
    """Arm ``runner`` to take the lock right before its first writing kops command; returns the lock (or None).

    Call ``release_lock(module, lock)`` on every path once the task is done. Check mode writes nothing,
    so it takes no lock.
    """
    if module.check_mode:
        return None
    lock = state_store_lock(module, runner.state_store, cluster_name, operation)
    if lock is None:
        return None

    def take():
        try:
            stale = lock.acquire()
        except LockHeld as exc:
            module.fail_json(msg='Cluster %s: %s' % (cluster_name, exc), commands=runner.commands)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            module.fail_json(msg='Could not take the state store lock s3://%s/%s for cluster %s: %s. Set lock=false '
                                 'to run without it.' % (lock.bucket, lock.key, cluster_name, exc), commands=runner.commands)
        if stale:
            module.warn('Took over the expired state store lock of %s (%s, expired %s).'
                        % (stale.get('owner'), stale.get('operation'), stale.get('expires')))

    runner.write_guard = take
    return lock


def release_lock(module, lock):
    if lock is not None:
        problem = lock.release()
        if problem:
            module.warn(problem)
