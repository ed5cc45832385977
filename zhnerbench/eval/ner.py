"""NER scores: exact-match precision, recall and F1, micro, macro and per label.

:func:`seqeval_scores` is the scorer of record for the views whose spans do not
overlap: seqeval's strict IOB2 entity extraction (``seqeval.scheme.Entities`` with
``IOB2``), i.e. an entity is a ``B-X`` followed by ``I-X`` tokens and is correct only
if its label and both boundaries match. Each document is one tag sequence (one tag per
character), so a predicted span that crosses a sentence boundary is encoded as it is
and can only be wrong. The ratios are computed from seqeval's entity sets here rather
than by ``seqeval.metrics.classification_report``, which would extract the entities a
second time and import scikit-learn (most of a scoring run's time); the test suite
checks, over many random and real sequences, that the numbers equal that report's.

:func:`span_set_scores` computes the same numbers from sets of entity tuples. It
scores the ``nested`` view, whose overlapping spans no tag sequence can hold, and it
stands in for seqeval on corpora of more than :data:`SEQEVAL_MAX_CHARACTERS`
characters (seqeval's pure-Python extraction takes about 2.8 s per view and side per
430,000 characters); there the spans come from a document's span list, which for
non-overlapping spans is exactly the entity set their IOB2 tags give seqeval (a parity
test proves it). The report names the scorer that ran.

Entities are hashable tuples ``(document, label, start, end)`` like seqeval's
(document index, document offsets, end-exclusive). Conventions (seqeval's): a
ratio with a zero denominator is 0; macro averages run over the labels that occur
in the gold or in the predictions; supports are numbers of gold entities.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from zhnerbench.counts import Average, Counts, macro_average
from zhnerbench.exceptions import TagSequenceError
from zhnerbench.tag_schemes import split_tag

#: One entity: (sequence or document index, label, start, end), as ``seqeval.scheme.Entity.to_tuple``.
EntityTuple = tuple[int, str, int, int]

#: Above this many characters of gold text, span-derived tags are scored by :func:`span_set_scores`.
SEQEVAL_MAX_CHARACTERS = 200_000


@dataclass(frozen=True)
class NerScores:
    """Micro counts, per-label counts (labels sorted by name, as in seqeval) and the macro average."""

    micro: Counts
    per_label: Mapping[str, Counts]
    macro: Average


def span_set_scores(gold: Iterable[EntityTuple], predicted: Iterable[EntityTuple]) -> NerScores:
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


def strict_iob2_entities(sequences: Sequence[Sequence[str]]) -> frozenset[EntityTuple]:
    """seqeval's strict IOB2 entities of tag sequences (checked tags), as tuples.

    >>> sorted(strict_iob2_entities([["B-PER", "I-PER", "I-ORG", "B-GPE"]]))
    [(0, 'GPE', 3, 4), (0, 'PER', 0, 2)]
    """
    return _strict_iob2_entities(tuple(tuple(tags) for tags in sequences))


@functools.lru_cache(maxsize=64)
def _strict_iob2_entities(sequences: tuple[tuple[str, ...], ...]) -> frozenset[EntityTuple]:
    """Once per distinct input in a process: a leaderboard run extracts the same gold entities
    for every system, and each record's several times (its scores, its check, its site page).
    At most 64 inputs of at most :data:`SEQEVAL_MAX_CHARACTERS` tags each are kept."""
    from seqeval.scheme import IOB2, Entities

    return frozenset(entity.to_tuple() for sentence in Entities([list(tags) for tags in sequences], IOB2).entities
                     for entity in sentence)


def seqeval_scores(gold_tags: Sequence[Sequence[str]], predicted_tags: Sequence[Sequence[str]]) -> NerScores:
    """Strict IOB2 scores of tag sequences, from seqeval's own entity extraction.

    One tag sequence per document on each side, of equal lengths; all-``O`` input scores 0
    with no labels (where seqeval's report fails).

    >>> s = seqeval_scores([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "I-ORG"]])
    >>> s.micro
    Counts(correct=1, predicted=1, gold=1)
    >>> seqeval_scores([["O"]], [["O"]]).micro.f1
    0.0
    """
    if len(gold_tags) != len(predicted_tags):
        raise ValueError(f"{len(gold_tags)} gold sequences but {len(predicted_tags)} predicted ones")
    for index, (gold, predicted) in enumerate(zip(gold_tags, predicted_tags, strict=True)):
        if len(gold) != len(predicted):
            raise ValueError(f"sequence {index}: {len(gold)} gold tags but {len(predicted)} predicted ones")
    gold_lists = [list(tags) for tags in gold_tags]
    predicted_lists = [list(tags) for tags in predicted_tags]
    for sequences in (gold_lists, predicted_lists):
        for index, tags in enumerate(sequences):
            for tag in dict.fromkeys(tags):  # each distinct tag once, in order of first use
                try:
                    split_tag(tag)
                except TagSequenceError as error:
                    raise TagSequenceError(error.reason, tags.index(tag), index) from None
    return span_set_scores(strict_iob2_entities(gold_lists), strict_iob2_entities(predicted_lists))
