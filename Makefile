# Quick start: `make run` (install + crawl + list) and `make test` (install + whole test suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
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

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
