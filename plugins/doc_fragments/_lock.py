# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this doc fragment is internal to cloudops.kops and may change without notice.

from __future__ import annotations


class ModuleDocFragment(object):

    # Options of plugins/module_utils/_kops_lock.py (lock_argument_spec).
    DOCUMENTATION = r'''
options:
  lock:
    description:
      - Take a lock in the state store before the first kops command that writes (create, replace, C(update --yes),
        C(rolling-update --yes), delete), and release it when the task ends, so two runs (two AWX jobs, two operators)
        never change the same cluster at once. A run that finds the lock held fails with
        "cluster is being changed by <owner>", naming the other run and when its lock expires.
      - The lock is the object C(<state store>/cloudops-locks/<cluster name>.json), written with an S3 conditional
        write (C(If-None-Match)). It lives outside the cluster's own prefix because C(kops delete cluster) refuses to
        delete a cluster whose prefix holds files kops does not know.
      - A run that changes nothing writes nothing, the lock included. Only C(s3://) state stores can be locked;
        for others the module warns and goes on. Needs boto3 on the host that runs the module.
    type: bool
    default: true
  lock_timeout:
    description:
      - How long to wait for a lock another run holds before failing, a duration (see Notes). V(0) fails at once.
    type: raw
    default: 0
  lock_ttl:
    description:
      - How long the lock is valid, a duration (see Notes) longer than zero. A run that dies without releasing its
        lock blocks others only until then; after that the next run takes the stale lock over and warns. Make it
        longer than the longest change you run (a rolling update of a large cluster can take hours).
    type: raw
    default: 2h
'''
