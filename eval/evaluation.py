"""One evaluation: a prediction file scored against the gold in one or more label views.

For each view, the gold and the predicted spans are projected into the view,
grouped per sentence, encoded as IOB2 and scored by seqeval (strict); the same
spans, as entity tuples, feed the per-sentence counts of the bootstrap and the
error analysis. Relations (when the file has them) do not depend on the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from zhnerbench.eval.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    BootstrapIntervals,
    PairedTest,
    SentenceCounts,
    bootstrap_intervals,
    paired_bootstrap,
    sentence_counts,
)
from zhnerbench.eval.errors_analysis import (
    GOLD_OUTCOMES,
    PREDICTED_OUTCOMES,
    ErrorAnalysis,
    analyse_errors,
    error_records,
    outcome_counts,
    outcome_counts_per_label,
)
from zhnerbench.eval.exceptions import PredictionFormatError
from zhnerbench.eval.ner import Entity, NerScores, Score, seqeval_scores
from zhnerbench.eval.offsets import spans_by_sentence
from zhnerbench.eval.readers import Predictions
from zhnerbench.eval.relations import MODES, RelationScores, score_relations
from zhnerbench.eval.tags import sentence_id, spans_to_iob2
from zhnerbench.eval.views import VIEWS, View, can_read_label, known_labels, project_predicted_spans, project_spans, scorable_views
from zhnerbench.model import Document, Sentence, Span


@dataclass(frozen=True)
class SentenceRef:
    """A sentence of the evaluation, in gold order across documents."""

    document: Document
    sentence: Sentence

    @property
    def id(self) -> str:
        return sentence_id(self.document.id, self.sentence.index)

    @property
    def text(self) -> str:
        return self.document.text[self.sentence.start:self.sentence.end]


def sentence_refs(gold: Sequence[Document]) -> tuple[SentenceRef, ...]:
    """Every gold sentence, documents in order.

    >>> from zhnerbench.corpus.store import document_from_text
    >>> [ref.id for ref in sentence_refs([document_from_text("标题 2022年07月22日\\n甲。乙。")])]
    ['000_e491b11e84c79d89-000', '000_e491b11e84c79d89-001', '000_e491b11e84c79d89-002']
    """
    return tuple(SentenceRef(document, sentence) for document in gold for sentence in document.sentences)


@dataclass(frozen=True)
class ViewEvaluation:
    """Scores, intervals, counts and error analysis of one view."""

    view: View
    scores: NerScores
    intervals: BootstrapIntervals
    counts: SentenceCounts
    analysis: ErrorAnalysis
    gold_spans: tuple[tuple[Span, ...], ...]
    predicted_spans: tuple[tuple[Span, ...], ...]


@dataclass(frozen=True)
class Evaluation:
    """A prediction file scored in some views, with relation scores when it has relations."""

    predictions: Predictions
    sentences: tuple[SentenceRef, ...]
    views: Mapping[str, ViewEvaluation]
    relations: Mapping[str, RelationScores] | None


def select_views(predictions: Predictions, requested: str | None = None) -> tuple[str, ...]:
    """The views to score a file in: ``requested``, or every view it can be scored in when ``None``.

    Raises :class:`PredictionFormatError` when the requested view cannot read
    the file's labels, or when no view can (labels from incompatible views).

    >>> coarse = Predictions("p.jsonl", "documents", {"d": (Span(0, 2, "PER"),)}, None)
    >>> select_views(coarse)
    ('coarse',)
    >>> select_views(coarse, "full")
    Traceback (most recent call last):
    ...
    zhnerbench.eval.exceptions.PredictionFormatError: p.jsonl: cannot be scored in view 'full': it predicts PER (views this file can be scored in: coarse)
    """
    labels = predictions.labels
    unknown = labels - known_labels()
    if unknown:
        raise PredictionFormatError(predictions.file, None, f"unknown label(s) {', '.join(sorted(unknown))}")
    possible = scorable_views(labels)
    if requested is not None:
        if requested not in VIEWS:
            raise PredictionFormatError(predictions.file, None, f"unknown view {requested!r} (views: {', '.join(VIEWS)})")
        if requested not in possible:
            foreign = sorted(label for label in labels if not can_read_label(label, VIEWS[requested]))
            raise PredictionFormatError(
                predictions.file, None,
                f"cannot be scored in view {requested!r}: it predicts {', '.join(foreign)} "
                f"(views this file can be scored in: {', '.join(possible) or 'none'})",
            )
        return (requested,)
    if not possible:
        raise PredictionFormatError(
            predictions.file, None, f"no view can score the labels {', '.join(sorted(labels))} together"
        )
    return possible


def _entities(groups: Sequence[Sequence[Span]]) -> set[Entity]:
    return {(index, span.label, span.start, span.end) for index, spans in enumerate(groups) for span in spans}


def evaluate_view(
    gold: Sequence[Document],
    predictions: Predictions,
    view: View,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ViewEvaluation:
    """Score the predictions in one view (see the module doc).

    >>> from dataclasses import replace
    >>> from zhnerbench.corpus.store import document_from_text
    >>> from zhnerbench.model import Mention
    >>> doc = replace(document_from_text("标题 2022年07月22日\\n张为出席。"), mentions=(Mention("M001", 15, 17, "PERSON", "E001", "张为"),))
    >>> result = evaluate_view([doc], Predictions("p", "documents", {doc.id: (Span(15, 17, "PER"),)}, None), VIEWS["coarse"], 50)
    >>> result.scores.micro.f1, result.gold_spans[1]
    (1.0, (Span(start=0, end=2, label='PER'),))
    """
    gold_groups: list[tuple[Span, ...]] = []
    predicted_groups: list[tuple[Span, ...]] = []
    lengths: list[int] = []
    for document in gold:
        gold_groups += map(tuple, spans_by_sentence(document.sentences, project_spans(document.spans, view)))
        predicted = project_predicted_spans(predictions.spans.get(document.id, ()), view)
        predicted_groups += map(tuple, spans_by_sentence(document.sentences, predicted))
        lengths += [sentence.end - sentence.start for sentence in document.sentences]
    scores = seqeval_scores(
        [spans_to_iob2(spans, length) for spans, length in zip(gold_groups, lengths)],
        [spans_to_iob2(spans, length) for spans, length in zip(predicted_groups, lengths)],
    )
    counts = sentence_counts(_entities(gold_groups), _entities(predicted_groups), len(lengths), view.labels)
    intervals = bootstrap_intervals(counts, samples, seed, confidence)
    analysis = analyse_errors(gold_groups, predicted_groups)
    return ViewEvaluation(view, scores, intervals, counts, analysis, tuple(gold_groups), tuple(predicted_groups))


def evaluate(
    gold: Sequence[Document],
    predictions: Predictions,
    views: Sequence[str] | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Evaluation:
    """Score ``predictions`` in ``views`` (default: every view the file can be scored in).

    >>> from dataclasses import replace
    >>> from zhnerbench.corpus.store import document_from_text
    >>> from zhnerbench.model import Mention
    >>> doc = replace(document_from_text("标题 2022年07月22日\\n张为出席。"), mentions=(Mention("M001", 15, 17, "PERSON", "E001", "张为"),))
    >>> evaluation = evaluate([doc], Predictions("p", "documents", {doc.id: (Span(15, 17, "ORG"),)}, None), samples=50)
    >>> {name: result.scores.micro.f1 for name, result in evaluation.views.items()}, evaluation.relations
    ({'full': 0.0, 'ontonotes': 0.0, 'coarse': 0.0}, None)
    """
    names = tuple(views) if views is not None else select_views(predictions)
    results = {name: evaluate_view(gold, predictions, VIEWS[name], samples, seed, confidence) for name in names}
    relations = None
    if predictions.relations is not None:
        pairs = [(document, predictions.relations.get(document.id, ())) for document in gold]
        relations = {mode: score_relations(pairs, mode) for mode in MODES}
    return Evaluation(predictions, sentence_refs(gold), results, relations)


def compare_evaluations(
    a: Evaluation, b: Evaluation, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
) -> dict[str, PairedTest]:
    """Paired bootstrap tests (A better than B) in every view both were scored in.

    >>> from dataclasses import replace
    >>> from zhnerbench.corpus.store import document_from_text
    >>> from zhnerbench.model import Mention
    >>> doc = replace(document_from_text("标题 2022年07月22日\\n张为出席。"), mentions=(Mention("M001", 15, 17, "PERSON", "E001", "张为"),))
    >>> a = evaluate([doc], Predictions("a", "documents", {doc.id: (Span(15, 17, "PER"),)}, None), ["coarse"], 50)
    >>> b = evaluate([doc], Predictions("b", "documents", {doc.id: ()}, None), ["coarse", "full"], 50)
    >>> compare_evaluations(a, b, 50)["coarse"].p_value  # ties when a sample misses sentence 1
    0.24
    """
    return {
        name: paired_bootstrap(a.views[name].counts, b.views[name].counts, samples, seed)
        for name in a.views
        if name in b.views
    }


def score_to_json(score: Score) -> dict[str, Any]:
    """A score as a JSON object.

    >>> score_to_json(Score(0.5, 1.0, 0.6666666666666666, 1, 2, 1))["f1"]
    0.6666666666666666
    """
    return {
        "precision": score.precision,
        "recall": score.recall,
        "f1": score.f1,
        "support": score.support,
        "predicted": score.predicted,
        "correct": score.correct,
    }


def _span_json(span: Span, ref: SentenceRef) -> dict[str, Any]:
    return {
        "start": span.start + ref.sentence.start,
        "end": span.end + ref.sentence.start,
        "label": span.label,
        "text": ref.text[span.start:span.end],
    }


def view_to_json(result: ViewEvaluation, sentences: Sequence[SentenceRef]) -> dict[str, Any]:
    """One view's results as JSON: scores with intervals, outcome counts and every error.

    >>> from dataclasses import replace
    >>> from zhnerbench.corpus.store import document_from_text
    >>> from zhnerbench.model import Mention
    >>> doc = replace(document_from_text("标题 2022年07月22日\\n张为出席。"), mentions=(Mention("M001", 15, 17, "PERSON", "E001", "张为"),))
    >>> result = evaluate_view([doc], Predictions("p", "documents", {doc.id: (Span(15, 16, "PERSON"),)}, None), VIEWS["full"], 50)
    >>> view_to_json(result, sentence_refs([doc]))["errors"][0]["kind"]
    'wrong_boundary'
    """
    intervals = result.intervals

    def with_interval(score: Score, interval: Any) -> dict[str, Any]:
        data = score_to_json(score)
        if interval is not None:
            data["ci"] = {
                name: None if getattr(interval, name) is None else [getattr(interval, name).low, getattr(interval, name).high]
                for name in ("precision", "recall", "f1")
            }
        return data

    errors = []
    for record in error_records(result.analysis):
        ref = sentences[record.sentence]
        errors.append(
            {
                "kind": record.kind,
                "sentence": ref.id,
                "sentence_text": ref.text,
                "predicted": _span_json(record.predicted, ref) if record.predicted is not None else None,
                "gold": [_span_json(span, ref) for span in record.gold],
            }
        )
    return {
        "description": result.view.description,
        "labels": list(result.view.labels),
        "micro": with_interval(result.scores.micro, intervals.micro),
        "macro": score_to_json(result.scores.macro),
        "per_label": {
            label: with_interval(score, intervals.per_label.get(label)) for label, score in result.scores.per_label.items()
        },
        "outcomes": {
            "gold": outcome_counts(result.analysis.gold, GOLD_OUTCOMES),
            "predicted": outcome_counts(result.analysis.predicted, PREDICTED_OUTCOMES),
            "gold_per_label": outcome_counts_per_label(result.analysis.gold, GOLD_OUTCOMES),
            "predicted_per_label": outcome_counts_per_label(result.analysis.predicted, PREDICTED_OUTCOMES),
        },
        "errors": errors,
    }


def relations_to_json(scores: RelationScores) -> dict[str, Any]:
    """One relation mode's scores as JSON.

    >>> relations_to_json(RelationScores("strict", Score(1.0, 1.0, 1.0, 1, 1, 1), {}, None))["evidence"] is None
    True
    """
    return {
        "micro": score_to_json(scores.micro),
        "per_type": {name: score_to_json(score) for name, score in scores.per_type.items()},
        "evidence": score_to_json(scores.evidence) if scores.evidence is not None else None,
    }


def evaluation_to_json(evaluation: Evaluation, comparisons: Mapping[str, PairedTest] | None = None,
                       compared_file: str | None = None) -> dict[str, Any]:
    """The whole evaluation as a JSON-serialisable dict (what ``--json`` writes).

    >>> from dataclasses import replace
    >>> from zhnerbench.corpus.store import document_from_text
    >>> from zhnerbench.model import Mention
    >>> doc = replace(document_from_text("标题 2022年07月22日\\n张为出席。"), mentions=(Mention("M001", 15, 17, "PERSON", "E001", "张为"),))
    >>> data = evaluation_to_json(evaluate([doc], Predictions("p", "documents", {doc.id: ()}, None), ["full"], 50))
    >>> data["gold"], data["views"]["full"]["micro"]["recall"]
    ({'documents': 1, 'sentences': 2, 'mentions': 1, 'relations': 0}, 0.0)
    """
    first = next(iter(evaluation.views.values()), None)
    intervals = first.intervals if first is not None else None
    gold_documents = {ref.document.id: ref.document for ref in evaluation.sentences}
    data: dict[str, Any] = {
        "predictions": evaluation.predictions.file,
        "format": evaluation.predictions.format,
        "gold": {
            "documents": len(gold_documents),
            "sentences": len(evaluation.sentences),
            "mentions": sum(len(d.mentions) for d in gold_documents.values()),
            "relations": sum(len(d.relations) for d in gold_documents.values()),
        },
        "scoring": {
            "ner": "seqeval strict, IOB2, exact match",
            "bootstrap": {
                "unit": "sentence",
                "samples": intervals.samples if intervals else None,
                "seed": intervals.seed if intervals else None,
                "confidence": intervals.confidence if intervals else None,
            },
        },
        "lenient_readings": list(evaluation.predictions.lenient_readings),
        "views": {name: view_to_json(result, evaluation.sentences) for name, result in evaluation.views.items()},
        "relations": (
            {mode: relations_to_json(scores) for mode, scores in evaluation.relations.items()}
            if evaluation.relations is not None
            else None
        ),
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
