# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

# The module, not its TestModule class, which pytest would take for a test class.
from ansible_collections.cloudops.kops.plugins.test import kops_duration as plugin
from ansible_collections.cloudops.kops.plugins.test.kops_duration import kops_duration


def test_registered_under_its_name():
    assert plugin.TestModule().tests() == {"kops_duration": kops_duration}


@pytest.mark.parametrize("value", ["18h", "1h30m", "90s", "1.5h", "500ms", 600, "600", 0, "0", "", None])
def test_true_for_durations(value):
    assert kops_duration(value) is True


@pytest.mark.parametrize("value", ["-5m", -1, "15 minutes", "1d", "h", "10s5", True, {"s": 1}])
def test_false_for_anything_else(value):
    assert kops_duration(value) is False
