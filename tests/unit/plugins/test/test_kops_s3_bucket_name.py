# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

# The module, not its TestModule class, which pytest would take for a test class.
from ansible_collections.cloudops.kops.plugins.test import kops_s3_bucket_name as plugin
from ansible_collections.cloudops.kops.plugins.test.kops_s3_bucket_name import kops_s3_bucket_name


def test_registered_under_its_name():
    assert plugin.TestModule().tests() == {"kops_s3_bucket_name": kops_s3_bucket_name}


@pytest.mark.parametrize("value", ["abc", "my-kops-state", "kops.state.example.com", "a1-b2.c3", "0kops9", "x" * 63,
                                   "xn-kops", "kops-s3alias-2", "192.168.1.1a"])
def test_true_for_valid_names(value):
    assert kops_s3_bucket_name(value) is True


@pytest.mark.parametrize("value", [
    "ab", "x" * 64, "s3://my-kops-state", "My-Bucket", "my_bucket", "-kops", "kops-", ".kops", "kops.",
    "kops..state", "kops.-state", "kops-.state", "192.168.1.1", "xn--kops", "sthree-kops", "amzn-s3-demo-kops",
    "kops-s3alias", "kops--ol-s3", "kops--x-s3", "kops--table-s3", "kops state", "kops\n", "", None, 123, ["kops"],
])
def test_false_for_anything_else(value):
    assert kops_s3_bucket_name(value) is False
