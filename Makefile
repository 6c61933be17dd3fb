# Chatdesk: `make run` for the demo, `make test` for the suite. Both bootstrap .venv.
PYTHON ?= python3
# Daphne processes on the bench's main port (`make bench WEB=2`; docs/performance.md).
WEB ?= $(or $(BENCH_WEB_PROCESSES),1)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m chatdesk.runner

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks against in-run baselines (docs/performance.md); QUICK=1 is the smoke run.
bench: $(STAMP)
	QUICK=$(QUICK) BENCH_WEB_PROCESSES=$(WEB) $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
