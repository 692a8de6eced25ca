PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench preview clean

# The virtual environment is made (or refreshed) whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m workers.dev_stack

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Two workers for most tests (a module's tests stay on one worker, which starts its servers once),
# then the load and fault tests one at a time (tests/conftest.py, RUN_ALONE).
test: lint
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder -m "not alone"
	$(BIN)/pytest -q -m alone

# make bench BENCH_ARGS="--claims 1000 --slots 200 --database-url postgresql+psycopg://..."
bench: $(STAMP)
	$(BIN)/python -m bench.slot_burst $(BENCH_ARGS)

preview: $(STAMP)
	$(BIN)/python -m notifications.preview

clean:
	rm -rf $(VENV) var
