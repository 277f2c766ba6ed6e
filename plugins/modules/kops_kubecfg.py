#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kops_kubecfg
short_description: Keep an admin kubeconfig entry for a kops cluster
version_added: 0.1.0
description:
  - Exports a kops cluster's kubeconfig with an admin client certificate (C(kops export kubecfg --admin)) and merges
    the cluster's C(clusters), C(contexts) and C(users) entries into a kubeconfig file.
  - kops always writes into a private temporary file; the module then edits only the entries named after the
    cluster (and C(current-context) if O(set_current_context=true)). Every other cluster, context and user in the
    file, and its comments, stay byte for byte as they were.
  - An admin certificate is different on every export, so the module only writes a new one when the context is
    missing, points at another API server or CA, has no client certificate, or its certificate expires within
    O(renew_before). Otherwise it reports no change.
  - With O(state=absent) the cluster's context, and the cluster and user entries no other context uses, are
    removed from the file. kops is not run.
  - The file is written atomically and always left with mode C(0600), because it holds a private key.
author:
  - cloudops.kops maintainers (@cloudops)
options:
  name:
    required: true
  state:
    description:
      - V(present) makes sure the file has a usable admin context for the cluster.
      - V(absent) removes the cluster's entries from the file.
    type: str
    choices: [present, absent]
    default: present
  kubeconfig:
    description:
      - The kubeconfig file to update.
      - Defaults to where C(kubectl) looks first, the first path in E(KUBECONFIG), else C(~/.kube/config).
      - Missing parent directories are created with mode C(0700).
    type: path
  admin_ttl:
    description:
      - Lifetime of the exported admin certificate, a duration (see Notes) such as V(18h), V(720h), V(87600h) or
        V(64800), passed to kops as C(--admin=<admin_ttl>) in Go syntax.
      - V(0) or V('') means no admin credential, as in every cloudops.kops module; this module exists to keep one,
        so it fails with that value before running kops.
    type: raw
    default: 18h
  admin_ttl_ceiling:
    description:
      - The longest O(admin_ttl) accepted without a warning (a duration, see Notes); default seven days.
      - A longer O(admin_ttl), such as the tutorial's V(87600h), is accepted with a warning that names the risk, since
        the certificate grants cluster-admin until it expires and Kubernetes cannot revoke a client certificate
        short of rotating the cluster CA. V(0) turns the warning off.
    type: raw
    default: 168h
  renew_before:
    description:
      - Export a new certificate when the one in the file expires within this duration (see Notes), for example
        V(1h), V(24h) or V(3600). Must be shorter than O(admin_ttl). V(0) or V('') renews only expired certificates.
    type: raw
    default: 1h
  set_current_context:
    description:
      - Whether to make the cluster's context the file's C(current-context), as C(kops export kubecfg) itself does.
      - With V(false) the C(current-context) is left as it is. With O(state=absent) a C(current-context) that names
        the removed context is cleared whatever this option says.
    type: bool
    default: true
  internal:
    description:
      - Use the cluster's internal API address (C(--internal)), for example from inside the cluster's VPC.
    type: bool
    default: false
extends_documentation_fragment:
  - cloudops.kops._kops
  - cloudops.kops._aws_connection
  - cloudops.kops._duration
  - cloudops.kops._attributes.IDEMPOTENT
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  action_group:
    support: full
    membership: [cloudops.kops.kops]
  check_mode:
    support: full
    details: kops still exports into a private temporary file to learn the API server; the kubeconfig is not written.
  diff_mode:
    support: full
    details: The diff shows the context, server and certificate expiry, never certificates or keys.
  idempotent:
    support: partial
    details:
      - A second run changes nothing while the certificate in the file is valid for longer than O(renew_before);
        once it is not, the run exports a new one and reports a change, by design.
  platform:
    platforms: posix
requirements:
  - PyYAML.
  - cryptography, to read when the admin certificate expires. Without it the module cannot tell when to renew
    the certificate, keeps the one in the file and warns.
notes:
  - The module owns the C(clusters), C(contexts) and C(users) entries named after the cluster (kops names all three
    after it). Changes made to those entries by hand are replaced when a new certificate is exported.
  - The certificate, the private key and the CA data are never returned and never shown in a diff.
  - Every run with O(state=present) asks kops for a fresh export into a private temporary file, because only
    kops knows the cluster's current API server. That file is deleted as soon as it has been read; its entries
    reach the kubeconfig only when one of the reasons above calls for a new certificate.
  - Several runs may write one kubeconfig at the same time (for example one cluster per host with C(forks)).
    A run that must change the file takes an exclusive lock on C(<kubeconfig>.cloudops-kops.lock) beside it
    (an empty file that is left in place; not C(<kubeconfig>.lock), which C(kubectl) uses), reads the file again,
    decides again whether the certificate must be renewed, merges, and replaces the file atomically (a temporary
    file in the same directory, fsynced, then renamed over it). No run loses another run's contexts and readers
    never see a half-written file. A run that changes nothing takes no lock.
  - Each missing parent directory of the kubeconfig is created with mode C(0700) whatever the umask; existing
    directories are left as they are. The owner and group of an existing kubeconfig are kept where the module
    may set them.
seealso:
  - name: kops export kubeconfig
    description: The kops command this module runs.
    link: https://kops.sigs.k8s.io/cli/kops_export_kubeconfig/
  - module: cloudops.kops.kops_validate
"""

EXAMPLES = r"""
- name: Give the operator an admin context valid for 30 days, renewed when less than 7 days are left
  cloudops.kops.kops_kubecfg:
    name: fleetman.k8s.local
    state_store: s3://fleetman-kops-state
    admin_ttl: 720h
    renew_before: 168h

- name: Write a separate kubeconfig for CI without changing its current context
  cloudops.kops.kops_kubecfg:
    name: fleetman.k8s.local
    kubeconfig: "{{ playbook_dir }}/artifacts/fleetman.kubeconfig"
    set_current_context: false
  register: kc

- name: Use it with kubernetes.core
  kubernetes.core.k8s_info:
    kubeconfig: "{{ kc.kubeconfig }}"
    context: "{{ kc.context }}"
    kind: Node

- name: Forget the cluster after it has been deleted
  cloudops.kops.kops_kubecfg:
    name: fleetman.k8s.local
    state: absent
"""

RETURN = r"""
kubeconfig:
  description: The kubeconfig file that was checked or written.
  returned: always
  type: str
  sample: /home/ops/.kube/config
context:
  description: Name of the cluster's context.
  returned: always
  type: str
  sample: fleetman.k8s.local
server:
  description: The API server URL of the cluster's context.
  returned: when O(state=present)
  type: str
  sample: https://api-fleetman-k8s-local-tkmafs-1.us-west-2.elb.amazonaws.com
current_context:
  description: The file's C(current-context) after the run (what it would be in check mode).
  returned: always
  type: str
  sample: fleetman.k8s.local
exported:
  description: Whether a new admin certificate was (or in check mode would be) written to the file.
  returned: always
  type: bool
  sample: false
expires:
  description: When the admin certificate in the file expires, in ISO 8601 UTC; V(null) when it cannot be read.
  returned: when O(state=present)
  type: str
  sample: '2026-11-22T03:37:45+00:00'
expires_in_seconds:
  description: Seconds until the certificate expires; V(null) when it cannot be read.
  returned: when O(state=present)
  type: int
  sample: 64799
export_reason:
  description: Why a new certificate was exported.
  returned: when RV(exported) is V(true)
  type: str
  sample: the client certificate expires at 2026-11-21T10:05:00+00:00
kops_version:
  description: Version of the kops binary that ran.
  returned: when O(state=present)
  type: str
  sample: 1.36.2
"""

import datetime
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.cloudops.kops.plugins.module_utils._file_lock import (
    atomic_write,
    file_lock,
    make_private_dirs,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kops_errors import NOT_FOUND
from ansible_collections.cloudops.kops.plugins.module_utils._kops_runner import KopsRunner, kops_argument_spec
from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import (
    duration_option,
    format_go_duration,
    parse_duration,
)
from ansible_collections.cloudops.kops.plugins.module_utils._kubeconfig import (
    HAS_CRYPTOGRAPHY,
    HAS_YAML,
    YAML_IMPORT_ERROR,
    Kubeconfig,
    KubeconfigError,
    certificate_not_after,
    client_certificate,
    default_path,
    lock_path,
)

FILE_MODE = 0o600
# Each writer holds the lock only to re-read, merge and replace the file (milliseconds).
LOCK_TIMEOUT = 120


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def check_input(module):
    """(path, admin_ttl seconds, renew_before seconds); every bad value fails before kops runs."""
    params = module.params
    ttl = duration_option(module, 'admin_ttl')
    if ttl <= 0:
        module.fail_json(msg='admin_ttl is %r, which means no admin credential; kops_kubecfg keeps an admin credential, '
                             'so give it a lifetime such as 18h (or remove the context with state=absent).'
                             % (params['admin_ttl'],))
    ceiling = duration_option(module, 'admin_ttl_ceiling')
    if ceiling and ttl > ceiling:
        module.warn('admin_ttl %s is longer than admin_ttl_ceiling %s: the exported certificate grants cluster-admin for '
                    'all that time, and Kubernetes cannot revoke a client certificate short of rotating the cluster CA, '
                    'so a copied kubeconfig stays a working admin credential until it expires. Prefer a short admin_ttl '
                    'renewed by re-running (renew_before).' % (format_go_duration(ttl), format_go_duration(ceiling)))
    renew = duration_option(module, 'renew_before')
    if renew >= ttl:
        module.fail_json(msg='renew_before (%s) must be shorter than admin_ttl (%s), or every run would export a new '
                             'certificate.' % (format_go_duration(renew), format_go_duration(ttl)))
    path = params['kubeconfig'] or default_path()
    return os.path.abspath(path), ttl, renew


def read_kubeconfig(module, path):
    if os.path.isdir(path):
        module.fail_json(msg='kubeconfig %s is a directory.' % path)
    if not os.path.exists(path):
        return None
    try:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8')
    except (IOError, OSError, UnicodeDecodeError) as exc:
        module.fail_json(msg='Could not read kubeconfig %s: %s' % (path, to_native(exc)))
    try:
        return Kubeconfig(text)
    except KubeconfigError as exc:
        module.fail_json(msg='kubeconfig %s cannot be updated safely: %s' % (path, exc))


def kubeconfig_lock(path):
    """Make the missing parent directories (each 0700, whatever the umask) and lock the file.

    The lock is an flock on ``<real kubeconfig>.cloudops-kops.lock``; directories that already
    existed keep their mode.
    """
    make_private_dirs(os.path.dirname(os.path.realpath(path)))
    return file_lock(lock_path(path), timeout=LOCK_TIMEOUT)


def write_kubeconfig(module, path, text):
    """Atomic replace (temporary file, fsync, rename, fsync of the directory); call it under kubeconfig_lock.

    The result is always 0600, because the file holds a private key: the temporary file is 0600
    before any secret reaches it. The owner and group of an existing file are kept where this
    process may set them.
    """
    # Like kubectl, write through a symlinked kubeconfig instead of replacing the link.
    atomic_write(os.path.realpath(path), text.encode('utf-8'), mode=FILE_MODE)


def credential_expiry(config, user_name, base_dir):
    """(not_after or None, has_certificate)."""
    pem = client_certificate(config.entry('users', user_name), base_dir)
    if not pem:
        return None, False
    return certificate_not_after(pem), True


def describe(config, context_name, base_dir):
    """What the diff shows: names, server and expiry, never credentials."""
    if config is None:
        return {}
    context = config.entry('contexts', context_name)
    if context is None:
        return {'current_context': config.current_context}
    ctx = context.get('context') or {}
    cluster = (config.entry('clusters', ctx.get('cluster')) or {}).get('cluster') or {}
    pem = client_certificate(config.entry('users', ctx.get('user')), base_dir)
    not_after = certificate_not_after(pem) if pem else None
    return {
        'current_context': config.current_context,
        'context': {'name': context_name, 'cluster': ctx.get('cluster'), 'user': ctx.get('user')},
        'server': cluster.get('server'),
        'client_certificate_expires': not_after.isoformat() if not_after else None,
    }


def same_endpoint(old, new):
    keys = ('server', 'certificate-authority-data', 'certificate-authority', 'tls-server-name')
    return all((old or {}).get(key) == (new or {}).get(key) for key in keys)


def absent(module, path, config, name):
    base_dir = os.path.dirname(path)

    def plan(config):
        result = dict(changed=False, kubeconfig=path, context=name, exported=False)
        if config is None:
            return None, result, {}, {}
        edited = Kubeconfig(config.text)
        context = edited.entry('contexts', name)
        if context is not None:
            ctx = context.get('context') or {}
            edited.remove('contexts', name)
            still_used = [(c.get('context') or {}) for c in edited.data.get('contexts') or []]
            if ctx.get('cluster') and not any(c.get('cluster') == ctx['cluster'] for c in still_used):
                edited.remove('clusters', ctx['cluster'])
            if ctx.get('user') and not any(c.get('user') == ctx['user'] for c in still_used):
                edited.remove('users', ctx['user'])
        if edited.current_context == name:
            edited.set_current_context('')
        return edited, result, describe(config, name, base_dir), describe(edited, name, base_dir)

    finish(module, path, config, plan)


def pending_changes(path, old, new):
    """(text changed, mode changed) between the file as read (``old``) and ``new``."""
    text_changed = new is not None and (old is None or new.text != old.text)
    mode_changed = new is not None and os.path.exists(path) and (os.stat(path).st_mode & 0o7777) != FILE_MODE
    return text_changed, mode_changed


def finish(module, path, config, plan):
    """Apply ``plan(config) -> (new Kubeconfig or None, result, diff before, diff after)`` to the file.

    Race safety: the first plan, including "the certificate is about to expire", runs on the file as
    read without a lock. Writers only ever replace the file atomically, so that read is a whole file,
    and when it needs no change (the usual run) the answer was true when it was read: nothing is
    locked, created or written. When a change is due, the file is locked, read again and planned
    again under the lock, so the read-merge-write always starts from what the last writer left and
    never drops another run's contexts; a parallel run that already renewed the certificate turns
    this one into a no-op. Check mode never locks or creates anything.
    """
    new, result, before, after = plan(config)
    text_changed, mode_changed = pending_changes(path, config, new)
    if (text_changed or mode_changed) and not module.check_mode:
        try:
            with kubeconfig_lock(path):
                config = read_kubeconfig(module, path)
                new, result, before, after = plan(config)
                text_changed, mode_changed = pending_changes(path, config, new)
                if text_changed:
                    write_kubeconfig(module, path, new.text)
                elif mode_changed:
                    os.chmod(path, FILE_MODE)
        except (IOError, OSError) as exc:
            module.fail_json(msg='Could not write kubeconfig %s: %s' % (path, to_native(exc)), **result)
    result['changed'] = bool(text_changed or mode_changed)
    current = new if new is not None else config
    result['current_context'] = current.current_context if current is not None else None
    if module._diff:
        result['diff'] = dict(before=before, after=after, before_header=path, after_header=path)
    module.exit_json(**result)


def export(module, runner, name):
    """kops writes into a private directory that is removed as soon as it has been read."""
    params = module.params
    export_dir = tempfile.mkdtemp(prefix='kops-kubecfg-', dir=module.tmpdir)
    exported_path = os.path.join(export_dir, 'config')
    admin = format_go_duration(parse_duration(params['admin_ttl']))
    args = ['export', 'kubecfg', '--name', name, '--admin=%s' % admin, '--kubeconfig', exported_path]
    if params['internal']:
        args.append('--internal')
    try:
        result = runner.run(args)
        if result.rc != 0:
            if result.error_kind == NOT_FOUND:
                runner.fail('Cluster %s was not found in the state store %s.' % (name, runner.state_store), result)
            runner.fail('kops could not export the kubeconfig of cluster %s.' % name, result)
        try:
            with open(exported_path, 'rb') as handle:
                return Kubeconfig(handle.read().decode('utf-8')), result
        except (IOError, OSError, UnicodeDecodeError, KubeconfigError) as exc:
            runner.fail('kops exported a kubeconfig that could not be read: %s' % to_native(exc), result)
    finally:
        shutil.rmtree(export_dir, ignore_errors=True)


def present(module, path, config, name, renew_before):
    runner = KopsRunner(module)
    kops_version = runner.version  # probed first, so an unsupported kops fails before the export
    fresh, result = export(module, runner, name)
    fresh_context = fresh.entry('contexts', name)
    if fresh_context is None:
        runner.fail('kops exported no context named %s.' % name, result)
    ctx = fresh_context.get('context') or {}
    fresh_cluster = fresh.entry('clusters', ctx.get('cluster'))
    fresh_user = fresh.entry('users', ctx.get('user'))
    if fresh_cluster is None or fresh_user is None:
        runner.fail('kops exported an incomplete kubeconfig for %s (no cluster or user entry).' % name, result)
    finish(module, path, config, lambda current: plan_present(module, path, current, name, renew_before,
                                                              fresh_context, fresh_cluster, fresh_user, kops_version))


def plan_present(module, path, config, name, renew_before, fresh_context, fresh_cluster, fresh_user, kops_version):
    """Whether ``config`` needs kops's fresh entries, and the file with them merged (see finish)."""
    params = module.params
    base_dir = os.path.dirname(path)
    ctx = fresh_context.get('context') or {}
    now = _utcnow()
    reasons = []
    if config is None or config.entry('contexts', name) is None:
        reasons.append('the context is missing')
    else:
        old_ctx = config.entry('contexts', name).get('context') or {}
        old_cluster = config.entry('clusters', old_ctx.get('cluster'))
        if old_ctx.get('cluster') != ctx.get('cluster') or old_ctx.get('user') != ctx.get('user'):
            reasons.append('the context uses another cluster or user entry')
        elif old_cluster is None or not same_endpoint(old_cluster.get('cluster'), fresh_cluster.get('cluster')):
            reasons.append('the context points at another API server or CA')
        else:
            not_after, has_cert = credential_expiry(config, old_ctx.get('user'), base_dir)
            if not has_cert:
                reasons.append('the user has no client certificate')
            elif not_after is None:
                if not HAS_CRYPTOGRAPHY:
                    module.warn('The Python cryptography library is missing, so the expiry of the admin certificate '
                                'in %s cannot be read; it is kept as it is. %s'
                                % (path, missing_required_lib('cryptography')))
                else:
                    reasons.append('the client certificate cannot be read')
            elif (not_after - now).total_seconds() <= renew_before:
                reasons.append('the client certificate expires at %s' % not_after.isoformat())

    new = Kubeconfig(config.text) if config is not None else Kubeconfig.new()
    if reasons:
        for section, entry in (('clusters', fresh_cluster), ('users', fresh_user), ('contexts', fresh_context)):
            new.upsert(section, entry)
    if params['set_current_context'] and new.current_context != name:
        new.set_current_context(name)

    after = describe(new, name, base_dir)
    not_after = credential_expiry(new, ctx.get('user'), base_dir)[0]
    output = dict(
        kubeconfig=path,
        context=name,
        server=fresh_cluster.get('cluster', {}).get('server'),
        exported=bool(reasons),
        expires=not_after.isoformat() if not_after else None,
        expires_in_seconds=int((not_after - now).total_seconds()) if not_after else None,
        kops_version=kops_version,
    )
    if reasons:
        output['export_reason'] = '; '.join(reasons)
    return new, output, describe(config, name, base_dir), after


def main():
    argument_spec = kops_argument_spec(name_required=True)
    argument_spec.update(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        kubeconfig=dict(type='path'),
        admin_ttl=dict(type='raw', default='18h'),
        admin_ttl_ceiling=dict(type='raw', default='168h'),
        renew_before=dict(type='raw', default='1h'),
        set_current_context=dict(type='bool', default=True),
        internal=dict(type='bool', default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib('PyYAML'), exception=YAML_IMPORT_ERROR)
    path, dummy, renew_before = check_input(module)
    config = read_kubeconfig(module, path)
    if module.params['state'] == 'absent':
        absent(module, path, config, module.params['name'])
    present(module, path, config, module.params['name'], renew_before)


if __name__ == '__main__':
    main()
