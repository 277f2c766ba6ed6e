# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_errors as errors
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import VERSIONS, recording

CASES = [
    ('29', errors.NOT_FOUND),        # get cluster nosuch
    ('31', errors.NOT_FOUND),        # get ig for a missing cluster
    ('71', errors.NOT_FOUND),        # get ig nosuch-ig
    ('84', errors.NOT_FOUND),        # update a missing cluster
    ('126', errors.NOT_FOUND),       # replace without --force
    ('144', errors.NOT_FOUND),       # delete a missing cluster
    ('22', errors.NOT_FOUND),        # empty state store
    ('58', errors.ALREADY_EXISTS),   # second create
    ('128', errors.ALREADY_EXISTS),  # create -f of an existing IG
    ('20', errors.STATE_STORE),      # no --state, no KOPS_STATE_STORE
    ('24', errors.STATE_STORE),      # missing bucket
    ('53', errors.STATE_STORE),      # create into a missing bucket
    ('152', errors.STATE_STORE),     # AWS_ENDPOINT_URL without S3_ENDPOINT
    ('150', errors.CREDENTIALS),     # bad access key
    ('151', errors.CREDENTIALS),
    ('154', errors.CREDENTIALS),     # no credentials at all
    ('27', errors.CREDENTIALS),      # S3_ENDPOINT without S3 keys
    ('100', errors.TRANSIENT),       # API not reachable yet
    ('110', errors.TRANSIENT),       # rolling-update without API
    ('16', errors.OTHER),            # unknown flag
    ('44', errors.OTHER),            # bad cluster name
    ('46', errors.OTHER),            # bad zone
]


@pytest.mark.parametrize('version,number,kind', [(v, n, k) for v in VERSIONS for n, k in CASES])
def test_recorded_errors(version, number, kind):
    rec = recording(version, number)
    assert rec.rc == 1
    assert errors.classify(rec.stderr, rec.stdout) == kind


@pytest.mark.parametrize('text', [
    'Error: validation failed: unexpected error during validation: error listing nodes: Unauthorized',
    'Error: Get "https://api.example.com/api/v1/nodes": dial tcp 10.0.0.1:443: connect: connection refused',
    'Error: Get "https://api.example.com/api/v1/nodes": EOF',
    'Error: Get "https://api.example.com/api/v1/nodes": net/http: TLS handshake timeout',
    'Error: dial tcp 10.0.0.1:443: i/o timeout',
])
def test_transient_family(text):
    assert errors.classify(text) == errors.TRANSIENT


def test_only_error_lines_count():
    # A warning about a missing host must not turn a not-found into a transient error.
    stderr = ('W1121 09:22:28 builder.go:290] failed to digest image: lookup registry.k8s.io: no such host\n'
              'Error: cluster not found "x.k8s.local"\n')
    assert errors.classify(stderr) == errors.NOT_FOUND


def test_without_error_line_the_whole_text_counts():
    assert errors.classify('', 'Unable to reach the kubernetes API.') == errors.TRANSIENT
    assert errors.classify('something else went wrong') == errors.OTHER


def test_no_instance_groups_is_not_found():
    assert errors.classify('Error: no InstanceGroup objects found\n') == errors.NOT_FOUND


def test_error_lines():
    assert errors.error_lines('I.. log\nError: one\nError: two\n') == ['one', 'two']


@pytest.mark.parametrize('stderr', [
    'Error: cluster "gone.k8s.local" not found\n',  # replace.go RunReplace, v1.30.1 and v1.36.2
    'Error: InstanceGroup "nosuch" not found\n',  # rolling-update_cluster.go RunRollingUpdateCluster
])
def test_not_found_texts_of_replace_and_rolling_update(stderr):
    assert errors.classify(stderr) == errors.NOT_FOUND
