# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this doc fragment is internal to cloudops.kops and may change without notice.

from __future__ import annotations


class ModuleDocFragment(object):

    # ansible.builtin.action_common_attributes has no idempotent attribute (ansible-core 2.17 to 2.19).
    IDEMPOTENT = r'''
options: {}
attributes:
  idempotent:
    description:
      - Whether a second run with the same options, against a system nobody changed in between, reports no change.
'''
