# Two entry points that work on a fresh machine: `make run` (the main job) and
# `make test`. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test clean-venv

$(BIN)/zhnerbench: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/zhnerbench
	$(BIN)/zhnerbench validate
	$(BIN)/zhnerbench build
	$(BIN)/python -c 'import datasets, os, tempfile; d = datasets.load_dataset(os.path.abspath("."), "ner", cache_dir=tempfile.mkdtemp()); print(d); print(d["test"].features["ner_tags"].feature.int2str(d["test"][4]["ner_tags"]))'

test: $(BIN)/zhnerbench
	$(BIN)/zhnerbench validate
	$(BIN)/zhnerbench build --check
	$(BIN)/python -m pytest -q

clean-venv:
	rm -rf $(VENV)
