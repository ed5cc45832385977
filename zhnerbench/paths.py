"""Where the checkout's files are. The CLI works on one checkout of the repository."""

from __future__ import annotations

import os
from pathlib import Path

from zhnerbench.errors import ZhNerBenchError


def repository_root() -> Path:
    """The checkout to work on: ``$ZHNERBENCH_ROOT`` or the one this package lives in."""
    configured = os.environ.get("ZHNERBENCH_ROOT")
    root = Path(configured) if configured else Path(__file__).resolve().parent.parent
    if not (root / "seeds").is_dir() or not (root / "annotations").is_dir():
        raise ZhNerBenchError(
            f"{root} is not a zhnerbench checkout (no seeds/ and annotations/); "
            "install with `pip install -e .` from a clone or set ZHNERBENCH_ROOT"
        )
    return root
