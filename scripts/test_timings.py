# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The timing table (tests/timings.tsv) behind `make test`: read it, balance integration shards on
it, time integration targets from ansible-test's output, and write measured figures back out.

    python scripts/test_timings.py shards TABLE JOBS TARGET...   one line per shard: seconds<TAB>targets
    python scripts/test_timings.py order TABLE SUITE...          the suites, most expensive first
    python scripts/test_timings.py stamp OUT                     copy stdin to stdout; OUT gets target<TAB>seconds
    python scripts/test_timings.py table OUT NOTE FILE...        merge measured rows into OUT (the table's format)

Only the standard library: the runner calls this before and beside the virtualenv's users.
"""

from __future__ import annotations

import re
import statistics
import sys
import time

# ansible-test prints one of these as each integration target starts.
TARGET_START = re.compile(r"^Running (\S+) integration test (?:role|script)\s*$")

HEADER = """\
# Measured wall-clock seconds per make suite and per integration target.
# `make test` starts the suites most expensive first, and scripts/run-integration balances the
# integration shards on the target rows (longest processing time first; a target missing here
# costs the median of the target rows). Each suite's row is its duration in `make test`; each
# target's row is the time from ansible-test's "Running <target> integration test role" line to
# the next one (or the end of its shard). Only the ratios matter for the order and the balance.
# To refresh: run `make test`, preferably on an idle machine, then copy
# .tmp/timings.measured.tsv (every run writes it) over this file.
"""


def read_table(path: str) -> dict[tuple[str, str], float]:
    """``{(kind, name): seconds}``; a missing file or a malformed line is simply no figure."""
    rows: dict[tuple[str, str], float] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return rows
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            continue
        try:
            rows[(fields[0], fields[1])] = float(fields[2])
        except ValueError:
            continue
    return rows


def costs(table: dict[tuple[str, str], float], kind: str, names: list[str], default: float) -> dict[str, float]:
    known = [seconds for (row_kind, _name), seconds in table.items() if row_kind == kind]
    fallback = statistics.median(known) if known else default
    return {name: table.get((kind, name), fallback) for name in names}


def balance(cost: dict[str, float], jobs: int) -> list[tuple[float, list[str]]]:
    """Longest processing time first: each target, most expensive first, goes to the lightest shard."""
    shards: list[tuple[float, list[str]]] = [(0.0, []) for _shard in range(min(max(1, jobs), len(cost)))]
    for name in sorted(cost, key=lambda n: (-cost[n], n)):
        index = min(range(len(shards)), key=lambda i: (shards[i][0], i))
        total, members = shards[index]
        shards[index] = (total + cost[name], members + [name])
    return shards


def cmd_shards(table_path: str, jobs: str, *targets: str) -> int:
    cost = costs(read_table(table_path), "target", list(targets), default=60.0)
    for total, members in balance(cost, int(jobs)):
        print(f"{total:.0f}\t{' '.join(members)}")
    return 0


def cmd_order(table_path: str, *suites: str) -> int:
    cost = costs(read_table(table_path), "suite", list(suites), default=60.0)
    print(" ".join(sorted(suites, key=lambda s: (-cost[s], suites.index(s)))))
    return 0


def cmd_stamp(out_path: str) -> int:
    """A filter: passes ansible-test's output through and times each target it starts."""
    current: str | None = None
    started = time.monotonic()
    measured: list[tuple[str, float]] = []

    def finish(now: float) -> None:
        if current is not None:
            measured.append((current, now - started))
            print(f"=== integration target {current}: {now - started:.0f}s", flush=True)

    for line in sys.stdin:
        match = TARGET_START.match(line)
        if match:
            now = time.monotonic()
            finish(now)
            current, started = match.group(1), now
        sys.stdout.write(line)
        sys.stdout.flush()
    finish(time.monotonic())
    with open(out_path, "w", encoding="utf-8") as handle:
        for name, seconds in measured:
            handle.write(f"target\t{name}\t{seconds:.0f}\n")
    return 0


def cmd_table(out_path: str, note: str, *paths: str) -> int:
    """Writes the measured rows of PATHS in the table's format, suites first, each kind sorted by name;
    NOTE says when and under what load they were measured."""
    rows: dict[tuple[str, str], float] = {}
    for path in paths:
        rows.update(read_table(path))
    with open(out_path, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        handle.write(f"# Measured: {note}\n# kind\tname\tseconds\n")
        for kind, name in sorted(rows, key=lambda key: (key[0] != "suite", key)):
            handle.write(f"{kind}\t{name}\t{rows[(kind, name)]:.0f}\n")
    return 0


COMMANDS = {"shards": cmd_shards, "order": cmd_order, "stamp": cmd_stamp, "table": cmd_table}


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in COMMANDS:
        sys.stderr.write(__doc__)
        return 2
    return COMMANDS[argv[0]](*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
