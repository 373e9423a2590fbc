# One command each: run, test, lint, bench. Each creates .venv and installs requirements first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Webhook URLs shown by `make run` point at the server it starts, unless set otherwise.
PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install run test lint bench bench-smoke

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/python manage.py seed_demo
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Full load benchmark (PostgreSQL + Redis + gunicorn + wrk); writes BENCHMARKS.md. See README.
bench: install
	$(BIN)/python -m bench

# Seconds-long version on SQLite, as the test suite runs it.
bench-smoke: install
	$(BIN)/python -m bench --smoke
