"""The board's charts as PNG: F1 per system and view, and the trained baselines' learning curves.

Pure functions of the board; the PNG carries no software version or date, so the same board
gives the same bytes.
"""

from __future__ import annotations

from typing import Any

from zhnerbench.board.assemble import Board, SystemEntry
from zhnerbench.board.tables import trained_systems
from zhnerbench.eval.score_json import f1_interval


def ranked_systems(board: Board) -> list[SystemEntry]:
    """The systems that ran, best first: by their best F1 in any view, then by name.

    >>> board = {"systems": [{"name": "a", "status": "ran", "scores": {"coarse": {"micro": {"f1": 0.5}}}},
    ...                      {"name": "b", "status": "ran", "scores": {"coarse": {"micro": {"f1": 0.7}}}},
    ...                      {"name": "c", "status": "unavailable", "scores": {}}]}
    >>> [system["name"] for system in ranked_systems(board)]  # type: ignore[arg-type]
    ['b', 'a']
    """
    def best(system: SystemEntry) -> float:
        return max((score["micro"]["f1"] for score in system["scores"].values()), default=0.0)

    return sorted((s for s in board["systems"] if s["status"] == "ran"), key=lambda s: (-best(s), s["name"]))


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display: the charts are files
    import matplotlib.pyplot as plt

    return plt


def _png_bytes(figure: Any) -> bytes:
    """The figure as PNG without software version or date, so that the same board gives the same bytes."""
    import io

    import matplotlib.pyplot as plt

    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def learning_curve_png(board: Board) -> bytes:
    """MSRA test F1 against training time for each trained system (one point per curve step,
    the dev-selected one circled). Same board, same bytes."""
    plt = _pyplot()

    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    for system in sorted(trained_systems(board), key=lambda s: s["name"]):
        training = system["training"] or {}
        curve = training.get("curve") or []
        if not curve:
            continue
        minutes = [point.get("training_seconds", 0.0) / 60 for point in curve]
        line, = axes.plot(minutes, [point.get("test_f1") for point in curve], marker=".", label=system["name"])
        chosen = [point for point in curve if point.get("step") == training.get("selected")]
        for point in chosen:
            axes.plot([point.get("training_seconds", 0.0) / 60], [point.get("test_f1")], marker="o", markersize=10,
                      fillstyle="none", color=line.get_color())
    axes.set_xlabel("training time (minutes, CPU)")
    axes.set_ylabel("MSRA NER test F1 (exact spans)")
    axes.set_title("Trained baselines: learning curves (circled: the model dev selected)")
    axes.grid(alpha=0.3)
    if axes.lines:
        axes.legend(loc="lower right")
    return _png_bytes(figure)


def leaderboard_png(board: Board) -> bytes:
    """Grouped bar chart, best system first: micro F1 with its 95% CI, one bar per view.

    The PNG carries no software version or date, so the same board gives the same bytes.
    """
    plt = _pyplot()

    systems = ranked_systems(board)
    views = [v for v in board["views"] if any(v in s["scores"] for s in systems)]
    figure, axes = plt.subplots(figsize=(max(6.0, 1.3 * len(systems) + 2), 4.2))
    width = 0.8 / max(len(views), 1)
    for offset, view in enumerate(views):
        xs: list[float] = []
        f1s: list[float] = []
        errors: list[list[float]] = [[], []]
        for index, system in enumerate(systems):
            score = system["scores"].get(view)
            if score is None:
                continue
            f1 = score["micro"]["f1"]
            low, high = f1_interval(score["micro"]) or (f1, f1)
            xs.append(index + (offset - (len(views) - 1) / 2) * width)
            f1s.append(f1)
            errors[0].append(max(f1 - low, 0.0))
            errors[1].append(max(high - f1, 0.0))
        axes.bar(xs, f1s, width, yerr=errors, capsize=3, label=view)
    axes.set_xticks(range(len(systems)), [s["name"] for s in systems], rotation=25, ha="right")
    axes.set_ylabel("micro F1 (95% CI)")
    axes.set_ylim(0, 1)
    axes.set_title("zhnerbench: NER systems on the article, best first")
    if views:
        axes.legend(title="view")
    return _png_bytes(figure)
