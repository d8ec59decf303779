# envgov — the two commands of the README are `make run` and `make test` (`make run PORT=8001` serves elsewhere).
PY      ?= python3
PORT    ?= 8000
VENV    := .venv
BIN     := $(VENV)/bin
UV      := $(BIN)/uv
STATIC_VENDOR := src/envgov/web/static/vendor
export PYTHONPATH := src
export DJANGO_SETTINGS_MODULE ?= envgov.web.settings

.PHONY: setup run test test-fast bench lock demo clean e2e messages fuzz

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check uv==0.13.8

$(VENV)/.synced: $(BIN)/python requirements.lock pyproject.toml
	$(UV) pip sync --python $(BIN)/python requirements.lock
	$(UV) pip install --python $(BIN)/python --no-deps -e .
	touch $@

node_modules/.synced: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC_VENDOR)/.synced: node_modules/.synced
	mkdir -p $(STATIC_VENDOR)
	cp node_modules/echarts/dist/echarts.min.js node_modules/htmx.org/dist/htmx.min.js $(STATIC_VENDOR)/
	touch $@

setup: $(VENV)/.synced $(STATIC_VENDOR)/.synced

lock: $(BIN)/python
	$(UV) pip compile pyproject.toml --extra dev --extra bench --python-version 3.11 -o requirements.lock

demo: setup
	$(BIN)/python -m django migrate --noinput -v 0
	$(BIN)/python -m django finish_imports
	PORT=$(PORT) $(BIN)/python -m django load_demo

run: demo
	ENVGOV_TODAY=2024-09-16 $(BIN)/python -m django runserver 127.0.0.1:$(PORT) --noreload

test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -q -m "not e2e and not spark" $(PYTEST_ARGS)

# the API contract fuzzed as every role with many more (and new) examples than the suite's 20 per operation
FUZZ_EXAMPLES ?= 300
fuzz: setup
	ENVGOV_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ENVGOV_FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/apps/test_api_fuzz.py $(PYTEST_ARGS)

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules $(STATIC_VENDOR) var/

# English UI catalogue: re-extract every {% trans %} / gettext string from templates and apps
# (translations kept; a new string arrives with an empty msgstr — translate it, then run this again),
# then compile the .mo that is committed (the runtime needs no gettext tools; this target needs msgfmt).
LOCALE_EN := src/envgov/web/locale/en/LC_MESSAGES
messages:
	cd src/envgov && PYTHONPATH=$(CURDIR)/src $(CURDIR)/$(BIN)/python -m django makemessages -l en \
		--ignore 'web/static/*' --ignore 'demo/*' --add-location file --no-obsolete -v 0
	msgfmt --check --statistics -o $(LOCALE_EN)/django.mo $(LOCALE_EN)/django.po
