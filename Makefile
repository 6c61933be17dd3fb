# Chatdesk: `make run` for the demo, `make test` for the suite. Both bootstrap .venv.
PYTHON ?= python3
# Daphne processes on the bench's main port (`make bench WEB=2`; docs/performance.md).
WEB ?= $(or $(BENCH_WEB_PROCESSES),1)
# pytest-xdist workers for `make test` / `make test-all` (`auto`: one per core; 0: none).
TEST_WORKERS ?= auto
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what running needs; the test and lint tools come with `make test`.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
STAMP := $(DEV_STAMP)
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS)

.PHONY: run test test-all lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(DEV_STAMP)

install: $(DEV_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python -m devtools.runner

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The whole suite, as CI's PostgreSQL + Redis leg runs it.
test-all: lint
	$(PYTEST) $(PYTEST_ARGS) $(no_tests_hint)

# Exit code 5 is pytest's "no tests ran": say why instead of a bare "Error 5".
define no_tests_hint
	|| { rc=$$?; [ $$rc -ne 5 ] || echo "pytest selected no tests (exit 5): check PYTEST_ARGS; \
	make test leaves out the 'once' suites, make test-all runs them" >&2; exit $$rc; }
endef

# Everything but the slow 'once' suites (browser, reliability, schemathesis: pyproject markers).
test: lint
	$(PYTEST) -m "not once" $(PYTEST_ARGS) $(no_tests_hint)

# Benchmarks against in-run baselines (docs/performance.md); QUICK=1 is the smoke run.
bench: $(STAMP)
	QUICK=$(QUICK) BENCH_WEB_PROCESSES=$(WEB) $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
