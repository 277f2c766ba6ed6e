# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: kops_cost_estimate
short_description: Estimate the hourly and monthly cost of a cluster's instances and load balancers
version_added: 0.1.0
author: cloudops.kops maintainers (@cloudops)
description:
  - Multiplies counts of instances (by instance type) and load balancers (by class) by the on-demand hourly prices of a
    price table, for one region.
  - The monthly figure is the hourly figure times O(hours_per_month), 730 by default (the convention AWS's own
    pricing calculator uses, 24 hours times 365 days divided by 12 months).
  - Only the hourly base charge is counted. EBS volumes, data transfer, load balancer capacity units (LCU/NLCU),
    NAT gateways and any discounts are not included.
  - Anything without a price in the table is listed in RV(_value.unpriced) and left out of the totals, and
    RV(_value.complete) is then V(false).
options:
  _input:
    description:
      - What runs. A dictionary with the optional keys C(instances) and C(load_balancers).
      - C(instances) maps an instance type (for example V(t3.medium)) to the number of running instances.
      - C(load_balancers) maps a load balancer class (V(classic), V(network) or V(application)) to a count.
      - Each mapping may also be given as a list of dictionaries with the keys C(type) and C(count).
    type: dict
    required: true
  price_table:
    description:
      - The price table. A dictionary with C(regions) (region name to a dictionary with C(instances) and
        C(load_balancers), each mapping a type to an hourly price), and optionally C(currency), C(source) and
        C(as_of), which are copied into the result.
      - The R(cloudops.kops.inspect role,ansible_collections.cloudops.kops.inspect_role) ships one as
        C(inspect_price_table).
    type: dict
    required: true
  region:
    description: The AWS region whose prices apply.
    type: str
    required: true
  hours_per_month:
    description: How many hours make a month.
    type: float
    default: 730
"""

EXAMPLES = r"""
- name: Price the tutorial's cluster (four t3.medium and a classic API load balancer)
  ansible.builtin.debug:
    msg: >-
      {{ {'instances': {'t3.medium': 4}, 'load_balancers': {'classic': 1}}
         | cloudops.kops.kops_cost_estimate(price_table=inspect_price_table, region='us-west-2') }}
    # With the shipped table: hourly 0.1914, monthly 139.72 (the classic load balancer alone: 0.025, 18.25)
"""

RETURN = r"""
_value:
  description: The estimate.
  type: dict
  contains:
    region:
      description: The region priced.
      type: str
    currency:
      description: The currency of every figure, from the price table (V(USD) when the table does not say).
      type: str
    hours_per_month:
      description: The hours-per-month convention used.
      type: float
    source:
      description: Where the prices come from, copied from the price table.
      type: str
    as_of:
      description: The date of the prices, copied from the price table.
      type: str
    items:
      description:
        - One entry per priced type, with C(kind) (V(instance) or V(load_balancer)), C(type), C(count),
          C(unit_hourly), C(hourly) and C(monthly).
      type: list
      elements: dict
    unpriced:
      description: Entries with C(kind), C(type) and C(count) that the table has no price for.
      type: list
      elements: dict
    hourly:
      description: Total per hour, rounded to 4 decimal places.
      type: float
    monthly:
      description: Total per month, rounded to 2 decimal places.
      type: float
    complete:
      description: V(true) when every entry had a price.
      type: bool
"""

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from ansible.errors import AnsibleFilterError

# Table key for each input key.
_KINDS = (
    ("instances", "instance"),
    ("load_balancers", "load_balancer"),
)


def _counts(value, what):
    """Normalise ``{type: count}`` or ``[{type, count}]`` into a sorted list of (type, count)."""
    if value is None:
        return []
    pairs = []
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for entry in value:
            if not isinstance(entry, Mapping) or "type" not in entry:
                raise AnsibleFilterError(
                    "kops_cost_estimate: every entry of %s must be a dictionary with 'type' and 'count', got %r" % (what, entry)
                )
            pairs.append((entry["type"], entry.get("count", 1)))
    else:
        raise AnsibleFilterError("kops_cost_estimate: %s must be a dictionary or a list, got %s" % (what, type(value).__name__))
    totals = {}
    for type_name, count in pairs:
        try:
            count = int(count)
        except (TypeError, ValueError):
            raise AnsibleFilterError("kops_cost_estimate: the count of %s %r is not a number: %r" % (what, type_name, count))
        if count < 0:
            raise AnsibleFilterError("kops_cost_estimate: the count of %s %r is negative: %d" % (what, type_name, count))
        if count:
            totals[str(type_name)] = totals.get(str(type_name), 0) + count
    return sorted(totals.items())


def _price(table, type_name):
    if not isinstance(table, Mapping) or table.get(type_name) is None:
        return None
    try:
        price = Decimal(str(table[type_name]))
    except ArithmeticError:
        raise AnsibleFilterError("kops_cost_estimate: the price of %r is not a number: %r" % (type_name, table[type_name]))
    if price < 0:
        raise AnsibleFilterError("kops_cost_estimate: the price of %r is negative: %s" % (type_name, price))
    return price


def _round(value, places):
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def kops_cost_estimate(usage, price_table, region, hours_per_month=730):
    if not isinstance(usage, Mapping):
        raise AnsibleFilterError("kops_cost_estimate: the input must be a dictionary with 'instances' and/or 'load_balancers'")
    unknown = sorted(set(usage) - set(key for key, dummy in _KINDS))
    if unknown:
        raise AnsibleFilterError("kops_cost_estimate: unknown input keys %s; expected 'instances' and 'load_balancers'" % ", ".join(unknown))
    if not isinstance(price_table, Mapping) or not isinstance(price_table.get("regions"), Mapping):
        raise AnsibleFilterError("kops_cost_estimate: price_table must be a dictionary with a 'regions' dictionary")
    if not region:
        raise AnsibleFilterError("kops_cost_estimate: region is required")
    try:
        hours = Decimal(str(hours_per_month))
    except ArithmeticError:
        raise AnsibleFilterError("kops_cost_estimate: hours_per_month is not a number: %r" % (hours_per_month,))
    if hours <= 0:
        raise AnsibleFilterError("kops_cost_estimate: hours_per_month must be positive")

    region_prices = price_table["regions"].get(region) or {}
    items = []
    unpriced = []
    hourly_total = Decimal(0)
    for key, kind in _KINDS:
        prices = region_prices.get(key) if isinstance(region_prices, Mapping) else None
        for type_name, count in _counts(usage.get(key), key):
            unit = _price(prices, type_name)
            if unit is None:
                unpriced.append({"kind": kind, "type": type_name, "count": count})
                continue
            hourly = unit * count
            hourly_total += hourly
            items.append({
                "kind": kind,
                "type": type_name,
                "count": count,
                "unit_hourly": float(unit),
                "hourly": _round(hourly, 4),
                "monthly": _round(hourly * hours, 2),
            })

    return {
        "region": region,
        "currency": price_table.get("currency", "USD"),
        "hours_per_month": float(hours),
        "source": price_table.get("source", ""),
        "as_of": str(price_table.get("as_of", "")),
        "items": items,
        "unpriced": unpriced,
        "hourly": _round(hourly_total, 4),
        "monthly": _round(hourly_total * hours, 2),
        "complete": not unpriced,
    }


class FilterModule(object):
    def filters(self):
        return {"kops_cost_estimate": kops_cost_estimate}
