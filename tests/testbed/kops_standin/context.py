"""Cluster-name resolution (root.go ClusterName) shared by the commands."""

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


def current_context():
    env = os.environ.get("KUBECONFIG")
    paths = [p for p in env.split(os.pathsep) if p] if env else [kubeconfig_path()]
    for path in paths:
        try:
            with open(path) as fh:
                doc = yaml.safe_load(fh) or {}
        except (OSError, yaml.YAMLError):
            continue
        if doc.get("current-context"):
            return doc["current-context"]
    return ""


def cluster_name(ver, parsed, usage, positional_ok=True, kubeconfig_fallback=True):
    name = parsed.get("name") or os.environ.get("KOPS_CLUSTER_NAME") or ""
    if positional_ok and parsed.args:
        if len(parsed.args) > 1:
            raise KopsError("expected a single <clustername> to be passed as an argument", usage)
        arg = parsed.args[0]
        if parsed.get("name") and parsed.get("name") != arg:
            raise KopsError("cannot specify cluster via --name and positional argument", usage)
        name = arg
    if name:
        return name
    if kubeconfig_fallback:
        ctx = current_context()
        if ctx:
            sys.stderr.write("Using cluster from kubectl context: %s\n\n" % ctx)
            return ctx
        warn(vermod.source_line(ver, "no_context"), "no context set in kubecfg")
    raise KopsError("--name is required", usage)
