"""Every file of the repository the code reads or writes, relative to the repository root.

The one place that knows the layout: other modules name these constants, never a
literal path, so moving a file is a one-line change here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from zhnerbench.errors import ZhNerBenchError

SEED_NAME = "000_e491b11e84c79d89.txt"
SEED_FILE = f"seeds/{SEED_NAME}"

ARTICLE_FILE = "corpus/article.txt"
METADATA_FILE = "corpus/metadata.json"
LINES_FILE = "corpus/lines.tsv"
SENTENCES_FILE = "corpus/sentences.tsv"

MENTIONS_FILE = "annotations/mentions.tsv"
INNER_MENTIONS_FILE = "annotations/inner_mentions.tsv"
RELATIONS_FILE = "annotations/relations.tsv"
REVIEW_DIR = "annotations/review"

README_FILE = "README.md"
CHANGELOG_FILE = "CHANGELOG.md"
DATA_DIR = "data"

RESULTS_DIR = "results"
LEADERBOARD_JSON = "results/leaderboard.json"
LEADERBOARD_MD = "results/leaderboard.md"
LEADERBOARD_PNG = "results/leaderboard.png"
PREDICTIONS_DIR = "results/predictions"
#: The board as published in 1.0.0, kept to show what the 1.1.0 conventions changed.
HISTORY_BOARD = "results/history/leaderboard-1.0.0.json"

#: Folders that hold the source of truth and the built data: commands that write
#: user-requested outputs (evaluate, export) never write there.
PROTECTED_FOLDERS: tuple[str, ...] = ("annotations", "data", "corpus", "seeds")

ROOT_ENV = "ZHNERBENCH_ROOT"


def data_file(config: str, split: str = "test") -> str:
    """Repository-relative path of a dataset config's data file.

    >>> data_file("ner")
    'data/ner/test.jsonl'
    """
    return f"{DATA_DIR}/{config}/{split}.jsonl"


def repository_root() -> Path:
    """The checkout to work on: ``$ZHNERBENCH_ROOT`` or the one this package lives in."""
    configured = os.environ.get(ROOT_ENV)
    root = Path(configured) if configured else Path(__file__).resolve().parent.parent
    if not (root / "seeds").is_dir() or not (root / "annotations").is_dir():
        raise ZhNerBenchError(
            f"{root} is not a zhnerbench checkout (no seeds/ and annotations/); "
            f"install with `pip install -e .` from a clone or set {ROOT_ENV}"
        )
    return root


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
