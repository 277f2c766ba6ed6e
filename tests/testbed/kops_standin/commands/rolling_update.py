"""kops rolling-update cluster: the NeedUpdate table, then (with --yes) instances replaced group by group.

Follows cmd/kops/rolling-update_cluster.go (RunRollingUpdateCluster) and pkg/instancegroups
(rollingupdate.go RollingUpdate, instancegroups.go rollingUpdateInstanceGroup, drainTerminateAndWait,
maybeValidate, validateClusterWithTimeout, detachInstance, deleteInstance, UpdateSingleInstance) of
v1.30.1 / v1.36.2: bastions, then control-plane groups, then apiserver and node groups, each sorted by name;
per group one validation before it (unless cloudonly), surge (detach one instance first) for non-control-plane
groups when not cloudonly, then per instance drain (through the API), terminate, wait the group's interval and
validate ``--validate-count`` times.

Test-bed additions (real kops has none): every detach/terminate is appended as a JSON line to the
replacement log (``KOPS_STANDIN_ROLL_LOG``, default ``$TESTBED_DIR/kops-standin/replacements.jsonl``) so
tests can assert the order of replacements; ``KOPS_STANDIN_TIME_SCALE`` (default 1) scales every wait
(intervals, post-drain delay, validation ticks), so a test bed can roll in seconds.
"""

import json
import os
import sys
import time

from kops_standin import cloud, context, faults, model, output, pki, statestore
from kops_standin import version as vermod
from kops_standin.errors import KopsError, info, klog, warn
from kops_standin.flags import load_help, usage_of

# klog source lines of the messages, per version (cosmetic; the recordings show them).
_LINES = {
    "1.30.1": {"not_validating": "instancegroups.go:505", "not_draining": "instancegroups.go:428",
               "stopping": "instancegroups.go:633", "detaching": "instancegroups.go:610",
               "waiting": "instancegroups.go:469", "waiting_detach": "instancegroups.go:203",
               "validating": "instancegroups.go:507", "validated": "instancegroups.go:543",
               "revalidating": "instancegroups.go:546", "retry_err": "instancegroups.go:556",
               "retry_fail": "instancegroups.go:566", "deadline": "instancegroups.go:563",
               "did_not": "instancegroups.go:512", "proceeding": "instancegroups.go:519",
               "draining": "instancegroups.go:431", "post_drain": "instancegroups.go:714",
               "cp_no_detach": "instancegroups.go:740", "skip_count": "instancegroups.go:531",
               "failed_roll": "rollingupdate.go:216", "completed": "rollingupdate.go:234",
               "drain_ignored": "instancegroups.go:437", "skip_drain": "instancegroups.go:440"},
    "1.36.2": {"not_validating": "instancegroups.go:528", "not_draining": "instancegroups.go:450",
               "stopping": "instancegroups.go:656", "detaching": "instancegroups.go:633",
               "waiting": "instancegroups.go:491", "waiting_detach": "instancegroups.go:225",
               "validating": "instancegroups.go:530", "validated": "instancegroups.go:566",
               "revalidating": "instancegroups.go:569", "retry_err": "instancegroups.go:579",
               "retry_fail": "instancegroups.go:589", "deadline": "instancegroups.go:586",
               "did_not": "instancegroups.go:535", "proceeding": "instancegroups.go:542",
               "draining": "instancegroups.go:453", "post_drain": "instancegroups.go:742",
               "cp_no_detach": "instancegroups.go:768", "skip_count": "instancegroups.go:554",
               "failed_roll": "rollingupdate.go:218", "completed": "rollingupdate.go:236",
               "drain_ignored": "instancegroups.go:459", "skip_drain": "instancegroups.go:462"},
}
# RunRollingUpdateCluster: ValidateTickDuration 30s, ValidateSuccessDuration 10s.
VALIDATE_TICK = 30.0
VALIDATE_SUCCESS = 10.0


def line(key):
    return _LINES[vermod.current()][key]


def time_scale():
    try:
        return max(float(os.environ.get("KOPS_STANDIN_TIME_SCALE", "1")), 0.0)
    except ValueError:
        return 1.0


def sleep(seconds):
    if seconds > 0:
        time.sleep(seconds * time_scale())


def go_duration(seconds):
    """Go's time.Duration.String() for whole milliseconds: 0s, 500ms, 1s, 15s, 15m0s, 1h0m0s."""
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return "%dms" % round(seconds * 1000)
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return "%dh%dm%ds" % (h, m, s)
    if m:
        return "%dm%ds" % (m, s)
    return "%ds" % s


def _duration(parsed, name, default):
    value = parsed.get(name)
    return pki.parse_duration(value) if value not in (None, "") else default


def log_replacement(event):
    """Append one event to the test bed's replacement log (see the module docstring)."""
    path = os.environ.get("KOPS_STANDIN_ROLL_LOG")
    if not path and os.environ.get("TESTBED_DIR"):
        path = os.path.join(os.environ["TESTBED_DIR"], "kops-standin", "replacements.jsonl")
    if not path:
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    event = dict(event, time=round(time.time(), 3), kopsVersion=vermod.current())
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(event, sort_keys=True) + "\n")


class Roller:
    """RollingUpdateCluster: the settings of one roll and the steps shared by rolling-update and delete instance."""

    def __init__(self, aws, cluster, igs, cloudonly, parsed=None, defaults=None):
        d = dict(defaults or {})

        def opt(name, default):
            if parsed is not None and parsed.given(name):
                return parsed.get(name)
            return d.get(name, default)

        self.aws = aws
        self.cluster = cluster
        self.name = cluster["metadata"]["name"]
        self.igs = igs
        self.cloudonly = cloudonly
        self.force = bool(opt("force", False))
        self.fail_on_drain = _bool(opt("fail-on-drain-error", True))
        self.fail_on_validate = _bool(opt("fail-on-validate-error", True))
        self.validate_count = int(opt("validate-count", 2))
        self.validation_timeout = pki.parse_duration(opt("validation-timeout", "15m"))
        self.post_drain_delay = pki.parse_duration(opt("post-drain-delay", "5s"))
        self.drain_timeout = pki.parse_duration(opt("drain-timeout", "15m"))
        self.intervals = {"ControlPlane": pki.parse_duration(opt("control-plane-interval", "15s")),
                          "Node": pki.parse_duration(opt("node-interval", "15s")),
                          "APIServer": pki.parse_duration(opt("node-interval", "15s")),
                          "Bastion": pki.parse_duration(opt("bastion-interval", "15s"))}

    # -- validation -------------------------------------------------------------
    def maybe_validate(self, operation, count):
        """instancegroups.go maybeValidate + validateClusterWithTimeout."""
        if self.cloudonly:
            klog("W", line("not_validating"), "Not validating cluster as cloudonly flag is set.")
            return None
        info(line("validating"), "Validating the cluster.")
        err = self._validate_with_timeout(count)
        if err is None:
            return None
        if self.fail_on_validate:
            klog("E", line("did_not"), "Cluster did not validate within %s" % go_duration(self.validation_timeout))
            raise ValidationTimeout("error validating cluster%s: %s" % (operation, err))
        warn(line("proceeding"), "Cluster validation failed%s, proceeding since fail-on-validate is set to false: %s"
             % (operation, err))
        return err

    def _validate_with_timeout(self, count):
        from kops_standin.commands.validate_cluster import Unreachable, collect

        if count == 0:
            warn(line("skip_count"), "skipping cluster validation because validate-count was 0")
            return None
        deadline = time.monotonic() + self.validation_timeout  # a limit, not a wait: never scaled
        successes = 0
        while True:
            try:
                failures, dummy = collect(self.cluster, self.igs)
                error = None
            except Unreachable as err:
                failures, error = [], str(err)
            if error is None and not failures:
                successes += 1
                if successes >= count:
                    info(line("validated"), "Cluster validated.")
                    return None
                info(line("revalidating"), "Cluster validated; revalidating in %s to make sure it does not flap."
                     % go_duration(VALIDATE_SUCCESS))
                sleep(VALIDATE_SUCCESS)
                continue
            expired = time.monotonic() >= deadline
            if error is not None:
                if expired:
                    info(line("deadline"), "Cluster did not validate within deadline: %s." % error)
                    break
                info(line("retry_err"), 'Cluster did not validate, will retry in "%s": %s.'
                     % (go_duration(VALIDATE_TICK), error))
            else:
                messages = ", ".join(f["message"] for f in failures)
                if expired:
                    info(line("deadline"), "Cluster did not pass validation within deadline: %s." % messages)
                    break
                info(line("retry_fail"), 'Cluster did not pass validation, will retry in "%s": %s.'
                     % (go_duration(VALIDATE_TICK), messages))
            successes = 0
            time.sleep(min(VALIDATE_TICK * time_scale(), max(deadline - time.monotonic(), 0)))
        return 'cluster did not validate within a duration of "%s"' % go_duration(self.validation_timeout)

    # -- one instance -----------------------------------------------------------
    def detach(self, ig, group, inst):
        """instancegroups.go detachInstance: the ASG launches a replacement at once. awsup detachInstance
        (aws_cloud.go) tags the instance kops.k8s.io/detached-from-asg=<ASG> first, so a later run still finds
        it (awsBuildCloudInstanceGroup lists it as Detached, needing an update). rollingUpdateInstanceGroup
        does not detach a Detached instance again."""
        if inst.get("detached"):
            return
        before = self._members(group)
        info(line("detaching"), 'Detaching instance "%s", in group "%s".' % (inst["id"], group["AutoScalingGroupName"]))
        self.aws.client("ec2").create_tags(Resources=[inst["id"]], Tags=[
            {"Key": cloud.DETACHED_TAG, "Value": group["AutoScalingGroupName"]}])
        self.aws.client("autoscaling").detach_instances(
            InstanceIds=[inst["id"]], AutoScalingGroupName=group["AutoScalingGroupName"],
            ShouldDecrementDesiredCapacity=False)
        self._log("detach", ig, group, inst, before)
        inst["detached"] = True

    def drain_terminate(self, ig, group, inst, interval):
        """instancegroups.go drainTerminateAndWait."""
        bastion = model.role_of(ig) == "Bastion"
        if bastion:
            pass
        elif self.cloudonly:
            klog("W", line("not_draining"), "Not draining cluster nodes as 'cloudonly' flag is set.")
        elif cloud.booted(inst):
            info(line("draining"), 'Draining the node: "%s".' % inst["id"])
            # The test bed's nodes run no pods: cordon and drain succeed at once.
            if self.post_drain_delay > 0:
                info(line("post_drain"), "Waiting for %s for pods to stabilize after draining."
                     % go_duration(self.post_drain_delay))
                sleep(self.post_drain_delay)
        else:
            warn(line("skip_drain"),
                 'Skipping drain of instance "%s", because it is not registered in kubernetes' % inst["id"])
        before = self._members(group)
        info(line("stopping"), 'Stopping instance "%s", in group "%s" (this may take a while).'
             % (inst["id"], group["AutoScalingGroupName"]))
        if inst.get("detached"):
            self.aws.client("ec2").terminate_instances(InstanceIds=[inst["id"]])
        else:
            self.aws.client("autoscaling").terminate_instance_in_auto_scaling_group(
                InstanceId=inst["id"], ShouldDecrementDesiredCapacity=False)
        self._log("terminate", ig, group, inst, before)
        info(line("waiting"), "waiting for %s after terminating instance" % go_duration(interval))
        sleep(interval)

    def _members(self, group):
        fresh = self.aws.asg(group["AutoScalingGroupName"])
        return {m["id"] for m in self.aws.asg_instances(fresh)} if fresh else set()

    def _log(self, action, ig, group, inst, before):
        after = self._members(group)
        role = "ControlPlane" if model.is_control_plane(ig) else model.role_of(ig)
        log_replacement({"cluster": self.name, "action": action, "instanceGroup": ig["metadata"]["name"],
                         "role": role, "instance": inst["id"], "replacements": sorted(after - before)})

    # -- one group --------------------------------------------------------------
    def roll_group(self, ig, group, update, ready_count):
        """instancegroups.go rollingUpdateInstanceGroup (maxSurge 1 on AWS unless the IG says otherwise)."""
        if not update:
            return
        role = "ControlPlane" if model.is_control_plane(ig) else model.role_of(ig)
        interval = self.intervals.get(role, self.intervals["Node"])
        if role != "Bastion":
            self.maybe_validate("", 1)
        surge = _max_surge(self.cluster, ig)
        if role == "ControlPlane":
            surge = 0
        surge = min(surge, len(update))
        # prioritizeUpdate: attached before detached; the surge picks from the end, so a detached
        # instance counts as the surge without being detached again (rollingUpdateInstanceGroup).
        update = [u for u in update if not u.get("detached")] + [u for u in update if u.get("detached")]
        if surge > 0 and not self.cloudonly:
            none_ready = ready_count == 0
            for n in range(1, surge + 1):
                inst = update[len(update) - n]
                self.detach(ig, group, inst)
                if n == surge or none_ready:
                    info(line("waiting_detach"), "waiting for %s after detaching instance" % go_duration(interval))
                    sleep(interval)
                    self.maybe_validate(" after detaching instance", self.validate_count)
                    none_ready = False
        for inst in update:
            self.drain_terminate(ig, group, inst, interval)
            if role == "Node":
                faults.checkpoint("rolling-update-after-first-node")
            self.maybe_validate(" after terminating instance", self.validate_count)


class ValidationTimeout(KopsError):
    pass


def _bool(value):
    return value is True or value == "true"


def _max_surge(cluster, ig):
    """settings.go resolveSettings: the IG's, else the cluster's rollingUpdate.maxSurge, else 1 on AWS."""
    for spec in (ig["spec"].get("rollingUpdate"), cluster["spec"].get("rollingUpdate")):
        if spec and spec.get("maxSurge") is not None:
            value = spec["maxSurge"]
            try:
                return int(value)
            except ValueError:
                return 1
    return 1


def group_state(aws, ig, name, force=False):
    """(group, instances needing an update, up-to-date instances) of an IG, or None when it has no ASG."""
    group = aws.asg(model.asg_name(ig, name))
    if group is None:
        return None
    members = aws.asg_instances(group)
    stale = [m for m in members if aws.needs_update(group, m)]
    ready = [m for m in members if m not in stale]
    # awsBuildCloudInstanceGroup: instances detached from the group by an earlier, interrupted roll need an update.
    seen = {m["id"] for m in members}
    stale += [dict(m, detached=True) for m in aws.detached_instances(group) if m["id"] not in seen]
    return group, stale, ready


def roll(ver, aws, cluster, all_igs, igs, parsed, cloudonly, yes, force, out=None, defaults=None):
    """The table, the dry-run verdict and (with yes) the roll. Returns 0."""
    out = out or sys.stdout
    name = cluster["metadata"]["name"]
    if ver == "1.30.1" and sum(1 for ig in all_igs if model.is_control_plane(ig)) == 1:
        out.write("Detected single-control-plane cluster; won't detach before draining\n")
    header = ["NAME", "STATUS", "NEEDUPDATE", "READY", "MIN", "TARGET", "MAX"] + ([] if cloudonly else ["NODES"])
    rows = [header]
    states = []
    now = time.time()
    for ig in sorted(igs, key=lambda i: i["metadata"]["name"]):
        state = group_state(aws, ig, name)
        if state is None:
            continue
        group, stale, ready = state
        row = [ig["metadata"]["name"], "NeedsUpdate" if stale else "Ready", str(len(stale)), str(len(ready)),
               str(group["MinSize"]), str(group["DesiredCapacity"]), str(group["MaxSize"])]
        if not cloudonly:
            row.append(str(sum(1 for m in stale + ready if cloud.booted(m, now))))
        rows.append(row)
        states.append((ig, group, stale, ready))
    out.write(output.tabwriter(rows))
    if not any(stale for dummy, dummy2, stale, dummy3 in states) and not force:
        out.write("\nNo rolling-update required.\n")
        return 0
    if not yes:
        out.write("\nMust specify --yes to rolling-update.\n")
        return 0
    out.flush()
    roller = Roller(aws, cluster, all_igs, cloudonly, parsed, defaults)
    order = {"Bastion": 0, "ControlPlane": 1, "APIServer": 2, "Node": 3}

    def role(ig):
        return "ControlPlane" if model.is_control_plane(ig) else model.role_of(ig)

    for ig, group, stale, ready in sorted(states, key=lambda s: (order.get(role(s[0]), 3), s[0]["metadata"]["name"])):
        update = stale + (ready if force else [])
        try:
            roller.roll_group(ig, group, update, len(ready))
        except KopsError as err:
            if role(ig) == "ControlPlane":
                raise KopsError('control-plane node not healthy after update, stopping rolling-update: "%s"' % err.msg)
            if role(ig) == "Bastion":
                raise KopsError('bastion not healthy after update, stopping rolling-update: "%s"' % err.msg)
            klog("E", line("failed_roll"), 'failed to roll InstanceGroup "%s": %s' % (ig["metadata"]["name"], err.msg))
            raise
    if ver == "1.30.1":
        info(line("completed"), 'Rolling update completed for cluster "%s"!' % name)
    else:
        names = sorted(ig["metadata"]["name"] for ig, dummy, dummy2, dummy3 in states)
        info(line("completed"), 'Completed rolling update for cluster "%s" instance groups [%s]' % (name, " ".join(names)))
    return 0


def run(ver, path, parsed):
    usage = usage_of(load_help(ver, "rolling-update_cluster"))
    name = context.cluster_name(ver, parsed, usage)
    store = statestore.from_flags(parsed)
    cluster = model.require_cluster(store, name)
    if ver == "1.30.1":
        # 1.30.1 RunRollingUpdateCluster: genericclioptions ToRESTConfig with the cluster's context,
        # before and regardless of --cloudonly (1.36.2 builds its own credential instead).
        context.require_context(name)
    all_igs = model.load_igs(store, name)
    aws = cloud.Cloud(cluster)
    cloudonly = parsed.bool("cloudonly")
    if not cloudonly and not aws.api_available():
        sys.stderr.write("Unable to reach the kubernetes API.\n"
                         "Use --cloudonly to do a rolling-update without confirming progress with the k8s API\n\n")
        raise KopsError("error listing nodes in cluster: " + aws.api_unreachable_text())
    igs = select(parsed, all_igs)
    return roll(ver, aws, cluster, all_igs, igs, parsed, cloudonly, parsed.bool("yes"), parsed.bool("force"))


_ROLES = {"control-plane": "ControlPlane", "node": "Node", "bastion": "Bastion", "apiserver": "APIServer",
          "master": "ControlPlane"}


def role_matches(ig, roles):
    """kops.ParseInstanceGroupRole (lenient): control-plane/master, node(s), bastion(s), apiserver(s)."""
    ig_role = "ControlPlane" if model.is_control_plane(ig) else model.role_of(ig)
    return any(_parse_role(r) == ig_role for r in roles)


def _parse_role(role):
    find = role.lower()[:-1] if role.lower().endswith("s") else role.lower()
    find = find.replace("controlplane", "control-plane", 1)
    if find not in _ROLES:
        raise KopsError('invalid instance group role "%s"' % role)
    return _ROLES[find]


def select(parsed, igs):
    """rolling-update_cluster.go: --instance-group names must exist; --instance-group-roles must parse
    (kops.ParseInstanceGroupRole, lenient)."""
    wanted = parsed.get("instance-group") or []
    if wanted:
        by_name = {ig["metadata"]["name"]: ig for ig in igs}
        for group in wanted:
            if group not in by_name:
                raise KopsError('InstanceGroup "%s" not found' % group)
        igs = [by_name[g] for g in wanted]
    roles = parsed.get("instance-group-roles") or []
    if roles:
        out = []
        for role in roles:
            want = _parse_role(role)
            out.extend(ig for ig in igs if ("ControlPlane" if model.is_control_plane(ig) else model.role_of(ig)) == want)
        igs = out
    return igs
