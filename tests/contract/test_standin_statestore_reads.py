"""The stand-in's state-store reads: within one command each object is fetched from S3 at most once
(the cluster is loaded once per command, as kops loads it), and a later command still sees what
another process changed in between. This is test-bed cost, not kops behaviour: every state-store
request is a moto round trip, and one `update cluster` used to fetch the same objects up to three
times and probe each CA and secret with a request of its own."""

import collections

import yaml

from conftest import STATE_BUCKET
from test_flows import NAME, STATE, _create


def test_an_update_fetches_each_state_object_once_and_the_next_sees_outside_changes(bed_factory, aws_requests):
    bed = bed_factory("1.36.2")
    _create(bed)
    name = ["--name", NAME] + STATE
    assert bed.run(["update", "cluster", "--yes", "--create-kube-config=false"] + name).rc == 0

    del aws_requests[:]
    res = bed.run(["update", "cluster"] + name)
    assert res.rc == 0, res
    fetched = collections.Counter(params["Key"] for service, operation, params in aws_requests
                                  if service == "s3" and operation in ("GetObject", "HeadObject"))
    assert fetched[NAME + "/config"] == 1
    assert [key for key, count in fetched.items() if count > 1] == []
    # The CAs and secrets exist after the first apply: two listings tell, not one request per name.
    assert not [key for key in fetched if "/pki/private/" in key or "/secrets/" in key]
    assert "No changes need to be applied" in res.stdout + res.stderr

    # Another process (here the test) changes an instance group between two commands.
    key = NAME + "/instancegroup/nodes-us-west-2a"
    group = yaml.safe_load(bed.s3.get_object(Bucket=STATE_BUCKET, Key=key)["Body"].read())
    group["spec"]["maxSize"] = group["spec"]["maxSize"] + 1
    bed.s3.put_object(Bucket=STATE_BUCKET, Key=key, Body=yaml.safe_dump(group).encode())
    res = bed.run(["update", "cluster"] + name)
    assert res.rc == 0, res
    assert "MaxSize" in res.stdout and "No changes need to be applied" not in res.stdout + res.stderr, res
