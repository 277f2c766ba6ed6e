"""Benchmark: parsing `kops validate cluster -o json --wait` output of a large cluster.

kops prints one JSON document per attempt, back to back, so a long wait on a large cluster
hands the module megabytes of JSON. This prints how long parsing takes and how much memory
it peaks at; it asserts nothing (figures, not a timed test).

    .venv/bin/python benchmarks/bench_validate_parsing.py [--nodes 500] [--attempts 90]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_collection():
    # The modules import themselves as ansible_collections.cloudops.kops; a symlinked tree is
    # enough for Python (ansible-test is the one that refuses symlinks).
    tree = tempfile.mkdtemp(prefix="kops-bench-")
    os.makedirs(os.path.join(tree, "ansible_collections", "cloudops"))
    os.symlink(ROOT, os.path.join(tree, "ansible_collections", "cloudops", "kops"))
    sys.path.insert(0, tree)
    from ansible_collections.cloudops.kops.plugins.module_utils import _kops_output, _kops_validation
    return _kops_output, _kops_validation


def attempt_document(nodes: int, ready: int) -> dict:
    doc = {"nodes": [], "failures": []}
    for i in range(nodes):
        role = "control-plane" if i < 3 else "node"
        doc["nodes"].append({"name": f"i-{i:017x}", "zone": "us-west-2a", "role": role,
                             "hostname": f"i-{i:017x}", "status": "True" if i < ready else "False"})
        if i >= ready:
            doc["failures"].append({"type": "Node", "name": f"i-{i:017x}",
                                    "message": f'node "i-{i:017x}" of role "{role}" is not ready',
                                    "instanceGroup": {"metadata": {"name": "nodes-us-west-2a"},
                                                      "spec": {"role": "Node", "minSize": nodes, "maxSize": nodes}}})
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--attempts", type=int, default=90, help="15m of --wait at the default 10s interval")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    output, validation = import_collection()
    text = "".join(json.dumps(attempt_document(args.nodes, args.nodes * (i + 1) // args.attempts), separators=(",", ":"))
                   for i in range(args.attempts))

    timings = []
    for _run in range(args.repeat):
        start = time.perf_counter()
        report = validation.last_report(text)
        timings.append(time.perf_counter() - start)
    tracemalloc.start()
    documents = output.json_documents(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    print(f"input: {args.attempts} documents, {args.nodes} nodes each, {len(text) / 1e6:.1f} MB")
    print(f"last_report: best {min(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms over {args.repeat} runs")
    print(f"json_documents: peak memory {peak / 1e6:.1f} MB for {len(documents)} documents")
    print(f"last document: valid={report['valid']} nodes={len(report['nodes'])} failures={len(report['failures'])}")


if __name__ == "__main__":
    main()
