"""kops replace -f FILE [--force]: rewrite Cluster / InstanceGroup objects, silently."""

from kops_standin import model, output, statestore
from kops_standin.commands.create import check_args, cluster_of, read_documents
from kops_standin.errors import KopsError, info
from kops_standin.flags import load_help, usage_of


def run(ver, path, parsed):
    """cmd/kops/replace.go RunReplace."""
    check_args(path, parsed, usage_of(load_help(ver, "replace")))
    files = parsed.get("filename") or []
    store = statestore.from_flags(parsed)
    force = parsed.bool("force")
    for doc in read_documents(files):
        kind = doc.get("kind")
        name = doc.get("metadata", {}).get("name")
        if kind == "Cluster":
            try:
                found = model.load_cluster(store, name)
            except KopsError as err:
                raise KopsError('error fetching cluster "%s": %s' % (name, err.msg))
            if found is None:
                if not force:
                    raise KopsError("cluster %s does not exist (try adding --force flag)" % name)
                store.write(b"", name, "clusteraddons", "default")
            doc.get("metadata", {}).pop("generation", None)
            store.write(output.go_yaml(doc), name, "config", only_if_changed=True)
        elif kind == "InstanceGroup":
            cluster = cluster_of(doc)
            if not cluster:
                raise KopsError('must specify "kops.k8s.io/cluster" label with cluster name to replace instanceGroup')
            try:
                found = model.load_cluster(store, cluster)
            except KopsError as err:
                raise KopsError('error fetching cluster "%s": %s' % (cluster, err.msg))
            if found is None:
                raise KopsError('cluster "%s" not found' % cluster)
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
