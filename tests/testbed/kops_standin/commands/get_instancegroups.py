"""kops get instancegroups [IG]... --name CLUSTER."""

import sys

from kops_standin import context, model, output, statestore
from kops_standin.commands.get_clusters import print_objects, with_kind
from kops_standin.errors import KopsError
from kops_standin.flags import usage_of


def ig_table(igs):
    rows = [["NAME", "ROLE", "MACHINETYPE", "MIN", "MAX", "ZONES"]]
    for ig in igs:
        s = ig["spec"]
        rows.append([ig["metadata"]["name"], model.table_role(ig), s.get("machineType", ""),
                     str(s.get("minSize", "")), str(s.get("maxSize", "")), ",".join(s.get("subnets", []))])
    return output.tabwriter(rows)


def select(store, cluster, wanted):
    igs = model.load_igs(store, cluster)
    if wanted:
        by_name = {ig["metadata"]["name"]: ig for ig in igs}
        for w in wanted:
            if w not in by_name:
                raise KopsError('instancegroup not found "%s"' % w)
        igs = [by_name[w] for w in wanted]
    return igs


def run(ver, path, parsed):
    """cmd/kops/get_instancegroups.go: Args (the cluster name), then RunGetInstanceGroups."""
    fmt = parsed.get("output") or "table"
    wanted = list(parsed.args)
    name = context.cluster_name(ver, parsed, usage_of(_usage(ver)), positional_ok=False)
    store = statestore.from_flags(parsed)
    try:
        found = model.load_cluster(store, name)
    except KopsError as err:
        raise KopsError('error fetching cluster "%s": %s' % (name, err.msg))
    if found is None:
        raise KopsError('error fetching cluster "%s": Cluster.kops.k8s.io "%s" not found' % (name, name))
    igs = select(store, name, wanted)
    if not igs:
        raise KopsError("no InstanceGroup objects found")
    if fmt == "table":
        sys.stdout.write(ig_table(igs))
        return 0
    if fmt not in ("json", "yaml"):
        raise KopsError('unknown output format: "%s"' % fmt)
    print_objects([with_kind(ig, "InstanceGroup") for ig in igs], fmt, single=len(igs) == 1)
    return 0


def _usage(ver):
    from kops_standin.flags import load_help
    return load_help(ver, "get_instancegroups")
