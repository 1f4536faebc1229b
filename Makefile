# Two commands: `make demo` (set up, roster the bundled district) and `make test` (set up, run the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= out/demo

.PHONY: demo test lint setup clean data bench-city bench-sizing bench-nrp pg-start pg-stop

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
	ALLOCATE_NOTEBOOK_TIME_LIMIT=5 $(BIN)/python -m pytest -q -p no:cacheprovider --nbmake --nbmake-timeout=600 notebooks/what_if.ipynb notebooks/replan.ipynb

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

data: $(STAMP)
	$(BIN)/allocate generate --size demo --seed 1 data/demo

bench-city: $(STAMP)
	$(BIN)/python benchmarks/city_batch.py

bench-sizing: $(STAMP)
	$(BIN)/python benchmarks/district_sizing.py

# Curtois & Qu instances (not in the repo): NRP_DIR defaults to ../shared/benchmarks/nrp.
NRP_INSTANCES ?= 1-24
NRP_LIMIT ?= 60
bench-nrp: $(STAMP)
	$(BIN)/python benchmarks/nrp.py $(NRP_INSTANCES) --time-limit $(NRP_LIMIT) $(if $(NRP_DIR),--dir $(NRP_DIR))

pg-start: $(STAMP)
	scripts/pg-test-server.sh start

pg-stop:
	scripts/pg-test-server.sh stop

clean:
	rm -rf out .pytest_cache .ruff_cache .hypothesis
	scripts/pg-test-server.sh clean

# Translations (gettext with Babel): extract the marked strings, merge them into the catalogs,
# compile the .mo files that the package ships. Translate new entries in the .po, then run again.
i18n:
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _ -k N_ -k L_ -k ngettext:1,2 --no-location --sort-output \
		--project allocate -o src/allocate/locale/allocate.pot .
	$(VENV)/bin/pybabel -q update -i src/allocate/locale/allocate.pot -d src/allocate/locale -D allocate \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	$(VENV)/bin/pybabel compile -d src/allocate/locale -D allocate --statistics
.PHONY: i18n
