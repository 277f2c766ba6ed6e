# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""The one duration type of cloudops.kops (documented once in the cloudops.kops._duration fragment).

A duration is a Go duration string (``90s``, ``15m``, ``1h30m``, ``87600h``, as kops and kubectl
write them) or a whole number of seconds (``600`` or ``"600"``, as Ansible's own timeouts).
``0`` and ``""`` are the same zero duration in every option. Options that go to kops are
handed over as Go duration strings made by :func:`format_go_duration`.
"""

from __future__ import annotations

import math
import re

_GO_UNITS = {'ns': 1e-9, 'us': 1e-6, '\u00b5s': 1e-6, '\u03bcs': 1e-6, 'ms': 1e-3, 's': 1.0, 'm': 60.0, 'h': 3600.0}
_GO_PART = re.compile(r'(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)')
_SECONDS = re.compile(r'^[-+]?\d+$')

EXAMPLES = '90s, 15m, 1h30m or a number of seconds such as 600'


def parse_go_duration(text):
    """Seconds in a Go duration string (``18h``, ``1h30m``, ``-5m``, ``0``); ValueError otherwise.

    Follows Go's time.ParseDuration: an optional sign, then one or more ``<number><unit>``
    parts; ``0`` is the only number allowed without a unit.
    """
    text = str(text).strip()
    sign = 1.0
    if text[:1] in ('-', '+'):
        sign = -1.0 if text[0] == '-' else 1.0
        text = text[1:]
    if text == '0':
        return 0.0
    if not text:
        raise ValueError('an empty string is not a Go duration')
    position, total = 0, 0.0
    while position < len(text):
        match = _GO_PART.match(text, position)
        if not match:
            raise ValueError('%r is not a duration (examples: %s)' % (text, EXAMPLES))
        total += float(match.group(1)) * _GO_UNITS[match.group(2)]
        position = match.end()
    return sign * total


def parse_duration(value):
    """Seconds (a float, never negative) in a duration option's value; ValueError otherwise.

    ``None``, ``""`` and ``0`` are all the zero duration.
    """
    if isinstance(value, bool):
        raise ValueError('%r is not a duration (examples: %s)' % (value, EXAMPLES))
    if value is None:
        return 0.0
    if isinstance(value, int):
        seconds = float(value)
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError('%r is not a duration (examples: %s)' % (value, EXAMPLES))
        seconds = value
    else:
        text = str(value).strip()
        if text == '':
            return 0.0
        if _SECONDS.match(text):
            seconds = float(int(text, 10))
        else:
            seconds = parse_go_duration(text)
    if seconds < 0:
        raise ValueError('%r is negative; a duration must be 0 or more' % (value,))
    return seconds


def duration_option(module, name, positive=False):
    """Seconds in the module option ``name``; a bad value fails the module, naming option and value.

    With ``positive=True`` the zero duration is refused too (intervals between attempts).
    """
    value = module.params.get(name)
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        module.fail_json(msg='%s: %s.' % (name, exc))
    if positive and seconds <= 0:
        module.fail_json(msg='%s must be longer than 0, got %r.' % (name, value))
    return seconds


def format_go_duration(seconds):
    """Go syntax for kops flags and for messages: ``900`` -> ``15m``, ``5400`` -> ``1h30m``, ``0`` -> ``0s``."""
    if seconds == 0:
        return '0s'
    whole = int(seconds)
    if whole != seconds:
        return ('%.9f' % seconds).rstrip('0').rstrip('.') + 's'
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return ''.join(part for part in (
        ('%dh' % hours) if hours else '',
        ('%dm' % minutes) if minutes else '',
        ('%ds' % secs) if secs else '') if part)


# Messages use the same spelling as kops flags.
format_duration = format_go_duration
