"""A local binary mirror laid out like the official kops and kubectl release hosts.

``/kops/releases/download/v<ver>/kops-linux-<arch>`` stands for
``https://github.com/kubernetes/kops/releases/download/v<ver>/kops-linux-<arch>`` and
``/kubectl/release/v<ver>/bin/linux/<arch>/kubectl`` for
``https://dl.k8s.io/release/v<ver>/bin/linux/<arch>/kubectl``; each has a ``.sha256``
holding the bare hex digest, as the real hosts publish it. kops downloads are the kops
stand-in built for that version. kubectl downloads are the real kubectl for the versions the mirror
was given one of (the bed gives it the upstream v1.30.0 linux/amd64 binary of
``testbed.real_kubectl``, served from its file with its real sha256), and a small stand-in that only
answers ``kubectl version`` for every other version and architecture.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import shutil
import tempfile
import threading

from kops_standin.build import build_zipapp

from .http_thread import ThreadedHttpServer

_KOPS = re.compile(r"^/kops/releases/download/v(?P<version>\d+\.\d+\.\d+)/kops-linux-(?P<arch>amd64|arm64)(?P<sha>\.sha256)?$")
_KUBECTL = re.compile(r"^/kubectl/release/v(?P<version>\d+\.\d+\.\d+)/bin/linux/(?P<arch>amd64|arm64)/kubectl(?P<sha>\.sha256)?$")

_KUBECTL_STANDIN = """#!/bin/sh
# kubectl stand-in served by the cloudops.kops test bed mirror: test infrastructure, not kubectl.
# It answers `kubectl version --client [-o json]` only.
case " $* " in
  *" version "*)
    case " $* " in
      *" -o json "*|*" --output=json "*|*" -o=json "*|*" --output json "*)
        printf '{"clientVersion": {"major": "%s", "minor": "%s", "gitVersion": "v%s", "platform": "linux/%s"}, ' \\
          "{major}" "{minor}" "{version}" "{arch}"
        printf '"kustomizeVersion": "v5.6.0"}\\n' ;;
      *) printf 'Client Version: v%s\\nKustomize Version: v5.6.0\\n' "{version}" ;;
    esac ;;
  *) echo "error: the test bed's kubectl stand-in only answers 'kubectl version'" >&2; exit 1 ;;
esac
"""


class Mirror(ThreadedHttpServer):
    """Serves the downloads from a thread of the calling process on 127.0.0.1."""

    def __init__(self, cache_dir: str | None = None, host: str = "127.0.0.1", real_kubectls=()):
        """``real_kubectls``: objects with ``path``, ``version``, ``arch`` and ``sha256`` (a verified
        binary, ``testbed.real_kubectl.RealKubectl``), served instead of the stand-in for that version."""
        super().__init__(host)
        self.cache_dir = cache_dir or tempfile.mkdtemp(prefix="kops-mirror-")
        os.makedirs(self.cache_dir, exist_ok=True)
        self._lock = threading.Lock()
        self.real_kubectls = {(k.version, k.arch): k for k in real_kubectls}

    def real_file(self, path: str) -> tuple[str, str] | None:
        """(file, sha256) of a real binary served for ``path``, or None."""
        match = _KUBECTL.match(path)
        real = self.real_kubectls.get((match["version"], match["arch"])) if match else None
        if real is None:
            return None
        return real.path, real.sha256

    def content(self, path: str) -> bytes | None:
        """The bytes served for ``path``, or None for a path the real hosts would not have."""
        real = self.real_file(path)
        if real is not None:
            if _KUBECTL.match(path)["sha"]:
                return (real[1] + "\n").encode()
            with open(real[0], "rb") as binary:
                return binary.read()
        for pattern, maker in ((_KOPS, self._kops), (_KUBECTL, self._kubectl)):
            match = pattern.match(path)
            if match:
                body = maker(match["version"], match["arch"])
                if match["sha"]:
                    return (hashlib.sha256(body).hexdigest() + "\n").encode()
                return body
        return None

    def _kops(self, version: str, arch: str) -> bytes:
        path = os.path.join(self.cache_dir, f"kops-{version}-{arch}")
        with self._lock:
            if not os.path.exists(path):
                build_zipapp(path, version)
        with open(path, "rb") as binary:
            return binary.read()

    @staticmethod
    def _kubectl(version: str, arch: str) -> bytes:
        major, minor, _patch = version.split(".")
        return (_KUBECTL_STANDIN.replace("{major}", major).replace("{minor}", minor)
                .replace("{version}", version).replace("{arch}", arch)).encode()

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self._answer(send_body=True)

            def do_HEAD(self):  # noqa: N802
                self._answer(send_body=False)

            def _answer(self, send_body: bool) -> None:
                mirror.requests.append(self.path)
                path = self.path.split("?", 1)[0]
                real = mirror.real_file(path)
                if real is not None and not path.endswith(".sha256"):
                    self._send_file(real[0], send_body)
                    return
                body = mirror.content(path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def _send_file(self, path: str, send_body: bool) -> None:
                # A 51 MB binary: streamed from its file, not held in memory per request.
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(os.path.getsize(path)))
                self.end_headers()
                if send_body:
                    with open(path, "rb") as binary:
                        shutil.copyfileobj(binary, self.wfile, 1 << 20)

            def log_message(self, *args):  # keep the command's output clean
                pass

        return Handler
