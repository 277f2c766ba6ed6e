"""kops get clusters [CLUSTER]... [--full]."""

import sys

import yaml

from kops_standin import context, model, output, statestore
from kops_standin.errors import KopsError
from kops_standin.flags import load_help, usage_of


FULL_WARNING = (
    "\n//\n"
    "//   WARNING: Do not use a '--full' cluster specification to define a Kubernetes installation.\n"
    "//   You may experience unexpected behavior and other bugs.  Use only the required elements\n"
    "//   and any modifications that you require.\n"
    "//\n"
    "//   Use the following command to retrieve only the required elements:\n"
    "//   $ kops get cluster -o yaml\n"
    "//\n\n")


def cluster_table(clusters):
    rows = [["NAME", "CLOUD", "ZONES"]]
    for c in clusters:
        rows.append([c["metadata"]["name"], c["spec"].get("cloudProvider", "aws"), ",".join(model.zones_of(c))])
    return output.tabwriter(rows)


def print_objects(objs, fmt, single):
    """kops's marshalling: JSON array as '[' + obj + '\\n,' + obj ... + '\\n]', no trailing newline."""
    if fmt == "json":
        if single:
            sys.stdout.write(output.go_json(objs[0]) + "\n")
        else:
            sys.stdout.write("[" + "\n,".join(output.go_json(o) for o in objs) + "\n]")
    elif fmt == "yaml":
        sys.stdout.write("---\n".join(output.go_yaml(o) for o in objs))
    else:
        raise KopsError('unknown output format: "%s"' % fmt)


def with_kind(obj, kind):
    obj = dict(obj)
    obj["kind"] = kind
    obj["apiVersion"] = model.API_VERSION
    return output.go_order(obj)


def run(ver, path, parsed):
    """cmd/kops/get_cluster.go NewCmdGetCluster (Args) and RunGetClusters."""
    names = list(parsed.args)
    name_flag = context.flag_name(parsed)
    if names and name_flag:
        raise KopsError("cannot mix --name for cluster with positional arguments",
                        usage_of(load_help(ver, "get_clusters")))
    if not names and name_flag:
        names = [name_flag]
    store = statestore.from_flags(parsed)
    fmt = parsed.get("output") or "table"
    if len(names) == 1:
        c = model.load_cluster(store, names[0])
        clusters = [c] if c is not None else []
    else:
        clusters = [c for c in (model.load_cluster(store, n) for n in store.list_clusters()) if c is not None]
    if names:
        by_name = {c["metadata"]["name"]: c for c in clusters}
        for n in names:
            if n not in by_name:
                raise KopsError('cluster not found "%s"' % n)
        clusters = [by_name[n] for n in names]
    if not clusters:
        raise KopsError("no clusters found")
    if parsed.bool("full"):
        full = []
        for c in clusters:
            n = c["metadata"]["name"]
            data = store.read(n, "cluster-completed.spec")
            if data is None:
                raise KopsError('error loading Cluster "%s": file does not exist' % store.path(n, "cluster-completed.spec"))
            full.append(yaml.safe_load(data))
        clusters = full
        if fmt != "table":
            sys.stdout.write(FULL_WARNING)
    if fmt == "table":
        sys.stdout.write(cluster_table(clusters))
        return 0
    if fmt not in ("json", "yaml"):
        raise KopsError('unknown output format: "%s"' % fmt)
    print_objects([with_kind(c, "Cluster") for c in clusters], fmt, single=len(names) == 1)
    return 0
