# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``patch_module_args`` for every ansible-core the collection supports (meta/runtime.yml: >= 2.17).

ansible-core 2.19 ships ``ansible.module_utils.testing.patch_module_args`` and needs it (a module's
arguments carry a serialization profile there); 2.17 and 2.18 do not have it and read the arguments
from ``basic._ANSIBLE_ARGS`` as JSON (make units-2.17 runs the unit tests there)."""

from __future__ import annotations

import contextlib
import json

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

__all__ = ["patch_module_args"]
