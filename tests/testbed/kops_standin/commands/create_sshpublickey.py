"""kops create sshpublickey [CLUSTER] -i FILE: store the cluster's admin SSH public key.

Texts follow cmd/kops/create_sshpublickey.go, RunCreateSSHPublicKey (v1.30.1 and v1.36.2 alike).
"""

import os

from kops_standin import model, sshkeys, statestore
from kops_standin.errors import KopsError


def run(ver, path, parsed):
    store = statestore.from_flags(parsed)
    name = parsed.get("name") or (parsed.args[0] if parsed.args else "") or os.environ.get("KOPS_CLUSTER_NAME", "")
    if not name:
        raise KopsError("--name is required")
    model.require_cluster(store, name)
    key_path = parsed.get("ssh-public-key") or ""
    if not key_path:
        # cobra's MarkFlagRequired("ssh-public-key") check runs before RunE.
        raise KopsError('required flag(s) "ssh-public-key" not set')
    try:
        with open(key_path) as handle:
            data = handle.read()
    except OSError as exc:
        raise KopsError("error reading SSH public key %s: open %s: %s" % (key_path, key_path, exc.strerror.lower()))
    try:
        fp = sshkeys.fingerprint(data)
    except KopsError as exc:
        raise KopsError("error adding SSH public key: %s" % exc)
    store.write(data if data.endswith("\n") else data + "\n", name, "pki", "ssh", "public", "admin", fp)
    return 0
