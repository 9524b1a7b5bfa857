# Two commands on a fresh machine:  `make run`  (the portal on its embedded defaults)
#                                   `make test` (everything the suite needs, then the whole suite)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
UV_VERSION := 0.13.8
export PORTAL_CAPTCHA_TEST_MODE ?= 1

# Django 6.1 needs Python 3.12+. The machine's python3 may be older: look on PATH, then in pyenv.
FIND_PYTHON := for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 \
	$$HOME/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3 /usr/bin/python3; do \
	if command -v "$$p" >/dev/null 2>&1 && "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo "$$p"; break; fi; done

.PHONY: help
help:
	@echo "make run    - install, migrate, load the demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - install what the suite needs (chromium, postgresql) and run it on SQLite, PostgreSQL and in a browser"
	@echo "make lint   - ruff check and format check"
	@echo "make messages - refresh the FR/EN catalogues after changing user-facing strings"
	@echo "make serve  - production: check --deploy, collectstatic, migrate, then gunicorn + the email task worker"

$(VENV)/.installed: requirements.lock
	@py="$$($(FIND_PYTHON))"; \
	if [ -z "$$py" ]; then echo "No Python 3.12+ found on PATH nor in ~/.pyenv/versions." >&2; exit 1; fi; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	@$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(VENV)/bin/uv pip sync --quiet --python $(PY) requirements.lock
	@touch $@

.PHONY: install
install: $(VENV)/.installed

.PHONY: setup
setup: install
	@$(PY) manage.py migrate --no-input -v 0
	@$(PY) manage.py createcachetable
	@$(PY) manage.py load_demo_data

.PHONY: run
run: setup
	@echo "Portal on http://127.0.0.1:$(PORT)/  (French: /fr/, English: /en/, admin: /fr/admin/)"
	@$(PY) manage.py runserver 127.0.0.1:$(PORT)

# --- production -----------------------------------------------------------------------------------
# `make serve` runs the portal as in production, on http://127.0.0.1:$(PORT) behind a TLS-terminating proxy
# (which must send X-Forwarded-Proto: https; /healthz answers plain HTTP for the load balancer).
#   Required:  SECRET_KEY (50+ random characters), ALLOWED_HOSTS (e.g. chorus.example.gouv.fr),
#              DATABASE_URL (postgres://user:password@host:5432/name), EMAIL_URL (smtp://user:password@host:587
#              or smtp+tls://...), and CSRF_TRUSTED_ORIGINS (https://chorus.example.gouv.fr) when behind a proxy.
#   Set here:  DEBUG=0, PORTAL_CAPTCHA_TEST_MODE=0, TASKS_BACKEND=django_tasks_db.DatabaseBackend (emails queued in
#              the database and sent by the worker, so an SMTP outage loses nothing), unless given explicitly.
#   Optional:  PORT (8000), WEB_CONCURRENCY (gunicorn workers; default 2 x CPU cores + 1, at most 9),
#              PORTAL_ENVIRONMENT (production | qualification | demo), CONN_MAX_AGE, SECURE_HSTS_SECONDS, LOG_LEVEL,
#              DATABASE_PREPARED_STATEMENTS (0 behind a pooler that does not keep prepared statements).
# Steps: install, `manage.py check --deploy --fail-level WARNING` (refuses DEBUG on, the default or a short secret,
# the captcha test mode, no ALLOWED_HOSTS, the console mailer, SQLite, emails not queued: nothing starts),
# collectstatic (whitenoise: compressed, hashed names), migrate, createcachetable, then the email worker
# (`manage.py db_worker`) and gunicorn side by side; when either stops, the other is stopped too.
# Several `make serve` on several machines may share one database: sessions, cache, lockouts, captchas and the
# task queue all live in it.
WEB_CONCURRENCY ?= $(shell n=$$(nproc 2>/dev/null || echo 1); w=$$((2 * n + 1)); echo $$((w > 9 ? 9 : w)))
SERVE_ENV = DEBUG=$(if $(filter undefined,$(origin DEBUG)),0,$(DEBUG)) \
	PORTAL_CAPTCHA_TEST_MODE=$(if $(filter file,$(origin PORTAL_CAPTCHA_TEST_MODE)),0,$(PORTAL_CAPTCHA_TEST_MODE)) \
	TASKS_BACKEND=$(or $(TASKS_BACKEND),django_tasks_db.DatabaseBackend)

.PHONY: serve
serve: install
	@export $(SERVE_ENV); \
	$(PY) manage.py check --deploy --fail-level WARNING; \
	$(PY) manage.py collectstatic --no-input -v 0; \
	$(PY) manage.py migrate --no-input -v 0; \
	$(PY) manage.py createcachetable; \
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	$(VENV)/bin/gunicorn chorus_portal.wsgi --bind 127.0.0.1:$(PORT) --workers $(WEB_CONCURRENCY) \
	  --access-logfile - --no-control-socket --preload --max-requests 20000 --max-requests-jitter 2000 & web=$$!; \
	trap 'kill $$web $$worker 2>/dev/null || true; wait' EXIT INT TERM; \
	echo "Portal (production settings) on http://127.0.0.1:$(PORT)/ with $(WEB_CONCURRENCY) workers and the email worker"; \
	wait -n $$web $$worker

# --- tests -----------------------------------------------------------------------------------------
PG_PORT ?= 54329
PG_DIR := /tmp/chorus-portal-pg-$(PG_PORT)
PG_URL := postgres://postgres@127.0.0.1:$(PG_PORT)/chorus_portal

.PHONY: system-deps
system-deps:
	@missing=(); \
	[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core); \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib); \
	command -v msgfmt >/dev/null || missing+=(gettext); \
	if [ $${#missing[@]} -gt 0 ]; then \
	  echo "Installing Debian packages: $${missing[*]}"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends "$${missing[@]}" >/dev/null; \
	fi

.PHONY: pg-start
pg-start: system-deps
	@bin=$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); \
	pg_user=$$([ "$$(id -u)" = 0 ] && echo "runuser -u postgres --" || echo ""); \
	$$pg_user $$bin/pg_ctl -D $(PG_DIR)/data status >/dev/null 2>&1 && $$pg_user $$bin/pg_ctl -D $(PG_DIR)/data stop -m fast >/dev/null || true; \
	rm -rf $(PG_DIR); mkdir -p $(PG_DIR); \
	[ -z "$$pg_user" ] || chown postgres $(PG_DIR); \
	$$pg_user $$bin/initdb -D $(PG_DIR)/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null; \
	$$pg_user $$bin/pg_ctl -D $(PG_DIR)/data -l $(PG_DIR)/log -w \
	  -o "-p $(PG_PORT) -k $(PG_DIR) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null; \
	echo "PostgreSQL cluster on 127.0.0.1:$(PG_PORT)"

.PHONY: pg-stop
pg-stop:
	@bin=$$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1); \
	pg_user=$$([ "$$(id -u)" = 0 ] && echo "runuser -u postgres --" || echo ""); \
	[ -z "$$bin" ] || $$pg_user $$bin/pg_ctl -D $(PG_DIR)/data stop -m fast >/dev/null 2>&1 || true; \
	rm -rf $(PG_DIR)

.PHONY: test
test: install system-deps
	@echo "== ruff"; $(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	@echo "== migrations"; $(PY) manage.py makemigrations --check --dry-run -v 0
	@echo "== SQLite"; $(VENV)/bin/pytest -m "not browser" -q
	@$(MAKE) --no-print-directory pg-start
	@trap '$(MAKE) --no-print-directory pg-stop' EXIT; \
	echo "== PostgreSQL"; DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -m "not browser" -q; \
	echo "== Browser (Chromium)"; DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -m browser -q

.PHONY: lint
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: messages
messages: install
	$(PY) manage.py makemessages -l fr -l en --no-obsolete --add-location file --ignore '.venv' --ignore 'staticfiles' --ignore 'bench' --ignore 'tests'
	$(PY) manage.py compilemessages --ignore '.venv'
