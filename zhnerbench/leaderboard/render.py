"""Rendering the leaderboard's JSON as Markdown (``results/leaderboard.md``, the README) and PNG.

Pure functions of the JSON document, so the README's table can be regenerated
from ``results/leaderboard.json`` alone and checked against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zhnerbench.errors import GoldDataError, Problem

LEADERBOARD_JSON = "results/leaderboard.json"
WIDE_VIEW = 6  # views with more labels list per-label F1 in one cell instead of one column each


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _ci(interval: list[float] | None) -> str:
    return "–" if not interval else f"{100 * interval[0]:.1f}–{100 * interval[1]:.1f}"


def _speed(value: float) -> str:
    return f"{value:,.0f}"


def ner_table(board: dict[str, Any], view: str) -> str:
    """One view's table: every system that ran in it, best F1 first.

    >>> board = {"views": {"coarse": ["PER", "LOC", "ORG"]}, "systems": [{"name": "x", "version": "1",
    ...   "status": "ran", "load_seconds": 1.0, "chars_per_second": 10.0, "training": None, "scores": {"coarse":
    ...   {"precision": 0.5, "recall": 0.25, "f1": 0.3333, "f1_ci": [0.2, 0.4], "support": 4, "predicted": 2,
    ...    "per_label_f1": {"PER": 1.0, "LOC": 0.0, "ORG": 0.0}}}}]}
    >>> print(ner_table(board, "coarse"))
    | system | P | R | F1 | F1 95% CI | PER | LOC | ORG | load (s) | chars/s | MSRA test F1 |
    |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
    | x 1 | 50.0 | 25.0 | **33.3** | 20.0–40.0 | 100.0 | 0.0 | 0.0 | 1.0 | 10 | – |
    """
    labels = board["views"][view]
    wide = len(labels) > WIDE_VIEW
    label_columns = ["per-label F1"] if wide else list(labels)
    header = ["system", "P", "R", "F1", "F1 95% CI", *label_columns, "load (s)", "chars/s", "MSRA test F1"]
    rows = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    ran = [s for s in board["systems"] if s["status"] == "ran" and view in s["scores"]]
    for system in sorted(ran, key=lambda s: -s["scores"][view]["f1"]):
        score = system["scores"][view]
        per_label = score["per_label_f1"]
        if wide:
            cells = [" · ".join(f"{label} {_pct(per_label[label])}" for label in labels if label in per_label)]
        else:
            cells = [_pct(per_label.get(label)) for label in labels]
        msra = system["training"]["msra_test_f1"] if system.get("training") else None
        rows.append("| " + " | ".join([
            f"{system['name']} {system['version']}", _pct(score["precision"]), _pct(score["recall"]),
            f"**{_pct(score['f1'])}**", _ci(score["f1_ci"]), *cells,
            f"{system['load_seconds']:.1f}", _speed(system["chars_per_second"]), _pct(msra),
        ]) + " |")
    return "\n".join(rows)


def relation_table(board: dict[str, Any]) -> str:
    """The relation baselines on every entity source, best strict F1 first."""
    rows = [
        "| relation baseline | entities from | predicted | strict P | strict R | strict F1 | text F1 |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(board["relations"], key=lambda r: (-r["strict"]["f1"], r["baseline"], r["entities"])):
        strict = row["strict"]
        rows.append(
            f"| {row['baseline']} | {row['entities']} | {row['predicted']} | {_pct(strict['precision'])} | "
            f"{_pct(strict['recall'])} | **{_pct(strict['f1'])}** | {_pct(row['text']['f1'])} |"
        )
    return "\n".join(rows)


def unavailable_table(board: dict[str, Any]) -> str:
    missing = [s for s in board["systems"] if s["status"] != "ran"]
    if not missing:
        return "Every registered system ran."
    rows = ["| system | status | why it did not run | how to enable it |", "|---|---|---|---|"]
    for system in missing:
        reason = system["reason"].replace("|", "\\|")
        rows.append(f"| {system['name']} | {system['status']} | {reason} | `{system['requires']}` |")
    return "\n".join(rows)


def leaderboard_markdown(board: dict[str, Any]) -> str:
    """The whole leaderboard: settings, one NER table per view, relations, systems that did not run."""
    run = board["run"]
    normalization = (
        "on (ASCII `,;:?!()` mapped 1:1 to full-width in the taggers' input; offsets unchanged)"
        if run["normalize_punctuation"] else "off (taggers see the verbatim text)"
    )
    parts = [
        f"Scored by `zhnerbench evaluate`'s scorer (seqeval strict IOB2, exact spans) on the "
        f"{run['characters']:,}-character article; 95% CIs from {run['bootstrap_samples']:,} bootstrap "
        f"resamples of its {run['sentences']} sentences (seed {run['seed']}). Input normalisation: {normalization}. "
        "Per-label columns are F1; speeds exclude model loading; MSRA test F1 is the trained models' "
        "score on the MSRA NER test split, to show their training is sane.",
    ]
    for view, labels in board["views"].items():
        if any(view in s.get("scores", {}) for s in board["systems"]):
            parts.append(f"**NER, view `{view}`** ({', '.join(labels)}):\n\n" + ner_table(board, view))
    parts.append("**Relations** (document-level triples; `strict`: arguments must be spans of the gold "
                 "entities; `text`: DuIE-style string match):\n\n" + relation_table(board))
    parts.append("**Systems that did not run here:**\n\n" + unavailable_table(board))
    return "\n\n".join(parts)


def read_leaderboard(root: Path) -> dict[str, Any]:
    path = root / LEADERBOARD_JSON
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoldDataError([Problem(LEADERBOARD_JSON, None, "missing; run `zhnerbench leaderboard`")]) from None
    except ValueError as error:
        raise GoldDataError([Problem(LEADERBOARD_JSON, None, f"not valid JSON: {error}")]) from None


def leaderboard_png(board: dict[str, Any], path: Path) -> None:
    """Grouped bar chart: micro F1 with its 95% CI, one group per system, one bar per view."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = [s for s in board["systems"] if s["status"] == "ran"]
    views = [v for v in board["views"] if any(v in s["scores"] for s in systems)]
    figure, axes = plt.subplots(figsize=(max(6.0, 1.3 * len(systems) + 2), 4.2))
    width = 0.8 / max(len(views), 1)
    for offset, view in enumerate(views):
        xs, f1s, errors = [], [], [[], []]
        for index, system in enumerate(systems):
            score = system["scores"].get(view)
            if score is None:
                continue
            low, high = score["f1_ci"] or (score["f1"], score["f1"])
            xs.append(index + (offset - (len(views) - 1) / 2) * width)
            f1s.append(score["f1"])
            errors[0].append(max(score["f1"] - low, 0.0))
            errors[1].append(max(high - score["f1"], 0.0))
        axes.bar(xs, f1s, width, yerr=errors, capsize=3, label=view)
    axes.set_xticks(range(len(systems)), [s["name"] for s in systems], rotation=25, ha="right")
    axes.set_ylabel("micro F1 (95% CI)")
    axes.set_ylim(0, 1)
    axes.set_title("zhnerbench: NER baselines on the article")
    axes.legend(title="view")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
