#!/usr/bin/env python
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Create or delete a classic ELB tagged the way the Kubernetes cloud controller tags a Service's.

Test helper: amazon.aws.elb_classic_lb cannot create one on moto 5.2.5 (moto answers 500 to
DescribeLoadBalancerAttributes for a load balancer that does not exist yet). Uses the AWS_* environment.
usage: service_elb.py present|absent NAME CLUSTER NAMESPACE/SERVICE
"""

from __future__ import annotations

import sys

import boto3


def main(state, name, cluster, service):
    elb = boto3.client("elb")
    if state == "absent":
        elb.delete_load_balancer(LoadBalancerName=name)
        return
    elb.create_load_balancer(
        LoadBalancerName=name,
        AvailabilityZones=["us-west-2a"],
        Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 80, "InstanceProtocol": "TCP", "InstancePort": 30080}],
        Tags=[
            {"Key": "kubernetes.io/cluster/%s" % cluster, "Value": "owned"},
            {"Key": "kubernetes.io/service-name", "Value": service},
        ],
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
