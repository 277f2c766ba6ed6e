"""kops update cluster [--yes] [--admin[=TTL]] [--user U] [--create-kube-config=false]."""

import sys

from kops_standin import cloud, context, kubeconfig, model, pki, sshkeys, statefiles, statestore
from kops_standin import version as vermod
from kops_standin.cloud import Task
from kops_standin.errors import KopsError, info, warn
from kops_standin.flags import load_help, usage_of


def starting(cluster, igs):
    """update_cluster.go RunUpdateCluster's first-run suggestions: ssh to the control plane by the API's
    public name (none for a gossip cluster), or, when a group is a bastion (usesBastion), to the
    bastion's public name (findBastionPublicName)."""
    spec = cluster["spec"]
    if not any(model.role_of(ig) == "Bastion" for ig in igs):
        ssh = " * ssh to a control-plane node: ssh -i ~/.ssh/id_rsa ubuntu@%s\n" % spec.get("masterPublicName", "")
    elif ((spec.get("topology") or {}).get("bastion") or {}).get("publicName"):
        ssh = " * ssh to the bastion: ssh -A -i ~/.ssh/id_rsa ubuntu@%s\n" % spec["topology"]["bastion"]["publicName"]
    else:
        ssh = " * to ssh to the bastion, you probably want to configure a bastionPublicName.\n"
    return ("\nCluster is starting.  It should be ready in a few minutes.\n\n"
            "Suggestions:\n"
            " * validate cluster: kops validate cluster --wait 10m\n"
            " * list nodes: kubectl get nodes --show-labels\n" + ssh +
            " * the ubuntu user is specific to Ubuntu. If not using Ubuntu please use the appropriate user based on "
            "your OS.\n"
            " * read about installing addons at: https://kops.sigs.k8s.io/addons.\n\n")


APPLIED = ("\nCluster changes have been applied to the cloud.\n\n\n"
           "Changes may require instances to restart: kops rolling-update cluster\n\n")


def select_igs(ver, parsed, igs):
    wanted = parsed.get("instance-group") or []
    roles = [r.lower() for r in (parsed.get("instance-group-roles") or [])]
    out = []
    for ig in igs:
        if wanted and ig["metadata"]["name"] not in wanted:
            continue
        role = "control-plane" if model.is_control_plane(ig) else model.role_of(ig).lower()
        if roles and role not in roles and not (role == "control-plane" and "master" in roles):
            continue
        out.append(ig)
    return out


def pin_node_version(store, ver, cluster, parsed, aws, all_igs):
    """kops 1.31+ (update_cluster.go RunCoreUpdateCluster, v1.36.2): unless --ignore-kubelet-version-skew,
    checkControlPlaneRunningVersion reads the control-plane nodes through the default kubeconfig's context
    named after the cluster (any failure only logs at V(2) and leaves the spec's version), and
    apply_cluster.go gives groups without an API server that running version while it differs from the
    spec's (KubeletSupportedVersion): nodes follow only once the control plane runs the new version."""
    if ver == "1.30.1" or (parsed is not None and parsed.bool("ignore-kubelet-version-skew")):
        return
    name = cluster["metadata"]["name"]
    try:
        context.require_context(name)
    except KopsError:
        return
    if not aws.api_available():
        return
    running = aws.control_plane_running_version(all_igs)
    if running and not str(cluster["spec"].get("kubernetesVersion") or "").endswith(running):
        aws.node_kubernetes_version = running


def plan(store, ver, cluster, igs, parsed=None, all_igs=None):
    """The dry run's tasks for the groups ``igs``; ``all_igs`` is every group of the cluster (read when not given:
    a command reads the state store once, as kops's clientset does)."""
    name = cluster["metadata"]["name"]
    if all_igs is None:
        all_igs = model.load_igs(store, name)
    fp = sshkeys.stored_key(store, name)[0]
    key_name = sshkeys.aws_key_name(name, fp) if fp else None
    aws = cloud.Cloud(cluster)
    pin_node_version(store, ver, cluster, parsed, aws, all_igs)
    creates, modifies, deletes = aws.plan(igs, key_name)
    missing_cas, missing_secrets = pki.missing(store, name)
    creates.extend(Task("Keypair", ca, [("Signer", ""), ("Type", "ca")]) for ca in missing_cas)
    creates.extend(Task("Secret", secret) for secret in missing_secrets)
    for key in statefiles.pending(store, ver, cluster, all_igs):
        if store.exists(name, *key.split("/")):
            modifies.append(Task("ManagedFile", key, [("Contents", "")]))
        else:
            creates.append(Task("ManagedFile", key, [("Location", key)]))
    return creates, modifies, deletes


def executor_log(total=138):
    # kops's executor progress lines (stderr), kept because users see them.
    for done, can in ((0, 35), (35, 24), (59, 36), (95, 6), (101, 10), (111, 4), (115, 8), (123, 4), (127, 10),
                      (137, 1), (138, 0)):
        info("executor.go:113", "Tasks: %d done / %d total; %d can run" % (done, total, can))


STARLINE = "*" * 81


def _banner(*lines):
    return "\n%s\n\n%s\n%s\n\n" % (STARLINE, "".join(line + "\n" for line in lines), STARLINE)


def preflight(store, ver, cluster, parsed):
    """upup/pkg/fi/cloudup/apply_cluster.go (v1.30.1 / v1.36.2), ApplyClusterCmd.Run before any task:
    validateKubernetesVersion (Kubernetes at or above kops's major.(minor+1).patch needs a newer kops unless
    KOPS_RUN_TOO_NEW_VERSION is set; older than OldestSupportedKubernetesVersion needs a Kubernetes upgrade;
    older than OldestRecommendedKubernetesVersion is deprecated), then, without --allow-kops-downgrade, the
    kops version last used to update the cluster (kops-version.txt) must not be newer than this kops.
    The banners go to stdout, the error to stderr."""
    import os

    name = cluster["metadata"]["name"]
    k8s = vermod.version_tuple(cluster["spec"].get("kubernetesVersion", ""))
    kops = vermod.version_tuple(ver)
    if len(k8s) == 3:
        # tooNewVersion: kops's own version with the minor raised, patch kept (1.30.1 -> 1.31.1).
        if k8s >= (kops[0], kops[1] + 1, kops[2]):
            bypass = bool(os.environ.get("KOPS_RUN_TOO_NEW_VERSION"))
            note = ("(this check has been bypassed by exporting KOPS_RUN_TOO_NEW_VERSION)" if bypass and ver != "1.30.1"
                    else "(you can bypass this check by exporting KOPS_RUN_TOO_NEW_VERSION)")
            sys.stdout.write(_banner("This version of kubernetes is not yet supported; upgrading kops is required", note))
            if not bypass:
                raise KopsError("kops upgrade is required")
        oldest, recommended = ((1, 25, 0), "1.27.0") if ver == "1.30.1" else ((1, 31, 0), "1.33.0")
        link = "https://github.com/kubernetes/kops/blob/master/permalinks/upgrade_k8s.md#" + recommended
        if k8s < oldest:
            sys.stdout.write("This version of Kubernetes is no longer supported; upgrading Kubernetes is required\n\n"
                             "More information: %s\n\n%s\n\n" % (link, STARLINE))
            raise KopsError("kubernetes upgrade is required")
        if k8s < vermod.version_tuple(recommended):
            sys.stdout.write(_banner("Kops support for this Kubernetes version is deprecated and will be removed in a "
                                     "future release.", "", "Upgrading Kubernetes is recommended",
                                     "More information: " + link))
    if not parsed.bool("allow-kops-downgrade"):
        stored = store.read(name, "kops-version.txt")
        if stored and vermod.version_tuple(stored.decode()) > kops:
            sys.stdout.write(_banner("The cluster was last updated by kops version %s" % stored.decode().strip(),
                                     "To permit updating by the older version %s, run with the --allow-kops-downgrade "
                                     "flag" % ver))
            raise KopsError("kops version older than last used to update the cluster")


def apply(store, ver, cluster, igs, parsed, admin_default=None, checked=False, export_kubeconfig=True, all_igs=None):
    """The --yes path, shared with `create cluster --yes`. Returns the stdout text. ``all_igs`` as in plan."""
    name = cluster["metadata"]["name"]
    if all_igs is None:
        all_igs = model.load_igs(store, name)
    if not checked:
        preflight(store, ver, cluster, parsed)
    executor_log()
    pki.ensure_pki(store, name)
    statefiles.write(store, ver, cluster, all_igs)
    fp, pub = sshkeys.stored_key(store, name)
    aws = cloud.Cloud(cluster)
    pin_node_version(store, ver, cluster, parsed, aws, all_igs)
    aws.apply(igs, sshkeys.aws_key_name(name, fp) if fp else None, pub)
    out = ""
    # reconcile's RunCoreUpdateCluster steps export no kubeconfig (recording 1.36.2/day2/233).
    create_kc = kubeconfig_flags(parsed, log=False) and export_kubeconfig
    admin = parsed.get("admin") if parsed.given("admin") else admin_default
    user = parsed.get("user")
    first_run = True
    if create_kc:
        info("update_cluster.go:419", "Exporting kubeconfig for cluster")
        existing = kubeconfig.load(context.kubeconfig_path())
        first_run = not any(c.get("name") == name for c in existing.get("contexts") or [])
        ttl = pki.parse_duration(admin) if admin else None
        server = kubeconfig.api_server(name, "https://" + aws.api_dns_name())
        kubeconfig.export(ver, store, name, server, admin_ttl=ttl, user=user,
                          internal=parsed.bool("internal"))
        if ttl is None and not user:
            warn("update_cluster.go:439", "Exported kubeconfig with no user authentication; use --admin, --user or "
                 "--auth-plugin flags with `kops export kubeconfig`")
        out += "kOps has set your kubectl context to %s\n" % name
    else:
        existing = kubeconfig.load(context.kubeconfig_path())
        first_run = not any(c.get("name") == name for c in existing.get("contexts") or [])
    out += starting(cluster, igs) if first_run else APPLIED
    return out


def kubeconfig_flags(parsed, log=True):
    """update_cluster.go RunUpdateCluster: --admin (non-zero) with --user is refused; --admin, --user
    and --internal each turn --create-kube-config back on, with a klog line."""
    admin = pki.parse_duration(parsed.get("admin")) if parsed.given("admin") else 0
    if admin and parsed.get("user"):
        raise KopsError("cannot use both --admin and --user")
    given = parsed.get("create-kube-config")
    create_kc = True if given is None else (given is True or given == "true")
    first = 175 if vermod.current() == "1.30.1" else 233
    for i, (implied, on) in enumerate((("admin", admin), ("user", parsed.get("user")),
                                       ("internal", parsed.bool("internal")))):
        if on and not create_kc:
            if log:
                info("update_cluster.go:%d" % (first + 5 * i), "--%s implies --create-kube-config" % implied)
            create_kc = True
    return create_kc


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "update_cluster"))
    name = context.cluster_name(ver, parsed, usage)
    kubeconfig_flags(parsed)
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    all_igs = model.load_igs(store, name)
    igs = select_igs(ver, parsed, all_igs)
    sys.stdout.write(vermod.banner(ver))
    preflight(store, ver, cluster, parsed)
    # update_cluster.go RunUpdateCluster then apply_cluster.go: "direct" without --yes and "dryrun" preview;
    # any other value (1.36 lets a case variant past the flag) is refused when the target is built.
    target = parsed.get("target") or "direct"
    if target == "terraform":
        raise KopsError("update cluster --target terraform is not implemented by the kops stand-in "
                        "(test infrastructure)")
    if target not in ("direct", "dryrun"):
        raise KopsError('unsupported target type "%s"' % target)
    if not parsed.bool("yes") or target == "dryrun":
        executor_log()
        creates, modifies, deletes = plan(store, ver, cluster, igs, parsed, all_igs)
        if creates or modifies or deletes:
            sys.stdout.write(cloud.render_plan(creates, modifies, deletes) + "Must specify --yes to apply changes\n")
        else:
            sys.stdout.write("No changes need to be applied\n")
        return 0
    sys.stdout.write(apply(store, ver, cluster, igs, parsed, checked=True, all_igs=all_igs))
    return 0
