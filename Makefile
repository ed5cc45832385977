# Two entry points that work on a fresh machine: `make run` (the main job: the
# leaderboard) and `make test`. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# PyTorch (for the HanLP and chinesener baselines) as a CPU build. Plain `pip install torch`
# takes a CUDA build of several GB on Linux; PyTorch's CPU wheel index has `2.13.0+cpu`,
# which pip prefers to PyPI's `2.13.0`. Where a local CPU wheel is configured for pip
# (find-links), that one is taken the same way. TORCH_INDEX= (empty) uses only your
# configured indexes; TORCH=... picks another version.
TORCH ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: browser run test clean-venv

$(BIN)/zhnerbench: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# --no-deps: only torch itself is looked up on its index; its dependencies come from yours.
	$(BIN)/python -m pip install --quiet --no-deps $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) '$(TORCH)'
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory browser
	touch $@

# Headless Chromium for the site's browser tests, from Debian's packages (with CJK fonts);
# where it cannot be installed, those tests skip and say how to install it.
BROWSER_PACKAGES := chromium fonts-noto-cjk
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1; }; }; } || \
	  echo "Chromium is not installed: the site's browser tests will skip (apt-get install $(BROWSER_PACKAGES))"

run: $(BIN)/zhnerbench
	$(BIN)/zhnerbench validate
	$(BIN)/zhnerbench build
	$(BIN)/zhnerbench leaderboard

# Bytecode caching on, whatever the shell says: pytest keeps its rewritten test modules and
# Python its compiled ones, a few seconds per worker on every run after the first.
test: $(BIN)/zhnerbench
	$(BIN)/zhnerbench validate
	$(BIN)/zhnerbench build --check
	$(BIN)/python -m mypy
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n 2 --dist worksteal

clean-venv:
	rm -rf $(VENV)
