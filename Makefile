# Two commands for a newcomer: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint types schemas bench clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check reconciler tests bench examples
	$(BIN)/ruff format --check reconciler tests bench examples
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/reconciler schema export

clean:
	rm -rf $(VENV) .reconciler .pytest_cache .mypy_cache .ruff_cache
