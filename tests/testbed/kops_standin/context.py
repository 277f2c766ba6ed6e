"""Cluster-name resolution (root.go ClusterName) shared by the commands."""

import json
import os
import sys

import yaml

from kops_standin import version as vermod
from kops_standin.errors import KopsError, warn


def kubeconfig_path():
    """First KUBECONFIG entry, else ~/.kube/config (what kops writes to)."""
    env = os.environ.get("KUBECONFIG")
    if env:
        first = [p for p in env.split(os.pathsep) if p]
        if first:
            return first[0]
    return os.path.join(os.path.expanduser("~"), ".kube", "config")


def _kubeconfigs():
    """The readable kubeconfig documents, in KUBECONFIG's order (client-go's loading rules)."""
    env = os.environ.get("KUBECONFIG")
    paths = [p for p in env.split(os.pathsep) if p] if env else [kubeconfig_path()]
    for path in paths:
        try:
            with open(path) as fh:
                yield yaml.safe_load(fh) or {}
        except (OSError, yaml.YAMLError):
            continue


def current_context():
    return next((doc["current-context"] for doc in _kubeconfigs() if doc.get("current-context")), "")


def require_context(name):
    """kops 1.30.1's client for the Kubernetes API: genericclioptions ToRESTConfig with the context named
    after the cluster (rolling-update_cluster.go RunRollingUpdateCluster, get_instances.go createK8sClient,
    delete_instance.go); fails before any API call when no kubeconfig file defines that context."""
    if not any(c.get("name") == name for doc in _kubeconfigs() for c in doc.get("contexts") or []):
        raise KopsError('cannot load kubecfg settings for "%s": context "%s" does not exist' % (name, name))


def flag_name(parsed):
    """root.go: --name defaults to $KOPS_CLUSTER_NAME."""
    return parsed.values["name"] if parsed.given("name") else os.environ.get("KOPS_CLUSTER_NAME", "")


def process_args(parsed, usage):
    """root.go RootCmd.ProcessArgs: at most one positional cluster name, and only without --name."""
    name = flag_name(parsed)
    args = parsed.args
    if not args:
        return name
    if len(args) == 1 and not name:
        return args[0]
    out = "\nFound multiple arguments which look like a cluster name\n"
    if name:
        out += "\t%s (via flag)\n" % json.dumps(name)
    out += "".join("\t%s (as argument)\n" % json.dumps(a) for a in args)
    out += ("\nThis often happens if you specify an argument to a boolean flag without using =\n"
            "For example: use `--bastion=true` or `--bastion`, not `--bastion true`\n\n")
    sys.stdout.write(out)
    if len(args) == 1:
        raise KopsError("cannot specify cluster via --name and positional argument", usage)
    raise KopsError("expected a single <clustername> to be passed as an argument", usage)


def cluster_name(ver, parsed, usage, positional_ok=True, kubeconfig_fallback=True):
    """clusterNameArgs (kubeconfig_fallback) / clusterNameArgsNoKubeconfig, or with positional_ok=False
    the commands whose positional arguments are not the cluster (rootCommand.ClusterName(true))."""
    name = process_args(parsed, usage) if positional_ok else flag_name(parsed)
    if name:
        return name
    if kubeconfig_fallback:
        ctx = current_context()
        if ctx:
            sys.stderr.write("Using cluster from kubectl context: %s\n\n" % ctx)
            return ctx
        warn(vermod.source_line(ver, "no_context"), "no context set in kubecfg")
    raise KopsError("--name is required", usage)
