# Tiejun: `make run` serves the demo, `make test` runs the whole suite. Nothing is fetched at
# run time: Python packages come from the locks, front-end files from package-lock.json.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
PORT ?= 8000
VENDOR := tiejun/static/vendor

.PHONY: run test test-sqlite test-postgres install install-dev assets migrate demo lint fmt bench browser clean lock audit-deps

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv>=0.5,<1"

$(VENV)/.runtime: requirements.lock | $(UV)
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	rm -f $(VENV)/.dev && touch $@

$(VENV)/.dev: requirements-dev.lock | $(UV)
	$(UV) pip sync --quiet --python $(PY) requirements-dev.lock
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime assets
install-dev: $(VENV)/.dev assets

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --silent

assets: $(VENDOR)/.stamp
$(VENDOR)/.stamp: node_modules/.package-lock.json scripts/copy_assets.sh
	sh scripts/copy_assets.sh
	touch $@

migrate:
	$(PY) manage.py migrate --noinput

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --if-empty
	@echo ""
	@echo "铁军 is serving on http://127.0.0.1:$(PORT)/  (Ctrl+C stops it and the worker)"
	$(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

demo-passwords: install
	$(PY) manage.py demo --reset-passwords

browser:
	@command -v chromium >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 \
	  && fc-list 2>/dev/null | grep -q "Noto Serif CJK" || { \
	  echo "installing Debian's chromium, CJK fonts, LibreOffice Writer and poppler for the tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-noto-cjk libreoffice-writer-nogui poppler-utils) >/dev/null; }

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy tiejun

fmt: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install-dev browser lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -p no:cacheprovider -n 2 $(PYTEST_ARGS)
	sh scripts/test_postgres.sh $(PYTEST_ARGS)

test-sqlite: install-dev browser
	$(PY) -m pytest -p no:cacheprovider -n 2 $(PYTEST_ARGS)

test-postgres: install-dev
	CI=true sh scripts/test_postgres.sh $(PYTEST_ARGS)

bench: install-dev
	$(PY) bench/run.py $(BENCH_ARGS)

lock: | $(UV)
	$(UV) pip compile --quiet pyproject.toml -o requirements.lock
	$(UV) pip compile --quiet pyproject.toml --extra dev -o requirements-dev.lock

# Known vulnerabilities in the pinned runtime dependencies (SECURITY.md item 24), from PyPI's
# advisory data. --strict: a package the service cannot look up fails the run instead of being
# skipped, so an unreachable PyPI never reads as "no known vulnerabilities".
audit-deps: install-dev
	$(VENV)/bin/pip-audit -r requirements.lock --no-deps --disable-pip -s pypi --progress-spinner off --strict

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/staticfiles
