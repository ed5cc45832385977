# Two entry points that work on a fresh machine: `make run` (the main job: the
# leaderboard) and `make test`. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The baselines that use PyTorch (HanLP, chinesener) need it installed first: this
# exact version is a CPU build on the project's machines; an unpinned `torch`
# would pull a multi-GB CUDA build. Override TORCH= elsewhere (e.g. TORCH=torch).
TORCH ?= torch==2.13.0

.PHONY: run test clean-venv

$(BIN)/zhnerbench: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '$(TORCH)'
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/zhnerbench
	$(BIN)/zhnerbench validate
	$(BIN)/zhnerbench build
	$(BIN)/zhnerbench leaderboard

test: $(BIN)/zhnerbench
	$(BIN)/zhnerbench validate
	$(BIN)/zhnerbench build --check
	$(BIN)/python -m pytest -q

clean-venv:
	rm -rf $(VENV)
