# Rongye: `make run` serves the platform with demo data; `make test` runs the whole suite.
# Both create the virtualenv and install what they need on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app
PORT   ?= 5000
AXE    := node_modules/axe-core/axe.min.js

.PHONY: run test lint catalogues translations clean

run: $(VENV)/.runtime catalogues
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev catalogues axe
	$(VENV)/bin/ruff check .
	env -u TEST_DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on $${TEST_DATABASE_URL%%@*}@… (everything that touches the database)"; \
	  $(PY) -m pytest --ignore=tests/matching $(PYTEST_ARGS); \
	fi

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy matching

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Rongye needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	touch $@

$(VENV)/.runtime: $(VENV)/.python-ok requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Compiled catalogues are build output (not committed): made from the .po files every time.
catalogues: $(VENV)/.runtime
	@$(VENV)/bin/pybabel compile -d translations >/dev/null

# axe-core comes from the npm registry at the version pinned in package-lock.json. Without npm
# the browser tests skip (outside CI, where they must run).
axe:
	@if [ -f $(AXE) ]; then :; \
	elif command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: browser accessibility tests will be skipped"; fi

# After changing user-facing text: refresh the template and catalogues, then translate the gaps.
translations: $(VENV)/.runtime
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project Rongye --copyright-holder "Rongye contributors" -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations \
	  --ignore-obsolete --width 100
	$(PY) -m rongye.catalogues

clean:
	rm -rf $(VENV) node_modules
