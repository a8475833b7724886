# jimu — two commands: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: setup demo test lint typecheck unit bench clean

setup:
	@scripts/setup.sh

demo: setup
	@$(BIN)/jimu demo $(DEMO_ARGS)

test: setup lint typecheck unit

lint:
	@$(BIN)/ruff check .

typecheck:
	@$(BIN)/mypy
	@# A scenario's own Python (steps.py, its tests), one folder at a time: each has a steps.py.
	@for folder in scenarios/*/; do \
		files=$$(ls $$folder*.py $$folder/tests/*.py 2>/dev/null); \
		if [ -n "$$files" ]; then $(BIN)/mypy $$files || exit 1; fi; \
	done

unit:
	@$(BIN)/python -m pytest

bench: setup
	@$(BIN)/python -m benchmarks

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
