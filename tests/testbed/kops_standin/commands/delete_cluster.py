"""kops delete cluster --name X [--yes|-y] [--wait D] [--count N] [--interval D]."""

import sys

from kops_standin import cloud, context, kubeconfig, model, output, statestore
from kops_standin.errors import info
from kops_standin.flags import load_help, usage_of


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "delete_cluster"))
    # delete uses clusterNameArgsNoKubeconfig: no current-context fallback.
    name = context.cluster_name(ver, parsed, usage, kubeconfig_fallback=False)
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    if parsed.bool("unregister"):
        if not parsed.bool("yes"):
            sys.stdout.write("Must specify --yes to delete cluster\n")
            return 0
        store.delete_cluster(name)
        sys.stdout.write('\nDeleted cluster: "%s"\n' % name)
        return 0
    info("delete_cluster.go:143", "Looking for cloud resources to delete")
    aws = cloud.Cloud(cluster)
    resources = aws.resources()
    if resources:
        sys.stdout.write(output.tabwriter([["TYPE", "NAME", "ID"]] + [list(r) for r in resources]))
    else:
        sys.stdout.write("No cloud resources to delete\n")
    if not parsed.bool("yes"):
        sys.stdout.write("\nMust specify --yes to delete cluster\n")
        return 0
    if resources:
        sys.stdout.write("\n")
        for done in aws.delete(resources):
            sys.stdout.write("%s\tok\n" % done)
    kubeconfig.remove(ver, name)
    sys.stdout.write("Deleted kubectl config for %s\n" % name)
    store.delete_cluster(name)
    sys.stdout.write('\nDeleted cluster: "%s"\n' % name)
    return 0
