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
	$(PY) manage.py makemessages -l fr -l en --no-obsolete --ignore '.venv' --ignore 'staticfiles' --ignore 'bench' --ignore 'tests'
	$(PY) manage.py compilemessages --ignore '.venv'
