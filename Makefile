# gendan — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.django.local

.PHONY: run test test-sqlite test-postgres messages-check lint migrations-check system-deps install messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: chromium (browser tests), poppler-utils (pdftotext), a CJK font,
# PostgreSQL and redis-server (the scale-out test starts both on loopback).
system-deps:
	@./scripts/system-deps.sh

# DEBUG stays off unless asked: `DEBUG=1 make run` (config/django/local.py).
run: install
	mkdir -p var
	$(BIN)/gendan migrate --noinput
	$(BIN)/gendan demo
	@echo "Serving on http://$(HOST):$(PORT)/ with the task queue (huey) in the background  (Ctrl+C to stop)"
	@echo "DEBUG is off (the site's own error pages); DEBUG=1 make run turns Django's debug pages on"
	@$(BIN)/gendan run_huey & huey_pid=$$!; \
	trap 'kill $$huey_pid 2>/dev/null; wait $$huey_pid 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gendan runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	mkdir -p var
	DJANGO_SETTINGS_MODULE=config.django.test $(BIN)/gendan makemigrations --check --dry-run

PYTEST := env DJANGO_SETTINGS_MODULE=config.django.test DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest

# Every test on SQLite, then again on a throwaway PostgreSQL cluster (the browser flows once, on SQLite).
test: install system-deps lint migrations-check messages-check
	mkdir -p var
	$(PYTEST) -q
	scripts/with-postgres.sh $(PYTEST) -q -m "not browser"

messages-check: install
	$(BIN)/python scripts/check-messages.py

# Quick loop without lint or system packages.
test-sqlite: install
	$(PYTEST) -q -m "not browser"

test-postgres: install
	scripts/with-postgres.sh $(PYTEST) -q

messages: install
	cd gendan && ../$(BIN)/gendan makemessages -l zh_Hans --no-location --no-obsolete
	cd gendan && ../$(BIN)/gendan compilemessages

# Benchmarks (not part of `make test`): prints one JSON object; see bench/README.md.
bench: install
	mkdir -p var
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var/test*.sqlite3*
