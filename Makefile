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

.PHONY: run test install install-dev browser-deps miniprogram miniprogram-test lint format migrate demo city bench bench-api stack stack-env stack-check clean lighthouse

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

# The demo serves without DEBUG (no English debug pages; static files through WhiteNoise), so it
# needs a key of its own: one per checkout, made once into .demo-secret-key (git-ignored), given to
# runserver alone. Not in .env, which every manage.py command and the tests read as well.
.demo-secret-key: | $(BIN)/python
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# What the demo turns on: the sign-in page shows the code it "sent", Django serves uploaded photos.
DEMO_ENV = SECRET_KEY="$$(cat .demo-secret-key)" SIGNIN_SHOW_CODE=1 SERVE_MEDIA=1

run: install .demo-secret-key
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --base-url http://$(HOST):$(PORT)
	$(BIN)/python manage.py demo_activity
	$(BIN)/python manage.py rebuild_boards --history 30
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

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

# The WeChat mini program (miniprogram/, README "The mini program"): its node packages from the
# lockfile, then miniprogram_npm/ built from them (scripts/build_miniprogram_npm.js, what WeChat
# DevTools' "构建 npm" does), then its jest tests. Without node and npm this is said and skipped;
# the pytest tests that drive it are skipped too (failed under REQUIRE_ALL_SERVICES=1).
MP := miniprogram

$(MP)/node_modules/.installed: $(MP)/package.json $(MP)/package-lock.json
	cd $(MP) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

miniprogram:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(MP)/node_modules/.installed && node scripts/build_miniprogram_npm.js; \
	else \
	  echo "node and npm are not installed: the mini program's tests will be skipped"; \
	fi

miniprogram-test: miniprogram
	@if [ -d $(MP)/node_modules ]; then cd $(MP) && npx jest --ci; fi

# pytest exits 5 when it collected nothing; that is a failure of the suite, never a pass.
test: install-dev browser-deps miniprogram-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	# Django's deployment checklist, with the settings production runs on (a throwaway key of its own).
	DEBUG=0 HTTPS=1 ALLOWED_HOSTS=whistle.example.cn SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(MAKE) --no-print-directory stack-check
	$(BIN)/python -m pytest --numprocesses $(PYTEST_WORKERS) --maxprocesses 8 $(PYTEST_ARGS)

# Lighthouse (mobile, the median of 3 runs a page) on the demo as `make run` serves it, started in the
# background on a port and a throwaway SQLite database of its own; fails below 0.95 in performance,
# accessibility or best practices (scripts/lighthouse/run.sh; needs Node.js 20 and npm).
lighthouse: install browser-deps
	scripts/lighthouse/run.sh

# The production stack's files, with no Docker daemon: docker-compose.yml against the compose-spec
# schema (check-jsonschema's copy), and through `docker-compose config` too where it is installed
# (Debian's docker-compose, with .env.example as the .env); the Dockerfile through hadolint;
# deploy/nginx.conf through `nginx -t` where nginx is installed (.ci/run installs it).
stack-check: install-dev
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(BIN)/hadolint Dockerfile
	@if command -v nginx >/dev/null 2>&1; then scripts/check_nginx.sh; \
	else echo "nginx is not installed: deploy/nginx.conf is not checked"; fi
	@if command -v docker-compose >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d); cp docker-compose.yml "$$tmp/"; cp .env.example "$$tmp/.env"; \
	  docker-compose --project-directory "$$tmp" -f "$$tmp/docker-compose.yml" config --quiet; status=$$?; \
	  rm -rf "$$tmp"; [ $$status -eq 0 ] && echo "docker-compose config: ok"; exit $$status; \
	else \
	  echo "docker-compose is not installed: checked against the compose-spec schema only"; \
	fi

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
	$(BIN)/python manage.py rebuild_boards --history 30

# A generated city replaces the organisation data already there (the demo included), then a
# year of activity on it (tasks, acceptances, hours, requests, visits).
city: migrate
	$(BIN)/python manage.py generate_activity --clear --quiet
	$(BIN)/python manage.py generate_city --reset --scale $${SCALE:-1.0}
	$(BIN)/python manage.py generate_activity --scale $${SCALE:-1.0}

# The production stack without Docker (README): gunicorn, a Celery worker and one beat, from the
# Procfile under honcho, on the PostgreSQL and Redis the environment names. Without DEBUG the
# processes also need a SECRET_KEY of the deployment's own (shaoguan/serving.py).
stack: stack-env install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --no-colour --port $(PORT)

stack-env:
	@test -n "$$DATABASE_URL" || { echo "make stack: DATABASE_URL is not set (e.g. postgres://user:pass@127.0.0.1:5432/shaoguan)" >&2; exit 2; }
	@test -n "$$REDIS_URL" || { echo "make stack: REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)" >&2; exit 2; }

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
	rm -rf $(VENV) staticfiles .pytest_cache $(MP)/node_modules $(MP)/miniprogram_npm
