"""kops get instances [-o table|json|yaml].

cmd/kops/get_instances.go RunGetInstances (v1.30.1 / v1.36.2): the instances of every instance group's
cloud group, Ready (UpToDate) then NeedUpdate per group; the table sorted by ID (tables.Render), JSON
(json.Marshal, no newline) and YAML of renderableCloudInstance. Node names come from the Kubernetes API;
without it kops warns and leaves them empty.
"""

import json
import sys

from kops_standin import cloud, context, model, output, statestore
from kops_standin.commands.rolling_update import group_state
from kops_standin.errors import KopsError, warn


def instances(aws, cluster, igs, api):
    """renderableCloudInstance dicts, in kops's order (per group: up to date, then needing an update)."""
    name = cluster["metadata"]["name"]
    out = []
    for ig in igs:
        state = group_state(aws, ig, name)
        if state is None:
            continue
        group, stale, ready = state
        roles = ["control-plane", "control-plane"] if model.is_control_plane(ig) else [model.role_of(ig).lower()]
        # CloudInstanceStatusDetached for instances an interrupted roll detached (pkg/cloudinstances).
        statuses = [(i, "UpToDate") for i in ready]
        statuses += [(i, "Detached" if i.get("detached") else "NeedsUpdate") for i in stale]
        for inst, status in statuses:
            item = {"id": inst["id"]}
            # The test bed's nodes are named by instance ID; a bastion never joins the cluster
            # (pkg/validation/validate_cluster.go), so get_instances.go finds no Node for it.
            if api and cloud.booted(inst) and model.role_of(ig) != "Bastion":
                item["nodeName"] = inst["id"]
            item.update({"status": status, "roles": roles, "internalIP": inst.get("private_ip", ""),
                         "externalIP": "", "instanceGroup": group["AutoScalingGroupName"],
                         "machineType": inst.get("type", ""), "state": ""})
            out.append(item)
    return out


def run(ver, path, parsed):
    fmt = parsed.get("output") or "table"
    # rootCommand.ClusterName(true): the name from --name, KOPS_CLUSTER_NAME or the kubectl context.
    name = context.cluster_name(ver, parsed, None, positional_ok=False)
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    if ver == "1.30.1":
        # 1.30.1 createK8sClient: the cluster's kubeconfig context first, a failure ends the command;
        # 1.36.2 builds its own credential (util/factory.go RESTConfig).
        context.require_context(name)
    aws = cloud.Cloud(cluster)
    api = aws.api_available()
    if not api:
        warn("get_instances.go:130", "cannot list node names. Kubernetes API unavailable: " + aws.api_unreachable_text())
    items = instances(aws, cluster, model.load_igs(store, name), api)
    if fmt == "json":
        sys.stdout.write(json.dumps(items, separators=(",", ":")))
        return 0
    if fmt == "yaml":
        sys.stdout.write(output.go_yaml(items) if items else "[]\n")
        return 0
    if fmt != "table":
        raise KopsError('unsupported output format: "%s"' % fmt)
    rows = [["ID", "NODE-NAME", "STATUS", "ROLES", "STATE", "INTERNAL-IP", "EXTERNAL-IP", "INSTANCE-GROUP",
             "MACHINE-TYPE"]]
    for item in sorted(items, key=lambda i: i["id"]):
        rows.append([item["id"], item.get("nodeName", ""), item["status"], ", ".join(item["roles"]), item["state"],
                     item["internalIP"], item["externalIP"], item["instanceGroup"], item["machineType"]])
    sys.stdout.write("\n" + output.tabwriter(rows))
    return 0
