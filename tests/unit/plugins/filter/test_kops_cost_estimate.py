# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.kops.plugins.filter.kops_cost_estimate import FilterModule, kops_cost_estimate

TABLE = {
    "currency": "USD",
    "source": "test table",
    "as_of": "2026-11-21",
    "regions": {
        "us-west-2": {
            "instances": {"t3.medium": 0.0416, "m5.large": 0.096},
            "load_balancers": {"classic": 0.025, "network": 0.0225},
        },
        "eu-west-1": {"instances": {"t3.medium": 0.0456}},
    },
}


def test_registered_under_its_name():
    assert FilterModule().filters() == {"kops_cost_estimate": kops_cost_estimate}


def test_tutorial_classic_load_balancer_is_about_18_dollars_a_month():
    result = kops_cost_estimate({"load_balancers": {"classic": 1}}, TABLE, "us-west-2")
    assert result["hourly"] == 0.025
    assert result["monthly"] == 18.25
    assert result["hours_per_month"] == 730
    assert result["complete"] is True


def test_fleetman_cluster_four_t3_medium_and_a_network_load_balancer():
    result = kops_cost_estimate(
        {"instances": {"t3.medium": 4}, "load_balancers": {"network": 1}}, TABLE, "us-west-2")
    assert result["items"] == [
        {"kind": "instance", "type": "t3.medium", "count": 4, "unit_hourly": 0.0416, "hourly": 0.1664, "monthly": 121.47},
        {"kind": "load_balancer", "type": "network", "count": 1, "unit_hourly": 0.0225, "hourly": 0.0225, "monthly": 16.43},
    ]
    # 0.1889 * 730 = 137.897: the total is rounded once, not summed from rounded lines
    assert result["hourly"] == 0.1889
    assert result["monthly"] == 137.90
    assert result["unpriced"] == []
    assert (result["currency"], result["source"], result["as_of"], result["region"]) == ("USD", "test table", "2026-11-21", "us-west-2")


def test_list_form_is_summed_per_type_and_sorted():
    usage = {"instances": [{"type": "t3.medium", "count": 1}, {"type": "m5.large", "count": 2}, {"type": "t3.medium", "count": 3}]}
    result = kops_cost_estimate(usage, TABLE, "us-west-2")
    assert [(i["type"], i["count"]) for i in result["items"]] == [("m5.large", 2), ("t3.medium", 4)]
    assert result["hourly"] == round(2 * 0.096 + 4 * 0.0416, 4)


def test_region_changes_the_price():
    result = kops_cost_estimate({"instances": {"t3.medium": 1}}, TABLE, "eu-west-1")
    assert result["hourly"] == 0.0456
    assert result["monthly"] == 33.29


def test_unknown_type_is_listed_and_left_out_of_the_total():
    result = kops_cost_estimate({"instances": {"t3.medium": 1, "x9.huge": 2}, "load_balancers": {"application": 1}}, TABLE, "us-west-2")
    assert result["hourly"] == 0.0416
    assert result["complete"] is False
    assert result["unpriced"] == [
        {"kind": "instance", "type": "x9.huge", "count": 2},
        {"kind": "load_balancer", "type": "application", "count": 1},
    ]


def test_unknown_region_prices_nothing():
    result = kops_cost_estimate({"instances": {"t3.medium": 2}}, TABLE, "ap-south-1")
    assert result["items"] == []
    assert result["hourly"] == 0.0
    assert result["unpriced"] == [{"kind": "instance", "type": "t3.medium", "count": 2}]


def test_zero_counts_are_dropped_and_hours_per_month_is_honoured():
    result = kops_cost_estimate({"instances": {"t3.medium": 0, "m5.large": 1}}, TABLE, "us-west-2", hours_per_month=720)
    assert [i["type"] for i in result["items"]] == ["m5.large"]
    assert result["monthly"] == 69.12
    assert result["hours_per_month"] == 720


def test_empty_usage_costs_nothing():
    result = kops_cost_estimate({}, TABLE, "us-west-2")
    assert (result["hourly"], result["monthly"], result["complete"]) == (0.0, 0.0, True)


@pytest.mark.parametrize("usage, table, region, hours, message", [
    ("t3.medium", TABLE, "us-west-2", 730, "must be a dictionary"),
    ({"nodes": {"t3.medium": 1}}, TABLE, "us-west-2", 730, "unknown input keys nodes"),
    ({"instances": {"t3.medium": "many"}}, TABLE, "us-west-2", 730, "not a number"),
    ({"instances": {"t3.medium": -1}}, TABLE, "us-west-2", 730, "negative"),
    ({"instances": ["t3.medium"]}, TABLE, "us-west-2", 730, "'type' and 'count'"),
    ({"instances": {"t3.medium": 1}}, {"t3.medium": 1}, "us-west-2", 730, "'regions' dictionary"),
    ({"instances": {"t3.medium": 1}}, TABLE, "", 730, "region is required"),
    ({"instances": {"t3.medium": 1}}, TABLE, "us-west-2", 0, "must be positive"),
    ({"instances": {"t3.medium": 1}}, TABLE, "us-west-2", "month", "not a number"),
    ({"instances": {"t3.medium": 1}}, {"regions": {"us-west-2": {"instances": {"t3.medium": "cheap"}}}}, "us-west-2", 730, "not a number"),
    ({"instances": {"t3.medium": 1}}, {"regions": {"us-west-2": {"instances": {"t3.medium": -0.1}}}}, "us-west-2", 730, "negative"),
])
def test_bad_input_fails_clearly(usage, table, region, hours, message):
    with pytest.raises(AnsibleFilterError, match=message):
        kops_cost_estimate(usage, table, region, hours)
