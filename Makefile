# Two commands set up a fresh machine:
#   make compare   -> builds .venv and runs the headline comparison on the default scenario
#   make test      -> builds .venv (with the dashboard) and runs the tests
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/mega_vs_micro.toml
ARGS ?=

.PHONY: setup compare test lint bench validate dashboard clean
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@PY=$$(tools/find-python) || exit 1; \
	echo "using $$PY ($$($$PY --version))"; \
	[ -x $(BIN)/python ] || $$PY -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dashboard]"
	@touch $@

compare: setup
	$(BIN)/influencer-sim compare $(SCENARIO) --workers auto $(ARGS)

test: setup
	$(BIN)/python -m pytest $(ARGS)

lint: setup
	$(BIN)/ruff check simulation tests experiments benchmarks
	$(BIN)/ruff format --check simulation tests experiments benchmarks

bench: setup
	$(BIN)/influencer-sim bench $(ARGS)

dashboard: setup
	$(BIN)/influencer-sim dashboard $(ARGS)

validate: setup
	$(BIN)/influencer-sim validate $(ARGS)

clean:
	rm -rf $(VENV) results .pytest_cache
