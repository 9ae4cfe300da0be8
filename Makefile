# Resonanz developer commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

.DEFAULT_GOAL := help
.PHONY: help install messages makemessages run migrate test e2e lint fmt worker beat chaos bench bench-ledger bench-answer bench-leaderboard bench-personalization bench-insights bench-api bench-play load api-schema

help:
	@echo "make run     install, migrate, seed the demo and serve http://127.0.0.1:8000"
	@echo "make test    the whole suite (SQLite unless DATABASE_URL is set)"
	@echo "make e2e     browser tests only (needs the chromium package); screenshots in e2e-screenshots/"
	@echo "make lint    ruff check + format check + import layers (lint-imports);  make fmt  to fix"
	@echo "make worker / make beat   Celery worker and scheduler (needs REDIS_URL)"
	@echo "make bench   HTTP and ledger benchmarks (wrk recommended; ledger needs PostgreSQL)"
	@echo "make load    players, partners and staff at once with locust (needs PostgreSQL, Redis)"
	@echo "make chaos   fault injection against its own PostgreSQL, Redis, gunicorn and worker"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml uv.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv sync --frozen
	@touch $@

install: $(VENV)/.installed

# Compiled with Babel, so no GNU gettext is needed on the machine.
locale/%.mo: locale/%.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

messages: install $(CATALOGS)

# Extracting strings needs GNU gettext (apt-get install gettext).
makemessages: install
	$(BIN)/python manage.py makemessages -l de --ignore=.venv --ignore=staticfiles

migrate: messages
	@mkdir -p staticfiles
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: messages
	$(BIN)/pytest

# Screenshots of every question and result type, at 390 and 1366 px, for reviewers (not
# committed); `make e2e E2E_SCREENSHOTS_DIR=` takes none.
E2E_SCREENSHOTS_DIR ?= e2e-screenshots
e2e: messages
	E2E_SCREENSHOTS_DIR=$(E2E_SCREENSHOTS_DIR) $(BIN)/pytest -m e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: messages
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info --schedule=$(VENV)/celerybeat-schedule

# Fault injection (README, "Fault injection"): starts its own PostgreSQL cluster, Redis,
# gunicorn, Celery worker and webhook receiver on loopback and breaks them, one scenario at a
# time. Needs PostgreSQL's server binaries and redis-server; CHAOS_REDIS_DOWN_SECONDS shortens
# the Redis outage (default 120).
chaos: messages
	$(BIN)/python -m tests.chaos

bench: messages
	$(BIN)/python -m tests.bench.http_throughput
	$(BIN)/python -m tests.bench.ledger_throughput
	$(BIN)/python -m tests.bench.answer_throughput
	$(BIN)/python -m tests.bench.leaderboard

# Needs PostgreSQL (BENCH_DATABASE_URL, default the local server's resonanz_bench database).
bench-ledger: messages
	$(BIN)/python -m tests.bench.ledger_throughput

# Needs PostgreSQL and wrk.
bench-answer: messages
	$(BIN)/python -m tests.bench.answer_throughput

# Needs PostgreSQL: 100,000 participants are made once in the bench database.
bench-leaderboard: messages
	$(BIN)/python -m tests.bench.leaderboard

# Needs PostgreSQL: 1,000,000 customers are made once (a few minutes) in their own database.
bench-personalization: messages
	$(BIN)/python -m tests.bench.personalization

# Needs PostgreSQL: the program dashboard against the bare-Django floor; customers with their
# answers are made once in their own database (BENCH_PROFILES, default 1,000,000).
bench-insights: messages
	$(BIN)/python -m tests.bench.insights

# Needs PostgreSQL and wrk.
bench-api: messages
	$(BIN)/python -m tests.bench.api_throughput

# Needs PostgreSQL on this machine: statements and CPU of whole plays, step by step.
bench-play: messages
	$(BIN)/python -m tests.bench.play_cost

# Players, partners and staff at once (README, "Load test"): its own database on the local
# PostgreSQL, gunicorn, a Celery worker and Redis on loopback; LOAD_USERS, LOAD_SECONDS,
# LOAD_STEPS adjust it.
load: messages
	$(BIN)/python -m tests.load.run

# The partner API's OpenAPI contract, after an intended change to the API.
api-schema: messages
	$(BIN)/python manage.py spectacular --format openapi-json --file tests/partners/api/openapi.json
