# One command each: run, test, lint, bench. Each creates .venv and installs requirements first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Webhook URLs shown by `make run` point at the server it starts, unless set otherwise.
PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
# `make serve` answers call setup (answer_url, IVR and ring-group callbacks) on workers of its own
# (docs/deploy.md, "Call setup's own workers"); `make run` serves everything on one port.
CALL_SETUP_PORT ?= 8001
CALL_SETUP_WORKERS ?= 2

.PHONY: install messages run serve test lint typecheck bench bench-smoke bench-dashboard bench-what-if faults screenshots vendor-js

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

# Compiles the translations (locale/*/LC_MESSAGES/django.po → .mo; msgfmt or pure Python).
install: $(VENV)/.installed
	DEBUG=true $(BIN)/python manage.py compilemessages -v0

# After adding or changing a marked string: refresh locale/vi/LC_MESSAGES/django.po, then
# translate the new entries (docs/i18n.md); portal/tests/domain/test_translations.py checks none is left.
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l vi --no-location --ignore=.venv --ignore=bench --ignore=staticfiles
	DEBUG=true $(BIN)/python manage.py compilemessages -v0

# The server and the background worker (CSV exports) together; Ctrl-C (or the server ending)
# stops the worker too.
run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=true PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/python manage.py seed_demo --calls 600
	DEBUG=true $(BIN)/python manage.py run_worker -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' INT TERM EXIT; \
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# As in production: gunicorn, DEBUG off, static files collected and served by WhiteNoise, and
# one background worker beside it (stopped with it).
# Refuses to start (check_production says why) without SECRET_KEY and ALLOWED_HOSTS set.
serve: CALL_SETUP_BASE_URL ?= http://127.0.0.1:$(CALL_SETUP_PORT)
serve: install
	DEBUG=false $(BIN)/python manage.py check_production
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) CALL_SETUP_BASE_URL=$(CALL_SETUP_BASE_URL) $(BIN)/python manage.py seed_demo --calls 600
	DEBUG=false $(BIN)/python manage.py run_worker -v0 & worker=$$!; \
	PORTAL_POOL=call_setup WEB_CONCURRENCY=$(CALL_SETUP_WORKERS) PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) CALL_SETUP_BASE_URL=$(CALL_SETUP_BASE_URL) DEBUG=false \
		$(BIN)/gunicorn portal.wsgi -c python:portal.gunicorn_conf -b 127.0.0.1:$(CALL_SETUP_PORT) & setup=$$!; \
	trap 'kill $$worker $$setup 2>/dev/null; wait $$worker $$setup 2>/dev/null' INT TERM EXIT; \
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) CALL_SETUP_BASE_URL=$(CALL_SETUP_BASE_URL) DEBUG=false $(BIN)/gunicorn portal.wsgi -c python:portal.gunicorn_conf -b 127.0.0.1:$(PORT)

test: install
	$(BIN)/ruff check .
	DEBUG=true $(BIN)/mypy portal routing calls
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	DEBUG=true $(BIN)/mypy portal routing calls

# Full load benchmark (PostgreSQL + Redis + gunicorn + wrk); writes BENCHMARKS.md. See README.
bench: install
	$(BIN)/python -m bench

# Seconds-long version on SQLite, as the test suite runs it.
bench-smoke: install
	$(BIN)/python -m bench --smoke

# PostgreSQL and Redis stopped and hung under a running portal (own throw-away stack; see
# bench/faults.py), and a rule change seen across two instances. Exit 1 if a promise breaks.
faults: install
	$(BIN)/python -m bench.faults --json bench-faults.json

# The dashboard's server time for a tenant with a million calls (own SQLite file; see bench/dashboard.py).
bench-dashboard: install
	$(BIN)/python -m bench.dashboard --calls 1000000

# "What changes?" replaying 10,000 calls of the last week (own SQLite file; see bench/what_if.py).
bench-what-if: install
	$(BIN)/python -m bench.what_if --calls 10000

# PNGs of the main staff pages at 1400 px into docs/screenshots/ (needs chromium + chromium-driver).
SHOTS_DB := sqlite:////tmp/portal-screenshots.sqlite3
screenshots: install
	rm -f /tmp/portal-screenshots.sqlite3
	DEBUG=true DATABASE_URL=$(SHOTS_DB) $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=true DATABASE_URL=$(SHOTS_DB) $(BIN)/python manage.py seed_demo --calls 600 >/dev/null
	DEBUG=true DATABASE_URL=$(SHOTS_DB) $(BIN)/python manage.py screenshots

# Re-vendor the browser libraries from their npm packages (the files are committed; no CDN at run time).
CHARTJS_VERSION := 4.6.1
MERMAID_VERSION := 12.3.0
vendor-js:
	rm -rf .vendor-js && mkdir .vendor-js
	cd .vendor-js && npm pack -q chart.js@$(CHARTJS_VERSION) mermaid@$(MERMAID_VERSION) >/dev/null
	tar -xzf .vendor-js/chart.js-$(CHARTJS_VERSION).tgz -C .vendor-js package/dist/chart.umd.min.js package/LICENSE.md
	cp .vendor-js/package/dist/chart.umd.min.js .vendor-js/package/LICENSE.md portal/static/vendor/chartjs/
	rm -rf .vendor-js/package
	tar -xzf .vendor-js/mermaid-$(MERMAID_VERSION).tgz -C .vendor-js package/dist/mermaid.min.js package/LICENSE
	cp .vendor-js/package/dist/mermaid.min.js .vendor-js/package/LICENSE portal/static/vendor/mermaid/
	rm -rf .vendor-js
