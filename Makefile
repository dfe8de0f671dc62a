# lvs.ha — one entry point for the lab, the demo and every test.
# `make demo` builds the lab and a demo cluster; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
BIN       := $(CURDIR)/$(VENV)/bin
COLL      := $(CURDIR)/.build/collections
LAB       := lab/lab.sh
SCENARIOS ?= modules default persistence tun nat twonode ecmp
# Scenarios converged with ansible-core's own executor, as users run it; the
# others with mitogen's strategy (one interpreter per host: a module run costs
# ~0.2 s in the lab instead of ~3 s). See docs/benchmarks.md, "lab economy".
PLAIN ?= modules
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLL)
export ANSIBLE_LINT_SKIP_SCHEMA_UPDATE := 1
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1

.PHONY: help deps lab-up lab-down lab-status lab-image demo test lint sanity units argspecs matrix molecule build install-test metrics

help:
	@echo "make demo        lab up, demo cluster built, balancing and failover shown"
	@echo "make test        lint, sanity, unit tests, argument specs, the older ansible-cores, install test, molecule in the lab"
	@echo "make lab-up | lab-down | lab-status   the lab VM (or your own Docker engine)"
	@echo "make metrics     the alert rules (promtool check and test), the exporter on Debian's prometheus_client"

# The main virtualenv runs the newest ansible-core of the tested range, 2.21, on
# Python 3.13 (pyenv's, or python3.13 on PATH as on Debian 13). On a machine with
# neither (a plain Debian 12) it falls back to the system's python3 with 2.19, the
# oldest tested, so `make demo` still works; `make matrix` runs the other minors.
MAIN_PYTHON := $(shell bash tools/find_python.sh 3.13 2>/dev/null || command -v python3)
MAIN_CORE   := $(shell $(MAIN_PYTHON) -c 'import sys; print("2.21.5" if sys.version_info >= (3, 12) else "2.19.14")')
STAMP       := $(VENV)/.stamp-core-$(MAIN_CORE)
$(STAMP): requirements-dev.txt tools/packages.sh tools/find_python.sh
	bash tools/packages.sh
	rm -rf $(VENV)
	$(MAIN_PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt ansible-core==$(MAIN_CORE)
	touch $@

$(COLL)/.stamp: $(STAMP) tools/collections.sh
	bash tools/collections.sh
	touch $@

deps: $(STAMP) $(COLL)/.stamp

lab-image:
	bash tools/packages.sh
	bash $(LAB) image
lab-up: deps
	bash $(LAB) up
lab-down:
	bash $(LAB) down
lab-status:
	bash $(LAB) status

demo: lab-up
	bash tools/demo.sh

lint: deps
	yamllint -s .
	ansible-lint

sanity: deps
	bash tools/sanity.sh

# Line coverage of every plugin, printed (the decisions in plugins/filter and
# plugins/module_utils/director_* are held at 90 %: tools/coverage_floor.py).
units: deps
	$(PY) -m pytest -q tests/unit tests/roles --cov=plugins --cov-report=term --cov-report=json:.build/reports/coverage.json
	$(PY) tools/coverage_floor.py .build/reports/coverage.json 90 plugins/filter/ plugins/test/ plugins/module_utils/director_ plugins/module_utils/switchover_plan.py plugins/module_utils/template_values.py

argspecs: deps
	$(PY) tools/check_argspecs.py

# The alert rules checked and unit-tested by promtool, and the director's exporter
# tested on the prometheus_client Debian ships (both packages unpacked under .build).
metrics: deps
	bash tools/promtool.sh
	bash tools/exporter_debian.sh

# Units, role tests, argument specs, lint and sanity on every ansible-core minor
# meta/runtime.yml admits but the main virtualenv's (with 2.21 there: 2.19 on
# Python 3.11, 2.20 on 3.12), each in its own virtualenv.
matrix: deps
	bash tools/matrix.sh

build: deps
	rm -rf .build/dist && mkdir -p .build/dist
	ansible-galaxy collection build --force --output-path .build/dist .

# The scenarios run against the built tarball installed the way users install it
# (.build/installed comes first in the scenarios' collections path; removed after).
# --force: without it ansible-galaxy sees the checkout's link in .build/collections,
# says "already installed", and the scenarios ran the checkout instead.
# --no-deps: ansible.posix, its one dependency, is in .build/collections already.
# A failed scenario ends with its failed tests (CI logs are read from the tail);
# every run ends with the time of each scenario's actions (tools/phase_times.py).
REPORT := $(CURDIR)/.build/reports/verify.xml
PHASES := $(CURDIR)/.build/reports/phases.tsv
# The tarball as users get it: what it leaves out, installed in an empty path,
# its playbooks' syntax and every module's and role's documentation from there.
install-test: build
	bash tools/install_test.sh

molecule: lab-up build
	rm -rf .build/installed $(PHASES)
	ansible-galaxy collection install --offline --no-deps --force -p .build/installed .build/dist/lvs-ha-*.tar.gz
	test -f .build/installed/ansible_collections/lvs/ha/MANIFEST.json
	source lab/.state/env && status=0 && \
	mitogen=$$($(PY) -c 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))')/plugins/strategy && \
	for s in $(SCENARIOS); do rm -f $(REPORT); \
	  if [[ " $(PLAIN) " == *" $$s "* ]]; then strategy=linear; else strategy=mitogen_linear; fi; \
	  ANSIBLE_STRATEGY=$$strategy ANSIBLE_STRATEGY_PLUGINS=$$mitogen PYTEST_ADDOPTS="--junit-xml=$(REPORT) --durations=8" \
	  $(PY) tools/phase_times.py $(PHASES) -- molecule test -s $$s --no-command-borders || \
	  { status=1; $(PY) tools/phase_times.py --summary $(PHASES); $(PY) tools/test_failures.py $(REPORT) $$s; break; }; done; \
	rm -rf .build/installed; [ $$status = 1 ] || $(PY) tools/phase_times.py --summary $(PHASES); exit $$status

test: lint sanity units argspecs metrics matrix install-test molecule
