"""kops delete instancegroup|instancegroups|ig INSTANCE_GROUP --name CLUSTER [--yes|-y].

As kops's cmd/kops/delete_instancegroup.go and pkg/instancegroups/delete.go: without --yes kops
asks "Do you really want to delete instance group ...? (y/N)" on stdout and reads the answer from
stdin (EOF is an error, "no" or an empty answer exit 1 silently, "yes" goes on as --yes). With
--yes the group's Auto Scaling Group (force-deleted, so its instances go too) and launch template
are deleted at once, without `kops update cluster`, then the group's state-store object.
"""

import sys

from kops_standin import cloud, context, model, statestore
from kops_standin.errors import KopsError, info, warn
from kops_standin.flags import load_help, usage_of


class _Exit(Exception):
    """os.Exit(1) without a message (the user said no)."""


def _confirm(group):
    """ui.GetConfirm with Default "no" and 2 retries. True to go on, _Exit for no."""
    message = 'Do you really want to delete instance group "%s"? This action cannot be undone. (y/N)\n' % group
    # kops builds a new bufio.Reader over stdin for every attempt: from a pipe the first one
    # buffers all of it, so a later attempt reads EOF. From a terminal each attempt reads a line.
    interactive = sys.stdin.isatty()
    pending = None if interactive else sys.stdin.read().splitlines(True)
    retries = 0
    while True:
        sys.stdout.write(message)
        sys.stdout.flush()
        if interactive:
            line = sys.stdin.readline()
        else:
            line = pending.pop(0) if pending else ""
            pending = []
        if not line.endswith("\n"):
            raise KopsError("error reading from input: EOF")
        response = line.strip()
        if response.lower() in ("y", "yes"):
            return True
        if response.lower() in ("n", "no") or response == "":
            raise _Exit()
        sys.stdout.write("invalid response: %s\n\n" % response)
        if retries >= 2:
            raise _Exit()
        retries += 1


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "delete_instancegroup"))
    # Args: the cluster name first (--name, KOPS_CLUSTER_NAME, else the kubeconfig context), then one IG.
    name = context.cluster_name(ver, parsed, usage, positional_ok=False)
    if not parsed.args:
        raise KopsError("must specify the name of the instance group to delete", usage)
    group_name = parsed.args[0]
    if len(parsed.args) != 1:
        raise KopsError("can only delete one instance group at a time", usage)
    yes = parsed.bool("yes")
    if not yes:
        try:
            yes = _confirm(group_name)
        except _Exit:
            return 1
    return delete(parsed, name, group_name, yes)


def delete(parsed, name, group_name, yes):
    """RunDeleteInstanceGroup."""
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    group = next((ig for ig in model.load_igs(store, name) if ig["metadata"]["name"] == group_name), None)
    if group is None:
        raise KopsError('error reading InstanceGroup "%s": InstanceGroup.kops.k8s.io "%s" not found'
                        % (group_name, group_name))
    sys.stdout.write('InstanceGroup "%s" found for deletion\n' % group_name)
    if model.is_control_plane(group):
        others = [ig for ig in model.load_igs(store, name)
                  if ig["metadata"]["name"] != group_name and model.is_control_plane(ig)]
        if not others:
            raise KopsError("cannot delete the only control plane instance group")
    if not yes:
        sys.stdout.write("\nMust specify --yes to delete instancegroup\n")
        return 0
    aws = cloud.Cloud(cluster)
    asg_name = model.asg_name(group, name)
    asg = aws.asg(asg_name)
    if asg is None:
        warn("delete.go:50", 'AutoScalingGroup "%s" not found in cloud - skipping delete' % group_name)
    else:
        info("delete.go:56", 'Deleting AutoScalingGroup "%s"' % group_name)
        aws.delete_group(asg)
    store.delete(name, "instancegroup", group_name)
    sys.stdout.write('\nDeleted InstanceGroup: "%s"\n' % group_name)
    return 0
