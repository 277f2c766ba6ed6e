# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this doc fragment is internal to cloudops.kops and may change without notice.

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  name:
    description:
      - Name of the kops cluster, a DNS name such as V(k8s.example.com).
      - Clusters whose name ends in V(.k8s.local) use kops's DNS-less mode and need no Route 53 zone.
      - Always passed to kops as C(--name), so kops never falls back to the current kubeconfig context.
    type: str
    aliases: [cluster_name]
  state_store:
    description:
      - The kops state store, for example V(s3://my-kops-state).
      - If not set, the E(KOPS_STATE_STORE) environment variable is used. The module fails when neither is set.
    type: str
  kops_binary:
    description:
      - Path of the kops executable.
      - If not set, C(kops) is looked up on E(PATH).
      - kops 1.30 or newer is required.
    type: path
  region:
    description:
      - The AWS region, passed to kops as E(AWS_REGION) and E(AWS_DEFAULT_REGION).
      - If not set, kops reads the usual AWS environment and configuration files.
    type: str
    aliases: [aws_region]
  profile:
    description:
      - The AWS profile to use, passed to kops as E(AWS_PROFILE).
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description:
      - A custom AWS endpoint, for example an S3-compatible service or a local AWS emulator.
      - Passed to kops both as E(AWS_ENDPOINT_URL) (EC2, ELB, IAM, Route 53 and the other AWS APIs)
        and as E(S3_ENDPOINT) with E(S3_REGION), E(S3_ACCESS_KEY_ID) and E(S3_SECRET_ACCESS_KEY),
        because kops reaches a custom S3 endpoint for the state store only through the C(S3_*) variables.
      - With this option the access and secret keys must be known, from O(access_key) and O(secret_key)
        or from E(AWS_ACCESS_KEY_ID) and E(AWS_SECRET_ACCESS_KEY).
    type: str
    aliases: [aws_endpoint_url]
  access_key:
    description:
      - The AWS access key ID, passed to kops as E(AWS_ACCESS_KEY_ID).
      - If not set, kops uses its own credential chain (environment, profile, instance role).
    type: str
    aliases: [aws_access_key_id]
  secret_key:
    description:
      - The AWS secret access key, passed to kops as E(AWS_SECRET_ACCESS_KEY).
    type: str
    aliases: [aws_secret_access_key]
  session_token:
    description:
      - The AWS session token for temporary credentials, passed to kops as E(AWS_SESSION_TOKEN).
    type: str
    aliases: [aws_session_token]
notes:
  - kops runs with the C locale and with the AWS settings above in its environment; options that are not set
    leave the matching environment variables untouched.
requirements:
  - kops 1.30 or newer on the host that runs the module.
'''
