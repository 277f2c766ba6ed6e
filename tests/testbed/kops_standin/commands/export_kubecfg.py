"""kops export kubecfg|kubeconfig [--admin[=TTL]] [--user U] [--kubeconfig F] [--internal] [--all]."""

import sys

from kops_standin import cloud, context, kubeconfig, model, pki, statestore
from kops_standin.errors import KopsError
from kops_standin.flags import load_help, usage_of


def run(ver, path, parsed):
    """cmd/kops/export_kubeconfig.go: the Args checks (with usage), then RunExportKubeconfig."""
    usage = usage_of(load_help(ver, "export_kubecfg"))
    admin = parsed.get("admin") if parsed.given("admin") else None
    ttl = pki.parse_duration(admin) if admin else None
    if ttl and parsed.get("user"):
        raise KopsError("cannot use both --admin and --user", usage)
    if parsed.bool("all"):
        if parsed.args:
            raise KopsError("cannot use both --all flag and positional arguments", usage)
        store = statestore.from_flags(parsed)
        names = store.list_clusters()
    else:
        names = [context.cluster_name(ver, parsed, usage)]
        store = statestore.from_flags(parsed)
    for name in names:
        cluster = model.require_cluster(store, name)
        server = parsed.get("api-server") or kubeconfig.api_server(
            name, "https://" + cloud.Cloud(cluster).api_dns_name())
        kubeconfig.export(ver, store, name, server, path=parsed.get("kubeconfig"), admin_ttl=ttl,
                          user=parsed.get("user"), internal=parsed.bool("internal"))
        sys.stdout.write("kOps has set your kubectl context to %s\n" % name)
    return 0
