# rehabkoll — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest install clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: a synthetic demo region, imported into a SQLite file, served on http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/rehabkoll demo

## make test: ruff, mypy, then pytest on SQLite and on a throwaway PostgreSQL cluster
test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	scripts/with-postgres.sh $(BIN)/pytest -n 2 -q

browser:
	@scripts/install-chromium.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info src/*.egg-info
