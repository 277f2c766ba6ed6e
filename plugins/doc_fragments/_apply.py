# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this doc fragment is internal to cloudops.kops and may change without notice.

from __future__ import annotations


class ModuleDocFragment(object):

    # Options of the apply step, plugins/module_utils/_kops_apply.py (apply_argument_spec).
    DOCUMENTATION = r'''
options:
  apply:
    description:
      - Whether to push the stored spec to AWS with C(kops update cluster --yes --create-kube-config=false) when the
        kops dry run reports pending changes.
      - With V(false) the module only writes the spec to the state store.
    type: bool
    default: true
  admin_ttl:
    description:
      - Deprecated and ignored; will be removed in cloudops.kops 1.0.0.
      - This module no longer exports a credential, because C(kops update cluster --admin) implies writing the
        default kubeconfig. Export one with M(cloudops.kops.kops_kubecfg) and its O(cloudops.kops.kops_kubecfg#module:admin_ttl).
    type: raw
  rolling_update:
    description:
      - V(never) leaves running instances alone.
      - V(auto) runs C(kops rolling-update cluster --yes) when its preview says instances need replacing.
      - V(always) forces a rolling update of the selected instance groups on every run (reports changed).
      - For controlled, resumable rolling updates reported per group, use M(cloudops.kops.kops_rolling_update).
    type: str
    choices: [never, auto, always]
    default: never
  rolling_update_cloud_only:
    description:
      - Pass C(--cloudonly) to the rolling update, which then does not drain or validate through the Kubernetes API.
        Needed when the API cannot be reached; causes downtime.
      - The same option as O(cloudops.kops.kops_rolling_update#module:cloud_only).
    type: bool
    default: false
    aliases: [rolling_update_cloudonly]
  rolling_update_instance_groups:
    description:
      - Only roll these instance groups (C(--instance-group)).
      - Every name must be an instance group of the cluster; a name it does not have fails the task before anything
        is written.
    type: list
    elements: str
  rolling_update_instance_group_roles:
    description:
      - Only roll instance groups with these roles (C(--instance-group-roles)).
    type: list
    elements: str
    choices: [control-plane, apiserver, node, bastion]
  allow_kops_downgrade:
    description:
      - Let this kops apply a cluster that a newer kops release applied last (C(--allow-kops-downgrade) on
        C(kops update cluster)). Without it kops refuses, because an older kops may not know what the newer one wrote.
    type: bool
    default: false
'''
