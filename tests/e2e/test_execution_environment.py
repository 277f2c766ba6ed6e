# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""execution-environment.yml, checked with `ansible-builder create` (no container engine here, so no
image is ever built): the generated build context must carry the collection, its dependencies, and
kops and kubectl. The Containerfile step that fetches kops and kubectl is run for real, outside a
container, against the test bed's binary mirror (same paths and .sha256 files as the official hosts)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml

from e2e_helpers import BIN, REPO

EE_FILES = ("execution-environment.yml", "meta/execution-environment.yml", "meta/ee-requirements.txt", "meta/ee-bindep.txt")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The collection tarball, built as a user would, and the ansible-builder context made from it."""
    tmp = tmp_path_factory.mktemp("ee")
    src = tmp / "src"
    (src / "meta").mkdir(parents=True)
    for name in EE_FILES:
        shutil.copy(REPO / name, src / name)
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(REPO), "--output-path", str(src / "build")],
                   check=True, capture_output=True, text=True)
    tarballs = list((src / "build").glob("cloudops-kops-*.tar.gz"))
    assert len(tarballs) == 1
    ctx = tmp / "context"
    proc = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "--context", str(ctx),
                           "--output-filename", "Containerfile"], cwd=src, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return tarballs[0], ctx


def _final_stage(containerfile: str) -> list[str]:
    lines = containerfile.splitlines()
    return lines[lines.index("FROM base AS final"):]


def _tools_step(containerfile: str) -> str:
    return next(line for line in _final_stage(containerfile) if line.startswith("RUN ") and "sha256sum -c" in line)


def _build_args(containerfile: str) -> dict[str, str]:
    """The ARG defaults of the final stage, as `RUN` sees them (environment variables)."""
    args = {}
    for line in _final_stage(containerfile):
        match = re.match(r"^ARG (\w+)(?:=(.*))?$", line)
        if match:
            args[match[1]] = match[2] or ""
    return args


def test_builder_context_carries_collection_dependencies_and_binaries(built):
    tarball, ctx = built
    containerfile = (ctx / "Containerfile").read_text()
    build = ctx / "_build"

    # The collection artifact is in the context and installed next to its dependencies.
    assert (build / "cloudops_kops" / tarball.name).is_file()
    assert "ansible-galaxy collection install --offline -p /usr/share/ansible/collections " \
           "/build/cloudops_kops/cloudops-kops-*.tar.gz" in containerfile

    requirements = yaml.safe_load((build / "requirements.yml").read_text())
    collections = {c["name"]: c.get("version") for c in requirements["collections"]}
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    assert collections == galaxy["dependencies"], "the image gets exactly the dependency ranges of galaxy.yml"

    python_reqs = (build / "requirements.txt").read_text().splitlines()
    for line in (REPO / "meta" / "ee-requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert line in python_reqs, line
    bindep = (build / "bindep.txt").read_text()
    assert "openssh-clients [platform:rpm]" in bindep

    # ansible-core, ansible-runner and the Python interpreter AWX needs.
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "ansible-core>=2.17.0,<2.20" in containerfile and "ansible-runner" in containerfile

    # kops and kubectl: pinned by build args, downloaded from the official hosts with their .sha256,
    # verified with sha256sum -c, installed on PATH, and run once.
    args = _build_args(containerfile)
    assert args["KOPS_VERSION"] == "1.36.2"
    assert args["KUBECTL_VERSION"] == ""
    assert args["KOPS_BASE_URL"] == "https://github.com/kubernetes/kops/releases/download"
    assert args["KUBECTL_BASE_URL"] == "https://dl.k8s.io/release"
    assert "TARGETARCH" in args
    step = _tools_step(containerfile)
    for fragment in ('"${KOPS_BASE_URL}/v${KOPS_VERSION}/kops-linux-${arch}"',
                     '"${KOPS_BASE_URL}/v${KOPS_VERSION}/kops-linux-${arch}.sha256"',
                     '"${KUBECTL_BASE_URL}/v${kubectl_version}/bin/linux/${arch}/kubectl"',
                     '"${KUBECTL_BASE_URL}/v${kubectl_version}/bin/linux/${arch}/kubectl.sha256"',
                     "kops\" | sha256sum -c -", "kubectl\" | sha256sum -c -",
                     "install -m 0755 kops kubectl /usr/local/bin/"):
        assert fragment in step, fragment
    # Installed as root before the image drops to the unprivileged runner user.
    assert containerfile.index(step) < containerfile.index("USER 1000")


def _run_tools_step(containerfile: str, bin_dir, **build_args) -> subprocess.CompletedProcess:
    """Run the Containerfile's kops/kubectl step with /bin/sh as `RUN` would, installing into bin_dir."""
    env = dict(os.environ)
    env.update(_build_args(containerfile))
    env.update(build_args)
    script = _tools_step(containerfile)[len("RUN "):].replace("/usr/local/bin", str(bin_dir))
    return subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.parametrize("kops_version, kubectl_version, arch", [
    ("1.36.2", "1.36.3", ""),       # the defaults: the newest supported line, the build host's architecture
    ("1.30.1", "1.30.14", "arm64"),  # the other supported line, picked by one build arg; arm64 by TARGETARCH
])
def test_tools_step_installs_checksum_verified_kops_and_kubectl(
        built, testbed_vars, tmp_path, kops_version, kubectl_version, arch):
    ctx = built[1]
    containerfile = (ctx / "Containerfile").read_text()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    args = {"KOPS_BASE_URL": testbed_vars["kops_tools_kops_base_url"],
            "KUBECTL_BASE_URL": testbed_vars["kops_tools_kubectl_base_url"], "TARGETARCH": arch}
    if kops_version != "1.36.2":
        args["KOPS_VERSION"] = kops_version
    proc = _run_tools_step(containerfile, bin_dir, **args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(": OK") == 2, proc.stdout  # sha256sum -c, once per binary
    for tool in ("kops", "kubectl"):
        assert os.stat(bin_dir / tool).st_mode & 0o777 == 0o755
    kops = subprocess.run([str(bin_dir / "kops"), "version", "--short"], capture_output=True, text=True, check=True)
    assert kops.stdout.strip().lstrip("v") == kops_version
    kubectl = subprocess.run([str(bin_dir / "kubectl"), "version", "--client", "-o", "json"],
                             capture_output=True, text=True, check=True)
    assert kubectl_version in kubectl.stdout


def test_tools_step_fails_on_checksum_mismatch_and_unsupported_version(built, testbed_vars, tmp_path):
    ctx = built[1]
    containerfile = (ctx / "Containerfile").read_text()
    # A mirror (file:// tree, curl reads it) whose kops does not match its published .sha256.
    mirror = tmp_path / "mirror"
    release = mirror / "v1.36.2"
    release.mkdir(parents=True)
    (release / "kops-linux-amd64").write_bytes(b"#!/bin/sh\necho tampered\n")
    (release / "kops-linux-amd64.sha256").write_text(hashlib.sha256(b"the real kops").hexdigest() + "\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    proc = _run_tools_step(containerfile, bin_dir, KOPS_BASE_URL=f"file://{mirror}",
                           KUBECTL_BASE_URL=testbed_vars["kops_tools_kubectl_base_url"], TARGETARCH="amd64")
    assert proc.returncode != 0
    assert "kops: FAILED" in proc.stdout
    assert not list(bin_dir.iterdir()), "nothing is installed after a mismatch"

    proc = _run_tools_step(containerfile, bin_dir, KOPS_VERSION="1.28.0",
                           KOPS_BASE_URL=testbed_vars["kops_tools_kops_base_url"])
    assert proc.returncode != 0
    assert "KOPS_VERSION must be a 1.30.x or 1.36.x release, got '1.28.0'" in proc.stderr
    assert not list(bin_dir.iterdir())


def test_built_collection_ships_the_ee_definition(built):
    tarball = built[0]
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    for name in EE_FILES:
        assert name in names, name


def test_collection_declares_its_ee_dependencies():
    meta = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    assert meta["version"] == 1
    assert (REPO / meta["dependencies"]["python"]).is_file()
    assert (REPO / meta["dependencies"]["system"]).is_file()
    # The staged collection tree (the Makefile exports its path).
    tree = os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(REPO / ".tmp" / "collections")).split(os.pathsep)[0]
    proc = subprocess.run([str(BIN / "ansible-builder"), "introspect", "--sanitize", tree],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "cloudops.kops" in proc.stdout
    assert "boto3" in proc.stdout
