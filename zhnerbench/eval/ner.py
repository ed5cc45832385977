"""NER scores: exact-match precision, recall and F1, micro, macro and per label.

:func:`seqeval_scores` is the scorer of record for the views whose spans do not
overlap: seqeval in strict mode with the IOB2 scheme, i.e. an entity is a ``B-X``
followed by ``I-X`` tokens and is correct only if its label and both boundaries
match. Each document is one tag sequence (one tag per character), so a predicted
span that crosses a sentence boundary is encoded as it is and can only be wrong.
:func:`span_set_scores` computes the same numbers from sets of entity tuples;
the tests prove both agree, and it scores the ``nested`` view, whose overlapping
spans no tag sequence can hold.

Entities are hashable tuples ``(document, label, start, end)`` like seqeval's
(document index, document offsets, end-exclusive). Conventions (seqeval's): a
ratio with a zero denominator is 0; macro averages run over the labels that occur
in the gold or in the predictions; supports are numbers of gold entities.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from zhnerbench.counts import Average, Counts, macro_average
from zhnerbench.errors import TagSequenceError
from zhnerbench.schemes import split_tag

Entity = tuple[int, str, int, int]


@dataclass(frozen=True)
class NerScores:
    """Micro counts, per-label counts (labels sorted by name, as in seqeval) and the macro average."""

    micro: Counts
    per_label: Mapping[str, Counts]
    macro: Average


def span_set_scores(gold: Iterable[Entity], predicted: Iterable[Entity]) -> NerScores:
    """Scores computed directly from entity tuple sets (no tags, no seqeval).

    >>> s = span_set_scores({(0, "PER", 0, 2)}, {(0, "PER", 0, 2), (0, "ORG", 3, 4)})
    >>> s.micro, sorted(s.per_label)
    (Counts(correct=1, predicted=2, gold=1), ['ORG', 'PER'])
    """
    gold_set, predicted_set = set(gold), set(predicted)
    labels = sorted({e[1] for e in gold_set} | {e[1] for e in predicted_set})
    per_label = {
        label: Counts.of_sets({e for e in gold_set if e[1] == label}, {e for e in predicted_set if e[1] == label})
        for label in labels
    }
    return NerScores(Counts.of_sets(gold_set, predicted_set), per_label, macro_average(per_label))


class ScorerDisagreement(AssertionError):
    """seqeval's reported ratios differ from the ones its own entity counts give: a bug, never bad input."""


def seqeval_scores(gold_tags: Sequence[Sequence[str]], predicted_tags: Sequence[Sequence[str]]) -> NerScores:
    """seqeval's strict IOB2 ``classification_report``, as counts.

    One tag sequence per document on each side, of equal lengths. The counts come
    from seqeval's own strict entity extraction, and the precision, recall and F1
    seqeval reports are checked against them (:class:`ScorerDisagreement` if they
    differ). seqeval's report fails when no sequence has an entity; all-``O``
    input scores 0 with no labels here.

    >>> s = seqeval_scores([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "I-ORG"]])
    >>> s.micro
    Counts(correct=1, predicted=1, gold=1)
    >>> seqeval_scores([["O"]], [["O"]]).micro.f1
    0.0
    """
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2, Entities

    if len(gold_tags) != len(predicted_tags):
        raise ValueError(f"{len(gold_tags)} gold sequences but {len(predicted_tags)} predicted ones")
    for index, (gold, predicted) in enumerate(zip(gold_tags, predicted_tags, strict=True)):
        if len(gold) != len(predicted):
            raise ValueError(f"sequence {index}: {len(gold)} gold tags but {len(predicted)} predicted ones")
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

    counted = span_set_scores(strict_entities(gold_lists), strict_entities(predicted_lists))
    if not counted.per_label:
        return counted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = classification_report(
            gold_lists, predicted_lists, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
        )
    rows = {"micro avg": counted.micro, **counted.per_label}
    for name, counts in rows.items():
        row = report[name]
        reported = (float(row["precision"]), float(row["recall"]), float(row["f1-score"]), int(row["support"]))
        if any(abs(a - b) > 1e-9 for a, b in zip(reported, (counts.precision, counts.recall, counts.f1, counts.gold),
                                                   strict=True)):
            raise ScorerDisagreement(f"seqeval reports {reported} for {name}, its entities give {counts}")
    return counted
