"""pytest's configuration for the whole checkout (the tests' fixtures are in ``tests/conftest.py``)."""

from __future__ import annotations

import os
from pathlib import Path

# One OpenMP (PyTorch) thread per test process, set before anything imports PyTorch: `make test`
# runs two workers on two cores, and two workers each running a thread per core leave four
# threads fighting for two cores (OpenMP's idle threads spin), which made the tiny models' forward
# passes several times slower (the GLiNER, Stanza and LTP tests: 3.2 times the CPU time).
os.environ.setdefault("OMP_NUM_THREADS", "1")

PACKAGE = Path(__file__).resolve().parent / "zhnerbench"


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """Skip the package's modules that hold no doctest.

    ``--doctest-modules`` imports every module of the package to look for doctests, in every test
    worker. A module with none has nothing to collect, and importing it can cost seconds (the
    network definitions import PyTorch); the tests that need such a module import it themselves.
    """
    if collection_path.suffix == ".py" and PACKAGE in collection_path.parents:
        return ">>>" not in collection_path.read_text(encoding="utf-8")
    return None
