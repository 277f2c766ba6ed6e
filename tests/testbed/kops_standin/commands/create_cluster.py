"""kops create cluster ... [--dry-run -o yaml|json] [--yes]."""

import os
import sys

from kops_standin import cloud, clusterspec, context, faults, model, output, sshkeys, statestore
from kops_standin import version as vermod
from kops_standin.commands import update_cluster
from kops_standin.errors import KopsError, info
from kops_standin.flags import load_help, usage_of


def _known_zones(region):
    import boto3

    try:
        ec2 = boto3.client("ec2", region_name=region)
        return sorted(z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"])
    except Exception as err:  # noqa: BLE001 - endpoint/credential failures end like kops's
        from botocore.exceptions import NoCredentialsError

        if isinstance(err, NoCredentialsError):
            raise KopsError(
                'error finding instance info for instance type "t3.medium": describing instance type "t3.medium" '
                'in region "%s": operation error EC2: DescribeInstanceTypes, get identity: get credentials: failed '
                "to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, "
                "access disabled to EC2 IMDS via client option, or \"AWS_EC2_METADATA_DISABLED\" environment variable"
                % region)
        raise KopsError("error listing AWS regions: %s" % err)


def _preview(name, igs, plan_text):
    node_ig = next((ig["metadata"]["name"] for ig in igs if not model.is_control_plane(ig)), "nodes")
    cp_ig = next((ig["metadata"]["name"] for ig in igs if model.is_control_plane(ig)), "control-plane")
    return (plan_text + "Must specify --yes to apply changes\n\n"
            "Cluster configuration has been created.\n\n"
            "Suggestions:\n"
            " * list clusters with: kops get cluster\n"
            " * edit this cluster with: kops edit cluster %s\n"
            " * edit your node instance group: kops edit ig --name=%s %s\n"
            " * edit your control-plane instance group: kops edit ig --name=%s %s\n\n"
            "Finally configure your cluster with: kops update cluster --name %s --yes --admin\n\n"
            % (name, name, node_ig, name, cp_ig, name))


def _find_region(zones):
    """upup/pkg/fi/cloudup/awsup/aws_utils.go FindRegion: over the subnets, which NewCluster's
    setupZones made from the sorted set of --zones and --control-plane-zones."""
    region = ""
    for zone in sorted(set(zones)):
        zone_region = zone[:-1]
        if region and zone_region != region:
            raise KopsError('error Clusters cannot span multiple regions (found zone "%s", but region is "%s")'
                            % (zone, region))
        region = zone_region
    return region


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "create_cluster"))
    # Args: rootCommand.clusterNameArgsNoKubeconfig (root.go): before anything else, with usage.
    name = context.cluster_name(ver, parsed, usage, kubeconfig_fallback=False)
    ssh_public_key = None
    key_path = parsed.get("ssh-public-key")
    if key_path:
        # create_cluster.go loadSSHPublicKeys: utils.ExpandPath, then os.ReadFile.
        expanded = os.path.expanduser(key_path)
        try:
            with open(expanded) as fh:
                ssh_public_key = fh.read().strip()
        except OSError as err:
            raise KopsError('error reading SSH key file "%s": open %s: %s' % (
                key_path, expanded, (err.strerror or str(err)).lower()))
        except UnicodeDecodeError:
            ssh_public_key = ""  # binary garbage: read fine, refused by the fingerprint below
        info(vermod.source_line(ver, "create_cluster"), "Using SSH public key: %s" % expanded)
    dry_run = parsed.bool("dry-run")
    fmt = parsed.get("output")
    if dry_run and not fmt:
        raise KopsError("unable to execute --dry-run without setting --output")
    store = statestore.from_flags(parsed)
    # RunCreateCluster: clientset.GetCluster, dry run or not; a read failure is returned as is.
    if model.load_cluster(store, name) is not None:
        raise KopsError("cluster \"%s\" already exists; use 'kops update cluster' to apply changes" % name)
    store.client()  # the state store must still be reachable
    zones = parsed.get("zones") or []
    if not zones:
        raise KopsError("must specify at least one zone for the cluster (use --zones)")
    if not parsed.get("cloud") and not store.config_base(name).startswith("s3://"):
        # new_cluster.go NewCluster: clouds.GuessCloudForPath(configBase) knows only the cloud schemes.
        raise KopsError('pass in the cloud provider explicitly using --cloud: cannot infer cloud provider from '
                        'path: "%s"' % store.config_base(name))
    if parsed.get("cloud") and parsed.get("cloud") != "aws":
        raise KopsError("the kops stand-in (test infrastructure) only imitates --cloud aws")
    # cloudup.NewCluster: the spec, with its refusals and log lines in kops's order.
    cluster, igs = clusterspec.build(ver, parsed, name, store.config_base(name), zones)
    cp_zones = clusterspec.control_plane_zone_flags(parsed)
    # cloudup.BuildCloud: the region comes from the zones (AWS_REGION plays no part), then ValidateZones.
    region = _find_region(zones + cp_zones)
    known = _known_zones(region)
    for zone in sorted(set(zones + cp_zones)):
        if zone not in known:
            info("aws_cloud.go:2003", 'Known zones: "%s"' % ",".join(known))
            raise KopsError('error Zone is not a recognized AZ: "%s" (check you have specified a valid zone?)' % zone)
    # cloudup.PerformAssignments, then validation.DeepValidate.
    clusterspec.assign_cidrs(cluster)
    model.validate_cluster_name(ver, name, dns_none=cluster["spec"]["topology"]["dns"]["type"] == "None")
    if dry_run:
        if fmt not in ("yaml", "json"):
            raise KopsError('unsupported output type "%s"' % fmt)
        objs = [cluster]
        for ig in igs:
            ig["metadata"]["labels"] = {"kops.k8s.io/cluster": name}
            objs.append(ig)
        if ssh_public_key is not None:
            objs.append({"apiVersion": model.API_VERSION, "kind": "SSHCredential",
                         "metadata": {"labels": {"kops.k8s.io/cluster": name}, "name": "admin"},
                         "spec": {"publicKey": ssh_public_key}})
        if fmt == "yaml":
            sys.stdout.write("\n---\n\n".join(output.go_yaml(o) for o in objs))
        else:
            # kops prints the objects separated by "\n," without brackets: not valid JSON (recording 41).
            sys.stdout.write("\n,".join(output.go_json(output.go_order(o)) for o in objs) + "\n")
        return 0
    stamp = model.now_stamp()
    cluster["metadata"] = {"creationTimestamp": stamp, "name": name}
    store.write(output.go_yaml(cluster), name, "config")
    faults.checkpoint("create-after-config")
    for ig in igs:
        ig["metadata"] = {"creationTimestamp": stamp, "name": ig["metadata"]["name"]}
        store.write(output.go_yaml(ig), name, "instancegroup", ig["metadata"]["name"])
    faults.checkpoint("create-after-instancegroups")
    store.write(b"", name, "clusteraddons", "default")  # registry.CreateClusterConfig writes the addons too
    if ssh_public_key is not None:
        # Only now, after the configuration was written, does kops parse the key (AddSSHPublicKey).
        try:
            fp = sshkeys.fingerprint(ssh_public_key)
        except KopsError as err:
            raise KopsError("error adding SSH public key: %s" % err.msg)
        store.write(ssh_public_key + "\n" if not ssh_public_key.endswith("\n") else ssh_public_key,
                    name, "pki", "ssh", "public", "admin", fp)
    if parsed.bool("yes"):
        sys.stdout.write(vermod.banner(ver))
        # create --yes exports an 18h admin credential by default (create_cluster.go).
        text = update_cluster.apply(store, ver, model.load_cluster(store, name), model.load_igs(store, name),
                                    parsed, admin_default="18h")
        sys.stdout.write(text)
        return 0
    update_cluster.executor_log()
    creates, modifies, deletes = update_cluster.plan(store, ver, model.load_cluster(store, name), model.load_igs(store, name))
    sys.stdout.write("Previewing changes that will be made:\n\n" + vermod.banner(ver)
                     + _preview(name, igs, cloud.render_plan(creates, modifies, deletes)))
    return 0
