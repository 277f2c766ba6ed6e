# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import FakeS3, fake_binary


@pytest.fixture(autouse=True)
def fake_state_store_s3(monkeypatch):
    """Module tests never reach AWS: the state store lock talks to an in-memory S3."""
    from ansible_collections.cloudops.kops.plugins.module_utils import _kops_lock
    s3 = FakeS3()
    monkeypatch.setattr(_kops_lock, 's3_client', lambda params: s3)
    return s3


@pytest.fixture(autouse=True)
def no_kops_version_cache(monkeypatch):
    """Module tests script every kops call, `kops version --short` too: the version cache is off
    (test__kops_runner.py tests it on its own)."""
    from ansible_collections.cloudops.kops.plugins.module_utils import _kops_runner
    monkeypatch.setattr(_kops_runner, 'VERSION_CACHE', False)


@pytest.fixture
def kops_binary(tmp_path):
    """A kops_binary option value; run_command is mocked, so the file never runs."""
    return fake_binary(tmp_path)


@pytest.fixture(autouse=True)
def module_tmpdir_under_tmp_path(tmp_path, monkeypatch):
    """AnsibleModule.tmpdir is removed at interpreter exit (atexit), which pytest-xdist workers skip; made in
    the system default it piled up in /tmp, one empty directory per module test. Under tmp_path it goes with
    pytest's own clean-up."""
    import tempfile
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
