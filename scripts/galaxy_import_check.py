# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Judges one galaxy-importer run (scripts/galaxy-import): exit status 1 with the reasons when Galaxy
would show an error, a warning we cannot explain, or a module or role without documentation.

Explained warnings are the ones a sterile import always gives (Galaxy installs no dependency
collections, so ansible-lint's syntax check cannot resolve their modules, and an empty ignore file
is still an ignore file); the dependency collections are read from galaxy.yml."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml


def explained_warnings(galaxy: dict) -> list[re.Pattern]:
    deps = "|".join(re.escape(name) for name in galaxy.get("dependencies", {})) or "(?!)"
    # awx.awx: playbooks/awx_configure.yml is an admin playbook that needs it; it is not a dependency.
    unresolved = rf"(?:{deps}|awx\.awx)\.\w+"
    return [
        re.compile(rf"syntax-check\[unknown-module\]: couldn't resolve module/action '{unresolved}'"),
        # A playbook whose roles use such modules fails ansible-lint's syntax check as a whole.
        re.compile(r"internal-error: Unexpected error code 4 from execution of: ansible-playbook --syntax-check"),
        re.compile(r"ERROR\s+Failed to load \S+ playbook due to failing syntax check\."),
        re.compile(r"Ignore files skip ansible-test sanity tests, found ignore-[\d.]+\.txt with 0 statement\(s\)"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--status", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--galaxy", type=Path, required=True)
    parser.add_argument("--collection", type=Path, required=True)
    args = parser.parse_args()

    problems = []
    if args.status != 0:
        problems.append(f"galaxy-importer exited with {args.status}")
    log = args.log.read_text()
    if "Importer processing completed successfully" not in log:
        problems.append("the importer did not complete")
    allowed = explained_warnings(yaml.safe_load(args.galaxy.read_text()))
    explained = 0
    for line in log.splitlines():
        if line.startswith("ERROR:") or line.startswith("CRITICAL:"):
            problems.append(f"importer error: {line}")
        elif line.startswith("WARNING:"):
            if any(pattern.search(line) for pattern in allowed):
                explained += 1
            else:
                problems.append(f"unexplained importer warning: {line}")

    documented, descriptions = {}, {}
    if args.result.is_file():
        result = json.loads(args.result.read_text())
        for content in result["docs_blob"]["contents"]:
            documented[(content["content_type"], content["content_name"])] = content
        for content in result["contents"]:
            descriptions[(content["content_type"], content["name"])] = content.get("description")
    else:
        problems.append("no importer_result.json")
    modules = sorted(p.stem for p in (args.collection / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    roles = sorted(p.name for p in (args.collection / "roles").iterdir() if p.is_dir())
    for name in modules:
        doc = (documented.get(("module", name)) or {}).get("doc_strings") or {}
        if not doc.get("doc", {}).get("short_description"):
            problems.append(f"module {name}: no documentation in the import result")
    for name in roles:
        # Galaxy shows a role's README and the description of its meta/main.yml.
        if not (documented.get(("role", name)) or {}).get("readme_html") or not descriptions.get(("role", name)):
            problems.append(f"role {name}: no README or no description in the import result")

    print(f"galaxy-import: {len(modules)} modules and {len(roles)} roles documented in the import result, "
          f"{explained} warning(s) explained by the sterile import (dependency collections not installed)"
          if not problems else "galaxy-import: FAILED")
    for problem in problems:
        print(f"  - {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
