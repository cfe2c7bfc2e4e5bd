# The two commands: `make run` (the demo city on SQLite, Celery eager) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers, one per core. Its default "load" scheduling hands each worker tests in
# collection order, in which pytest-django puts the transactional tests last; so the tables they
# flush (with the departments a migration seeds) are flushed only after that worker's other tests.
PYTEST_WORKERS ?= auto

.PHONY: run test install install-dev browser-deps lint format migrate demo city bench bench-api clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=1 $(BIN)/python manage.py seed_demo --base-url http://$(HOST):$(PORT)
	DEBUG=1 $(BIN)/python manage.py demo_activity
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium; install it (and CJK fonts) when we can, i.e. as root.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium and fonts-noto-cjk for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "chromium is missing and this is not root: browser tests will be skipped"; \
	  fi; \
	fi

# pytest exits 5 when it collected nothing; that is a failure of the suite, never a pass.
test: install-dev browser-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	# Django's deployment checklist, with the settings production runs on (a throwaway key of its own).
	DEBUG=0 HTTPS=1 ALLOWED_HOSTS=whistle.example.cn SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python -m pytest --numprocesses $(PYTEST_WORKERS) --maxprocesses 8 $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py demo_activity

# A generated city replaces the organisation data already there (the demo included), then a
# year of activity on it (tasks, acceptances, hours, requests, visits).
city: migrate
	$(BIN)/python manage.py generate_activity --clear --quiet
	$(BIN)/python manage.py generate_city --reset --scale $${SCALE:-1.0}
	$(BIN)/python manage.py generate_activity --scale $${SCALE:-1.0}

# Every benchmark in one table (bench_all): the city generated afresh and timed, then bench_orders,
# bench_boards, bench_cockpit and bench_api (gunicorn under 50 clients per endpoint, the accept
# burst). On PostgreSQL with REDIS_URL set; it replaces the database's data. `make bench-api` runs
# only the API load on the city already there.
bench: install-dev
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_all --generate --scale $${SCALE:-1.0}

bench-api: install-dev
	$(BIN)/python manage.py bench_api

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
