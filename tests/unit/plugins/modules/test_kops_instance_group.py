# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
import yaml

from ansible_collections.cloudops.kops.plugins.modules import kops_instance_group
from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import (
    CLUSTER,
    GET,
    GET_IGS,
    NO_CHANGES,
    STORE,
    UPDATE_DRY,
    UPDATE_YES,
    VERSIONS,
    FakeKops,
    response,
    run_module,
)


def get_ig(name):
    return ('get', 'ig', name, '--name', CLUSTER, '-o', 'json')


def args(kops_binary, **extra):
    out = dict(cluster_name=CLUSTER, state_store=STORE, binary_path=kops_binary)
    out.update(extra)
    return out


def writes(fake):
    # kops delete without --yes only previews (delete instance) or asks (delete instancegroup).
    return [a for a in fake.args() if a[0] in ('create', 'replace') or '--yes' in a]


@pytest.mark.parametrize('extra,message', [
    (dict(name='Bad_IG'), 'Instance group name'),
    (dict(name='nodes', min_size=3, max_size=2), 'min_size (3) is larger than max_size (2)'),
    (dict(name='nodes', min_size=-1), 'min_size must be 0 or more'),
    (dict(name='nodes', taints=['dedicated=batch']), 'Taint'),
    (dict(name='nodes', taints=['a=b:Sometimes']), 'Taint'),
    (dict(name='nodes', cluster_name='bad name'), 'not a valid DNS name'),
])
def test_bad_input_fails_before_kops(kops_binary, monkeypatch, extra, message):
    failed, result = run_module(kops_instance_group, args(kops_binary, **extra), None, monkeypatch)
    assert failed and message in result['msg']


def test_zones_and_subnets_are_exclusive(kops_binary, monkeypatch):
    failed, result = run_module(kops_instance_group, args(kops_binary, name='x', zones=['a'], subnets=['b']),
                                None, monkeypatch)
    assert failed and 'mutually exclusive' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_scale_node_group_from_1_to_2(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'), response(version, '70'))
    fake.add(('replace', '-f', '-'), response(version, '124'))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a',
                                                          min_size=2, max_size=2, _ansible_diff=True), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    assert fake.args() == [('version', '--short'), GET, get_ig('nodes-us-west-2a'), ('replace', '-f', '-'),
                           UPDATE_DRY, UPDATE_YES, get_ig('nodes-us-west-2a')]
    (doc,) = list(yaml.safe_load_all(fake.data[3]))
    assert doc['kind'] == 'InstanceGroup' and doc['metadata']['name'] == 'nodes-us-west-2a'
    assert (doc['spec']['minSize'], doc['spec']['maxSize']) == (2, 2)
    assert doc['spec']['machineType'] == 't3.medium'
    assert result['changes'][:2] == ['InstanceGroup/nodes-us-west-2a spec.minSize: 1 -> 2',
                                     'InstanceGroup/nodes-us-west-2a spec.maxSize: 1 -> 2']
    assert result['diff']['before']['spec']['maxSize'] == 1


@pytest.mark.parametrize('version', VERSIONS)
def test_scale_check_mode(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', max_size=2,
                                                          _ansible_check_mode=True), fake, monkeypatch)
    assert not failed
    assert result['changed'] is True
    assert writes(fake) == []
    assert result['instance_group']['max_size'] == 2


@pytest.mark.parametrize('version', VERSIONS)
def test_unchanged_group(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1,
                                                          max_size=1, machine_type='t3.medium', zones=['us-west-2a']),
                                fake, monkeypatch)
    assert not failed
    assert result['changed'] is False
    assert result['instance_group']['subnets'] == ['us-west-2a']


def fake_creating_batch_group(kops_binary, version):
    """kops for a run that creates batch-us-west-2b: not found, then found after kops create -f."""
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    created = '{"kind":"InstanceGroup","metadata":{"name":"batch-us-west-2b"},"spec":{"role":"Node","minSize":0,"maxSize":3}}'
    fake.add(get_ig('batch-us-west-2b'), response(version, '71'), (0, created, ''))
    fake.add(GET_IGS, response(version, '67'))
    fake.add(('create', '-f', '-'), (0, '', ''))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    return fake


@pytest.mark.parametrize('version', VERSIONS)
def test_create_new_group_copies_template(kops_binary, monkeypatch, version):
    fake = fake_creating_batch_group(kops_binary, version)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='batch-us-west-2b', min_size=0,
                                                          max_size=3, zones=['us-west-2b'], node_labels={'workload': 'batch'},
                                                          taints=['dedicated=batch:NoSchedule']), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    (doc,) = list(yaml.safe_load_all(fake.data[fake.args().index(('create', '-f', '-'))]))
    template = [ig for ig in yaml.safe_load_all(response(version, '69')[1]) if ig['metadata']['name'] == 'nodes-us-west-2a'][0]
    assert doc == {
        'apiVersion': 'kops.k8s.io/v1alpha2', 'kind': 'InstanceGroup',
        'metadata': {'name': 'batch-us-west-2b', 'labels': {'kops.k8s.io/cluster': CLUSTER}},
        'spec': {'role': 'Node', 'machineType': 't3.medium', 'image': template['spec']['image'], 'minSize': 0,
                 'maxSize': 3, 'subnets': ['us-west-2b'],
                 'nodeLabels': {'kops.k8s.io/instancegroup': 'batch-us-west-2b', 'workload': 'batch'},
                 'taints': ['dedicated=batch:NoSchedule']}}


def test_new_group_rolled_with_others_reads_the_groups_once(kops_binary, monkeypatch):
    # The roll's names are checked and the template is copied from one read of the cluster's groups.
    version = '1.36.2'
    fake = fake_creating_batch_group(kops_binary, version)
    preview = ('rolling-update', 'cluster', '--name', CLUSTER, '--cloudonly', '--instance-group', 'nodes-us-west-2a')
    fake.add(preview, response(version, '111'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='batch-us-west-2b', min_size=0, max_size=3,
                                                          zones=['us-west-2b'], rolling_update='auto',
                                                          rolling_update_cloud_only=True,
                                                          rolling_update_instance_groups=['nodes-us-west-2a']),
                                fake, monkeypatch)
    assert not failed, result.get('msg')
    assert fake.args().count(GET_IGS) == 1
    assert preview in fake.args() and ('create', '-f', '-') in fake.args()


def test_unknown_zone_fails_before_writing(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a',
                                                          zones=['us-west-2d']), fake, monkeypatch)
    assert failed and 'us-west-2d' in result['msg']
    assert writes(fake) == []


def test_role_change_is_refused(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', role='bastion'),
                                fake, monkeypatch)
    assert failed and result['msg'].startswith('role cannot be changed')


def test_min_above_stored_max_is_refused(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=3),
                                fake, monkeypatch)
    assert failed and 'minSize (3) would be larger than maxSize (1)' in result['msg']
    assert writes(fake) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_missing_cluster(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '143'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a'), fake, monkeypatch)
    assert failed and 'does not exist' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_absent_deletes(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2c'), response(version, '70'), response(version, '71'))
    fake.add(('delete', 'instancegroup', 'nodes-us-west-2c', '--name', CLUSTER, '--yes'), (0, 'Deleted InstanceGroup\n', ''))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2c', state='absent',
                                                          drain=False), fake, monkeypatch)
    assert not failed and result['changed'] is True
    assert fake.args()[-2:] == [('delete', 'instancegroup', 'nodes-us-west-2c', '--name', CLUSTER, '--yes'),
                                get_ig('nodes-us-west-2c')]


def test_delete_that_leaves_the_group_fails(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2c'), response(version, '70'))
    fake.add(('delete', 'instancegroup', 'nodes-us-west-2c', '--name', CLUSTER, '--yes'), (0, '', ''))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2c', state='absent',
                                                          drain=False), fake, monkeypatch)
    assert failed and 'still in the state store' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_absent_missing_group_and_check_mode(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nosuch-ig'), response(version, '71'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nosuch-ig', state='absent'),
                                fake, monkeypatch)
    assert not failed and result['changed'] is False
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', state='absent',
                                                          drain=False, _ansible_check_mode=True), fake, monkeypatch)
    assert not failed and result['changed'] is True and writes(fake) == []


def test_rolling_update_defaults_to_this_group(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    fake.add(('rolling-update', 'cluster', '--name', CLUSTER, '--cloudonly', '--instance-group', 'nodes-us-west-2a'),
             response(version, '111'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a',
                                                          rolling_update='auto', rolling_update_cloud_only=True),
                                fake, monkeypatch)
    assert not failed and result['changed'] is False


@pytest.mark.parametrize('check_mode', [False, True])
def test_rolling_update_of_a_group_the_cluster_lacks_fails_before_any_write(kops_binary, monkeypatch, check_mode):
    # kops would say InstanceGroup "nodes-typo" not found only when rolling, after the new maxSize was written
    # and applied.
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    fake.add(GET_IGS, response(version, '67'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', max_size=2,
                                                          rolling_update='auto',
                                                          rolling_update_instance_groups=['nodes-us-west-2a', 'nodes-typo'],
                                                          _ansible_check_mode=check_mode),
                                fake, monkeypatch)
    assert failed
    assert result['msg'].startswith('rolling_update_instance_groups names nodes-typo, which cluster %s does not have' % CLUSTER)
    assert 'nodes-us-west-2b' in result['msg']
    assert writes(fake) == [] and UPDATE_DRY not in fake.args()


def test_rolling_update_of_other_groups_reads_them_only_when_rolling(kops_binary, monkeypatch):
    # rolling_update=never: nothing rolls, so the names are not looked up (no kops get ig for the whole cluster).
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), response(version, '70'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a',
                                                          rolling_update_instance_groups=['nodes-us-west-2b']),
                                fake, monkeypatch)
    assert not failed, result.get('msg')
    assert GET_IGS not in fake.args()


@pytest.mark.parametrize('name', ['nodes-us-west-2b', 'control-plane-us-west-2c', 'master-us-west-2a'])
def test_names_kops_create_gives_its_groups_are_refused_for_new_groups(kops_binary, monkeypatch, name):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig(name), response(version, '71'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name=name, min_size=0, max_size=3), fake, monkeypatch)
    assert failed and 'is a name kops create cluster gives the groups it makes' in result['msg']
    assert [a for a in fake.args() if a[0] in ('create', 'replace')] == []


@pytest.mark.parametrize('version', VERSIONS)
def test_a_write_takes_and_releases_the_state_store_lock(kops_binary, monkeypatch, fake_state_store_s3, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    created = '{"kind":"InstanceGroup","metadata":{"name":"batch"},"spec":{"role":"Node","minSize":0,"maxSize":3}}'
    fake.add(get_ig('batch'), response(version, '71'), (0, created, ''))
    fake.add(GET_IGS, response(version, '67'))
    fake.add(('create', '-f', '-'), (0, '', ''))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='batch', min_size=0, max_size=3,
                                                          zones=['us-west-2b']), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert [c[0] for c in fake_state_store_s3.calls] == ['get', 'put', 'get', 'delete']
    assert fake_state_store_s3.objects == {}


# -- safe scale-down: drain and remove the surplus instances before kops shrinks the group ----------------

import datetime  # noqa: E402  (kept next to the tests that need it)
import json  # noqa: E402

from ansible_collections.cloudops.kops.tests.unit.plugins.modules.kops_core_fixtures import recording  # noqa: E402

ASG_A = 'nodes-us-west-2a.%s' % CLUSTER
OLD = 'i-0000000000000000a'
STALE = 'i-0000000000000000b'
NEW = 'i-0000000000000000c'


def stored_ig(version, name='nodes-us-west-2a', size=3, role=None):
    """The recorded ``kops get ig nodes-us-west-2a -o json`` with another size (and role)."""
    ig = json.loads(recording(version, '70').stdout)
    ig['metadata']['name'] = name
    ig['spec']['minSize'] = ig['spec']['maxSize'] = size
    if role:
        ig['spec']['role'] = role
    return (0, json.dumps(ig), '')


def instances_json(version, extra=()):
    """The recorded ``kops get instances -o json`` (one instance per group) plus ``extra`` instances."""
    items = json.loads(recording(version + '/day2', '209').stdout)
    template = next(i for i in items if i['instanceGroup'] == ASG_A)
    for instance_id, status in extra:
        items.append(dict(template, id=instance_id, status=status))
    return (0, json.dumps(items, separators=(',', ':')), recording(version + '/day2', '209').stderr)


def three_in_a(version):
    """nodes-us-west-2a runs three instances: the recorded one is replaced by OLD, STALE and NEW."""
    rc, out, err = instances_json(version, [(OLD, 'UpToDate'), (STALE, 'NeedsUpdate'), (NEW, 'UpToDate')])
    items = [i for i in json.loads(out) if not (i['instanceGroup'] == ASG_A and i['id'] not in (OLD, STALE, NEW))]
    return (rc, json.dumps(items, separators=(',', ':')), err)


def get_instances():
    return ('get', 'instances', '--name', CLUSTER, '-o', 'json')


def preview(instance_id):
    return ('delete', 'instance', instance_id, '--name', CLUSTER, '--surge=false')


def found(instance_id):
    # cmd/kops/delete_instance.go RunDeleteInstance with the Kubernetes API: "Instance %v (%v) found for deletion".
    return (0, 'Instance %s (%s) found for deletion\n\nMust specify --yes to delete instance\n' % (instance_id, instance_id), '')


def delete_yes(instance_id, *flags):
    return ('delete', 'instance', instance_id, '--name', CLUSTER, '--surge=false') + flags + ('--yes',)


DELETED = (0, 'Instance deleted\n', '')


class FakeAws(object):
    """boto3 Auto Scaling and EC2 clients, recording every call in ``events``."""

    def __init__(self, events, groups, launched, lock=None):
        self.events = events
        self.groups = groups
        self.launched = launched
        self.lock = lock

    def _write(self):
        # Every AWS write happens under the state store lock.
        assert self.lock is None or self.lock.objects, 'AWS written without the state store lock'

    def describe_auto_scaling_groups(self, AutoScalingGroupNames):
        self.events.append(('aws', 'describe_auto_scaling_groups', tuple(AutoScalingGroupNames)))
        return {'AutoScalingGroups': [dict(self.groups[n]) for n in AutoScalingGroupNames if n in self.groups]}

    def update_auto_scaling_group(self, AutoScalingGroupName, MinSize):
        self._write()
        self.events.append(('aws', 'update_auto_scaling_group', AutoScalingGroupName, MinSize))
        self.groups[AutoScalingGroupName]['MinSize'] = MinSize

    def detach_instances(self, InstanceIds, AutoScalingGroupName, ShouldDecrementDesiredCapacity):
        self._write()
        self.events.append(('aws', 'detach_instances', tuple(InstanceIds), AutoScalingGroupName,
                            ShouldDecrementDesiredCapacity))
        group = self.groups[AutoScalingGroupName]
        group['DesiredCapacity'] -= len(InstanceIds) if ShouldDecrementDesiredCapacity else 0
        assert group['DesiredCapacity'] >= group['MinSize'], 'AWS refuses a desired capacity below MinSize'

    def describe_instances(self, InstanceIds):
        self.events.append(('aws', 'describe_instances', tuple(sorted(InstanceIds))))
        return {'Reservations': [{'Instances': [{'InstanceId': i, 'LaunchTime': self.launched[i]}
                                                for i in InstanceIds if i in self.launched]}]}

    def create_tags(self, Resources, Tags):
        self._write()
        self.events.append(('aws', 'create_tags', tuple(Resources), tuple((t['Key'], t['Value']) for t in Tags)))


def with_aws(monkeypatch, groups=None, launched=None, lock=None):
    """Patch boto3 out; returns the shared event list (kops calls are added by ``tracked``)."""
    events = []
    day = datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)
    launched = launched or {OLD: day, STALE: day - datetime.timedelta(days=1), NEW: day + datetime.timedelta(hours=1)}
    groups = groups if groups is not None else {ASG_A: {'AutoScalingGroupName': ASG_A, 'MinSize': 3, 'MaxSize': 3,
                                                        'DesiredCapacity': 3}}
    fake = FakeAws(events, groups, launched, lock)
    monkeypatch.setattr(kops_instance_group, 'aws_clients', lambda params: (fake, fake))
    return events


def tracked(fake, events):
    def call(argv, *a, **kw):
        args = argv[1:]
        if args[-2:-1] == ['--state']:
            args = args[:-2]
        events.append(('kops',) + tuple(args))
        return fake(argv, *a, **kw)
    return call


def aws_writes(events):
    return [e for e in events if e[0] == 'aws' and not e[1].startswith('describe')]


@pytest.mark.parametrize('version', VERSIONS)
def test_shrink_below_running_drains_surplus_before_kops_shrinks_the_group(kops_binary, monkeypatch, version,
                                                                           fake_state_store_s3):
    events = with_aws(monkeypatch, lock=fake_state_store_s3)
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), stored_ig(version), response(version, '70'))
    fake.add(get_instances(), three_in_a(version))
    fake.add(preview(STALE), found(STALE))
    fake.add(preview(NEW), found(NEW))
    fake.add(delete_yes(STALE), DELETED)
    fake.add(delete_yes(NEW), DELETED)
    fake.add(('replace', '-f', '-'), response(version, '124'))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1, max_size=1,
                                                          _ansible_diff=True), tracked(fake, events), monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    # NeedsUpdate first, then the newest; the oldest up-to-date instance stays.
    assert [(r['id'], r['instance_group'], r['cloud_group'], r['drained']) for r in result['removed_instances']] == [
        (STALE, 'nodes-us-west-2a', ASG_A, True), (NEW, 'nodes-us-west-2a', ASG_A, True)]
    assert events[events.index(('kops',) + get_instances()):] == [
        ('kops',) + get_instances(),
        ('aws', 'describe_instances', tuple(sorted((OLD, STALE, NEW)))),
        ('kops',) + preview(STALE),
        ('kops',) + preview(NEW),
        # Nothing written before every surplus instance was found drainable.
        ('aws', 'describe_auto_scaling_groups', (ASG_A,)),
        ('aws', 'update_auto_scaling_group', ASG_A, 1),
        ('aws', 'create_tags', (STALE,), (('kops.k8s.io/detached-from-asg', ASG_A),)),
        ('aws', 'detach_instances', (STALE,), ASG_A, True),
        ('kops',) + delete_yes(STALE),
        ('aws', 'create_tags', (NEW,), (('kops.k8s.io/detached-from-asg', ASG_A),)),
        ('aws', 'detach_instances', (NEW,), ASG_A, True),
        ('kops',) + delete_yes(NEW),
        # Only now the smaller maxSize reaches the state store and AWS.
        ('kops', 'replace', '-f', '-'),
        ('kops',) + UPDATE_DRY,
        ('kops',) + UPDATE_YES,
        ('kops',) + get_ig('nodes-us-west-2a'),
    ]
    # One lock for the whole write (taken before the first AWS write, released at the end).
    assert [c[0] for c in fake_state_store_s3.calls] == ['get', 'put', 'get', 'delete']
    assert fake_state_store_s3.objects == {}
    spec_diff, instance_diff = result['diff']
    assert spec_diff['before']['spec']['maxSize'] == 3
    assert instance_diff['before'] == '%s\n%s\n%s\n' % (OLD, STALE, NEW) and instance_diff['after'] == OLD + '\n'


@pytest.mark.parametrize('version', VERSIONS)
def test_shrink_check_mode_reports_the_plan_and_writes_nothing(kops_binary, monkeypatch, version):
    events = with_aws(monkeypatch)
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), stored_ig(version))
    fake.add(get_instances(), three_in_a(version))
    fake.add(preview(STALE), found(STALE))
    fake.add(preview(NEW), found(NEW))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1, max_size=1,
                                                          _ansible_check_mode=True, _ansible_diff=True),
                                tracked(fake, events), monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    assert [r['id'] for r in result['removed_instances']] == [STALE, NEW]
    assert writes(fake) == [] and aws_writes(events) == []
    assert 'would drain and remove instance %s of nodes-us-west-2a' % STALE in ' '.join(result['changes'])
    assert result['diff'][1]['after'] == OLD + '\n'


@pytest.mark.parametrize('version', VERSIONS)
def test_drain_false_keeps_kops_behaviour(kops_binary, monkeypatch, version):
    def no_aws(params):
        raise AssertionError('drain=false must not touch AWS')
    monkeypatch.setattr(kops_instance_group, 'aws_clients', no_aws)
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), stored_ig(version), response(version, '70'))
    fake.add(('replace', '-f', '-'), response(version, '124'))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1, max_size=1,
                                                          drain=False), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True and result['removed_instances'] == []
    assert fake.args() == [('version', '--short'), GET, get_ig('nodes-us-west-2a'), ('replace', '-f', '-'),
                           UPDATE_DRY, UPDATE_YES, get_ig('nodes-us-west-2a')]


@pytest.mark.parametrize('version', VERSIONS)
def test_shrink_within_running_count_removes_nothing(kops_binary, monkeypatch, version):
    events = with_aws(monkeypatch)
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), stored_ig(version), response(version, '70'))
    fake.add(get_instances(), instances_json(version))  # one instance in the group
    fake.add(('replace', '-f', '-'), response(version, '124'))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1, max_size=1),
                                tracked(fake, events), monkeypatch)
    assert not failed, result.get('msg')
    assert result['removed_instances'] == [] and [e for e in events if e[0] == 'aws'] == []
    assert [a for a in fake.args() if a[:2] == ('delete', 'instance')] == []


@pytest.mark.parametrize('version', VERSIONS)
def test_unreachable_api_fails_before_any_write(kops_binary, monkeypatch, version):
    events = with_aws(monkeypatch)
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), stored_ig(version))
    fake.add(get_instances(), three_in_a(version))
    # cmd/kops/delete_instance.go getNodes.
    fake.add(preview(STALE), (1, '', 'Unable to reach the kubernetes API.\nUse --cloudonly to do a deletion without '
                                     'confirming progress with the k8s API\n\nError: listing nodes in cluster: Get '
                                     '"https://api.fleetman.k8s.local/api/v1/nodes": dial tcp: no such host\n'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1, max_size=1),
                                tracked(fake, events), monkeypatch)
    assert failed and 'kubeconfig' in result['msg'] and 'drain=false' in result['msg']
    assert result['cmd'][1:4] == ['delete', 'instance', STALE]
    assert writes(fake) == [] and aws_writes(events) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_never_joined_instance_is_removed_cloud_only_and_kubeconfig_reaches_kops(kops_binary, monkeypatch, version,
                                                                                 tmp_path):
    events = with_aws(monkeypatch)
    kubeconfig = str(tmp_path / 'kubeconfig')
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), stored_ig(version), response(version, '70'))
    fake.add(get_instances(), three_in_a(version))
    fake.add(preview(STALE), (1, '', 'Instance is not a member of the cluster\nUse --cloudonly to do a deletion without '
                                     'confirming progress with the k8s API\n\nError: error finding node name for '
                                     'instance: %s\n' % STALE))
    fake.add(preview(NEW), found(NEW))
    fake.add(delete_yes(STALE, '--cloudonly', '--post-drain-delay=1m30s'), DELETED)
    fake.add(delete_yes(NEW, '--post-drain-delay=1m30s'), DELETED)
    fake.add(('replace', '-f', '-'), response(version, '124'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1, max_size=1,
                                                          kubeconfig=kubeconfig, post_drain_delay=90),
                                tracked(fake, events), monkeypatch)
    assert not failed, result.get('msg')
    assert [(r['id'], r['drained']) for r in result['removed_instances']] == [(STALE, False), (NEW, True)]
    for argv, environ in zip(fake.args(), fake.environ):
        if argv[:2] in (('get', 'instances'), ('delete', 'instance')):
            assert environ.get('KUBECONFIG') == kubeconfig, argv


def test_bad_post_drain_delay_fails_before_kops(kops_binary, monkeypatch):
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', post_drain_delay='soon'),
                                None, monkeypatch)
    assert failed and result['msg'].startswith('post_drain_delay:')


@pytest.mark.parametrize('version', VERSIONS)
def test_a_failed_delete_reports_what_was_removed(kops_binary, monkeypatch, version):
    events = with_aws(monkeypatch)
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), stored_ig(version))
    fake.add(get_instances(), three_in_a(version))
    fake.add(preview(STALE), found(STALE))
    fake.add(preview(NEW), found(NEW))
    fake.add(delete_yes(STALE), DELETED)
    fake.add(delete_yes(NEW), (1, '', 'Error: failed to drain node "%s": timed out\n' % NEW))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1, max_size=1),
                                tracked(fake, events), monkeypatch)
    assert failed and 'a rerun drains and removes it' in result['msg']
    assert [r['id'] for r in result['removed_instances']] == [STALE]
    # The smaller maxSize was not written, so a rerun sees the shrink again and finishes it.
    assert [a for a in fake.args() if a[0] == 'replace'] == []


@pytest.mark.parametrize('version', VERSIONS)
def test_absent_drains_every_instance_before_deleting_the_group(kops_binary, monkeypatch, version):
    asg_c = 'nodes-us-west-2c.%s' % CLUSTER
    (instance,) = [i['id'] for i in json.loads(recording(version + '/day2', '209').stdout) if i['instanceGroup'] == asg_c]
    events = with_aws(monkeypatch, groups={asg_c: {'AutoScalingGroupName': asg_c, 'MinSize': 1, 'MaxSize': 1,
                                                   'DesiredCapacity': 1}}, launched={})
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2c'), stored_ig(version, 'nodes-us-west-2c', 1), response(version, '71'))
    fake.add(get_instances(), instances_json(version))
    fake.add(preview(instance), found(instance))
    fake.add(delete_yes(instance), DELETED)
    fake.add(('delete', 'instancegroup', 'nodes-us-west-2c', '--name', CLUSTER, '--yes'), (0, 'Deleted InstanceGroup\n', ''))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2c', state='absent'),
                                tracked(fake, events), monkeypatch)
    assert not failed, result.get('msg')
    assert [r['id'] for r in result['removed_instances']] == [instance]
    assert [e for e in events if e[0] == 'aws' and e[1] != 'describe_instances' or e[:3] == ('kops', 'delete', 'instance')
            or e[:3] == ('kops', 'delete', 'instancegroup')] == [
        ('kops',) + preview(instance),
        ('aws', 'describe_auto_scaling_groups', (asg_c,)),
        ('aws', 'update_auto_scaling_group', asg_c, 0),
        ('aws', 'create_tags', (instance,), (('kops.k8s.io/detached-from-asg', asg_c),)),
        ('aws', 'detach_instances', (instance,), asg_c, True),
        ('kops',) + delete_yes(instance),
        ('kops', 'delete', 'instancegroup', 'nodes-us-west-2c', '--name', CLUSTER, '--yes'),
    ]


@pytest.mark.parametrize('version', VERSIONS)
def test_absent_check_mode_lists_the_instances(kops_binary, monkeypatch, version):
    asg_c = 'nodes-us-west-2c.%s' % CLUSTER
    (instance,) = [i['id'] for i in json.loads(recording(version + '/day2', '209').stdout) if i['instanceGroup'] == asg_c]
    events = with_aws(monkeypatch, launched={})
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2c'), stored_ig(version, 'nodes-us-west-2c', 1))
    fake.add(get_instances(), instances_json(version))
    fake.add(preview(instance), found(instance))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2c', state='absent',
                                                          _ansible_check_mode=True), tracked(fake, events), monkeypatch)
    assert not failed and result['changed'] is True
    assert [r['id'] for r in result['removed_instances']] == [instance]
    assert writes(fake) == [] and aws_writes(events) == []


def test_absent_only_control_plane_group_is_refused_before_draining(kops_binary, monkeypatch):
    version = '1.36.2'
    events = with_aws(monkeypatch)
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('control-plane-us-west-2a'), stored_ig(version, 'control-plane-us-west-2a', 1, role='ControlPlane'))
    fake.add(GET_IGS, response(version, '67'))
    failed, result = run_module(kops_instance_group, args(kops_binary, name='control-plane-us-west-2a', state='absent'),
                                tracked(fake, events), monkeypatch)
    assert failed and 'only control plane instance group' in result['msg']
    assert [a for a in fake.args() if a[0] == 'delete' or a[:2] == ('get', 'instances')] == [] and events[-1][0] == 'kops'


@pytest.mark.parametrize('version', VERSIONS)
def test_rerun_after_an_interruption_removes_the_detached_instance_first(kops_binary, monkeypatch, version):
    # The run before detached STALE and died before kops delete instance: kops lists it as Detached
    # (awsup awsBuildCloudInstanceGroup), the group's desired capacity is already 2, the spec still says 3.
    events = with_aws(monkeypatch, groups={ASG_A: {'AutoScalingGroupName': ASG_A, 'MinSize': 1, 'MaxSize': 3,
                                                   'DesiredCapacity': 2}})
    rc, out, err = three_in_a(version)
    out = out.replace('"id":"%s","status":"NeedsUpdate"' % STALE, '"id":"%s","status":"Detached"' % STALE)
    fake = FakeKops(kops_binary, version)
    fake.add(GET, response(version, '65'))
    fake.add(get_ig('nodes-us-west-2a'), stored_ig(version), response(version, '70'))
    fake.add(get_instances(), (rc, out, err))
    fake.add(preview(STALE), found(STALE))
    fake.add(preview(NEW), found(NEW))
    fake.add(delete_yes(STALE), DELETED)
    fake.add(delete_yes(NEW), DELETED)
    fake.add(('replace', '-f', '-'), response(version, '124'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_instance_group, args(kops_binary, name='nodes-us-west-2a', min_size=1, max_size=1),
                                tracked(fake, events), monkeypatch)
    assert not failed, result.get('msg')
    assert [(r['id'], r['status']) for r in result['removed_instances']] == [(STALE, 'Detached'), (NEW, 'UpToDate')]
    assert [e for e in events if e[0] == 'aws' and e[1] in ('create_tags', 'detach_instances')] == [
        ('aws', 'create_tags', (NEW,), (('kops.k8s.io/detached-from-asg', ASG_A),)),
        ('aws', 'detach_instances', (NEW,), ASG_A, True),
    ]
    assert ('aws', 'update_auto_scaling_group', ASG_A, 1) not in events  # MinSize 1 already allows desired 1
