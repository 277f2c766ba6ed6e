#!/usr/bin/env bash
# `make demo`: the example cluster from nothing to validated and back, run inside the test bed
# (tests/testbed/run -- tests/testbed/demo.sh). AWS is moto on 127.0.0.1 and kops is the
# test bed's stand-in; nothing here reaches AWS or runs the real kops.
# Expects the test bed environment (TESTBED_EXTRA_VARS, TESTBED_DIR) and ANSIBLE_COLLECTIONS_PATH
# pointing at a tree where cloudops.kops resolves (the Makefile exports both).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
: "${TESTBED_EXTRA_VARS:?run me inside the test bed: tests/testbed/run -- tests/testbed/demo.sh}"
: "${TESTBED_DIR:?run me inside the test bed: tests/testbed/run -- tests/testbed/demo.sh}"
cd "$root"

cluster=fleetman.k8s.local
bucket=fleetman-kops-state
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
vars=(-e @playbooks/vars/fleetman.yml -e @"$TESTBED_EXTRA_VARS"
      # The stand-in's instances are Ready after a few seconds; no need to poll every 30s.
      -e cluster_validate_poll_interval=2s -e cluster_validate_timeout=5m)
tools=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["kops_tools_install_dir"])' "$TESTBED_EXTRA_VARS")

step() { printf '\n==== %s ====\n' "$*"; }

step "1/4 site.yml --check on a fresh account: what would be built"
ansible-playbook site.yml "${vars[@]}" --check

step "2/4 site.yml: kops and kubectl from the mirror into $tools, SSH key, state store, cluster, validation"
ansible-playbook site.yml "${vars[@]}"

step "3/4 What was built"
"$tools/kops" version --short
"$tools/kubectl" version --client
"$tools/kops" get instancegroups --name "$cluster" --state "s3://$bucket"
"$tools/kops" validate cluster --name "$cluster" --state "s3://$bucket"

step "4/4 teardown.yml, confirmed with the cluster name"
ansible-playbook playbooks/teardown.yml "${vars[@]}" -e teardown_confirm="$cluster" -e teardown_delete_state_store=true

printf '\nDEMO OK: %s was built, validated and torn down with cloudops.kops. ' "$cluster"
printf 'AWS and kops were stood in locally (moto on 127.0.0.1 and the test bed kops stand-in); no real AWS account or kops binary was used.\n'
