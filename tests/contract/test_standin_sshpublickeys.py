"""The stand-in's SSH public key commands, which kops_cluster uses to finish a create interrupted before
kops stored the key. No recording covers them beyond the table of 76-get-sshpublickeys; each case
cites the kops source it follows (identical at v1.30.1 and v1.36.2).
"""

import json

import pytest

from conftest import Bed
from test_flows import NAME, STATE, _ssh_key

CREATE = ["--zones", "us-west-2a", "--node-count", "1", "--node-size", "t3.medium", "--control-plane-size", "t3.medium"]


@pytest.fixture(params=["1.30.1", "1.36.2"])
def bed(request, tmp_path):
    bed = Bed(request.param, str(tmp_path), inprocess=True)
    # A cluster without a stored key, as `kops create cluster` leaves it when killed before AddSSHPublicKey.
    assert bed.run(["create", "cluster", "--name", NAME] + CREATE + STATE).rc == 0
    yield bed
    bed.close()


def test_no_key_json_is_null_and_table_is_an_error(bed):
    # cmd/kops/get_sshpublickeys.go, RunGetSSHPublicKeys: json.Marshal of a nil []*SSHKeyItem; the table refuses.
    res = bed.run(["get", "sshpublickeys", "--name", NAME, "-o", "json"] + STATE)
    assert (res.rc, res.stdout.strip()) == (0, "null")
    res = bed.run(["get", "sshpublickeys", "--name", NAME] + STATE)
    assert (res.rc, res.error_line()) == (1, "Error: no SSH public key found")


def test_create_sshpublickey_stores_the_key(bed):
    # cmd/kops/create_sshpublickey.go, RunCreateSSHPublicKey: os.ReadFile then AddSSHPublicKey; prints nothing.
    key = _ssh_key(bed)
    res = bed.run(["create", "sshpublickey", "--name", NAME, "-i", key] + STATE)
    assert (res.rc, res.stdout) == (0, "")
    items = json.loads(bed.run(["get", "sshpublickeys", "--name", NAME, "-o", "json"] + STATE).stdout)
    # SSHKeyItem{ID: sshcredentials.Fingerprint(...), PublicKey: key.Spec.PublicKey} with json tags id, publicKey.
    assert [sorted(item) for item in items] == [["id", "publicKey"]]
    assert items[0]["publicKey"] == open(key).read().strip()
    assert items[0]["id"] == "9e:39:30:4c:0c:ad:64:19:b3:d4:bc:69:05:4b:1c:27"  # as recording 76 lists it


def test_create_sshpublickey_needs_the_file_flag(bed):
    # create_sshpublickey.go: cmd.MarkFlagRequired("ssh-public-key"), checked by cobra before RunE.
    res = bed.run(["create", "sshpublickey", "--name", NAME] + STATE)
    assert (res.rc, res.error_line()) == (1, 'Error: required flag(s) "ssh-public-key" not set')


def test_create_sshpublickey_missing_file(bed):
    # create_sshpublickey.go: fmt.Errorf("error reading SSH public key %v: %v", path, err) around os.ReadFile.
    missing = bed.workdir + "/nope.pub"
    res = bed.run(["create", "sshpublickey", "--name", NAME, "-i", missing] + STATE)
    assert (res.rc, res.error_line()) == (
        1, "Error: error reading SSH public key %s: open %s: no such file or directory" % (missing, missing))
