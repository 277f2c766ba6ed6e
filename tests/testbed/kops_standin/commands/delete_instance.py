"""kops delete instance INSTANCE|NODE [--cloudonly] [--surge=false] [--yes].

cmd/kops/delete_instance.go (NewCmdDeleteInstance Args, RunDeleteInstance, getNodes, findDeletionNode) and
pkg/instancegroups/instancegroups.go UpdateSingleInstance (v1.30.1 / v1.36.2): find the instance by id (or,
with the API, by node name); without --cloudonly the node must be known to the Kubernetes API; with --yes
detach it first (--surge, default true; never a control-plane instance), validate, then drain, terminate,
and wait 0s.

Detached members (upup/pkg/fi/cloudup/awsup/aws_cloud.go awsBuildCloudInstanceGroup: instances tagged
``kops.k8s.io/detached-from-asg``, status Detached, in NeedUpdate) come from rolling_update.group_state, so
delete instance finds them; UpdateSingleInstance still calls detachInstance, which logs "Detaching instance"
before awsup DetachInstance returns at once for a Detached instance; deleteInstance terminates it with EC2
TerminateInstances.
"""

import sys

from kops_standin import cloud, context, model, statestore
from kops_standin.commands import rolling_update
from kops_standin.errors import KopsError, info, warn
from kops_standin.flags import load_help, usage_of


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "delete_instance"))
    name = context.cluster_name(ver, parsed, None, positional_ok=False, kubeconfig_fallback=True)
    if not parsed.args:
        raise KopsError("must specify ID of instance or name of node to delete", usage)
    if len(parsed.args) != 1:
        raise KopsError("can only delete one instance at a time", usage)
    wanted = parsed.args[0]
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    aws = cloud.Cloud(cluster)
    cloudonly = parsed.bool("cloudonly")
    if ver == "1.30.1" and not cloudonly:
        # 1.30.1 getNodes: the cluster's kubeconfig context before listing nodes (1.36.2 builds its own).
        context.require_context(name)
    if not cloudonly and not aws.api_available():
        sys.stderr.write("Unable to reach the kubernetes API.\n"
                         "Use --cloudonly to do a deletion without confirming progress with the k8s API\n\n")
        raise KopsError("listing nodes in cluster: " + aws.api_unreachable_text())
    igs = model.load_igs(store, name)
    found = None
    for ig in igs:
        state = rolling_update.group_state(aws, ig, name)
        if state is None:
            continue
        group, stale, ready = state
        for inst in ready + stale:
            # The test bed's node names are the instance ids; a node exists once the instance has booted.
            node = inst["id"] if not cloudonly and cloud.booted(inst) else None
            if inst["id"] == wanted or (node is not None and node == wanted):
                found = (ig, group, inst, node)
                break
        if found:
            break
    if found is None:
        raise KopsError("could not find instance %s" % wanted)
    ig, group, inst, node = found
    if cloudonly:
        sys.stdout.write("Instance %s found for deletion\n" % inst["id"])
    elif node is not None:
        sys.stdout.write("Instance %s (%s) found for deletion\n" % (inst["id"], node))
    else:
        sys.stderr.write("Instance is not a member of the cluster\n"
                         "Use --cloudonly to do a deletion without confirming progress with the k8s API\n\n")
        raise KopsError("error finding node name for instance: %s" % inst["id"])
    if not parsed.bool("yes"):
        sys.stdout.write("\nMust specify --yes to delete instance\n")
        return 0
    sys.stdout.flush()
    roller = rolling_update.Roller(aws, cluster, igs, cloudonly, parsed)
    if parsed.bool("surge"):
        if model.is_control_plane(ig):
            warn(rolling_update.line("cp_no_detach"), "cannot detach control-plane instances. Assuming --surge=false")
        elif inst.get("detached"):
            # awsup DetachInstance: nothing to do for a Detached member; detachInstance logged the line first.
            info(rolling_update.line("detaching"),
                 'Detaching instance "%s", in group "%s".' % (inst["id"], group["AutoScalingGroupName"]))
            roller.maybe_validate(" after detaching instance", roller.validate_count)
        else:
            roller.detach(ig, group, inst)
            roller.maybe_validate(" after detaching instance", roller.validate_count)
    roller.drain_terminate(ig, group, inst, 0)
    return 0
