# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""The AWS connection options of every cloudops.kops module (documented in cloudops.kops._aws_connection).

Names and aliases are amazon.aws's, so ``module_defaults`` written for ``group/aws`` read the
same here. kops modules hand them to kops in its environment (KopsRunner, aws_environment);
kops_cloud_resources_info hands them to amazon.aws's connection helpers (AnsibleAWSModule); the
state-store lock (_kops_lock) and the node drain (_kops_drain) make their few boto3 clients
with boto3_clients, so that a module which never needs AWS never imports boto3.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback


def aws_connection_argument_spec():
    """A fresh copy of the shared AWS connection option spec.

    The environment fallbacks are amazon.aws's, so a variable that an amazon.aws module would
    read is read here too (kops reads most of them by itself anyway).
    """
    return dict(
        access_key=dict(type='str', aliases=['aws_access_key_id', 'aws_access_key'], no_log=False,
                        fallback=(env_fallback, ['AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY'])),
        secret_key=dict(type='str', aliases=['aws_secret_access_key', 'aws_secret_key'], no_log=True,
                        fallback=(env_fallback, ['AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_KEY'])),
        session_token=dict(type='str', aliases=['aws_session_token'], no_log=True,
                           fallback=(env_fallback, ['AWS_SESSION_TOKEN'])),
        profile=dict(type='str', aliases=['aws_profile'], fallback=(env_fallback, ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'])),
        region=dict(type='str', aliases=['aws_region'], fallback=(env_fallback, ['AWS_REGION', 'AWS_DEFAULT_REGION'])),
        endpoint_url=dict(type='str', aliases=['aws_endpoint_url'], fallback=(env_fallback, ['AWS_URL'])),
        validate_certs=dict(type='bool', default=True),
        aws_ca_bundle=dict(type='path', fallback=(env_fallback, ['AWS_CA_BUNDLE'])),
    )


def validate_certs_error(params):
    """kops cannot skip TLS verification: say so before any kops call (None when all is well)."""
    if params.get('validate_certs') is False:
        return ('validate_certs=false is not supported by the kops modules: kops talks to AWS through the AWS SDK '
                'for Go, which has no switch to skip TLS certificate verification. Give the CA that signed the '
                'endpoint\'s certificate with aws_ca_bundle instead (passed to kops as AWS_CA_BUNDLE).')
    return None


# Credential options: (option, the environment variable kops reads, the boto3 client argument).
_CREDENTIALS = (
    ('access_key', 'AWS_ACCESS_KEY_ID', 'aws_access_key_id'),
    ('secret_key', 'AWS_SECRET_ACCESS_KEY', 'aws_secret_access_key'),
    ('session_token', 'AWS_SESSION_TOKEN', 'aws_session_token'),
)


def boto3_client_arguments(params):
    """Keyword arguments for a boto3 client from the options that are set; the rest come from boto3's own chain."""
    kwargs = dict((argument, params[option]) for option, dummy, argument in _CREDENTIALS if params.get(option))
    if params.get('region'):
        kwargs['region_name'] = params['region']
    if params.get('endpoint_url'):
        kwargs['endpoint_url'] = params['endpoint_url']
    if params.get('aws_ca_bundle'):
        kwargs['verify'] = params['aws_ca_bundle']
    return kwargs


def boto3_clients(params, *services):
    """boto3 clients for ``services``, from one session made of the shared AWS connection options.

    boto3 is imported here, when a client is first needed: its import costs a module run 0.1-0.2 s,
    which most runs (nothing to write, nothing to drain) never need to pay.
    """
    import boto3

    session = boto3.session.Session(profile_name=params.get('profile') or None)
    kwargs = boto3_client_arguments(params)
    return tuple(session.client(service, **kwargs) for service in services)


def aws_environment(params, environ):
    """The environment variables kops needs for the connection options that are set.

    ``environ`` is the module's own environment, read for the S3 settings kops needs with a
    custom endpoint. Options that are not set leave their variables to the caller's environment.
    """
    env = {}
    region = params.get('region')
    if region:
        env['AWS_REGION'] = region
        env['AWS_DEFAULT_REGION'] = region
    if params.get('profile'):
        env['AWS_PROFILE'] = params['profile']
    env.update((variable, params[option]) for option, variable, dummy in _CREDENTIALS if params.get(option))
    if params.get('aws_ca_bundle'):
        # The AWS SDK for Go reads it for every AWS API call kops makes, the state store's S3 included.
        env['AWS_CA_BUNDLE'] = params['aws_ca_bundle']
    endpoint = params.get('endpoint_url')
    if endpoint:
        # kops's S3 client ignores AWS_ENDPOINT_URL for the state store (and
        # fails on dual-stack); it only honours the S3_* family.
        env['AWS_ENDPOINT_URL'] = endpoint
        env['S3_ENDPOINT'] = endpoint
        s3_region = region or environ.get('AWS_REGION') or environ.get('AWS_DEFAULT_REGION')
        if s3_region:
            env['S3_REGION'] = s3_region
        access_key = params.get('access_key') or environ.get('AWS_ACCESS_KEY_ID')
        secret_key = params.get('secret_key') or environ.get('AWS_SECRET_ACCESS_KEY')
        if access_key:
            env['S3_ACCESS_KEY_ID'] = access_key
        if secret_key:
            env['S3_SECRET_ACCESS_KEY'] = secret_key
    return env
