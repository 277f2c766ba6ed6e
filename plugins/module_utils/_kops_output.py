# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Parsers for the text kops prints: JSON, YAML and the dry-run reports."""

from __future__ import annotations

import json
import re

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False

_DECODER = json.JSONDecoder()

# kops's DryRunTarget: HasChanges() prints the first, otherwise the second.
UPDATE_PENDING = 'Must specify --yes to apply changes'
UPDATE_NOTHING = 'No changes need to be applied'
_UPDATE_BLOCK = re.compile(r'^Will (?:create|modify|delete) resources:', re.MULTILINE)

ROLLING_PENDING = 'Must specify --yes to rolling-update'
ROLLING_NOTHING = 'No rolling-update required'
_ROLLING_COLUMNS = ('NAME', 'STATUS', 'NEEDUPDATE', 'READY', 'MIN', 'TARGET', 'MAX', 'NODES')


def json_documents(text):
    """Return every JSON value found in ``text``, in order.

    Handles the shapes kops prints: one value, several values back to back
    (``validate --wait``), ``//`` comment lines before the JSON, and the
    ``{...}\\n,{...}`` stream of ``create cluster --dry-run -o json``.
    Lines that are neither JSON nor a separator (the "new kops version"
    banner) are skipped. Raises ValueError on a truncated document.
    """
    docs = []
    text = text or ''
    pos = 0
    end = len(text)
    while pos < end:
        char = text[pos]
        if char.isspace() or char == ',':
            pos += 1
        elif char in '{[':
            try:
                value, pos = _DECODER.raw_decode(text, pos)
            except ValueError as exc:
                raise ValueError('kops printed invalid JSON at offset %d: %s' % (pos, exc))
            docs.append(value)
        else:
            newline = text.find('\n', pos)
            pos = end if newline < 0 else newline + 1
    return docs


def as_list(value):
    """Normalise kops's object-or-array answers to a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def json_objects(text):
    """All objects of a kops JSON answer as one flat list."""
    objects = []
    for doc in json_documents(text):
        objects.extend(as_list(doc))
    return objects


def yaml_documents(text):
    """Return the non-empty documents of a YAML stream (``---`` separated)."""
    if not HAS_YAML:
        raise ValueError('PyYAML is required to parse kops YAML output')
    # `get cluster --full -o yaml` starts with `//` warning lines, which are not YAML.
    text = '\n'.join(line for line in (text or '').splitlines() if not line.startswith('//'))
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def update_has_changes(stdout):
    """Whether an ``update cluster`` dry run reports pending changes.

    kops exits 0 either way; only the closing line tells.
    """
    stdout = stdout or ''
    if UPDATE_PENDING in stdout:
        return True
    if UPDATE_NOTHING in stdout:
        return False
    return bool(_UPDATE_BLOCK.search(stdout))


def update_change_summary(stdout):
    """The ``Kind/name`` headings of an ``update cluster`` dry run, per action."""
    summary = {}
    action = None
    for line in (stdout or '').splitlines():
        match = re.match(r'^Will (create|modify|delete) resources:', line)
        if match:
            action = match.group(1)
            summary.setdefault(action, [])
            continue
        if not line.strip() or not line.startswith(' '):
            if line.strip():
                action = None
            continue
        if action and line.startswith('  ') and not line.startswith('  \t') and '/' in line:
            summary[action].append(line.strip())
    return summary


def rolling_update_plan(stdout):
    """Rows of the ``rolling-update cluster`` table as dicts.

    Columns: name, status, need_update, ready, min, target, max and, when
    kops could reach the API, nodes. Numbers are ints.
    """
    rows = []
    header = None
    for line in (stdout or '').splitlines():
        cells = line.split()
        if not cells:
            continue
        if cells[0] == 'NAME' and 'NEEDUPDATE' in cells:
            header = cells
            continue
        if header is None or len(cells) != len(header):
            continue
        row = {}
        for column, cell in zip(header, cells):
            key = 'need_update' if column == 'NEEDUPDATE' else column.lower()
            row[key] = int(cell) if column not in ('NAME', 'STATUS') and cell.isdigit() else cell
        rows.append(row)
    return rows


def rolling_update_required(stdout):
    """Whether a ``rolling-update cluster`` preview says instances need replacing."""
    stdout = stdout or ''
    if ROLLING_PENDING in stdout:
        return True
    if ROLLING_NOTHING in stdout:
        return False
    return any(row.get('need_update') for row in rolling_update_plan(stdout))


def ig_role(role):
    """kops spells the control plane ``Master`` in JSON and ``ControlPlane`` in tables."""
    value = (role or '').lower()
    if value in ('master', 'controlplane', 'control-plane'):
        return 'control-plane'
    if value in ('node', 'bastion', 'apiserver'):
        return value
    return value or None


def instance_group_summary(ig):
    """Flatten an InstanceGroup object into the shape the modules return (snake_case keys).

    The object itself, as kops stores it, rides along under ``kops_object``.
    """
    metadata = ig.get('metadata') or {}
    spec = ig.get('spec') or {}
    subnets = list(spec.get('subnets') or [])
    zones = list(spec.get('zones') or [])
    return {
        'name': metadata.get('name'),
        'role': ig_role(spec.get('role')),
        'machine_type': spec.get('machineType'),
        'min_size': spec.get('minSize'),
        'max_size': spec.get('maxSize'),
        'zones': zones,
        'subnets': subnets,
        'image': spec.get('image'),
        'node_labels': dict(spec.get('nodeLabels') or {}),
        'taints': list(spec.get('taints') or []),
        'kops_object': ig,
    }


def cluster_summary(cluster):
    """Flatten a Cluster object: the fields an operator asks about first (snake_case keys).

    The object itself, as kops stores it, rides along under ``kops_object``.
    """
    metadata = cluster.get('metadata') or {}
    spec = cluster.get('spec') or {}
    subnets = spec.get('subnets') or []
    topology = spec.get('topology') or {}
    api_lb = (spec.get('api') or {}).get('loadBalancer') or {}
    networking = spec.get('networking') or {}
    return {
        'name': metadata.get('name'),
        'cloud_provider': spec.get('cloudProvider'),
        'kubernetes_version': spec.get('kubernetesVersion'),
        'zones': sorted({s.get('zone') for s in subnets if s.get('zone')}),
        'topology': 'private' if any(s.get('type') == 'Private' for s in subnets) else 'public',
        'dns': ((topology.get('dns') or {}).get('type') or '').lower() or None,
        'networking': sorted(k for k, v in networking.items() if v is not None)[0] if networking else None,
        'api_loadbalancer_type': (api_lb.get('type') or '').lower() or None,
        'api_loadbalancer_class': (api_lb.get('class') or '').lower() or None,
        'network_id': spec.get('networkID'),
        'config_base': spec.get('configBase'),
        'kops_object': cluster,
    }
