# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test check lint format types drift docs workbook bench clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,dask]'
	@touch $(STAMP)

## The main job: check the reference solutions with the full checker.
run: $(STAMP)
	@bash tests/setup_sandbox.sh $(BIN)/python
	$(BIN)/tensorlings check --reference

## The checks and the test suite (CI runs this through .ci/run): format, lint, types, the
## generated-files drift and the docs build gate the tests.
test: $(STAMP) lint types drift docs
	@bash tests/setup_chromium.sh
	@bash tests/setup_sandbox.sh $(BIN)/python
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

types: $(STAMP)
	$(BIN)/mypy

## Regenerate the files generated from the catalogue.
workbook: $(STAMP)
	$(BIN)/python -m tensorlings.devtools regenerate

drift: $(STAMP)
	$(BIN)/python -m tensorlings.devtools check-drift

## The docs site (docs/ -> site/), built offline; --strict fails on any broken link or page.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

check: test

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache site
