"""The kops stand-in on the input-validation and not-found paths the recordings do not cover.

Each case names the kops source it follows (file and function, at the tags v1.30.1 and v1.36.2 of
kubernetes/kops; "both" where the code is the same in the two) in its id and comment. Where a
recording covers a path, test_recordings.py compares it; the cases here are the paths between.
Texts are compared exactly (paths of the test's scratch directory replaced by $W).
"""

import os
import subprocess
import sys

import boto3
import pytest
import yaml

import recording as rec
from conftest import TESTBED
from test_flows import NAME, STATE, _ssh_key

CREATE = ["--zones", "us-west-2a", "--node-count", "1", "--node-size", "t3.medium",
          "--control-plane-size", "t3.medium"]
USAGE = "Usage:\n  kops "
GONE = "nosuch.k8s.local"


@pytest.fixture(scope="module")
def beds(module_beds):
    """The module's bed per version (conftest.module_beds), holding NAME (created, never applied)."""
    created = set()

    def get(version):
        bed = module_beds(version)
        if version not in created:
            res = bed.run(["create", "cluster", "--name", NAME, "--ssh-public-key", _ssh_key(bed)] + CREATE + STATE)
            assert res.rc == 0, res
            created.add(version)
        return bed

    return get


def _err(res, bed):
    line = res.error_line()
    return line.replace(bed.home, "$HOME").replace(bed.workdir, "$W") if line else line


def _write(bed, name, text):
    path = os.path.join(bed.workdir, name)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def _ig_doc(cluster=NAME, name="extra-us-west-2a", labels=True):
    doc = {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup", "metadata": {"name": name},
           "spec": {"role": "Node", "machineType": "t3.medium", "minSize": 1, "maxSize": 1,
                    "subnets": ["us-west-2a"]}}
    if labels:
        doc["metadata"]["labels"] = {"kops.k8s.io/cluster": cluster}
    return yaml.safe_dump(doc)


def _kubeconfig(bed, name=NAME):
    return _write(bed, "kc-%s.yaml" % name, yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": name, "cluster": {"server": "https://api.%s" % name}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "users": [{"name": name, "user": {}}]}))


# (id citing the source, versions, argv, env, rc, Error line or None, usage printed)
# Argument placeholders: {key} = the admin SSH key file, {W} = the scratch directory.
CASES = [
    # --- state store URLs: cmd/kops/root.go initConfig (TrimSuffix "/"), cmd/kops/util/factory.go
    # KopsClient, util/pkg/vfs/context.go BuildVfsPath / buildS3Path (both) ---
    # "s3://" loses its last "/" in initConfig, so it is the local path "s3:/".
    ("state-s3-scheme-only:root.go:initConfig+vfs/context.go:BuildVfsPath", rec.VERSIONS,
     ["get", "clusters", "--state", "s3://"], {}, 1,
     "Error: error reading state store: open s3:/: no such file or directory", False),
    ("state-s3-scheme-only-create:new_cluster.go:NewCluster(GuessCloudForPath)", rec.VERSIONS,
     ["create", "cluster", "--name", NAME, "--state", "s3://"] + CREATE, {}, 1,
     'Error: pass in the cloud provider explicitly using --cloud: cannot infer cloud provider from path: '
     '"s3:/fleetman.k8s.local"', False),
    ("state-s3-empty-bucket:vfs/context.go:buildS3Path", rec.VERSIONS,
     ["get", "clusters", "--state", "s3:///prefix"], {}, 1,
     'Error: error building path for "s3:///prefix": invalid s3 path: "s3:///prefix"', False),
    ("state-trailing-space:vfs/context.go:buildS3Path(url.Parse host)", rec.VERSIONS,
     ["get", "clusters", "--state", "s3://fleetman-kops-state "], {}, 1,
     'Error: error building path for "s3://fleetman-kops-state ": invalid s3 path: "s3://fleetman-kops-state "',
     False),
    ("state-unknown-scheme:vfs/context.go:BuildVfsPath", rec.VERSIONS,
     ["get", "clusters", "--state", "gcs://fleetman-kops-state"], {}, 1,
     'Error: error building path for "gcs://fleetman-kops-state": unknown / unhandled path type: '
     '"gcs://fleetman-kops-state"', False),
    ("state-linode-unknown-in-1.30:vfs/context.go:BuildVfsPath", ("1.30.1",),
     ["get", "clusters", "--state", "linode://bucket"], {}, 1,
     'Error: error building path for "linode://bucket": unknown / unhandled path type: "linode://bucket"', False),
    ("state-no-scheme-is-local-dir:vfs/context.go:BuildVfsPath+vfsclientset/cluster.go:listNames", rec.VERSIONS,
     ["get", "clusters", "--state", "fleetman-kops-state"], {}, 1,
     "Error: error reading state store: open fleetman-kops-state: no such file or directory", False),
    ("state-no-scheme-create:new_cluster.go:NewCluster(GuessCloudForPath)", rec.VERSIONS,
     ["create", "cluster", "--name", NAME, "--state", "fleetman-kops-state"] + CREATE, {}, 1,
     "Error: pass in the cloud provider explicitly using --cloud: cannot infer cloud provider from path: "
     '"fleetman-kops-state/fleetman.k8s.local"', False),
    ("state-missing-read-first:update_cluster.go:RunUpdateCluster(GetCluster before KopsClient use)",
     rec.VERSIONS, ["update", "cluster"], {}, 1, "Error: --name is required", True),
    ("state-required-validate:validate_cluster.go:NewCmdValidateCluster(RunE wraps)", rec.VERSIONS,
     ["validate", "cluster", "--name", NAME], {}, 1,
     "Error: validation failed: State Store: Required value: Please set the --state flag or export "
     "KOPS_STATE_STORE.", False),
    # --- cluster names: pkg/apis/kops/validation/validation.go newValidateCluster, aggregated by
    # apimachinery util/errors (one error bare, several in brackets) ---
    ("name-uppercase:validation.go:newValidateCluster", rec.VERSIONS,
     ["create", "cluster", "--name", "Fleetman.k8s.local", "--ssh-public-key", "{key}"] + CREATE + STATE, {}, 1,
     '[metadata.name: Invalid value: "Fleetman.k8s.local": a lowercase RFC 1123 subdomain must consist of lower '
     "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
     "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'"
     '), objectMeta.name: Invalid value: "Fleetman.k8s.local": Cluster Name must be a valid DNS name (e.g. '
     "--name=mycluster.myzone.com) errors: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
     "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
     "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]", False),
    ("name-no-dot-1.30:validation.go:newValidateCluster", ("1.30.1",),
     ["create", "cluster", "--name", "fleetman", "--ssh-public-key", "{key}"] + CREATE + STATE, {}, 1,
     'Error: objectMeta.name: Invalid value: "fleetman": Cluster Name must be a fully-qualified DNS name '
     "(e.g. --name=mycluster.myzone.com)", False),
    ("name-no-dot-1.36-none-dns-ok:validation.go:newValidateCluster(UsesNoneDNS)", ("1.36.2",),
     ["create", "cluster", "--name", "fleetman", "--ssh-public-key", "{key}"] + CREATE + STATE, {}, 0, None, False),
    ("name-too-long:validation.go:newValidateCluster+IsDNS1123Subdomain", rec.VERSIONS,
     ["create", "cluster", "--name", "a" * 244 + ".k8s.local", "--ssh-public-key", "{key}"] + CREATE + STATE, {}, 1,
     '[metadata.name: Invalid value: "%s": must be no more than 253 characters, objectMeta.name: Invalid value: '
     '"%s": Cluster Name must be a valid DNS name (e.g. --name=mycluster.myzone.com) errors: must be no more than '
     "253 characters]" % ("a" * 244 + ".k8s.local", "a" * 244 + ".k8s.local"), False),
    ("name-invalid-chars:validation.go:newValidateCluster", rec.VERSIONS,
     ["create", "cluster", "--name", "fleet_man.k8s.local", "--ssh-public-key", "{key}"] + CREATE + STATE, {}, 1,
     '[metadata.name: Invalid value: "fleet_man.k8s.local": a lowercase RFC 1123 subdomain', False),
    ("name-missing-before-state:root.go:clusterNameArgsNoKubeconfig", rec.VERSIONS,
     ["create", "cluster"] + CREATE, {}, 1, "Error: --name is required", True),
    ("name-positional-and-flag:root.go:ProcessArgs", rec.VERSIONS,
     ["create", "cluster", NAME, "--name", NAME] + CREATE + STATE, {}, 1,
     "Error: cannot specify cluster via --name and positional argument", True),
    ("name-positional-and-env:root.go:ProcessArgs(--name defaults to KOPS_CLUSTER_NAME)", rec.VERSIONS,
     ["update", "cluster", NAME] + STATE, {"KOPS_CLUSTER_NAME": NAME}, 1,
     "Error: cannot specify cluster via --name and positional argument", True),
    # --- zones and regions: upup/pkg/fi/cloudup/new_cluster.go NewCluster/setupZones (sorted zone set),
    # cloudup/utils.go BuildCloud, awsup/aws_utils.go FindRegion, awsup/aws_cloud.go ValidateZones ---
    ("zones-two-regions:aws_utils.go:FindRegion", rec.VERSIONS,
     ["create", "cluster", "--name", "two.k8s.local", "--zones", "us-west-2a,eu-west-1a",
      "--ssh-public-key", "{key}"] + STATE, {}, 1,
     'Error: error Clusters cannot span multiple regions (found zone "us-west-2a", but region is "eu-west-1")', False),
    # --- the spec: upup/pkg/fi/cloudup/new_cluster.go NewCluster, in its order: setupNetworking, setupTopology
    # (setupDNSTopology first), setupControlPlane, setupAPI. Flag values are compared as given (both) ---
    ("networking-as-given:new_cluster.go:setupNetworking", rec.VERSIONS,
     ["create", "cluster", "--name", "n.k8s.local", "--networking", "Cilium"] + CREATE + STATE, {}, 1,
     'Error: unknown networking mode "Cilium"', False),
    ("dns-unknown:new_cluster.go:setupDNSTopology", rec.VERSIONS,
     ["create", "cluster", "--name", "d.k8s.local", "--dns", "split"] + CREATE + STATE, {}, 1,
     'Error: unknown DNSType: "split"', False),
    ("topology-as-given:new_cluster.go:setupTopology", rec.VERSIONS,
     ["create", "cluster", "--name", "t.k8s.local", "--topology", "Private"] + CREATE + STATE, {}, 1,
     "Error: invalid topology Private", False),
    ("bastion-public:new_cluster.go:setupTopology", rec.VERSIONS,
     ["create", "cluster", "--name", "b.k8s.local", "--bastion"] + CREATE + STATE, {}, 1,
     "Error: bastion supports --topology='private' only", False),
    ("kubenet-private:new_cluster.go:setupTopology", rec.VERSIONS,
     ["create", "cluster", "--name", "k.k8s.local", "--topology", "private", "--networking", "kubenet"]
     + CREATE + STATE, {}, 1,
     "Error: invalid networking option kubenet. Kubenet does not support private topology", False),
    ("control-plane-count-below-zones:new_cluster.go:setupControlPlane", rec.VERSIONS,
     ["create", "cluster", "--name", "c.k8s.local", "--control-plane-zones", "us-west-2a,us-west-2b",
      "--control-plane-count", "1"] + CREATE + STATE, {}, 1,
     "Error: specified 2 control-plane zones, but also requested 1 control-plane nodes.  If specifying both, "
     "the count should match.", False),
    ("lb-type-as-given:new_cluster.go:setupAPI", rec.VERSIONS,
     ["create", "cluster", "--name", "l.k8s.local", "--api-loadbalancer-type", "Public"] + CREATE + STATE, {}, 1,
     'Error: unknown api-loadbalancer-type: "Public"', False),
    ("lb-class-as-given:new_cluster.go:setupAPI", rec.VERSIONS,
     ["create", "cluster", "--name", "l.k8s.local", "--api-loadbalancer-class", "Network"] + CREATE + STATE, {}, 1,
     'Error: unknown api-loadbalancer-class: "Network"', False),
    # --- SSH keys: create_cluster.go NewCmdCreateCluster/loadSSHPublicKeys (utils.ExpandPath),
    # upup/pkg/fi/vfs_castore.go AddSSHPublicKey, pkg/sshcredentials/fingerprint.go Fingerprint ---
    ("ssh-key-tilde-missing:create_cluster.go:loadSSHPublicKeys", rec.VERSIONS,
     ["create", "cluster", "--name", "k.k8s.local", "--ssh-public-key", "~/nope.pub"] + CREATE + STATE, {}, 1,
     'Error: error reading SSH key file "~/nope.pub": open $HOME/nope.pub: no such file or directory', False),
    # --- get: cmd/kops/get_cluster.go, get_instancegroups.go, get_all.go (both) ---
    ("get-clusters-mix-name-positional:get_cluster.go:NewCmdGetCluster(Args)", rec.VERSIONS,
     ["get", "clusters", NAME, "--name", NAME] + STATE, {}, 1,
     "Error: cannot mix --name for cluster with positional arguments", True),
    ("get-clusters-bad-output:get_cluster.go:RunGetClusters", rec.VERSIONS,
     ["get", "clusters", "-o", "xml"] + STATE, {}, 1, 'Error: unknown output format: "xml"', False),
    ("get-clusters-one-of-two-missing:get_cluster.go:filterClustersByName", rec.VERSIONS,
     ["get", "clusters", NAME, GONE] + STATE, {}, 1, 'Error: cluster not found "%s"' % GONE, False),
    ("get-ig-name-before-state:get_instancegroups.go:NewCmdGetInstanceGroups(Args)", rec.VERSIONS,
     ["get", "ig"], {"KUBECONFIG": "/nonexistent"}, 1, "Error: --name is required", True),
    ("get-ig-bad-output:get_instancegroups.go:RunGetInstanceGroups", rec.VERSIONS,
     ["get", "ig", "--name", NAME, "-o", "xml"] + STATE, {}, 1, 'Error: unknown output format: "xml"', False),
    ("get-all-missing:get_all.go:RunGetAll(GetCluster NotFound as is)", rec.VERSIONS,
     ["get", "all", "--name", GONE] + STATE, {}, 1, 'Error: Cluster.kops.k8s.io "%s" not found' % GONE, False),
    # --- replace -f / create -f: cmd/kops/replace.go RunReplace, cmd/kops/create.go RunCreate; cobra
    # v1.8.1/v1.10.2 NoArgs and MarkFlagRequired (checked after the pre-run hooks: no usage) ---
    ("replace-no-f:replace.go:NewCmdReplace(MarkFlagRequired)", rec.VERSIONS,
     ["replace"] + STATE, {}, 1, 'Error: required flag(s) "filename" not set', False),
    ("create-no-f:create.go:NewCmdCreate(MarkFlagRequired)", rec.VERSIONS,
     ["create"] + STATE, {}, 1, 'Error: required flag(s) "filename" not set', False),
    ("create-positional:create.go:NewCmdCreate(cobra.NoArgs)", rec.VERSIONS,
     ["create", "-f", "x.yaml", "extra"] + STATE, {}, 1, 'Error: unknown command "extra" for "kops create"', True),
    ("replace-missing-file:replace.go:RunReplace+vfs/fs.go:FSPath.ReadFile", rec.VERSIONS,
     ["replace", "-f", "{W}/nope.yaml"] + STATE, {}, 1,
     'Error: error reading file "$W/nope.yaml": file does not exist', False),
    ("create-missing-file:create.go:RunCreate+vfs/fs.go:FSPath.ReadFile", rec.VERSIONS,
     ["create", "-f", "{W}/nope.yaml"] + STATE, {}, 1,
     'Error: error reading file "$W/nope.yaml": file does not exist', False),
    ("replace-ig-no-label:replace.go:RunReplace", rec.VERSIONS,
     ["replace", "-f", "{ig-nolabel}"] + STATE, {}, 1,
     'Error: must specify "kops.k8s.io/cluster" label with cluster name to replace instanceGroup', False),
    ("replace-ig-cluster-missing:replace.go:RunReplace", rec.VERSIONS,
     ["replace", "-f", "{ig-gone}"] + STATE, {}, 1, 'Error: cluster "%s" not found' % GONE, False),
    ("replace-cluster-missing:replace.go:RunReplace", rec.VERSIONS,
     ["replace", "-f", "{cluster-gone}"] + STATE, {}, 1,
     "Error: cluster %s does not exist (try adding --force flag)" % GONE, False),
    ("create-ig-no-label:create.go:RunCreate", rec.VERSIONS,
     ["create", "-f", "{ig-nolabel}"] + STATE, {}, 1,
     'Error: must specify "kops.k8s.io/cluster" label with cluster name to create instanceGroup', False),
    ("create-ig-cluster-missing:create.go:RunCreate", rec.VERSIONS,
     ["create", "-f", "{ig-gone}"] + STATE, {}, 1,
     'Error: error querying cluster "%s": Cluster.kops.k8s.io "%s" not found' % (GONE, GONE), False),
    # --- update cluster: cmd/kops/update_cluster.go RunUpdateCluster ---
    ("update-admin-and-user:update_cluster.go:RunUpdateCluster", rec.VERSIONS,
     ["update", "cluster", "--name", NAME, "--admin", "--user", "u"] + STATE, {}, 1,
     "Error: cannot use both --admin and --user", False),
    ("update-unknown-flag:pflag", rec.VERSIONS,
     ["update", "cluster", "--name", NAME, "--bogus"] + STATE, {}, 1, "Error: unknown flag: --bogus", True),
    # --target: a Var checked by upup/pkg/fi/cloudup/target.go Target.Set in 1.36 (lower-cased), a plain
    # string in 1.30; either way apply_cluster.go refuses a value it has no target for, case as given.
    ("update-target-1.36:cloudup/target.go:Target.Set", ("1.36.2",),
     ["update", "cluster", "--name", NAME, "--target", "bogus"] + STATE, {}, 1,
     'Error: invalid argument "bogus" for "--target" flag: invalid target: "bogus"', True),
    ("update-target-1.30:apply_cluster.go:ApplyClusterCmd.Run", ("1.30.1",),
     ["update", "cluster", "--name", NAME, "--target", "bogus"] + STATE, {}, 1,
     'Error: unsupported target type "bogus"', False),
    ("update-target-case:apply_cluster.go:ApplyClusterCmd.Run", rec.VERSIONS,
     ["update", "cluster", "--name", NAME, "--target", "DryRun"] + STATE, {}, 1,
     'Error: unsupported target type "DryRun"', False),
    # --- validate cluster: cmd/kops/validate_cluster.go NewCmdValidateCluster / RunValidateCluster ---
    ("validate-missing:validate_cluster.go:RunValidateCluster(GetCluster, RunE wraps)", rec.VERSIONS,
     ["validate", "cluster", "--name", GONE] + STATE, {}, 1,
     'Error: validation failed: error reading cluster configuration: Cluster.kops.k8s.io "%s" not found' % GONE,
     False),
    ("validate-bad-duration:pflag DurationVar+time.ParseDuration", rec.VERSIONS,
     ["validate", "cluster", "--name", NAME, "--wait", "abc"] + STATE, {}, 1,
     'Error: invalid argument "abc" for "--wait" flag: time: invalid duration "abc"', True),
    ("validate-duration-no-unit:pflag DurationVar+time.ParseDuration", rec.VERSIONS,
     ["validate", "cluster", "--name", NAME, "--wait", "10"] + STATE, {}, 1,
     'Error: invalid argument "10" for "--wait" flag: time: missing unit in duration "10"', True),
    # --- export kubecfg: cmd/kops/export_kubeconfig.go NewCmdExportKubeconfig (Args) ---
    ("export-admin-and-user:export_kubeconfig.go:NewCmdExportKubeconfig(Args)", rec.VERSIONS,
     ["export", "kubecfg", "--name", NAME, "--admin", "--user", "u"] + STATE, {}, 1,
     "Error: cannot use both --admin and --user", True),
    ("export-all-and-positional:export_kubeconfig.go:NewCmdExportKubeconfig(Args)", rec.VERSIONS,
     ["export", "kubecfg", "--all", NAME] + STATE, {}, 1,
     "Error: cannot use both --all flag and positional arguments", True),
    ("export-all-empty-ok:export_kubeconfig.go:RunExportKubeconfig", rec.VERSIONS,
     ["export", "kubecfg", "--all", "--state", "s3://empty-bucket"], {}, 0, None, False),
    # --- delete cluster: cmd/kops/delete_cluster.go (clusterNameArgsNoKubeconfig) ---
    ("delete-no-name:delete_cluster.go:NewCmdDeleteCluster(Args)", rec.VERSIONS,
     ["delete", "cluster", "--yes"], {}, 1, "Error: --name is required", True),
    # --- rolling-update cluster: cmd/kops/rolling-update_cluster.go RunRollingUpdateCluster ---
    ("rolling-update-missing:rolling-update_cluster.go:RunRollingUpdateCluster(GetCluster)", rec.VERSIONS,
     ["rolling-update", "cluster", "--name", GONE] + STATE, {}, 1,
     'Error: error reading cluster configuration: Cluster.kops.k8s.io "%s" not found' % GONE, False),
    ("rolling-update-1.30-needs-context:rolling-update_cluster.go(v1.30.1):ToRESTConfig", ("1.30.1",),
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly"] + STATE, {"KUBECONFIG": "/nonexistent"}, 1,
     'Error: cannot load kubecfg settings for "%s": context "%s" does not exist' % (NAME, NAME), False),
    ("rolling-update-1.36-no-context-needed:rolling-update_cluster.go(v1.36.2):f.RESTConfig", ("1.36.2",),
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly"] + STATE, {"KUBECONFIG": "/nonexistent"}, 0,
     None, False),
    # --- get instances / delete instance: the same client for the Kubernetes API in 1.30.1 ---
    ("get-instances-1.30-needs-context:get_instances.go(v1.30.1):RunGetInstances+createK8sClient", ("1.30.1",),
     ["get", "instances", "--name", NAME] + STATE, {"KUBECONFIG": "/nonexistent"}, 1,
     'Error: cannot load kubecfg settings for "%s": context "%s" does not exist' % (NAME, NAME), False),
    ("get-instances-1.36-no-context-needed:get_instances.go(v1.36.2):RunGetInstances(f.RESTConfig)", ("1.36.2",),
     ["get", "instances", "--name", NAME] + STATE, {"KUBECONFIG": "/nonexistent"}, 0, None, False),
    ("delete-instance-1.30-needs-context:delete_instance.go(v1.30.1):RunDeleteInstance+getNodes", ("1.30.1",),
     ["delete", "instance", "i-0123456789abcdef0", "--name", NAME] + STATE, {"KUBECONFIG": "/nonexistent"}, 1,
     'Error: cannot load kubecfg settings for "%s": context "%s" does not exist' % (NAME, NAME), False),
    ("rolling-update-ig-missing:rolling-update_cluster.go:RunRollingUpdateCluster", rec.VERSIONS,
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly", "--instance-group", "nosuch"] + STATE,
     {"KUBECONFIG": "{kc}"}, 1, 'Error: InstanceGroup "nosuch" not found', False),
    ("rolling-update-bad-role:rolling-update_cluster.go+apis/kops/parse.go:ParseInstanceGroupRole", rec.VERSIONS,
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly", "--instance-group-roles", "worker"] + STATE,
     {"KUBECONFIG": "{kc}"}, 1, 'Error: invalid instance group role "worker"', False),
    ("rolling-update-roles-lenient:apis/kops/parse.go:ParseInstanceGroupRole", rec.VERSIONS,
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly", "--instance-group-roles", "Masters,nodes"] + STATE,
     {"KUBECONFIG": "{kc}"}, 0, None, False),
    ("rolling-update-admin-flag-1.30:help 08-help-rolling-update-cluster (no --admin)", ("1.30.1",),
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly", "--admin=1h"] + STATE, {"KUBECONFIG": "{kc}"}, 1,
     "Error: unknown flag: --admin", True),
    ("rolling-update-admin-flag-1.36:rolling-update_cluster.go(v1.36.2) DurationVar admin", ("1.36.2",),
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly", "--admin=1h"] + STATE, {}, 0, None, False),
    ("rolling-update-user-flag:help 08-help-rolling-update-cluster (no --user)", rec.VERSIONS,
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly", "--user", "u"] + STATE, {"KUBECONFIG": "{kc}"},
     1, "Error: unknown flag: --user", True),
    ("rolling-update-create-kube-config-flag:help 08 (no --create-kube-config)", rec.VERSIONS,
     ["rolling-update", "cluster", "--name", NAME, "--cloudonly", "--create-kube-config=false"] + STATE,
     {"KUBECONFIG": "{kc}"}, 1, "Error: unknown flag: --create-kube-config", True),
]


def _params():
    for case in CASES:
        for version in case[1]:
            yield pytest.param(version, case, id="%s-%s" % (version, case[0]))


@pytest.mark.parametrize("version,case", list(_params()))
def test_error_path(beds, version, case):
    dummy_id, dummy_versions, argv, env, rc, error, usage = case
    bed = beds(version)
    files = {
        "{key}": _ssh_key(bed), "{W}": bed.workdir, "{kc}": _kubeconfig(bed),
        "{ig-nolabel}": _write(bed, "ig-nolabel.yaml", _ig_doc(labels=False)),
        "{ig-gone}": _write(bed, "ig-gone.yaml", _ig_doc(cluster=GONE)),
        "{cluster-gone}": _write(bed, "cluster-gone.yaml", yaml.safe_dump({
            "apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": GONE},
            "spec": {"networking": {"subnets": [{"name": "us-west-2a", "zone": "us-west-2a", "type": "Public"}]}}})),
    }

    def fill(text):
        for key, value in files.items():
            text = text.replace(key, value)
        return text

    if "s3://empty-bucket" in argv and "empty-bucket" not in [b["Name"] for b in bed.s3.list_buckets()["Buckets"]]:
        bed.make_bucket("empty-bucket")
    keys = bed.keys()
    res = bed.run([fill(a) for a in argv], env={k: fill(v) for k, v in env.items()},
                  unset=("KOPS_STATE_STORE",))
    assert "Traceback" not in res.stderr, res
    assert res.rc == rc, res
    if error is None:
        assert res.error_line() is None, res
    elif error.startswith("Error: "):
        assert _err(res, bed) == error, res
    else:  # a long aggregate: its start
        assert _err(res, bed).startswith("Error: " + error), res
    assert (USAGE in res.stderr) == usage, res
    if rc:
        assert bed.keys() == keys, res  # a refused command writes nothing


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_positional_and_flag_explains_on_stdout(beds, version):
    """root.go ProcessArgs prints the candidates on stdout before the error (both versions)."""
    bed = beds(version)
    res = bed.run(["update", "cluster", "a.k8s.local", "b.k8s.local"] + STATE)
    assert res.rc == 1 and res.error_line() == "Error: expected a single <clustername> to be passed as an argument"
    assert res.stdout == ('\nFound multiple arguments which look like a cluster name\n\t"a.k8s.local" (as argument)\n'
                          '\t"b.k8s.local" (as argument)\n\nThis often happens if you specify an argument to a '
                          "boolean flag without using =\nFor example: use `--bastion=true` or `--bastion`, not "
                          "`--bastion true`\n\n"), res


@pytest.mark.parametrize("version", rec.VERSIONS)
@pytest.mark.parametrize("content", ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n"
                                     "-----END OPENSSH PRIVATE KEY-----\n", "not a key at all\n", ""],
                         ids=["private-key", "garbage", "empty"])
def test_ssh_key_not_a_public_key(beds, version, content):
    """create_cluster.go RunCreateCluster: registry.CreateClusterConfig writes the cluster first, then
    AddSSHPublicKey (vfs_castore.go) -> sshcredentials.Fingerprint -> x/crypto/ssh ParseAuthorizedKey
    refuses it: the cluster stays in the store without an SSH key (both versions)."""
    bed = beds(version)
    name = "badkey-%d.k8s.local" % len(content)
    key = _write(bed, "bad-%d.pub" % len(content), content)
    res = bed.run(["create", "cluster", "--name", name, "--ssh-public-key", key] + CREATE + STATE)
    assert (res.rc, res.error_line()) == (1, "Error: error adding SSH public key: error fingerprinting SSH public "
                                             "key: error parsing SSH public key: ssh: no key found"), res
    assert res.stdout == "" and "Traceback" not in res.stderr
    written = [k[len(name) + 1:] for k in bed.keys() if k.startswith(name + "/")]
    assert "config" in written and "instancegroup/nodes-us-west-2a" in written, written
    assert not [k for k in written if k.startswith("pki/ssh/")], written


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_zones_in_another_region_than_aws_region(beds, version):
    """cloudup/utils.go BuildCloud: the region is FindRegion(zones); AWS_REGION plays no part. kops
    builds the cluster in the zones' region (both versions)."""
    bed = beds(version)
    name = "eu.k8s.local"
    res = bed.run(["create", "cluster", "--name", name, "--zones", "eu-west-1a", "--ssh-public-key", _ssh_key(bed)]
                  + STATE, env={"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-west-2"})
    assert res.rc == 0, res
    cluster = yaml.safe_load(bed.s3.get_object(Bucket="fleetman-kops-state", Key=name + "/config")["Body"].read())
    assert [s["zone"] for s in cluster["spec"]["subnets"]] == ["eu-west-1a"], cluster
    res = bed.run(["update", "cluster", "--name", name, "--yes", "--create-kube-config=false"] + STATE)
    assert res.rc == 0, res
    tag = [{"Name": "tag:KubernetesCluster", "Values": [name]}]
    assert bed.client("ec2").describe_vpcs(Filters=tag)["Vpcs"] == []  # nothing in us-west-2
    ec2_eu = boto3.client("ec2", endpoint_url=bed.aws.url, region_name="eu-west-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    assert len(ec2_eu.describe_vpcs(Filters=tag)["Vpcs"]) == 1


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_validate_cluster_without_instance_groups(beds, version):
    """validate_cluster.go RunValidateCluster: "no InstanceGroup objects found" (after the table header)."""
    bed = beds(version)
    name = "noig.k8s.local"
    res = bed.run(["create", "cluster", "--name", name, "--ssh-public-key", _ssh_key(bed)] + CREATE + STATE)
    assert res.rc == 0, res
    for key in bed.keys():
        if key.startswith(name + "/instancegroup/"):
            bed.s3.delete_object(Bucket="fleetman-kops-state", Key=key)
    kc = _kubeconfig(bed, name)
    res = bed.run(["validate", "cluster", "--name", name, "--kubeconfig", kc] + STATE)
    assert (res.rc, res.stdout, res.error_line()) == (
        1, "Validating cluster %s\n\n" % name, "Error: validation failed: no InstanceGroup objects found"), res


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_update_admin_implies_create_kube_config(beds, version):
    """update_cluster.go RunUpdateCluster: a non-zero --admin turns --create-kube-config=false back on
    (klog "--admin implies --create-kube-config"), so kops writes the kubeconfig anyway (both)."""
    bed = beds(version)
    name = "adm.k8s.local"
    assert bed.run(["create", "cluster", "--name", name, "--ssh-public-key", _ssh_key(bed)] + CREATE + STATE).rc == 0
    kc = os.path.join(bed.workdir, "adm-kubeconfig")
    res = bed.run(["update", "cluster", "--name", name, "--yes", "--admin=1h", "--create-kube-config=false"] + STATE,
                  env={"KUBECONFIG": kc})
    assert res.rc == 0, res
    assert "] --admin implies --create-kube-config" in res.stderr, res
    assert "kOps has set your kubectl context to %s\n" % name in res.stdout, res
    with open(kc) as fh:
        assert yaml.safe_load(fh)["current-context"] == name
    # --admin=0s is a zero duration: it implies nothing, and the file is not touched.
    os.remove(kc)
    res = bed.run(["update", "cluster", "--name", name, "--yes", "--admin=0s", "--create-kube-config=false"] + STATE,
                  env={"KUBECONFIG": kc})
    assert res.rc == 0 and not os.path.exists(kc) and "implies" not in res.stderr, res


def test_internal_error_is_one_error_line(monkeypatch, capsys):
    """The stand-in never prints a Python traceback: an unexpected exception in a command ends as one
    "Error:" line on stderr and exit 1 (kops's shape for any failure; exit 2 is only a Go panic)."""
    from kops_standin import cli
    from kops_standin.commands import version as version_cmd

    def boom(*args):
        raise RuntimeError("simulated failure\nwith a second line")

    monkeypatch.setattr(version_cmd, "run", boom)
    assert cli.main(["version"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "Error: kops stand-in internal error: RuntimeError: simulated failure with a second line\n"


def test_internal_error_in_a_real_process(tmp_path):
    """The same through ``python -m kops_standin``: a state store whose endpoint does not answer makes
    botocore raise; the process still ends with one Error line, no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "KOPS_"))}
    env.update({"PYTHONPATH": TESTBED, "HOME": str(tmp_path), "S3_ENDPOINT": "http://127.0.0.1:9",
                "S3_ACCESS_KEY_ID": "x", "S3_SECRET_ACCESS_KEY": "x", "S3_REGION": "us-west-2"})
    proc = subprocess.run([sys.executable, "-m", "kops_standin", "get", "clusters", "--state", "s3://b"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr, proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("Error: ")], proc.stderr


@pytest.mark.parametrize("version", rec.VERSIONS)
@pytest.mark.parametrize("argv,named", [
    (["toolbox", "dump"], "kops toolbox"), (["trust", "keypair"], "kops trust"),
    (["get", "assets"], "kops get assets"), (["create", "ig", "extra"], "kops create instancegroup"),
    (["create", "instancegroup", "extra"], "kops create instancegroup"),
    (["update", "cluster", NAME, "--target", "terraform"], "update cluster --target terraform"),
], ids=["toolbox", "trust", "get-assets", "create-ig", "create-instancegroup", "update-terraform"])
def test_real_commands_the_stand_in_does_not_imitate_are_refused_by_name(beds, version, argv, named):
    """Commands the recorded help lists (kops, kops get, kops create --help) but the stand-in does not imitate,
    and the terraform target, fail saying so: not as unknown commands, not with a parent's help, and write nothing."""
    bed = beds(version)
    keys = bed.keys()
    res = bed.run(argv + ["--name", NAME] * ("--target" not in argv) + STATE)
    assert (res.rc, res.error_line()) == (
        1, "Error: %s is not implemented by the kops stand-in (test infrastructure)" % named), res
    assert "Traceback" not in res.stderr, res
    if argv[0] != "update":  # update prints kops's new-version banner first
        assert res.stdout == "", res
    assert bed.keys() == keys


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_update_target_dryrun_previews_even_with_yes(beds, version):
    """update_cluster.go RunUpdateCluster: --target dryrun is a dry run whatever --yes says, and its report ends
    as the direct target's does without --yes (both versions)."""
    bed = beds(version)
    keys = bed.keys()
    res = bed.run(["update", "cluster", NAME, "--target", "dryrun", "--yes"] + STATE)
    assert res.rc == 0 and res.stdout.endswith("Must specify --yes to apply changes\n"), res
    assert bed.keys() == keys
    assert bed.client("ec2").describe_vpcs(Filters=[{"Name": "tag:KubernetesCluster", "Values": [NAME]}])["Vpcs"] == []
