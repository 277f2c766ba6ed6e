# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: kops_s3_bucket_name
short_description: Whether a value is a valid name for a new S3 general purpose bucket
version_added: 0.1.0
author: cloudops.kops maintainers (@cloudops)
description:
  - True when the value follows the S3 naming rules for general purpose buckets, false otherwise.
  - A name has 3 to 63 characters, lowercase letters, digits, dots and hyphens, starts and ends with a letter or
    a digit, has no V(..), V(.-) or V(-.), is not shaped like an IP address, does not start with V(xn--),
    V(sthree-) or V(amzn-s3-demo-) and does not end with V(-s3alias), V(--ol-s3), V(--x-s3) or V(--table-s3).
  - A URL such as V(s3://my-bucket) is not a bucket name, so a role can refuse it before it reads or writes
    anything, rather than find no such bucket.
  - Buckets made in us-east-1 before March 2018 could have names outside these rules; this test refuses them.
seealso:
  - name: Bucket naming rules
    description: The rules for general purpose buckets in the Amazon S3 user guide.
    link: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
options:
  _input:
    description: The value to check.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Refuse a state store bucket name S3 would refuse
  ansible.builtin.assert:
    that: state_store_bucket is cloudops.kops.kops_s3_bucket_name
    fail_msg: "{{ state_store_bucket | to_json }} is not an S3 bucket name (give the bare name, without s3://)"
"""

RETURN = r"""
_value:
  description: Whether the value is a valid bucket name.
  type: bool
"""

import re

_SHAPE = re.compile(r'[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z')
_IP_ADDRESS = re.compile(r'[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\Z')
_RESERVED_PREFIXES = ('xn--', 'sthree-', 'amzn-s3-demo-')
_RESERVED_SUFFIXES = ('-s3alias', '--ol-s3', '--x-s3', '--table-s3')


def kops_s3_bucket_name(value):
    if not isinstance(value, str) or not _SHAPE.match(value):
        return False
    if '..' in value or '.-' in value or '-.' in value or _IP_ADDRESS.match(value):
        return False
    return not value.startswith(_RESERVED_PREFIXES) and not value.endswith(_RESERVED_SUFFIXES)


class TestModule(object):
    def tests(self):
        return {"kops_s3_bucket_name": kops_s3_bucket_name}
