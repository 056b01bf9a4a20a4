# Two commands for a fresh machine with Python ≥ 3.11 and make:
#   make site   build the site from the embedded catalogue into site/
#   make test   lint, type-check and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every version make and CI install is pinned here; only `make upgrade` moves the pins.
PINS := constraints.txt

.PHONY: site test serve setup bench clean upgrade

# pip and setuptools first, from the pins, so the package itself is built with
# the pinned setuptools (no build isolation fetching whatever is newest).
$(STAMP): pyproject.toml $(PINS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c $(PINS) pip setuptools
	$(BIN)/pip install --quiet --no-build-isolation -c $(PINS) -e '.[site,test]'
	touch $(STAMP)

# Refresh the pins: the newest releases that pyproject.toml's ranges allow, installed
# into a throwaway environment and written to constraints.txt. Review the diff, run
# `make test`, commit both.
upgrade:
	rm -rf .venv-upgrade
	$(PYTHON) -m venv .venv-upgrade
	.venv-upgrade/bin/pip install --quiet --upgrade pip setuptools
	.venv-upgrade/bin/pip install --quiet --no-build-isolation -e '.[site,test]'
	{ echo "# Pinned versions of everything make and CI install (pip install -c constraints.txt)."; \
	  echo "# Written by 'make upgrade' from pyproject.toml's ranges; refresh with it, not by hand."; \
	  .venv-upgrade/bin/pip freeze --all --exclude-editable | grep -v '^#'; } > $(PINS)
	rm -rf .venv-upgrade

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
	rm -rf site $(VENV) .venv-upgrade .pytest_cache .mypy_cache .ruff_cache
