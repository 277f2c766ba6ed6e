# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.kops.plugins.filter.kops_tagged_for import FilterModule, kops_tagged_for, tags_as_dict

CLUSTER = "fleetman.k8s.local"
LEGACY = {"id": "legacy", "tags": {"KubernetesCluster": CLUSTER}}
OWNED = {"id": "owned", "tags": {"kubernetes.io/cluster/fleetman.k8s.local": "owned"}}
SHARED = {"id": "shared", "tags": {"kubernetes.io/cluster/fleetman.k8s.local": "shared"}}
OTHER = {"id": "other", "tags": {"KubernetesCluster": "other.k8s.local", "kubernetes.io/cluster/other.k8s.local": "owned"}}
# A name that only starts with ours must not match.
PREFIX = {"id": "prefix", "tags": {"KubernetesCluster": CLUSTER + ".extra"}}
ASG_STYLE = {"id": "asg", "tags": [{"key": "KubernetesCluster", "value": CLUSTER, "propagate_at_launch": True}]}
BOTO_STYLE = {"id": "boto", "tags": [{"Key": "kubernetes.io/cluster/fleetman.k8s.local", "Value": "owned"}]}
UNTAGGED = {"id": "untagged"}


def ids(resources):
    return [r["id"] for r in resources]


def test_registered_under_its_name():
    assert FilterModule().filters() == {"kops_tagged_for": kops_tagged_for}


def test_keeps_only_this_clusters_resources_in_order():
    everything = [OTHER, LEGACY, UNTAGGED, OWNED, PREFIX, SHARED, ASG_STYLE, BOTO_STYLE]
    assert ids(kops_tagged_for(everything, CLUSTER)) == ["legacy", "owned", "asg", "boto"]


def test_shared_only_on_request():
    assert ids(kops_tagged_for([SHARED, OWNED], CLUSTER, include_shared=True)) == ["shared", "owned"]


def test_other_cluster_sees_only_its_own():
    assert ids(kops_tagged_for([OTHER, LEGACY, OWNED], "other.k8s.local")) == ["other"]


def test_none_is_empty():
    assert kops_tagged_for(None, CLUSTER) == []


def test_tags_as_dict_shapes():
    assert tags_as_dict(None) == {}
    assert tags_as_dict([{"Key": "a", "Value": "1"}, {"key": "b", "value": "2"}, "junk"]) == {"a": "1", "b": "2"}


@pytest.mark.parametrize("resources, cluster, message", [
    ([LEGACY], "", "cluster name is required"),
    ("fleetman", CLUSTER, "must be a list"),
    ({"tags": {}}, CLUSTER, "must be a list"),
])
def test_bad_input(resources, cluster, message):
    with pytest.raises(AnsibleFilterError, match=message):
        kops_tagged_for(resources, cluster)
