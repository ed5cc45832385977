"""One JSON shape for scores: what ``zhnerbench evaluate --json`` writes for a view and a relation
mode, what a leaderboard record keeps, and what ``leaderboard.json`` shows.

A view's scores (:class:`ViewScoresJson`)::

    {"micro": {"precision": .., "recall": .., "f1": .., "support": .., "predicted": .., "correct": ..,
               "ci": {"precision": [low, high], "recall": [low, high], "f1": [low, high]}},
     "macro": {"precision": .., "recall": .., "f1": ..},
     "per_label": {"PERSON": {...like micro...}, ...},
     "partial_match": {"strict": {"correct": .., "incorrect": .., "partial": .., "missed": ..,
                                  "spurious": .., "precision": .., "recall": .., "f1": ..}, ...},
     "text_match": {...counts, no ci...},
     "sentence_counts": [[correct, predicted, gold], ...]}

``support`` is the number of gold items; ``ci`` is the bootstrap interval over sentences (absent
when no interval was computed, ``null`` for a ratio no resample defines); ``partial_match`` holds
nervaluate's four SemEval-2013 schemes (empty above the size where they are skipped);
``text_match`` counts (sentence, text, label) triples, CLUENER/DuIE style; ``sentence_counts``
are the micro counts per gold sentence, in document order, what paired tests between systems
resample. A relation mode's scores (:class:`RelationScoresJson`) are ``micro``,
``intra_sentence``, ``inter_sentence``, ``per_type`` (counts each) and ``evidence`` (counts, or
``null`` when the predictions give no evidence).

:data:`SCHEMA_VERSION` names this shape; ``evaluate --json``, every record and
``leaderboard.json`` state it as ``schema_version``. ``evaluate`` writes full precision; records
round every ratio to 4 decimals (:func:`rounded`), so that a rescoring reproduces them to the byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict, TypeVar, cast

from zhnerbench.counts import Counts
from zhnerbench.document import Document, Span
from zhnerbench.eval.bootstrap import Interval, PairedTest, ScoreIntervals
from zhnerbench.eval.error_analysis import GOLD_OUTCOMES, PREDICTED_OUTCOMES, error_records, outcome_counts, outcome_counts_per_label
from zhnerbench.eval.evaluation import (
    PARTIAL_SKIPPED,
    SEQEVAL,
    SPAN_SET,
    SPAN_SET_AT_SCALE,
    Evaluation,
    SentenceLocator,
    ViewEvaluation,
)
from zhnerbench.eval.relations import RelationScores

#: The version of the score shape (1: before zhnerbench 1.5, when records had their own keys).
SCHEMA_VERSION = 2
#: Decimals a record keeps of every ratio.
RECORD_DIGITS = 4


class CountsJson(TypedDict):
    """Counts and their ratios."""

    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    correct: int


class IntervalsJson(TypedDict):
    """95% intervals of the ratios; ``None`` where no bootstrap sample defines one."""

    precision: list[float] | None
    recall: list[float] | None
    f1: list[float] | None


class ScoredCountsJson(CountsJson):
    """Counts, ratios and, where computed, their intervals."""

    ci: NotRequired[IntervalsJson]


class RatiosJson(TypedDict):
    precision: float
    recall: float
    f1: float


class PartialJson(TypedDict):
    """One nervaluate scheme's counts and ratios."""

    correct: int
    incorrect: int
    partial: int
    missed: int
    spurious: int
    precision: float
    recall: float
    f1: float


class ViewScoresJson(TypedDict):
    """A view's scores (see the module doc)."""

    micro: ScoredCountsJson
    macro: RatiosJson
    per_label: dict[str, ScoredCountsJson]
    partial_match: dict[str, PartialJson]
    text_match: CountsJson
    sentence_counts: NotRequired[list[list[int]]]


class RelationScoresJson(TypedDict):
    """A relation mode's scores (see the module doc)."""

    micro: CountsJson
    intra_sentence: CountsJson
    inter_sentence: CountsJson
    per_type: dict[str, CountsJson]
    evidence: CountsJson | None


def counts_json(counts: Counts) -> CountsJson:
    """Counts and their ratios (``support`` is the number of gold items).

    >>> counts_json(Counts(1, 2, 1))["f1"]
    0.6666666666666666
    """
    return {"precision": counts.precision, "recall": counts.recall, "f1": counts.f1, "support": counts.gold,
            "predicted": counts.predicted, "correct": counts.correct}


def scored_counts_json(counts: Counts, intervals: ScoreIntervals | None) -> ScoredCountsJson:
    """Counts and ratios with their intervals, where ``intervals`` were computed.

    >>> from zhnerbench.eval.bootstrap import Interval
    >>> scored_counts_json(Counts(1, 1, 1), ScoreIntervals(None, None, Interval(0.5, 1.0)))["ci"]
    {'precision': None, 'recall': None, 'f1': [0.5, 1.0]}
    """
    data = cast(ScoredCountsJson, counts_json(counts))
    if intervals is not None:
        def bounds(interval: Interval | None) -> list[float] | None:
            return None if interval is None else [interval.low, interval.high]
        data["ci"] = {"precision": bounds(intervals.precision), "recall": bounds(intervals.recall),
                      "f1": bounds(intervals.f1)}
    return data


def f1_interval(counts: ScoredCountsJson) -> list[float] | None:
    """The F1's interval of scored counts, if one was computed.

    >>> f1_interval({"f1": 0.5, "ci": {"precision": None, "recall": None, "f1": [0.4, 0.6]}}), f1_interval({"f1": 0.5})  # type: ignore[typeddict-item]
    ([0.4, 0.6], None)
    """
    intervals = counts.get("ci")
    return intervals["f1"] if intervals is not None else None


def view_scores_json(result: ViewEvaluation, with_sentence_counts: bool = True) -> ViewScoresJson:
    """One view's scores, at full precision (:func:`rounded` for a record)."""
    macro = result.scores.macro
    scores: ViewScoresJson = {
        "micro": scored_counts_json(result.scores.micro, result.intervals.micro),
        "macro": {"precision": macro.precision, "recall": macro.recall, "f1": macro.f1},
        "per_label": {label: scored_counts_json(counts, result.intervals.per_label.get(label))
                      for label, counts in result.scores.per_label.items()},
        "partial_match": {name: cast(PartialJson, dict(vars(score))) for name, score in result.partial.items()},
        "text_match": counts_json(result.text_match),
    }
    if with_sentence_counts:
        counts = result.counts
        scores["sentence_counts"] = [[int(c), int(p), int(g)] for c, p, g in zip(
            counts.correct.sum(axis=1), counts.predicted.sum(axis=1), counts.gold.sum(axis=1), strict=True)]
    return scores


def relation_scores_json(scores: RelationScores) -> RelationScoresJson:
    """One relation mode's scores.

    >>> relation_scores_json(RelationScores("strict", Counts(1, 1, 1), {}, None))["evidence"] is None
    True
    """
    return {
        "micro": counts_json(scores.micro),
        "intra_sentence": counts_json(scores.intra),
        "inter_sentence": counts_json(scores.inter),
        "per_type": {name: counts_json(counts) for name, counts in scores.per_type.items()},
        "evidence": counts_json(scores.evidence) if scores.evidence is not None else None,
    }


Json = TypeVar("Json")


def rounded(value: Json, digits: int = RECORD_DIGITS) -> Json:
    """``value`` with every float rounded to ``digits`` decimals, at any depth (never ``-0.0``).

    >>> rounded({"f1": 0.666666, "ci": [0.1234567, -0.00001], "support": 3})
    {'f1': 0.6667, 'ci': [0.1235, 0.0], 'support': 3}
    """
    if isinstance(value, float):
        return cast(Json, round(value, digits) + 0.0)
    if isinstance(value, Mapping):
        return cast(Json, {key: rounded(item, digits) for key, item in value.items()})
    if isinstance(value, list):
        return cast(Json, [rounded(item, digits) for item in value])
    return value



def _span_json(span: Span, document: Document) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "label": span.label, "text": document.text[span.start:span.end]}


def view_to_json(result: ViewEvaluation, evaluation: Evaluation) -> dict[str, Any]:
    """One view as ``evaluate --json`` writes it: the view, its scores (:func:`view_scores_json`),
    outcome counts and every error.

    >>> from zhnerbench.eval.evaluation import evaluate
    >>> from zhnerbench.formats.prediction_files import Predictions
    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> evaluation = evaluate([doc], Predictions("p", "documents", {doc.id: (Span(15, 16, "PERSON"),)}, None), ["full"], 50)
    >>> view_to_json(evaluation.views["full"], evaluation)["errors"][0]["kind"]
    'wrong_boundary'
    """
    locate = SentenceLocator(evaluation.documents)
    errors = []
    for record in error_records(result.analysis):
        document = evaluation.documents[record.document]
        first = record.predicted if record.predicted is not None else record.gold[0]
        ref = evaluation.sentences[locate(record.document, first)]
        errors.append({
            "kind": record.kind,
            "sentence": ref.id,
            "sentence_text": ref.text,
            "predicted": _span_json(record.predicted, document) if record.predicted is not None else None,
            "gold": [_span_json(span, document) for span in record.gold],
        })
    return {
        "description": result.view.description,
        "convention": result.view.convention,
        "scorer": result.scorer,
        "labels": list(result.view.labels),
        **view_scores_json(result),
        "partial_match_note": None if result.partial else PARTIAL_SKIPPED,
        "outcomes": {
            "gold": outcome_counts(result.analysis.gold, GOLD_OUTCOMES),
            "predicted": outcome_counts(result.analysis.predicted, PREDICTED_OUTCOMES),
            "gold_per_label": outcome_counts_per_label(result.analysis.gold, GOLD_OUTCOMES),
            "predicted_per_label": outcome_counts_per_label(result.analysis.predicted, PREDICTED_OUTCOMES),
        },
        "errors": errors,
    }


def evaluation_to_json(evaluation: Evaluation, comparisons: Mapping[str, PairedTest] | None = None,
                       compared_file: str | None = None) -> dict[str, Any]:
    """The whole evaluation as a JSON-serialisable dict (what ``--json`` writes).

    >>> from zhnerbench.eval.evaluation import evaluate
    >>> from zhnerbench.formats.prediction_files import Predictions
    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> data = evaluation_to_json(evaluate([doc], Predictions("p", "documents", {doc.id: ()}, None), ["full"], 50))
    >>> data["schema_version"], data["gold"], data["views"]["full"]["micro"]["recall"]
    (2, {'documents': 1, 'sentences': 2, 'mentions': 1, 'inner_mentions': 0, 'relations': 0}, 0.0)
    """
    first = next(iter(evaluation.views.values()), None)
    intervals = first.intervals if first is not None else None
    documents = evaluation.documents
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "predictions": evaluation.predictions.file,
        "format": evaluation.predictions.format,
        "gold": {
            "documents": len(documents),
            "sentences": len(evaluation.sentences),
            "mentions": sum(len(d.mentions) for d in documents),
            "inner_mentions": sum(len(d.inner_mentions) for d in documents),
            "relations": sum(len(d.relations) for d in documents),
        },
        "scoring": {
            "ner": {"flat and outermost views": SEQEVAL, "nested views": SPAN_SET, "at scale": SPAN_SET_AT_SCALE,
                    "partial_match": "nervaluate, SemEval-2013 schemes (strict, exact, partial, type)"},
            "bootstrap": {
                "unit": "sentence",
                "samples": intervals.samples if intervals else None,
                "seed": intervals.seed if intervals else None,
                "confidence": intervals.confidence if intervals else None,
            },
        },
        "lenient_readings": list(evaluation.predictions.lenient_readings),
        "views": {name: view_to_json(result, evaluation) for name, result in evaluation.views.items()},
        "relations": ({mode: relation_scores_json(scores) for mode, scores in evaluation.relations.items()}
                      if evaluation.relations is not None else None),
    }
    if comparisons is not None:
        data["comparison"] = {
            "against": compared_file,
            "test": "paired bootstrap over sentences; p = fraction of samples where A's micro F1 <= B's",
            "views": {
                name: {"f1_a": t.f1_a, "f1_b": t.f1_b, "difference": t.difference, "p_value": t.p_value,
                       "samples": t.samples, "seed": t.seed}
                for name, t in comparisons.items()
            },
        }
    return data
