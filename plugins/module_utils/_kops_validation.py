# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""``kops validate cluster``: the command line per kops version, and what a run means.

A run without ``--wait`` is one attempt, judged by :func:`judge`: a printed result means the API
answered (healthy or not), a transient error means "try again", anything else (missing cluster,
credentials, state store, bad kubeconfig) is fatal at once. A run with ``--wait`` is kops's own
polling loop, read by :func:`judge_wait`: one document per attempt that reached the API on stdout,
one ``(will retry):`` log line per attempt that did not pass on stderr.
"""

from __future__ import annotations

import os
from collections import namedtuple

from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import format_go_duration
from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import TRANSIENT, classify
from ansible_collections.cloudops.kops.plugins.module_utils._kops_output import HAS_YAML, json_documents

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    pass
from ansible_collections.cloudops.kops.plugins.module_utils._kops_waiter import FATAL, RETRY, SUCCESS

# Since 1.31 validate builds its own admin credential and ignores --kubeconfig.
OWN_CREDENTIAL_SINCE = (1, 31, 0)
API_SERVER_SINCE = (1, 33, 0)
USE_KUBECONFIG_SINCE = (1, 34, 0)

# kops's own wait loop (validate_cluster.go, RunValidateCluster, v1.30.1 and v1.36.2): it logs
# "(will retry): <reason>" after every attempt that did not end the wait, and fails with
# "wait time exceeded during validation" at the first check after the deadline.
_WILL_RETRY = '] (will retry): '
_LOOP_ERROR = 'unexpected error during validation: '
_PASSED = 'cluster passed validation '
WAIT_EXCEEDED = 'wait time exceeded during validation'

ValidateCommand = namedtuple('ValidateCommand', 'args environ warnings')
WaitRun = namedtuple('WaitRun', 'verdict attempt attempts streak exceeded loop_errors broken')
"""One ``validate --wait`` run: verdict SUCCESS (passed ``--count`` times), RETRY (time ran out, or a
transient error kops does not retry) or FATAL; attempt: the Attempt of its last try (report: the last
document; None when that try printed none); attempts: how many tries kops made; streak: consecutive
passes at the end; exceeded: kops ran out of time; loop_errors: the errors kops retried, in order;
broken: some try in the run did not pass (a streak from before the run does not go on)."""
Attempt = namedtuple('Attempt', 'report result')
"""report: the summarised validation result, or None when kops printed none; result: the KopsResult."""


def _version_text(version_info):
    return '.'.join(str(part) for part in version_info)


def kubeconfig_paths(kubeconfig=None, environ=None):
    """The kubeconfig files client-go would load, in order: ``kubeconfig``, else E(KUBECONFIG), else ~/.kube/config."""
    if kubeconfig:
        return [kubeconfig]
    environ = os.environ if environ is None else environ
    paths = [os.path.expanduser(p) for p in environ.get('KUBECONFIG', '').split(os.pathsep) if p]
    return paths or [os.path.expanduser(os.path.join('~', '.kube', 'config'))]


def _load_kubeconfig(path):
    if not HAS_YAML:
        raise ValueError('PyYAML is needed to read the kubeconfig %s' % path)
    try:
        with open(path, 'rb') as handle:
            data = yaml.safe_load(handle.read().decode('utf-8'))
    except (IOError, OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError('could not read the kubeconfig %s: %s' % (path, exc))
    return data if isinstance(data, dict) else {}


def context_overlay(cluster_name, context, paths):
    """A kubeconfig (as a dict) whose context named ``cluster_name`` is a copy of ``context``.

    kops validates through the kubeconfig context named after the cluster and has no flag to pick
    another one (1.30: ``--kubeconfig`` with CurrentContext=<cluster>; 1.34+: ``--use-kubeconfig``
    with Context=<cluster>). Put first on KUBECONFIG, this overlay wins over a context of that
    name in ``paths`` (client-go: the first file to define a name wins), and its context points at
    the chosen context's cluster and user entries, which stay in the user's own files. Raises
    ValueError when no file in ``paths`` defines ``context``.
    """
    for path in paths:
        if not os.path.exists(path):
            continue
        for entry in _load_kubeconfig(path).get('contexts') or []:
            if isinstance(entry, dict) and entry.get('name') == context:
                chosen = dict(entry.get('context') or {})
                return {
                    'apiVersion': 'v1',
                    'kind': 'Config',
                    'contexts': [{'name': cluster_name, 'context': chosen}],
                    'current-context': cluster_name,
                }
    raise ValueError('context %r is not in the kubeconfig (%s)' % (context, os.pathsep.join(paths)))


def validate_command(name, version_info, kubeconfig=None, use_kubeconfig=None, api_server=None, context=None,
                     overlay_path=None, environ=None):
    """Arguments (after ``kops``) and extra environment for one validation attempt.

    ``use_kubeconfig`` None means: validate through the kubeconfig when ``kubeconfig`` or
    ``context`` is set (and ``api_server`` is not). ``overlay_path`` is the file written from
    :func:`context_overlay` when ``context`` names a context other than the cluster's own.
    Raises ValueError when the options cannot be honoured by this kops version.
    """
    version_info = tuple(version_info)
    args = ['validate', 'cluster', '--name', name, '-o', 'json']
    env = {}
    warnings = []
    if api_server and use_kubeconfig:
        raise ValueError('api_server and use_kubeconfig=true are mutually exclusive')
    if context and api_server:
        raise ValueError('api_server and context are mutually exclusive')
    if context and use_kubeconfig is False:
        raise ValueError('context selects a kubeconfig context, so it needs use_kubeconfig=true (or unset)')
    explicit = use_kubeconfig is not None
    wanted = use_kubeconfig if explicit else bool(context or (kubeconfig and not api_server))
    chain = None
    if overlay_path:
        chain = os.pathsep.join([overlay_path] + kubeconfig_paths(kubeconfig, environ))
    if version_info < OWN_CREDENTIAL_SINCE:
        if api_server:
            raise ValueError(
                'api_server needs kops %s or later, but kops %s is in use; this version reaches the API through '
                'the kubeconfig context named after the cluster, so set kubeconfig (and context) instead'
                % (_version_text(API_SERVER_SINCE), _version_text(version_info)))
        if chain:
            # --kubeconfig would load one file only; KUBECONFIG loads the overlay first.
            env['KUBECONFIG'] = chain
        elif kubeconfig:
            args.extend(['--kubeconfig', kubeconfig])
        return ValidateCommand(args, env, warnings)
    if api_server:
        if version_info < API_SERVER_SINCE:
            raise ValueError('api_server needs kops %s or later, but kops %s is in use'
                             % (_version_text(API_SERVER_SINCE), _version_text(version_info)))
        args.extend(['--api-server', api_server])
    if wanted and version_info < USE_KUBECONFIG_SINCE:
        if context or explicit:
            raise ValueError(
                '%s needs kops %s or later (--use-kubeconfig), but kops %s is in use: it validates with its own admin '
                'credential and cannot use a kubeconfig context'
                % ('context' if context else 'use_kubeconfig', _version_text(USE_KUBECONFIG_SINCE),
                   _version_text(version_info)))
        wanted = False
    if wanted:
        args.append('--use-kubeconfig')
        if chain or kubeconfig:
            # --use-kubeconfig loads the kubeconfig the normal way (KUBECONFIG); --kubeconfig is ignored.
            env['KUBECONFIG'] = chain or kubeconfig
    elif kubeconfig:
        warnings.append(
            'kops %s ignores kubeconfig when validating: it builds its own admin credential from the state store. '
            'kops 1.34 or later can validate through the kubeconfig (use_kubeconfig, context).'
            % _version_text(version_info))
    return ValidateCommand(args, env, warnings)


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


def wait_args(args, wait, interval, count=1):
    """``args`` plus kops's own waiting: ``--wait`` (the budget), ``--interval`` and, above 1, ``--count``."""
    args = list(args) + ['--wait', format_go_duration(round(wait, 3)), '--interval', format_go_duration(interval)]
    if count > 1:
        args.extend(['--count', str(count)])
    return args


def retry_reasons(stderr):
    """The reasons of kops's ``(will retry):`` log lines, in order."""
    reasons = []
    for line in (stderr or '').splitlines():
        if _WILL_RETRY in line:
            reasons.append(line.split(_WILL_RETRY, 1)[1].strip())
    return reasons


def judge_wait(result):
    """Read one ``kops validate cluster --wait`` run (see :data:`WaitRun`).

    An error kops did not retry (it fails before its loop: missing cluster, kubeconfig, state store)
    is judged as one attempt by :func:`judge`. Errors kops retried inside its loop are returned in
    ``loop_errors``; the caller decides whether waiting could fix them.
    """
    reasons = retry_reasons(result.stderr)
    loop_errors = [r[len(_LOOP_ERROR):] for r in reasons if r.startswith(_LOOP_ERROR)]
    exceeded = result.rc != 0 and any(WAIT_EXCEEDED in line for line in error_lines_of(result))
    broken = any(not reason.startswith(_PASSED) for reason in reasons)
    if result.rc != 0 and not exceeded:
        verdict, attempt = judge(result)
        return WaitRun(verdict, attempt, len(reasons) + 1, 0, False, loop_errors, True)
    report = last_report(result.stdout)
    last = reasons[-1] if reasons else ''
    streak = 0
    if last.startswith(_PASSED):
        try:
            streak = int(last[len(_PASSED):].split()[0])
        except (IndexError, ValueError):
            streak = 0
    if not exceeded:
        if report is None:
            return WaitRun(FATAL, Attempt(None, result), len(reasons) + 1, 0, False, loop_errors, True)
        return WaitRun(SUCCESS, Attempt(report, result), len(reasons) + 1, streak + 1, False, loop_errors, broken)
    if last.startswith(_LOOP_ERROR) or report is None:
        # The last try reached no result: it is described by its error, as a single attempt would be.
        return WaitRun(RETRY, Attempt(None, result), len(reasons), 0, True, loop_errors, True)
    report['valid'] = False
    return WaitRun(RETRY, Attempt(report, result), len(reasons), streak, True, loop_errors, broken)


def hopeless(loop_errors):
    """The first error kops retried that waiting cannot fix (by the module's rules), or None."""
    for error in loop_errors:
        if classify('Error: validation failed: ' + _LOOP_ERROR + error) != TRANSIENT:
            return error
    return None


def error_lines_of(result):
    return [line[len('Error:'):].strip() for line in (result.stderr or '').splitlines() if line.startswith('Error:')]


def error_line(result):
    """The ``Error: ...`` line kops printed, else the last stderr line (for messages)."""
    lines = [line.strip() for line in (result.stderr or '').splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith('Error:'):
            return line[len('Error:'):].strip()
    return lines[-1] if lines else ''


def last_try_error(result):
    """What the last try of a run failed with: :func:`error_line`, except that when kops's wait ran
    out, the error of its last try (its "(will retry)" line), spelled as a single run prints it."""
    if any(WAIT_EXCEEDED in line for line in error_lines_of(result)):
        reasons = retry_reasons(result.stderr)
        if reasons and reasons[-1].startswith(_LOOP_ERROR):
            return 'validation failed: ' + reasons[-1]
    return error_line(result)
