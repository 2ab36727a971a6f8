# Two commands do all the set-up (see README.md):
#   make        create .venv, install mdguide with pinned dependencies, validate, build every output
#   make test   also install what the tests need (system packages through apt, as root) and run pytest
#   make test-fast  the quick loop while working: every test but the slow ones (external validators,
#                   extra builds; marked `slow`), under a minute; `make test` and CI still run them all
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY ?= $(VENV)/bin/python
MDGUIDE := $(VENV)/bin/mdguide
STAMP := $(VENV)/.mdguide-installed

.PHONY: all outputs validate test test-fast lint install build-tools bench clean schema
.DEFAULT_GOAL := all

all: outputs

install: $(STAMP)

# pip byte-compiles the libraries it installs, but not an editable project: Python compiles
# src/ on first import and caches it in __pycache__, unless PYTHONDONTWRITEBYTECODE is set (as on
# some CI and container images), when every `mdguide` run compiles all of src/ again (~0.2 s of a
# 0.6 s build).  So compile it once here; Python still recompiles any file edited since.
COMPILE = $(PY) -m compileall -q src >/dev/null

# Reinstall when the project's dependencies or pins change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@$(COMPILE)
	@touch $@

validate: $(STAMP)
	$(MDGUIDE) validate

outputs: $(STAMP) build-tools validate
	$(MDGUIDE) build

schema: $(STAMP)
	$(MDGUIDE) schema

test: $(STAMP) build-tools test-tools lint
	$(PY) -m pytest

test-fast: $(STAMP) build-tools test-tools
	$(PY) -m pytest -m "not slow"

# Style and architecture: ruff (lint, format, import order) and the layers contract in pyproject.toml.
lint: $(STAMP) test-tools-pip
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/lint-imports

# WeasyPrint (the `bench` extra) only for bench/pdf_engines.py's comparison of PDF engines.
BENCH_STAMP := $(VENV)/.mdguide-bench-extra.stamp
$(BENCH_STAMP): pyproject.toml constraints.txt | $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,bench]'
	@touch $@

bench: $(STAMP) bench-tools $(BENCH_STAMP)
	$(PY) bench/run.py
	$(PY) bench/pdf_engines.py

clean:
	rm -rf outputs/* outputs/.mdguide-* .pytest_cache

include mk/build-tools.mk
include mk/test-tools.mk
include mk/editor.mk
