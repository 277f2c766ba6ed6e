"""Output formatting the way kops's Go libraries print: tabwriter tables,
encoding/json (struct field order, compact), sigs.k8s.io/yaml (sorted keys)."""

import json

import yaml

# Go struct field order of the kops v1alpha2 types as they appear in the
# recorded JSON; keys not listed keep their order after the listed ones.
_FIELD_ORDER = [
    "kind", "apiVersion", "metadata", "spec",
    "name", "creationTimestamp", "generation", "labels", "annotations",
    "channel", "configBase", "cloudProvider", "kubernetesVersion",
    "role", "image", "minSize", "maxSize", "machineType", "rootVolume",
    "subnets", "zones", "nodeLabels", "cloudLabels",
    "zone", "cidr", "id", "class", "type",
    "masterPublicName", "networkCIDR", "networkID", "topology", "bastion", "dns", "dnsZone", "nonMasqueradeCIDR",
    "sshAccess", "kubernetesApiAccess",
    "etcdClusters", "etcdMembers", "instanceGroup", "encryptedVolume", "manager", "backupRetentionDays",
    "memoryRequest", "cpuRequest",
    "kubeProxy", "enabled", "kubelet", "anonymousAuth", "networking", "api", "loadBalancer",
    "authorization", "iam", "legacy", "allowContainerRegistry", "publicKey",
]
_RANK = {k: i for i, k in enumerate(_FIELD_ORDER)}


def go_order(obj):
    if isinstance(obj, dict):
        keys = sorted(obj, key=lambda k: (_RANK.get(k, len(_RANK)), ))
        return {k: go_order(obj[k]) for k in keys}
    if isinstance(obj, list):
        return [go_order(v) for v in obj]
    return obj


def go_json(obj):
    """json.Marshal: compact, and HTML-escaped like Go's encoder."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _GoDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        # sigs.k8s.io/yaml never writes anchors: a list used twice is printed twice.
        return True


def _str_rep(dumper, value):
    # go-yaml double-quotes strings that would otherwise read as another type.
    resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
    if resolved != "tag:yaml.org,2002:str" or value == "":
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_GoDumper.add_representer(str, _str_rep)


def go_yaml(obj):
    if obj is None:
        return "null\n"
    return yaml.dump(obj, Dumper=_GoDumper, sort_keys=True, default_flow_style=False, allow_unicode=True)


def tabwriter(rows):
    """text/tabwriter with minwidth 0, tabwidth 8, padding 1, padchar '\\t'.

    Every cell but the last of a line is padded with tabs to the column width
    rounded up to a multiple of 8, exactly as kops's tables come out.
    """
    widths = {}
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths.get(i, 0), len(cell) + 1)
    out = []
    for row in rows:
        parts = []
        for i, cell in enumerate(row):
            if i == len(row) - 1:
                parts.append(cell)
                break
            width = (widths[i] + 7) // 8 * 8
            parts.append(cell + "\t" * ((width - len(cell) + 7) // 8))
        out.append("".join(parts))
    return "".join(line + "\n" for line in out)
