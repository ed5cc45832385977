"""Boards as published by earlier versions, and the tables of what changed since (the README
and CHANGELOG show them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zhnerbench.board.assemble import Board
from zhnerbench.board.tables import percent, relation_rows
from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.paths import HISTORY_BOARD
from zhnerbench.reading import read_project_file


def _read_json_object(root: Path, path: str, required: tuple[str, ...]) -> dict[str, Any]:
    try:
        data = json.loads(read_project_file(root / path, path).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise GoldDataError([Problem(path, None, f"not valid JSON: {str(error)[:80]}")]) from None
    if not isinstance(data, dict) or any(key not in data for key in required):
        missing = [key for key in required if not isinstance(data, dict) or key not in data]
        raise GoldDataError([Problem(path, None, f"is not a leaderboard: no {', '.join(missing)}; "
                                                 "run `zhnerbench leaderboard` to rebuild it")])
    return data


def read_history(root: Path, path: str = HISTORY_BOARD, required: tuple[str, ...] = ("run", "systems")) -> dict[str, Any]:
    """A board as published in an earlier version (for the tables of what changed since); the
    1.0.0 board has a ``run`` part, boards since 1.1.0 ``systems`` and ``relations``."""
    return _read_json_object(root, path, required)


def relation_change_table(history: Mapping[str, Any], board: Board) -> str:
    """How each relation row's strict F1 and evidence F1 moved from the 1.1.0 board (score schema
    1, as published) to this one.

    >>> old = {"baseline": "p", "entities": "gold", "strict": {"f1": 0.5}}
    >>> new = {**old, "strict": {"micro": {"f1": 0.5}, "evidence": None}}
    >>> print(relation_change_table({"relations": [old]}, {"relations": [new]}))  # type: ignore[typeddict-item]
    | relation baseline | entities from | strict F1 1.1.0 | strict F1 now | evidence F1 now | change |
    |---|---|---:|---:|---:|---:|
    | p | gold | 50.0 | **50.0** | – | +0.0 |
    """
    published = {(r["baseline"], r["entities"]): r["strict"]["f1"] for r in history.get("relations", [])}
    rows = ["| relation baseline | entities from | strict F1 1.1.0 | strict F1 now | evidence F1 now | change |",
            "|---|---|---:|---:|---:|---:|"]
    for row in relation_rows(board):
        new, old = row["strict"]["micro"]["f1"], published.get((row["baseline"], row["entities"]))
        evidence = None if row["strict"]["evidence"] is None else row["strict"]["evidence"]["f1"]
        change = f"{100 * (new - old):+.1f}" if old is not None else "new"
        rows.append(f"| {row['baseline']} | {row['entities']} | {percent(old)} | **{percent(new)}** | "
                    f"{'–' if evidence is None else percent(evidence)} | {change} |")
    return "\n".join(rows)


def convention_change_table(history: Mapping[str, Any], board: Board) -> str:
    """How each system's coarse F1 moved from 1.0.0 (flat layer) to 1.1.0 (outermost convention).

    The middle column re-scores today's predictions with the 1.0.0 convention, so the
    change it shows against the last column is the convention's alone. Systems of 1.0.0 that
    are no longer on the board come last, marked ``removed``.

    >>> old = {"systems": [{"name": "x", "status": "ran", "scores": {"coarse": {"f1": 0.5}}}]}
    >>> new = {"systems": [{"name": "x", "status": "ran", "scores": {"coarse": {"micro": {"f1": 0.6}}},
    ...                     "legacy_scores": {"coarse": {"micro": {"f1": 0.5}}}}]}
    >>> print(convention_change_table(old, new))  # type: ignore[arg-type]
    | system | 1.0.0 (published) | 1.0.0 convention, today's predictions | 1.1.0 | change |
    |---|---:|---:|---:|---:|
    | x | 50.0 | 50.0 | **60.0** | +10.0 |
    """
    published = {s["name"]: s["scores"]["coarse"]["f1"] for s in history["systems"]
                 if s.get("status") == "ran" and "coarse" in s.get("scores", {})}
    rows = ["| system | 1.0.0 (published) | 1.0.0 convention, today's predictions | 1.1.0 | change |",
            "|---|---:|---:|---:|---:|"]
    ran = [s for s in board["systems"] if s["status"] == "ran" and "coarse" in s["scores"]]
    for system in sorted(ran, key=lambda s: -s["scores"]["coarse"]["micro"]["f1"]):
        new = system["scores"]["coarse"]["micro"]["f1"]
        legacy_score = system["legacy_scores"].get("coarse")
        legacy = legacy_score["micro"]["f1"] if legacy_score else None
        old = published.get(system["name"])
        change = f"{100 * (new - old):+.1f}" if old is not None else "new"
        rows.append(f"| {system['name']} | {percent(old)} | {percent(legacy)} | **{percent(new)}** | {change} |")
    on_board = {system["name"] for system in board["systems"]}
    for name in sorted(set(published) - on_board, key=lambda name: -published[name]):
        rows.append(f"| {name} | {percent(published[name])} | – | – | removed |")
    return "\n".join(rows)
