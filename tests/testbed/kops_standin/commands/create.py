"""kops create -f FILE: create objects from YAML (fails for existing ones)."""

import sys

import yaml

from kops_standin import model, output, statestore
from kops_standin.errors import KopsError, warn
from kops_standin.flags import load_help, usage_of


def _read(path):
    """VFSContext.ReadFile for a local file (file:// trimmed): FSPath.ReadFile turns ENOENT into
    os.ErrNotExist, whose text is "file does not exist"."""
    local = path[len("file://"):] if path.startswith("file://") else path
    try:
        with open(local, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except FileNotFoundError:
        raise KopsError('error reading file "%s": file does not exist' % path)
    except IsADirectoryError:
        raise KopsError('error reading file "%s": read %s: is a directory' % (path, local))
    except OSError as err:
        raise KopsError('error reading file "%s": open %s: %s' % (path, local, (err.strerror or str(err)).lower()))


def read_documents(files):
    docs = []
    for path in files:
        text = sys.stdin.read() if path == "-" else _read(path)
        try:
            docs.extend(d for d in yaml.safe_load_all(text) if d)
        except yaml.YAMLError as err:
            raise KopsError('error parsing file "%s": %s' % (path, " ".join(str(err).split())))
    if any(not isinstance(d, dict) for d in docs):
        raise KopsError('error parsing file "%s": Object \'Kind\' is missing' % files[-1])
    return docs


def check_args(path, parsed, usage):
    """Args: cobra.NoArgs, then cmd.MarkFlagRequired("filename") (checked after the pre-run hooks,
    so without usage)."""
    if parsed.args:
        raise KopsError('unknown command "%s" for "kops %s"' % (parsed.args[0], " ".join(path)), usage)
    if not parsed.given("filename"):
        raise KopsError('required flag(s) "filename" not set')


def cluster_of(doc):
    if doc.get("kind") == "Cluster":
        return doc["metadata"]["name"]
    return (doc.get("metadata", {}).get("labels") or {}).get("kops.k8s.io/cluster")


def run(ver, path, parsed):
    """cmd/kops/create.go RunCreate."""
    check_args(path, parsed, usage_of(load_help(ver, "create")))
    files = parsed.get("filename") or []
    store = statestore.from_flags(parsed)
    for doc in read_documents(files):
        kind = doc.get("kind")
        name = (doc.get("metadata") or {}).get("name")
        if kind == "Cluster":
            if model.load_cluster(store, name) is not None:
                raise KopsError("cluster \"%s\" already exists" % name)
            doc["metadata"].setdefault("creationTimestamp", model.now_stamp())
            store.write(output.go_yaml(doc), name, "config")
            store.write(b"", name, "clusteraddons", "default")
        elif kind == "InstanceGroup":
            cluster = cluster_of(doc)
            if not cluster:
                raise KopsError('must specify "kops.k8s.io/cluster" label with cluster name to create instanceGroup')
            try:
                found = model.load_cluster(store, cluster)
            except KopsError as err:
                raise KopsError('error querying cluster "%s": %s' % (cluster, err.msg))
            if found is None:
                raise KopsError('error querying cluster "%s": Cluster.kops.k8s.io "%s" not found' % (cluster, cluster))
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
