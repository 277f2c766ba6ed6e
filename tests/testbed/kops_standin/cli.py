"""Command tree and dispatch, like kops's cobra root command."""

import importlib
import sys

from kops_standin import argv_log
from kops_standin import flags as flagmod
from kops_standin import version as vermod
from kops_standin.errors import KopsError

# (path, aliases of the last word, help key, handler module, extra hidden flags)
# Flags of `create cluster` that cobra's MarkDeprecated hides from the help (cmd/kops/create_cluster.go,
# both versions): accepted, with "Flag --<name> has been deprecated, <message>" on stderr.
_DEPRECATED_CREATE_CLUSTER = {
    "master-zones": ("strings", "use --control-plane-zones instead"),
    "master-size": ("strings", "use --control-plane-size instead"),
    "master-count": ("int32", "use --control-plane-count instead"),
    "master-image": ("string", "use --control-plane-image instead"),
    "master-volume-size": ("int32", "use --control-plane-volume-size instead"),
    "master-security-groups": ("strings", "use --control-plane-security-groups instead"),
    "master-tenancy": ("string", "use --control-plane-tenancy instead"),
    "master-public-name": ("string", "use --api-public-name instead"),
    "container-runtime": ("string", "containerd is the only supported value"),
    "vpc": ("string", "use --network-id instead"),
    "api-loadbalancer-class": ("string", "network load balancer should be used for all newly created clusters"),
}

COMMANDS = {
    ("version",): ("version", "version"),
    ("create",): ("create", "create"),
    ("create", "cluster"): ("create_cluster", "create_cluster"),
    ("create", "sshpublickey"): ("create_sshpublickey", "create_sshpublickey"),
    ("get", "clusters"): ("get_clusters", "get_clusters"),
    ("get", "instancegroups"): ("get_instancegroups", "get_instancegroups"),
    ("get", "all"): (None, "get_misc"),
    ("get", "instances"): ("get_instances", "get_instances"),
    ("get", "secrets"): (None, "get_misc"),
    ("get", "keypairs"): (None, "get_misc"),
    ("get", "sshpublickeys"): (None, "get_misc"),
    ("replace",): ("replace", "replace"),
    ("update", "cluster"): ("update_cluster", "update_cluster"),
    ("export", "kubecfg"): ("export_kubecfg", "export_kubecfg"),
    ("validate", "cluster"): ("validate_cluster", "validate_cluster"),
    ("rolling-update", "cluster"): ("rolling-update_cluster", "rolling_update"),
    ("delete", "cluster"): ("delete_cluster", "delete_cluster"),
    # Help not recorded: help/<ver>/delete_instancegroup.txt is composed from kops's
    # cmd/kops/delete_instancegroup.go (flags -y/--yes, -h/--help) and the version's global flags.
    ("delete", "instancegroup"): ("delete_instancegroup", "delete_instancegroup"),
    ("edit", "cluster"): ("edit_cluster", "edit"),
    ("upgrade", "cluster"): ("upgrade_cluster", "upgrade_cluster"),
    ("delete", "instance"): ("delete_instance", "delete_instance"),
    ("reconcile", "cluster"): ("reconcile_cluster", "reconcile_cluster"),
}
# Commands a version does not have: kops reconcile arrived in 1.31 (recordings 1.30.1/day2/205, 229, 230).
SINCE = {("reconcile",): "1.36.2", ("reconcile", "cluster"): "1.36.2"}
ALIASES = {
    ("get", "cluster"): ("get", "clusters"),
    ("get", "instancegroup"): ("get", "instancegroups"),
    ("get", "ig"): ("get", "instancegroups"),
    ("get", "secret"): ("get", "secrets"),
    ("get", "keypair"): ("get", "keypairs"),
    ("get", "sshpublickey"): ("get", "sshpublickeys"),
    ("get", "instance"): ("get", "instances"),
    ("export", "kubeconfig"): ("export", "kubecfg"),
    ("rolling-update", "clusters"): ("rolling-update", "cluster"),
    ("update", "clusters"): ("update", "cluster"),
    ("delete", "clusters"): ("delete", "cluster"),
    ("delete", "instancegroups"): ("delete", "instancegroup"),
    ("delete", "ig"): ("delete", "instancegroup"),
    ("validate", "clusters"): ("validate", "cluster"),
}
PARENTS = {("create",), ("get",), ("update",), ("export",), ("validate",), ("rolling-update",), ("delete",),
           ("edit",), ("upgrade",), ("reconcile",)}
# Aliases of real kops commands the stand-in does not imitate (cmd/kops/create_instancegroup.go).
_NOT_IMITATED_ALIASES = {("create", "ig"): "instancegroup", ("create", "instancegroups"): "instancegroup"}


def _flag_lines(text, section):
    """The flag lines of one section ("Flags:" / "Global Flags:") of a help text."""
    lines, inside = [], False
    for line in text.splitlines():
        if line == section:
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            lines.append(line)
    return lines


def _help_text(ver, path, typed):
    key = COMMANDS[path][0] if path in COMMANDS else None
    text = flagmod.load_help(ver, key) if key else None
    if text is None:
        # No recording of this help: build a cobra-shaped one; `get`'s own flags (-o)
        # are global flags of its subcommands.
        parent = flagmod.load_help(ver, "get" if path[0] == "get" else "root")
        inherited = [line for line in _flag_lines(parent, "Flags:") if "--help" not in line] if path[0] == "get" else []
        globals_ = sorted(inherited + _flag_lines(parent, "Global Flags:"),
                          key=lambda line: line.split("--", 1)[1].split()[0])
        text = "Usage:\n  kops %s [flags]\n\nFlags:\n  -h, --help   help for %s\n\nGlobal Flags:\n%s\n" % (
            " ".join(typed), typed[-1], "".join(line + "\n" for line in globals_))
    return text


def _known(ver, path):
    since = SINCE.get(path)

    def key(v):
        return tuple(int(p) for p in v.split("."))

    return (path in COMMANDS or path in PARENTS) and (since is None or key(ver) >= key(since))


def _resolve(argv, root_flags, ver=None):
    """Find the command path the way cobra does: leading words, skipping flags."""
    words = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            break
        if a.startswith("-"):
            name = a.lstrip("-").split("=")[0]
            f = root_flags.get(name)
            if "=" not in a and f is not None and f.noopt is None and a.startswith("--"):
                i += 1
            i += 1
            continue
        words.append((i, a))
        i += 1
    path = ()
    typed = []
    consumed = []
    for idx, w in words:
        cand = path + (w,)
        cand = ALIASES.get(cand, cand)
        if _known(ver or vermod.current(), cand):
            path = cand
            typed.append(w)
            consumed.append(idx)
        else:
            break
    rest = [a for j, a in enumerate(argv) if j not in consumed]
    return path, typed, rest


def main(argv):
    argv_log.record(argv)
    try:
        return _main(argv)
    except Exception as exc:  # noqa: BLE001 - the stand-in never prints a Python traceback
        # A bug or an unexpected failure (boto3, YAML, I/O) in this test infrastructure ends the way
        # kops ends a failure: one "Error:" line on stderr, exit 1. (Exit 2 is a Go panic; the
        # stand-in has none.)
        sys.stdout.flush()
        sys.stderr.write("Error: kops stand-in internal error: %s\n" % " ".join(
            ("%s: %s" % (type(exc).__name__, exc)).split()))
        return 1


def _listed_commands(help_text):
    """The names under "Available Commands:" in a recorded help text."""
    names, inside = [], False
    for line in (help_text or "").splitlines():
        if line == "Available Commands:":
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            names.append(line.split()[0])
    return names


def _not_imitated(ver, path, typed, rest, root_help):
    """`kops <words>` when the next word names a command real kops lists (in the recorded help of kops,
    kops get or kops create) that the stand-in does not imitate; else None. Such a command is refused by
    name: calling it unknown, or printing a parent's help, would misstate what kops does."""
    if len(path) > 1:
        return None
    words = [a for a in rest if not a.startswith("-")]
    if not words:
        return None
    name = _NOT_IMITATED_ALIASES.get(path + (words[0],), words[0])
    listed = _listed_commands(flagmod.load_help(ver, path[0]) if path else root_help)
    if name not in listed or _known(ver, path + (name,)):
        return None
    return "kops " + " ".join(typed + [name])


def _main(argv):
    ver = vermod.current()
    root_help = flagmod.load_help(ver, "root")
    root_flags = flagmod.flags_from_help(root_help)
    path, typed, rest = _resolve(argv, root_flags)
    try:
        missing = _not_imitated(ver, path, typed, rest, root_help)
        if missing:
            raise KopsError("%s is not implemented by the kops stand-in (test infrastructure)" % missing)
        if not path:
            positional = [a for a in rest if not a.startswith("-")]
            if positional:
                raise KopsError('unknown command "%s" for "kops"\nRun \'kops --help\' for usage.' % positional[0])
            flagmod.parse(rest, root_flags, flagmod.usage_of(root_help))
            sys.stdout.write(root_help)
            return 0
        if path in PARENTS and path not in COMMANDS:
            # A parent command alone prints its help (recorded for `get` and `create`).
            sys.stdout.write(flagmod.load_help(ver, path[0]) or root_help)
            return 0
        help_text = _help_text(ver, path, typed)
        flagset = flagmod.flags_from_help(help_text)
        if path == ("create", "cluster"):
            for name, (type_, message) in _DEPRECATED_CREATE_CLUSTER.items():
                flagset[name] = flagmod.Flag(name, type_=type_, deprecated=message)
        if path == ("create",) or path == ("replace",):
            flagset.setdefault("filename", flagmod.Flag("filename", "f", "strings"))
        usage = flagmod.usage_of(help_text)
        parsed = flagmod.parse(rest, flagset, usage)
        for line in parsed.deprecations:
            sys.stderr.write(line + "\n")
        if parsed.bool("help"):
            sys.stdout.write(help_text)
            return 0
        module_name = COMMANDS[path][1]
        if module_name is None:
            module_name = "get_misc"
        module = importlib.import_module("kops_standin.commands." + module_name)
        return module.run(ver, path, parsed) or 0
    except KopsError as err:
        sys.stdout.flush()
        sys.stderr.write("Error: %s\n" % err.msg)
        if err.usage:
            sys.stderr.write(err.usage)
            sys.stderr.write("\n")
        return 1
    except KeyboardInterrupt:
        return 130
