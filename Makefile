# Målbild: two commands do all the set-up on a fresh machine.
#   make run   – virtual environment, install, build the demo database, serve on :8050
#   make test  – lint and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The partial plotly.js bundle the browser loads (see scripts/fetch-plotly-basic.sh).
PLOTLY_BASIC := assets/vendor/plotly-basic-4.1.1.min.js
# The regenerator runtime Dash's scripts need (see scripts/fetch-regenerator-runtime.sh).
REGENERATOR := assets/vendor/regenerator-runtime-0.14.1.js
PORT   ?= 8050

.PHONY: run test install demo lint format bench bench-all clean

run: install
	$(BIN)/malbild demo --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup

install: $(STAMP) $(PLOTLY_BASIC) $(REGENERATOR)

$(PLOTLY_BASIC): scripts/fetch-plotly-basic.sh scripts/npm-file.sh
	sh scripts/fetch-plotly-basic.sh $@

$(REGENERATOR): scripts/fetch-regenerator-runtime.sh scripts/npm-file.sh
	sh scripts/fetch-regenerator-runtime.sh $@

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
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
	rm -rf var/ .pytest_cache
