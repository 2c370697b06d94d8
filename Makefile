# One task runner for the project: `make demo` runs the bus, `make test` proves it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
ARGS ?=

.PHONY: demo test unit lint bench install down clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11+" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Run the whole bus on the embedded default (SQLite centre): Kafka, simulator, connector, processor.
demo: $(STAMP)
	$(BIN)/lienthong demo $(ARGS)

## Unit, integration (real Kafka, real PostgreSQL, SQLite) and end-to-end tests.
test: $(STAMP)
	bash tests/support/run_tests.sh $(ARGS)

## Every benchmark beside its baseline, into docs/BENCHMARKS.md (PostgreSQL: LIENTHONG_CENTRE__DSN).
bench: $(STAMP)
	$(BIN)/lienthong bench report $(ARGS)

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check lienthong connectors streams schemas tests
	$(BIN)/ruff format --check lienthong connectors streams schemas tests
	$(BIN)/mypy

down: $(STAMP)
	$(BIN)/lienthong dev down

clean: down
	rm -rf var
