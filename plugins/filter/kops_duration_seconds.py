# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: kops_duration_seconds
short_description: The number of seconds in a cloudops.kops duration
version_added: 0.1.0
author: cloudops.kops maintainers (@cloudops)
description:
  - Reads a duration the way every cloudops.kops module reads its duration options, so that roles check and
    compute durations with the modules' own rules.
  - A duration is a Go duration string as kops and kubectl write it (V(90s), V(15m), V(1h30m)) or a whole number
    of seconds (V(600) or V('600')). V(0), V('') and V(null) are the zero duration.
  - Anything else, a negative value included, is an error that names the value. The test
    P(cloudops.kops.kops_duration#test) says whether a value is a duration without failing.
options:
  _input:
    description: The duration.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Refuse an admin credential that would be renewed on every run
  ansible.builtin.assert:
    that: cluster_admin_ttl | cloudops.kops.kops_duration_seconds > 3600
    fail_msg: cluster_admin_ttl must be longer than 1h.

- name: Wait as long as the user asked, in whole seconds
  ansible.builtin.wait_for:
    port: 22
    timeout: "{{ wait_timeout | cloudops.kops.kops_duration_seconds | round(0, 'ceil') | int }}"
"""

RETURN = r"""
_value:
  description: The duration in seconds, never negative.
  type: float
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import parse_duration


def kops_duration_seconds(value):
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise AnsibleFilterError("kops_duration_seconds: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"kops_duration_seconds": kops_duration_seconds}
