# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Safe scale-down: which instances of a group to remove, and removing them drained.

What kops does (v1.30.1 and v1.36.2, same code):

* ``kops update cluster --yes`` writes only ``MinSize``/``MaxSize`` to the Auto Scaling Group
  (upup/pkg/fi/cloudup/awstasks/autoscalinggroup.go RenderAWS), never the desired capacity. A
  ``MaxSize`` below the desired capacity makes AWS lower the desired capacity itself and terminate
  instances it picks, undrained.
* ``kops delete instancegroup --yes`` force-deletes the group, undrained
  (pkg/instancegroups/delete.go DeleteInstanceGroup: "TODO should we drain nodes").
* ``kops delete instance ID --yes`` drains the node, then terminates the instance with EC2
  TerminateInstances (pkg/instancegroups/instancegroups.go UpdateSingleInstance, drainTerminateAndWait;
  awsup deleteInstance). With ``--surge`` (the default) it first detaches the instance with
  ``ShouldDecrementDesiredCapacity=false`` (awsup detachInstance), so the group launches a replacement;
  with ``--surge=false`` it does not detach, and the group replaces the terminated instance later.
  An instance tagged ``kops.k8s.io/detached-from-asg=<group>`` is still a member of the group for kops
  (awsup awsBuildCloudInstanceGroup, status ``Detached``), and detaching it again is a no-op
  (awsup DetachInstance).

So each surplus instance is first detached with ``ShouldDecrementDesiredCapacity=true`` and kops's
detached tag (the group's desired capacity drops by one, nothing is replaced, the node keeps
running), then removed with ``kops delete instance ID --surge=false --yes`` (drain, terminate). Only
then does kops lower ``MaxSize``, to a value no smaller than the desired capacity, so AWS terminates
nothing on its own.
"""

from __future__ import annotations

import importlib.util
import re

try:
    # boto3 itself is imported when the clients are made (aws_clients, boto3_clients). botocore.exceptions is cheap.
    import botocore.exceptions
    HAS_BOTO3 = importlib.util.find_spec('boto3') is not None
    AWS_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
except ImportError:  # pragma: no cover - reported by the module
    HAS_BOTO3 = False
    AWS_ERRORS = ()

from ansible_collections.cloudops.kops.plugins.module_utils._aws_connection import boto3_clients
from ansible_collections.cloudops.kops.plugins.module_utils._kops_duration import format_go_duration
from ansible_collections.cloudops.kops.plugins.module_utils._kops_instances import cloud_group_names

# upup/pkg/fi/cloudup/awsup/aws_cloud.go tagNameDetachedInstance (v1.30.1, v1.36.2).
DETACHED_TAG = 'kops.k8s.io/detached-from-asg'
DETACHED = 'Detached'

_FOUND = re.compile(r'^Instance (\S+)(?: \((\S+)\))? found for deletion$', re.M)


def group_members(instances, cluster_name, ig_name, role):
    """The instances (parse_instances) of one instance group, detached ones included."""
    names = cloud_group_names(cluster_name, ig_name, role)
    return [i for i in instances if i.get('cloud_group') in names]


def choose_removals(members, target, launch_times=None):
    """The instances to remove so that ``target`` attached instances remain, in removal order.

    Instances kops lists as ``Detached`` (left by an interrupted run) always go first. Of the attached
    ones the surplus is taken: instances that need an update first, then the newest (latest launch
    time), then by id.
    """
    launch_times = launch_times or {}
    detached = sorted((m for m in members if m.get('status') == DETACHED), key=lambda m: m['id'])
    attached = [m for m in members if m.get('status') != DETACHED]
    surplus = max(len(attached) - max(target, 0), 0)
    ordered = sorted(attached, key=lambda m: (not m.get('needs_update'), -launch_times.get(m['id'], 0.0), m['id']))
    return detached + ordered[:surplus]


def delete_instance_args(cluster_name, instance_id, yes=False, cloud_only=False, post_drain_delay=None):
    """``kops delete instance`` for one instance: never surge (the group must not replace it)."""
    args = ['delete', 'instance', instance_id, '--name', cluster_name, '--surge=false']
    if cloud_only:
        args.append('--cloudonly')
    if post_drain_delay is not None:
        args.append('--post-drain-delay=%s' % format_go_duration(post_drain_delay))
    if yes:
        args.append('--yes')
    return args


def preview_outcome(result):
    """What the ``kops delete instance`` preview (no --yes) says: ('node', name), ('not-a-node', None) or
    ('error', None).

    cmd/kops/delete_instance.go RunDeleteInstance: "Instance ID (NODE) found for deletion" for a node the
    API knows; "Instance is not a member of the cluster" (exit 1) for an instance that never joined.
    """
    if result.rc == 0:
        match = _FOUND.search(result.stdout or '')
        if match:
            return 'node', match.group(2) or match.group(1)
        return 'error', None
    if 'Instance is not a member of the cluster' in (result.stderr or ''):
        return 'not-a-node', None
    return 'error', None


def aws_clients(params):
    """boto3 Auto Scaling and EC2 clients from the shared AWS connection options."""
    return boto3_clients(params, 'autoscaling', 'ec2')


def describe_group(autoscaling, name):
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name]).get('AutoScalingGroups') or []
    return groups[0] if groups else None


def launch_times(ec2, ids):
    """{instance id: launch time as epoch seconds} of the given instances."""
    if not ids:
        return {}
    out = {}
    for reservation in ec2.describe_instances(InstanceIds=list(ids)).get('Reservations') or []:
        for inst in reservation.get('Instances') or []:
            launched = inst.get('LaunchTime')
            if launched is not None and hasattr(launched, 'timestamp'):
                out[inst['InstanceId']] = launched.timestamp()
    return out


def lower_min_size(autoscaling, group_name, size):
    """Lower the group's MinSize (never terminates anything) so that detaching may lower the desired capacity."""
    autoscaling.update_auto_scaling_group(AutoScalingGroupName=group_name, MinSize=size)


def detach(autoscaling, ec2, group_name, instance_id):
    """Take one instance out of its group without a replacement; kops keeps it as a Detached member."""
    ec2.create_tags(Resources=[instance_id], Tags=[{'Key': DETACHED_TAG, 'Value': group_name}])
    autoscaling.detach_instances(InstanceIds=[instance_id], AutoScalingGroupName=group_name,
                                 ShouldDecrementDesiredCapacity=True)
