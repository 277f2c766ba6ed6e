"""kops validate cluster [-o json|yaml|table] [--wait D] [--count N] [--interval D].

Nodes are the instances of the cluster's Auto Scaling Groups in the local
endpoint; an instance joins as a Ready node once it has run for
KOPS_STANDIN_BOOT_SECONDS. The Kubernetes API "exists" once `update --yes`
created the API load balancer; before that validation fails with kops's
transient DNS error.
"""

import os
import sys
import time

import yaml

from kops_standin import cloud, context, model, output, pki, statestore
from kops_standin.errors import KopsError, info, warn
from kops_standin.flags import load_help, usage_of


class Unreachable(Exception):
    pass


def _ig_for_output(ig):
    """The InstanceGroup as validate marshals it: no kind/apiVersion, internal role name."""
    ig = yaml.safe_load(yaml.safe_dump(ig))
    ig.pop("kind", None)
    ig.pop("apiVersion", None)
    if ig["spec"].get("role") == "Master":
        ig["spec"]["role"] = "ControlPlane"
    return output.go_order(ig)


def collect(cluster, igs):
    """One validation pass: (failures, nodes) in kops's JSON shapes."""
    aws = cloud.Cloud(cluster)
    if not aws.api_available():
        raise Unreachable("unexpected error during validation: error listing nodes: " + aws.api_unreachable_text())
    failures, nodes = [], []
    now = time.time()
    names = [model.asg_name(ig, cluster["metadata"]["name"]) for ig in igs]
    groups = aws.asgs_named(names)
    members_of = aws.groups_instances(list(groups.values()))
    for ig, name in zip(igs, names):
        group = groups.get(name)
        if group is None:
            failures.append({"type": "InstanceGroup", "name": ig["metadata"]["name"],
                             "message": 'InstanceGroup "%s" is missing from the cloud provider' % ig["metadata"]["name"],
                             "instanceGroup": _ig_for_output(ig)})
            continue
        members = members_of[name]
        minsize = int(ig["spec"].get("minSize", 1))
        if len(members) < minsize:
            failures.append({"type": "InstanceGroup", "name": ig["metadata"]["name"],
                             "message": 'InstanceGroup "%s" did not have enough nodes %d vs %d'
                                        % (ig["metadata"]["name"], len(members), minsize),
                             "instanceGroup": _ig_for_output(ig)})
        for inst in members:
            if not cloud.booted(inst, now):
                failures.append({"type": "Machine", "name": inst["id"],
                                 "message": 'machine "%s" has not yet joined cluster' % inst["id"],
                                 "instanceGroup": _ig_for_output(ig)})
                continue
            role = "control-plane" if model.is_control_plane(ig) else "node"
            nodes.append({"name": inst["id"], "zone": inst["zone"], "role": role, "hostname": inst["id"],
                          "status": "True"})
    return failures, nodes


def render(fmt, name, igs, failures, nodes):
    if fmt == "json":
        doc = {}
        if failures:
            doc["failures"] = failures
        if nodes:
            doc["nodes"] = nodes
        return output.go_json(doc)  # json.Marshal: no trailing newline
    if fmt == "yaml":
        doc = {}
        if failures:
            doc["failures"] = failures
        if nodes:
            doc["nodes"] = nodes
        return output.go_yaml(doc) if doc else "{}\n"
    rows = [["NAME", "ROLE", "MACHINETYPE", "MIN", "MAX", "SUBNETS"]]
    for ig in igs:
        s = ig["spec"]
        rows.append([ig["metadata"]["name"], model.table_role(ig), s.get("machineType", ""), str(s.get("minSize", "")),
                     str(s.get("maxSize", "")), ",".join(s.get("subnets", []))])
    text = "INSTANCE GROUPS\n" + output.tabwriter(rows) + "\nNODE STATUS\n"
    text += output.tabwriter([["NAME", "ROLE", "READY"]] + [[n["name"], n["role"], n["status"]]
                                                            for n in sorted(nodes, key=lambda n: n["name"])])
    if failures:
        text += "\nVALIDATION ERRORS\n" + output.tabwriter(
            [["KIND", "NAME", "MESSAGE"]] + [[f["type"], f["name"], f["message"]] for f in failures])
        text += "\nValidation Failed\n"
    else:
        text += "\nYour cluster %s is ready\n" % name
    return text


def _check_kubeconfig(ver, parsed, name):
    """1.30.1 talks to the API through the kubeconfig; 1.36.2 ignores --kubeconfig."""
    use = ver == "1.30.1" or parsed.bool("use-kubeconfig")
    if not use:
        return
    path = parsed.get("kubeconfig") if ver == "1.30.1" and parsed.get("kubeconfig") else context.kubeconfig_path()
    if not os.path.exists(path):
        raise KopsError('validation failed: cannot load kubecfg settings for "%s": stat %s: no such file or directory'
                        % (name, path))
    with open(path) as fh:
        doc = yaml.safe_load(fh) or {}
    if not any(c.get("name") == name for c in doc.get("contexts") or []):
        raise KopsError('validation failed: cannot load kubecfg settings for "%s": context "%s" does not exist'
                        % (name, name))


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "validate_cluster"))
    name = context.cluster_name(ver, parsed, usage)
    try:
        return _run(ver, parsed, name)
    except KopsError as err:
        # validate_cluster.go NewCmdValidateCluster RunE: every RunValidateCluster error is wrapped.
        if err.msg.startswith("validation failed: "):
            raise
        raise KopsError("validation failed: %s" % err.msg)


def _run(ver, parsed, name):
    store = statestore.from_flags(parsed)
    fmt = parsed.get("output") or "table"
    cluster = model.require_cluster(store, name)
    igs = model.load_igs(store, name)
    if fmt == "table":
        sys.stdout.write("Validating cluster %s\n\n" % name)
    if not igs:
        raise KopsError("no InstanceGroup objects found")
    _check_kubeconfig(ver, parsed, name)
    wait = pki.parse_duration(parsed.get("wait") or "0")
    interval = pki.parse_duration(parsed.get("interval") or "10s")
    count = int(parsed.get("count") or 0)
    start = time.monotonic()
    consecutive = 0
    while True:
        if wait and time.monotonic() - start > wait:
            raise KopsError("validation failed: wait time exceeded during validation")
        try:
            failures, nodes = collect(cluster, igs)
        except Unreachable as err:
            if not wait:
                raise KopsError("validation failed: %s" % err)
            warn("validate_cluster.go:193", "(will retry): %s" % err)
            time.sleep(interval)
            continue
        if fmt not in ("table", "json", "yaml"):
            raise KopsError('unknown output format: "%s"' % fmt)  # only once a validation result exists
        sys.stdout.write(render(fmt, name, igs, failures, nodes))
        sys.stdout.flush()
        if not failures:
            consecutive += 1
            if consecutive >= max(count, 1):
                return 0
            if not wait:
                raise KopsError("validation failed: cluster passed validation %d consecutive times" % consecutive)
            info("validate_cluster.go:229", "(will retry): cluster passed validation %d consecutive times" % consecutive)
        else:
            consecutive = 0
            if not wait:
                raise KopsError("validation failed: cluster not yet healthy")
            warn("validate_cluster.go:241", "(will retry): cluster not yet healthy")
        time.sleep(interval)
