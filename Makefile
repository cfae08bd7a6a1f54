# Common Ground. `make demo` to try it, `make test` to check it. Needs python3 (3.11+) and make.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Test processes: one per core by default (pytest-xdist); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
export DJANGO_SETTINGS_MODULE := commonground.settings

.PHONY: demo install test test-fast lint typecheck migrations-check test-browser browser-deps bench serve worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## demo: install, migrate SQLite under var/, load the demo organisations, serve on PORT (default 8000).
demo: install
	@mkdir -p var
	DATABASE_URL= $(BIN)/commonground migrate --no-input
	DATABASE_URL= $(BIN)/commonground load_demo
	@echo "Serving Common Ground on http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@DATABASE_URL= MFA_REQUIRED=false bash scripts/serve.sh $(PORT)

serve: install
	bash scripts/serve.sh $(PORT)

## test: the whole suite, lint, types and migration drift.
test: install lint typecheck migrations-check
	$(BIN)/pytest -q -n $(PYTEST_WORKERS)

test-fast: install
	$(BIN)/pytest -q -x

lint: install
	$(BIN)/ruff check commonground bench
	$(BIN)/ruff format --check commonground bench

typecheck: install
	$(BIN)/mypy commonground

migrations-check: install
	$(BIN)/commonground makemigrations --check --dry-run

## bench: a large dataset (BENCH_SCALE=1: 1,000,000 obligations) on SQLite and PostgreSQL, the
## sweep and the busiest pages timed; results in bench/results/. BENCH_SCALE=0.01 for a quick run.
bench: install
	$(BIN)/python -m bench.run

## test-browser: drive the real pages in Debian's Chromium with axe-core scans.
test-browser: install browser-deps
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q -m browser -p no:cacheprovider

browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/cache
