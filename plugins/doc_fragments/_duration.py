# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this doc fragment is internal to cloudops.kops and may change without notice.

from __future__ import annotations


class ModuleDocFragment(object):

    # The one place that describes the duration type; parser: plugins/module_utils/_kops_duration.py.
    DOCUMENTATION = r'''
options: {}
notes:
  - "Durations: every duration option of the cloudops.kops modules (for example C(admin_ttl), C(renew_before),
    C(wait_timeout), C(wait_sleep), C(delete_timeout)) takes a Go duration string as kops and kubectl write it
    (V(90s), V(15m), V(1h30m), V(87600h)) or a whole number of seconds (V(600), or the string V('600')).
    V(0) and the empty string V('') mean the same thing everywhere, a zero duration: no admin credential for a
    TTL, a single check and no waiting for a wait. Negative values and other text are rejected before kops runs.
    Durations handed to kops are written in Go syntax (V(600) becomes C(10m))."
'''
