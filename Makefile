# jimu — two commands: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: setup demo test lint typecheck unit bench clean models models-digits models-kana lexicon

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

# Two processes (pytest-xdist), a module's tests in one of them: 15 min on 2 cores, not 22.
unit:
	@$(BIN)/python -m pytest -n 2 --dist loadscope

bench: setup
	@$(BIN)/python -m benchmarks

# The digit and kana models, retrained from scratch and written to ocr/models/ (offline: PyTorch
# 2.13.0 CPU comes from this machine's disk; see scripts/digit_model/README.md for the times).
TRAIN_ENV := var/train-env
MODEL_DATA := var/model-data

$(TRAIN_ENV)/bin/torch-ready:
	python3 -m venv $(TRAIN_ENV)
	$(TRAIN_ENV)/bin/pip install --quiet torch==2.13.0 numpy==2.4.6 onnx==1.23.2
	touch $@

models: models-digits models-kana

models-digits: setup $(TRAIN_ENV)/bin/torch-ready
	$(BIN)/python -m scripts.digit_model.make_data $(MODEL_DATA)
	$(TRAIN_ENV)/bin/python -m scripts.digit_model.train $(MODEL_DATA)/digits-train.npz \
		ocr/models/digits-cnn.onnx

models-kana: setup $(TRAIN_ENV)/bin/torch-ready
	$(BIN)/python -m scripts.kana_model.make_data $(MODEL_DATA)
	$(TRAIN_ENV)/bin/python -m scripts.kana_model.train $(MODEL_DATA)/kana-train.npz \
		ocr/models/kana-cnn.onnx
	$(TRAIN_ENV)/bin/python -m scripts.kana_model.train_marks $(MODEL_DATA)/kana-marks.npz \
		ocr/models/kana-marks.onnx

# The table of family and given names (ocr/lexicon/person_names.tsv), taken again from Debian's
# mecab-ipadic package (the only target that needs the package mirror).
lexicon: setup
	$(BIN)/python -m scripts.name_lexicon.build

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
