"""What publishing a board writes: records, prediction files, the board's renderings (JSON,
Markdown, PNG, the site) and, for the checkout's board, the README and CHANGELOG blocks.

Pure functions of the records, the gold and the prediction files: a runner hands in what it
produced and writes what comes back, in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from zhnerbench.board.assemble import Board, assemble_board
from zhnerbench.board.charts import learning_curve_png, leaderboard_png
from zhnerbench.board.markdown import leaderboard_markdown
from zhnerbench.board.tables import board_sections, sections_json, trained_systems
from zhnerbench.board.records import Record, record_name, render_record
from zhnerbench.board.site import SITE_DIR, board_site
from zhnerbench.document import Document
from zhnerbench.writing import holds

#: The board's files, relative to a results directory.
BOARD_JSON = "leaderboard.json"
BOARD_MD = "leaderboard.md"
BOARD_PNG = "leaderboard.png"
CURVE_PNG = "learning-curve.png"


def render_board(board: Board) -> dict[str, bytes]:
    """``leaderboard.json`` (the board, and its tables as the README and the site show them) and
    ``leaderboard.md`` of a board (the chart is drawn apart: it needs matplotlib, and only when
    the board changed)."""
    data = {**board, "tables": sections_json(board_sections(board))}
    return {
        BOARD_JSON: (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        BOARD_MD: ("# zhnerbench leaderboard\n\n" + leaderboard_markdown(board) + "\n").encode("utf-8"),
    }


def board_changes(results: Path, root: Path | None, old: Mapping[str, Record], records: Mapping[str, Record],
                  prediction_files: Mapping[str, str], gold: Document) -> dict[Path, bytes | None]:
    """Every file to write (or delete, ``None``) so that the board in ``results`` shows
    ``records``, where ``old`` are the records it holds now; with the checkout's ``root``, the
    README's and CHANGELOG's generated blocks too."""
    from zhnerbench.board.card import card_files, card_sources

    wanted: dict[Path, bytes | None] = {}
    for name in old.keys() - records.keys():
        wanted[results / record_name(name)] = None
    for name, record in records.items():
        wanted[results / record_name(name)] = render_record(record)
    owned = {path for record in records.values() for path in record.get("files", {})}
    for record in old.values():
        for path in record.get("files", {}):
            if path not in owned:
                wanted[results / path] = None
    for path, text in prediction_files.items():
        wanted[results / path] = text.encode("utf-8")
    board = assemble_board(records, gold)
    for path, content in render_board(board).items():
        wanted[results / path] = content
    for path, content in board_site(board, gold, results, prediction_files).items():
        wanted[results / path] = content
    site = results / SITE_DIR
    for stale in sorted(site.glob("systems/*.html")) if site.is_dir() else ():
        wanted.setdefault(stale, None)  # the page of a system no longer on the board
    if root is not None:
        wanted.update({root / path: content for path, content in card_files(root, card_sources(root, gold, board)).items()})
    changed = {path: content for path, content in wanted.items() if not holds(path, content)}
    # The chart is drawn only when the board changed: same board, same bytes, no matplotlib run.
    if changed.get(results / BOARD_JSON) is not None or not (results / BOARD_PNG).is_file():
        changed[results / BOARD_PNG] = leaderboard_png(board)
    curves = any((system["training"] or {}).get("curve") for system in trained_systems(board))
    if curves and (changed.get(results / BOARD_JSON) is not None or not (results / CURVE_PNG).is_file()):
        changed[results / CURVE_PNG] = learning_curve_png(board)
    elif not curves and (results / CURVE_PNG).exists():
        changed[results / CURVE_PNG] = None
    return changed
