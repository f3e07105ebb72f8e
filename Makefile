# award-ledger: `make serve` and `make test` set everything up themselves on a fresh machine.

VENV    := .venv
BIN     := $(VENV)/bin
# Written after a successful install; the venv is created if missing, reinstalled if the stamp is stale.
STAMP   := $(VENV)/.installed
PYTHON  ?= $(shell command -v python3.11 || command -v python3)
SHARED  := ../shared

PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv .venv serve test lint acceptance bench bench-clean bench-deps resilience soak clean browser-deps replication openapi sdk-check

help:
	@echo "make serve       run the HTTP API (LEDGER_DATABASE_URL, LEDGER_AUTH_FILE; defaults in README)"
	@echo "make test        run the tests on SQLite and PostgreSQL (PYTEST_ARGS='-k caps -x' to narrow)"
	@echo "make lint        ruff check"
	@echo "make acceptance  public acceptance scenarios on SQLite, then on a fresh PostgreSQL database"
	@echo "make bench       benchmarks on the local PostgreSQL (BENCH_SCALE=0.05 default; 1 = 100,000 orgs); bench/RESULTS.md"
	@echo "make resilience  the short load and fault runs CI does (15 s load; LEDGER_ALLOW_PG_RESTART=1 to restart PG)"
	@echo "make soak        the long form: 60 s load, three rounds of each fault, 3,000 fuzzed requests a pass"
	@echo "make replication  let the local PostgreSQL stream to a replica on 127.0.0.1 (the read-replica test; pg_hba, reload)"
	@echo "make bench-clean drop the full-scale worlds BENCH_KEEP_WORLD=1 keeps between benchmark runs"
	@echo "make bench-deps  Debian's wrk, the HTTP load generator bench/ drives (apt-get; root)"
	@echo "make browser-deps  Debian's chromium and a CJK font for the browser tests (apt-get; root)"
	@echo "make openapi     rewrite openapi.json from the app (after adding or changing a route; a test compares them)"
	@echo "make sdk-check   generate a Python client and TypeScript types from the served document, run a flow"
	@echo "make clean       remove the venv and caches (var/, the local ledger data, stays)"

venv .venv: $(STAMP)

# The editable install maps only the top-level packages that existed when it ran, so a package
# created later (its __init__.py newer than the stamp) triggers a reinstall too.
$(STAMP): pyproject.toml $(wildcard ledger/__init__.py projections/__init__.py api/__init__.py)
	@if [ ! -x $(BIN)/python ]; then \
		echo "==> creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	@echo "==> installing award-ledger and its dev tools into $(VENV) (pip install -e '.[dev]')"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# On an empty store it first offers the demo district (asks on a terminal; otherwise prints a one-line hint).
serve: $(STAMP)
	@$(BIN)/award-ledger demo --offer
	$(BIN)/award-ledger serve

# make reports every failing recipe as exit 2, so pytest's "no tests collected" (5) is named here. The 25 slowest
# tests are listed at the end, so a CI run that grew slower says where (the budget is 90 minutes).
test: $(STAMP)
	@echo "$(BIN)/pytest --durations=25 $(PYTEST_ARGS)"
	@$(BIN)/pytest --durations=25 $(PYTEST_ARGS) || { status=$$?; \
		if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests (exit 5); that is a failure"; fi; \
		exit $$status; }

lint: $(STAMP)
	$(BIN)/ruff check .

acceptance: $(STAMP)
	scripts/acceptance.sh $(SHARED)/acceptance/public.py

bench: $(STAMP) bench-deps
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py; else echo "no bench/run.py yet: nothing to run"; fi

bench-clean: $(STAMP)
	$(BIN)/python -m bench.common drop-kept-worlds

# The HTTP benchmarks drive load with wrk (C, event loop): a Python client on the same 2 cores saturates first.
bench-deps:
	@if command -v wrk >/dev/null 2>&1; then echo "==> wrk is installed"; else \
		echo "==> installing Debian's wrk (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	fi

# The browser tests drive Debian's Chromium (never a browser Playwright downloads); CJK glyphs need a font.
browser-deps:
	@if [ -x /usr/bin/chromium ] && dpkg -s fonts-wqy-zenhei >/dev/null 2>&1; then \
		echo "==> /usr/bin/chromium and fonts-wqy-zenhei are installed"; \
	else \
		echo "==> installing Debian's chromium and fonts-wqy-zenhei (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei; \
	fi

# The read-replica test builds a streaming replica of the local server (pg_basebackup -R); the server must
# accept replication connections from 127.0.0.1. Idempotent; a reload, never a restart.
replication:
	scripts/allow-replication.sh

# Load and faults against real `award-ledger serve`/`project` subprocesses (tests/resilience); slow, so
# plain `make test` skips them. Restarting PostgreSQL disturbs other users: opt in with LEDGER_ALLOW_PG_RESTART=1.
resilience: $(STAMP)
	LEDGER_RESILIENCE=1 $(BIN)/pytest tests/resilience -m resilience $(PYTEST_ARGS)

soak: $(STAMP)
	LEDGER_RESILIENCE=1 LEDGER_RESILIENCE_SECONDS=60 LEDGER_RESILIENCE_ROUNDS=3 LEDGER_FUZZ_EXAMPLES=3000 \
		$(BIN)/pytest tests/resilience -m resilience $(PYTEST_ARGS)

# The published document (openapi.json) is what the app serves; tests/api/test_openapi_document.py compares them.
openapi: $(STAMP)
	$(BIN)/python -m api.openapi_file

# openapi-typescript (and tsc) from the npm registry, pinned by sdk/package-lock.json, into sdk/node_modules.
sdk/node_modules/.installed: sdk/package.json sdk/package-lock.json
	npm ci --prefix sdk --no-audit --no-fund
	@touch $@

sdk-check: $(STAMP) sdk/node_modules/.installed
	$(BIN)/python sdk/check.py

clean:
	rm -rf $(VENV) sdk/node_modules sdk/out test-output/ .pytest_cache .ruff_cache build/ *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
