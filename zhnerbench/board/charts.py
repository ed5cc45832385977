"""The board's charts as PNG: F1 per system and view, and the trained baselines' learning curves.

Pure functions of the board; the PNG carries no software version or date, so the same board
gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhnerbench.board.markdown import trained_systems

def ranked_systems(board: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The systems that ran, best first: by their best F1 in any view, then by name.

    >>> board = {"systems": [{"name": "a", "status": "ran", "scores": {"coarse": {"f1": 0.5}}},
    ...                      {"name": "b", "status": "ran", "scores": {"coarse": {"f1": 0.7}}},
    ...                      {"name": "c", "status": "unavailable", "scores": {}}]}
    >>> [system["name"] for system in ranked_systems(board)]
    ['b', 'a']
    """
    def best(system: Mapping[str, Any]) -> float:
        return max((score["f1"] for score in system["scores"].values()), default=0.0)

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


def learning_curve_png(board: Mapping[str, Any]) -> bytes:
    """MSRA test F1 against training time for each trained system (one point per curve step,
    the dev-selected one circled). Same board, same bytes."""
    plt = _pyplot()

    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    for system in sorted(trained_systems(board), key=lambda s: s["name"]):
        training = system["training"]
        curve = training.get("curve") or []
        if not curve:
            continue
        minutes = [point["training_seconds"] / 60 for point in curve]
        line, = axes.plot(minutes, [point["test_f1"] for point in curve], marker=".", label=system["name"])
        chosen = [point for point in curve if point["step"] == training["selected"]]
        for point in chosen:
            axes.plot([point["training_seconds"] / 60], [point["test_f1"]], marker="o", markersize=10,
                      fillstyle="none", color=line.get_color())
    axes.set_xlabel("training time (minutes, CPU)")
    axes.set_ylabel("MSRA NER test F1 (exact spans)")
    axes.set_title("Trained baselines: learning curves (circled: the model dev selected)")
    axes.grid(alpha=0.3)
    if axes.lines:
        axes.legend(loc="lower right")
    return _png_bytes(figure)


def leaderboard_png(board: Mapping[str, Any]) -> bytes:
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
            low, high = score["f1_ci"] or (score["f1"], score["f1"])
            xs.append(index + (offset - (len(views) - 1) / 2) * width)
            f1s.append(score["f1"])
            errors[0].append(max(score["f1"] - low, 0.0))
            errors[1].append(max(high - score["f1"], 0.0))
        axes.bar(xs, f1s, width, yerr=errors, capsize=3, label=view)
    axes.set_xticks(range(len(systems)), [s["name"] for s in systems], rotation=25, ha="right")
    axes.set_ylabel("micro F1 (95% CI)")
    axes.set_ylim(0, 1)
    axes.set_title("zhnerbench: NER systems on the article, best first")
    if views:
        axes.legend(title="view")
    return _png_bytes(figure)
