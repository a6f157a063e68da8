# Two commands are the whole set-up: `make demo` and `make test` (see README.md).
# Both create .venv on first use and install the project into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint check-defs format bench clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

demo: $(INSTALLED)
	$(BIN)/prometric demo

test: $(INSTALLED) lint check-defs
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Loads and validates the code location as the webserver would (dagster-dg-cli), in a scratch instance.
check-defs: $(INSTALLED)
	@home=$$(mktemp -d) && cp dagster.yaml "$$home/" && \
	VIRTUAL_ENV=$(CURDIR)/$(VENV) PATH="$(CURDIR)/$(BIN):$$PATH" DAGSTER_HOME="$$home" $(BIN)/dg check defs; \
	status=$$?; rm -rf "$$home"; exit $$status

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (not tests): each prints figures and ratios; the output is kept in bench/results/.
# limits.py and databases.py are the scripts' shared modules, not benchmarks.
BENCH_SCRIPTS := $(filter-out bench/limits.py bench/databases.py,$(wildcard bench/*.py))
bench: $(INSTALLED)
	@mkdir -p bench/results
	@for script in $(BENCH_SCRIPTS); do echo "## $$script"; $(BIN)/python $$script; done 2>&1 | tee bench/results/$$(date +%Y-%m-%d).md

# Stops the embedded servers and removes local state (databases, Dagster history) and the venv.
clean:
	-$(BIN)/prometric db stop
	-PROMETRIC_HOME=$(CURDIR)/.prometric/test-server $(BIN)/prometric db stop
	rm -rf $(VENV) .prometric .pytest_cache .ruff_cache
