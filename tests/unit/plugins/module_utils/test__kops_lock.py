# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_lock as lockmod
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import writes
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import FakeS3

KEY = 'prefix/cloudops-locks/fleetman.k8s.local.json'


class Clock(object):
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def make(s3, clock, **kwargs):
    options = dict(ttl=600, timeout=0)
    options.update(kwargs)
    return lockmod.StateStoreLock(s3, 'bucket', KEY, 'kops_cluster state=present', clock=clock, sleep=clock.sleep,
                                  **options)


def test_store_url_and_key():
    assert lockmod.split_store('s3://bucket') == ('bucket', '')
    assert lockmod.split_store('s3://bucket/some/prefix/') == ('bucket', 'some/prefix')
    assert lockmod.split_store('gs://bucket') is None
    # Outside <cluster>/, where kops delete cluster would refuse an unknown file.
    assert lockmod.lock_key('', 'a.k8s.local') == 'cloudops-locks/a.k8s.local.json'
    assert lockmod.lock_key('p', 'a.k8s.local') == 'p/cloudops-locks/a.k8s.local.json'


def test_second_run_fails_naming_the_first():
    s3, clock = FakeS3(), Clock()
    first, second = make(s3, clock), make(s3, clock)
    assert first.acquire() is None and first.held
    held = (r'cluster is being changed by .* \(kops_cluster state=present\) since 1970-01-01T00:16:40Z; '
            r'its lock expires at 1970-01-01T00:26:40Z')
    with pytest.raises(lockmod.LockHeld, match=held):
        second.acquire()
    assert not second.held
    first.release()
    assert s3.objects == {}
    assert second.acquire() is None


def test_acquire_is_reentrant_and_release_leaves_other_locks_alone():
    s3, clock = FakeS3(), Clock()
    first = make(s3, clock)
    first.acquire()
    first.acquire()
    assert [c[0] for c in s3.calls].count('put') == 1
    # Someone removed our lock and took it: releasing must not delete theirs.
    other = make(s3, clock)
    s3.objects.clear()
    other.acquire()
    first.release()
    assert json.loads(s3.objects[('bucket', KEY)][0])['token'] == other.token


def test_stale_lock_is_taken_over():
    s3, clock = FakeS3(), Clock()
    dead = make(s3, clock, ttl=60)
    dead.acquire()
    clock.now += 61
    fresh = make(s3, clock)
    stale = fresh.acquire()
    assert fresh.held and stale['token'] == dead.token
    assert json.loads(s3.objects[('bucket', KEY)][0])['token'] == fresh.token


def test_wait_for_the_lock_within_the_timeout():
    s3, clock = FakeS3(), Clock()
    holder = make(s3, clock, ttl=30)
    holder.acquire()
    waiter = make(s3, clock, timeout=60)
    assert waiter.acquire()['token'] == holder.token  # expired while waiting, then taken over
    assert clock.now >= 1030


def test_store_without_conditional_writes_uses_check_and_verify():
    s3, clock = FakeS3(conditional=False), Clock()
    first = make(s3, clock)
    assert first.acquire() is None and first.held
    assert [c[0] for c in s3.calls] == ['get', 'put', 'put', 'get']
    with pytest.raises(lockmod.LockHeld):
        make(s3, clock).acquire()


@pytest.mark.parametrize('args,expected', [
    (['create', 'cluster', '--name', 'x'], True),
    (['create', 'cluster', '--name', 'x', '--dry-run', '-o', 'yaml'], False),
    (['replace', '-f', '-'], True),
    (['update', 'cluster', '--name', 'x'], False),
    (['update', 'cluster', '--name', 'x', '--yes', '--create-kube-config=false'], True),
    (['rolling-update', 'cluster', '--name', 'x', '--yes'], True),
    (['delete', 'cluster', '--name', 'x'], False),
    (['delete', 'cluster', '--name', 'x', '--yes'], True),
    (['get', 'cluster', 'x', '-o', 'json'], False),
    (['version', '--server', '--name', 'x'], False),
])
def test_which_kops_commands_take_the_lock(args, expected):
    assert writes(args) is expected


def test_s3_client_arguments_follow_the_connection_options():
    from ansible_collections.cloudops.kops.plugins.module_utils._aws_connection import boto3_client_arguments
    assert boto3_client_arguments({'region': 'eu-west-1', 'endpoint_url': 'http://127.0.0.1:5000', 'access_key': 'AK',
                                   'secret_key': 'SK', 'session_token': None, 'aws_ca_bundle': '/ca.pem'}) == {
        'region_name': 'eu-west-1', 'endpoint_url': 'http://127.0.0.1:5000', 'aws_access_key_id': 'AK',
        'aws_secret_access_key': 'SK', 'verify': '/ca.pem'}
    assert boto3_client_arguments({}) == {}
