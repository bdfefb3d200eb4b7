# A newcomer needs two commands: `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
DEMO   ?= demo
SIZE   ?= 50000

.PHONY: install test lint format demo bench docs clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,parquet]'
	touch $@

test: install
	$(PY) -m pytest

lint: install
	$(BIN)/ruff check salesops tests
	$(BIN)/ruff format --check salesops tests

format: install
	$(BIN)/ruff format salesops tests
	$(BIN)/ruff check --fix salesops tests

demo: install
	$(BIN)/salesops demo $(DEMO)

bench: install
	$(PY) -m salesops.bench --size $(SIZE)

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache

docs: install
	SALESOPS_LANG=en COLUMNS=100 $(PY) -m salesops.cli.reference > docs/cli.md
