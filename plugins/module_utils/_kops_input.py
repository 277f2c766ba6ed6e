# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Checks of user input that need no kops call, so bad input fails before anything is written.

Each function returns a message naming the option and the value, or None.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct

# An AWS Availability Zone: its region followed by one letter (us-west-2a, ap-southeast-1c).
_AWS_ZONE = re.compile(r'^[a-z]{2}(-[a-z]+)+-\d+[a-z]$')

_SSH_KEY_TYPES = ('ssh-ed25519', 'ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384',
                  'ecdsa-sha2-nistp521', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com')
_PRIVATE_KEY = re.compile(r'-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----')


def zone_region(zone):
    """The region of an AWS zone the way kops derives it (awsup.FindRegion: the zone less its last letter)."""
    return zone[:-1]


def zones_region_error(option, zones, region=None):
    """Zones must be AWS zones of one region, and of ``region`` when one is given."""
    regions = {}
    for zone in zones or []:
        if not _AWS_ZONE.match(zone or ''):
            return ('%s entry %r is not an AWS availability zone such as us-west-2a.' % (option, zone))
        regions.setdefault(zone_region(zone), []).append(zone)
    if len(regions) > 1:
        return ('%s mixes zones of %d regions (%s); a kops cluster lives in one region.'
                % (option, len(regions), '; '.join('%s: %s' % (r, ', '.join(z)) for r, z in sorted(regions.items()))))
    if region and regions and region not in regions:
        found = next(iter(regions))
        return ('%s %s are in region %s, not in region %r; kops would build the whole cluster in %s. '
                'Use zones of %s or set region to %s.' % (option, ', '.join(zones), found, region, found, region, found))
    return None


def ssh_public_key_text(value):
    """(text, path): the key text of an ``ssh_public_key`` option that is a key or the path of a file."""
    stripped = (value or '').strip()
    if stripped.split(' ', 1)[0] in _SSH_KEY_TYPES or _PRIVATE_KEY.search(stripped) or '\n' in stripped:
        return stripped, None
    path = os.path.expanduser(os.path.expandvars(value))
    if not os.path.isfile(path):
        return None, path
    with open(path, 'rb') as handle:
        data = handle.read(65536)
    return data.decode('utf-8', 'replace'), path


def ssh_public_key_error(option, value):
    """The value must be one OpenSSH public key line, or the path of a file holding exactly that."""
    text, path = ssh_public_key_text(value)
    where = '%s %s' % (option, path) if path else option
    if text is None:
        return '%s is neither an OpenSSH public key nor the path of an existing file.' % where
    if _PRIVATE_KEY.search(text):
        return ('%s is a PRIVATE key. Give the public key (the .pub file next to it, or its one line); '
                'a private key must never be handed to kops.' % where)
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith('#')]
    if len(lines) != 1:
        return ('%s must hold exactly one OpenSSH public key line, found %d non-empty lines.' % (where, len(lines)))
    fields = lines[0].split()
    if len(fields) < 2 or fields[0] not in _SSH_KEY_TYPES:
        return ('%s is not an OpenSSH public key line (expected "<type> <base64> [comment]" with a type such as '
                'ssh-ed25519 or ssh-rsa).' % where)
    try:
        blob = base64.b64decode(fields[1].encode('ascii'), validate=True)
        (length,) = struct.unpack('>I', blob[:4])
        embedded = blob[4:4 + length].decode('ascii')
    except (binascii.Error, ValueError, struct.error, UnicodeError):
        return '%s has a key body that is not valid base64 OpenSSH key data.' % where
    if embedded != fields[0]:
        return ('%s says %s but its key data is of type %r.' % (where, fields[0], embedded))
    return None
