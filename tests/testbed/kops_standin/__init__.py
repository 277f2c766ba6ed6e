"""kops stand-in: TEST INFRASTRUCTURE ONLY, not kops.

An executable imitation of the kops 1.30.1 / 1.36.2 command line for the
cloudops.kops test bed, where neither a kops binary nor AWS is available.
Its contract is the set of real kops recordings in
``tests/fixtures/kops_reference/`` (exit codes, stdout/stderr texts, output
shapes and the S3 state-store layout).  Cloud resources are created through
boto3 against the local AWS endpoint (moto) named by ``AWS_ENDPOINT_URL``;
the state store is reached only through ``S3_ENDPOINT`` & co, as real kops
does.  Nothing here talks to real AWS.

Where the recordings are silent it follows the kops source of both versions, cited in the
contract tests: ``create cluster`` builds the spec as NewCluster does (zones, CIDRs, topology,
DNS, control plane, API; ``tests/contract/test_standin_create_cluster_spec.py``), and a private
topology gets its NAT gateways, Elastic IPs and private route tables as kops's network model
makes and deletes them (``tests/contract/test_standin_private_topology.py``). Route 53 and
shared networks are not imitated: a cluster whose API kops would publish by DNS (``spec.api.dns``)
still gets an API load balancer in the imitated cloud, and one given ``--network-id`` or
``--subnets`` still gets a VPC and subnets of its own.

Run it as ``python -m kops_standin ARGS`` (with ``tests/testbed`` on
``sys.path``) or as a zipapp built by :func:`kops_standin.build.build_zipapp`.
``KOPS_STANDIN_VERSION`` (1.30.1 or 1.36.2) picks the imitated version.
The zipapp hands each command to the bed's warm fork server (:mod:`kops_standin.forkserver`) when
``KOPS_STANDIN_FORK_SERVER`` is set (the bed sets it unless ``TESTBED_FORK_SERVER=0``).
Test-bed knobs, none of them kops's: ``KOPS_STANDIN_BOOT_SECONDS`` (when a new instance is a Ready node),
``KOPS_STANDIN_TIME_SCALE`` (shortens kops's waits), ``KOPS_STANDIN_KILL_AT`` (a kill point),
``KOPS_STANDIN_ROLL_LOG`` (the replacement log) and ``KOPS_STANDIN_API_UNREACHABLE`` (no Kubernetes API,
as in the recordings).
"""

SUPPORTED_VERSIONS = ("1.30.1", "1.36.2")
DEFAULT_VERSION = "1.36.2"
