"""Where the checkout's files are. The CLI works on one checkout of the repository."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

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


#: Folders of the checkout that hold the source of truth and the built data:
#: commands that write user-requested outputs (evaluate, export) never write there.
PROTECTED_FOLDERS: tuple[str, ...] = ("annotations", "data", "corpus", "seeds")


def check_output_path(path: Path, root: Path, inputs: Sequence[Path] = (), command: str = "evaluation") -> None:
    """Refuse an output path inside the checkout's source folders or equal to an input file.

    >>> check_output_path(Path("/tmp/out.json"), Path("/repo"))
    >>> check_output_path(Path("/repo/annotations/x.json"), Path("/repo"))
    Traceback (most recent call last):
    ...
    zhnerbench.errors.ZhNerBenchError: refusing to write /repo/annotations/x.json: evaluation never writes under annotations/
    """
    target = path.resolve()
    for folder in PROTECTED_FOLDERS:
        if target.is_relative_to((root / folder).resolve()):
            raise ZhNerBenchError(f"refusing to write {path}: {command} never writes under {folder}/")
    for source in inputs:
        if target == source.resolve():
            raise ZhNerBenchError(f"refusing to write {path}: it is an input file")
