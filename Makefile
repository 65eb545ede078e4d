# Quick start: `make run` (install + crawl + list) and `make test` (install + whole test suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install bench clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip "setuptools>=69"
	# the build backend is already in the venv: no isolated build environment to set up
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-build-isolation -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# The main job: crawl every enabled source into the store (replaying the bundled recorded
# responses when there is no network), then show the newest listings.
run: $(STAMP)
	$(BIN)/aggregator crawl --fallback-replay || true
	$(BIN)/aggregator list --limit 20

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# After adding or changing messages: extract them, merge into the French catalogue (then
# translate the new entries in aggregator/locale/fr/LC_MESSAGES/aggregator.po), compile.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -c TRANSLATORS: --no-location --sort-output \
		--project=aggregator -o aggregator/locale/aggregator.pot .
	$(BIN)/pybabel update -i aggregator/locale/aggregator.pot -d aggregator/locale \
		-D aggregator --ignore-obsolete --no-fuzzy-matching -w 100
	$(BIN)/pybabel compile -d aggregator/locale -D aggregator
	$(BIN)/pybabel compile -d aggregator/locale -D typer

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
