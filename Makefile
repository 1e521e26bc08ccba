# coursebuild developer tasks (GNU make).
# Needs only python3 (>= 3.11, with venv/pip), node/npm and make.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium

# Stamp files: redo an install step only when its inputs change. Building a
# course needs only the runtime half (coursebuild and KaTeX); the tests also
# need the test extras (pytest, playwright, mypy, ruff, build) and axe-core.
# A test install counts as a runtime install too, so it stamps both.
PY_STAMP := $(VENV)/.coursebuild-installed
PY_TEST_STAMP := $(VENV)/.coursebuild-test-installed
NPM_STAMP := node_modules/.coursebuild-installed
NPM_DEV_STAMP := node_modules/.coursebuild-dev-installed

.PHONY: setup setup-build demo serve test browser bench clean coverage mutate

setup: $(PY_TEST_STAMP) $(NPM_DEV_STAMP)

setup-build: $(PY_STAMP) $(NPM_STAMP)

$(VENV)/pyvenv.cfg:
	$(PYTHON) -m venv $(VENV)

# KaTeX only (axe-core is a devDependency, for the accessibility tests).
$(NPM_STAMP): package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund
	touch $@

$(NPM_DEV_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP) $@

# Editable install: coursebuild.assets then finds KaTeX in node_modules/.
$(PY_STAMP): pyproject.toml hatch_build.py $(VENV)/pyvenv.cfg
	$(VPY) -m pip install --disable-pip-version-check -q -e .
	touch $@

$(PY_TEST_STAMP): pyproject.toml hatch_build.py $(VENV)/pyvenv.cfg
	$(VPY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $(PY_STAMP) $@

demo: setup-build
	$(VENV)/bin/coursebuild build . --out _site

serve: setup-build
	$(VENV)/bin/coursebuild serve .

# Browser tests drive Debian's chromium (no browser download by playwright).
browser:
	@if [ -x "$(CHROMIUM)" ]; then \
		echo "chromium: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "chromium missing: installing Debian's chromium with apt-get"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-dejavu-core; \
	else \
		echo "*** $(CHROMIUM) not found: browser tests need Debian's chromium." >&2; \
		echo "*** Install it with: sudo apt-get update && sudo apt-get install -y chromium" >&2; \
		echo "*** Continuing: browser tests will be skipped (under CI=true they fail)." >&2; \
	fi

test: setup browser
	$(VPY) -m pytest -n auto --dist loadgroup -q

# Coverage of the whole suite, builds run in subprocesses included (settings in
# pyproject.toml, [tool.coverage.*]); per-module figures, then the total.
coverage: setup browser
	rm -f .coverage .coverage.*
	COVERAGE_FILE=$(CURDIR)/.coverage $(VPY) -m coverage run -m pytest -n 2 --dist loadgroup -q -p no:cacheprovider
	COVERAGE_FILE=$(CURDIR)/.coverage $(VPY) -m coverage combine -q
	COVERAGE_FILE=$(CURDIR)/.coverage $(VPY) -m coverage report --sort=cover

# Mutation testing of the core modules against their tests (tools/mutate.py; slow, by hand).
# MODULES=links structure … picks some; JOBS=2 runs two mutants at a time.
mutate: setup
	$(VPY) tools/mutate.py --jobs $(or $(JOBS),1) $(MODULES)

bench: setup
	$(VPY) benchmarks/build_bench.py --topics 1000
	$(VPY) benchmarks/serve_bench.py

clean:
	rm -rf _site dist build .pytest_cache .mypy_cache .ruff_cache .coursebuild-cache .coverage .coverage.*
