"""``zhnerbench build``: every generated file, computed in memory from the source of truth.

Generated: ``corpus/`` (from ``seeds/``), ``data/`` (the dataset configs, from the
gold), ``results/leaderboard.{json,md}`` (from the records under ``results/records/``)
and the generated parts of ``README.md`` and ``CHANGELOG.md``. Nothing is written
unless the whole build succeeded, and the changed files are replaced in one
transaction (all or none, also when the process is killed).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from zhnerbench.gold.annotation_files import load_article_gold
from zhnerbench.gold.counterfactual import article_copies
from zhnerbench.gold.article import render_corpus_files
from zhnerbench.gold.dataset import CONFIGS, COUNTERFACTUAL_SPLIT, render_jsonl
from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.writing import JOURNAL_NAME, LOCK_NAME, exclusive, holds, recover, write_all
from zhnerbench.board.hub import EVAL_YAML, eval_yaml
from zhnerbench.reading import read_project_file
from zhnerbench.board.card import card_files, card_sources
from zhnerbench.board.checks import record_problems
from zhnerbench.board.publish import render_board
from zhnerbench.board.records import read_records
from zhnerbench.board.site import board_site
from zhnerbench.views import VIEWS
from zhnerbench.paths import RESULTS_DIR, SEED_FILE, data_file


def generated_files(root: Path) -> dict[str, bytes]:
    """Every generated file's expected content, keyed by repository-relative path."""
    seed_bytes = read_project_file(root / SEED_FILE, SEED_FILE)
    files = render_corpus_files(seed_bytes)
    try:
        text = seed_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise GoldDataError([Problem(SEED_FILE, None, "not valid UTF-8")]) from None
    document = load_article_gold(root, text=text)
    sources = card_sources(root, document)
    for config in CONFIGS:
        files[data_file(config)] = render_jsonl(sources.rows[config]).encode("utf-8")
        files[data_file(config, COUNTERFACTUAL_SPLIT)] = render_jsonl(sources.counterfactual_rows[config]).encode("utf-8")
    files.update({f"{RESULTS_DIR}/{name}": content for name, content in render_board(sources.board).items()})
    files.update({f"{RESULTS_DIR}/{name}": content
                  for name, content in board_site(sources.board, document, root / RESULTS_DIR).items()})
    files.update(card_files(root, sources))
    files[EVAL_YAML] = eval_yaml(VIEWS).encode("utf-8")
    return files


def results_problems(root: Path) -> list[str]:
    """Why the committed records cannot be trusted as they are (see :func:`record_problems`)."""
    return record_problems(read_records(root / RESULTS_DIR), root / RESULTS_DIR, load_article_gold(root),
                           article_copies(root))


def stale_files(root: Path, files: Mapping[str, bytes]) -> list[str]:
    """The paths whose committed content differs from ``files`` (or that are missing)."""
    return [path for path, content in files.items() if not holds(root / path, content)]


def write_files(root: Path, files: Mapping[str, bytes]) -> list[str]:
    """Write the files that changed, all or none, holding the checkout's lock; returns their paths.

    Nothing to write takes no lock, so that a read-only checkout that is current builds."""
    if not stale_files(root, files) and not (root / JOURNAL_NAME).exists():
        return []
    with exclusive(root / LOCK_NAME, f"the generated files of {root}"):
        recover(root / JOURNAL_NAME)
        changed = stale_files(root, files)
        write_all({root / path: files[path] for path in changed}, root / JOURNAL_NAME)
    return changed
