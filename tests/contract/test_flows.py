"""End-to-end behaviour of the kops stand-in that the recordings cannot show on
their own: the full cluster life cycle against the local AWS endpoint, the API
before it exists, flag forms, name fallbacks, and the zipapp."""

import base64
import datetime
import json
import os
import subprocess
import sys

import pytest
import yaml
from cryptography import x509

import recording as rec
from test_recordings import json_docs, normalise

NAME = "fleetman.k8s.local"
STATE = ["--state", "s3://fleetman-kops-state"]
TAGS = {"KubernetesCluster": NAME, "kubernetes.io/cluster/%s" % NAME: "owned"}


def _ssh_key(bed):
    path = os.path.join(bed.workdir, "id_rsa.pub")
    src = os.path.join(rec.FIXTURES, "1.36.2", "state", "after-57-create-cluster", "objects", NAME,
                       "pki", "ssh", "public", "admin", "9e39304c0cad6419b3d4bc69054b1c27")
    with open(src) as fh, open(path, "w") as out:
        out.write(fh.read())
    return path


def _create(bed, name=NAME, zones="us-west-2a,us-west-2b,us-west-2c", extra=()):
    res = bed.run(["create", "cluster", "--name", name, "--zones", zones, "--node-count", str(len(zones.split(","))),
                   "--node-size", "t3.medium", "--control-plane-size", "t3.medium",
                   "--ssh-public-key", _ssh_key(bed)] + STATE + list(extra))
    assert res.rc == 0, res
    return res


def _tags(items):
    return {t["Key"]: t["Value"] for t in items or []}


def _recorded(version, number):
    return next(r for r in rec.recordings(version) if r.number == number)


def test_full_lifecycle(bed_factory):
    bed = bed_factory("1.36.2")
    ec2, asg, elbv2 = bed.client("ec2"), bed.client("autoscaling"), bed.client("elbv2")
    _create(bed)
    _create(bed, name="other.k8s.local", zones="us-west-2a")
    other_keys = [k for k in bed.keys() if k.startswith("other.k8s.local/")]

    res = bed.run(["update", "cluster", "--name", NAME, "--yes", "--admin"] + STATE)
    assert res.rc == 0, res
    assert res.stdout.startswith("kOps has set your kubectl context to %s\n\nCluster is starting." % NAME)

    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:KubernetesCluster", "Values": [NAME]}])["Vpcs"]
    assert len(vpcs) == 1 and vpcs[0]["CidrBlock"] == "172.20.0.0/16"
    assert TAGS.items() <= _tags(vpcs[0]["Tags"]).items()
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["Subnets"]
    assert sorted((s["AvailabilityZone"], s["CidrBlock"]) for s in subnets) == [
        ("us-west-2a", "172.20.0.0/18"), ("us-west-2b", "172.20.64.0/18"), ("us-west-2c", "172.20.128.0/18")]
    groups = {g["AutoScalingGroupName"]: g for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
              if _tags(g["Tags"]).get("KubernetesCluster") == NAME}
    assert sorted(groups) == ["control-plane-us-west-2a.masters.%s" % NAME] + [
        "nodes-us-west-2%s.%s" % (z, NAME) for z in "abc"]
    for name, g in groups.items():
        assert (g["MinSize"], g["MaxSize"], len(g["Instances"])) == (1, 1, 1), name
        assert _tags(g["Tags"])["kops.k8s.io/instancegroup"] == name.split(".")[0]
        assert TAGS.items() <= _tags(g["Tags"]).items()
    lb = elbv2.describe_load_balancers(Names=["api-fleetman-k8s-local-tkmafs"])["LoadBalancers"][0]
    assert lb["Type"] == "network"
    tg = elbv2.describe_target_groups(Names=["tcp-fleetman-k8s-local-0q55nr"])["TargetGroups"][0]
    registered = [t["Target"]["Id"] for t in elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])
                  ["TargetHealthDescriptions"]]
    assert registered == [groups["control-plane-us-west-2a.masters.%s" % NAME]["Instances"][0]["InstanceId"]]

    # The 18h admin credential from a bare --admin, signed by the cluster CA.
    with open(os.path.join(bed.home, ".kube", "config")) as fh:
        kc = yaml.safe_load(fh)
    assert kc["clusters"][0]["cluster"]["server"] == "https://" + lb["DNSName"]
    cert = x509.load_pem_x509_certificate(base64.b64decode(kc["users"][0]["user"]["client-certificate-data"]))
    left = cert.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)
    assert abs(left.total_seconds() - 18 * 3600) < 600

    res = bed.run(["validate", "cluster", "--name", NAME, "-o", "json", "--wait", "60s", "--interval", "1s"] + STATE)
    assert res.rc == 0, res
    final = json_docs(res.stdout)[-1]
    assert "failures" not in final and len(final["nodes"]) == 4

    # A terminated node is replaced by its ASG; validation fails until the replacement booted.
    victim = groups["nodes-us-west-2b.%s" % NAME]["Instances"][0]["InstanceId"]
    ec2.terminate_instances(InstanceIds=[victim])
    res = bed.run(["validate", "cluster", "--name", NAME, "-o", "json"] + STATE,
                  env={"KOPS_STANDIN_BOOT_SECONDS": "5"})
    assert res.rc == 1 and res.error_line() == "Error: validation failed: cluster not yet healthy", res
    failures = json.loads(res.stdout)["failures"]
    replacement = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["nodes-us-west-2b.%s" % NAME])[
        "AutoScalingGroups"][0]["Instances"][0]["InstanceId"]
    assert replacement != victim
    assert {"type": "Machine", "name": replacement, "message": 'machine "%s" has not yet joined cluster' % replacement,
            "ig": "nodes-us-west-2b"} in [dict(type=f["type"], name=f["name"], message=f["message"],
                                               ig=f["instanceGroup"]["metadata"]["name"]) for f in failures]
    assert victim not in res.stdout
    res = bed.run(["validate", "cluster", "--name", NAME, "-o", "json", "--wait", "30s", "--interval", "1s"] + STATE,
                  env={"KOPS_STANDIN_BOOT_SECONDS": "2"})
    assert res.rc == 0, res
    assert "(will retry): cluster not yet healthy" in res.stderr or len(json_docs(res.stdout)) == 1

    # An IG edit: the dry run lists it, --yes applies it, rolling-update replaces the stale instance.
    ig = yaml.safe_load(bed.run(["get", "ig", "nodes-us-west-2a", "--name", NAME, "-o", "yaml"] + STATE).stdout)
    ig["spec"].update(maxSize=5, machineType="t3.large")
    assert bed.run(["replace", "-f", "-"] + STATE, stdin=yaml.safe_dump(ig)).rc == 0
    res = bed.run(["update", "cluster", "--name", NAME] + STATE)
    assert "  AutoscalingGroup/nodes-us-west-2a.%s\n  \tMaxSize             \t 1 -> 5\n" % NAME in res.stdout, res
    assert "InstanceType        \t t3.medium -> t3.large" in res.stdout
    assert res.stdout.endswith("Must specify --yes to apply changes\n")
    assert bed.run(["update", "cluster", "--name", NAME, "--yes"] + STATE).rc == 0
    assert bed.run(["update", "cluster", "--name", NAME] + STATE).stdout == "No changes need to be applied\n"
    res = bed.run(["rolling-update", "cluster", "--name", NAME, "--cloudonly"] + STATE)
    assert "nodes-us-west-2a\t\tNeedsUpdate\t1\t\t0\t1\t1\t5\n" in res.stdout, res
    assert res.stdout.endswith("Must specify --yes to rolling-update.\n")
    res = bed.run(["rolling-update", "cluster", "--name", NAME, "--yes"] + STATE,
                  env={"KOPS_STANDIN_BOOT_SECONDS": "1", "KOPS_STANDIN_TIME_SCALE": "0.02"})  # 15 s waits otherwise
    assert res.rc == 0, res
    res = bed.run(["rolling-update", "cluster", "--name", NAME, "--cloudonly"] + STATE)
    assert res.stdout.endswith("No rolling-update required.\n"), res
    new = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["nodes-us-west-2a.%s" % NAME])["AutoScalingGroups"][0]
    inst = ec2.describe_instances(InstanceIds=[new["Instances"][0]["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert inst["InstanceType"] == "t3.large" and new["MaxSize"] == 5

    res = bed.run(["delete", "cluster", "--name", NAME, "--yes"] + STATE)
    assert res.rc == 0, res
    assert res.stdout.endswith('Deleted kubectl config for %s\n\nDeleted cluster: "%s"\n' % (NAME, NAME))
    flt = [{"Name": "tag:KubernetesCluster", "Values": [NAME]}]
    live = [i for r in ec2.describe_instances(Filters=flt)["Reservations"] for i in r["Instances"]
            if i["State"]["Name"] != "terminated"]
    assert live == []
    for call, key in ((ec2.describe_vpcs, "Vpcs"), (ec2.describe_subnets, "Subnets"),
                      (ec2.describe_security_groups, "SecurityGroups"), (ec2.describe_volumes, "Volumes"),
                      (ec2.describe_internet_gateways, "InternetGateways"), (ec2.describe_route_tables, "RouteTables")):
        assert call(Filters=flt)[key] == [], key
    assert [g for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
            if _tags(g["Tags"]).get("KubernetesCluster") == NAME] == []
    assert [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if "fleetman" in lb["LoadBalancerName"]] == []
    assert [k for k in ec2.describe_key_pairs()["KeyPairs"] if NAME in k["KeyName"]] == []
    assert not [k for k in bed.keys() if k.startswith(NAME + "/")]
    assert [k for k in bed.keys() if k.startswith("other.k8s.local/")] == other_keys
    with open(os.path.join(bed.home, ".kube", "config")) as fh:
        assert yaml.safe_load(fh)["current-context"] == ""


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_api_unreachable_before_update(bed_factory, version):
    """Recordings 100-110: kops's texts while the API load balancer does not exist yet.

    Runs the stand-in as a real subprocess (``python -m kops_standin``)."""
    bed = bed_factory(version, inprocess=False)
    _create(bed)
    name = ["--name", NAME] + STATE
    res = bed.run(["export", "kubecfg", "--admin"] + name)
    assert (res.rc, res.error_line()) == (1, "Error: cannot find CA certificate"), res  # no CA before update --yes
    kc = os.path.join(bed.workdir, "kc.yaml")  # a kubeconfig for the cluster, as 1.30.1 validate needs one
    with open(kc, "w") as fh:
        yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": NAME,
                        "clusters": [{"name": NAME, "cluster": {"server": "https://api.%s" % NAME}}],
                        "contexts": [{"name": NAME, "context": {"cluster": NAME, "user": NAME}}],
                        "users": [{"name": NAME, "user": {}}]}, fh)
    want = _recorded(version, 100).error_line()
    res = bed.run(["validate", "cluster", "-o", "json", "--kubeconfig", kc] + name)
    assert (res.rc, res.stdout, normalise(res.error_line())) == (1, "", normalise(want)), res
    res = bed.run(["validate", "cluster", "--kubeconfig", kc] + name)
    assert (res.rc, res.stdout) == (1, _recorded(version, 102).stdout), res
    res = bed.run(["validate", "cluster", "-o", "json", "--wait", "2s", "--interval", "1s", "--kubeconfig", kc] + name)
    assert res.error_line() == "Error: validation failed: wait time exceeded during validation", res
    assert "validate_cluster.go:193] (will retry): " + want[len("Error: validation failed: "):] in res.stderr
    res = bed.run(["validate", "cluster", "-o", "json", "--kubeconfig", os.path.join(bed.workdir, "nope.yaml")] + name)
    want105 = _recorded(version, 105).error_line().replace("$RECDIR/does-not-exist.yaml", "X")
    assert normalise(res.error_line().replace(os.path.join(bed.workdir, "nope.yaml"), "X")) == normalise(want105), res
    # Recording 110 ran with the cluster's context in the default kubeconfig (1.30.1 loads it first,
    # see test_standin_error_paths.py), so here KUBECONFIG names the one written above.
    res = bed.run(["rolling-update", "cluster"] + name, env={"KUBECONFIG": kc})
    assert (res.rc, normalise(res.stderr)) == (1, normalise(_recorded(version, 110).stderr + "\n")), res


def test_flag_forms_and_name_fallback(bed_factory):
    bed = bed_factory("1.36.2")
    _create(bed, zones="us-west-2a")
    kc = os.path.join(bed.workdir, "kc.yaml")
    res = bed.run(["update", "cluster", "--name", NAME, "-y", "--create-kube-config=false"] + STATE,
                  env={"KUBECONFIG": kc})
    assert res.rc == 0 and "kOps has set your kubectl context" not in res.stdout and not os.path.exists(kc), res
    # An optional-value flag never takes the next word: here it is the positional cluster name.
    res = bed.run(["export", "kubecfg", "--admin", NAME, "--kubeconfig", kc] + STATE)
    assert res.rc == 0 and res.stdout == "kOps has set your kubectl context to %s\n" % NAME, res
    res = bed.run(["export", "kubeconfig", "--name=" + NAME, "--admin=1h", "--kubeconfig=" + kc] + STATE)
    with open(kc) as fh:
        doc = yaml.safe_load(fh)
    cert = x509.load_pem_x509_certificate(base64.b64decode(doc["users"][0]["user"]["client-certificate-data"]))
    left = cert.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)
    assert abs(left.total_seconds() - 3600) < 120
    # Without --name, commands fall back to the kubeconfig's current context ...
    res = bed.run(["get", "ig", "-o", "json"] + STATE, env={"KUBECONFIG": kc})
    assert res.rc == 0 and "Using cluster from kubectl context: %s" % NAME in res.stderr, res
    # ... except delete cluster.
    res = bed.run(["delete", "cluster"] + STATE, env={"KUBECONFIG": kc})
    assert res.rc == 1 and res.error_line() == "Error: --name is required", res
    # pflag: a value flag takes the next word even if it looks like a flag, so put it last.
    res = bed.run(["get", "clusters"] + STATE + ["--output"])
    assert (res.rc, res.error_line()) == (1, "Error: flag needs an argument: --output"), res
    assert "Usage:\n  kops get clusters [CLUSTER]... [flags]" in res.stderr


def test_classic_load_balancer(bed_factory):
    bed = bed_factory("1.30.1")
    _create(bed, zones="us-west-2a")
    cluster = yaml.safe_load(bed.run(["get", "cluster", NAME, "-o", "yaml"] + STATE).stdout)
    cluster["spec"]["api"]["loadBalancer"]["class"] = "Classic"
    assert bed.run(["replace", "-f", "-"] + STATE, stdin=yaml.safe_dump(cluster)).rc == 0
    assert bed.run(["update", "cluster", "--name", NAME, "--yes"] + STATE).rc == 0
    elb = bed.client("elb").describe_load_balancers(LoadBalancerNames=["api-fleetman-k8s-local-tkmafs"])
    desc = elb["LoadBalancerDescriptions"][0]
    cp = bed.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=["control-plane-us-west-2a.masters.%s" % NAME])["AutoScalingGroups"][0]
    assert [i["InstanceId"] for i in desc["Instances"]] == [cp["Instances"][0]["InstanceId"]]
    res = bed.run(["delete", "cluster", "--name", NAME, "--yes"] + STATE)
    assert res.rc == 0 and "load-balancer:api-fleetman-k8s-local-tkmafs\tok" in res.stdout, res


def test_zipapp(tmp_path):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "testbed"))
    from kops_standin.build import build_zipapp

    baked = build_zipapp(str(tmp_path / "kops-1.30.1"), "1.30.1")
    plain = build_zipapp(str(tmp_path / "kops"))
    with open(baked, "rb") as fh:
        assert fh.readline() == b"#!/usr/bin/env python3\n"
    env = {k: v for k, v in os.environ.items() if k != "KOPS_STANDIN_VERSION"}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")

    def run(exe, **extra):
        return subprocess.run([exe, "version"], env=dict(env, **extra), capture_output=True, text=True,
                              check=True).stdout

    assert run(baked) == "Client version: 1.30.1 (git-v1.30.1)\n"
    assert run(baked, KOPS_STANDIN_VERSION="1.36.2") == "Client version: 1.36.2 (git-v1.36.2)\n"
    assert run(plain) == "Client version: 1.36.2 (git-v1.36.2)\n"
    help_text = subprocess.run([baked, "get", "clusters", "--help"], env=env, capture_output=True, text=True,
                               check=True).stdout
    assert help_text == _recorded("1.30.1", 9).stdout
