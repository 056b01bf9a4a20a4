# Two commands for a fresh machine with Python ≥ 3.11 and make:
#   make site   build the site from the embedded catalogue into site/
#   make test   lint, type-check and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test serve setup bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[site,test]'
	touch $(STAMP)

setup: $(STAMP)

site: $(STAMP)
	$(BIN)/mkdocs build --strict

serve: $(STAMP)
	$(BIN)/mkdocs serve

# axe-core (accessibility checks in the browser tests) comes from the npm registry, pinned in package-lock.json.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: $(STAMP) node_modules/axe-core/axe.min.js
	$(BIN)/ruff check generator tests bench
	$(BIN)/mypy
	$(BIN)/catalogue schema --check
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf site $(VENV) .pytest_cache .mypy_cache .ruff_cache
