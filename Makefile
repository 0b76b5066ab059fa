# gpmb_gis — everyday commands. `make maps` and `make test` set themselves up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= output

.PHONY: install maps test lint sample bench notebooks screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "gpmb: error: make: no python3.11 or python3 found — install Python 3.11"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

maps: $(STAMP)
	$(BIN)/gpmb report --config data/cao_loc/gpmb.toml --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check gpmb_gis tests benchmarks conftest.py
	$(BIN)/ruff format --check gpmb_gis tests benchmarks conftest.py

sample: $(STAMP)
	$(BIN)/gpmb sample --out data/cao_loc --force

notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to html --execute notebooks/*.ipynb --output-dir $(OUT)/notebooks

screenshots: maps
	$(BIN)/python docs/screenshots.py $(OUT)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(OUT) .pytest_cache
