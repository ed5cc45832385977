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
from typing import Any

from zhnerbench.gold.agreement import agreement_markdown, evidence_agreement_markdown, inner_agreement_markdown
from zhnerbench.gold.annotation_files import load_article_gold
from zhnerbench.gold.counterfactual import article_copies, derived_copies, read_surrogates
from zhnerbench.card import CardSources, render_generated_files
from zhnerbench.gold.article import render_corpus_files
from zhnerbench.dataset import CONFIGS, COUNTERFACTUAL_SPLIT, config_rows, render_jsonl
from zhnerbench.errors import GoldDataError, Problem
from zhnerbench.files import JOURNAL_NAME, LOCK_NAME, exclusive, holds, recover, write_all
from zhnerbench.hub import EVAL_YAML, eval_yaml
from zhnerbench.inputs import read_project_file
from zhnerbench.leaderboard.board import assemble_board, record_problems, refuse_edited_scores, render_board
from zhnerbench.leaderboard.records import read_records
from zhnerbench.leaderboard.render import read_history
from zhnerbench.leaderboard.site import board_site
from zhnerbench.model import Document
from zhnerbench.views import VIEWS
from zhnerbench.paths import CHANGELOG_FILE, HISTORY_BOARD_1_1, README_FILE, RESULTS_DIR, SEED_FILE, data_file


def read_text(root: Path, path: str) -> str:
    """A text file of the checkout, decoded strictly; problems are :class:`GoldDataError` s naming it."""
    try:
        return read_project_file(root / path, path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise GoldDataError([Problem(path, None, f"not valid UTF-8 (byte offset {error.start})")]) from None


def card_sources(root: Path, document: Document, board: Mapping[str, Any] | None = None) -> CardSources:
    """What the card is generated from; ``board`` replaces the board of the committed records
    (the leaderboard passes the board it is about to write)."""
    copies = derived_copies(document, read_surrogates(root))  # from this document (the seed's text)
    return CardSources(
        document=document,
        rows={config: config_rows(config, document) for config in CONFIGS},
        counterfactual_rows={config: config_rows(config, *copies) for config in CONFIGS},
        agreement=agreement_markdown(root, document),
        inner_agreement=inner_agreement_markdown(root, document),
        evidence_agreement=evidence_agreement_markdown(root, document),
        board=board if board is not None else committed_board(root, document),
        history=read_history(root),
        history_1_1=read_history(root, HISTORY_BOARD_1_1, ("systems", "relations")),
    )


def committed_board(root: Path, document: Document) -> dict[str, Any]:
    """The board of the committed records, refusing any whose scores were edited."""
    records = read_records(root / RESULTS_DIR)
    refuse_edited_scores(records, root / RESULTS_DIR, document, article_copies(root))
    return assemble_board(records, document)


def card_files(root: Path, sources: CardSources) -> dict[str, bytes]:
    """README.md and CHANGELOG.md as they should be."""
    texts = {path: read_text(root, path) for path in (README_FILE, CHANGELOG_FILE)}
    return {path: text.encode("utf-8") for path, text in render_generated_files(texts, sources).items()}


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
