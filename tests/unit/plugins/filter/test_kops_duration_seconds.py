# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.kops.plugins.filter.kops_duration_seconds import FilterModule, kops_duration_seconds
from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import parse_duration


def test_registered_under_its_name():
    assert FilterModule().filters() == {"kops_duration_seconds": kops_duration_seconds}


@pytest.mark.parametrize("value, seconds", [
    ("18h", 64800.0), ("1h30m", 5400.0), ("90s", 90.0), ("1.5h", 5400.0), ("500ms", 0.5),
    (600, 600.0), ("600", 600.0), (" 600 ", 600.0), (0, 0.0), ("0", 0.0), ("", 0.0), (None, 0.0),
])
def test_reads_go_durations_and_seconds(value, seconds):
    assert kops_duration_seconds(value) == seconds
    # The modules' own parser, so a role and a module never disagree.
    assert kops_duration_seconds(value) == parse_duration(value)


@pytest.mark.parametrize("value", ["-5m", -1, "15 minutes", "1d", "h", True, [1]])
def test_refuses_what_a_module_refuses(value):
    with pytest.raises(ValueError):
        parse_duration(value)
    with pytest.raises(AnsibleFilterError, match="^kops_duration_seconds: "):
        kops_duration_seconds(value)
