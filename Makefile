# A newcomer needs two commands: `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
DEMO   ?= demo
DEMO_OUT ?= out/demo
SIZE   ?= 50000

.PHONY: install test lint format demo check-forms bench docs clean

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
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format salesops tests
	$(BIN)/ruff check --fix salesops tests

# The demo office in ./demo (a git repository of its own, ignored by this one), then its
# last week's report and its busiest day's registers in out/demo (the command names them).
demo: install
	$(BIN)/salesops demo $(DEMO) --replace --out $(DEMO_OUT)

# Every printed form laid out and printed to PDF by a headless Chromium: fits A4?
check-forms: install
	scripts/check_forms.sh

bench: install
	$(PY) -m salesops.bench --size $(SIZE)

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO_OUT) .pytest_cache .ruff_cache

docs: install
	SALESOPS_LANG=en COLUMNS=100 $(PY) -m salesops.cli.reference > docs/cli.md
