"""Every file of the repository the code reads or writes, relative to the repository root.

The one place that knows the layout: other modules name these constants, never a
literal path, so moving a file is a one-line change here.

The top-level folders hold the benchmark's data (``seeds/``, ``corpus/``, ``annotations/``: the
gold; ``eval/``: the built-in views as view files; ``baselines/``: shipped weights, prompts and
training configs); the ``zhnerbench`` package holds the code. A wheel carries the same folders
as ``zhnerbench/_data/`` (:data:`INSTALLED_DATA`), so that an installed package scores, tags
and loads its views and weights with no checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from zhnerbench.exceptions import ZhNerBenchError

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

#: The built-in views (view files, the ``--view-file`` format), in the order the board lists them.
VIEWS_DIR = "eval/views"
BUILTIN_VIEW_NAMES: tuple[str, ...] = ("full", "ontonotes", "coarse", "nested")
#: The trained baselines' shipped weights (one folder each), the LLM prompts, the training configs.
WEIGHTS_DIR = "baselines/weights"
PROMPTS_DIR = "baselines/prompts"
CONFIGS_DIR = "baselines/configs"

README_FILE = "README.md"
CHANGELOG_FILE = "CHANGELOG.md"
#: The manual (its table of prediction formats is generated).
MANUAL_FILE = "docs/usage.md"
DATA_DIR = "data"

#: The published board: records, prediction files and the board assembled from them
#: (their names inside it are in ``zhnerbench.leaderboard``).
RESULTS_DIR = "results"
#: The boards as published in 1.0.0 and 1.1.0, kept to show what later versions changed.
HISTORY_BOARD = "results/history/leaderboard-1.0.0.json"
HISTORY_BOARD_1_1 = "results/history/leaderboard-1.1.0.json"

#: Folders that hold the source of truth and the built data: commands that write
#: user-requested outputs (evaluate, export) never write there.
PROTECTED_FOLDERS: tuple[str, ...] = ("annotations", "data", "corpus", "seeds", "eval", "baselines")

ROOT_ENV = "ZHNERBENCH_ROOT"


def data_file(config: str, split: str = "test") -> str:
    """Repository-relative path of a dataset config's data file.

    >>> data_file("ner")
    'data/ner/test.jsonl'
    """
    return f"{DATA_DIR}/{config}/{split}.jsonl"


#: Where a wheel carries the top-level data folders, inside the package.
INSTALLED_DATA = "_data"


def _is_gold_tree(root: Path) -> bool:
    return (root / "seeds").is_dir() and (root / "annotations").is_dir()


def install_root() -> Path:
    """Where this installation's own data is (views, weights, prompts, configs; the gold too
    unless ``$ZHNERBENCH_ROOT`` names another): the checkout the package lives in (an editable
    install), else the copy the installed package carries.

    >>> (install_root() / VIEWS_DIR / "coarse.json").is_file()
    True
    """
    package = Path(__file__).resolve().parent
    for root in (package.parent, package / INSTALLED_DATA):
        if _is_gold_tree(root) and (root / VIEWS_DIR).is_dir():
            return root
    raise ZhNerBenchError(f"the benchmark's data is missing from this installation ({package / INSTALLED_DATA}); "
                          "reinstall zhnerbench")


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
    """Where the benchmark's gold is read from: ``$ZHNERBENCH_ROOT``, else :func:`install_root`
    (the checkout of an editable install, or the copy a plain ``pip install`` carries).

    >>> (gold_root() / ARTICLE_FILE).is_file()
    True
    """
    configured = _configured_root()
    return configured if configured is not None else install_root()
