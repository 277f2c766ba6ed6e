# cloudops.kops: every target does its own set-up, so a fresh clone needs only `make test` or `make demo`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
TESTBED := $(ROOT)/tests/testbed/run
ANSIBLE_TEST := $(ROOT)/scripts/run-ansible-test
PYTEST := $(VENV)/bin/python -m pytest
export PYTHONPATH := $(ROOT)/tests/testbed
# Bytecode: this sandbox sets PYTHONDONTWRITEBYTECODE (as many container images do), the venvs are built with
# pip --no-compile, so every Python process (each module, moto, the stand-in, pytest workers) would
# compile boto3, botocore and ansible from source again. Let Python cache what it imports, under .tmp
# so the source tree and the venvs stay clean (about a sixth of the contract suite's CPU time).
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(ROOT)/.tmp/pycache

SUITES := sanity units contract integration e2e lint galaxy-import sanity-2.17 units-2.17
# ansible-core 2.17, the requires_ansible floor (meta/runtime.yml), in a virtualenv of its own.
VENV_217 := $(ROOT)/.tmp/venv-ansible-core-2.17
# antsibull-docs, for make lint, in a virtualenv of its own (tests/venvs/antsibull-docs.txt says why).
VENV_DOCS := $(ROOT)/.tmp/venv-antsibull-docs

.PHONY: help venv venv-2.17 venv-docs collection test $(SUITES) demo demo-remote clean

help:
	@echo "make test   sanity, unit, contract, integration and end-to-end tests, ansible-lint and the docs lint"
	@echo "make demo   build, validate and tear down the example cluster against the local test bed"
	@echo "make demo-remote   the same from a management server: provision it, build on it over SSH, tear both down"
	@echo "make $(SUITES)   one suite"

venv:
	@$(ROOT)/scripts/bootstrap-venv

collection: venv
	@$(ROOT)/scripts/stage-collection

# Runs every suite even when one fails, several at once (scripts/run-tests: the order comes from
# tests/timings.tsv), prints each suite's log as it ends, then the durations, then which failed.
# (No venv prerequisite: run-tests builds it itself, so its set-up time shows in the table.)
test:
	@MAKE="$(MAKE)" $(ROOT)/scripts/run-tests $(SUITES)

sanity: venv
	$(ANSIBLE_TEST) sanity --python 3.11 --requirements --color no

units: venv
	$(ANSIBLE_TEST) units --python 3.11 --requirements --color no

# CONTRACT_JOBS=2 runs two test files at a time (every test works in a bed of its own); none (in
# process) by default: in `make test` the machine is already busy and the integration shards are the
# critical path (a fresh-clone run with two took 23.5 min instead of 22.5).
contract: venv
	$(PYTEST) -p no:cacheprovider -n $${CONTRACT_JOBS:-0} --dist loadfile --durations=10 tests/contract

integration: venv
	$(ROOT)/scripts/run-integration --python 3.11 --requirements --color no --continue-on-error

# Two workers, one test file each at a time (pytest-xdist --dist loadfile): most of an end-to-end test is
# waiting on playbooks and the stand-in's boot and roll waits, and each file works on a cluster and
# bucket of its own on the one shared test bed.
e2e: venv
	$(TESTBED) -- $(PYTEST) -p no:cacheprovider -n $${E2E_JOBS:-2} --dist loadfile --durations=10 tests/e2e

# ansible-lint, then the docs as the Ansible docsite would build them: every M(), O(), RV() and P()
# reference to this collection must exist and every module, plugin and role doc must render (rstcheck).
# References into amazon.aws and the other dependencies are resolved only with DOCS_REFS=all: that
# takes about two minutes more, so it is a step before a release (CONTRIBUTING.md), not of make test.
DOCS_REFS ?= self
lint: venv collection venv-docs
	PATH=$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(ROOT)/.tmp/collections ansible-lint --offline
	cd $(ROOT)/.tmp/collections/ansible_collections/cloudops/kops && PATH=$(VENV)/bin:$$PATH \
	    ANSIBLE_COLLECTIONS_PATH=$(ROOT)/.tmp/collections $(VENV_DOCS)/bin/antsibull-docs lint-collection-docs \
	    --plugin-docs --validate-collection-refs $(DOCS_REFS) .

# Galaxy's import of the built tarball (galaxy-importer in a venv of its own, no ansible-test, no container).
galaxy-import: venv
	$(ROOT)/scripts/galaxy-import

venv-2.17:
	@$(ROOT)/scripts/bootstrap-extra-venv $(VENV_217) $(ROOT)/tests/venvs/ansible-core-2.17.txt

venv-docs:
	@$(ROOT)/scripts/bootstrap-extra-venv $(VENV_DOCS) $(ROOT)/tests/venvs/antsibull-docs.txt

sanity-2.17: venv venv-2.17
	ANSIBLE_TEST_VENV=$(VENV_217) $(ANSIBLE_TEST) sanity --python 3.11 --requirements --color no

units-2.17: venv venv-2.17
	ANSIBLE_TEST_VENV=$(VENV_217) $(ANSIBLE_TEST) units --python 3.11 --requirements --color no

demo: venv
	$(TESTBED) -- $(ROOT)/tests/testbed/demo.sh

# The two-play path: playbooks/remote_site.yml provisions the management server (moto) and builds on it
# over SSH; the bed's OpenSSH server on a loopback port stands in for the server (TESTBED_SSH=1; it
# installs Debian's openssh-server when missing and creates a throw-away user: needs root).
demo-remote: venv
	TESTBED_SSH=1 $(TESTBED) -- $(ROOT)/tests/testbed/demo-remote.sh

clean:
	rm -rf .tmp tests/output
