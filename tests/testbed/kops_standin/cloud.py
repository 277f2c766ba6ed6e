"""The cloud side of a cluster: what kops creates on AWS, against the local
endpoint (``AWS_ENDPOINT_URL``) through boto3.

Resources are found again by their kops names and the ``KubernetesCluster``
tag, so every command sees the same cloud a real kops would.
"""

import json
import os
import time

from botocore.exceptions import ClientError

from kops_standin import faults, model
from kops_standin import version as vermod
from kops_standin.errors import info

ASSUME_ROLE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


class Task:
    """One line of kops's task diff (``Type/name`` plus ``Key value`` fields)."""

    def __init__(self, kind, name, fields=None, changes=None):
        self.kind = kind
        self.name = name
        self.fields = fields or []
        self.changes = changes or []

    def render(self):
        lines = ["  %s/%s" % (self.kind, self.name)]
        for key, value in self.fields:
            lines.append("  \t%s\t%s" % (key.ljust(20), value))
        for key, old, new in self.changes:
            lines.append("  \t%s\t %s -> %s" % (key.ljust(20), old, new))
        return "\n".join(lines) + "\n"


def render_plan(creates, modifies, deletes=()):
    """kops's dry-run report: tasks to create, tasks to modify, then deferred deletions."""
    out = ""
    if creates:
        out += "Will create resources:\n" + "\n".join(t.render() for t in sorted(creates, key=lambda t: (t.kind, t.name))) + "\n"
    if modifies:
        out += "Will modify resources:\n" + "\n".join(t.render() for t in sorted(modifies, key=lambda t: (t.kind, t.name))) + "\n"
    if deletes:
        out += "Will delete items:\n" + "".join("  %-20s %s\n" % d for d in sorted(deletes))
    return out


def _tagmap(tags):
    return {t["Key"]: t["Value"] for t in tags or []}


def _fmt_tags(tags):
    return "{" + ", ".join("%s: %s" % (k, v) for k, v in tags.items()) + "}"


class Cloud:
    def __init__(self, cluster):
        self.cluster = cluster
        self.name = cluster["metadata"]["name"]
        self.region = (model.region_of(cluster) or os.environ.get("AWS_REGION")
                       or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
        self._clients = {}
        self.base_tags = {"KubernetesCluster": self.name, "kubernetes.io/cluster/%s" % self.name: "owned"}
        # kops 1.31+ update cluster: the Kubernetes version of groups without an API server while the control
        # plane still runs an older one (set by commands/update_cluster.pin_node_version), else None.
        self.node_kubernetes_version = None
        # Target groups found by name in this command (a dry run asks for each one twice); made and deleted ones
        # update it.
        self._target_groups = {}

    def kubernetes_version_for(self, ig):
        """pkg/nodemodel/nodeupconfigbuilder.go (v1.36.2): a group without an API server gets the assets
        builder's KubeletSupportedVersion when there is one, every other group the spec's version."""
        if self.node_kubernetes_version and not model.is_control_plane(ig) and model.role_of(ig) != "APIServer":
            return self.node_kubernetes_version
        return self.cluster["spec"].get("kubernetesVersion")

    def control_plane_running_version(self, igs):
        """update_cluster.go checkControlPlaneRunningVersion (v1.36.2): starting from the spec's version, the
        kubelet version of each control-plane node that is not newer replaces it, so the result is the lowest
        one at or below the spec's. A node's kubelet runs its launch-template version's Kubernetes."""
        version = str(self.cluster["spec"].get("kubernetesVersion") or "").lstrip("v")
        names = [model.asg_name(ig, self.name) for ig in igs if model.is_control_plane(ig)]
        for group in self.asgs_named(names).values():
            template = (group.get("LaunchTemplate") or {}).get("LaunchTemplateName")
            for inst in self.asg_instances(group):
                known = template and inst.get("lt_version")
                kubelet = self.launch_template_version(template, inst["lt_version"])[1] if known else None
                if kubelet and vermod.version_tuple(version) >= vermod.version_tuple(kubelet):
                    version = kubelet.lstrip("v")
        return version

    # -- plumbing -----------------------------------------------------------
    def client(self, service):
        if service not in self._clients:
            import boto3
            from botocore.config import Config

            self._clients[service] = boto3.client(service, region_name=self.region,
                                                  config=Config(retries={"max_attempts": 3}))
        return self._clients[service]

    def tags(self, name, extra=None):
        out = {"Name": name}
        out.update(self.base_tags)
        out.update(extra or {})
        return out

    @staticmethod
    def tag_list(tags):
        return [{"Key": k, "Value": v} for k, v in tags.items()]

    def _spec(self, tags, resource):
        return [{"ResourceType": resource, "Tags": self.tag_list(tags)}]

    def _cluster_filter(self):
        return [{"Name": "tag:KubernetesCluster", "Values": [self.name]}]

    # -- discovery ----------------------------------------------------------
    def vpc(self):
        vpcs = self.client("ec2").describe_vpcs(Filters=self._cluster_filter())["Vpcs"]
        return vpcs[0] if vpcs else None

    def _named(self, operation, result_key):
        """The cluster's EC2 resources of one kind (tagged KubernetesCluster), by their Name tag."""
        found = getattr(self.client("ec2"), operation)(Filters=self._cluster_filter())[result_key]
        return {_tagmap(item.get("Tags")).get("Name"): item for item in found}

    def subnets(self):
        return self._named("describe_subnets", "Subnets")

    def route_tables(self):
        """The cluster's route tables by Name tag: the public one (the cluster name), private-<zone>.<cluster>."""
        return self._named("describe_route_tables", "RouteTables")

    def private_zones(self):
        """The zones of the spec's private subnets: each gets a NAT gateway and a route table of its own."""
        return sorted({s["zone"] for s in self.cluster["spec"].get("subnets", []) if s.get("type") == "Private"})

    def nat_gateways(self):
        """The cluster's NAT gateways that are not deleted, by Name tag (<zone>.<cluster>)."""
        # Filtered before keying: a deleted gateway may carry the same Name as its live successor.
        found = self.client("ec2").describe_nat_gateways(Filters=self._cluster_filter())["NatGateways"]
        return {_tagmap(n.get("Tags")).get("Name"): n for n in found if n.get("State") not in ("deleting", "deleted")}

    def elastic_ips(self):
        """The cluster's Elastic IPs by Name tag (<zone>.<cluster>)."""
        return self._named("describe_addresses", "Addresses")

    def security_groups(self):
        groups = self.client("ec2").describe_security_groups(Filters=self._cluster_filter())["SecurityGroups"]
        return {_tagmap(g.get("Tags")).get("Name", g["GroupName"]): g for g in groups}

    def asg(self, name):
        return self.asgs_named([name]).get(name)

    def asgs_named(self, names):
        """{name: group} of the named groups that exist, asked for together in batches of 50 names, as
        kops does (upup/pkg/fi/cloudup/awsup/aws_cloud.go, FindAutoscalingGroups, v1.30.1 and v1.36.2)."""
        names, found = list(names), {}
        for start in range(0, len(names), 50):
            chunk = names[start:start + 50]
            for group in self.client("autoscaling").describe_auto_scaling_groups(
                    AutoScalingGroupNames=chunk)["AutoScalingGroups"]:
                found[group["AutoScalingGroupName"]] = group
        return found

    def asgs(self):
        groups = self.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
        return [g for g in groups if _tagmap(g.get("Tags")).get("KubernetesCluster") == self.name]

    def launch_template_version(self, name, version):
        """(data, Kubernetes version) of one launch-template version: its LaunchTemplateData ({} when the
        template or version is missing) and the Kubernetes version its description names (None then)."""
        found = _unless_missing(self.client("ec2").describe_launch_template_versions,
                                LaunchTemplateName=name, Versions=[str(version)])
        versions = (found or {}).get("LaunchTemplateVersions") or []
        if not versions:
            return {}, None
        return versions[0]["LaunchTemplateData"], kubernetes_version_of(versions[0].get("VersionDescription"))

    def asg_template_version(self, group):
        lt = group.get("LaunchTemplate") or {}
        return lt.get("Version")

    def asg_instances(self, group):
        """Instances of a group with their EC2 details (type, image, launch time, zone)."""
        return self.groups_instances([group])[group["AutoScalingGroupName"]]

    def groups_instances(self, groups):
        """{group name: asg_instances(group)} for several groups, from one DescribeInstances. kops asks per
        group (aws_cloud.go, findInstances); one request is the bed's economy and changes no output."""
        ids = [i["InstanceId"] for group in groups for i in group.get("Instances", [])]
        live = {}
        if ids:
            for res in self.client("ec2").describe_instances(InstanceIds=ids)["Reservations"]:
                for inst in res["Instances"]:
                    if inst["State"]["Name"] in ("terminated", "shutting-down"):
                        continue
                    live[inst["InstanceId"]] = _instance_entry(inst)
        return {group["AutoScalingGroupName"]: sorted((live[i["InstanceId"]] for i in group.get("Instances", [])
                                                       if i["InstanceId"] in live), key=lambda i: i["id"])
                for group in groups}

    def detached_instances(self, group):
        """Running instances tagged kops.k8s.io/detached-from-asg=<the group> (awsup findDetachedInstances)."""
        reservations = self.client("ec2").describe_instances(Filters=[
            {"Name": "tag:" + DETACHED_TAG, "Values": [group["AutoScalingGroupName"]]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]}])["Reservations"]
        found = [_instance_entry(inst) for res in reservations for inst in res["Instances"]]
        return sorted(found, key=lambda i: i["id"])

    def needs_update(self, group, inst):
        """awsup: an instance launched from another launch-template version than the group's NeedsUpdate.

        The version an instance was launched with is its ``aws:ec2launchtemplate:version`` tag (AWS sets it;
        moto 5.2.5 reports the template's default version there, so every template version the stand-in
        writes carries its own number in its instance tags, which moto applies last)."""
        if inst.get("lt_version") is not None:
            return inst["lt_version"] != str(self.asg_template_version(group))
        data = self.launch_template_version(group["LaunchTemplate"]["LaunchTemplateName"],
                                            self.asg_template_version(group))[0]
        return inst["type"] != data.get("InstanceType") or inst["image"] != data.get("ImageId")

    def lb_class(self):
        """The API load balancer class of the spec (kops's APILoadBalancerClass); Network unless Classic."""
        lbc = (self.cluster["spec"].get("api") or {}).get("loadBalancer") or {}
        return "Classic" if lbc.get("class") == "Classic" else "Network"

    def nlb(self):
        """The API network load balancer (found by name) or None."""
        found = _unless_missing(self.client("elbv2").describe_load_balancers, Names=[model.lb_name(self.name)])
        lbs = (found or {}).get("LoadBalancers") or []
        return lbs[0] if lbs else None

    def clb(self):
        """The API classic load balancer (found by name) or None."""
        found = _unless_missing(self.client("elb").describe_load_balancers, LoadBalancerNames=[model.lb_name(self.name)])
        lbs = (found or {}).get("LoadBalancerDescriptions") or []
        return lbs[0] if lbs else None

    def load_balancer(self):
        """The API load balancer of the spec's class as (kind, description) or None.

        Like kops's findDNSName, only the class the spec asks for counts: after a class switch the
        old load balancer may still exist, but kubeconfig and validate use the new one."""
        if self.lb_class() == "Classic":
            desc = self.clb()
            return ("classic", desc) if desc else None
        desc = self.nlb()
        return ("nlb", desc) if desc else None

    def api_dns_name(self):
        lb = self.load_balancer()
        if lb:
            return lb[1]["DNSName"]
        # What kops computes before the load balancer exists (it never resolves).
        return "%s-1.%s.elb.amazonaws.com" % (model.lb_name(self.name), self.region)

    def api_available(self):
        """The bed's Kubernetes API answers once the API load balancer exists. KOPS_STANDIN_API_UNREACHABLE
        (a test-bed knob) takes it away, as in the recordings, where the API name did not resolve."""
        if os.environ.get("KOPS_STANDIN_API_UNREACHABLE"):
            return False
        return self.load_balancer() is not None

    def api_unreachable_text(self):
        host = self.api_dns_name()
        return 'Get "https://%s/api/v1/nodes": dial tcp: lookup %s on 10.255.255.53:53: no such host' % (host, host)

    def resolve_image(self, image):
        """An AMI id for an IG image (``owner/name`` as kops writes it)."""
        if image.startswith("ami-"):
            return image
        cache = self.__dict__.setdefault("_images", {})
        if image not in cache:
            cache[image] = self._lookup_image(image)
        return cache[image]

    def _lookup_image(self, image):
        ec2 = self.client("ec2")
        owner, dummy, name = image.partition("/")
        try:
            found = ec2.describe_images(Owners=[owner], Filters=[{"Name": "name", "Values": [name]}])["Images"]
        except ClientError:  # an owner the emulator rejects: fall back below (connection errors still fail)
            found = []
        if not found:
            # The emulator lacks Canonical's images; on AWS the name resolves. Use an Ubuntu AMI it has.
            found = ec2.describe_images(Filters=[{"Name": "name", "Values": ["*ubuntu*"]}])["Images"]
        if not found:
            found = ec2.describe_images()["Images"][:1]
        return sorted(found, key=lambda i: i["ImageId"])[0]["ImageId"]

    # -- planning -----------------------------------------------------------
    def plan(self, igs, ssh_key_name=None):
        """Tasks that `update cluster --yes` would create / modify."""
        creates, modifies = [], []
        spec = self.cluster["spec"]
        vpc = self.vpc()
        if vpc is None:
            creates.append(Task("VPC", self.name, [
                ("CIDR", spec.get("networkCIDR", "172.20.0.0/16")), ("EnableDNSHostnames", "true"),
                ("EnableDNSSupport", "true"), ("Shared", "false"), ("Tags", _fmt_tags(self.tags(self.name)))]))
            creates.append(Task("InternetGateway", self.name, [("VPC", "name:" + self.name), ("Shared", "false")]))
            creates.append(Task("RouteTable", self.name, [("VPC", "name:" + self.name), ("Shared", "false")]))
            creates.append(Task("DHCPOptions", self.name, [
                ("DomainName", "%s.compute.internal" % self.region), ("DomainNameServers", "AmazonProvidedDNS")]))
        subnets = self.subnets()
        for s in spec.get("subnets", []):
            sname = "%s.%s" % (s["name"], self.name)
            if sname not in subnets:
                creates.append(Task("Subnet", sname, [("ShortName", s["name"]), ("VPC", "name:" + self.name),
                                                      ("AvailabilityZone", s.get("zone", "")), ("CIDR", s.get("cidr", "")),
                                                      ("Shared", "false")]))
        creates.extend(self._plan_private_egress())
        groups = self.security_groups()
        for sg in self._sg_names():
            if sg not in groups:
                creates.append(Task("SecurityGroup", sg, [("Description", "Security group for " + sg.split(".")[0]),
                                                          ("VPC", "name:" + self.name)]))
        if ssh_key_name and not self._key_pair(ssh_key_name):
            creates.append(Task("SSHKey", ssh_key_name, [("Shared", "false")]))
        iam = self.client("iam")
        for role in ("masters", "nodes"):
            rname = "%s.%s" % (role, self.name)
            if _unless_missing(iam.get_role, RoleName=rname) is None:
                creates.append(Task("IAMRole", rname, [("ExportWithID", role)]))
                creates.append(Task("IAMInstanceProfile", rname, [("Shared", "false")]))
        deletes = []
        lbc = spec.get("api", {}).get("loadBalancer", {})
        if self.lb_class() == "Classic":
            if self.clb() is None:
                creates.append(Task("ClassicLoadBalancer", "api." + self.name, [
                    ("LoadBalancerName", model.lb_name(self.name)),
                    ("Scheme", "internal" if lbc.get("type") == "Internal" else "")]))
        else:
            if self.nlb() is None:
                creates.append(Task("NetworkLoadBalancer", "api." + self.name, [
                    ("LoadBalancerBaseName", model.lb_name(self.name)), ("CLBName", "api." + self.name),
                    ("Scheme", "internal" if lbc.get("type") == "Internal" else "internet-facing"),
                    ("Type", "network")]))
            for tg_name, port in self._target_group_ports():
                if self.target_group(tg_name) is None:
                    creates.append(Task("TargetGroup", tg_name, [("Port", str(port)), ("Protocol", "TCP")]))
            # The NLB task's FindDeletions: a classic API load balancer left from before is deleted.
            if self.clb() is not None:
                deletes.append(("ClassicLoadBalancer", "api." + self.name))
        groups = self.asgs_named(model.asg_name(ig, self.name) for ig in igs)
        for ig in igs:
            name = model.asg_name(ig, self.name)
            s = ig["spec"]
            group = groups.get(name)
            if group is None:
                creates.append(Task("LaunchTemplate", name, [("ImageID", s.get("image", "")),
                                                             ("InstanceType", s.get("machineType", ""))]))
                creates.append(Task("AutoscalingGroup", name, [
                    ("LaunchTemplate", "name:" + name), ("MaxSize", str(s.get("maxSize", 1))),
                    ("MinSize", str(s.get("minSize", 1))),
                    ("Subnets", "[%s]" % ", ".join("name:%s.%s" % (z, self.name) for z in s.get("subnets", []))),
                    ("Tags", _fmt_tags(self.tags(name, {"kops.k8s.io/instancegroup": ig["metadata"]["name"]})))]))
                continue
            changes = []
            for key, attr in (("MinSize", "minSize"), ("MaxSize", "maxSize")):
                want = int(s.get(attr, 1))
                if group[key] != want:
                    changes.append((key, group[key], want))
            if model.is_control_plane(ig):
                changes.extend(self._attachment_changes(group))
            if changes:
                modifies.append(Task("AutoscalingGroup", name, changes=changes))
            data, have_k8s = self.launch_template_version(name, self.asg_template_version(group))
            lt_changes = []
            if data.get("InstanceType") != s.get("machineType"):
                lt_changes.append(("InstanceType", data.get("InstanceType"), s.get("machineType")))
            if data.get("ImageId") != self.resolve_image(s.get("image", "")):
                lt_changes.append(("ImageID", data.get("ImageId"), s.get("image")))
            if lt_changes:
                modifies.append(Task("LaunchTemplate", name, changes=lt_changes))
            want_k8s = self.kubernetes_version_for(ig)
            if have_k8s is not None and have_k8s != want_k8s:
                modifies.append(UserDataTask(name, ig, have_k8s, want_k8s))
        return creates, modifies, deletes

    def _target_group_ports(self):
        return ((model.tcp_target_group_name(self.name), 443), (model.kops_controller_target_group_name(self.name), 3988))

    def _attachment_changes(self, group):
        """LoadBalancers / TargetGroups changes of a control-plane ASG after an API load balancer class switch."""
        changes = []
        lb_name = model.lb_name(self.name)
        have_lbs = sorted(group.get("LoadBalancerNames") or [])
        want_lbs = [lb_name] if self.lb_class() == "Classic" else []
        if have_lbs != want_lbs:
            def lbs(names):
                return "[%s]" % ", ".join("name:api.%s id:%s" % (self.name, n) if n == lb_name else "id:" + n
                                          for n in names)
            changes.append(("LoadBalancers", lbs(have_lbs), lbs(want_lbs)))
        have_tgs = sorted(arn.split("/")[1] for arn in group.get("TargetGroupARNs") or [])
        want_tgs = [] if self.lb_class() == "Classic" else sorted(
            (self.target_group(n) or {}).get("TargetGroupName", n) for n, dummy in self._target_group_ports())
        if have_tgs != want_tgs:
            def tgs(names):
                return "[%s]" % ", ".join("name:%s id:%s" % (n, n) for n in names)
            changes.append(("TargetGroups", tgs(have_tgs), tgs(want_tgs)))
        return changes

    def _private_egress_by_zone(self):
        """Per zone with a private subnet: the zone, the names <zone>.<cluster> (Elastic IP and NAT gateway)
        and private-<zone>.<cluster> (route table), and what exists by those names (or None)."""
        zones = self.private_zones()
        if not zones:
            return []
        eips, nats, rts = self.elastic_ips(), self.nat_gateways(), self.route_tables()
        out = []
        for zone in zones:
            zname, rtname = "%s.%s" % (zone, self.name), "private-%s.%s" % (zone, self.name)
            out.append((zone, zname, rtname, eips.get(zname), nats.get(zname), rts.get(rtname)))
        return out

    def _plan_private_egress(self):
        """pkg/model/awsmodel/network.go NetworkModelBuilder.Build: per zone with a private subnet, an
        ElasticIP and a NatGateway named <zone>.<cluster> (in the zone's utility subnet) and a RouteTable
        private-<zone>.<cluster> whose 0.0.0.0/0 route goes to that NAT gateway."""
        tasks = []
        for dummy, zname, rtname, eip, nat, rt in self._private_egress_by_zone():
            if eip is None:
                tasks.append(Task("ElasticIP", zname, [("AssociatedNatGatewayRouteTable", "name:" + rtname)]))
            if nat is None:
                tasks.append(Task("NatGateway", zname, [
                    ("ElasticIP", "name:" + zname), ("Subnet", "name:utility-" + zname),
                    ("AssociatedRouteTable", "name:" + rtname)]))
            if rt is None:
                tasks.append(Task("RouteTable", rtname, [("VPC", "name:" + self.name), ("Shared", "false")]))
        return tasks

    def _private_egress(self, vpc_id, subnets):
        """What _plan_private_egress plans, made: the Elastic IP, the NAT gateway in the utility subnet, the
        private route table with its default route, and the zone's private subnets associated with it."""
        ec2 = self.client("ec2")
        for zone, zname, rtname, eip, nat, rt in self._private_egress_by_zone():
            if eip is None:
                eip = ec2.allocate_address(Domain="vpc", TagSpecifications=self._spec(self.tags(zname), "elastic-ip"))
            if nat is None:
                nat = ec2.create_nat_gateway(SubnetId=subnets["utility-" + zname]["SubnetId"],
                                             AllocationId=eip["AllocationId"],
                                             TagSpecifications=self._spec(self.tags(zname), "natgateway"))["NatGateway"]
            if rt is None:
                rt = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=self._spec(
                    self.tags(rtname, {"kubernetes.io/kops/role": "private-" + zone}), "route-table"))["RouteTable"]
                ec2.create_route(RouteTableId=rt["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                                 NatGatewayId=nat["NatGatewayId"])
            associated = {a.get("SubnetId") for a in rt.get("Associations", [])}
            for s in self.cluster["spec"]["subnets"]:
                sub = subnets.get("%s.%s" % (s["name"], self.name))
                if s.get("type") == "Private" and s["zone"] == zone and sub and sub["SubnetId"] not in associated:
                    ec2.associate_route_table(RouteTableId=rt["RouteTableId"], SubnetId=sub["SubnetId"])

    def _sg_names(self):
        return ["masters.%s" % self.name, "nodes.%s" % self.name, "api-elb.%s" % self.name]

    def _key_pair(self, name):
        found = _unless_missing(self.client("ec2").describe_key_pairs, KeyNames=[name])
        return (found or {}).get("KeyPairs") or []

    # -- applying -----------------------------------------------------------
    def apply(self, igs, ssh_key_name=None, ssh_public_key=None):
        ec2 = self.client("ec2")
        spec = self.cluster["spec"]
        vpc = self.vpc()
        if vpc is None:
            vpc = ec2.create_vpc(CidrBlock=spec.get("networkCIDR", "172.20.0.0/16"),
                                 TagSpecifications=self._spec(self.tags(self.name), "vpc"))["Vpc"]
            ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsSupport={"Value": True})
            ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True})
            dopt = ec2.create_dhcp_options(DhcpConfigurations=[
                {"Key": "domain-name", "Values": ["%s.compute.internal" % self.region]},
                {"Key": "domain-name-servers", "Values": ["AmazonProvidedDNS"]}],
                TagSpecifications=self._spec(self.tags(self.name), "dhcp-options"))["DhcpOptions"]
            # moto ignores TagSpecifications on DHCP options; tag explicitly so delete finds them.
            ec2.create_tags(Resources=[dopt["DhcpOptionsId"]], Tags=self.tag_list(self.tags(self.name)))
            ec2.associate_dhcp_options(DhcpOptionsId=dopt["DhcpOptionsId"], VpcId=vpc["VpcId"])
            igw = ec2.create_internet_gateway(
                TagSpecifications=self._spec(self.tags(self.name), "internet-gateway"))["InternetGateway"]
            ec2.attach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc["VpcId"])
            rtb = ec2.create_route_table(VpcId=vpc["VpcId"],
                                         TagSpecifications=self._spec(self.tags(self.name), "route-table"))["RouteTable"]
            ec2.create_route(RouteTableId=rtb["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                             GatewayId=igw["InternetGatewayId"])
        vpc_id = vpc["VpcId"]
        faults.checkpoint("update-after-first-task")
        public_rt = self.route_tables().get(self.name)
        subnets = self.subnets()
        for s in spec.get("subnets", []):
            sname = "%s.%s" % (s["name"], self.name)
            if sname in subnets:
                continue
            tags = self.tags(sname, {"SubnetType": s.get("type", "Public"), "kubernetes.io/role/elb": "1",
                                     "kubernetes.io/role/internal-elb": "1"})
            sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock=s["cidr"], AvailabilityZone=s["zone"],
                                    TagSpecifications=self._spec(tags, "subnet"))["Subnet"]
            # Public and utility subnets route through the internet gateway; private ones get their zone's table.
            if public_rt and s.get("type") != "Private":
                ec2.associate_route_table(RouteTableId=public_rt["RouteTableId"], SubnetId=sub["SubnetId"])
            subnets[sname] = sub
        self._private_egress(vpc_id, subnets)
        groups = self.security_groups()
        for sg in self._sg_names():
            if sg in groups:
                continue
            created = ec2.create_security_group(GroupName=sg, Description="Security group for " + sg.split(".")[0],
                                                VpcId=vpc_id, TagSpecifications=self._spec(self.tags(sg), "security-group"))
            groups[sg] = {"GroupId": created["GroupId"], "GroupName": sg}
            self._ingress(created["GroupId"], sg)
        if ssh_key_name and ssh_public_key and not self._key_pair(ssh_key_name):
            ec2.import_key_pair(KeyName=ssh_key_name, PublicKeyMaterial=ssh_public_key.encode(),
                                TagSpecifications=self._spec(self.tags(self.name), "key-pair"))
        self._iam()
        self._volumes(vpc_id)
        target_groups = self._load_balancer(vpc_id, subnets, groups)
        changed_groups = []
        for ig in igs:
            if self._instance_group(ig, subnets, groups, ssh_key_name, target_groups):
                changed_groups.append(ig)
        self._register_control_plane(igs, target_groups)
        self._deferred_deletions()
        return changed_groups

    def _ingress(self, group_id, sg):
        spec = self.cluster["spec"]
        ec2 = self.client("ec2")
        perms = []
        if sg.startswith("api-elb."):
            perms.append({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                          "IpRanges": [{"CidrIp": c} for c in spec.get("kubernetesApiAccess", []) if ":" not in c]})
        else:
            perms.append({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                          "IpRanges": [{"CidrIp": c} for c in spec.get("sshAccess", []) if ":" not in c]})
        perms = [p for p in perms if p["IpRanges"]]
        if perms:
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=perms)

    def _iam(self):
        iam = self.client("iam")
        for role in ("masters", "nodes"):
            rname = "%s.%s" % (role, self.name)
            if _unless_missing(iam.get_role, RoleName=rname) is not None:
                continue
            iam.create_role(RoleName=rname, AssumeRolePolicyDocument=ASSUME_ROLE,
                            Tags=self.tag_list(self.tags(rname)))
            iam.put_role_policy(RoleName=rname, PolicyName=rname, PolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:Describe*"], "Resource": "*"}]}))
            iam.create_instance_profile(InstanceProfileName=rname, Tags=self.tag_list(self.tags(rname)))
            iam.add_role_to_instance_profile(InstanceProfileName=rname, RoleName=rname)

    def _volumes(self, vpc_id):
        ec2 = self.client("ec2")
        existing = {_tagmap(v.get("Tags")).get("Name")
                    for v in ec2.describe_volumes(Filters=self._cluster_filter())["Volumes"]}
        igs_zone = {s["name"]: s.get("zone") for s in self.cluster["spec"].get("subnets", [])}
        for etcd in self.cluster["spec"].get("etcdClusters", []):
            for member in etcd.get("etcdMembers", []):
                vname = "%s.etcd-%s.%s" % (member["name"], etcd["name"], self.name)
                if vname in existing:
                    continue
                zone = self._member_zone(member, igs_zone)
                ec2.create_volume(AvailabilityZone=zone, Size=20, VolumeType="gp3", Encrypted=True,
                                  TagSpecifications=self._spec(self.tags(vname, {
                                      "k8s.io/etcd/%s" % etcd["name"]: "%s/%s" % (member["name"], member["name"]),
                                      "k8s.io/role/control-plane": "1"}), "volume"))

    def _member_zone(self, member, zones):
        ig = member.get("instanceGroup", "")
        for sub, zone in zones.items():
            if ig.endswith(sub):
                return zone
        return next(iter(zones.values()), self.region + "a")

    def _load_balancer(self, vpc_id, subnets, groups):
        """Create the API load balancer of the spec's class if missing; return what the control plane registers with."""
        lbc = self.cluster["spec"].get("api", {}).get("loadBalancer", {})
        internal = lbc.get("type") == "Internal"
        name = model.lb_name(self.name)
        subnet_ids = [s["SubnetId"] for s in subnets.values()]
        tags = self.tag_list(self.tags("api." + self.name))
        if self.lb_class() == "Classic":
            if self.clb() is None:
                self.client("elb").create_load_balancer(
                    LoadBalancerName=name, Subnets=subnet_ids, Scheme="internal" if internal else "internet-facing",
                    SecurityGroups=[groups["api-elb." + self.name]["GroupId"]], Tags=tags,
                    Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 443, "InstanceProtocol": "TCP", "InstancePort": 443}])
            return {"classic": name}
        elbv2 = self.client("elbv2")
        if self.nlb() is None:
            info("network_load_balancer.go:548", 'Waiting for load balancer "%s" to be created...' % name)
            elbv2.create_load_balancer(Name=name, Subnets=subnet_ids, Type="network", Tags=tags,
                                       Scheme="internal" if internal else "internet-facing")
        lb = self.nlb()
        ports = {ls["Port"] for ls in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
        arns = []
        for tg_name, port in self._target_group_ports():
            tg = self.target_group(tg_name) or self._create_target_group(tg_name, port, vpc_id)
            if port not in ports:
                elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=port,
                                      DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
            arns.append(tg["TargetGroupArn"])
        return {"nlb": arns}

    def _deferred_deletions(self):
        """kops runs deletions after all tasks: the NLB task deletes a classic API load balancer left from
        before a Classic -> Network switch. (The classic task deletes nothing: after Network -> Classic the
        NLB and its target groups stay until `kops delete cluster`.)"""
        if self.lb_class() == "Network" and self.clb() is not None:
            self.client("elb").delete_load_balancer(LoadBalancerName=model.lb_name(self.name))

    @staticmethod
    def _emulator_tg_name(name):
        # moto 5.2.5 rejects "--" in target-group names, AWS accepts them (recordings README,
        # moto fix 2); the stand-in then uses the name with the double hyphen collapsed.
        return name.replace("--", "-")

    def target_group(self, name):
        if name in self._target_groups:
            return self._target_groups[name]
        elbv2 = self.client("elbv2")
        # The emulator's name first: moto never holds the name with "--" (_create_target_group).
        for candidate in dict.fromkeys((self._emulator_tg_name(name), name)):
            found = _unless_missing(elbv2.describe_target_groups, Names=[candidate])
            if found and found.get("TargetGroups"):
                self._target_groups[name] = found["TargetGroups"][0]
                return self._target_groups[name]
        return None

    def _create_target_group(self, name, port, vpc_id):
        from botocore.exceptions import ClientError

        elbv2 = self.client("elbv2")
        kwargs = dict(Protocol="TCP", Port=port, VpcId=vpc_id, TargetType="instance", HealthCheckProtocol="TCP",
                      Tags=self.tag_list(self.tags(name)))
        try:
            made = elbv2.create_target_group(Name=name, **kwargs)["TargetGroups"][0]
        except ClientError as err:
            if "--" not in name or err.response.get("Error", {}).get("Code") != "ValidationError":
                raise
            made = elbv2.create_target_group(Name=self._emulator_tg_name(name), **kwargs)["TargetGroups"][0]
        self._target_groups[name] = made
        return made

    def _instance_group(self, ig, subnets, groups, key_name, target_groups):
        """Create or converge one IG's launch template + ASG. True when something changed."""
        ec2 = self.client("ec2")
        asg = self.client("autoscaling")
        s = ig["spec"]
        igname = ig["metadata"]["name"]
        name = model.asg_name(ig, self.name)
        cp = model.is_control_plane(ig)
        role = "masters" if cp else "nodes"
        extra = {"kops.k8s.io/instancegroup": igname,
                 ("k8s.io/role/control-plane" if cp else "k8s.io/role/node"): "1"}
        extra.update(self.cluster["spec"].get("cloudLabels") or {})
        extra.update(s.get("cloudLabels") or {})
        tags = self.tags(name, extra)
        data = {
            "ImageId": self.resolve_image(s.get("image", "")),
            "InstanceType": s.get("machineType", "t3.medium"),
            "IamInstanceProfile": {"Name": "%s.%s" % (role, self.name)},
            "SecurityGroupIds": [groups["%s.%s" % (role, self.name)]["GroupId"]],
            "TagSpecifications": [{"ResourceType": "instance", "Tags": self.tag_list(tags)}],
        }
        if key_name:
            data["KeyName"] = key_name
        k8s_version = self.kubernetes_version_for(ig)
        # No UserData: moto 5.2.5 fails (HTTP 500) replacing instances from a template
        # version that carries it; nodeup is not emulated anyway.
        subnet_ids = [subnets["%s.%s" % (z, self.name)]["SubnetId"] for z in s.get("subnets", [])
                      if "%s.%s" % (z, self.name) in subnets]
        minsize, maxsize = int(s.get("minSize", 1)), int(s.get("maxSize", 1))
        group = self.asg(name)
        if group is None:
            existing = (_unless_missing(ec2.describe_launch_templates, LaunchTemplateNames=[name]) or {}).get(
                "LaunchTemplates")
            if existing:
                latest = existing[0]
                lt = ec2.create_launch_template_version(
                    LaunchTemplateName=name, LaunchTemplateData=_versioned(data, latest["LatestVersionNumber"] + 1),
                    VersionDescription=kubernetes_description(k8s_version))
                version = lt["LaunchTemplateVersion"]["VersionNumber"]
            else:  # no template yet
                ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=_versioned(data, 1),
                                           VersionDescription=kubernetes_description(k8s_version),
                                           TagSpecifications=self._spec(tags, "launch-template"))
                version = 1
            kwargs = {}
            if cp and "nlb" in target_groups:
                kwargs["TargetGroupARNs"] = target_groups["nlb"]
            if cp and "classic" in target_groups:
                kwargs["LoadBalancerNames"] = [target_groups["classic"]]
            asg.create_auto_scaling_group(
                AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateName": name, "Version": str(version)},
                MinSize=minsize, MaxSize=maxsize, DesiredCapacity=minsize, VPCZoneIdentifier=",".join(subnet_ids),
                Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True, "ResourceId": name,
                       "ResourceType": "auto-scaling-group"} for k, v in tags.items()], **kwargs)
            return True
        changed = False
        current, current_k8s = self.launch_template_version(name, self.asg_template_version(group))
        update = {}
        if current.get("InstanceType") != data["InstanceType"] or current.get("ImageId") != data["ImageId"] \
                or (current_k8s is not None and current_k8s != k8s_version):
            latest = ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"][0]
            lt = ec2.create_launch_template_version(
                LaunchTemplateName=name, LaunchTemplateData=_versioned(data, latest["LatestVersionNumber"] + 1),
                VersionDescription=kubernetes_description(k8s_version))
            update["LaunchTemplate"] = {"LaunchTemplateName": name,
                                        "Version": str(lt["LaunchTemplateVersion"]["VersionNumber"])}
        if group["MinSize"] != minsize or group["MaxSize"] != maxsize:
            update.update(MinSize=minsize, MaxSize=maxsize,
                          DesiredCapacity=min(max(group["DesiredCapacity"], minsize), maxsize))
        if update:
            asg.update_auto_scaling_group(AutoScalingGroupName=name, **update)
            changed = True
        if cp and self._converge_attachments(group, target_groups):
            changed = True
        return changed

    def _converge_attachments(self, group, target_groups):
        """Attach the control-plane ASG to the load balancer of the spec's class and detach it from the other."""
        asg = self.client("autoscaling")
        name = group["AutoScalingGroupName"]
        changed = False
        have_tgs = set(group.get("TargetGroupARNs") or [])
        want_tgs = set(target_groups.get("nlb", []))
        if want_tgs - have_tgs:
            asg.attach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=sorted(want_tgs - have_tgs))
            changed = True
        if have_tgs - want_tgs:
            asg.detach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=sorted(have_tgs - want_tgs))
            changed = True
        have_lbs = set(group.get("LoadBalancerNames") or [])
        want_lbs = {target_groups["classic"]} if "classic" in target_groups else set()
        if want_lbs - have_lbs:
            asg.attach_load_balancers(AutoScalingGroupName=name, LoadBalancerNames=sorted(want_lbs - have_lbs))
            changed = True
        if have_lbs - want_lbs:
            asg.detach_load_balancers(AutoScalingGroupName=name, LoadBalancerNames=sorted(have_lbs - want_lbs))
            changed = True
        return changed

    def _register_control_plane(self, igs, target_groups):
        ids = []
        for ig in igs:
            if model.is_control_plane(ig):
                group = self.asg(model.asg_name(ig, self.name))
                if group:
                    ids.extend(i["InstanceId"] for i in group.get("Instances", []))
        # The ASG attachment may already have registered them; register only the missing ones.
        if "nlb" in target_groups:
            elbv2 = self.client("elbv2")
            arn = target_groups["nlb"][0]
            have = {t["Target"]["Id"] for t in elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]}
            missing = [i for i in ids if i not in have]
            if missing:
                elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": i, "Port": 443} for i in missing])
        if "classic" in target_groups:
            elb = self.client("elb")
            name = target_groups["classic"]
            desc = elb.describe_load_balancers(LoadBalancerNames=[name])["LoadBalancerDescriptions"][0]
            have = {i["InstanceId"] for i in desc.get("Instances", [])}
            missing = [i for i in ids if i not in have]
            if missing:
                elb.register_instances_with_load_balancer(LoadBalancerName=name,
                                                          Instances=[{"InstanceId": i} for i in missing])

    # -- deleting -----------------------------------------------------------
    def delete_group(self, group):
        """awsup deleteGroup: force-delete the ASG (AWS then terminates its instances), then its launch template."""
        name = group["AutoScalingGroupName"]
        ids = [i["InstanceId"] for i in group.get("Instances", [])]
        self.client("autoscaling").delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
        if ids:
            # moto does not terminate a force-deleted group's instances itself.
            self.client("ec2").terminate_instances(InstanceIds=ids)
        template = (group.get("LaunchTemplate") or {}).get("LaunchTemplateName")
        if template:
            self.client("ec2").delete_launch_template(LaunchTemplateName=template)

    def resources(self):
        """(type, name, id) of everything kops would delete for this cluster, like `delete cluster`."""
        ec2 = self.client("ec2")
        out = []
        flt = self._cluster_filter()
        for g in self.asgs():
            gname = g["AutoScalingGroupName"]
            out.append(("autoscaling-group", gname, gname))
            lt = g.get("LaunchTemplate") or {}
            if lt.get("LaunchTemplateId"):
                out.append(("autoscaling-config", gname, lt["LaunchTemplateId"]))
        for res in ec2.describe_instances(Filters=flt)["Reservations"]:
            for inst in res["Instances"]:
                if inst["State"]["Name"] == "terminated":
                    continue
                group = _tagmap(inst.get("Tags")).get("aws:autoscaling:groupName") or _tagmap(inst.get("Tags")).get("Name", "")
                out.append(("instance", group, inst["InstanceId"]))
        for d in ec2.describe_dhcp_options(Filters=flt)["DhcpOptions"]:
            out.append(("dhcp-options", self.name, d["DhcpOptionsId"]))
        iam = self.client("iam")
        for role in ("masters", "nodes"):
            rname = "%s.%s" % (role, self.name)
            if _unless_missing(iam.get_instance_profile, InstanceProfileName=rname) is not None:
                out.append(("iam-instance-profile", rname, rname))
            if _unless_missing(iam.get_role, RoleName=rname) is not None:
                out.append(("iam-role", rname, rname))
        for igw in ec2.describe_internet_gateways(Filters=flt)["InternetGateways"]:
            out.append(("internet-gateway", self.name, igw["InternetGatewayId"]))
        for kp in ec2.describe_key_pairs()["KeyPairs"]:
            if kp["KeyName"].startswith("kubernetes.%s-" % self.name):
                out.append(("keypair", kp["KeyName"], kp.get("KeyPairId", kp["KeyName"])))
        nlb, clb = self.nlb(), self.clb()  # both exist for a while after a class switch
        if nlb:
            out.append(("load-balancer", nlb["LoadBalancerName"], nlb["LoadBalancerArn"]))
        if clb:
            out.append(("load-balancer", clb["LoadBalancerName"], clb["LoadBalancerName"]))
        route_tables = self.route_tables()
        for rtname, rt in route_tables.items():
            out.append(("route-table", rtname, rt["RouteTableId"]))
        out.extend(self._nat_resources(route_tables))
        for name, g in self.security_groups().items():
            out.append(("security-group", name, g["GroupId"]))
        for name, s in self.subnets().items():
            out.append(("subnet", name, s["SubnetId"]))
        for tg_name in (model.kops_controller_target_group_name(self.name), model.tcp_target_group_name(self.name)):
            tg = self.target_group(tg_name)
            if tg is not None:
                out.append(("target-group", tg["TargetGroupName"], tg["TargetGroupArn"]))
        for v in ec2.describe_volumes(Filters=flt)["Volumes"]:
            out.append(("volume", _tagmap(v.get("Tags")).get("Name", ""), v["VolumeId"]))
        vpc = self.vpc()
        if vpc:
            out.append(("vpc", self.name, vpc["VpcId"]))
        return sorted(out)

    def _nat_resources(self, route_tables):
        """pkg/resources/aws/aws.go FindNatGateways: the NAT gateways the cluster's route tables route to
        (named by their ID, natgateway.go), then each one's Elastic IP (named by its public IP, elasticip.go)."""
        ec2 = self.client("ec2")
        out = []
        nat_ids = sorted({r["NatGatewayId"] for rt in route_tables.values()
                          for r in rt.get("Routes", []) if r.get("NatGatewayId")})
        for nat in (ec2.describe_nat_gateways(NatGatewayIds=nat_ids)["NatGateways"] if nat_ids else []):
            if nat.get("State") in ("deleting", "deleted"):
                continue
            out.append(("nat-gateway", nat["NatGatewayId"], nat["NatGatewayId"]))
            allocations = [a["AllocationId"] for a in nat.get("NatGatewayAddresses", []) if a.get("AllocationId")]
            for address in (ec2.describe_addresses(AllocationIds=allocations)["Addresses"] if allocations else []):
                out.append(("elastic-ip", address.get("PublicIp") or address["AllocationId"], address["AllocationId"]))
        return out

    # A NAT gateway goes before its Elastic IP (natgateway.go: it blocks the address) and its subnet.
    _DELETE_ORDER = ["load-balancer", "autoscaling-group", "instance", "autoscaling-config", "target-group",
                     "volume", "keypair", "iam-instance-profile", "iam-role", "nat-gateway", "elastic-ip",
                     "security-group", "subnet", "route-table", "internet-gateway", "vpc", "dhcp-options"]

    def delete(self, resources):
        """Delete in dependency order; yields "type:id" for each deleted resource."""
        vpc = self.vpc()
        for kind in self._DELETE_ORDER:
            for rtype, name, rid in resources:
                if rtype != kind:
                    continue
                # Already gone counts as deleted (moto drops DHCP options with their VPC).
                _unless_missing(self._delete_one, kind=kind, name=name, rid=rid, vpc=vpc)
                yield "%s:%s" % (kind, rid)

    def _delete_one(self, kind, name, rid, vpc):
        ec2 = self.client("ec2")
        if kind == "load-balancer":
            if rid.startswith("arn:"):
                self.client("elbv2").delete_load_balancer(LoadBalancerArn=rid)
            else:
                self.client("elb").delete_load_balancer(LoadBalancerName=rid)
        elif kind == "autoscaling-group":
            group = self.asg(rid)
            ids = [i["InstanceId"] for i in (group or {}).get("Instances", [])]
            self.client("autoscaling").delete_auto_scaling_group(AutoScalingGroupName=rid, ForceDelete=True)
            if ids:
                info("aws.go:337", "Terminating %d EC2 instances" % len(ids))
                ec2.terminate_instances(InstanceIds=ids)
        elif kind == "instance":
            ec2.terminate_instances(InstanceIds=[rid])
        elif kind == "autoscaling-config":
            ec2.delete_launch_template(LaunchTemplateId=rid)
        elif kind == "target-group":
            self.client("elbv2").delete_target_group(TargetGroupArn=rid)
            self._target_groups.clear()
        elif kind == "volume":
            ec2.delete_volume(VolumeId=rid)
        elif kind == "keypair":
            ec2.delete_key_pair(KeyName=name)
        elif kind == "iam-instance-profile":
            iam = self.client("iam")
            for role in iam.get_instance_profile(InstanceProfileName=rid)["InstanceProfile"]["Roles"]:
                iam.remove_role_from_instance_profile(InstanceProfileName=rid, RoleName=role["RoleName"])
            iam.delete_instance_profile(InstanceProfileName=rid)
        elif kind == "iam-role":
            iam = self.client("iam")
            for pol in iam.list_role_policies(RoleName=rid)["PolicyNames"]:
                iam.delete_role_policy(RoleName=rid, PolicyName=pol)
            iam.delete_role(RoleName=rid)
        elif kind == "nat-gateway":
            ec2.delete_nat_gateway(NatGatewayId=rid)
        elif kind == "elastic-ip":
            ec2.release_address(AllocationId=rid)
        elif kind == "security-group":
            ec2.delete_security_group(GroupId=rid)
        elif kind == "subnet":
            for rt in ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [rid]}])["RouteTables"]:
                for assoc in rt.get("Associations", []):
                    if assoc.get("SubnetId") == rid:
                        ec2.disassociate_route_table(AssociationId=assoc["RouteTableAssociationId"])
            ec2.delete_subnet(SubnetId=rid)
        elif kind == "route-table":
            ec2.delete_route_table(RouteTableId=rid)
        elif kind == "internet-gateway":
            if vpc:
                ec2.detach_internet_gateway(InternetGatewayId=rid, VpcId=vpc["VpcId"])
            ec2.delete_internet_gateway(InternetGatewayId=rid)
        elif kind == "vpc":
            ec2.delete_vpc(VpcId=rid)
        elif kind == "dhcp-options":
            ec2.delete_dhcp_options(DhcpOptionsId=rid)


LT_VERSION_TAG = "aws:ec2launchtemplate:version"
# awsup tagNameDetachedInstance (aws_cloud.go): marks an instance a rolling update detached from its group.
DETACHED_TAG = "kops.k8s.io/detached-from-asg"
_K8S_DESCRIPTION = "kops-standin kubernetesVersion "


def _instance_entry(inst):
    """An EC2 instance as the stand-in's group logic sees it: type, image, launch time, zone, IP, template version."""
    return {"id": inst["InstanceId"], "type": inst.get("InstanceType"), "image": inst.get("ImageId"),
            "launch": inst.get("LaunchTime"), "zone": inst["Placement"]["AvailabilityZone"],
            "private_ip": inst.get("PrivateIpAddress", ""), "lt_version": _tagmap(inst.get("Tags")).get(LT_VERSION_TAG)}


def _not_found(err):
    """Whether a boto3 error says the resource does not exist (InvalidLaunchTemplateName.NotFoundException,
    InvalidKeyPair.NotFound, LoadBalancerNotFound, NoSuchEntity, ...); only that may read as "none" here."""
    code = str((getattr(err, "response", None) or {}).get("Error", {}).get("Code", ""))
    return "NotFound" in code or code.startswith("NoSuch")


def _unless_missing(call, **kwargs):
    """``call(**kwargs)``, or None when AWS says the resource does not exist. Any other error (a throttle, an
    endpoint failure, a 500) is raised: read as "missing", it would make the stand-in create or skip things."""
    try:
        return call(**kwargs)
    except ClientError as err:
        if not _not_found(err):
            raise
        return None


def _versioned(data, number):
    """Launch-template data whose instances carry the template version they were launched from."""
    data = dict(data)
    specs = []
    for spec in data.get("TagSpecifications", []):
        if spec["ResourceType"] == "instance":
            spec = {"ResourceType": "instance",
                    "Tags": [t for t in spec["Tags"] if t["Key"] != LT_VERSION_TAG]
                    + [{"Key": LT_VERSION_TAG, "Value": str(number)}]}
        specs.append(spec)
    data["TagSpecifications"] = specs
    return data


def kubernetes_description(version):
    """Test-bed note on a launch-template version: the Kubernetes version its user data was written for
    (kops writes it into the nodeup configuration the user data points to; the stand-in has no user data)."""
    return _K8S_DESCRIPTION + str(version)


def kubernetes_version_of(description):
    if description and description.startswith(_K8S_DESCRIPTION):
        return description[len(_K8S_DESCRIPTION):]
    return None


class UserDataTask(Task):
    """A launch template whose user data changes with the Kubernetes version (kops prints the user-data diff:
    the nodeup configuration hash changes; cloudup/awstasks launchtemplate diff)."""

    def __init__(self, name, ig, old_version, new_version):
        super().__init__("LaunchTemplate", name)
        self.ig = ig
        self.old_version = old_version
        self.new_version = new_version

    def render(self):
        import base64
        import hashlib

        def digest(version):
            raw = hashlib.sha256(("%s/%s" % (self.ig["metadata"]["name"], version)).encode()).digest()
            return base64.b64encode(raw).decode()

        pad = "  \t" + " " * 20 + "\t"
        role = "ControlPlane" if model.is_control_plane(self.ig) else model.role_of(self.ig)
        lines = ["  %s/%s" % (self.kind, self.name), "  \t%s" % "UserData".ljust(20), pad + "...",
                 pad + "  InstanceGroupName: " + self.ig["metadata"]["name"], pad + "  InstanceGroupRole: " + role,
                 pad + "+ NodeupConfigHash: " + digest(self.new_version),
                 pad + "- NodeupConfigHash: " + digest(self.old_version), pad + "  ", pad + "  __EOF_KUBE_ENV",
                 pad + "...", pad]
        return "\n".join(lines) + "\n"


def boot_seconds():
    try:
        return float(os.environ.get("KOPS_STANDIN_BOOT_SECONDS", "3"))
    except ValueError:
        return 3.0


def booted(inst, now=None):
    """An instance counts as a joined, Ready node once it has run for KOPS_STANDIN_BOOT_SECONDS."""
    now = now or time.time()
    launch = inst.get("launch")
    if launch is None:
        return False
    return now - launch.timestamp() >= boot_seconds()
