# The two commands of the README: `make run` and `make test`. Everything else they need, they set up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# `make run` is a local development instance on SQLite: plain http on loopback (for `run` only:
# the tests set their own environment).
run: export CURBSIDE_DOMAIN ?= localhost:$(PORT)
run: export CURBSIDE_ALLOW_HTTP ?= true

.PHONY: run test lint install clean messages catalogs

# Translations (server/i18n/locales/<lang>/LC_MESSAGES/messages.po): the .mo files are built here, at install,
# and never committed; a .po newer than its .mo is compiled again.
LOCALES := server/i18n/locales
MO := $(patsubst %.po,%.mo,$(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po))
KEYWORDS := -k N_ -k pN_:1c,2 -k lazy_format -k because:1

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed catalogs

catalogs: $(MO)

$(LOCALES)/%/LC_MESSAGES/messages.mo: $(LOCALES)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# Extract every marked text (Python, templates, the NUCC names of the CSV) into the .pot, merge it into each
# language's .po, compile. PYTHONPATH: babel.cfg's CSV extractor (server.i18n.extract_csv) from this checkout.
messages: $(VENV)/.installed
	PYTHONPATH=. $(BIN)/pybabel extract --no-wrap -F babel.cfg $(KEYWORDS) -o $(LOCALES)/messages.pot \
		--project=Curbside --copyright-holder="Curbside contributors" .
	$(BIN)/pybabel update --no-wrap --ignore-obsolete -d $(LOCALES) -D messages -i $(LOCALES)/messages.pot
	$(MAKE) catalogs

run: $(VENV)/.installed catalogs
	$(BIN)/curbside migrate
	$(BIN)/curbside serve --host $(HOST) --port $(PORT)

# The suite runs in TEST_JOBS processes (pytest-xdist; `auto`: one per core), each test file whole in one of
# them (module-scoped worlds of real instances start once), handed out in the order tests/conftest.py sorts them
# (files that start processes first); TEST_JOBS=0 runs it in this process.
TEST_JOBS ?= auto

# The code is compiled first (__pycache__, even where PYTHONDONTWRITEBYTECODE is set): each server process the tests
# start would otherwise compile every module it imports again (~0.5 s of CPU for a web or worker process).
test: $(VENV)/.installed-test catalogs
	$(BIN)/python -m compileall -q server federation moderation tests >/dev/null
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
