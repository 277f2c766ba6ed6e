"""Writing and pruning kubeconfig files the way kops (client-go) does."""

import base64
import os

import yaml

from kops_standin import context, output, pki
from kops_standin.errors import KopsError


def load(path):
    try:
        with open(path) as fh:
            return yaml.safe_load(fh) or {}
    except FileNotFoundError:
        return {}


def _save(ver, path, doc):
    doc.setdefault("apiVersion", "v1")
    doc.setdefault("kind", "Config")
    for key in ("clusters", "contexts", "users"):
        if not doc.get(key):
            doc[key] = None
    doc.setdefault("current-context", "")
    if ver == "1.30.1":
        doc.setdefault("preferences", {})  # 1.30.1's client-go still writes it
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(output.go_yaml(doc))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _upsert(items, name, key, value):
    items = list(items or [])
    for item in items:
        if item.get("name") == name:
            item[key] = value
            return items
    items.append({key: value, "name": name})
    return items


def api_server(cluster_name, default):
    """The API server URL to write for a cluster: ``default`` (kops's ``https://api-…`` name), or the
    test bed's fake Kubernetes API (``$KOPS_STANDIN_KUBE_API/clusters/<name>``) when the bed sets it.
    Test-bed only: the real API load balancer's name does not resolve here."""
    base = os.environ.get("KOPS_STANDIN_KUBE_API", "").rstrip("/")
    return "%s/clusters/%s" % (base, cluster_name) if base else default


def export(ver, store, cluster_name, server, path=None, admin_ttl=None, user=None, internal=False):
    """Merge cluster, context (and admin user) into the kubeconfig and select the context."""
    path = path or context.kubeconfig_path()
    doc = load(path)
    if user and not any(u.get("name") == user for u in doc.get("users") or []):
        raise KopsError('could not find user "%s"' % user)
    ca_key, ca_cert = pki.load_ca(store, cluster_name)
    if ca_cert is None:
        # The CA is issued by the first `update --yes` (create_kubecfg.go).
        raise KopsError("cannot find CA certificate")
    cluster_entry = {"server": ("https://api.internal." + cluster_name) if internal else server,
                     "tls-server-name": "api.internal." + cluster_name}
    if ca_cert is not None:
        cluster_entry = dict({"certificate-authority-data": base64.b64encode(pki.ca_pem(ca_cert)).decode()},
                             **cluster_entry)
    doc["clusters"] = _upsert(doc.get("clusters"), cluster_name, "cluster", cluster_entry)
    existing_ctx = next((c for c in doc.get("contexts") or [] if c.get("name") == cluster_name), None)
    ctx_user = ""
    if admin_ttl is not None:
        cert, key = pki.admin_credential(ca_key, ca_cert, admin_ttl)
        doc["users"] = _upsert(doc.get("users"), cluster_name, "user", {
            "client-certificate-data": base64.b64encode(cert).decode(),
            "client-key-data": base64.b64encode(key).decode()})
        ctx_user = cluster_name
    elif user:
        ctx_user = user
    elif existing_ctx is not None:
        ctx_user = (existing_ctx.get("context") or {}).get("user", "")
    doc["contexts"] = _upsert(doc.get("contexts"), cluster_name, "context", {"cluster": cluster_name, "user": ctx_user})
    doc["current-context"] = cluster_name
    _save(ver, path, doc)
    return ctx_user


def remove(ver, cluster_name, path=None):
    """Drop the cluster's cluster/context/user entries (delete cluster). True if the file held them."""
    path = path or context.kubeconfig_path()
    if not os.path.exists(path):
        return False
    doc = load(path)
    found = False
    for key in ("clusters", "contexts", "users"):
        items = doc.get(key) or []
        kept = [i for i in items if i.get("name") != cluster_name]
        found = found or len(kept) != len(items)
        doc[key] = kept
    if doc.get("current-context") == cluster_name:
        doc["current-context"] = ""
    _save(ver, path, doc)
    return found
