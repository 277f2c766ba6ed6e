# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""execution-environment.yml, checked with `ansible-builder create` (no container engine here):
the generated build context must carry the collection, its dependencies, and kops and kubectl."""

from __future__ import annotations

import os
import shutil
import subprocess

import yaml

from e2e_helpers import BIN, REPO


def _create_context(tmp_path):
    src = tmp_path / "src"
    (src / "meta").mkdir(parents=True)
    for name in ("execution-environment.yml", "meta/execution-environment.yml", "meta/ee-requirements.txt", "meta/ee-bindep.txt"):
        shutil.copy(REPO / name, src / name)
    # The collection artifact the EE file expects in build/, built as a user would.
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(REPO), "--output-path", str(src / "build")],
                   check=True, capture_output=True, text=True)
    tarballs = list((src / "build").glob("cloudops-kops-*.tar.gz"))
    assert len(tarballs) == 1
    ctx = tmp_path / "context"
    proc = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "--context", str(ctx),
                           "--output-filename", "Containerfile"], cwd=src, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return ctx, tarballs[0].name


def test_builder_context_carries_collection_dependencies_and_binaries(tmp_path):
    ctx, tarball = _create_context(tmp_path)
    containerfile = (ctx / "Containerfile").read_text()
    build = ctx / "_build"

    # The collection artifact is in the context and installed next to its dependencies.
    assert (build / "cloudops_kops" / tarball).is_file()
    assert "ansible-galaxy collection install --offline -p /usr/share/ansible/collections " \
           "/build/cloudops_kops/cloudops-kops-*.tar.gz" in containerfile

    requirements = yaml.safe_load((build / "requirements.yml").read_text())
    collections = {c["name"]: c.get("version") for c in requirements["collections"]}
    assert set(collections) == {"amazon.aws", "community.crypto", "kubernetes.core"}
    assert all(collections.values()), "every dependency is pinned to a range"

    python_reqs = (build / "requirements.txt").read_text()
    for lib in ("boto3", "botocore", "kubernetes", "cryptography"):
        assert any(line.startswith(lib) for line in python_reqs.splitlines()), lib
    bindep = (build / "bindep.txt").read_text()
    assert "openssh-clients [platform:rpm]" in bindep

    # ansible-core, ansible-runner and the Python interpreter AWX needs.
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "ansible-core>=2.17.0,<2.20" in containerfile and "ansible-runner" in containerfile

    # kops and kubectl come from the collection's own checksum-verifying role, pinned by build args,
    # and the build proves they run.
    assert "ARG KOPS_VERSION=1.36.2" in containerfile
    assert "ARG KUBECTL_VERSION=1.36.3" in containerfile
    install = next(line for line in containerfile.splitlines() if "cloudops.kops.kops_tools" in line)
    assert install.startswith("RUN ansible localhost -m ansible.builtin.include_role")
    assert "kops_tools_kops_version=${KOPS_VERSION}" in install
    assert "kops_tools_install_dir=/usr/local/bin" in install
    assert install.endswith("&& kops version --short && kubectl version --client")
    # Installed as root before the image drops to the unprivileged runner user.
    assert containerfile.index(install) < containerfile.index("USER 1000")


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
