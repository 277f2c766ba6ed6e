# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this doc fragment is internal to cloudops.kops and may change without notice.

from __future__ import annotations


class ModuleDocFragment(object):

    # The kubeconfig kops reads, plugins/module_utils/_kops_kube_context.py (kube_context_argument_spec).
    DOCUMENTATION = r'''
options:
  kubeconfig:
    description:
      - A kubeconfig holding the cluster's context, as M(cloudops.kops.kops_kubecfg) exports it. It is given to kops
        as E(KUBECONFIG) for the commands that reach the Kubernetes API, rolling updates, draining and
        C(kops get instances), and for no other command.
      - kops 1.30 reads the cluster's context for every rolling update, cloud-only ones included, and to drain
        a node; it fails when the context cannot be loaded. kops 1.36 makes its own admin credential and does
        not read the file.
      - When not set, kops reads the kubeconfig of the task's environment (E(KUBECONFIG), else C(~/.kube/config)).
      - The module only reads it; it never writes a kubeconfig.
    type: path
'''
