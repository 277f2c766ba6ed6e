# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the end-to-end tests. They drive the playbooks against the local test bed (moto as
AWS, the kops stand-in as kops), started by ``tests/testbed/run``."""

from __future__ import annotations

import os

import boto3
import pytest
import yaml


@pytest.fixture(scope="session")
def testbed_vars() -> dict:
    path = os.environ.get("TESTBED_EXTRA_VARS")
    if not path:
        pytest.fail("the end-to-end tests need the test bed: run them as `tests/testbed/run -- .venv/bin/pytest tests/e2e`")
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def aws(testbed_vars):
    """boto3 clients on the test bed's endpoint."""

    def client(service: str):
        return boto3.client(service, endpoint_url=testbed_vars["kops_aws_endpoint_url"],
                            region_name=testbed_vars["kops_aws_region"],
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return client
