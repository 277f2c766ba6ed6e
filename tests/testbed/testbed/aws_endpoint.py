"""A local AWS endpoint: moto in server mode on 127.0.0.1, on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from .processes import stop_process

REGION = "us-west-2"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


def free_port(host: str = "127.0.0.1") -> int:
    # Another process may take the port before moto binds it; start() retries on that.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _server_environment() -> dict[str, str]:
    # The server runs testbed.moto_server (moto's own main, two look-ups memoized), whoever starts the bed.
    bed_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = [bed_root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(path))


class AwsEndpoint:
    """Starts moto_server and stops it by its own PID, also when the caller fails.

    Use as a context manager::

        with AwsEndpoint() as aws:
            boto3.client("s3", endpoint_url=aws.url)
    """

    def __init__(self, host: str = "127.0.0.1", region: str = REGION, log_path: str | None = None,
                 start_timeout: float = 60.0):
        self.host = host
        self.region = region
        self.log_path = log_path or os.devnull
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        """Variables that point boto3, amazon.aws and kops at this endpoint."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            # Real kops reaches a custom S3 endpoint for its state store only through these.
            "S3_ENDPOINT": self.url,
            "S3_REGION": self.region,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def start(self) -> "AwsEndpoint":
        last_error = "not started"
        for _attempt in range(5):
            self.port = free_port(self.host)
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "testbed.moto_server", "-H", self.host, "-p", str(self.port)],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_server_environment(),
                )
            last_error = self._wait_ready()
            if last_error is None:
                return self
            self.stop()
        raise RuntimeError(f"moto_server did not start on {self.host}: {last_error}")

    def _wait_ready(self) -> str | None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"exited with {self.process.returncode} (see {self.log_path})"
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):
                    return None
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        return f"no answer within {self.start_timeout:.0f}s"

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def __enter__(self) -> "AwsEndpoint":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
