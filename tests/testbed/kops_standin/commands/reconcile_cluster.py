"""kops reconcile cluster [CLUSTER] [--yes] (kops 1.31+; the 1.30.1 stand-in does not know the command).

cmd/kops/reconcile_cluster.go RunReconcileCluster (v1.36.2): without --yes an update dry run; with --yes
update the control-plane (and apiserver) groups, wait for the API (validate the control plane, up to 10m),
roll the control plane, update the node groups, roll the nodes, then prune. The rolling updates use
kops's defaults (intervals 15s, post-drain delay 5s, validate count 2, validation timeout 15m); the stand-in's
KOPS_STANDIN_TIME_SCALE shortens the waits.
"""

import sys
import time

from kops_standin import cloud, context, faults, model, statestore
from kops_standin import version as vermod
from kops_standin.commands import rolling_update, update_cluster
from kops_standin.commands.validate_cluster import Unreachable, collect
from kops_standin.errors import KopsError, warn
from kops_standin.flags import load_help, usage_of

CONTROL_PLANE_ROLES = ("apiserver", "control-plane")


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "reconcile_cluster"))
    name = context.cluster_name(ver, parsed, usage)
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    all_igs = model.load_igs(store, name)
    sys.stdout.write(vermod.banner(ver))
    update_cluster.preflight(store, ver, cluster, parsed)
    if not parsed.bool("yes"):
        update_cluster.executor_log()
        creates, modifies, deletes = update_cluster.plan(store, ver, cluster, all_igs, parsed, all_igs)
        if creates or modifies or deletes:
            sys.stdout.write(cloud.render_plan(creates, modifies, deletes) + "Must specify --yes to apply changes\n")
        else:
            sys.stdout.write("No changes need to be applied\n")
        return 0
    control_plane = [ig for ig in all_igs if rolling_update.role_matches(ig, CONTROL_PLANE_ROLES)]
    sys.stdout.write("Updating control plane configuration\n")
    sys.stdout.flush()
    sys.stdout.write(update_cluster.apply(store, ver, cluster, control_plane, parsed, checked=True,
                                          export_kubeconfig=False, all_igs=all_igs))
    sys.stdout.write("Waiting for the kubernetes API to be served\n")
    sys.stdout.write("Validating cluster %s\n\n" % name)
    sys.stdout.flush()
    faults.checkpoint("reconcile-before-validate")
    _wait_for_api(cluster, control_plane)
    aws = cloud.Cloud(cluster)
    sys.stdout.write("Performing rolling-update for control plane\n")
    rolling_update.roll(ver, aws, cluster, all_igs, control_plane, None, False, True, False)
    sys.stdout.write("Updating node configuration\n")
    sys.stdout.flush()
    sys.stdout.write(update_cluster.apply(store, ver, cluster, all_igs, parsed, checked=True,
                                          export_kubeconfig=False, all_igs=all_igs))
    sys.stdout.write("Performing rolling-update for nodes\n")
    rolling_update.roll(ver, aws, cluster, all_igs, all_igs, None, False, True, False)
    sys.stdout.write("Pruning old resources that are no longer used\n")
    sys.stdout.flush()
    sys.stdout.write(update_cluster.apply(store, ver, cluster, all_igs, parsed, checked=True,
                                          export_kubeconfig=False, all_igs=all_igs))
    return 0


def _wait_for_api(cluster, igs):
    """RunValidateCluster with wait 10m on the control-plane groups, retrying every 10s (validate_cluster.go)."""
    deadline = time.monotonic() + 600
    while True:
        try:
            failures, dummy = collect(cluster, igs)
            if not failures:
                return
            message = "cluster not yet healthy"
        except Unreachable as err:
            message = str(err)
        if time.monotonic() >= deadline:
            raise KopsError("waiting for kubernetes API to be served: validation failed: wait time exceeded during "
                            "validation")
        warn("validate_cluster.go:193", "(will retry): %s" % message)
        rolling_update.sleep(10)
