"""SSH public keys: the fingerprints kops uses for store keys and AWS key names."""

import base64
import hashlib

from kops_standin.errors import KopsError


_KEY_TYPES = {
    "ssh-rsa", "ssh-dss", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ssh-ed25519@openssh.com",
}


def _parse_blob(text):
    """golang.org/x/crypto/ssh parseAuthorizedKey: the first field of ``text`` as a wire-format key."""
    field = text.strip().split(None, 1)[0] if text.strip() else ""
    try:
        blob = base64.b64decode(field, validate=True)
    except ValueError:
        return None
    if len(blob) < 4:
        return None
    size = int.from_bytes(blob[:4], "big")
    algo = blob[4:4 + size].decode("ascii", "replace")
    if size > len(blob) - 4 or algo not in _KEY_TYPES:
        return None
    return blob


def parse_authorized_key(public_key):
    """x/crypto/ssh ParseAuthorizedKey: the key blob of the first usable line, else "ssh: no key found"."""
    for line in public_key.replace("\r", "\n").split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        blob = _parse_blob(parts[1])
        if blob is None:
            # an options field first: try the field after the key type that follows it
            rest = parts[1].split(None, 1)
            blob = _parse_blob(rest[1]) if len(rest) == 2 else None
        if blob is not None:
            return blob
    return None


def fingerprint(public_key):
    """OpenSSH MD5 fingerprint of the key blob, as hex without colons (pkg/sshcredentials Fingerprint)."""
    blob = parse_authorized_key(public_key)
    if blob is None:
        # upup/pkg/fi/vfs_castore.go AddSSHPublicKey + pkg/sshcredentials/fingerprint.go Fingerprint
        raise KopsError("error fingerprinting SSH public key: error parsing SSH public key: ssh: no key found")
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
