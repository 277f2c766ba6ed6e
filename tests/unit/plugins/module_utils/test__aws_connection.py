# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils._aws_connection import boto3_clients

boto3 = pytest.importorskip('boto3')


def test_boto3_clients_are_made_in_the_order_asked_from_the_connection_options():
    params = {'region': 'eu-west-1', 'endpoint_url': 'http://127.0.0.1:5000', 'access_key': 'AK', 'secret_key': 'SK'}
    autoscaling, ec2 = boto3_clients(params, 'autoscaling', 'ec2')
    assert autoscaling.meta.service_model.service_name == 'autoscaling'
    assert ec2.meta.service_model.service_name == 'ec2'
    for client in (autoscaling, ec2):
        assert client.meta.region_name == 'eu-west-1'
        assert client.meta.endpoint_url == 'http://127.0.0.1:5000'
        assert client._request_signer._credentials.access_key == 'AK'  # pylint: disable=protected-access
