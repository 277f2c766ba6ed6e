# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""The kubeconfig kops reads to reach the Kubernetes API (documented in the cloudops.kops._kube_context fragment).

kops 1.30 loads the cluster's context from the kubeconfig for every rolling update, ``--cloudonly`` too
(rolling-update_cluster.go), and to drain in ``delete instance``; later kops builds its own admin
credential (util/factory.go buildRESTConfig) unless told ``--use-kubeconfig``. kops only reads the file
in these commands; only kops_kubecfg writes one.
"""

from __future__ import annotations

# kops 1.30's error when the cluster's context cannot be loaded: rolling-update_cluster.go
# RunRollingUpdateCluster, get_instances.go and delete_instance.go.
KUBECFG_LOAD_ERROR = 'cannot load kubecfg settings'


def kube_context_argument_spec():
    return dict(kubeconfig=dict(type='path'))


def kubeconfig_environ(params):
    """The environment that points kops at O(kubeconfig), or None to keep the caller's."""
    return {'KUBECONFIG': params['kubeconfig']} if params.get('kubeconfig') else None


def missing_context_hint(stderr):
    """What to do when kops could not load the cluster's context, else ''.

    A sentence with a leading space, to follow the sentence of a failure message.
    """
    if KUBECFG_LOAD_ERROR not in (stderr or ''):
        return ''
    return (" kops 1.30 reads the cluster's context from a kubeconfig: export the admin kubeconfig with "
            "cloudops.kops.kops_kubecfg and pass it as kubeconfig.")
