# Two entry points that work on a fresh machine: `make run` (the main job: the
# leaderboard) and `make test`. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# PyTorch (for the HanLP and chinesener baselines) as a CPU build. Plain `pip install torch`
# takes a CUDA build of several GB on Linux; PyTorch's CPU wheel index has `2.13.0+cpu`.
# A local CPU wheel where pip is told to find wheels (its find-links, in its configuration or
# $$PIP_FIND_LINKS) is taken first, without the network. TORCH_INDEX= (empty) uses only your
# configured indexes; TORCH=... picks another version.
TORCH ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
# uv (from PyPI, into the virtualenv) installs the project: the same requirements, resolved the
# same way, several times faster than pip (benchmarks/bench_cold_start.py). Where uv cannot
# (a proxy or mirror only pip is configured for, say), pip does; UV= (empty) uses pip alone.
UV ?= uv>=0.8
PIP := $(BIN)/python -m pip install --quiet
# uv compiles no bytecode at install (pip compiles every file it installs): Python writes it as
# modules are first imported, which `run` and `test` allow whatever the shell says.
UV_PIP := $(BIN)/uv pip install --quiet --python $(BIN)/python
# Asked of pip once, and only when a recipe needs it.
PIP_WHEEL_DIRS = $(eval PIP_WHEEL_DIRS := $$(sort $$(PIP_FIND_LINKS) \
	$$(shell $$(PYTHON) -m pip config get global.find-links 2>/dev/null)))$(PIP_WHEEL_DIRS)
# --no-deps: only torch itself comes from the CPU index; its dependencies come with the project.
TORCH_WITH_UV = $(if $(PIP_WHEEL_DIRS),$(UV_PIP) --no-deps --offline $(addprefix --find-links ,$(PIP_WHEEL_DIRS)) \
	'$(TORCH)' 2>/dev/null ||) $(UV_PIP) --no-deps $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) '$(TORCH)' ||
TORCH_WITH_PIP = $(PIP) --no-deps $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) '$(TORCH)'
# The project with an extra: uv, else pip.
install = $(if $(UV),$(UV_PIP) -e '.[$(1)]' || )$(PIP) -e '.[$(1)]'

.PHONY: browser run test clean-venv

# What `make run` needs: the project with the baselines the board runs (the `board` extra).
$(BIN)/zhnerbench: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) $(if $(UV),'$(UV)',--upgrade pip)
	$(if $(UV),$(TORCH_WITH_UV)) $(TORCH_WITH_PIP)
	$(call install,board)
	touch $@

# What `make test` needs besides: every adapter's library, the test tools, Chromium.
$(VENV)/.test-tools: $(BIN)/zhnerbench
	$(call install,test)
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

# Bytecode caching on (see UV_PIP): the first run compiles what it imports, once.
run: $(BIN)/zhnerbench
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/zhnerbench validate
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/zhnerbench build
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/zhnerbench leaderboard

# Bytecode caching on, whatever the shell says: pytest keeps its rewritten test modules and
# Python its compiled ones, a few seconds per worker on every run after the first.
test: $(VENV)/.test-tools
	$(BIN)/zhnerbench validate
	$(BIN)/zhnerbench build --check
	$(BIN)/python -m mypy
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n 2 --dist worksteal

clean-venv:
	rm -rf $(VENV)
