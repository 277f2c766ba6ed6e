"""kops edit cluster: only its --help is imitated (the collection never opens an editor)."""

from kops_standin.errors import KopsError


def run(ver, path, parsed):
    raise KopsError("kops edit is not implemented by the kops stand-in (test infrastructure); use kops replace -f")
