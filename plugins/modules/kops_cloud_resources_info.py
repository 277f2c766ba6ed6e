#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, cloudops.kops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kops_cloud_resources_info
short_description: List the AWS resources that belong to a kops cluster
version_added: 0.1.0
description:
  - Lists every AWS resource in one region that carries a kops cluster's ownership tags, C(KubernetesCluster=<name>)
    or C(kubernetes.io/cluster/<name>=owned), across EC2, VPC, Auto Scaling, Elastic Load Balancing (classic and v2),
    IAM, SQS and EventBridge.
  - Meant for audits, above all after C(kops delete cluster), when anything it returns is a leftover that still costs
    money or blocks a new cluster of the same name.
  - Also meant for reports. One call with O(kinds=[instance, autoscaling_group, load_balancer, load_balancer_v2])
    returns what the C(cloudops.kops.inspect) role joins with the instance groups. EC2 and Auto Scaling are asked
    with server-side tag filters.
  - Load balancers and security groups that the Kubernetes cloud controller made for C(LoadBalancer) Services carry
    the tag C(kubernetes.io/service-name); the module returns that Service's C(namespace/name) in RV(resources[].service_name).
  - IAM roles and instance profiles are global and cannot be searched by tag. The module reads the tags of those named
    C(<something>.<name>), the way kops names them (C(masters.<name>), C(nodes.<name>), C(bastions.<name>)), and keeps
    those with the cluster's tags or a kops role prefix.
  - SSH key pairs are kept when tagged for the cluster or named C(kubernetes.<name>-<fingerprint>), the way kops names
    them.
  - The SQS queue and EventBridge rules kops makes for the node termination handler are found by kops's names
    (C(<name with dashes>-nth), C(<name>-<event>)) and kept when tagged for the cluster.
  - Resources tagged C(kubernetes.io/cluster/<name>=shared) belong to someone else (for example a VPC that the cluster
    borrowed) and are left out.
author:
  - cloudops.kops maintainers (@cloudops)
options:
  name:
    description:
      - The cluster name, for example V(fleetman.k8s.local).
    type: str
    required: true
    aliases: [cluster_name]
  kinds:
    description:
      - Which kinds of resource to look for. All of them by default.
      - V(load_balancer) is a classic load balancer; V(load_balancer_v2) is a network, application or gateway load
        balancer.
    type: list
    elements: str
    choices:
      - instance
      - volume
      - network_interface
      - elastic_ip
      - nat_gateway
      - security_group
      - subnet
      - route_table
      - internet_gateway
      - dhcp_options
      - vpc
      - key_pair
      - launch_template
      - autoscaling_group
      - load_balancer
      - load_balancer_v2
      - target_group
      - iam_role
      - iam_instance_profile
      - sqs_queue
      - eventbridge_rule
  include_terminated:
    description:
      - Also return instances in state C(terminated) and NAT gateways in state C(deleted), which AWS keeps listing for
        a while after they are gone and which cost nothing.
    type: bool
    default: false
extends_documentation_fragment:
  - cloudops.kops._aws_connection
  - cloudops.kops._attributes.IDEMPOTENT
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  action_group:
    support: none
    details:
      - Not in C(group/cloudops.kops.kops), whose defaults (such as C(state_store)) are kops options this module does
        not have. Set its AWS connection options directly or through C(module_defaults) for this module.
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: N/A
    details: The module only reads.
  idempotent:
    support: full
    details: The module never changes anything.
  platform:
    platforms: all
requirements:
  - boto3
  - botocore
  - amazon.aws (the collection), whose AWS connection and retry helpers the module uses.
notes:
  - Resources that are not tagged at all (kops tags everything it makes) are not found.
  - Route 53 records and the objects in the state store are not listed.
"""

EXAMPLES = r"""
- name: List what is left of a cluster after kops delete cluster
  cloudops.kops.kops_cloud_resources_info:
    name: fleetman.k8s.local
    region: us-west-2
  register: leftovers

- name: Fail when anything is left
  ansible.builtin.assert:
    that: leftovers.resources | length == 0
    fail_msg: "Still there: {{ leftovers.resources | map(attribute='kind') | zip(leftovers.resources | map(attribute='id')) | map('join', ' ') | join(', ') }}"

- name: Only the load balancers, for example those Kubernetes Services made
  cloudops.kops.kops_cloud_resources_info:
    name: fleetman.k8s.local
    kinds: [load_balancer, load_balancer_v2]
  register: lbs
"""

RETURN = r"""
resources:
  description: The resources found, sorted by kind (in the order of O(kinds)) and then by id.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: The kind of resource, one of the O(kinds) choices.
      type: str
      sample: load_balancer
    id:
      description: The AWS identifier (instance id, ARN of a v2 load balancer, name of a classic load balancer, ...).
      type: str
      sample: i-0123456789abcdef0
    name:
      description: The C(Name) tag, else the resource's own name.
      type: str
      sample: nodes-us-west-2a.fleetman.k8s.local
    state:
      description: The state AWS reports, when the kind has one.
      type: str
      sample: running
    tags:
      description: All the resource's tags.
      type: dict
      sample: {"KubernetesCluster": "fleetman.k8s.local"}
    service_name:
      description: The C(namespace/name) of the Kubernetes Service that made the resource, else V(null).
      type: str
      sample: default/fleetman-webapp
    matched_by:
      description: V(tags) when the ownership tags matched, V(name) when only the kops naming pattern did.
      type: str
      sample: tags
    details:
      description:
        - Kind-specific facts, for example C(type), C(load_balancer_name), C(dns_name) and C(scheme) of a load
          balancer, C(instance_type), C(availability_zone) and C(auto_scaling_group) of an instance.
        - For an Auto Scaling Group, C(min_size), C(max_size), C(desired_capacity), C(instance_ids) and
          C(instances), its members with C(instance_id), C(lifecycle_state), C(health_status) and
          C(availability_zone).
      type: dict
      sample: {"type": "network", "load_balancer_name": "api-fleetman-k8s-local-tkmafs",
               "dns_name": "api-fleetman-k8s-local-tkmafs-1.us-west-2.elb.amazonaws.com", "scheme": "internet-facing"}
counts:
  description: How many resources of each kind were found (kinds with none are left out).
  returned: always
  type: dict
  sample: {"load_balancer": 1}
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.cloudops.kops.plugins.module_utils._aws_connection import aws_connection_argument_spec

KINDS = (
    "instance",
    "volume",
    "network_interface",
    "elastic_ip",
    "nat_gateway",
    "security_group",
    "subnet",
    "route_table",
    "internet_gateway",
    "dhcp_options",
    "vpc",
    "key_pair",
    "launch_template",
    "autoscaling_group",
    "load_balancer",
    "load_balancer_v2",
    "target_group",
    "iam_role",
    "iam_instance_profile",
    "sqs_queue",
    "eventbridge_rule",
)

# kops's IAM role and instance profile names: <prefix>.<cluster>.
IAM_PREFIXES = ("masters", "nodes", "bastions", "control-plane", "apiserver")

SERVICE_TAG = "kubernetes.io/service-name"

# Tag calls of Elastic Load Balancing take at most 20 names or ARNs.
ELB_TAG_BATCH = 20


def tags_as_dict(tags):
    if not tags:
        return {}
    if isinstance(tags, dict):
        return dict(tags)
    return dict((t.get("Key", t.get("key")), t.get("Value", t.get("value", ""))) for t in tags)


def is_tagged_for(tags, cluster):
    # 'shared' means borrowed (for example a VPC the user made): not the cluster's to report.
    return tags.get("KubernetesCluster") == cluster or tags.get("kubernetes.io/cluster/%s" % cluster) == "owned"


def owner_filters(cluster):
    """EC2 server-side filters, one query per ownership tag (EC2 filters AND across names)."""
    return (
        [{"Name": "tag:KubernetesCluster", "Values": [cluster]}],
        [{"Name": "tag:kubernetes.io/cluster/%s" % cluster, "Values": ["owned"]}],
    )


@AWSRetry.jittered_backoff(retries=10)
def paginate(client, operation, result_key, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result().get(result_key, [])


@AWSRetry.jittered_backoff(retries=10)
def call(client, operation, **params):
    return getattr(client, operation)(**params)


def entry(kind, resource_id, tags, name=None, state=None, matched_by="tags", **details):
    tags = tags_as_dict(tags)
    return {
        "kind": kind,
        "id": resource_id,
        "name": tags.get("Name") or name or resource_id,
        "state": state,
        "tags": tags,
        "service_name": tags.get(SERVICE_TAG),
        "matched_by": matched_by,
        "details": dict((k, v) for k, v in details.items() if v is not None),
    }


class Lister:
    """One method per kind; each returns a list of entries for the cluster."""

    def __init__(self, client_factory, cluster, include_terminated=False):
        self._client_factory = client_factory
        self._clients = {}
        self.cluster = cluster
        self.include_terminated = include_terminated

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = self._client_factory(service)
        return self._clients[service]

    def list(self, kinds):
        found = []
        for kind in kinds:
            found.extend(sorted(getattr(self, "list_" + kind)(), key=lambda e: e["id"]))
        return found

    def _tagged(self, operation, result_key, id_key, tags_key="Tags", flatten=None, service="ec2"):
        """Union of the two owner-filtered queries, re-checked here in case a filter is not honoured."""
        seen = {}
        for filters in owner_filters(self.cluster):
            items = paginate(self.client(service), operation, result_key, Filters=filters)
            if flatten:
                items = [inner for outer in items for inner in outer.get(flatten, [])]
            for item in items:
                seen[item[id_key]] = item
        return [item for item in seen.values() if is_tagged_for(tags_as_dict(item.get(tags_key)), self.cluster)]

    def list_instance(self):
        result = []
        for item in self._tagged("describe_instances", "Reservations", "InstanceId", flatten="Instances"):
            state = item["State"]["Name"]
            if state == "terminated" and not self.include_terminated:
                continue
            tags = tags_as_dict(item.get("Tags"))
            result.append(entry("instance", item["InstanceId"], tags, state=state,
                                instance_type=item.get("InstanceType"),
                                availability_zone=item.get("Placement", {}).get("AvailabilityZone"),
                                auto_scaling_group=tags.get("aws:autoscaling:groupName")))
        return result

    def list_volume(self):
        return [entry("volume", v["VolumeId"], v.get("Tags"), state=v.get("State"), size=v.get("Size"),
                      volume_type=v.get("VolumeType"))
                for v in self._tagged("describe_volumes", "Volumes", "VolumeId")]

    def list_network_interface(self):
        return [entry("network_interface", n["NetworkInterfaceId"], n.get("TagSet"), state=n.get("Status"),
                      description=n.get("Description"))
                for n in self._tagged("describe_network_interfaces", "NetworkInterfaces", "NetworkInterfaceId", tags_key="TagSet")]

    def list_elastic_ip(self):
        seen = {}
        for filters in owner_filters(self.cluster):
            for address in call(self.client("ec2"), "describe_addresses", Filters=filters).get("Addresses", []):
                seen[address.get("AllocationId") or address.get("PublicIp")] = address
        return [entry("elastic_ip", key, a.get("Tags"), name=a.get("PublicIp"), public_ip=a.get("PublicIp"))
                for key, a in seen.items() if is_tagged_for(tags_as_dict(a.get("Tags")), self.cluster)]

    def list_nat_gateway(self):
        result = []
        for n in self._tagged("describe_nat_gateways", "NatGateways", "NatGatewayId"):
            if n.get("State") == "deleted" and not self.include_terminated:
                continue
            result.append(entry("nat_gateway", n["NatGatewayId"], n.get("Tags"), state=n.get("State"), vpc_id=n.get("VpcId")))
        return result

    def list_security_group(self):
        return [entry("security_group", g["GroupId"], g.get("Tags"), name=g.get("GroupName"), vpc_id=g.get("VpcId"))
                for g in self._tagged("describe_security_groups", "SecurityGroups", "GroupId")]

    def list_subnet(self):
        return [entry("subnet", s["SubnetId"], s.get("Tags"), state=s.get("State"), vpc_id=s.get("VpcId"),
                      availability_zone=s.get("AvailabilityZone"), cidr_block=s.get("CidrBlock"))
                for s in self._tagged("describe_subnets", "Subnets", "SubnetId")]

    def list_route_table(self):
        return [entry("route_table", r["RouteTableId"], r.get("Tags"), vpc_id=r.get("VpcId"))
                for r in self._tagged("describe_route_tables", "RouteTables", "RouteTableId")]

    def list_internet_gateway(self):
        return [entry("internet_gateway", g["InternetGatewayId"], g.get("Tags"),
                      vpc_ids=[a.get("VpcId") for a in g.get("Attachments", [])])
                for g in self._tagged("describe_internet_gateways", "InternetGateways", "InternetGatewayId")]

    def list_dhcp_options(self):
        return [entry("dhcp_options", d["DhcpOptionsId"], d.get("Tags"))
                for d in self._tagged("describe_dhcp_options", "DhcpOptions", "DhcpOptionsId")]

    def list_vpc(self):
        return [entry("vpc", v["VpcId"], v.get("Tags"), state=v.get("State"), cidr_block=v.get("CidrBlock"))
                for v in self._tagged("describe_vpcs", "Vpcs", "VpcId")]

    def list_key_pair(self):
        prefix = "kubernetes.%s-" % self.cluster
        result = []
        for k in call(self.client("ec2"), "describe_key_pairs").get("KeyPairs", []):
            tags = tags_as_dict(k.get("Tags"))
            if is_tagged_for(tags, self.cluster):
                matched_by = "tags"
            elif k.get("KeyName", "").startswith(prefix):
                matched_by = "name"
            else:
                continue
            result.append(entry("key_pair", k.get("KeyPairId") or k["KeyName"], tags, name=k["KeyName"], matched_by=matched_by))
        return result

    def list_launch_template(self):
        # Listed whole and filtered here: launch template tag filters are not honoured everywhere.
        return [entry("launch_template", t["LaunchTemplateId"], t.get("Tags"), name=t.get("LaunchTemplateName"))
                for t in paginate(self.client("ec2"), "describe_launch_templates", "LaunchTemplates")
                if is_tagged_for(tags_as_dict(t.get("Tags")), self.cluster)]

    def list_autoscaling_group(self):
        result = []
        # Auto Scaling takes the same tag:<key> filters as EC2, so a shared account's other groups are not read.
        for g in self._tagged("describe_auto_scaling_groups", "AutoScalingGroups", "AutoScalingGroupName",
                              service="autoscaling"):
            name = g["AutoScalingGroupName"]
            members = sorted(g.get("Instances", []), key=lambda i: i["InstanceId"])
            result.append(entry("autoscaling_group", name, g.get("Tags"), name=name, state=g.get("Status"),
                                min_size=g.get("MinSize"), max_size=g.get("MaxSize"),
                                desired_capacity=g.get("DesiredCapacity"),
                                instance_ids=[i["InstanceId"] for i in members],
                                instances=[{"instance_id": i["InstanceId"], "lifecycle_state": i.get("LifecycleState"),
                                            "health_status": i.get("HealthStatus"),
                                            "availability_zone": i.get("AvailabilityZone")} for i in members]))
        return result

    def _elb_tags(self, client, key, ids):
        tags = {}
        for start in range(0, len(ids), ELB_TAG_BATCH):
            batch = ids[start:start + ELB_TAG_BATCH]
            for description in call(client, "describe_tags", **{key: batch}).get("TagDescriptions", []):
                tags[description.get("LoadBalancerName") or description.get("ResourceArn")] = tags_as_dict(description.get("Tags"))
        return tags

    def list_load_balancer(self):
        client = self.client("elb")
        lbs = paginate(client, "describe_load_balancers", "LoadBalancerDescriptions")
        tags = self._elb_tags(client, "LoadBalancerNames", [lb["LoadBalancerName"] for lb in lbs])
        return [entry("load_balancer", lb["LoadBalancerName"], tags.get(lb["LoadBalancerName"]), name=lb["LoadBalancerName"],
                      type="classic", load_balancer_name=lb["LoadBalancerName"], dns_name=lb.get("DNSName"),
                      scheme=lb.get("Scheme"))
                for lb in lbs if is_tagged_for(tags.get(lb["LoadBalancerName"], {}), self.cluster)]

    def list_load_balancer_v2(self):
        client = self.client("elbv2")
        lbs = paginate(client, "describe_load_balancers", "LoadBalancers")
        tags = self._elb_tags(client, "ResourceArns", [lb["LoadBalancerArn"] for lb in lbs])
        return [entry("load_balancer_v2", lb["LoadBalancerArn"], tags.get(lb["LoadBalancerArn"]), name=lb["LoadBalancerName"],
                      state=lb.get("State", {}).get("Code"), type=lb.get("Type"), load_balancer_name=lb["LoadBalancerName"],
                      dns_name=lb.get("DNSName"), scheme=lb.get("Scheme"))
                for lb in lbs if is_tagged_for(tags.get(lb["LoadBalancerArn"], {}), self.cluster)]

    def list_target_group(self):
        client = self.client("elbv2")
        groups = paginate(client, "describe_target_groups", "TargetGroups")
        tags = self._elb_tags(client, "ResourceArns", [g["TargetGroupArn"] for g in groups])
        return [entry("target_group", g["TargetGroupArn"], tags.get(g["TargetGroupArn"]), name=g["TargetGroupName"],
                      protocol=g.get("Protocol"), port=g.get("Port"))
                for g in groups if is_tagged_for(tags.get(g["TargetGroupArn"], {}), self.cluster)]

    def _iam(self, kind, operation, result_key, name_key, get_operation, get_key):
        client = self.client("iam")
        suffix = "." + self.cluster
        result = []
        for item in paginate(client, operation, result_key):
            name = item[name_key]
            if not name.endswith(suffix):
                continue
            # Listings leave tags out; the get call has them.
            tags = tags_as_dict(call(client, get_operation, **{name_key: name}).get(get_key, {}).get("Tags"))
            if is_tagged_for(tags, self.cluster):
                matched_by = "tags"
            elif name[:-len(suffix)] in IAM_PREFIXES:
                matched_by = "name"
            else:
                continue
            result.append(entry(kind, name, tags, name=name, matched_by=matched_by, arn=item.get("Arn")))
        return result

    def list_iam_role(self):
        return self._iam("iam_role", "list_roles", "Roles", "RoleName", "get_role", "Role")

    def list_sqs_queue(self):
        client = self.client("sqs")
        # kops names the queue after the cluster with dots as dashes; SQS cannot filter by tag.
        prefix = self.cluster.replace(".", "-")
        result = []
        for url in paginate(client, "list_queues", "QueueUrls", QueueNamePrefix=prefix):
            tags = tags_as_dict(call(client, "list_queue_tags", QueueUrl=url).get("Tags"))
            if is_tagged_for(tags, self.cluster):
                result.append(entry("sqs_queue", url, tags, name=url.rsplit("/", 1)[-1]))
        return result

    def list_eventbridge_rule(self):
        client = self.client("events")
        result = []
        for rule in paginate(client, "list_rules", "Rules", NamePrefix=self.cluster + "-"):
            tags = tags_as_dict(call(client, "list_tags_for_resource", ResourceARN=rule["Arn"]).get("Tags"))
            if is_tagged_for(tags, self.cluster):
                result.append(entry("eventbridge_rule", rule["Name"], tags, name=rule["Name"], state=rule.get("State"),
                                    arn=rule["Arn"]))
        return result

    def list_iam_instance_profile(self):
        return self._iam("iam_instance_profile", "list_instance_profiles", "InstanceProfiles", "InstanceProfileName",
                         "get_instance_profile", "InstanceProfile")


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["cluster_name"]),
        kinds=dict(type="list", elements="str", choices=list(KINDS)),
        include_terminated=dict(type="bool", default=False),
    )
    # The connection options are the collection's own shared spec (documented in cloudops.kops._aws_connection),
    # not amazon.aws's default one, so the documentation never depends on another collection.
    argument_spec.update(aws_connection_argument_spec())
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True, default_args=False)

    cluster = module.params["name"].strip()
    if not cluster:
        module.fail_json(msg="name must be a cluster name, for example fleetman.k8s.local")
    # Keep the documented order whatever order the user gave.
    wanted = module.params["kinds"] or KINDS
    kinds = [k for k in KINDS if k in wanted]

    lister = Lister(module.client, cluster, module.params["include_terminated"])
    resources = []
    for kind in kinds:
        try:
            resources.extend(lister.list([kind]))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg="Failed to list %s resources of cluster %s" % (kind, cluster))

    counts = {}
    for resource in resources:
        counts[resource["kind"]] = counts.get(resource["kind"], 0) + 1
    module.exit_json(changed=False, resources=resources, counts=counts)


if __name__ == "__main__":
    main()
