"""NER scores: exact-match precision, recall and F1, micro, macro and per label.

:func:`seqeval_scores` is the reference scorer: seqeval in strict mode with the
IOB2 scheme, i.e. an entity is a ``B-X`` followed by ``I-X`` tokens and is
correct only if its label and both boundaries match; an ``I-X`` that does not
continue an ``X`` entity belongs to no entity. :func:`span_set_scores`
computes the same numbers from sets of entity tuples; the tests prove both
agree, and the bootstrap and error analysis work on the entity sets.

Entities are hashable tuples ``(sentence, label, start, end)`` like seqeval's
(sentence-local, end-exclusive offsets). Conventions (seqeval's): a ratio with
a zero denominator is 0; macro averages run over the labels that occur in the
gold or in the predictions; supports are numbers of gold entities.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from zhnerbench.eval.exceptions import TagSequenceError
from zhnerbench.eval.tags import split_tag

Entity = tuple[int, str, int, int]


@dataclass(frozen=True)
class Score:
    """Precision, recall, F1 and the counts behind them, as plain Python numbers."""

    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    correct: int


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall, 0 when both are 0 (seqeval's formula).

    >>> f1_score(0.5, 1.0)
    0.6666666666666666
    """
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_from_counts(correct: int, predicted: int, support: int) -> Score:
    """The score of ``correct`` matches among ``predicted`` entities and ``support`` gold entities.

    >>> score_from_counts(1, 2, 1)
    Score(precision=0.5, recall=1.0, f1=0.6666666666666666, support=1, predicted=2, correct=1)
    """
    precision = correct / predicted if predicted else 0.0
    recall = correct / support if support else 0.0
    return Score(precision, recall, f1_score(precision, recall), int(support), int(predicted), int(correct))


@dataclass(frozen=True)
class NerScores:
    """Micro and macro averages and per-label scores (labels sorted by name, as in seqeval)."""

    micro: Score
    macro: Score
    per_label: Mapping[str, Score]


def _macro(per_label: Mapping[str, Score]) -> Score:
    scores = list(per_label.values())
    if not scores:
        return Score(0.0, 0.0, 0.0, 0, 0, 0)
    count = len(scores)
    return Score(
        sum(s.precision for s in scores) / count,
        sum(s.recall for s in scores) / count,
        sum(s.f1 for s in scores) / count,
        sum(s.support for s in scores),
        sum(s.predicted for s in scores),
        sum(s.correct for s in scores),
    )


def span_set_scores(gold: Iterable[Entity], predicted: Iterable[Entity]) -> NerScores:
    """Scores computed directly from entity tuple sets (no tags, no seqeval).

    >>> s = span_set_scores({(0, "PER", 0, 2)}, {(0, "PER", 0, 2), (0, "ORG", 3, 4)})
    >>> s.micro.precision, s.micro.recall, sorted(s.per_label)
    (0.5, 1.0, ['ORG', 'PER'])
    """
    gold_set, predicted_set = set(gold), set(predicted)
    labels = sorted({e[1] for e in gold_set} | {e[1] for e in predicted_set})
    per_label = {}
    for label in labels:
        g = {e for e in gold_set if e[1] == label}
        p = {e for e in predicted_set if e[1] == label}
        per_label[label] = score_from_counts(len(g & p), len(p), len(g))
    micro = score_from_counts(len(gold_set & predicted_set), len(predicted_set), len(gold_set))
    return NerScores(micro, _macro(per_label), per_label)


def seqeval_scores(gold_tags: Sequence[Sequence[str]], predicted_tags: Sequence[Sequence[str]]) -> NerScores:
    """seqeval's strict IOB2 ``classification_report``, as plain Python numbers.

    One tag sequence per sentence on each side, of equal lengths. seqeval's
    dict holds numpy numbers and its report fails when no sentence has an
    entity; both are handled here (all-``O`` input scores 0 with no labels).
    The ``predicted``/``correct`` counts come from seqeval's own strict
    entity extraction.

    >>> s = seqeval_scores([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "I-ORG"]])
    >>> s.micro
    Score(precision=1.0, recall=1.0, f1=1.0, support=1, predicted=1, correct=1)
    >>> seqeval_scores([["O"]], [["O"]]).micro.f1
    0.0
    """
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2, Entities

    if len(gold_tags) != len(predicted_tags):
        raise ValueError(f"{len(gold_tags)} gold sentences but {len(predicted_tags)} predicted ones")
    for index, (gold, predicted) in enumerate(zip(gold_tags, predicted_tags)):
        if len(gold) != len(predicted):
            raise ValueError(f"sentence {index}: {len(gold)} gold tags but {len(predicted)} predicted ones")
    gold_lists = [list(tags) for tags in gold_tags]
    predicted_lists = [list(tags) for tags in predicted_tags]
    for sequences in (gold_lists, predicted_lists):
        for index, tags in enumerate(sequences):
            for position, tag in enumerate(tags):
                try:
                    split_tag(tag)
                except TagSequenceError as error:
                    raise TagSequenceError(error.reason, position, index) from None

    def strict_entities(sequences: list[list[str]]) -> set[Entity]:
        return {entity.to_tuple() for sentence in Entities(sequences, IOB2).entities for entity in sentence}

    gold_entities, predicted_entities = strict_entities(gold_lists), strict_entities(predicted_lists)
    if not gold_entities and not predicted_entities:
        return NerScores(Score(0.0, 0.0, 0.0, 0, 0, 0), Score(0.0, 0.0, 0.0, 0, 0, 0), {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = classification_report(
            gold_lists, predicted_lists, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
        )

    def counted(label: str | None) -> tuple[int, int]:
        gold = {e for e in gold_entities if label is None or e[1] == label}
        predicted = {e for e in predicted_entities if label is None or e[1] == label}
        return len(predicted), len(gold & predicted)

    def convert(row: Mapping[str, object], label: str | None) -> Score:
        predicted, correct = counted(label)
        return Score(
            float(row["precision"]), float(row["recall"]), float(row["f1-score"]), int(row["support"]), predicted, correct
        )

    averages = ("micro avg", "macro avg", "weighted avg")
    per_label = {label: convert(row, label) for label, row in sorted(report.items()) if label not in averages}
    macro_row = report["macro avg"]
    macro = Score(
        float(macro_row["precision"]),
        float(macro_row["recall"]),
        float(macro_row["f1-score"]),
        int(macro_row["support"]),
        sum(s.predicted for s in per_label.values()),
        sum(s.correct for s in per_label.values()),
    )
    return NerScores(convert(report["micro avg"], None), macro, per_label)
