# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: kops_upgrade_walk
short_description: Plan a Kubernetes upgrade of a kops cluster one minor version at a time
version_added: 0.1.0
author: cloudops.kops maintainers (@cloudops)
description:
  - Takes the Kubernetes version a cluster runs and the versions an operator wants it to go through, and returns the
    steps still to take (the running version and those above it, in order) and, when the walk breaks the one-minor rule,
    why.
  - The one-minor rule, the same as M(cloudops.kops.kops_upgrade) applies to each step, is checked for the whole list
    before anything is changed.
options:
  _input:
    description: The Kubernetes version the cluster runs, for example V(1.29.15).
    type: str
    required: true
  versions:
    description:
      - The versions to go to, in order; the last one is the target. Versions below the running one are steps
        already taken and are skipped; the running version itself is kept, because an interrupted step is finished
        by applying it again (its rolling update resumes where it stopped).
      - An empty string stands for the version kops's channel recommends and is kept as it is.
    type: list
    elements: str
    required: true
  kops_version:
    description:
      - The kops release that will apply the steps, for example V(1.30.1). When given, a step this release cannot
        apply is refused too (C(kops update cluster) refuses Kubernetes at or above the release's next minor and
        patch, see M(cloudops.kops.kops_upgrade)).
    type: str
"""

EXAMPLES = r"""
- name: Two minors up, through the one in between
  ansible.builtin.debug:
    msg: "{{ '1.28.9' | cloudops.kops.kops_upgrade_walk(['1.29.15', '1.30.14']) }}"
  # {"steps": ["1.29.15", "1.30.14"], "error": ""}

- name: The same walk, checked against the kops release that applies it
  ansible.builtin.debug:
    msg: "{{ '1.28.9' | cloudops.kops.kops_upgrade_walk(['1.29.15', '1.30.14'], kops_version='1.29.3') }}"
  # error: "step 2: kops 1.29.3 cannot apply Kubernetes 1.30.14: ..."
"""

RETURN = r"""
_value:
  description: The walk.
  type: dict
  contains:
    steps:
      description: The versions still to go through, in order.
      type: list
      elements: str
    error:
      description: Why the walk is refused (a step more than one minor above the one before it, a version that does not parse); empty when it is fine.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.kops.plugins.module_utils import _kops_versions as versions


def kops_upgrade_walk(current, wanted, kops_version=None):
    running = versions.parse(current)
    if running is None:
        raise AnsibleFilterError("kops_upgrade_walk: %r is not a Kubernetes version such as 1.30.14" % (current,))
    if isinstance(wanted, str) or not isinstance(wanted, (list, tuple)):
        raise AnsibleFilterError("kops_upgrade_walk: versions must be a list of Kubernetes versions")
    wanted = [str(value).strip().lstrip("v") for value in wanted]
    if wanted == [""]:
        return {"steps": [""], "error": ""}
    remaining = []
    for value in wanted:
        parsed = versions.parse(value)
        if parsed is not None and parsed < running and not remaining:
            continue
        remaining.append(value)
    binary = versions.parse(kops_version) if kops_version else None
    if kops_version and binary is None:
        raise AnsibleFilterError("kops_upgrade_walk: kops_version %r is not a kops version such as 1.30.1" % (kops_version,))
    error = versions.walk_error(running, remaining) or ""
    for position, value in enumerate(remaining, start=1):
        step = versions.parse(value)
        too_new = versions.too_new_error(step, binary) if step is not None and not error else None
        if too_new:
            error = "step %d: %s" % (position, too_new)
    if not remaining and wanted:
        target = versions.parse(wanted[-1])
        if target is not None and target < running:
            error = versions.step_error(running, target)
    return {"steps": remaining, "error": error}


class FilterModule:
    def filters(self):
        return {"kops_upgrade_walk": kops_upgrade_walk}
