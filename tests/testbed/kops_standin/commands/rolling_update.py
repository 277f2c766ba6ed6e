"""kops rolling-update cluster [--yes] [--cloudonly] [--instance-group ...] [--force]."""

import os
import sys
import time

import yaml

from kops_standin import cloud, context, model, output, pki, statestore
from kops_standin.errors import KopsError, info
from kops_standin.flags import load_help, usage_of


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "rolling-update_cluster"))
    name = context.cluster_name(ver, parsed, usage)
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    if ver == "1.30.1":
        # 1.30.1 RunRollingUpdateCluster: genericclioptions ToRESTConfig with the cluster's context,
        # before and regardless of --cloudonly (1.36.2 builds its own credential instead).
        _require_context(name)
    all_igs = model.load_igs(store, name)
    aws = cloud.Cloud(cluster)
    cloudonly = parsed.bool("cloudonly")
    api = aws.api_available()
    if not cloudonly and not api:
        sys.stderr.write("Unable to reach the kubernetes API.\n"
                         "Use --cloudonly to do a rolling-update without confirming progress with the k8s API\n\n")
        raise KopsError("error listing nodes in cluster: " + aws.api_unreachable_text())
    force = parsed.bool("force")
    with_nodes = not cloudonly
    if ver == "1.30.1" and sum(1 for ig in all_igs if model.is_control_plane(ig)) == 1:
        sys.stdout.write("Detected single-control-plane cluster; won't detach before draining\n")
    igs = _filter(parsed, all_igs)
    header = ["NAME", "STATUS", "NEEDUPDATE", "READY", "MIN", "TARGET", "MAX"] + (["NODES"] if with_nodes else [])
    rows = [header]
    todo = []
    now = time.time()
    for ig in igs:
        group = aws.asg(model.asg_name(ig, name))
        if group is None:
            continue
        members = aws.asg_instances(group)
        stale = [m for m in members if force or aws.needs_update(group, m)]
        status = "NeedsUpdate" if stale else "Ready"
        row = [ig["metadata"]["name"], status, str(len(stale)), str(len(members) - len(stale)), str(group["MinSize"]),
               str(group["DesiredCapacity"]), str(group["MaxSize"])]
        if with_nodes:
            row.append(str(sum(1 for m in members if cloud.booted(m, now))))
        rows.append(row)
        if stale:
            todo.append((ig, group, stale))
    sys.stdout.write(output.tabwriter(rows) + "\n")
    if not todo:
        sys.stdout.write("No rolling-update required.\n")
        return 0
    if not parsed.bool("yes"):
        sys.stdout.write("Must specify --yes to rolling-update.\n")
        return 0
    autoscaling = aws.client("autoscaling")
    # kops rolls the control plane first, then the nodes.
    for ig, group, stale in sorted(todo, key=lambda t: not model.is_control_plane(t[0])):
        for inst in stale:
            info("instancegroups.go:567", 'Detaching instance "%s", in group "%s".' % (inst["id"], group["AutoScalingGroupName"]))
            autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=inst["id"],
                                                                 ShouldDecrementDesiredCapacity=False)
            info("instancegroups.go:533", 'Stopping instance "%s", in group "%s".' % (inst["id"], group["AutoScalingGroupName"]))
            if not cloudonly:
                _wait_for_replacement(aws, ig, name, parsed)
        info("rollingupdate.go:237", 'Rolling update completed for cluster "%s"!' % name)
    return 0


def _require_context(name):
    env = os.environ.get("KUBECONFIG")
    paths = [p for p in env.split(os.pathsep) if p] if env else [context.kubeconfig_path()]
    for path in paths:
        try:
            with open(path) as fh:
                doc = yaml.safe_load(fh) or {}
        except (OSError, yaml.YAMLError):
            continue
        if any(c.get("name") == name for c in doc.get("contexts") or []):
            return
    raise KopsError('cannot load kubecfg settings for "%s": context "%s" does not exist' % (name, name))


def _filter(parsed, igs):
    """rolling-update_cluster.go: --instance-group names must exist; --instance-group-roles must parse
    (kops.ParseInstanceGroupRole, lenient)."""
    wanted = parsed.get("instance-group") or []
    if wanted:
        by_name = {ig["metadata"]["name"]: ig for ig in igs}
        for group in wanted:
            if group not in by_name:
                raise KopsError('InstanceGroup "%s" not found' % group)
        igs = [by_name[g] for g in wanted]
    roles = parsed.get("instance-group-roles") or []
    if roles:
        out = []
        for role in roles:
            find = role.lower()[:-1] if role.lower().endswith("s") else role.lower()
            find = find.replace("controlplane", "control-plane", 1)
            known = {"control-plane": "ControlPlane", "node": "Node", "bastion": "Bastion", "apiserver": "APIServer",
                     "master": "ControlPlane"}
            if find not in known:
                raise KopsError('invalid instance group role "%s"' % role)
            for ig in igs:
                ig_role = "ControlPlane" if model.is_control_plane(ig) else model.role_of(ig)
                if ig_role == known[find]:
                    out.append(ig)
        igs = out
    return igs


def _wait_for_replacement(aws, ig, name, parsed):
    timeout = pki.parse_duration(parsed.get("validation-timeout") or "15m")
    deadline = time.time() + timeout
    while time.time() < deadline:
        group = aws.asg(model.asg_name(ig, name))
        members = aws.asg_instances(group)
        if len(members) >= group["DesiredCapacity"] and all(cloud.booted(m) for m in members):
            info("instancegroups.go:715", "Cluster validated.")
            return
        time.sleep(0.5)
    raise KopsError("error validating cluster after terminating instance: cluster did not validate within %s"
                    % parsed.get("validation-timeout"))
