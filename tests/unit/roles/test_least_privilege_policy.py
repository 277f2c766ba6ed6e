# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The least-privilege policy of the management_server role: valid IAM policy JSON, as shipped and as
rendered, and no IAM write action on a "*" resource."""

from __future__ import annotations

import fnmatch
import json
import pathlib

import jinja2
import pytest
import yaml

ROLE = pathlib.Path(__file__).resolve().parents[3] / 'roles' / 'management_server'
TEMPLATE = ROLE / 'templates' / 'kops-least-privilege-policy.json.j2'

ACCOUNT = '123456789012'
CLUSTER = 'fleetman.k8s.local'
BUCKET = 'fleetman-kops-state'

# IAM actions that change something: none of them may apply to every resource.
IAM_WRITE_PATTERNS = ('iam:Create*', 'iam:Put*', 'iam:Attach*', 'iam:Detach*', 'iam:Delete*', 'iam:PassRole',
                      'iam:Update*', 'iam:Add*', 'iam:Remove*', 'iam:Tag*', 'iam:Untag*', 'iam:Set*', 'iam:Upload*')
IAM_WRITE_SAMPLES = ('iam:CreateRole', 'iam:CreateUser', 'iam:CreatePolicyVersion', 'iam:PutRolePolicy', 'iam:PutUserPolicy',
                     'iam:AttachRolePolicy', 'iam:AttachUserPolicy', 'iam:DetachRolePolicy', 'iam:DeleteRole',
                     'iam:DeleteRolePolicy', 'iam:PassRole', 'iam:UpdateAssumeRolePolicy', 'iam:AddRoleToInstanceProfile',
                     'iam:AddUserToGroup', 'iam:RemoveRoleFromInstanceProfile', 'iam:TagRole', 'iam:UntagRole',
                     'iam:SetDefaultPolicyVersion', 'iam:CreateServiceLinkedRole', 'iam:CreateInstanceProfile')


def render(**overrides):
    values = {
        'management_server_cluster_name': CLUSTER,
        'management_server_state_store_bucket': BUCKET,
        'management_server_route53_zone_id': '',
        '__management_server_account_id': ACCOUNT,
        '__management_server_partition': 'aws',
        '__management_server_region': 'us-west-2',
    }
    values.update(overrides)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return json.loads(env.from_string(TEMPLATE.read_text()).render(**values))


def as_list(value):
    return [value] if isinstance(value, str) else list(value)


def is_iam_write(action):
    """Whether an action (possibly a wildcard such as iam:* or iam:Create*) covers an IAM write."""
    if action == '*':
        return True
    service = action.partition(':')[0]
    if not fnmatch.fnmatchcase('iam', service.lower()):
        return False
    if any(fnmatch.fnmatchcase(action, pattern) for pattern in IAM_WRITE_PATTERNS):
        return True
    # A wildcard action such as "iam:*" or "*" grants the writes it matches.
    return any(fnmatch.fnmatchcase(sample, action) for sample in IAM_WRITE_SAMPLES)


def check_policy_shape(policy):
    assert set(policy) == {'Version', 'Statement'}
    assert policy['Version'] == '2012-10-17'
    assert isinstance(policy['Statement'], list) and policy['Statement']
    sids = [statement.get('Sid') for statement in policy['Statement']]
    assert len(sids) == len(set(sids)), 'Sids are unique'
    for statement in policy['Statement']:
        assert statement['Effect'] in ('Allow', 'Deny')
        # NotAction / NotResource would grant everything else: never in a least-privilege policy.
        assert set(statement) <= {'Sid', 'Effect', 'Action', 'Resource', 'Condition'}, statement
        actions = as_list(statement['Action'])
        resources = as_list(statement['Resource'])
        assert actions and all(isinstance(a, str) and ':' in a for a in actions), statement
        assert resources and all(isinstance(r, str) and (r == '*' or r.startswith('arn:')) for r in resources), statement
        assert len(actions) == len(set(actions)), statement.get('Sid')
        if 'Condition' in statement:
            assert isinstance(statement['Condition'], dict) and statement['Condition']


def test_the_shipped_file_is_json_as_it_is():
    """The template only puts values inside JSON strings, so the file itself parses (editors, linters, reviewers)."""
    check_policy_shape(json.loads(TEMPLATE.read_text()))


@pytest.mark.parametrize('zone', ['', 'Z0123456789ABCDEFGHIJ'])
def test_rendered_policy_is_a_valid_iam_policy(zone):
    check_policy_shape(render(management_server_route53_zone_id=zone))


def test_no_iam_write_action_on_every_resource():
    policy = render()
    iam_writes = 0
    for statement in policy['Statement']:
        writes = [a for a in as_list(statement['Action']) if is_iam_write(a)]
        if not writes:
            continue
        iam_writes += len(writes)
        for resource in as_list(statement['Resource']):
            assert resource != '*', (statement['Sid'], writes)
            # Scoped to this account, to a name or path, never to every IAM resource of an account.
            assert resource.startswith('arn:aws:iam::%s:' % ACCOUNT), (statement['Sid'], resource)
            assert resource.split(':', 5)[5] not in ('*', 'role/*', 'instance-profile/*', 'user/*', 'policy/*'), resource
    assert iam_writes > 0, 'kops must be able to create the roles of its nodes'


def test_the_check_catches_wildcards():
    """The helper itself: a wildcard IAM action counts as a write, a read does not."""
    assert is_iam_write('iam:*')
    assert is_iam_write('*')
    assert is_iam_write('iam:Create*')
    assert is_iam_write('iam:PassRole')
    assert not is_iam_write('iam:GetRole')
    assert not is_iam_write('iam:List*')
    assert not is_iam_write('ec2:CreateTags')


def test_iam_writes_are_scoped_to_the_cluster_roles():
    policy = render()
    roles = next(s for s in policy['Statement'] if s['Sid'] == 'ClusterRolesAndInstanceProfiles')
    assert roles['Resource'] == ['arn:aws:iam::%s:role/*.%s' % (ACCOUNT, CLUSTER),
                                 'arn:aws:iam::%s:instance-profile/*.%s' % (ACCOUNT, CLUSTER)]
    pass_role = next(s for s in policy['Statement'] if 'iam:PassRole' in as_list(s['Action']))
    assert pass_role['Condition'] == {'StringEquals': {'iam:PassedToService': 'ec2.amazonaws.com'}}


def test_s3_is_scoped_to_the_state_store():
    for statement in render()['Statement']:
        s3 = [a for a in as_list(statement['Action']) if a.startswith('s3:') and a != 's3:ListAllMyBuckets']
        if s3:
            assert all(r in ('arn:aws:s3:::%s' % BUCKET, 'arn:aws:s3:::%s/*' % BUCKET) for r in as_list(statement['Resource'])), statement


def test_writes_on_every_resource_are_conditioned_on_the_cluster_tag():
    """Statements with a "*" resource either only read or require the cluster's tag (or a creation action)."""
    read_prefixes = ('Describe', 'Get', 'List')
    for statement in render()['Statement']:
        if '*' not in as_list(statement['Resource']):
            continue
        writes = [a for a in as_list(statement['Action']) if not a.split(':', 1)[1].startswith(read_prefixes)]
        if writes:
            condition = json.dumps(statement.get('Condition', {}))
            assert '"%s"' % CLUSTER in condition or 'ec2:CreateAction' in condition, (statement['Sid'], writes)


def test_other_partitions():
    policy = render(__management_server_partition='aws-cn')
    arns = [r for s in policy['Statement'] for r in as_list(s['Resource']) if r != '*']
    assert arns and all(r.startswith('arn:aws-cn:') for r in arns)


def test_managed_mode_defaults_are_the_policies_kops_documents():
    defaults = yaml.safe_load((ROLE / 'defaults' / 'main.yml').read_text())
    assert defaults['management_server_iam_mode'] == 'managed'
    assert sorted(defaults['management_server_managed_policies']) == sorted(
        'arn:aws:iam::aws:policy/' + name for name in (
            'AmazonEC2FullAccess', 'AmazonRoute53FullAccess', 'AmazonS3FullAccess', 'IAMFullAccess',
            'AmazonVPCFullAccess', 'AmazonSQSFullAccess', 'AmazonEventBridgeFullAccess'))


def test_argument_specs_document_every_default():
    defaults = yaml.safe_load((ROLE / 'defaults' / 'main.yml').read_text())
    options = yaml.safe_load((ROLE / 'meta' / 'argument_specs.yml').read_text())['argument_specs']['main']['options']
    assert set(defaults) == set(options)
    for name, value in defaults.items():
        assert options[name].get('default') == value, name
