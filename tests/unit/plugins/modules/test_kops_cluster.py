# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
import yaml

from ansible_collections.cloudops.kops.plugins.modules import kops_cluster
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
    recording,
    response,
    run_module,
)


MUTATING = ('create', 'replace', 'delete')
# kops_cluster reads the cluster and its instance groups in one process (recording 185, the same objects as 65 and 67).
GET_ALL = ('get', 'all', '--name', CLUSTER, '-o', 'json')
# kops get all on a missing cluster: cmd/kops/get_all.go RunGetAll returns client.GetCluster's error as is, the
# NotFound of pkg/client/simple/vfsclientset/cluster.go ClusterVFS.Get (v1.30.1 and v1.36.2; the stand-in's contract
# case get-all-missing).
NO_CLUSTER = (1, '', 'Error: Cluster.kops.k8s.io "%s" not found\n' % CLUSTER)


def only_cluster(version):
    """kops get all for a cluster without instance groups (an interrupted create): get_all.go RunGetAll prints
    the array with the Cluster only, exit code 0, and "No instance groups found" on stderr."""
    cluster = json.loads(response(version, '185')[1])[0]
    return (0, json.dumps([cluster]), 'No instance groups found\n')


PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFHIE4glpVzmKdW5ASo3lffdMfFZ7dg4PQBgLvDaN5+P test@example'
PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n'


@pytest.fixture(autouse=True)
def no_region_in_environment(monkeypatch):
    for variable in ('AWS_REGION', 'AWS_DEFAULT_REGION'):
        monkeypatch.delenv(variable, raising=False)


def base_args(kops_binary, **extra):
    args = dict(name=CLUSTER, state_store=STORE, binary_path=kops_binary)
    args.update(extra)
    return args


def create_args(kops_binary, **extra):
    args = dict(zones=['us-west-2a', 'us-west-2b', 'us-west-2c'], node_count=3,
                node_size='t3.medium', control_plane_size='t3.medium')
    args.update(extra)
    return base_args(kops_binary, **args)


def mutating(fake):
    """Calls that write; ``kops delete cluster`` without --yes only previews."""
    return [args for args in fake.args() if '--dry-run' not in args and (
        '--yes' in args or (args[0] in MUTATING and args[0] != 'delete'))]


# -- bad input fails before kops runs ----------------------------------------------------------

@pytest.mark.parametrize('extra,message', [
    (dict(name='Bad_Name'), 'is not a valid DNS name'),
    (dict(name='nodots'), 'fully qualified DNS name'),
    (dict(dns='public'), 'has no DNS zone'),
    (dict(node_count=-1), 'node_count must be 0 or more'),
    (dict(control_plane_count=0), 'control_plane_count must be 1 or more'),
    (dict(zones=['us-west-2a,us-west-2b']), 'zones contains an invalid entry'),
    (dict(cloud_labels={'team': 'a,b'}), 'cloud_labels entry'),
    (dict(extra_create_flags={'zones': 'us-west-2a'}), 'cannot set --zones'),
    (dict(extra_create_flags={'--channel': 'stable'}), 'is not a kops flag name'),
    (dict(extra_create_flags={'set': {'a': 1}}), 'must be a string'),
    (dict(ssh_public_key='/nonexistent/id.pub'), 'ssh_public_key /nonexistent/id.pub is neither an OpenSSH public key'),
    (dict(zones=['eu-west-1a'], region='us-west-2'), 'zones eu-west-1a are in region eu-west-1, not in region'),
    (dict(zones=['us-west-2a', 'us-east-1a']), 'zones mixes zones of 2 regions (us-east-1: us-east-1a; us-west-2: us-west-2a)'),
    (dict(zones=['us-west-2a'], control_plane_zones=['us-east-1b']), 'mixes zones of 2 regions'),
    (dict(zones=['west']), "zones entry 'west' is not an AWS availability zone"),
    (dict(ssh_public_key=PRIVATE_KEY), 'is a PRIVATE key'),
    (dict(ssh_public_key='ssh-ed25519 not!base64'), 'not valid base64'),
    (dict(ssh_public_key='ssh-rsa ' + PUBLIC_KEY.split()[1]), "says ssh-rsa but its key data is of type 'ssh-ed25519'"),
    (dict(state='absent', delete_timeout='ten minutes'), 'delete_timeout'),
])
def test_bad_input_fails_before_kops(kops_binary, monkeypatch, extra, message):
    failed, result = run_module(kops_cluster, base_args(kops_binary, **extra), None, monkeypatch)
    assert failed
    assert message in result['msg']


# -- create ----------------------------------------------------------------------------------

def create_argv(version):
    return ('create', 'cluster', '--name', CLUSTER, '--zones=us-west-2a,us-west-2b,us-west-2c',
            '--control-plane-size=t3.medium', '--node-count=3', '--node-size=t3.medium')


@pytest.mark.parametrize('version', VERSIONS)
def test_create_runs_create_then_update(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER, response(version, '185'))
    fake.add(GET, response(version, '65'))
    fake.add(create_argv(version), response(version, '57'))
    fake.add(GET_IGS, response(version, '67'))
    fake.add(UPDATE_DRY, response(version, '80'))
    fake.add(UPDATE_YES, response(version, '81'))
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    assert fake.args() == [
        ('version', '--short'), GET_ALL, create_argv(version), GET, GET_IGS, UPDATE_DRY, UPDATE_YES, GET_ALL]
    assert all(call[-2:] == ['--state', STORE] for call in fake.calls[1:])
    assert result['kops_version'] == version
    assert result['cluster']['name'] == CLUSTER
    assert result['cluster']['kops_object']['metadata']['name'] == CLUSTER
    assert 'spec' not in result['cluster']
    assert [ig['name'] for ig in result['instance_groups']][0] == 'control-plane-us-west-2a'
    assert result['update_report']['updated'] is True
    assert result['commands'] == fake.calls


@pytest.mark.parametrize('version', VERSIONS)
def test_create_check_mode_uses_dry_run(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER)
    fake.add(create_argv(version) + ('--dry-run', '-o', 'yaml'), response(version, '40'))
    args = create_args(kops_binary, _ansible_check_mode=True, _ansible_diff=True)
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    assert mutating(fake) == []
    assert result['cluster']['cloud_provider'] == 'aws'
    assert result['cluster']['kops_object']['spec']['cloudProvider'] == 'aws'
    assert len(result['instance_groups']) == 4
    assert result['diff']['before'] == {'cluster': {}, 'instance_groups': {}}
    assert sorted(result['diff']['after']['instance_groups']) == [
        'control-plane-us-west-2a', 'nodes-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c']


def test_create_check_mode_applies_class_to_preview(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER)
    fake.add(create_argv(version) + ('--api-loadbalancer-type=public', '--dry-run', '-o', 'yaml'), response(version, '40'))
    args = create_args(kops_binary, api_loadbalancer_class='classic', _ansible_check_mode=True)
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed
    assert result['cluster']['api_loadbalancer_class'] == 'classic'
    assert result['cluster']['kops_object']['spec']['api']['loadBalancer']['class'] == 'Classic'
    assert 'Cluster/fleetman.k8s.local spec.api.loadBalancer.class: Network -> Classic' in result['changes']


def test_create_passes_every_creation_flag(kops_binary, monkeypatch, tmp_path):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER)
    args = create_args(kops_binary, control_plane_zones=['us-west-2a'], control_plane_count=1,
                       kubernetes_version='1.30.14', networking='calico', topology='private', dns='none',
                       api_loadbalancer_type='internal', image='ami-123', vpc='vpc-1', subnets=['subnet-a'],
                       utility_subnets=['subnet-u'], cloud_labels={'team': 'platform', 'env': 'test'},
                       ssh_public_key=PUBLIC_KEY,
                       extra_create_flags={'channel': 'stable', 'bastion': True, 'associate-public-ip': False,
                                           'admin-access': ['10.0.0.0/8', '192.168.0.0/16']},
                       _ansible_check_mode=True)
    seen = {}

    def capture(argv, **kwargs):
        if argv[1] == 'create':
            seen['argv'] = argv[1:-2]
            with open([a for a in argv if a.startswith('--ssh-public-key=')][0].split('=', 1)[1]) as handle:
                seen['key'] = handle.read()
            return response(version, '40')
        return fake(argv, **kwargs)

    failed, result = run_module(kops_cluster, args, capture, monkeypatch)
    assert not failed, result.get('msg')
    argv = seen['argv']
    key_arg = [a for a in argv if a.startswith('--ssh-public-key=')][0]
    assert argv == ['create', 'cluster', '--name', CLUSTER, '--zones=us-west-2a,us-west-2b,us-west-2c',
                    '--control-plane-zones=us-west-2a', '--control-plane-count=1', '--control-plane-size=t3.medium',
                    '--node-count=3', '--node-size=t3.medium', '--kubernetes-version=1.30.14', '--networking=calico',
                    '--topology=private', '--dns=none', '--api-loadbalancer-type=internal', '--image=ami-123',
                    '--network-id=vpc-1', '--subnets=subnet-a', '--utility-subnets=subnet-u',
                    '--cloud-labels=env=test,team=platform', key_arg,
                    '--admin-access=10.0.0.0/8,192.168.0.0/16', '--associate-public-ip=false', '--bastion',
                    '--channel=stable', '--dry-run', '-o', 'yaml']
    assert seen['key'] == PUBLIC_KEY + '\n'


def test_create_needs_zones(kops_binary, monkeypatch):
    fake = FakeKops(kops_binary, '1.36.2')
    fake.add(GET_ALL, NO_CLUSTER)
    failed, result = run_module(kops_cluster, base_args(kops_binary), fake, monkeypatch)
    assert failed and 'zones is required' in result['msg']
    assert mutating(fake) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_create_failure_is_reported(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER)
    fake.add(GET, response(version, '143'))
    fake.add(create_argv(version), response(version, '46'))
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert failed
    assert 'kops create cluster failed' in result['msg']
    assert 'Zone is not a recognized AZ' in result['msg']
    assert result['rc'] == 1 and result['error_kind'] == 'other'


@pytest.mark.parametrize('version', VERSIONS)
def test_missing_bucket_is_an_error(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '53'))
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert failed and result['error_kind'] == 'state_store'
    assert mutating(fake) == []


# -- existing cluster ----------------------------------------------------------------------------

@pytest.mark.parametrize('version', VERSIONS)
def test_existing_cluster_unchanged(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is False
    assert result['changes'] == [] and result['differences'] == []
    # One kops process reads the cluster and its groups: a re-run is the version probe, get all and the dry run.
    assert fake.args() == [('version', '--short'), GET_ALL, UPDATE_DRY]


@pytest.mark.parametrize('version', VERSIONS)
def test_pending_cloud_changes_are_applied(kops_binary, monkeypatch, version):
    # A cluster created without --yes: the spec matches but the cloud is behind.
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, response(version, '80'))
    fake.add(UPDATE_YES, response(version, '81'))
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert not failed
    assert result['changed'] is True
    assert fake.args()[-2:] == [UPDATE_YES, GET_ALL]


@pytest.mark.parametrize('version', VERSIONS)
def test_node_count_scales_node_groups(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(('replace', '-f', '-'), response(version, '124'))
    fake.add(UPDATE_DRY, response(version, '131'))
    fake.add(UPDATE_YES, response(version, '132'))
    failed, result = run_module(kops_cluster, create_args(kops_binary, node_count=6), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True
    replaced = list(yaml.safe_load_all(fake.data[fake.args().index(('replace', '-f', '-'))]))
    assert [ig['metadata']['name'] for ig in replaced] == ['nodes-us-west-2a', 'nodes-us-west-2b', 'nodes-us-west-2c']
    assert all(ig['spec']['minSize'] == 2 and ig['spec']['maxSize'] == 2 for ig in replaced)
    assert replaced[0]['metadata']['creationTimestamp']  # whole objects, as kops get printed them
    assert 'InstanceGroup/nodes-us-west-2a spec.maxSize: 1 -> 2' in result['changes']
    assert len(result['differences']) == 6


@pytest.mark.parametrize('version', VERSIONS)
def test_node_count_check_mode_writes_nothing(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    args = create_args(kops_binary, node_count=4, _ansible_check_mode=True, _ansible_diff=True)
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed
    assert result['changed'] is True
    assert mutating(fake) == []
    sizes = [ig['max_size'] for ig in result['instance_groups'] if ig['role'] == 'node']
    assert sizes == [2, 1, 1]
    before = result['diff']['before']['instance_groups']['nodes-us-west-2a']['spec']['maxSize']
    after = result['diff']['after']['instance_groups']['nodes-us-west-2a']['spec']['maxSize']
    assert (before, after) == (1, 2)
    assert 'would run kops update cluster --yes to apply pending cloud changes' in result['changes']


@pytest.mark.parametrize('extra,field', [
    (dict(zones=['us-west-2a']), 'zones'),
    (dict(networking='calico'), 'networking'),
    (dict(topology='private'), 'topology'),
    (dict(control_plane_count=3), 'control_plane_count'),
    (dict(vpc='vpc-123'), 'vpc'),
])
def test_create_only_settings_fail_on_existing_cluster(kops_binary, monkeypatch, extra, field):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    failed, result = run_module(kops_cluster, create_args(kops_binary, **extra), fake, monkeypatch)
    assert failed
    assert result['msg'].startswith('%s cannot be changed on an existing cluster' % field)
    assert mutating(fake) == []


def test_mutable_cluster_settings_are_replaced(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(('replace', '-f', '-'), (0, '', ''))
    fake.add(UPDATE_DRY, response(version, '80'))
    fake.add(UPDATE_YES, response(version, '81'))
    args = base_args(kops_binary, kubernetes_version='v1.30.15', api_loadbalancer_class='classic',
                     cloud_labels={'team': 'platform'}, control_plane_size='t3.large')
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed, result.get('msg')
    docs = list(yaml.safe_load_all(fake.data[fake.args().index(('replace', '-f', '-'))]))
    assert [d['kind'] for d in docs] == ['Cluster', 'InstanceGroup']
    assert docs[0]['spec']['kubernetesVersion'] == '1.30.15'
    assert docs[0]['spec']['api']['loadBalancer'] == {'class': 'Classic', 'type': 'Public'}
    assert docs[0]['spec']['cloudLabels'] == {'team': 'platform'}
    assert docs[1]['metadata']['name'] == 'control-plane-us-west-2a' and docs[1]['spec']['machineType'] == 't3.large'


@pytest.mark.parametrize('version', VERSIONS)
def test_apply_false_only_writes_the_spec(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(('replace', '-f', '-'), (0, '', ''))
    failed, result = run_module(kops_cluster, base_args(kops_binary, node_size='t3.large', apply=False), fake, monkeypatch)
    assert not failed
    assert result['changed'] is True
    assert not [a for a in fake.args() if a[0] == 'update']


# -- rolling update ----------------------------------------------------------------------------------

ROLL = ('rolling-update', 'cluster', '--name', CLUSTER)
NEEDS_UPDATE = (0, 'NAME\t\t\tSTATUS\t\tNEEDUPDATE\tREADY\tMIN\tTARGET\tMAX\n'
                   'nodes-us-west-2a\tNeedsUpdate\t1\t\t0\t1\t1\t1\n\nMust specify --yes to rolling-update.\n', '')


@pytest.mark.parametrize('version', VERSIONS)
@pytest.mark.parametrize('cloud_only', ['rolling_update_cloud_only', 'rolling_update_cloudonly'])
def test_rolling_update_auto_not_needed(kops_binary, monkeypatch, version, cloud_only):
    # rolling_update_cloudonly: kops's own spelling, kept as an alias of the collection's.
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    fake.add(ROLL + ('--cloudonly',), response(version, '111'))
    args = base_args(kops_binary, rolling_update='auto', **{cloud_only: True})
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed
    assert result['changed'] is False
    assert result['update_report']['rolling_update_required'] is False
    assert len(result['update_report']['rolling_update_plan']) == 4


@pytest.mark.parametrize('check_mode', [False, True])
def test_rolling_update_auto_needed(kops_binary, monkeypatch, check_mode):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    fake.add(ROLL + ('--instance-group', 'nodes-us-west-2a'), NEEDS_UPDATE)
    fake.add(ROLL + ('--instance-group', 'nodes-us-west-2a', '--yes'), (0, '', ''))
    args = base_args(kops_binary, rolling_update='auto', rolling_update_instance_groups=['nodes-us-west-2a'],
                     _ansible_check_mode=check_mode)
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed
    assert result['changed'] is True
    ran_yes = ROLL + ('--instance-group', 'nodes-us-west-2a', '--yes') in fake.args()
    assert ran_yes is (not check_mode)


@pytest.mark.parametrize('check_mode', [False, True])
def test_rolling_update_of_a_group_the_cluster_lacks_fails_before_any_write(kops_binary, monkeypatch, check_mode):
    # kops reports an unknown --instance-group only when it rolls, after the spec was replaced and applied.
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    args = create_args(kops_binary, node_count=6, rolling_update='auto', rolling_update_instance_groups=['nodes-typo'],
                       _ansible_check_mode=check_mode)
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert failed
    assert result['msg'].startswith('rolling_update_instance_groups names nodes-typo, which cluster %s does not have' % CLUSTER)
    assert fake.args() == [('version', '--short'), GET_ALL]


@pytest.mark.parametrize('check_mode', [False, True])
def test_node_groups_kops_will_not_make_fail_before_the_create(kops_binary, monkeypatch, check_mode):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER)
    args = create_args(kops_binary, node_instance_groups=['nodes-us-west-2a', 'batch'], _ansible_check_mode=check_mode)
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert failed
    assert result['msg'].startswith('node_instance_groups names batch, which kops create cluster does not make')
    assert fake.args() == [('version', '--short'), GET_ALL]


def test_node_groups_kops_makes_can_be_named_at_create(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER)
    fake.add(create_argv(version) + ('--dry-run', '-o', 'yaml'), response(version, '40'))
    args = create_args(kops_binary, node_instance_groups=['nodes-us-west-2b'], _ansible_check_mode=True)
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is True


def test_rolling_update_without_api_fails_clearly(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    fake.add(ROLL, response(version, '110'))
    failed, result = run_module(kops_cluster, base_args(kops_binary, rolling_update='auto'), fake, monkeypatch)
    assert failed
    assert 'rolling_update_cloud_only' in result['msg'] and result['error_kind'] == 'transient'


def test_rolling_update_always_forces(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    fake.add(ROLL + ('--instance-group-roles', 'node'), response(version, '175'))
    fake.add(ROLL + ('--instance-group-roles', 'node', '--yes', '--force'), (0, '', ''))
    args = base_args(kops_binary, rolling_update='always', rolling_update_instance_group_roles=['node'])
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed and result['changed'] is True
    assert result['update_report']['rolling_updated'] is True


# -- absent ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('version', VERSIONS)
def test_absent_deletes_existing(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(GET, response(version, '143'))
    fake.add(('delete', 'cluster', '--name', CLUSTER, '--yes', '--wait=15m'), response(version, '141'))
    args = base_args(kops_binary, state='absent', delete_timeout='15m', _ansible_diff=True)
    failed, result = run_module(kops_cluster, args, fake, monkeypatch)
    assert not failed and result['changed'] is True
    assert result['diff']['after'] == {'cluster': {}, 'instance_groups': {}}
    assert result['diff']['before']['cluster']['metadata']['name'] == CLUSTER
    assert fake.args()[-2:] == [('delete', 'cluster', '--name', CLUSTER, '--yes', '--wait=15m'), GET]


def test_delete_that_leaves_the_cluster_fails(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(GET, response(version, '65'))
    fake.add(('delete', 'cluster', '--name', CLUSTER, '--yes', '--wait=10m'), (0, '', ''))
    failed, result = run_module(kops_cluster, base_args(kops_binary, state='absent'), fake, monkeypatch)
    assert failed and 'still in the state store' in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_absent_check_mode(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    failed, result = run_module(kops_cluster, base_args(kops_binary, state='absent', _ansible_check_mode=True),
                                fake, monkeypatch)
    assert not failed and result['changed'] is True
    assert mutating(fake) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_absent_when_missing_is_a_no_op(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER)
    failed, result = run_module(kops_cluster, base_args(kops_binary, state='absent'), fake, monkeypatch)
    assert not failed and result['changed'] is False
    assert fake.args() == [('version', '--short'), GET_ALL]


def test_delete_failure_keeps_details(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(('delete', 'cluster', '--name', CLUSTER, '--yes', '--wait=10m'),
             (1, '', 'Error: wait time exceeded during resources deletion\n'))
    failed, result = run_module(kops_cluster, base_args(kops_binary, state='absent'), fake, monkeypatch)
    assert failed
    assert 'may remain' in result['msg'] and 'wait time exceeded' in result['msg']


def test_version_too_old_fails_before_reading(kops_binary, monkeypatch):
    fake = FakeKops(kops_binary, '1.36.2', {('version', '--short'): (0, '1.29.2\n', '')})
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert failed and 'too old' in result['msg']
    assert fake.args() == [('version', '--short')]


def test_result_is_json_serialisable(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_cluster, base_args(kops_binary), fake, monkeypatch)
    assert not failed
    json.dumps(result)
    assert recording(version, '65').rc == 0


def test_region_comes_from_the_environment_when_not_set(kops_binary, monkeypatch):
    monkeypatch.setenv('AWS_REGION', 'us-west-2')
    failed, result = run_module(kops_cluster, create_args(kops_binary, zones=['eu-west-1a']), None, monkeypatch)
    assert failed and "not in region 'us-west-2'" in result['msg']


@pytest.mark.parametrize('content,message', [
    (PRIVATE_KEY, 'is a PRIVATE key'),
    (PUBLIC_KEY + '\n' + PUBLIC_KEY + '\n', 'exactly one OpenSSH public key line, found 2'),
    ('hello\n', 'not an OpenSSH public key line'),
])
def test_ssh_key_files_are_checked_before_kops(kops_binary, monkeypatch, tmp_path, content, message):
    path = tmp_path / 'id_ed25519.pub'
    path.write_text(content)
    failed, result = run_module(kops_cluster, create_args(kops_binary, ssh_public_key=str(path)), None, monkeypatch)
    assert failed and message in result['msg'] and str(path) in result['msg']


def test_one_public_key_line_with_comments_is_accepted(tmp_path):
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_input import ssh_public_key_error
    path = tmp_path / 'id.pub'
    path.write_text('# the nodes\n' + PUBLIC_KEY + '\n\n')
    assert ssh_public_key_error('ssh_public_key', str(path)) is None
    assert ssh_public_key_error('ssh_public_key', PUBLIC_KEY) is None


# -- interrupted creates ---------------------------------------------------------------------------

NEVER_APPLIED = (0, 'Client version: 1.36.2 (git-v1.36.2)\nLast applied server version: could get cluster version\n', '')
DELETE_PREVIEW = ('delete', 'cluster', '--name', CLUSTER)


@pytest.mark.parametrize('version', VERSIONS)
def test_config_without_instance_groups_is_recreated(kops_binary, monkeypatch, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, only_cluster(version), response(version, '185'))
    fake.add(GET, response(version, '65'))
    fake.add(GET_IGS, response(version, '67'))
    fake.add(('version', '--server', '--name', CLUSTER), NEVER_APPLIED)
    fake.add(DELETE_PREVIEW, (0, 'No cloud resources to delete\n\nMust specify --yes to unregister the cluster\n', ''))
    fake.add(DELETE_PREVIEW + ('--yes',), (0, '\nDeleted cluster: "%s"\n' % CLUSTER, ''))
    fake.add(create_argv(version), response(version, '57'))
    fake.add(UPDATE_DRY, response(version, '80'))
    fake.add(UPDATE_YES, response(version, '81'))
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] and 'left incomplete by an interrupted create' in result['changes'][0]
    assert mutating(fake) == [DELETE_PREVIEW + ('--yes',), create_argv(version), UPDATE_YES]
    # Deleting the leftover configuration must not edit the user's kubeconfig either.
    delete_env = fake.environ[fake.args().index(DELETE_PREVIEW + ('--yes',))]
    assert delete_env['KUBECONFIG'].endswith('kops-scratch-kubeconfig')


def test_incomplete_cluster_in_check_mode_writes_nothing(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, only_cluster(version))
    fake.add(('version', '--server', '--name', CLUSTER), NEVER_APPLIED)
    fake.add(DELETE_PREVIEW, (0, 'No cloud resources to delete\n\nMust specify --yes to unregister the cluster\n', ''))
    failed, result = run_module(kops_cluster, create_args(kops_binary, _ansible_check_mode=True), fake, monkeypatch)
    assert not failed and result['changed'] and mutating(fake) == []
    assert 'would remove that configuration' in result['changes'][0]


@pytest.mark.parametrize('server,preview,message', [
    ((0, 'Client version: 1.36.2\nLast applied server version: 1.36.2\n', ''), None, 'kops 1.36.2 applied it before'),
    (NEVER_APPLIED, (0, 'TYPE\tNAME\tID\nvpc\tx\tvpc-1\n\nMust specify --yes to delete cluster\n', ''),
     'AWS still holds resources tagged for it'),
])
def test_incomplete_cluster_that_cannot_be_recreated_names_the_fix(kops_binary, monkeypatch, server, preview, message):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, only_cluster(version))
    fake.add(('version', '--server', '--name', CLUSTER), server)
    if preview:
        fake.add(DELETE_PREVIEW, preview)
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert failed and message in result['msg']
    assert 'kops delete cluster --name %s --state %s --yes' % (CLUSTER, STORE) in result['msg']
    assert mutating(fake) == []


@pytest.mark.parametrize('version', VERSIONS)
def test_missing_ssh_key_is_stored_before_the_first_apply(kops_binary, monkeypatch, tmp_path, version):
    key = tmp_path / 'id_ed25519.pub'
    key.write_text(PUBLIC_KEY + '\n')
    store_key = ('create', 'sshpublickey', '--name', CLUSTER, '-i', str(key))
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, response(version, '80'))
    fake.add(('get', 'sshpublickeys', '--name', CLUSTER, '-o', 'json'), (0, 'null', ''))
    fake.add(store_key, (0, '', ''))
    fake.add(UPDATE_YES, response(version, '81'))
    failed, result = run_module(kops_cluster, create_args(kops_binary, ssh_public_key=str(key)), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert mutating(fake) == [store_key, UPDATE_YES]
    assert 'stored the SSH public key' in ' '.join(result['changes'])


def test_stored_ssh_key_is_kept_and_nothing_is_added(kops_binary, monkeypatch):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, response(version, '80'))
    fake.add(('get', 'sshpublickeys', '--name', CLUSTER, '-o', 'json'),
             (0, '[{"id":"9e:39","publicKey":"%s"}]' % PUBLIC_KEY, ''))
    fake.add(UPDATE_YES, response(version, '81'))
    failed, result = run_module(kops_cluster, create_args(kops_binary, ssh_public_key=PUBLIC_KEY), fake, monkeypatch)
    assert not failed and mutating(fake) == [UPDATE_YES]


# -- the state store lock ------------------------------------------------------------------------

@pytest.mark.parametrize('version', VERSIONS)
def test_lock_is_taken_before_the_first_write_and_released(kops_binary, monkeypatch, fake_state_store_s3, version):
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, NO_CLUSTER, response(version, '185'))
    fake.add(GET, response(version, '65'))
    fake.add(create_argv(version), response(version, '57'))
    fake.add(GET_IGS, response(version, '67'))
    fake.add(UPDATE_DRY, response(version, '80'))
    fake.add(UPDATE_YES, response(version, '81'))
    failed, result = run_module(kops_cluster, create_args(kops_binary), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert [c[0] for c in fake_state_store_s3.calls] == ['get', 'put', 'get', 'delete']
    assert fake_state_store_s3.calls[1][1] == 'cloudops-locks/%s.json' % CLUSTER
    assert fake_state_store_s3.objects == {}


def test_held_lock_fails_before_any_write(kops_binary, monkeypatch, fake_state_store_s3):
    from ansible_collections.cloudops.kops.plugins.module_utils._kops_lock import StateStoreLock
    other = StateStoreLock(fake_state_store_s3, STORE[len('s3://'):], 'cloudops-locks/%s.json' % CLUSTER,
                           'kops_cluster state=absent', ttl=3600)
    other.acquire()
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    failed, result = run_module(kops_cluster, base_args(kops_binary, state='absent'), fake, monkeypatch)
    assert failed and 'cluster is being changed by' in result['msg'] and 'kops_cluster state=absent' in result['msg']
    assert mutating(fake) == []


def test_no_op_run_writes_no_lock(kops_binary, monkeypatch, fake_state_store_s3):
    version = '1.30.1'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, NO_CHANGES)
    failed, result = run_module(kops_cluster, base_args(kops_binary), fake, monkeypatch)
    assert not failed and not result['changed']
    assert fake_state_store_s3.calls == []


@pytest.mark.parametrize('pending', [False, True])
def test_s3_client_is_made_only_when_the_lock_is_taken(kops_binary, monkeypatch, fake_state_store_s3, pending):
    # A re-run that writes nothing never loads boto3 or makes the lock's S3 client; a run that writes makes one.
    from ansible_collections.cloudops.kops.plugins.module_utils import _kops_lock
    made = []
    monkeypatch.setattr(_kops_lock, 's3_client', lambda params: made.append(params['name']) or fake_state_store_s3)
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, response(version, '80') if pending else NO_CHANGES)
    fake.add(UPDATE_YES, response(version, '81'))
    failed, result = run_module(kops_cluster, base_args(kops_binary), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert result['changed'] is pending
    assert made == ([CLUSTER] if pending else [])
    assert [c[0] for c in fake_state_store_s3.calls] == (['get', 'put', 'get', 'delete'] if pending else [])


def test_admin_ttl_is_deprecated_and_never_reaches_kops(kops_binary, monkeypatch):
    version = '1.36.2'
    fake = FakeKops(kops_binary, version)
    fake.add(GET_ALL, response(version, '185'))
    fake.add(UPDATE_DRY, response(version, '80'))
    fake.add(UPDATE_YES, response(version, '81'))
    failed, result = run_module(kops_cluster, base_args(kops_binary, admin_ttl='87600h'), fake, monkeypatch)
    assert not failed, result.get('msg')
    assert not [args for args in fake.args() if any(a.startswith('--admin') for a in args)]
    assert kops_cluster.apply_argument_spec()['admin_ttl']['removed_in_version'] == '1.0.0'
