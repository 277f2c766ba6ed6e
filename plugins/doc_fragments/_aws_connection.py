# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this doc fragment is internal to cloudops.kops and may change without notice.

from __future__ import annotations


class ModuleDocFragment(object):

    # The AWS connection options of every cloudops.kops module, with amazon.aws's names and
    # aliases. The collection documents them itself, so ansible-doc (and galaxy-importer) work
    # with no other collection installed. Spec: plugins/module_utils/_aws_connection.py.
    DOCUMENTATION = r'''
options:
  access_key:
    description:
      - The AWS access key ID.
      - The kops modules pass it to kops as E(AWS_ACCESS_KEY_ID); M(cloudops.kops.kops_cloud_resources_info) gives it
        to boto3.
      - If not set, E(AWS_ACCESS_KEY_ID) or E(AWS_ACCESS_KEY) is used, else the rest of the AWS credential chain
        (the shared credentials file, an instance role).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - The AWS secret access key, passed to kops as E(AWS_SECRET_ACCESS_KEY).
      - If not set, E(AWS_SECRET_ACCESS_KEY) or E(AWS_SECRET_KEY) is used, else the rest of the AWS credential chain.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - The AWS session token for temporary credentials, passed to kops as E(AWS_SESSION_TOKEN).
      - If not set, E(AWS_SESSION_TOKEN) is used.
    type: str
    aliases: [aws_session_token]
  profile:
    description:
      - A named profile of the AWS configuration files, passed to kops as E(AWS_PROFILE).
      - If not set, E(AWS_PROFILE) or E(AWS_DEFAULT_PROFILE) is used, else the default profile.
    type: str
    aliases: [aws_profile]
  region:
    description:
      - The AWS region, passed to kops as E(AWS_REGION) and E(AWS_DEFAULT_REGION).
      - If not set, E(AWS_REGION) or E(AWS_DEFAULT_REGION) is used, else the AWS configuration files decide.
    type: str
    aliases: [aws_region]
  endpoint_url:
    description:
      - A custom AWS endpoint, for example an S3-compatible service or a local AWS emulator.
      - The kops modules pass it to kops both as E(AWS_ENDPOINT_URL) (EC2, ELB, IAM, Route 53 and the other AWS APIs)
        and as E(S3_ENDPOINT) with E(S3_REGION), E(S3_ACCESS_KEY_ID) and E(S3_SECRET_ACCESS_KEY), because kops reaches
        a custom S3 endpoint for the state store only through the C(S3_*) variables. The access and secret keys must
        then be known, from O(access_key) and O(secret_key) or from E(AWS_ACCESS_KEY_ID) and E(AWS_SECRET_ACCESS_KEY).
      - If not set, E(AWS_URL) is used (as in amazon.aws). kops itself also reads E(AWS_ENDPOINT_URL).
    type: str
    aliases: [aws_endpoint_url]
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the AWS endpoints.
      - The kops modules accept only V(true) and fail with V(false) before running kops, because kops talks to AWS
        through the AWS SDK for Go, which has no switch to skip certificate verification. For an endpoint with a
        private CA set O(aws_ca_bundle) instead.
      - M(cloudops.kops.kops_cloud_resources_info) honours V(false) (strongly discouraged).
    type: bool
    default: true
  aws_ca_bundle:
    description:
      - Path of a PEM file with the CA certificates to trust for the AWS endpoints, for example the private CA of an
        S3-compatible state store.
      - The kops modules pass it to kops as E(AWS_CA_BUNDLE), which the AWS SDK for Go reads for every AWS call kops
        makes, the state store included.
      - If not set, E(AWS_CA_BUNDLE) is used.
    type: path
notes:
  - The AWS connection options have amazon.aws's names and aliases, so C(module_defaults) written for
    C(group/amazon.aws.aws) can be copied to C(group/cloudops.kops.kops). Options that are not set leave the matching
    environment variables and AWS configuration files in charge.
'''
