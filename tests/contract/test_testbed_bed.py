"""The test bed itself: endpoint lifetime, binary mirror, and the `tests/testbed/run` entry point."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from testbed.aws_endpoint import AwsEndpoint
from testbed.mirror import Mirror

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = os.path.join(ROOT, "tests", "testbed", "run")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited all the same.
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        return stat.read().split()[2] != "Z"


def test_endpoint_answers_on_a_free_port_and_is_killed_when_the_block_fails():
    with pytest.raises(RuntimeError, match="test failure"):
        with AwsEndpoint() as aws:
            pid = aws.process.pid
            assert aws.port != 5000
            with urllib.request.urlopen(f"{aws.url}/moto-api/", timeout=5) as answer:
                assert answer.status == 200
            assert aws.environment()["S3_ENDPOINT"] == aws.url
            raise RuntimeError("test failure")
    assert not _alive(pid)


def test_memoized_moto_lookups_answer_what_moto_computes():
    # In a process of its own: memoizing patches moto's modules, which this process's tests do not share.
    code = """
import json
import moto.backends, moto.core.responses
from moto.ec2.responses import EC2Response
from moto.s3.responses import S3Response
from testbed import moto_server
classes = (EC2Response, S3Response)
before = (list(moto.backends.list_of_moto_modules()),
          [moto.core.responses.method_names_from_class(c) for c in classes])
moto_server.memoize_lookups()
moto_server.memoize_lookups()
after = (list(moto.backends.list_of_moto_modules()),
         [moto.core.responses.method_names_from_class(c) for c in classes])
print(json.dumps({"same": before == after, "modules": len(after[0]), "memoized": moto.backends.list_of_moto_modules.memoized,
                  "hits": moto.core.responses.method_names_from_class.cache_info().hits}))
"""
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests", "testbed"))
    out = json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout)
    assert out["same"] and out["memoized"]
    assert out["modules"] > 100  # every service package of moto, s3 and ec2 among them
    assert out["hits"] == 0  # each class inspected once, after the patch (the second call did not re-wrap)


def test_endpoint_dispatches_s3_and_ec2_requests_by_host():
    import boto3  # pylint: disable=import-outside-toplevel

    with AwsEndpoint() as aws:
        kwargs = {"endpoint_url": aws.url, "region_name": aws.region, "aws_access_key_id": "testing",
                  "aws_secret_access_key": "testing"}
        s3 = boto3.client("s3", **kwargs)
        s3.create_bucket(Bucket="bed-dispatch", CreateBucketConfiguration={"LocationConstraint": aws.region})
        s3.put_object(Bucket="bed-dispatch", Key="a/b.txt", Body=b"x")
        assert [o["Key"] for o in s3.list_objects_v2(Bucket="bed-dispatch")["Contents"]] == ["a/b.txt"]
        ec2 = boto3.client("ec2", **kwargs)
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        assert vpc in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
        with pytest.raises(ec2.exceptions.ClientError, match="InvalidVpcID.NotFound"):
            ec2.describe_vpcs(VpcIds=["vpc-00000000"])


def test_mirror_serves_binaries_with_matching_checksums_and_404_elsewhere(tmp_path):
    with Mirror(cache_dir=str(tmp_path)) as mirror:
        kubectl_url = f"{mirror.url}/kubectl/release/v1.36.3/bin/linux/arm64/kubectl"
        body = urllib.request.urlopen(kubectl_url, timeout=5).read()
        digest = urllib.request.urlopen(kubectl_url + ".sha256", timeout=5).read().decode().strip()
        assert digest == hashlib.sha256(body).hexdigest()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{mirror.url}/kops/releases/download/v1.36.2/kops-windows-amd64", timeout=5)
        assert missing.value.code == 404

    kubectl = tmp_path / "kubectl"
    kubectl.write_bytes(body)
    out = subprocess.run(["sh", str(kubectl), "version", "--client", "-o", "json"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["clientVersion"]["gitVersion"] == "v1.36.3"


@pytest.mark.parametrize("version", ["1.30.1", "1.36.2"])
def test_mirror_kops_download_is_the_standin_of_that_version(tmp_path, version):
    with Mirror(cache_dir=str(tmp_path / "cache")) as mirror:
        body = urllib.request.urlopen(
            f"{mirror.url}/kops/releases/download/v{version}/kops-linux-amd64", timeout=30).read()
    kops = tmp_path / "kops"
    kops.write_bytes(body)
    kops.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "KOPS_STANDIN_VERSION"}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    out = subprocess.run([str(kops), "version", "--short"], capture_output=True, text=True, env=env, check=True)
    assert out.stdout == f"{version}\n"


def test_run_returns_the_command_status_and_takes_the_bed_down(tmp_path):
    probe = tmp_path / "probe.json"
    script = (
        "import json, os, sys, urllib.request;"
        "urllib.request.urlopen(os.environ['AWS_ENDPOINT_URL'] + '/moto-api/', timeout=5);"
        f"json.dump(dict(os.environ), open({str(probe)!r}, 'w'));"
        "sys.exit(7)"
    )
    result = subprocess.run([RUN, "--", sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 7, result.stderr
    seen = json.loads(probe.read_text())
    for name in ("AWS_ENDPOINT_URL", "S3_ENDPOINT", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY",
                 "KOPS_STATE_STORE", "KUBECONFIG", "TESTBED_EXTRA_VARS", "ANSIBLE_COLLECTIONS_PATH"):
        assert seen.get(name), name
    assert seen["KUBECONFIG"].startswith(seen["TESTBED_DIR"])
    assert not os.path.exists(seen["TESTBED_DIR"])
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(seen["AWS_ENDPOINT_URL"] + "/moto-api/", timeout=2)


@pytest.mark.parametrize("setting", [None, "0"])
def test_kops_commands_run_in_the_fork_server_unless_it_is_turned_off(tmp_path, setting):
    probe = tmp_path / "probe.json"
    script = (
        "import json, os, subprocess;"
        "bed = os.environ['TESTBED_DIR']; log = os.path.join(bed, 'argv.jsonl');"
        "caller = subprocess.Popen([os.path.join(bed, 'bin', 'kops'), 'version', '--short'], stdout=subprocess.PIPE,"
        " env=dict(os.environ, KOPS_STANDIN_ARGV_LOG=log));"
        "out = caller.communicate()[0].decode();"
        "command = json.loads(open(log).read().splitlines()[0])['pid'];"
        f"json.dump(dict(out=out, caller=caller.pid, command=command,"
        f" server=os.environ.get('KOPS_STANDIN_FORK_SERVER', '')), open({str(probe)!r}, 'w'))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TESTBED_FORK_SERVER", "KOPS_STANDIN_FORK_SERVER")}
    if setting is not None:
        env["TESTBED_FORK_SERVER"] = setting
    result = subprocess.run([RUN, "--", sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                            check=False, env=env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(probe.read_text())
    assert seen["out"] == "1.36.2\n"  # once, whichever way it ran
    if setting == "0":
        assert (seen["server"], seen["command"]) == ("", seen["caller"])
    else:
        assert seen["server"].endswith("kops-standin.sock")
        assert seen["command"] != seen["caller"]  # a fork of the warm server ran it
