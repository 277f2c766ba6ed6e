"""kops upgrade cluster [CLUSTER] [--kubernetes-version V] [--yes].

cmd/kops/upgrade_cluster.go RunUpgradeCluster (v1.30.1 / v1.36.2): the proposed Kubernetes version is
--kubernetes-version, else the channel's recommendation for the running kops (the stand-in's channel:
1.30.14 for kops 1.30.1, 1.36.3 for kops 1.36.2, as recorded); a cluster already newer keeps its version
(with a warning). The action table goes to stdout; no action is "\\nNo upgrade required" on stderr. With
--yes the cluster spec is written back (only the state store changes).
"""

import sys

from kops_standin import context, model, output, statestore
from kops_standin import version as vermod
from kops_standin.errors import KopsError, info, warn
from kops_standin.flags import load_help, usage_of

_LINES = {"1.30.1": {"greater": "upgrade_cluster.go:170", "image": "upgrade_cluster.go:223"},
          "1.36.2": {"greater": "upgrade_cluster.go:207", "image": "upgrade_cluster.go:260"}}


def parse_version(text):
    """kopsutil.ParseKubernetesVersion: an optional leading v, then semver (x.y.z)."""
    parts = str(text or "").strip().lstrip("v").split("-", maxsplit=1)[0].split(".")
    try:
        return tuple(int(p) for p in parts[:3]) + (0,) * (3 - len(parts[:3]))
    except ValueError:
        return None


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "upgrade_cluster"))
    name = context.cluster_name(ver, parsed, usage)
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    igs = model.load_igs(store, name)
    current_text = cluster["spec"].get("kubernetesVersion", "")
    current = parse_version(current_text)
    wanted = parsed.get("kubernetes-version")
    proposed_text = (wanted or vermod.KUBERNETES_VERSION[ver]).lstrip("v")
    proposed = parse_version(proposed_text)
    if proposed is None:
        warn(_LINES[ver]["greater"], 'error parsing KubernetesVersion "%s"' % current_text)
        proposed, proposed_text = current, current_text
    if current is not None and proposed is not None and current > proposed:
        warn(_LINES[ver]["greater"], 'cluster version "%s" is greater than the desired version "%s"'
             % (current_text.lstrip("v"), proposed_text))
        proposed, proposed_text = current, current_text
    actions = []
    if current is not None and proposed != current:
        actions.append(["Cluster", "KubernetesVersion", current_text, ".".join(str(p) for p in proposed)])
    for ig in igs:
        # Only an image other than the channel's for this kops is reported (recording 246 vs 214).
        image = ig["spec"].get("image")
        if image and image != vermod.IMAGE[ver]:
            info(_LINES[ver]["image"], 'Custom image (%s) has been provided for Instance Group "%s"; not updating image'
                 % (image, ig["metadata"]["name"]))
    if not actions:
        sys.stderr.write("\nNo upgrade required\n")
        return 0
    sys.stdout.write(output.tabwriter([["ITEM", "PROPERTY", "OLD", "NEW"]] + actions))
    if not parsed.bool("yes"):
        sys.stdout.write("\nMust specify --yes to perform upgrade\n")
        return 0
    cluster["spec"]["kubernetesVersion"] = actions[0][3]
    # commands.UpdateCluster -> clientset UpdateCluster: the stored object's generation goes up by one
    # (recordings 215 / 241 show generation 1 after the upgrade).
    cluster["metadata"]["generation"] = int(cluster["metadata"].get("generation") or 0) + 1
    try:
        store.write(output.go_yaml(cluster), name, "config")
    except KopsError as err:
        raise KopsError("error writing updated cluster configuration: %s" % err.msg)
    sys.stdout.write("\nUpdates applied to configuration.\n")
    sys.stdout.write("You can now apply these changes, using `kops update cluster %s`\n" % name)
    return 0
