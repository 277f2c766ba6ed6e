"""Fixtures for the contract tests: a local AWS endpoint, a state bucket and a
runner for the kops stand-in (``python -m kops_standin``) as a subprocess."""

import atexit
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import traceback
import urllib.request

import boto3
import botocore.client
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTBED = os.path.join(os.path.dirname(HERE), "testbed")
if TESTBED not in sys.path:
    sys.path.insert(0, TESTBED)

from testbed.aws_endpoint import AwsEndpoint  # noqa: E402  (needs the sys.path entry above)

STATE_BUCKET = "fleetman-kops-state"  # the recordings' bucket name, so their texts apply verbatim


class _EndpointPool:
    """Moto endpoints handed from one closed bed to the next in this process, emptied in between.

    A new moto server costs about 1.2 CPU-seconds before its first EC2 answer (imports and the region's
    default VPC and images); moto's own reset (``POST /moto-api/reset``) empties every backend in a tenth
    of that, so a bed on a reused endpoint starts from the same empty account as one on a new server.
    Only the process that loaded this module reuses: a forked replay worker starts and stops its own.
    """

    def __init__(self):
        self.owner = os.getpid()
        self.idle = []
        self.lent = []  # in the owner: handed to a bed not closed yet (stopped at exit if never given back)
        self.log_path = os.path.join(tempfile.mkdtemp(prefix="kops-contract-moto-"), "moto.log")
        atexit.register(self.stop_all)

    def take(self):
        if os.getpid() != self.owner:
            return AwsEndpoint(log_path=self.log_path).start()
        aws = self.idle.pop() if self.idle else AwsEndpoint(log_path=self.log_path).start()
        self.lent.append(aws)
        return aws

    def give_back(self, aws):
        if aws in self.lent:
            self.lent.remove(aws)
        if os.getpid() != self.owner or aws.process is None or aws.process.poll() is not None:
            aws.stop()
            return
        try:
            request = urllib.request.Request(aws.url + "/moto-api/reset", method="POST")
            with urllib.request.urlopen(request, timeout=30):
                pass
        except OSError:
            aws.stop()  # a server that cannot empty itself is not handed on
            return
        self.idle.append(aws)

    def stop_all(self):
        if os.getpid() != self.owner:
            return
        while self.idle or self.lent:
            (self.idle or self.lent).pop().stop()
        shutil.rmtree(os.path.dirname(self.log_path), ignore_errors=True)


_ENDPOINTS = _EndpointPool()


class Result:
    def __init__(self, args, rc, stdout, stderr):
        self.args = args
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    def error_line(self):
        lines = [line for line in self.stderr.splitlines() if line.startswith("Error: ")]
        return lines[-1] if lines else None

    def __repr__(self):
        return "kops %s -> rc=%s\nSTDOUT:\n%s\nSTDERR:\n%s" % (" ".join(self.args), self.rc, self.stdout, self.stderr)


class Bed:
    """One moto endpoint (new, or a closed bed's emptied by moto's reset), a versioned state bucket and a
    private HOME, for one kops version."""

    def __init__(self, version, workdir, inprocess=False):
        self.inprocess = inprocess and not os.environ.get("KOPS_CONTRACT_SUBPROCESS")
        self.version = version
        self.workdir = workdir
        self.home = os.path.join(workdir, "home")
        os.makedirs(self.home, exist_ok=True)
        self.aws = _ENDPOINTS.take()
        try:
            self.s3 = self.client("s3")
            self.make_bucket(STATE_BUCKET)
        except BaseException:
            self.close()  # nobody else holds this bed: its endpoint would be left running
            raise

    def client(self, service):
        return boto3.client(service, endpoint_url=self.aws.url, region_name=self.aws.region,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def make_bucket(self, name):
        self.s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.aws.region})
        self.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})

    def base_env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "S3_", "KOPS_", "KUBECONFIG"))}
        env.update(self.aws.environment())
        env.update({"HOME": self.home, "KOPS_STANDIN_VERSION": self.version, "KOPS_STANDIN_BOOT_SECONDS": "1",
                    "AWS_EC2_METADATA_DISABLED": "true", "PYTHONPATH": TESTBED})
        return env

    def run(self, args, env=None, unset=(), stdin=None, timeout=120):
        full = self.base_env()
        full.update(env or {})
        for key in unset:
            full.pop(key, None)
        if self.inprocess:
            return _run_inprocess(list(args), full, self.workdir, stdin)
        proc = subprocess.run([sys.executable, "-m", "kops_standin"] + list(args), env=full, input=stdin, check=False,
                              capture_output=True, text=True, timeout=timeout, cwd=self.workdir)
        return Result(list(args), proc.returncode, proc.stdout, proc.stderr)

    def keys(self, bucket=STATE_BUCKET):
        out = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            out.extend(o["Key"] for o in page.get("Contents", []))
        return sorted(out)

    def version_counts(self, bucket=STATE_BUCKET):
        counts = {}
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for v in page.get("Versions", []):
                counts[v["Key"]] = counts.get(v["Key"], 0) + 1
        return counts

    def close(self):
        if self.aws is not None:
            _ENDPOINTS.give_back(self.aws)
            self.aws = None


_INPROCESS_LOCK = threading.Lock()
_LOADER = []


def _run_inprocess(args, env, cwd, stdin):
    """Run the stand-in's cli.main in this process (same code path minus the interpreter start).

    The replay of ~130 recorded commands per version is dominated by Python + botocore start-up
    in subprocesses; in-process runs keep botocore's parsed service models between commands.
    Set KOPS_CONTRACT_SUBPROCESS=1 to replay through real subprocesses instead.
    """
    import boto3
    import botocore.session

    from kops_standin import cli

    with _INPROCESS_LOCK:
        saved_env, saved_cwd, saved_stdin = os.environ.copy(), os.getcwd(), sys.stdin
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        sys.stdin = io.StringIO(stdin or "")
        # A fresh session per command (credentials and endpoints come from this command's
        # environment) that shares the data loader, so service models are parsed once.
        session = botocore.session.get_session()
        if _LOADER:
            session.register_component("data_loader", _LOADER[0])
        else:
            _LOADER.append(session.get_component("data_loader"))
        boto3.setup_default_session(botocore_session=session)
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    rc = cli.main(args)
                except SystemExit as exc:
                    rc = exc.code if isinstance(exc.code, int) else 1
                except Exception:  # noqa: BLE001 - an uncaught error ends a real process with rc 1 too
                    traceback.print_exc()
                    rc = 1
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            os.chdir(saved_cwd)
            sys.stdin = saved_stdin
            boto3.DEFAULT_SESSION = None
        return Result(args, rc, out.getvalue(), err.getvalue())


@pytest.fixture
def bed_factory():
    beds = []
    dirs = []

    def make(version, inprocess=True):
        workdir = tempfile.mkdtemp(prefix="kops-contract-")
        dirs.append(workdir)
        bed = Bed(version, workdir, inprocess=inprocess)
        beds.append(bed)
        return bed

    yield make
    for bed in beds:
        bed.close()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def module_beds(tmp_path_factory):
    """``get(version)``: one in-process bed per kops version, shared by the tests of a module."""
    made = {}

    def get(version):
        if version not in made:
            made[version] = Bed(version, str(tmp_path_factory.mktemp("bed-" + version)), inprocess=True)
        return made[version]

    yield get
    for bed in made.values():
        bed.close()


@pytest.fixture
def aws_requests(monkeypatch):
    """(service, operation, params) of every AWS request made in this process, for the in-process stand-in:
    what a command costs the test bed in moto round trips."""
    requests = []
    real = botocore.client.BaseClient._make_api_call

    def recorded(client, operation, params):
        requests.append((client.meta.service_model.service_name, operation, params))
        return real(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recorded)
    return requests
