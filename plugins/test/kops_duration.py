# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: kops_duration
short_description: Whether a value is a cloudops.kops duration
version_added: 0.1.0
author: cloudops.kops maintainers (@cloudops)
description:
  - True when every cloudops.kops module would accept the value in a duration option, false otherwise.
  - A duration is a Go duration string as kops and kubectl write it (V(90s), V(15m), V(1h30m)) or a whole number
    of seconds (V(600) or V('600')). V(0), V('') and V(null) are the zero duration. Negative values are not
    durations.
  - Lets a role collect every bad setting in one message before anything is written; the filter
    P(cloudops.kops.kops_duration_seconds#filter) then gives the number of seconds.
options:
  _input:
    description: The value to check.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Name every setting that is not a duration
  ansible.builtin.assert:
    that: bad | length == 0
    fail_msg: "{{ bad | join(', ') }} are not durations such as 90s, 15m, 1h30m or 600"
  vars:
    bad: "{{ {'validate_timeout': validate_timeout, 'admin_ttl': admin_ttl} | dict2items
             | rejectattr('value', 'cloudops.kops.kops_duration') | map(attribute='key') | list }}"
"""

RETURN = r"""
_value:
  description: Whether the value is a duration.
  type: bool
"""

from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import parse_duration


def kops_duration(value):
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True


class TestModule(object):
    def tests(self):
        return {"kops_duration": kops_duration}
