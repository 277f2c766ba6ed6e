# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.kops.plugins.filter.kops_inspect_report import FilterModule, kops_inspect_report

C = "fleetman.k8s.local"
OWN = {"KubernetesCluster": C, "kubernetes.io/cluster/%s" % C: "owned"}


def asg(name, group, ids, desired=None, states=None, cluster=C):
    tags = [{"key": "KubernetesCluster", "value": cluster}]
    if group:
        tags.append({"key": "kops.k8s.io/instancegroup", "value": group})
    states = states or ["InService"] * len(ids)
    return {"auto_scaling_group_name": name, "desired_capacity": len(ids) if desired is None else desired,
            "min_size": 1, "max_size": 3, "tags": tags,
            "instances": [{"instance_id": i, "lifecycle_state": s} for i, s in zip(ids, states)]}


def instance(iid, itype="t3.medium", state="running", cluster=C, zone="us-west-2a"):
    return {"instance_id": iid, "instance_type": itype, "state": {"name": state},
            "placement": {"availability_zone": zone}, "tags": {"KubernetesCluster": cluster}}


GROUPS = [
    {"name": "nodes-us-west-2a", "role": "node", "machine_type": "t3.medium", "min_size": 1, "max_size": 3,
     "zones": [], "subnets": ["us-west-2a"]},
    {"name": "control-plane-us-west-2a", "role": "control-plane", "machine_type": "t3.medium", "min_size": 1,
     "max_size": 1, "zones": ["us-west-2a"], "subnets": ["us-west-2a"]},
]


def sources(**extra):
    base = {
        "instance_groups": GROUPS,
        "auto_scaling_groups": [
            asg("nodes-us-west-2a." + C, "nodes-us-west-2a", ["i-n1", "i-n2", "i-n3"], desired=3,
                states=["InService", "InService", "Pending"]),
            # no instancegroup tag: matched by kops's control-plane naming
            asg("control-plane-us-west-2a.masters." + C, None, ["i-cp"]),
            asg("nodes-us-west-2a.other.k8s.local", "nodes-us-west-2a", ["i-x"], cluster="other.k8s.local"),
        ],
        "instances": [instance("i-n1"), instance("i-n2"), instance("i-n3", state="pending"), instance("i-cp"),
                      instance("i-gone", state="terminated"), instance("i-x", cluster="other.k8s.local")],
        # As kops_cloud_resources_info returns them (its "name" is the Name tag when there is one).
        "resources": [
            {"kind": "load_balancer_v2", "id": "arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/net/api-fleetman-k8s-local-abc/1",
             "name": "api." + C, "state": "active", "tags": dict(OWN, Name="api." + C), "service_name": None,
             "details": {"type": "network", "load_balancer_name": "api-fleetman-k8s-local-abc", "dns_name": "api.example",
                         "scheme": "internet-facing"}},
            {"kind": "load_balancer_v2", "id": "arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/net/api-other-k8s-local-abc/2",
             "name": "api-other-k8s-local-abc", "state": "active", "tags": {"KubernetesCluster": "other.k8s.local"},
             "details": {"type": "network", "load_balancer_name": "api-other-k8s-local-abc", "dns_name": "other.example"}},
            {"kind": "load_balancer", "id": "a1b2c3", "name": "a1b2c3", "state": None,
             "tags": {"kubernetes.io/cluster/%s" % C: "owned", "kubernetes.io/service-name": "default/webapp"},
             "service_name": "default/webapp",
             "details": {"type": "classic", "load_balancer_name": "a1b2c3", "dns_name": "svc.example", "scheme": "internet-facing"}},
            # Another kind in the same list is not a load balancer.
            {"kind": "target_group", "id": "arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/tcp-fleetman/3",
             "name": "tcp-fleetman", "tags": OWN, "details": {}},
        ],
        "nodes": [{"name": "i-n1", "role": "node", "ready": True}, {"name": "i-cp", "role": "control-plane", "ready": True},
                  {"name": "i-n2", "role": "node", "ready": False}],
        "valid": False,
        "kops_version": "1.36.2",
    }
    base.update(extra)
    return base


def test_registered_under_its_name():
    assert FilterModule().filters() == {"kops_inspect_report": kops_inspect_report}


def test_groups_join_their_auto_scaling_groups():
    report = kops_inspect_report(sources(), C)
    assert [g["name"] for g in report["instance_groups"]] == ["control-plane-us-west-2a", "nodes-us-west-2a"]
    cp, nodes = report["instance_groups"]
    assert cp["role"] == "control-plane" and cp["zones"] == ["us-west-2a"]
    assert cp["auto_scaling_group"] == {"name": "control-plane-us-west-2a.masters." + C, "desired_capacity": 1,
                                        "min_size": 1, "max_size": 3, "in_service": 1, "instance_ids": ["i-cp"]}
    assert nodes["zones"] == ["us-west-2a"]  # from subnets when zones is empty
    assert nodes["auto_scaling_group"]["in_service"] == 2
    assert nodes["auto_scaling_group"]["desired_capacity"] == 3
    assert nodes["instance_ids"] == ["i-n1", "i-n2", "i-n3"]
    assert report["unmatched_auto_scaling_groups"] == []


def test_untagged_apiserver_group_is_matched_by_kops_naming():
    # pkg/model/names.go AutoscalingGroupName: an APIServer group's ASG is <ig>.apiservers.<cluster>.
    groups = GROUPS + [{"name": "apiserver-us-west-2a", "role": "apiserver", "machine_type": "t3.medium",
                        "min_size": 1, "max_size": 1, "zones": ["us-west-2a"], "subnets": ["us-west-2a"]}]
    asgs = sources()["auto_scaling_groups"] + [asg("apiserver-us-west-2a.apiservers." + C, None, ["i-api"])]
    report = kops_inspect_report(sources(instance_groups=groups, auto_scaling_groups=asgs,
                                         instances=sources()["instances"] + [instance("i-api")]), C)
    api = [g for g in report["instance_groups"] if g["name"] == "apiserver-us-west-2a"][0]
    assert api["auto_scaling_group"]["name"] == "apiserver-us-west-2a.apiservers." + C
    assert report["unmatched_auto_scaling_groups"] == []


def test_other_clusters_and_terminated_instances_stay_out():
    report = kops_inspect_report(sources(), C)
    ids = [i["id"] for i in report["instances"]]
    assert ids == ["i-cp", "i-n1", "i-n2", "i-n3"]
    cp = report["instances"][0]
    assert (cp["instance_group"], cp["role"], cp["auto_scaling_group"], cp["zone"], cp["type"]) == (
        "control-plane-us-west-2a", "control-plane", "control-plane-us-west-2a.masters." + C, "us-west-2a", "t3.medium")


def test_instance_outside_any_asg_has_no_auto_scaling_group():
    stray = instance("i-stray")
    stray["tags"]["kops.k8s.io/instancegroup"] = "nodes-us-west-2a"
    report = kops_inspect_report(sources(instances=[stray]), C)
    assert [(i["id"], i["instance_group"], i["role"], i["auto_scaling_group"]) for i in report["instances"]] == [
        ("i-stray", "nodes-us-west-2a", "node", None)]
    assert "other.k8s.local" not in repr(report) and "i-x" not in repr(report)


def test_load_balancers_api_and_services():
    report = kops_inspect_report(sources(), C)
    assert report["api_load_balancer"] == {"name": "api-fleetman-k8s-local-abc", "type": "network", "dns_name": "api.example",
                                           "scheme": "internet-facing", "state": "active", "service_name": None}
    assert report["other_load_balancers"] == [{"name": "a1b2c3", "type": "classic", "dns_name": "svc.example",
                                               "scheme": "internet-facing", "state": None, "service_name": "default/webapp"}]


def test_usage_counts_live_instances_and_every_load_balancer():
    report = kops_inspect_report(sources(), C)
    assert report["usage"] == {"instances": {"t3.medium": 4}, "load_balancers": {"network": 1, "classic": 1}}


def test_nodes_and_validation():
    report = kops_inspect_report(sources(), C)
    assert [n["name"] for n in report["nodes"]] == ["i-cp", "i-n1", "i-n2"]
    assert report["nodes_ready"] == 2
    assert report["valid"] is False
    assert report["kops_version"] == "1.36.2"


def test_group_without_asg_and_asg_without_group():
    s = sources(auto_scaling_groups=[asg("bastions." + C, "bastions", [])])
    report = kops_inspect_report(s, C)
    assert all(g["auto_scaling_group"] is None for g in report["instance_groups"])
    assert report["unmatched_auto_scaling_groups"] == ["bastions." + C]


def as_resource(kind, item):
    """An amazon.aws-shaped ASG or instance as kops_cloud_resources_info returns it."""
    tags = dict((t["key"], t["value"]) for t in item["tags"]) if isinstance(item["tags"], list) else dict(item["tags"])
    if kind == "autoscaling_group":
        members = [dict(m, health_status="Healthy", availability_zone="us-west-2a") for m in item["instances"]]
        return {"kind": kind, "id": item["auto_scaling_group_name"], "name": item["auto_scaling_group_name"],
                "state": None, "tags": tags, "service_name": None, "matched_by": "tags",
                "details": {"min_size": item["min_size"], "max_size": item["max_size"],
                            "desired_capacity": item["desired_capacity"],
                            "instance_ids": [m["instance_id"] for m in members], "instances": members}}
    return {"kind": kind, "id": item["instance_id"], "name": item["instance_id"], "state": item["state"]["name"],
            "tags": tags, "service_name": None, "matched_by": "tags",
            "details": {"instance_type": item["instance_type"],
                        "availability_zone": item["placement"]["availability_zone"]}}


def test_one_resources_list_gives_the_same_report_as_the_amazon_aws_reads():
    read_by_amazon_aws = sources()
    read_at_once = sources(resources=[as_resource("autoscaling_group", a) for a in read_by_amazon_aws["auto_scaling_groups"]]
                           + [as_resource("instance", i) for i in read_by_amazon_aws["instances"]]
                           + read_by_amazon_aws["resources"])
    del read_at_once["auto_scaling_groups"], read_at_once["instances"]
    expected = kops_inspect_report(read_by_amazon_aws, C)
    assert expected["instance_groups"][1]["auto_scaling_group"]["in_service"] == 2
    assert kops_inspect_report(read_at_once, C) == expected


def test_resources_of_other_kinds_are_ignored():
    report = kops_inspect_report({"resources": [
        {"kind": "vpc", "id": "vpc-1", "tags": OWN, "details": {}},
        {"kind": "instance", "id": "i-1", "state": "stopped", "tags": OWN, "details": {"instance_type": "t3.medium"}},
    ]}, C)
    assert report["instances"] == [] and report["api_load_balancer"] is None and report["other_load_balancers"] == []


def test_empty_input_is_an_empty_report():
    report = kops_inspect_report({}, C)
    assert report["instance_groups"] == [] and report["api_load_balancer"] is None
    assert report["valid"] is None and report["kops_version"] is None
    assert report["usage"] == {"instances": {}, "load_balancers": {}}


def test_master_role_is_normalised():
    report = kops_inspect_report({"instance_groups": [{"name": "m", "role": "Master"}]}, C)
    assert report["instance_groups"][0]["role"] == "control-plane"


@pytest.mark.parametrize("value, cluster, message", [
    ([], C, "must be a dictionary"),
    ({}, "", "cluster name is required"),
    ({"asgs": []}, C, "unknown input keys asgs"),
])
def test_bad_input(value, cluster, message):
    with pytest.raises(AnsibleFilterError, match=message):
        kops_inspect_report(value, cluster)
