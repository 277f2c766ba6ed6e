# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: kops_tagged_for
short_description: Keep the AWS resources that carry a kops cluster's ownership tags
version_added: 0.1.0
author: cloudops.kops maintainers (@cloudops)
description:
  - Keeps the resources whose tags say they belong to one cluster, either C(KubernetesCluster=<cluster>) (what kops
    writes) or C(kubernetes.io/cluster/<cluster>=owned) (what kops and the Kubernetes cloud controller write).
  - Resources tagged C(kubernetes.io/cluster/<cluster>=shared) belong to someone else and are kept only with
    O(include_shared=true).
  - Reads the C(tags) key of each resource, as returned by the amazon.aws info modules, either a dictionary
    (M(amazon.aws.ec2_instance_info), M(amazon.aws.elb_classic_lb_info), M(amazon.aws.elb_application_lb_info))
    or a list of dictionaries with C(key)/C(value) or C(Key)/C(Value) (M(amazon.aws.autoscaling_group_info), boto3).
options:
  _input:
    description: The resources.
    type: list
    elements: dict
    required: true
  cluster:
    description: The cluster name, for example V(fleetman.k8s.local).
    type: str
    required: true
  include_shared:
    description: Also keep resources tagged C(kubernetes.io/cluster/<cluster>=shared).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Read every Auto Scaling Group, keep the cluster's own
  amazon.aws.autoscaling_group_info:
  register: all_asgs

- name: Show them
  ansible.builtin.debug:
    msg: "{{ all_asgs.results | cloudops.kops.kops_tagged_for('fleetman.k8s.local') | map(attribute='auto_scaling_group_name') }}"
"""

RETURN = r"""
_value:
  description: The resources of O(_input) that carry the cluster's tags, in their original order.
  type: list
  elements: dict
"""

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError


def tags_as_dict(tags):
    """Tags as a plain dictionary, whichever shape AWS or amazon.aws gave them."""
    if not tags:
        return {}
    if isinstance(tags, Mapping):
        return dict(tags)
    result = {}
    for tag in tags:
        if not isinstance(tag, Mapping):
            continue
        key = tag.get("key", tag.get("Key"))
        if key is not None:
            result[key] = tag.get("value", tag.get("Value", ""))
    return result


def is_tagged_for(tags, cluster, include_shared=False):
    tags = tags_as_dict(tags)
    if tags.get("KubernetesCluster") == cluster:
        return True
    ownership = tags.get("kubernetes.io/cluster/%s" % cluster)
    return ownership == "owned" or (include_shared and ownership == "shared")


def kops_tagged_for(resources, cluster, include_shared=False):
    if not cluster:
        raise AnsibleFilterError("kops_tagged_for: a cluster name is required")
    if resources is None:
        return []
    if not isinstance(resources, Sequence) or isinstance(resources, (str, Mapping)):
        raise AnsibleFilterError("kops_tagged_for: the input must be a list of resources, got %s" % type(resources).__name__)
    return [
        resource for resource in resources
        if isinstance(resource, Mapping) and is_tagged_for(resource.get("tags"), cluster, include_shared)
    ]


class FilterModule(object):
    def filters(self):
        return {"kops_tagged_for": kops_tagged_for}
