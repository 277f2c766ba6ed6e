# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""``kops validate cluster``: the command line per kops version, and what one run means.

One run is one attempt (no ``--wait``), so every attempt is judged here: a printed result
means the API answered (healthy or not), a transient error means "try again", anything
else (missing cluster, credentials, state store, bad kubeconfig) is fatal at once.
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import TRANSIENT
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import json_documents
from ansible_collections.cloudops.kops.plugins.module_utils._kops_waiter import FATAL, RETRY, SUCCESS

# Since 1.31 validate builds its own admin credential and ignores --kubeconfig.
OWN_CREDENTIAL_SINCE = (1, 31, 0)
API_SERVER_SINCE = (1, 33, 0)
USE_KUBECONFIG_SINCE = (1, 34, 0)

ValidateCommand = namedtuple('ValidateCommand', 'args environ warnings')
Attempt = namedtuple('Attempt', 'report result')
"""report: the summarised validation result, or None when kops printed none; result: the KopsResult."""


def _version_text(version_info):
    return '.'.join(str(part) for part in version_info)


def validate_command(name, version_info, kubeconfig=None, use_kubeconfig=False, api_server=None):
    """Arguments (after ``kops``) and extra environment for one validation attempt.

    Raises ValueError when the options cannot be honoured by this kops version.
    """
    version_info = tuple(version_info)
    args = ['validate', 'cluster', '--name', name, '-o', 'json']
    environ = {}
    warnings = []
    if api_server and use_kubeconfig:
        raise ValueError('api_server and use_kubeconfig=true are mutually exclusive')
    if version_info < OWN_CREDENTIAL_SINCE:
        if api_server:
            raise ValueError(
                'api_server needs kops %s or later, but kops %s is in use; this version reaches the API through '
                'the kubeconfig context named after the cluster, so set kubeconfig instead'
                % (_version_text(API_SERVER_SINCE), _version_text(version_info)))
        if kubeconfig:
            args.extend(['--kubeconfig', kubeconfig])
        return ValidateCommand(args, environ, warnings)
    if api_server:
        if version_info < API_SERVER_SINCE:
            raise ValueError('api_server needs kops %s or later, but kops %s is in use'
                             % (_version_text(API_SERVER_SINCE), _version_text(version_info)))
        args.extend(['--api-server', api_server])
    if use_kubeconfig:
        if version_info < USE_KUBECONFIG_SINCE:
            raise ValueError('use_kubeconfig needs kops %s or later, but kops %s is in use'
                             % (_version_text(USE_KUBECONFIG_SINCE), _version_text(version_info)))
        args.append('--use-kubeconfig')
        if kubeconfig:
            # --use-kubeconfig loads the kubeconfig the normal way; --kubeconfig is ignored.
            environ['KUBECONFIG'] = kubeconfig
    elif kubeconfig:
        warnings.append(
            'kops %s ignores kubeconfig when validating: it builds its own admin credential from the state store. '
            'Set use_kubeconfig=true to validate through the kubeconfig context instead.' % _version_text(version_info))
    return ValidateCommand(args, environ, warnings)


def summarize(document):
    """The parts of a ``validate -o json`` document a playbook needs, with stable keys."""
    nodes = []
    for node in document.get('nodes') or []:
        nodes.append({
            'name': node.get('name'),
            'role': node.get('role'),
            'ready': node.get('status') == 'True',
            'zone': node.get('zone'),
            'hostname': node.get('hostname'),
        })
    failures = []
    for failure in document.get('failures') or []:
        group = ((failure.get('instanceGroup') or {}).get('metadata') or {}).get('name')
        failures.append({
            'type': failure.get('type'),
            'name': failure.get('name'),
            'message': failure.get('message'),
            'instance_group': group,
        })
    return {'valid': not failures, 'nodes': nodes, 'failures': failures}


def last_report(stdout):
    """The last validation document in stdout (``--wait`` prints one per attempt), or None."""
    try:
        documents = json_documents(stdout or '')
    except ValueError:
        return None
    for document in reversed(documents):
        if isinstance(document, dict):
            return summarize(document)
    return None


def judge(result):
    """``(verdict, Attempt)`` for one ``kops validate cluster`` run.

    kops exits 1 both for an unhealthy cluster (after printing the result) and for every
    error, so stdout is read whatever the exit code.
    """
    report = last_report(result.stdout)
    if report is not None:
        if result.rc == 0 and report['valid']:
            return SUCCESS, Attempt(report, result)
        report['valid'] = False
        return RETRY, Attempt(report, result)
    if result.rc != 0 and result.error_kind == TRANSIENT:
        return RETRY, Attempt(None, result)
    return FATAL, Attempt(None, result)


def error_line(result):
    """The ``Error: ...`` line kops printed, else the last stderr line (for messages)."""
    lines = [line.strip() for line in (result.stderr or '').splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith('Error:'):
            return line[len('Error:'):].strip()
    return lines[-1] if lines else ''
