"""kops create -f FILE: create objects from YAML (fails for existing ones)."""

import sys

import yaml

from kops_standin import model, output, statestore
from kops_standin.errors import KopsError, warn


def read_documents(files):
    docs = []
    for path in files:
        text = sys.stdin.read() if path == "-" else open(path).read()
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def cluster_of(doc):
    if doc.get("kind") == "Cluster":
        return doc["metadata"]["name"]
    return (doc.get("metadata", {}).get("labels") or {}).get("kops.k8s.io/cluster")


def run(ver, path, parsed):
    files = parsed.get("filename") or []
    if not files:
        raise KopsError("missing resource file")
    store = statestore.from_flags(parsed)
    for doc in read_documents(files):
        kind = doc.get("kind")
        name = doc.get("metadata", {}).get("name")
        cluster = cluster_of(doc)
        if kind == "Cluster":
            if model.load_cluster(store, name) is not None:
                raise KopsError("cluster \"%s\" already exists" % name)
            doc["metadata"].setdefault("creationTimestamp", model.now_stamp())
            store.write(output.go_yaml(doc), name, "config")
            store.write(b"", name, "clusteraddons", "default")
        elif kind == "InstanceGroup":
            if not cluster:
                raise KopsError("must specify cluster name for InstanceGroup %s" % name)
            if store.exists(cluster, "instancegroup", name):
                warn("commonvfs.go:171", "failed to create file as already exists: %s" %
                     store.path(cluster, "instancegroup", name))
                raise KopsError("error creating instanceGroup: file already exists")
            doc = model.strip_cluster_label(doc)
            doc["metadata"].setdefault("creationTimestamp", model.now_stamp())
            store.write(output.go_yaml(doc), cluster, "instancegroup", name)
        else:
            raise KopsError('unhandled kind "%s"' % kind)
    return 0
