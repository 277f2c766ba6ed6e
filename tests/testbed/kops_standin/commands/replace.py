"""kops replace -f FILE [--force]: rewrite Cluster / InstanceGroup objects, silently."""

from kops_standin import model, output, statestore
from kops_standin.commands.create import cluster_of, read_documents
from kops_standin.errors import KopsError, info


def run(ver, path, parsed):
    files = parsed.get("filename") or []
    if not files:
        raise KopsError("missing resource file")
    store = statestore.from_flags(parsed)
    force = parsed.bool("force")
    for doc in read_documents(files):
        kind = doc.get("kind")
        name = doc.get("metadata", {}).get("name")
        if kind == "Cluster":
            if model.load_cluster(store, name) is None:
                if not force:
                    raise KopsError("cluster: %s does not exist (try adding --force flag)" % name)
                info("replace.go:150", "cluster: %s was not found, creating resource now" % name)
                store.write(b"", name, "clusteraddons", "default")
            doc.get("metadata", {}).pop("generation", None)
            store.write(output.go_yaml(doc), name, "config", only_if_changed=True)
        elif kind == "InstanceGroup":
            cluster = cluster_of(doc) or parsed.get("name")
            if not cluster:
                raise KopsError("must specify cluster name for InstanceGroup %s" % name)
            if model.load_cluster(store, cluster) is None:
                raise KopsError('error fetching cluster "%s": Cluster.kops.k8s.io "%s" not found' % (cluster, cluster))
            if not store.exists(cluster, "instancegroup", name):
                if not force:
                    raise KopsError("instanceGroup: %s does not exist (try adding --force flag)" % name)
                info("replace.go:186", "instanceGroup: %s was not found, creating resource now" % name)
            doc = model.strip_cluster_label(doc)
            doc.get("metadata", {}).pop("generation", None)
            doc["metadata"].setdefault("creationTimestamp", model.now_stamp())
            store.write(output.go_yaml(doc), cluster, "instancegroup", name, only_if_changed=True)
        else:
            raise KopsError('unhandled kind "%s"' % kind)
    return 0
