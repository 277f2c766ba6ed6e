#!/usr/bin/env bash
# `make demo-remote`: the tutorial's two plays, inside the test bed with its SSH stand-in for the
# management server (TESTBED_SSH=1 tests/testbed/run -- tests/testbed/demo-remote.sh): provision the
# server (EC2 instance, IAM role and profile, security group, key pair: in moto), then build the example
# cluster ON it over SSH as a non-root user (kops and kubectl installed in that user's ~/.local/bin,
# every kops command run there), run both again (nothing changes), then tear the cluster and the server
# down. AWS is moto on 127.0.0.1, kops is the test bed's stand-in, and the "server" is an OpenSSH server
# on a loopback port of this machine; nothing here reaches AWS or runs the real kops.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
usage="run me inside the test bed with its SSH server: TESTBED_SSH=1 tests/testbed/run -- tests/testbed/demo-remote.sh"
: "${TESTBED_EXTRA_VARS:?$usage}"
: "${TESTBED_SSH_PORT:?$usage}"
cd "$root"

cluster=fleetman.k8s.local
bucket=fleetman-kops-state
server=kops-management
fetched="$TESTBED_DIR/fleetman.kubeconfig"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
# Any kops run on this controller would be logged here; the server's own log is in the user's home.
export KOPS_STANDIN_ARGV_LOG="$TESTBED_DIR/controller-kops-argv.jsonl"
server_vars=$(python3 -c 'import json, sys; print(json.dumps({
    "kops_target_hosts": "kops_management",
    # Paths on the server, in its user'"'"'s home.
    "kops_tools_install_dir": "~/.local/bin", "ssh_keypair_path": "~/.ssh/fleetman_id_ed25519",
    "cluster_fetch_kubeconfig_to": sys.argv[1],
    "management_server_ssh_cidrs": ["203.0.113.7/32"],
    # moto loads no AWS managed policies and has no Ubuntu 24.04 image.
    "management_server_iam_mode": "least_privilege",
    "management_server_image_name": "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-*",
    # The test bed maps the provisioned instance to its SSH server.
    "management_server_connect_host": sys.argv[2], "management_server_connect_port": int(sys.argv[3]),
    "management_server_user": sys.argv[4], "management_server_public_key": open(sys.argv[5] + ".pub").read().strip(),
    "management_server_private_key_path": sys.argv[5]}))' \
    "$fetched" "$TESTBED_SSH_HOST" "$TESTBED_SSH_PORT" "$TESTBED_SSH_USER" "$TESTBED_SSH_KEY")
vars=(-i "$TESTBED_SSH_INVENTORY" -e @playbooks/vars/fleetman.yml -e @"$TESTBED_EXTRA_VARS" -e "$server_vars"
      -e cluster_validate_poll_interval=2s -e cluster_validate_timeout=5m)
on_server() {
    ssh -i "$TESTBED_SSH_KEY" -p "$TESTBED_SSH_PORT" -o BatchMode=yes -o IdentitiesOnly=yes \
        -o UserKnownHostsFile="$TESTBED_SSH_KNOWN_HOSTS" "$TESTBED_SSH_USER@$TESTBED_SSH_HOST" "$@"
}
kops_runs() { [ -f "$TESTBED_SSH_HOME/kops-argv.jsonl" ] && wc -l < "$TESTBED_SSH_HOME/kops-argv.jsonl" || echo 0; }

step() { printf '\n==== %s ====\n' "$*"; }

step "1/4 remote_site.yml: provision the management server $server, then build $cluster on it over SSH as $TESTBED_SSH_USER"
ansible-playbook playbooks/remote_site.yml "${vars[@]}"

step "2/4 What was built, seen on the server ($TESTBED_SSH_USER@$TESTBED_SSH_HOST:$TESTBED_SSH_PORT)"
on_server 'set -e; echo "kops: $(command -v kops) $(kops version --short)"; ls -l ~/.local/bin ~/.ssh/fleetman_id_ed25519.pub ~/.kube/config'
on_server "kops get instancegroups --name $cluster --state s3://$bucket"
on_server 'kubectl version --client'
echo "kops commands run on the server: $(kops_runs); on this controller: $( [ -f "$KOPS_STANDIN_ARGV_LOG" ] && wc -l < "$KOPS_STANDIN_ARGV_LOG" || echo 0)"
echo "admin kubeconfig fetched to the controller: $(stat -c '%a %n' "$fetched")"

step "3/4 remote_site.yml again: nothing changes"
ansible-playbook playbooks/remote_site.yml "${vars[@]}"

step "4/4 remote_teardown.yml: the cluster (with the server's kops), then the server, its IAM role and profile, security group and key pair"
ansible-playbook playbooks/remote_teardown.yml "${vars[@]}" -e teardown_confirm="$cluster" \
    -e teardown_delete_state_store=true -e teardown_management_server=true

if [ -s "$KOPS_STANDIN_ARGV_LOG" ]; then
    echo "DEMO FAILED: kops ran on the controller:" >&2; cat "$KOPS_STANDIN_ARGV_LOG" >&2; exit 1
fi
printf '\nDEMO OK: the management server %s was provisioned, %s was built on it over SSH (%s kops commands, all on the server), ' \
    "$server" "$cluster" "$(kops_runs)"
printf 'rerun without changes and torn down with the server. AWS and kops were stood in locally (moto on 127.0.0.1 and the test bed kops stand-in) '
printf 'and the server was an OpenSSH server on 127.0.0.1:%s; no real AWS account, EC2 instance or kops binary was used.\n' "$TESTBED_SSH_PORT"
