"""One evaluation: a prediction file scored against the gold in one or more views.

For each view, the gold spans the view keeps (its convention over the nested gold)
and the predicted spans it keeps (the same convention over the predictions) are
compared per document, in document offsets:

* views whose spans do not overlap (``flat``, ``outermost``) are scored by seqeval's
  strict IOB2 entity extraction (one tag sequence per document), so a predicted span
  that crosses a sentence boundary is scored as it is (it can only be wrong); on a
  corpus of more than :data:`~zhnerbench.eval.ner.SEQEVAL_MAX_CHARACTERS` characters
  the span-set scorer stands in for it (the tests prove the two equal);
* the ``nested`` view, whose spans overlap, by exact span-set matching.

The same spans, as entity tuples, feed the per-sentence counts of the bootstrap
(a span counts in the sentence it starts in), the error analysis and the
partial-match schemes (skipped, with a note, above the same size: nervaluate's
matching is quadratic per sentence and slow at scale). Relations (when the file has
them) do not depend on the view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zhnerbench.exceptions import PredictionFormatError, ViewError
from zhnerbench.eval.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    BootstrapIntervals,
    PairedTest,
    Resampling,
    SentenceCounts,
    bootstrap_intervals,
    paired_bootstrap,
    sentence_counts,
)
from zhnerbench.eval.error_analysis import (
    ErrorAnalysis,
    analyse_errors,
)
from zhnerbench.eval.ner import SEQEVAL_MAX_CHARACTERS, EntityTuple, NerScores, seqeval_scores, span_set_scores
from zhnerbench.eval.partial import PartialScore, partial_scores
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.eval.relations import MODES, RelationScores, score_relations
from zhnerbench.counts import Counts
from zhnerbench.document import Document, Sentence, Span
from zhnerbench.offsets import sentence_at
from zhnerbench.tag_schemes import sentence_id, spans_to_tags
from zhnerbench.views import (
    VIEWS,
    View,
    can_read_label,
    default_views,
    gold_spans,
    keep_by_convention,
    known_labels,
    predicted_mapping,
    scorable_views,
)

SEQEVAL = "seqeval strict IOB2, exact match"
SPAN_SET = "exact span-set match (start, end, label)"
SPAN_SET_AT_SCALE = (f"exact span-set match (start, end, label), standing in for seqeval strict IOB2 above "
                     f"{SEQEVAL_MAX_CHARACTERS:,} characters (the same numbers)")
PARTIAL_SKIPPED = f"partial-match schemes skipped above {SEQEVAL_MAX_CHARACTERS:,} characters"


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

    >>> from zhnerbench.gold.article import document_from_text
    >>> [ref.id for ref in sentence_refs([document_from_text("标题 2022年07月22日\\n甲。乙。")])]
    ['000_e491b11e84c79d89-000', '000_e491b11e84c79d89-001', '000_e491b11e84c79d89-002']
    """
    return tuple(SentenceRef(document, sentence) for document in gold for sentence in document.sentences)


class SentenceLocator:
    """The global index (over all documents) of the sentence a span of a document counts in."""

    def __init__(self, gold: Sequence[Document]) -> None:
        self.first: list[int] = []
        self.starts: list[list[int]] = []
        count = 0
        for document in gold:
            self.first.append(count)
            self.starts.append([sentence.start for sentence in document.sentences])
            count += len(document.sentences)

    def __call__(self, document: int, span: Span) -> int:
        return self.first[document] + sentence_at(self.starts[document], span.start)


@dataclass(frozen=True)
class ViewEvaluation:
    """Scores, intervals, counts, error analysis and partial-match scores of one view;
    spans are per document, in document offsets and the view's labels."""

    view: View
    scorer: str
    scores: NerScores
    intervals: BootstrapIntervals
    counts: SentenceCounts
    analysis: ErrorAnalysis
    partial: Mapping[str, PartialScore]
    gold_spans: tuple[tuple[Span, ...], ...]
    predicted_spans: tuple[tuple[Span, ...], ...]
    #: CLUENER / DuIE-style text match: (sentence, text, label) triples, each once per sentence.
    text_match: Counts = Counts()

    @property
    def partial_summary(self) -> str:
        """The partial-match F1s in one phrase, or why there are none.

        >>> ViewEvaluation(*[None] * 6, {}, (), ()).partial_summary
        'partial-match schemes skipped above 200,000 characters'
        """
        if not self.partial:
            return PARTIAL_SKIPPED
        return ", ".join(f"{name} {score.f1:.3f}" for name, score in self.partial.items())


@dataclass(frozen=True)
class Evaluation:
    """A prediction file scored in some views, with relation scores when it has relations."""

    predictions: Predictions
    documents: tuple[Document, ...]
    sentences: tuple[SentenceRef, ...]
    views: Mapping[str, ViewEvaluation]
    relations: Mapping[str, RelationScores] | None


def structure_problem(predictions: Predictions, view: View) -> tuple[int | None, str] | None:
    """Why the predictions' nested spans cannot be scored in ``view`` (line and message), if so.

    >>> p = Predictions("p", "documents", {"d": (Span(0, 5, "EVENT"), Span(0, 2, "GPE"))}, None)
    >>> structure_problem(p, VIEWS["coarse"]) is None
    True
    """
    if view.convention != "flat":
        return None
    for document, overlap in (predictions.overlaps or {}).items():
        return overlap.line, (f"document {document}: {overlap.message}: view {view.name!r} (flat convention) cannot "
                              "score overlapping predictions (nested spans are scored in outermost and nested views)")
    return None


def select_views(
    predictions: Predictions, requested: Sequence[View] | None = None, available: Mapping[str, View] = VIEWS
) -> tuple[View, ...]:
    """The views to score a file in: ``requested``, or every view of ``available`` whose labels
    and convention can score it when ``None``.

    Raises :class:`PredictionFormatError` when a requested view cannot read the file's
    labels or its overlapping spans, or when no view can.

    >>> coarse = Predictions("p.jsonl", "documents", {"d": (Span(0, 2, "PER"),)}, None)
    >>> [view.name for view in select_views(coarse)]
    ['coarse']
    >>> select_views(coarse, [VIEWS["full"]])
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.PredictionFormatError: p.jsonl: cannot be scored in view 'full': it predicts PER (views this file can be scored in: coarse)
    """
    labels = predictions.labels
    views = {**available, **{view.name: view for view in requested or ()}}
    unknown = labels - known_labels(views.values())
    if unknown:
        raise PredictionFormatError(predictions.file, None, f"unknown label(s) {', '.join(sorted(unknown))}")
    by_labels = scorable_views(labels, views)
    possible = [name for name in by_labels if structure_problem(predictions, views[name]) is None]
    if requested is not None:
        for view in requested:
            if view.name not in by_labels:
                foreign = sorted(label for label in labels if not can_read_label(label, view))
                raise PredictionFormatError(
                    predictions.file, None,
                    f"cannot be scored in view {view.name!r}: it predicts {', '.join(foreign)} "
                    f"(views this file can be scored in: {', '.join(possible) or 'none'})",
                )
            problem = structure_problem(predictions, view)
            if problem is not None:
                raise PredictionFormatError(predictions.file, *problem)
        return tuple(requested)
    if not possible:
        raise PredictionFormatError(
            predictions.file, None,
            f"no view can score the labels {', '.join(sorted(labels))} together" if not by_labels else
            "no view can score its overlapping spans: " + str(structure_problem(predictions, views[by_labels[0]])),
        )
    return tuple(views[name] for name in possible)


def _entities(groups: Sequence[Sequence[Span]], locate: SentenceLocator) -> set[EntityTuple]:
    return {(locate(index, span), span.label, span.start, span.end) for index, spans in enumerate(groups) for span in spans}


def view_spans(gold: Sequence[Document], predictions: Predictions, view: View) -> tuple[
        tuple[tuple[Span, ...], ...], tuple[tuple[Span, ...], ...]]:
    """The gold and predicted spans ``view`` keeps, per document (see :func:`select_views` first)."""
    mapping = predicted_mapping(predictions.labels, view)
    gold_groups = tuple(gold_spans(document, view) for document in gold)
    predicted_groups = tuple(
        keep_by_convention(predictions.spans.get(document.id, ()), mapping, view.convention) for document in gold
    )
    return gold_groups, predicted_groups


def evaluate_view(
    gold: Sequence[Document], predictions: Predictions, view: View, resampling: Resampling = Resampling()
) -> ViewEvaluation:
    """Score the predictions in one view (see the module doc).

    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> result = evaluate_view([doc], Predictions("p", "documents", {doc.id: (Span(15, 17, "PER"),)}, None), VIEWS["coarse"])
    >>> result.scores.micro.f1, result.gold_spans[0]
    (1.0, (Span(start=15, end=17, label='PER'),))
    """
    gold_groups, predicted_groups = view_spans(gold, predictions, view)
    at_scale = sum(len(document.text) for document in gold) > SEQEVAL_MAX_CHARACTERS
    if view.convention == "nested" or at_scale:
        scorer = SPAN_SET if view.convention == "nested" else SPAN_SET_AT_SCALE
        scores: NerScores = span_set_scores(
            {(i, s.label, s.start, s.end) for i, spans in enumerate(gold_groups) for s in spans},
            {(i, s.label, s.start, s.end) for i, spans in enumerate(predicted_groups) for s in spans},
        )
    else:
        scorer = SEQEVAL
        lengths = [len(document.text) for document in gold]
        scores = seqeval_scores(
            [spans_to_tags(spans, length) for spans, length in zip(gold_groups, lengths, strict=True)],
            [spans_to_tags(spans, length) for spans, length in zip(predicted_groups, lengths, strict=True)],
        )
    locate = SentenceLocator(gold)
    sentences = sum(len(document.sentences) for document in gold)
    counts = sentence_counts(_entities(gold_groups, locate), _entities(predicted_groups, locate), sentences, view.labels)
    if counts.total() != scores.micro:
        raise AssertionError(f"bootstrap counts {counts.total()} differ from the scores' {scores.micro}")
    intervals = bootstrap_intervals(counts, resampling.samples, resampling.seed, resampling.confidence)
    analysis = analyse_errors(gold_groups, predicted_groups)
    partial: Mapping[str, PartialScore] = {}
    if not at_scale:
        by_sentence_gold: list[list[Span]] = [[] for _ in range(sentences)]
        by_sentence_predicted: list[list[Span]] = [[] for _ in range(sentences)]
        for groups, target in ((gold_groups, by_sentence_gold), (predicted_groups, by_sentence_predicted)):
            for index, spans in enumerate(groups):
                for span in spans:
                    target[locate(index, span)].append(span)
        partial = partial_scores(by_sentence_gold, by_sentence_predicted, view.labels)
    text_match = text_match_counts(gold, gold_groups, predicted_groups, locate)
    return ViewEvaluation(view, scorer, scores, intervals, counts, analysis, partial, gold_groups, predicted_groups,
                          text_match)


def text_match_counts(gold: Sequence[Document], gold_groups: Sequence[Sequence[Span]],
                      predicted_groups: Sequence[Sequence[Span]], locate: SentenceLocator) -> Counts:
    """The CLUENER / DuIE-style text match: a predicted (sentence, text, label) is correct when the
    gold has the same triple; repeats of a triple within a sentence count once. It forgives a
    wrong occurrence of the right string, so it is reported beside the offset scores, never
    instead of them (systems that answer with strings, like LLMs, are scored both ways).

    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> text_match_counts([doc], [[Span(15, 17, "PER")]], [[Span(15, 17, "PER"), Span(15, 16, "PER")]],
    ...                   SentenceLocator([doc]))
    Counts(correct=1, predicted=2, gold=1)
    """
    def triples(groups: Sequence[Sequence[Span]]) -> set[tuple[int, str, str]]:
        return {(locate(index, span), gold[index].text[span.start:span.end], span.label)
                for index, spans in enumerate(groups) for span in spans}

    gold_triples, predicted_triples = triples(gold_groups), triples(predicted_groups)
    return Counts(len(gold_triples & predicted_triples), len(predicted_triples), len(gold_triples))


def evaluate(
    gold: Sequence[Document],
    predictions: Predictions,
    views: Sequence[View | str] | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Evaluation:
    """Score ``predictions`` in ``views`` (names or :class:`View` s; default: every view of
    :func:`~zhnerbench.views.default_views` the file can be scored in).

    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> evaluation = evaluate([doc], Predictions("p", "documents", {doc.id: (Span(15, 17, "ORG"),)}, None), samples=50)
    >>> {name: result.scores.micro.f1 for name, result in evaluation.views.items()}, evaluation.relations
    ({'full': 0.0, 'ontonotes': 0.0, 'coarse': 0.0, 'nested': 0.0}, None)
    """
    available = default_views(gold)
    requested = None
    if views is not None:
        try:
            requested = [view if isinstance(view, View) else available[view] for view in views]
        except KeyError as error:
            raise ViewError(f"unknown view {error.args[0]!r} (views: {', '.join(available)})") from None
    if predictions.format == "docred":  # relations alone: no mention to score in any view
        if requested:
            raise ViewError(f"{predictions.file}: a DocRED file holds relations only; it has no view to score in")
        chosen: tuple[View, ...] = ()
    else:
        chosen = select_views(predictions, requested, available)
    resampling = Resampling(samples, seed, confidence)
    results = {view.name: evaluate_view(gold, predictions, view, resampling) for view in chosen}
    relations = None
    if predictions.relations is not None:
        pairs = [(document, predictions.relations.get(document.id, ())) for document in gold]
        relations = {mode: score_relations(pairs, mode) for mode in MODES}
    return Evaluation(predictions, tuple(gold), sentence_refs(gold), results, relations)


def compare_evaluations(
    a: Evaluation, b: Evaluation, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
) -> dict[str, PairedTest]:
    """Paired bootstrap tests (A better than B) in every view both were scored in.

    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
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
