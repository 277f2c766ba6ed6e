"""`kops update cluster` on a Kubernetes version newer than the kops release supports.

upup/pkg/fi/cloudup/apply_cluster.go ApplyClusterCmd.validateKubernetesVersion (v1.30.1 and v1.36.2):
tooNewVersion is kops's own version with the minor raised and the patch kept, and the cluster is refused
when util.IsKubernetesGTE(tooNewVersion, kubernetesVersion), so kops 1.30.1 applies Kubernetes 1.31.0
but refuses 1.31.1. Recordings 1.36.2/day2/243 and 244 show the refusal (kops 1.30.1 on Kubernetes 1.36.3).
"""

import pytest

import recording as rec
from test_flows import STATE, _create

# (kops, the newest Kubernetes it applies, the first it refuses)
BOUNDS = {"1.30.1": ("1.31.0", "1.31.1"), "1.36.2": ("1.37.1", "1.37.2")}


@pytest.mark.parametrize("version", rec.VERSIONS)
def test_the_bound_is_the_next_minor_with_kops_patch(bed_factory, version):
    bed = bed_factory(version)
    accepted, refused = BOUNDS[version]
    for kubernetes, rc in ((accepted, 0), (refused, 1)):
        name = "k%s.k8s.local" % kubernetes.replace(".", "-")
        _create(bed, name=name, zones="us-west-2a", extra=["--kubernetes-version", kubernetes])
        res = bed.run(["update", "cluster", "--name", name] + STATE)
        assert res.rc == rc, res
        assert ("This version of kubernetes is not yet supported; upgrading kops is required" in res.stdout) is bool(rc)
        if rc:
            assert res.error_line() == "Error: kops upgrade is required", res
