"""Every file of the repository the code reads or writes, relative to the repository root.

The one place that knows the layout: other modules name these constants, never a
literal path, so moving a file is a one-line change here.
"""

from __future__ import annotations

import os
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

#: The published board: records, prediction files and the board assembled from them
#: (their names inside it are in ``zhnerbench.leaderboard``).
RESULTS_DIR = "results"
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


def _is_gold_tree(root: Path) -> bool:
    return (root / "seeds").is_dir() and (root / "annotations").is_dir()


def _configured_root() -> Path | None:
    configured = os.environ.get(ROOT_ENV)
    if not configured:
        return None
    if not _is_gold_tree(Path(configured)):
        raise ZhNerBenchError(f"${ROOT_ENV}={configured} is not a zhnerbench checkout (no seeds/ and annotations/); "
                              "point it at a clone or unset it")
    return Path(configured)


def repository_root() -> Path:
    """The checkout to work on (commands that write into it: build, leaderboard):
    ``$ZHNERBENCH_ROOT`` or the clone this package is installed from in editable mode."""
    root = _configured_root() or Path(__file__).resolve().parent.parent
    if not _is_gold_tree(root):
        raise ZhNerBenchError(
            "this command writes into a zhnerbench checkout, and this installation is not one: run it in a "
            f"clone installed with `pip install -e .`, or set {ROOT_ENV} to a clone"
        )
    return root


def gold_root() -> Path:
    """Where the benchmark's gold is read from: ``$ZHNERBENCH_ROOT``, else the checkout this
    package lives in (an editable install), else the copy the installed package carries
    (``zhnerbench/gold/``, same layout), so that scoring works after a plain ``pip install``.

    >>> (gold_root() / ARTICLE_FILE).is_file()
    True
    """
    configured = _configured_root()
    if configured is not None:
        return configured
    package = Path(__file__).resolve().parent
    for root in (package.parent, package / "gold"):
        if _is_gold_tree(root):
            return root
    raise ZhNerBenchError(f"the gold is missing from this installation ({package / 'gold'}); "
                          f"reinstall zhnerbench or set {ROOT_ENV} to a clone")
