"""The S3 state store, reached the way kops reaches it.

kops uses its own S3 client for the state store: a custom endpoint is honoured
only through S3_ENDPOINT (+ S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY).
AWS_ENDPOINT_URL alone makes the SDK refuse (dual-stack + custom endpoint),
which is recording 152; the stand-in reproduces that instead of "helping".
"""

import os
import random
import re
import string

from kops_standin.errors import KopsError, warn

STATE_REQUIRED = (
    "State Store: Required value: Please set the --state flag or export KOPS_STATE_STORE.\n"
    "For example, a valid value follows the format s3://<bucket>.\n"
    "You can find the supported stores in https://kops.sigs.k8s.io/state."
)


def _request_ids():
    rid = "".join(random.choice(string.ascii_letters + string.digits) for dummy in range(52))
    hid = "".join(random.choice(string.ascii_letters + string.digits + "+/") for dummy in range(76)) + "="
    return rid, hid


def s3_error_text(op, err, api_prefix):
    """Format a botocore ClientError like aws-sdk-go-v2's operation error."""
    resp = getattr(err, "response", {}) or {}
    code = resp.get("Error", {}).get("Code", "Unknown")
    msg = resp.get("Error", {}).get("Message", "")
    status = resp.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code == "NoSuchBucket":
        # kops 1.30.1's SDK drops the message of modeled errors (recording 24).
        from kops_standin import version as vermod

        msg = "" if vermod.current() == "1.30.1" and api_prefix == "" else (msg or "The specified bucket does not exist")
    rid, hid = _request_ids()
    return "operation error S3: %s, https response error StatusCode: %s, RequestID: %s, HostID: %s, %s%s: %s" % (
        op, status, rid, hid, api_prefix, code, msg)


class StateStore:
    def __init__(self, url):
        self.url = url.rstrip("/")
        rest = self.url[len("s3://"):]
        self.bucket, dummy, self.prefix = rest.partition("/")
        self._client = None
        # What this command already read or wrote, key -> bytes (None: absent). kops loads the cluster once
        # per command too; without this, one `update cluster` fetched the same objects up to three times.
        # Only this process's writes change it: the waiting loops poll AWS and the API, never the store.
        self._seen = {}

    # -- connection -------------------------------------------------------
    def client(self):
        if self._client is not None:
            return self._client
        endpoint = os.environ.get("S3_ENDPOINT")
        if endpoint:
            key = os.environ.get("S3_ACCESS_KEY_ID", "")
            secret = os.environ.get("S3_SECRET_ACCESS_KEY", "")
            if not key:
                raise KopsError("error reading state store: S3_ACCESS_KEY_ID cannot be empty when S3_ENDPOINT is not empty")
            if not secret:
                raise KopsError("error reading state store: S3_SECRET_ACCESS_KEY cannot be empty when S3_ENDPOINT is not empty")
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "s3", endpoint_url=endpoint, region_name=os.environ.get("S3_REGION") or "us-east-1",
                aws_access_key_id=key, aws_secret_access_key=secret,
                config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))
            return self._client
        if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3"):
            from kops_standin import version as vermod

            if vermod.current() == "1.30.1":
                raise KopsError(
                    "error reading state store: error listing s3://%s/: operation error S3: ListObjectsV2, resolve auth "
                    "scheme: resolve endpoint: endpoint rule error, Cannot set dual-stack in combination with a custom "
                    "endpoint." % self.bucket)
            raise KopsError(
                'error reading state store: getting location for bucket "%s": operation error S3: HeadBucket, '
                "resolve auth scheme: resolve endpoint: endpoint rule error, Cannot set dual-stack in combination "
                "with a custom endpoint." % self.bucket)
        # Real AWS would be contacted here; the test bed has no internet (recording 153).
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        raise KopsError(
            'error reading state store: getting location for bucket "%s": operation error S3: HeadBucket, '
            'https response error StatusCode: 0, RequestID: , HostID: , request send failed, Head '
            '"https://%s.s3.dualstack.%s.amazonaws.com/": dial tcp: lookup %s.s3.dualstack.%s.amazonaws.com: no such host'
            % (self.bucket, self.bucket, region, self.bucket, region))

    def key(self, *parts):
        return "/".join(p for p in ((self.prefix,) + parts) if p)

    def path(self, *parts):
        return "s3://%s/%s" % (self.bucket, self.key(*parts))

    def config_base(self, name):
        return self.path(name)

    # -- reads ------------------------------------------------------------
    def list_clusters(self):
        from botocore.exceptions import ClientError

        client = self.client()
        prefix = self.key() + "/" if self.prefix else ""
        names = []
        try:
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
            for page in pages:
                for cp in page.get("CommonPrefixes", []):
                    name = cp["Prefix"][len(prefix):].rstrip("/")
                    names.append(name)
        except ClientError as err:
            raise KopsError("error reading state store: error listing s3://%s/%s: %s" % (
                self.bucket, prefix, s3_error_text("ListObjectsV2", err, "")))
        # kops treats a "directory" as a cluster only when its config exists.
        return sorted(n for n in names if self.exists(n, "config"))

    def read(self, *parts):
        """Object bytes, or None when the key does not exist."""
        from botocore.exceptions import ClientError

        key = self.key(*parts)
        if key in self._seen:
            return self._seen[key]
        try:
            data = self.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code not in ("NoSuchKey", "404"):
                raise KopsError("error reading %s: error fetching %s: %s" % (
                    self.path(*parts), self.path(*parts), s3_error_text("GetObject", err, "api error ")))
            data = None
        self._seen[key] = data
        return data

    def exists(self, *parts):
        from botocore.exceptions import ClientError

        key = self.key(*parts)
        if key in self._seen:
            return self._seen[key] is not None
        try:
            self.client().head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError:
            return False

    def list_keys(self, *parts):
        prefix = self.key(*parts) + "/"
        keys = []
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(o["Key"][len(prefix):] for o in page.get("Contents", []))
        return sorted(keys)

    # -- writes -----------------------------------------------------------
    def write(self, data, *parts, only_if_changed=False):
        if isinstance(data, str):
            data = data.encode()
        if only_if_changed and self.read(*parts) == data:
            return False  # kops adds no S3 version when nothing changed
        key = self.key(*parts)
        # kops asks for SSE itself when the bucket has no default encryption (as in moto).
        self.client().put_object(Bucket=self.bucket, Key=key, Body=data,
                                 ContentType="application/octet-stream", ServerSideEncryption="AES256")
        self._seen[key] = data
        return True

    def delete(self, *parts):
        key = self.key(*parts)
        self.client().delete_object(Bucket=self.bucket, Key=key)
        self._seen[key] = None

    def delete_cluster(self, name):
        client = self.client()
        self._seen.clear()
        for k in self.list_keys(name):
            client.delete_object(Bucket=self.bucket, Key=self.key(name, k))


class FSStateStore(StateStore):
    """A state store on the local filesystem: kops's FSPath (a --state without ``://``, or ``file://``)."""

    def __init__(self, location):  # noqa: super().__init__ is about S3
        self.url = location
        self.base = location
        self.bucket = None
        self.prefix = location

    def client(self):
        return None

    def _file(self, *parts):
        return os.path.join(self.base, *[p for p in parts if p])

    def path(self, *parts):
        return self._file(*parts)

    def config_base(self, name):
        return self._file(name)

    def list_clusters(self):
        # ClusterVFS.listNames: ReadTree of the base; "directories" holding a config are clusters.
        try:
            os.listdir(self.base)
        except OSError as err:
            raise KopsError("error reading state store: %s" % go_path_error("open", self.base, err))
        names = []
        for root, dummy, files in os.walk(self.base):
            if "config" in files and root != self.base:
                names.append(os.path.relpath(root, self.base))
        return sorted(names)

    def read(self, *parts):
        try:
            with open(self._file(*parts), "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise KopsError("error reading %s: %s" % (self._file(*parts), go_path_error("open", self._file(*parts), err)))

    def exists(self, *parts):
        return os.path.isfile(self._file(*parts))

    def list_keys(self, *parts):
        top = self._file(*parts)
        keys = []
        for root, dummy, files in os.walk(top):
            keys.extend(os.path.relpath(os.path.join(root, f), top) for f in files)
        return sorted(keys)

    def write(self, data, *parts, only_if_changed=False):
        if isinstance(data, str):
            data = data.encode()
        if only_if_changed and self.read(*parts) == data:
            return False
        path = self._file(*parts)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        return True

    def delete(self, *parts):
        try:
            os.remove(self._file(*parts))
        except FileNotFoundError:
            pass

    def delete_cluster(self, name):
        for k in self.list_keys(name):
            self.delete(name, k)


def go_path_error(op, path, err):
    """A Go *os.PathError text: ``open x: no such file or directory``."""
    return "%s %s: %s" % (op, path, (err.strerror or str(err)).lower())


# util/pkg/vfs/context.go BuildVfsPath: the schemes kops knows (1.36 adds linode:// and hos://).
_KNOWN_SCHEMES = {
    "1.30.1": ("do://", "memfs://", "gs://", "k8s://", "swift://", "azureblob://", "scw://"),
    "1.36.2": ("do://", "linode://", "hos://", "memfs://", "gs://", "k8s://", "swift://", "azureblob://", "scw://"),
}
# Characters Go's url.Parse accepts in a host (net/url shouldEscape with encodeHost).
_GO_HOST = re.compile(r"^[A-Za-z0-9\-_.~!$&'()*+,;=:\[\]<>\"%]*$")


def from_flags(parsed):
    """cmd/kops/util/factory.go KopsClient + root.go initConfig + vfs BuildVfsPath/buildS3Path."""
    from kops_standin import version as vermod

    url = parsed.get("state") or os.environ.get("KOPS_STATE_STORE") or ""
    url = url[:-1] if url.endswith("/") else url  # initConfig: strings.TrimSuffix(path, "/"), once
    if not url:
        raise KopsError(STATE_REQUIRED)
    if "://" not in url or url.startswith("file://"):
        if url.startswith("file://"):
            warn("factory.go:%d" % (134 if vermod.current() == "1.30.1" else 152),
                 "The local filesystem state store is not functional for running clusters")
        return FSStateStore(url[len("file://"):] if url.startswith("file://") else url)
    if url.startswith("s3://"):
        host = url[len("s3://"):].split("/", 1)[0]
        host = host.split("?", 1)[0].split("#", 1)[0]
        if not host or not _GO_HOST.match(host):
            raise KopsError('error building path for "%s": invalid s3 path: "%s"' % (url, url))
        return StateStore(url)
    if url.startswith(_KNOWN_SCHEMES[vermod.current()]):
        raise KopsError('the kops stand-in (test infrastructure) only imitates s3:// and local state stores, '
                        'not "%s"' % url)
    raise KopsError('error building path for "%s": unknown / unhandled path type: "%s"' % (url, url))
