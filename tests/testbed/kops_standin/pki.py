"""Cluster CAs kept in the state store, and admin client certificates signed by them."""

import base64
import datetime
import getpass
import secrets as pysecrets

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kops_standin.errors import info

# The CA keysets kops writes on the first `update --yes` (state/after-81-*).
CA_NAMES = ["etcd-peers-ca-events", "etcd-manager-ca-main", "etcd-manager-ca-events", "etcd-peers-ca-main",
            "apiserver-aggregator-ca", "etcd-clients-ca", "service-account", "kubernetes-ca"]
SECRET_NAMES = ["admin", "kube", "kube-proxy", "kubelet", "system:controller_manager", "system:dns",
                "system:logging", "system:monitoring", "system:scheduler"]


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def _new_ca(name, key=None):
    key = key or _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    serial = int.from_bytes(pysecrets.token_bytes(12), "big") >> 1
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(serial).not_valid_before(now - datetime.timedelta(hours=48))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert, str(serial)


def keyset_doc(name, key, cert, key_id):
    return yaml.safe_dump({
        "apiVersion": "kops.k8s.io/v1alpha2", "kind": "Keyset", "metadata": {"name": name},
        "spec": {"keys": [{"id": key_id,
                           "privateMaterial": base64.b64encode(_pem_key(key)).decode(),
                           "publicMaterial": base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()}],
                 "primaryId": key_id, "type": "Keypair"}}, sort_keys=True)


def missing(store, cluster):
    """The CAs and the secrets the cluster does not have yet: two listings instead of one read per name."""
    keysets = set(store.list_keys(cluster, "pki", "private"))
    secrets = set(store.list_keys(cluster, "secrets"))
    return ([n for n in CA_NAMES if n + "/keyset.yaml" not in keysets],
            [n for n in SECRET_NAMES if n not in secrets])


def ensure_pki(store, cluster):
    """Issue the cluster CAs and secrets once, as the first `update --yes` does."""
    # The etcd/aggregator/service-account CAs are never used for TLS in the test bed, so they
    # share one RSA key (key generation is the slowest part of update); kubernetes-ca has its own.
    shared = None
    missing_cas, missing_secrets = missing(store, cluster)
    for name in missing_cas:
        info("keypair.go:296", 'Issuing new certificate: "%s"' % name)
        if name != "kubernetes-ca" and shared is None:
            shared = _key()
        key, cert, key_id = _new_ca(name, None if name == "kubernetes-ca" else shared)
        store.write(keyset_doc(name, key, cert, key_id), cluster, "pki", "private", name, "keyset.yaml")
    for name in missing_secrets:
        token = base64.b64encode(pysecrets.token_urlsafe(24)[:32].encode()).decode()
        store.write('{"Data":"%s"}' % token, cluster, "secrets", name)


def load_ca(store, cluster, name="kubernetes-ca"):
    data = store.read(cluster, "pki", "private", name, "keyset.yaml")
    if data is None:
        return None, None
    doc = yaml.safe_load(data)
    primary = doc["spec"].get("primaryId")
    item = next((k for k in doc["spec"]["keys"] if k["id"] == primary), doc["spec"]["keys"][0])
    key = serialization.load_pem_private_key(base64.b64decode(item["privateMaterial"]), password=None)
    cert = x509.load_pem_x509_certificate(base64.b64decode(item["publicMaterial"]))
    return key, cert


def ca_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def admin_credential(ca_key, ca_cert, ttl_seconds):
    """A client cert like kops's `kubecfg-<user>` admin credential (O=system:masters)."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        user = "root"
    key = _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "kubecfg-" + user)])
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=48))
            .not_valid_after(now + datetime.timedelta(seconds=ttl_seconds))
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM), _pem_key(key)


def parse_duration(text):
    """Go time.ParseDuration for the forms kops users write (18h, 87600h, 1h30m, 10s, 500ms)."""
    import re

    if text in ("0", ""):
        return 0.0
    total = 0.0
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    pos = 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text):
        if m.start() != pos:
            raise ValueError(text)
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        raise ValueError(text)
    return total
