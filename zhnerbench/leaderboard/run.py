"""Running the systems and scoring them: the leaderboard's data, as one JSON-ready dict.

Each NER baseline is loaded and run over the article (through its adapter, see
``zhnerbench.baselines``), its mentions are written as a prediction file in the
``documents`` format, and that file is read back and scored with
``zhnerbench.eval`` exactly as ``zhnerbench evaluate`` would score it, in the views
the system declares. The relation baselines run on the gold entities and on each
NER system's predicted entities, and are scored in the ``strict`` and ``text``
modes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import BaselineUnavailable, Tagger, one_line, run_timed
from zhnerbench.baselines.relations_cooccurrence import predict_cooccurrence
from zhnerbench.baselines.relations_patterns import predict_patterns
from zhnerbench.errors import ZhNerBenchError
from zhnerbench.eval.evaluation import ViewEvaluation, evaluate, select_views
from zhnerbench.eval.readers import read_predictions
from zhnerbench.eval.relations import MODES, score_relations
from zhnerbench.formats.predictions import documents_jsonl
from zhnerbench.model import Document, PredictedRelation, Span
from zhnerbench.views import VIEWS

#: The views as 1.0.0 scored them: ``coarse`` kept the flat layer (no place inside an event).
LEGACY_VIEWS = {"coarse": replace(VIEWS["coarse"], convention="flat")}

#: name -> function(text, sentences, mentions) of the relation baselines.
RELATION_BASELINES: dict[str, Callable[..., list[PredictedRelation]]] = {
    "cooccurrence": predict_cooccurrence,
    "patterns": predict_patterns,
}
GOLD_ENTITIES = "gold"


@dataclass
class SystemRun:
    """One NER system's outcome: scores and costs, or why it did not run."""

    name: str
    status: str  # "ran", "unavailable" (cannot run here) or "failed" (crashed, or invalid output)
    version: str = ""
    requires: str = ""
    reason: str = ""
    views: tuple[str, ...] = ()
    load_seconds: float = 0.0
    predict_seconds: float = 0.0
    unload_seconds: float = 0.0
    chars_per_second: float = 0.0
    training: dict[str, Any] | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    legacy_scores: dict[str, Any] = field(default_factory=dict)
    spans: tuple[Span, ...] = ()


def predictions_path(directory: Path, system: str) -> Path:
    """Where a system's predictions go; relation runs are named ``relations-BASELINE-on-ENTITIES``.

    >>> predictions_path(Path("results/predictions"), "jieba-posseg").as_posix()
    'results/predictions/jieba-posseg.jsonl'
    """
    return directory / f"{system}.jsonl"


def _round(value: float) -> float:
    return round(value, 4)


def view_scores_json(result: ViewEvaluation) -> dict[str, Any]:
    """The leaderboard's view of one ``ViewEvaluation``: micro P/R/F1, the F1 CI, per-label F1,
    and the partial-match F1s."""
    micro, interval = result.scores.micro, result.intervals.micro.f1
    return {
        "precision": _round(micro.precision),
        "recall": _round(micro.recall),
        "f1": _round(micro.f1),
        "f1_ci": [_round(interval.low), _round(interval.high)] if interval else None,
        "support": micro.gold,
        "predicted": micro.predicted,
        "correct": micro.correct,
        "per_label_f1": {label: _round(score.f1) for label, score in result.scores.per_label.items()},
        "partial_f1": {name: _round(score.f1) for name, score in result.partial.items()},
    }


def training_json(tagger: Tagger) -> dict[str, Any] | None:
    info = getattr(tagger, "info", None)
    if info is None:
        return None
    return {
        "msra_test_precision": _round(info.msra_test_precision),
        "msra_test_recall": _round(info.msra_test_recall),
        "msra_test_f1": _round(info.msra_test_f1),
        "msra_test_sentences": info.msra_test_sentences,
        "train_sentences": info.train_sentences,
        "training_seconds": round(info.training_seconds, 1),
        "msra_origin": info.msra_origin,
    }


def unavailable_reason(error: BaselineUnavailable, tagger: Tagger) -> str:
    """The reason a system did not run, without the install hint (shown apart) or the user's home path.

    >>> class T: requires = "pip install x"
    >>> unavailable_reason(BaselineUnavailable("model absent: pip install x"), T())
    'model absent'
    """
    reason = str(error).replace(str(Path.home()), "~")
    return reason.removesuffix(f": {tagger.requires}")


def run_system(tagger: Tagger, gold: Document, directory: Path, samples: int, seed: int) -> SystemRun:
    """Run one tagger over the article, write its predictions, score them in its views."""
    started = time.perf_counter()
    try:
        timed = run_timed(tagger, gold.text)
    except BaselineUnavailable as error:
        # The failed attempt is the system's own load time, not the harness's.
        return SystemRun(tagger.name, "unavailable", tagger.version, tagger.requires, unavailable_reason(error, tagger),
                         tuple(tagger.views), load_seconds=time.perf_counter() - started)
    except Exception as error:  # a tagger's own bug must not end the whole leaderboard
        return SystemRun(tagger.name, "failed", tagger.version, tagger.requires, f"crashed: {one_line(error)}",
                         tuple(tagger.views), load_seconds=time.perf_counter() - started)
    path = predictions_path(directory, tagger.name)
    try:
        path.write_text(documents_jsonl([gold], {gold.id: timed.spans}, with_relations=False), encoding="utf-8")
        predictions = read_predictions(path, [gold], format="documents")
        select_views(predictions, [VIEWS[name] for name in tagger.views])
    except ZhNerBenchError as error:  # e.g. overlapping spans in a view that cannot score them
        path.unlink(missing_ok=True)
        return SystemRun(tagger.name, "failed", timed.version, tagger.requires, f"invalid output: {error}",
                         tuple(tagger.views), load_seconds=timed.load_seconds, predict_seconds=timed.predict_seconds)
    evaluation = evaluate([gold], predictions, views=tagger.views, samples=samples, seed=seed)
    legacy = [view for name, view in LEGACY_VIEWS.items() if name in tagger.views]
    legacy_evaluation = evaluate([gold], predictions, views=legacy, samples=samples, seed=seed) if legacy else None
    return SystemRun(
        tagger.name, "ran", timed.version, tagger.requires, "", tuple(tagger.views),
        load_seconds=timed.load_seconds, predict_seconds=timed.predict_seconds,
        chars_per_second=timed.chars_per_second, training=training_json(tagger),
        scores={view: view_scores_json(result) for view, result in evaluation.views.items()},
        legacy_scores={view: view_scores_json(result) for view, result in legacy_evaluation.views.items()}
        if legacy_evaluation else {},
        spans=tuple(sorted(predictions.spans[gold.id])),
    )


def run_relations(
    gold: Document, entity_sources: Sequence[tuple[str, Sequence[Span]]], directory: Path
) -> list[dict[str, Any]]:
    """Every relation baseline on every entity source (gold, then each NER system's output)."""
    rows = []
    for baseline, predict in RELATION_BASELINES.items():
        for source, spans in entity_sources:
            started = time.perf_counter()
            predicted = predict(gold.text, gold.sentences, list(spans))
            seconds = time.perf_counter() - started
            path = predictions_path(directory, f"relations-{baseline}-on-{source}")
            path.write_text(
                documents_jsonl([gold], {gold.id: spans}, {gold.id: predicted}), encoding="utf-8"
            )
            read_back = read_predictions(path, [gold], format="documents").relations or {}
            row: dict[str, Any] = {"baseline": baseline, "entities": source, "predicted": len(predicted),
                                   "seconds": round(seconds, 4)}
            for mode in MODES:
                scores = score_relations([(gold, read_back[gold.id])], mode)
                row[mode] = {
                    "precision": _round(scores.micro.precision),
                    "recall": _round(scores.micro.recall),
                    "f1": _round(scores.micro.f1),
                    "per_type_f1": {name: _round(s.f1) for name, s in scores.per_type.items()},
                }
            rows.append(row)
    return rows
