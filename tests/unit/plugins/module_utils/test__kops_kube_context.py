# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._kops_kube_context import (
    kube_context_argument_spec,
    kubeconfig_environ,
    missing_context_hint,
)


def test_the_option_is_a_path():
    assert kube_context_argument_spec() == {'kubeconfig': {'type': 'path'}}


def test_environ_points_kops_at_the_given_file():
    assert kubeconfig_environ({'kubeconfig': '/srv/kube/fleetman.yaml'}) == {'KUBECONFIG': '/srv/kube/fleetman.yaml'}


@pytest.mark.parametrize('params', [{}, {'kubeconfig': None}, {'kubeconfig': ''}])
def test_no_kubeconfig_keeps_the_callers_environment(params):
    assert kubeconfig_environ(params) is None


@pytest.mark.parametrize('stderr', [
    # rolling-update_cluster.go / get_instances.go (v1.30.1), without the cluster's context.
    'Error: cannot load kubecfg settings for "fleetman.k8s.local": context "fleetman.k8s.local" does not exist\n',
    # validate_cluster.go (v1.30.1) with a --kubeconfig that does not exist.
    'Error: validation failed: cannot load kubecfg settings for "fleetman.k8s.local": stat /x: no such file\n',
])
def test_a_missing_context_gets_a_sentence_naming_the_option(stderr):
    hint = missing_context_hint(stderr)
    assert hint.startswith(' kops 1.30 ') and hint.endswith('pass it as kubeconfig.')
    assert 'cloudops.kops.kops_kubecfg' in hint


@pytest.mark.parametrize('stderr', ['Error: error listing nodes in cluster: Get "https://api": dial tcp: i/o timeout\n',
                                    '', None])
def test_other_failures_get_no_hint(stderr):
    assert missing_context_hint(stderr) == ''
