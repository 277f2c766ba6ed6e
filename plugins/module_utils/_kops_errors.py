# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Classify kops error output.

kops exits 1 for every error, so the only signal is the text of the ``Error:``
line. The patterns below come from real kops 1.30.1 and 1.36.2 runs.
"""

from __future__ import annotations

import re

NOT_FOUND = 'not_found'
ALREADY_EXISTS = 'already_exists'
STATE_STORE = 'state_store'
CREDENTIALS = 'credentials'
TRANSIENT = 'transient'
OTHER = 'other'

ERROR_KINDS = (NOT_FOUND, ALREADY_EXISTS, STATE_STORE, CREDENTIALS, TRANSIENT, OTHER)

# Order matters: a bad key shows up inside a state-store error, and a missing
# bucket shows up inside "error reading cluster configuration".
_PATTERNS = (
    (CREDENTIALS, (
        r'InvalidAccessKeyId',
        r'SignatureDoesNotMatch',
        r'InvalidClientTokenId',
        r'ExpiredToken',
        r'UnrecognizedClientException',
        r'AuthFailure',
        r'get credentials',
        r'no EC2 IMDS role found',
        r'NoCredentialProviders',
        r'S3_ACCESS_KEY_ID cannot be empty',
        r'S3_SECRET_ACCESS_KEY cannot be empty',
    )),
    (STATE_STORE, (
        r'State Store: Required value',
        r'error reading state store',
        r'NoSuchBucket',
        r'AccessDenied',
        r'error (?:reading|fetching|listing) s3://[^\s]*: .*StatusCode: (?:403|404)',
        r'Cannot set dual-stack in combination with a custom endpoint',
    )),
    (NOT_FOUND, (
        r'cluster not found "',
        r'Cluster\.kops\.k8s\.io "[^"]*" not found',
        r'instancegroup not found "',
        r'InstanceGroup\.kops\.k8s\.io "[^"]*" not found',
        r'does not exist \(try adding --force flag\)',
        r'no clusters found',
        r'(?i:no InstanceGroup objects found)',
        # replace.go RunReplace (a missing cluster) and rolling-update_cluster.go (an unknown --instance-group).
        r'\bcluster "[^"]*" not found',
        r'InstanceGroup "[^"]*" not found',
    )),
    (ALREADY_EXISTS, (
        r'already exists',
    )),
    (TRANSIENT, (
        r'error listing nodes',
        r'Unable to reach the kubernetes API',
        r'connection refused',
        r'connection reset by peer',
        r'\bEOF\b',
        r'i/o timeout',
        r'no such host',
        r'TLS handshake timeout',
        r'\bUnauthorized\b',
        r'context deadline exceeded',
    )),
)

_COMPILED = tuple((kind, re.compile('|'.join(patterns))) for kind, patterns in _PATTERNS)


def error_lines(stderr):
    """Return the ``Error: ...`` lines kops printed, without the prefix."""
    return [line[len('Error: '):] for line in (stderr or '').splitlines() if line.startswith('Error: ')]


def classify(stderr, stdout=''):
    """Return one of the error kind constants for a failed kops run.

    Only the ``Error:`` lines are matched when there are any, because kops's
    ``I``/``W`` log lines on stderr mention hosts and retries that do not
    describe the final outcome.
    """
    errors = error_lines(stderr)
    text = '\n'.join(errors) if errors else '\n'.join((stderr or '', stdout or ''))
    for kind, pattern in _COMPILED:
        if pattern.search(text):
            return kind
    return OTHER


def last_stderr_line(stderr):
    """The last non-empty line of stderr, stripped ('' when there is none)."""
    lines = [line.strip() for line in (stderr or '').splitlines() if line.strip()]
    return lines[-1] if lines else ''


def failure_summary(rc, stderr, stdout=''):
    """One sentence on how a kops run failed, for the end of a module's ``msg``.

    kops's last ``Error:`` line when it printed one; otherwise (a Go panic, an endpoint that
    never answered, a kill) the last non-empty stderr line, else stdout's, and the exit code.
    """
    errors = error_lines(stderr)
    if errors:
        return 'kops: %s' % errors[-1]
    last = last_stderr_line(stderr) or last_stderr_line(stdout)
    if last:
        return 'kops exited with code %s and printed no Error: line; its last output line: %s' % (rc, last)
    return 'kops exited with code %s and printed nothing.' % rc
