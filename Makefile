# dataplatform.mwaa_lineage — developer entry points. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
LOCAL := $(ROOT)/.local
export PATH := $(VENV)/bin:$(PATH)
export LOCAL_AWS_PORT ?= 4566
MOLECULE_AWS_PORT ?= 4567
export ANSIBLE_CONFIG := $(ROOT)/ansible.cfg
# The emulator accepts any credentials; these keep boto3 away from real ones.
LOCAL_AWS_ENV := AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
	AWS_ENDPOINT_URL=http://127.0.0.1:$(LOCAL_AWS_PORT) AWS_DISABLE_HOST_PREFIX_INJECTION=true
COLLECTION_LINK := $(LOCAL)/collections/ansible_collections/dataplatform/mwaa_lineage
# checkov has its own venv: its pins conflict with ours (see requirements-checkov.txt).
CHECKOV_VENV := $(LOCAL)/checkov-venv
MOLECULE_SCENARIOS ?= $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))

.PHONY: help setup demo test lint sanity unit integration airflow-proof docker-setup molecule bench local-aws local-aws-stop changelog clean

help: ## List targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(VENV)/.stamp: requirements.txt requirements-dev.txt constraints.txt
	@py=$$(scripts/find-python.sh); echo "setup: creating .venv with $$py"; \
	  rm -rf $(VENV); $$py -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

$(CHECKOV_VENV)/.stamp: requirements-checkov.txt constraints-checkov.txt
	@py=$$(scripts/find-python.sh); echo "setup: creating $(CHECKOV_VENV) with $$py"; \
	  rm -rf $(CHECKOV_VENV); $$py -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt -c constraints-checkov.txt
	touch $@

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

setup: $(VENV)/.stamp $(COLLECTION_LINK) ## Build .venv (Python 3.12, pinned requirements) and link the collection
	@mkdir -p $(LOCAL)

local-aws: setup ## Start the local AWS emulator (moto + MWAA backend) on 127.0.0.1:$LOCAL_AWS_PORT
	scripts/local-aws.sh start

local-aws-stop: ## Stop the local AWS emulator
	scripts/local-aws.sh stop

demo: setup local-aws ## Deploy the whole stack into the local emulator and print the summary
	$(LOCAL_AWS_ENV) ansible-playbook site.yml -i inventories/local
	@echo; echo "Summary: outputs/lineage-local.json"; cat outputs/lineage-local.json

# Each suite runs even when an earlier one failed, so one run shows every failure; each prints its time.
TEST_SUITES := lint unit sanity integration molecule
test: setup ## Everything CI runs, each suite timed (.local/test-times.txt)
	@rm -f $(LOCAL)/test-times.txt; status=0; start=$$SECONDS; \
	for suite in $(TEST_SUITES); do \
	  scripts/timed.sh $$suite $(MAKE) --no-print-directory $$suite || status=1; \
	done; \
	echo "=== make test: $$((SECONDS - start)) s in total"; cat $(LOCAL)/test-times.txt; \
	if [ $$status -eq 0 ]; then echo "make test: all suites passed"; else echo "make test: FAILED"; fi; \
	exit $$status

# Both linters run even when the first fails, so one run shows every finding.
# CKV_SKIP_PACKAGE_UPDATE_CHECK: checkov would otherwise ask PyPI for a newer version on every run.
lint: setup $(CHECKOV_VENV)/.stamp ## ansible-lint (production profile, offline) and checkov (framework ansible, .checkov.yml)
	@status=0; \
	start=$$SECONDS; ansible-lint --offline --profile production || status=1; \
	echo "=== ansible-lint: $$((SECONDS - start)) s"; \
	start=$$SECONDS; CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(CHECKOV_VENV)/bin/checkov --config-file .checkov.yml || status=1; \
	echo "=== checkov: $$((SECONDS - start)) s"; \
	exit $$status

sanity: setup ## ansible-test sanity on a built copy of the collection
	scripts/sanity.sh

unit: setup ## Unit tests (modules, filters, emulator)
	$(LOCAL_AWS_ENV) python -m pytest -q tests/unit

# Files run in INTEGRATION_WORKERS parallel workers (each with its own emulator); a file's tests stay
# together on one worker, in order, because they build on each other's deployment.
INTEGRATION_WORKERS ?= 2
integration: setup ## Playbooks end to end on private emulators; real Airflow 3 lineage proof
	scripts/airflow-venv.sh
	python -m pytest -q --durations=25 -n $(INTEGRATION_WORKERS) --dist loadfile tests/integration

airflow-proof: setup ## Only the real Airflow 3 + OpenLineage provider proof
	scripts/airflow-venv.sh
	python -m pytest -q tests/integration/test_airflow_openlineage.py

docker-setup: ## Docker engine, debootstrap and the marquez_host test assets (cached in .local/)
	scripts/docker-setup.sh

MOLECULE_LANES ?= 2
molecule: setup docker-setup ## molecule test for every scenario, in $MOLECULE_LANES lanes with an emulator each (ports $MOLECULE_AWS_PORT+)
	MOLECULE_LANES=$(MOLECULE_LANES) MOLECULE_AWS_PORT=$(MOLECULE_AWS_PORT) scripts/molecule-lanes.sh $(MOLECULE_SCENARIOS)

bench: setup ## Benchmark >= 10 blue/green switches on a private emulator (not part of make test)
	python scripts/bench-switch.py --switches $(or $(BENCH_SWITCHES),10)

changelog: setup ## Lint changelog fragments
	antsibull-changelog lint

clean: local-aws-stop ## Remove the virtualenv, emulator state and build output
	rm -rf $(VENV) $(LOCAL) build outputs
