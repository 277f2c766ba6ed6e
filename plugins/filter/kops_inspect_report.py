# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: kops_inspect_report
short_description: Join what kops and AWS say about a cluster into one report
version_added: 0.1.0
author: cloudops.kops maintainers (@cloudops)
description:
  - Joins a cluster's instance groups (from kops) with their Auto Scaling Groups, instances and load balancers (from
    M(cloudops.kops.kops_cloud_resources_info), or the first two from the amazon.aws info modules) and its nodes
    (from M(cloudops.kops.kops_validate)).
  - Only resources tagged for the cluster are used (see P(cloudops.kops.kops_tagged_for#filter)), so another
    cluster's resources never show up.
  - An Auto Scaling Group belongs to the instance group named by its C(kops.k8s.io/instancegroup) tag, else to the
    one whose name it follows (C(<group>.<cluster>), C(<group>.masters.<cluster>) or C(<group>.apiservers.<cluster>)).
  - The API load balancer is the cluster's load balancer that no Kubernetes Service made (no
    C(kubernetes.io/service-name) tag) and that kops named (C(Name) tag C(api.<cluster>) or a name starting with
    C(api-)). The others are listed in RV(_value.other_load_balancers).
  - RV(_value.usage) is ready for P(cloudops.kops.kops_cost_estimate#filter).
options:
  _input:
    description:
      - A dictionary of what was read. Every key is optional.
      - C(instance_groups) - the instance groups of M(cloudops.kops.kops_cluster_info) or
        M(cloudops.kops.kops_validate).
      - C(resources) - RV(cloudops.kops.kops_cloud_resources_info#module:resources). Those of the kinds
        V(autoscaling_group), V(instance), V(load_balancer) (classic) and V(load_balancer_v2) (network and
        application) are used; other kinds are ignored.
      - C(auto_scaling_groups) - RV(amazon.aws.autoscaling_group_info#module:results), used with those of
        C(resources).
      - C(instances) - RV(amazon.aws.ec2_instance_info#module:instances), used with those of C(resources).
      - C(nodes) - RV(cloudops.kops.kops_validate#module:nodes).
      - C(valid) - RV(cloudops.kops.kops_validate#module:valid).
      - C(kops_version) - the kops version that last wrote the state store.
    type: dict
    required: true
  cluster:
    description: The cluster name.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Read the cluster and its instance groups
  cloudops.kops.kops_cluster_info:
    name: fleetman.k8s.local
  register: info

- name: Read the cluster's Auto Scaling Groups, instances and load balancers
  cloudops.kops.kops_cloud_resources_info:
    name: fleetman.k8s.local
    kinds: [instance, autoscaling_group, load_balancer, load_balancer_v2]
  register: found

- name: Build the report
  ansible.builtin.set_fact:
    report: >-
      {{ {'instance_groups': info.clusters[0].instance_groups, 'resources': found.resources}
         | cloudops.kops.kops_inspect_report('fleetman.k8s.local') }}
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    cluster:
      description: The cluster name.
      type: str
    kops_version:
      description: The kops version that last wrote the state store, V(null) when unknown.
      type: str
    instance_groups:
      description:
        - One entry per instance group, sorted by role (control plane first) and name, with C(name), C(role),
          C(machine_type), C(min_size), C(max_size), C(zones) (zones, else subnets), C(instance_ids) and
          C(auto_scaling_group).
        - C(auto_scaling_group) has C(name), C(desired_capacity), C(min_size), C(max_size), C(in_service) (the count
          of C(InService) instances) and C(instance_ids), or is V(null) when none was found.
      type: list
      elements: dict
    unmatched_auto_scaling_groups:
      description: Names of the cluster's Auto Scaling Groups that belong to no instance group kops knows.
      type: list
      elements: str
    instances:
      description:
        - The cluster's pending and running instances, with C(id), C(type), C(state), C(zone), C(instance_group),
          C(role) (of the instance group) and C(auto_scaling_group).
        - C(auto_scaling_group) is set only when the instance is a member of the instance group's Auto Scaling Group.
      type: list
      elements: dict
    nodes:
      description: The nodes as M(cloudops.kops.kops_validate) saw them.
      type: list
      elements: dict
    nodes_ready:
      description: How many nodes are ready.
      type: int
    valid:
      description: Whether validation passed, V(null) when it was not run.
      type: bool
    api_load_balancer:
      description: C(name), C(type) (V(classic), V(network) or V(application)), C(dns_name), C(scheme) and C(state)
        of the API load balancer, or V(null).
      type: dict
    other_load_balancers:
      description: The cluster's other load balancers, same keys plus C(service_name).
      type: list
      elements: dict
    usage:
      description: C(instances) (type to count) and C(load_balancers) (class to count), for
        P(cloudops.kops.kops_cost_estimate#filter).
      type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.kops.plugins.filter.kops_tagged_for import kops_tagged_for, tags_as_dict

IG_TAG = "kops.k8s.io/instancegroup"
SERVICE_TAG = "kubernetes.io/service-name"
ROLE_ORDER = {"control-plane": 0, "apiserver": 1, "node": 2, "bastion": 3}
ROLE_NAMES = {"master": "control-plane", "controlplane": "control-plane", "control-plane": "control-plane",
              "node": "node", "bastion": "bastion", "apiserver": "apiserver"}
LIVE_STATES = ("pending", "running")
LB_KINDS = ("load_balancer", "load_balancer_v2")


def _role(value):
    return ROLE_NAMES.get(str(value or "").replace("_", "").lower(), str(value or "").lower() or None)


def _asg_for_groups(asgs, group_names, cluster):
    """Map instance group name -> ASG, plus the names of the ASGs no group claims."""
    by_group = {}
    unmatched = []
    for asg in asgs:
        name = asg.get("auto_scaling_group_name", "")
        group = tags_as_dict(asg.get("tags")).get(IG_TAG)
        if group not in group_names:
            group = None
            for candidate in group_names:
                if name in ("%s.%s" % (candidate, cluster), "%s.masters.%s" % (candidate, cluster),
                            "%s.apiservers.%s" % (candidate, cluster)):
                    group = candidate
                    break
        if group is None or group in by_group:
            unmatched.append(name)
        else:
            by_group[group] = asg
    return by_group, sorted(unmatched)


def _asg_summary(asg):
    if asg is None:
        return None
    members = asg.get("instances") or []
    return {
        "name": asg.get("auto_scaling_group_name"),
        "desired_capacity": asg.get("desired_capacity"),
        "min_size": asg.get("min_size"),
        "max_size": asg.get("max_size"),
        "in_service": sum(1 for m in members if m.get("lifecycle_state") == "InService"),
        "instance_ids": sorted(m.get("instance_id") for m in members if m.get("instance_id")),
    }


def _asg_from_resource(resource):
    """A kops_cloud_resources_info Auto Scaling Group in the shape of amazon.aws.autoscaling_group_info's results."""
    details = resource.get("details") or {}
    return {
        "auto_scaling_group_name": resource.get("id"),
        "tags": resource.get("tags"),
        "desired_capacity": details.get("desired_capacity"),
        "min_size": details.get("min_size"),
        "max_size": details.get("max_size"),
        "instances": [m for m in details.get("instances") or [] if isinstance(m, Mapping)],
    }


def _instance_from_resource(resource):
    """A kops_cloud_resources_info instance in the shape of amazon.aws.ec2_instance_info's instances."""
    details = resource.get("details") or {}
    return {
        "instance_id": resource.get("id"),
        "instance_type": details.get("instance_type"),
        "state": {"name": resource.get("state")},
        "placement": {"availability_zone": details.get("availability_zone")},
        "tags": resource.get("tags"),
    }


def _lb_entry(resource):
    details = resource.get("details") or {}
    tags = tags_as_dict(resource.get("tags"))
    return {
        "name": details.get("load_balancer_name"),
        "type": "classic" if resource.get("kind") == "load_balancer" else details.get("type") or "application",
        "dns_name": details.get("dns_name"),
        "scheme": details.get("scheme"),
        "state": resource.get("state"),
        "service_name": tags.get(SERVICE_TAG),
        "tags": tags,
    }


def _is_api(entry, cluster):
    if entry["service_name"]:
        return False
    return entry["tags"].get("Name") == "api.%s" % cluster or (entry["name"] or "").startswith("api-")


def kops_inspect_report(sources, cluster):
    if not isinstance(sources, Mapping):
        raise AnsibleFilterError("kops_inspect_report: the input must be a dictionary of what was read")
    if not cluster:
        raise AnsibleFilterError("kops_inspect_report: a cluster name is required")
    unknown = sorted(set(sources) - set(("instance_groups", "resources", "auto_scaling_groups", "instances",
                                         "nodes", "valid", "kops_version")))
    if unknown:
        raise AnsibleFilterError("kops_inspect_report: unknown input keys %s" % ", ".join(unknown))

    resources = [r for r in sources.get("resources") or [] if isinstance(r, Mapping)]
    groups = [g for g in (sources.get("instance_groups") or []) if isinstance(g, Mapping)]
    asgs = kops_tagged_for(list(sources.get("auto_scaling_groups") or [])
                           + [_asg_from_resource(r) for r in resources if r.get("kind") == "autoscaling_group"], cluster)
    instances = [
        i for i in kops_tagged_for(list(sources.get("instances") or [])
                                   + [_instance_from_resource(r) for r in resources if r.get("kind") == "instance"],
                                   cluster)
        if ((i.get("state") or {}).get("name") or "running") in LIVE_STATES
    ]
    by_group, unmatched = _asg_for_groups(asgs, set(g.get("name") for g in groups), cluster)

    asg_of_instance = {}
    for group_name, asg in by_group.items():
        for member in asg.get("instances") or []:
            asg_of_instance[member.get("instance_id")] = group_name

    role_of_group = dict((g.get("name"), _role(g.get("role"))) for g in groups)
    instance_rows = []
    for i in instances:
        tags = tags_as_dict(i.get("tags"))
        in_asg = asg_of_instance.get(i.get("instance_id"))
        group = in_asg or tags.get(IG_TAG)
        instance_rows.append({
            "id": i.get("instance_id"),
            "type": i.get("instance_type"),
            "state": (i.get("state") or {}).get("name"),
            "zone": (i.get("placement") or {}).get("availability_zone"),
            "instance_group": group,
            "role": role_of_group.get(group),
            "auto_scaling_group": by_group[in_asg].get("auto_scaling_group_name") if in_asg else None,
        })
    instance_rows.sort(key=lambda r: (r["instance_group"] or "", r["id"] or ""))

    group_rows = []
    for g in groups:
        asg = _asg_summary(by_group.get(g.get("name")))
        group_rows.append({
            "name": g.get("name"),
            "role": _role(g.get("role")),
            "machine_type": g.get("machine_type"),
            "min_size": g.get("min_size"),
            "max_size": g.get("max_size"),
            "zones": list(g.get("zones") or g.get("subnets") or []),
            "instance_ids": sorted(r["id"] for r in instance_rows if r["instance_group"] == g.get("name")),
            "auto_scaling_group": asg,
        })
    group_rows.sort(key=lambda r: (ROLE_ORDER.get(r["role"], 9), r["name"] or ""))

    lbs = [_lb_entry(r) for r in kops_tagged_for(resources, cluster) if r.get("kind") in LB_KINDS]
    lbs.sort(key=lambda e: (e["type"], e["name"] or ""))
    api = [e for e in lbs if _is_api(e, cluster)]
    others = [e for e in lbs if not _is_api(e, cluster)]
    for e in lbs:
        del e["tags"]

    usage_instances = {}
    for r in instance_rows:
        usage_instances[r["type"]] = usage_instances.get(r["type"], 0) + 1
    usage_lbs = {}
    for e in lbs:
        usage_lbs[e["type"]] = usage_lbs.get(e["type"], 0) + 1

    nodes = [n for n in (sources.get("nodes") or []) if isinstance(n, Mapping)]
    valid = sources.get("valid")
    return {
        "cluster": cluster,
        "kops_version": sources.get("kops_version") or None,
        "instance_groups": group_rows,
        "unmatched_auto_scaling_groups": unmatched,
        "instances": instance_rows,
        "nodes": sorted(nodes, key=lambda n: (ROLE_ORDER.get(_role(n.get("role")), 9), n.get("name") or "")),
        "nodes_ready": sum(1 for n in nodes if n.get("ready")),
        "valid": None if valid is None else bool(valid),
        # kops makes one API load balancer; a second one would be listed with the others.
        "api_load_balancer": api[0] if api else None,
        "other_load_balancers": api[1:] + others,
        "usage": {"instances": usage_instances, "load_balancers": usage_lbs},
    }


class FilterModule(object):
    def filters(self):
        return {"kops_inspect_report": kops_inspect_report}
