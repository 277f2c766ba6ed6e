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
  binary_path:
    description:
      - Path of the kops executable.
      - If not set, C(kops) is looked up on E(PATH).
      - Supported kops versions are 1.30.x and 1.36.x, the versions the collection is tested with. The modules
        refuse kops older than 1.30; 1.31 to 1.35 are untested.
    type: path
    aliases: [kops_binary]
notes:
  - kops runs with the C locale and with the AWS connection options in its environment; options that are not set
    leave the matching environment variables untouched.
  - When a kops call fails, the module returns C(cmd) (the failing argument list) next to C(commands) (every
    argument list it ran), with C(rc), C(stdout), C(stderr) and C(error_kind). C(msg) ends with kops's last
    C(Error:) line or, when kops printed none (a crash, an endpoint that does not answer), with its last
    stderr line and its exit code.
requirements:
  - kops 1.30.x or 1.36.x on the host that runs the module.
'''
