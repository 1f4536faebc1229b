# Two commands: `make demo` (set up, roster the bundled district) and `make test` (set up, run the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= out/demo

.PHONY: demo test lint setup clean data bench-city bench-sizing pg-start pg-stop

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/allocate validate data/demo
	$(BIN)/allocate solve data/demo --start 2026-12-07 --days 7 --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/ruff check src tests
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -q
	ALLOCATE_NOTEBOOK_TIME_LIMIT=5 $(BIN)/python -m pytest -q -p no:cacheprovider --nbmake --nbmake-timeout=600 notebooks/what_if.ipynb

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

data: $(STAMP)
	$(BIN)/allocate generate --size demo --seed 1 data/demo

bench-city: $(STAMP)
	$(BIN)/python benchmarks/city_batch.py

bench-sizing: $(STAMP)
	$(BIN)/python benchmarks/district_sizing.py

pg-start: $(STAMP)
	scripts/pg-test-server.sh start

pg-stop:
	scripts/pg-test-server.sh stop

clean:
	rm -rf out .pytest_cache .ruff_cache .hypothesis
	scripts/pg-test-server.sh clean
