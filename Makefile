# shopnb: `make serve` runs the app, `make test` runs every test (and the docstrings'
# examples), `make lint` runs ruff and mypy.
# Both create .venv and install shopnb into it when needed; nothing prompts.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
PIP    := $(PY) -m pip

HOST ?= 127.0.0.1
PORT ?= 8866
URL  := http://$(HOST):$(PORT)

# `shopnb serve` runs Voila bound to this machine only, sources hidden, with the
# offline template, preheated kernels and idle kernels culled (shopnb/serve.py).
# SERVE_ARGS adds options, e.g.
#   make serve SERVE_ARGS="--data ~/shop-exports --lang en"
SERVE_ARGS ?=
SERVE = $(BIN)/shopnb serve --host=$(HOST) --port=$(PORT) $(SERVE_ARGS)

# Browser tests use Debian's chromium (never `playwright install`).
CHROMIUM   := /usr/bin/chromium
APT_PKGS   := chromium fonts-noto-cjk
# The loaders and the schema keep at least 90 % branch coverage (issue 2;
# which files: [tool.coverage] in pyproject.toml).
COVERAGE    := --cov=shopnb --cov-report=term
PYTEST_ARGS ?=

# install stamps: redone when pyproject.toml changes or .venv is new
RUN_STAMP  := $(VENV)/.shopnb-installed
TEST_STAMP := $(VENV)/.shopnb-test-installed

.PHONY: install serve test sample lint browser-deps clean distclean help

help:
	@echo "make install create .venv and install shopnb into it (for JupyterLab: .venv/bin/jupyter lab)"
	@echo "make serve   run the pages at $(URL)"
	@echo "make test    run all tests (unit, doctests, notebooks, browser)"
	@echo "make sample  write the sample shop (shopnb sample)"
	@echo "make lint    ruff check, and mypy on shopnb/"
	@echo "make clean   remove caches and test artifacts (distclean: also .venv)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PIP) install -e '.[test]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

serve: $(RUN_STAMP)
	$(SERVE)

test: $(TEST_STAMP) browser-deps
	$(PY) -m pytest $(COVERAGE) $(PYTEST_ARGS)

# Installs chromium and the CJK fonts when chromium is missing. Outside CI a
# failed install only warns: the browser tests then skip and say why.
browser-deps:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif [ -t 0 ]; then sudo="sudo"; else sudo="sudo -n"; fi; \
	echo "installing $(APT_PKGS) for the browser tests"; \
	if command -v apt-get >/dev/null \
	   && $$sudo apt-get update -q \
	   && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	        --no-install-recommends $(APT_PKGS); then exit 0; fi; \
	if [ -n "$$CI" ]; then echo "error: could not install $(APT_PKGS)" >&2; exit 1; fi; \
	echo "warning: could not install $(APT_PKGS); the browser tests will skip" >&2

sample: $(RUN_STAMP)
	$(BIN)/shopnb sample

# ruff with the docstring rules; mypy over shopnb/ ([tool.mypy] in pyproject.toml)
lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf test-artifacts .pytest_cache .ruff_cache .hypothesis htmlcov .coverage build dist
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name '*.egg-info' -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
