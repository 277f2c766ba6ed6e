"""Switching spec.api.loadBalancer.class with `kops replace -f` and `update cluster`.

kops's model builds only the task of the new class. Classic -> Network: the NetworkLoadBalancer
task creates the NLB and its target groups, and its FindDeletions deletes the classic load balancer
afterwards ("Will delete items:" in the dry run). Network -> Classic: the ClassicLoadBalancer task
creates the classic one; it deletes nothing, so the NLB stays until `kops delete cluster`. Either
way the control-plane ASG is moved to the new load balancer, and kubeconfig/validate use its DNS name
(awsup findDNSName looks up the spec's class only)."""

import os

import pytest
import yaml

import recording as rec
from test_flows import NAME, STATE, _create

LB = "api-fleetman-k8s-local-tkmafs"
CP = "control-plane-us-west-2a.masters.%s" % NAME


def _switch(bed, klass):
    cluster = yaml.safe_load(bed.run(["get", "cluster", NAME, "-o", "yaml"] + STATE).stdout)
    cluster["spec"]["api"]["loadBalancer"]["class"] = klass
    res = bed.run(["replace", "-f", "-"] + STATE, stdin=yaml.safe_dump(cluster))
    assert res.rc == 0, res


def _nlb(bed):
    try:
        return bed.client("elbv2").describe_load_balancers(Names=[LB])["LoadBalancers"][0]
    except bed.client("elbv2").exceptions.LoadBalancerNotFoundException:
        return None


def _clb(bed):
    try:
        return bed.client("elb").describe_load_balancers(LoadBalancerNames=[LB])["LoadBalancerDescriptions"][0]
    except bed.client("elb").exceptions.AccessPointNotFoundException:
        return None


def _cp(bed):
    return bed.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[CP])["AutoScalingGroups"][0]


def _server(bed):
    with open(os.path.join(bed.home, ".kube", "config")) as fh:
        return yaml.safe_load(fh)["clusters"][0]["cluster"]["server"]


def _apply(bed):
    name = ["--name", NAME] + STATE
    res = bed.run(["update", "cluster", "--yes", "--admin"] + name)
    assert res.rc == 0 and "Traceback" not in res.stderr, res
    res = bed.run(["update", "cluster"] + name)  # 1.30.1 prints its upgrade banner first
    assert res.stdout.endswith("\nNo changes need to be applied\n") or res.stdout == "No changes need to be applied\n", res
    assert "Will " not in res.stdout
    res = bed.run(["validate", "cluster", "--wait", "60s", "--interval", "1s", "-o", "json"] + name)
    assert res.rc == 0, res


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_loadbalancer_class_switch(bed_factory, version):
    bed = bed_factory(version)
    _create(bed, zones="us-west-2a")
    name = ["--name", NAME] + STATE
    _apply(bed)
    nlb = _nlb(bed)
    assert nlb is not None and _clb(bed) is None and _server(bed) == "https://" + nlb["DNSName"]
    tg_arns = sorted(_cp(bed)["TargetGroupARNs"])
    assert len(tg_arns) == 2

    # Network -> Classic
    _switch(bed, "Classic")
    res = bed.run(["update", "cluster"] + name)
    assert res.rc == 0, res
    assert "Will create resources:\n  ClassicLoadBalancer/api.%s\n" % NAME in res.stdout, res
    assert "Will modify resources:\n  AutoscalingGroup/%s\n  \tLoadBalancers       \t [] -> [name:api.%s id:%s]\n" % (
        CP, NAME, LB) in res.stdout
    assert "  \tTargetGroups        \t [name:" in res.stdout and "] -> []\n" in res.stdout
    assert "Will delete items:" not in res.stdout and res.stdout.endswith("Must specify --yes to apply changes\n")
    _apply(bed)
    clb = _clb(bed)
    cp = _cp(bed)
    assert clb is not None and cp["LoadBalancerNames"] == [LB] and cp["TargetGroupARNs"] == []
    assert [i["InstanceId"] for i in clb["Instances"]] == [i["InstanceId"] for i in cp["Instances"]]
    assert _nlb(bed)["LoadBalancerArn"] == nlb["LoadBalancerArn"]  # kops leaves the NLB in place
    assert _server(bed) == "https://" + clb["DNSName"] != "https://" + nlb["DNSName"]
    kc = os.path.join(bed.workdir, "exported")
    assert bed.run(["export", "kubecfg", "--admin", "--kubeconfig", kc] + name).rc == 0
    with open(kc) as fh:
        assert yaml.safe_load(fh)["clusters"][0]["cluster"]["server"] == "https://" + clb["DNSName"]

    # Classic -> Network: the NLB (still there) is used again, the classic one is deleted after the tasks.
    _switch(bed, "Network")
    res = bed.run(["update", "cluster"] + name)
    assert "  \tLoadBalancers       \t [name:api.%s id:%s] -> []\n" % (NAME, LB) in res.stdout, res
    assert res.stdout.endswith("Will delete items:\n  ClassicLoadBalancer  api.%s\n"
                               "Must specify --yes to apply changes\n" % NAME), res
    _apply(bed)
    assert _clb(bed) is None
    cp = _cp(bed)
    assert cp["LoadBalancerNames"] == [] and sorted(cp["TargetGroupARNs"]) == tg_arns
    health = bed.client("elbv2").describe_target_health(TargetGroupArn=tg_arns[0])["TargetHealthDescriptions"]
    assert cp["Instances"][0]["InstanceId"] in [t["Target"]["Id"] for t in health]
    assert _server(bed) == "https://" + _nlb(bed)["DNSName"]

    # Back to Classic, then `delete cluster` removes both load balancers.
    _switch(bed, "Classic")
    _apply(bed)
    res = bed.run(["delete", "cluster"] + name)
    rows = [line.split() for line in res.stdout.splitlines() if line.startswith("load-balancer")]
    assert sorted(rows) == sorted([["load-balancer", LB, nlb["LoadBalancerArn"]], ["load-balancer", LB, LB]]), res
    res = bed.run(["delete", "cluster", "--yes"] + name)
    assert res.rc == 0 and "load-balancer:%s\tok" % LB in res.stdout, res
    assert _clb(bed) is None and _nlb(bed) is None


def test_classic_cluster_to_network(bed_factory):
    """A cluster first applied with a classic load balancer: the switch creates the NLB, its listeners
    and target groups, registers the control plane and deletes the classic load balancer."""
    bed = bed_factory("1.36.2")
    _create(bed, zones="us-west-2a")
    _switch(bed, "Classic")
    _apply(bed)
    assert _nlb(bed) is None and _clb(bed) is not None
    _switch(bed, "Network")
    res = bed.run(["update", "cluster", "--name", NAME] + STATE)
    for task in ("NetworkLoadBalancer/api.%s" % NAME, "TargetGroup/tcp-fleetman-k8s-local-0q55nr",
                 "TargetGroup/kops-controller-fleetman--3q6ejl"):
        assert "  %s\n" % task in res.stdout.split("Will modify resources:")[0], res
    assert "Will delete items:\n  ClassicLoadBalancer  api.%s\n" % NAME in res.stdout
    _apply(bed)
    nlb = _nlb(bed)
    assert _clb(bed) is None and nlb["Type"] == "network"
    listeners = bed.client("elbv2").describe_listeners(LoadBalancerArn=nlb["LoadBalancerArn"])["Listeners"]
    assert sorted(ls["Port"] for ls in listeners) == [443, 3988]
    assert _server(bed) == "https://" + nlb["DNSName"]
