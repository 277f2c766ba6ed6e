"""SSH public keys: the fingerprints kops uses for store keys and AWS key names."""

import base64
import hashlib

from kops_standin.errors import KopsError


def fingerprint(public_key):
    """OpenSSH MD5 fingerprint of the key blob, as hex without colons."""
    parts = public_key.strip().split()
    if len(parts) < 2:
        raise KopsError("error parsing SSH public key: not an authorized_keys line")
    try:
        blob = base64.b64decode(parts[1])
    except ValueError:
        raise KopsError("error parsing SSH public key: illegal base64 data")
    return hashlib.md5(blob).hexdigest()


def colon(fp):
    return ":".join(fp[i:i + 2] for i in range(0, len(fp), 2))


def aws_key_name(cluster, fp):
    return "kubernetes.%s-%s" % (cluster, colon(fp))


def stored_key(store, cluster):
    """(fingerprint, public key) of the admin SSH key in the store, or (None, None)."""
    keys = store.list_keys(cluster, "pki", "ssh", "public", "admin")
    if not keys:
        return None, None
    return keys[0], store.read(cluster, "pki", "ssh", "public", "admin", keys[0]).decode()
