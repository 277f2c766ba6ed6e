"""kops get all / instances / secrets / keypairs / sshpublickeys."""

import json
import sys

from kops_standin import cloud, context, model, output, sshkeys, statestore
from kops_standin.commands.get_clusters import cluster_table, print_objects, with_kind
from kops_standin.commands.get_instancegroups import ig_table
from kops_standin import flags as flagmod
from kops_standin.errors import KopsError, warn


def cli_help(ver, path):
    from kops_standin.cli import _help_text

    return _help_text(ver, path, list(path))


def run(ver, path, parsed):
    fmt = parsed.get("output") or "table"
    what = path[1]
    usage = flagmod.usage_of(cli_help(ver, path))
    # get all: rootCommand.clusterNameArgs; the others read rootCommand.ClusterName(true) in RunE.
    name = context.cluster_name(ver, parsed, usage if what == "all" else None, positional_ok=what == "all")
    store = statestore.from_flags(parsed)
    if what == "all":
        # cmd/kops/get_all.go RunGetAll: client.GetCluster's error as is (NotFound included).
        cluster = model.load_cluster(store, name)
        if cluster is None:
            raise KopsError('Cluster.kops.k8s.io "%s" not found' % name)
    else:
        cluster = model.require_cluster(store, name)
    if what == "all":
        igs = model.load_igs(store, name)
        if fmt == "table":
            sys.stdout.write("Cluster\n" + cluster_table([cluster]) + "\nInstance Groups\n" + ig_table(igs))
        else:
            objs = [with_kind(cluster, "Cluster")] + [with_kind(ig, "InstanceGroup") for ig in igs]
            print_objects(objs, fmt, single=False)
        return 0
    if what == "sshpublickeys":
        keys = store.list_keys(name, "pki", "ssh", "public", "admin")
        if fmt in ("json", "yaml"):
            # cmd/kops/get_sshpublickeys.go, RunGetSSHPublicKeys: SSHKeyItem{id, publicKey}; no items is null.
            items = [{"id": sshkeys.colon(k), "publicKey": store.read(name, "pki", "ssh", "public", "admin", k)
                      .decode().strip()} for k in keys] or None
            sys.stdout.write(json.dumps(items, separators=(",", ":")) if fmt == "json" else output.go_yaml(items))
            return 0
        if not keys:
            # get_sshpublickeys.go, RunGetSSHPublicKeys (table output, no items): same text in v1.30.1 and v1.36.2.
            raise KopsError("no SSH public key found")
        rows = [["ID"]] + [[":".join(k[i:i + 2] for i in range(0, len(k), 2))] for k in keys]
        sys.stdout.write(output.tabwriter(rows))
        return 0
    if what == "secrets":
        keys = store.list_keys(name, "secrets")
        if not keys:
            raise KopsError("no secrets found")
        rows = [["TYPE", "NAME", "ID"]] + [["Secret", k, "-"] for k in keys]
        sys.stdout.write(output.tabwriter(rows))
        return 0
    if what == "keypairs":
        keys = [k.split("/")[0] for k in store.list_keys(name, "pki", "private")]
        if not keys:
            raise KopsError("no keypairs found")
        rows = [["TYPE", "NAME", "ID"]] + [["Keypair", k, "-"] for k in keys]
        sys.stdout.write(output.tabwriter(rows))
        return 0
    if what == "instances":
        return _instances(ver, store, cluster, name)
    raise KopsError('unknown resource "%s"' % what)


def _instances(ver, store, cluster, name):
    aws = cloud.Cloud(cluster)
    api = aws.api_available()
    rows = [["ID", "NODE-NAME", "STATUS", "ROLES", "STATE", "INTERNAL-IP", "EXTERNAL-IP", "INSTANCE-GROUP",
             "MACHINE-TYPE"]]
    for ig in model.load_igs(store, name):
        group = aws.asg(model.asg_name(ig, name))
        if group is None:
            continue
        for inst in aws.asg_instances(group):
            status = "NeedsUpdate" if aws.needs_update(group, inst) else "UpToDate"
            role = "control-plane, control-plane" if model.is_control_plane(ig) else "node"
            # With the API up, a joined instance shows its node name (the instance id on AWS).
            node = inst["id"] if api and cloud.booted(inst) else ""
            rows.append([inst["id"], node, status, role, "", inst.get("private_ip", ""), "", group["AutoScalingGroupName"],
                         inst.get("type", "")])
    if not api:
        warn("get_instances.go:130", "cannot list node names. Kubernetes API unavailable: " + aws.api_unreachable_text())
    sys.stdout.write("\n" + output.tabwriter(rows))
    return 0
