# Målbild: two commands do all the set-up on a fresh machine.
#   make run   – virtual environment, install, build the demo database, serve on :8050
#   make test  – lint and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The scripts the browser loads from npm (plotly.js basic, the regenerator runtime Dash's scripts
# need): versions and checksums in package-lock.json, installed by `npm ci` (scripts/vendor-scripts.sh).
VENDOR := assets/vendor/.installed
PORT   ?= 8050

.PHONY: run test install demo lint format bench bench-all clean

run: install
	$(BIN)/malbild demo --port $(PORT)

# Python may keep compiled modules (some machines forbid it with PYTHONDONTWRITEBYTECODE): about
# 40 processes of a run (test workers, servers, the command line) then compile Målbild once, not
# each, and pytest keeps its rewritten test modules for the next run.
test: install
	$(BIN)/ruff check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n 2 --dist loadgroup --durations=25

install: $(STAMP) $(VENDOR)

$(VENDOR): package.json package-lock.json scripts/vendor-scripts.sh
	sh scripts/vendor-scripts.sh

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# pip compiles the installed modules one at a time; compileall does the same on every core,
	# leaving out the packages' own tests and the installer (never imported by Målbild).
	$(BIN)/pip install --quiet --no-compile -e '.[dev]'
	$(BIN)/python -m compileall -q -j 0 \
	  -x '/(tests?|testing)/|/site-packages/(pip|setuptools|pkg_resources|_distutils_hack)/' \
	  $(VENV)/lib
	touch $(STAMP)

demo: install
	$(BIN)/malbild demo --no-serve

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/dashboard.py

bench-all: $(STAMP)
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/etl.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf var/ .pytest_cache node_modules
