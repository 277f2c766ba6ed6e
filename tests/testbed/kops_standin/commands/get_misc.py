"""kops get all / secrets / keypairs / sshpublickeys (get instances lives in get_instances.py)."""

import json
import sys

from kops_standin import context, model, output, sshkeys, statestore
from kops_standin.commands.get_clusters import cluster_table, print_objects, with_kind
from kops_standin.commands.get_instancegroups import ig_table
from kops_standin import flags as flagmod
from kops_standin.errors import KopsError


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
    raise KopsError('unknown resource "%s"' % what)
