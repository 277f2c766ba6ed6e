# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kubernetes and kops version arithmetic for upgrades: the one-minor rule and the kops downgrade guard.

Kubernetes supports a skew of one minor version between the API server and the components it
upgrades, so a cluster moves one minor at a time; kops itself does not enforce it (its
``upgrade cluster`` proposes the channel's version for the running kops, whatever the distance).
"""

from __future__ import annotations

import re

_VERSION = re.compile(r'^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$')


def parse(text):
    """``1.30.14``, ``v1.30.14``, ``1.30`` or ``1.30.0-beta.1`` as a (major, minor, patch) tuple; None otherwise."""
    match = _VERSION.match(str(text or '').strip())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def text(version):
    return '.'.join(str(part) for part in version)


def minor_text(version):
    return '%d.%d' % version[:2]


def minor_distance(current, target):
    """How many minor versions ``target`` is above ``current`` (negative when below; majors must match)."""
    if current[0] != target[0]:
        raise ValueError('a change of major version (%d to %d) is not an upgrade kops can make'
                         % (current[0], target[0]))
    return target[1] - current[1]


def steps(current, target):
    """The versions to go through from ``current`` to ``target``, one minor each, ending with ``target``.

    The intermediate ones are minors (``1.29``): the patch release to use is the operator's choice.
    """
    between = ['%d.%d' % (current[0], minor) for minor in range(current[1] + 1, target[1])]
    return between + [text(target)] if minor_distance(current, target) > 0 else []


def step_error(current, target):
    """Why moving from ``current`` to ``target`` in one step is refused, or None."""
    try:
        distance = minor_distance(current, target)
    except ValueError as exc:
        return str(exc)
    if target < current:
        return ('Kubernetes %s is older than the version the cluster runs (%s): kops does not downgrade Kubernetes'
                % (text(target), text(current)))
    if distance > 1:
        way = steps(current, target)
        return ('Kubernetes %s is %d minor versions above the version the cluster runs (%s); upgrade one minor '
                'version at a time, through %s (a patch release for each minor, such as %s.x: kops would read a bare '
                '%s as %s.0)' % (text(target), distance, text(current), ', '.join(way), way[0], way[0], way[0]))
    return None


def walk_error(current, versions):
    """Why a list of upgrade steps cannot be walked from ``current``, or None. Every step must parse,
    none may go back, and each must be at most one minor above the one before."""
    previous = current
    for position, value in enumerate(versions, start=1):
        version = parse(value)
        if version is None:
            return 'step %d (%r) is not a Kubernetes version such as 1.30.14' % (position, value)
        error = step_error(previous, version)
        if error:
            return 'step %d: %s' % (position, error)
        previous = version
    return None


def downgrade_error(last_applied, binary):
    """Why ``binary`` (a kops version) must not apply a cluster ``last_applied`` by a newer kops, or None."""
    if last_applied is None or binary is None or last_applied <= binary:
        return None
    return ('the cluster was last applied by kops %s, newer than this kops %s; kops refuses to apply it with an '
            'older release (its --allow-kops-downgrade guard). Use kops %s or newer, or set allow_kops_downgrade '
            'if you really mean to go back' % (text(last_applied), text(binary), text(last_applied)))


def too_new_error(target, binary):
    """Why kops ``binary`` would refuse to apply Kubernetes ``target``, or None.

    upup/pkg/fi/cloudup/apply_cluster.go validateKubernetesVersion (v1.30.1 and v1.36.2): ``update cluster``
    fails with "kops upgrade is required" for Kubernetes at or above kops's major.(minor+1).patch, unless
    KOPS_RUN_TOO_NEW_VERSION is exported. ``kops upgrade cluster`` has no such check, so a spec written
    beyond it could not be applied.
    """
    if binary is None:
        return None
    limit = (binary[0], binary[1] + 1, binary[2])
    if target < limit:
        return None
    return ('kops %s cannot apply Kubernetes %s: its update cluster refuses Kubernetes %s and newer ("kops upgrade is '
            'required"). Upgrade with kops %s or newer' % (text(binary), text(target), text(limit), minor_text(target)))
