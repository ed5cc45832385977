"""Counts of correct, predicted and gold items, and the ratios computed from them.

One type for every exact-match score of the project (NER per label and micro,
relations per type, evidence sentences, the trained baselines' MSRA scores,
each bootstrap sample): counts add up with ``+`` and the ratios are derived,
as in spaCy's ``PRFScore``. The conventions are seqeval's: a ratio with a zero
denominator is 0, and F1 is the harmonic mean of precision and recall.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass


def harmonic_mean(precision: float, recall: float) -> float:
    """F1 from precision and recall, 0 when both are 0 (seqeval's formula).

    >>> harmonic_mean(0.5, 1.0)
    0.6666666666666666
    """
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class Counts:
    """``correct`` matches among ``predicted`` items and ``gold`` items.

    >>> Counts(1, 2, 1) + Counts(1, 1, 3)
    Counts(correct=2, predicted=3, gold=4)
    >>> Counts(1, 2, 1).f1
    0.6666666666666666
    """

    correct: int = 0
    predicted: int = 0
    gold: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.correct <= min(self.predicted, self.gold):
            raise ValueError(f"inconsistent counts {self!r}: need 0 <= correct <= predicted and gold")

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.correct + other.correct, self.predicted + other.predicted, self.gold + other.gold)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return harmonic_mean(self.precision, self.recall)

    @classmethod
    def of_sets(cls, gold: Iterable[Hashable], predicted: Iterable[Hashable]) -> Counts:
        """Exact-match counts of two collections of hashable items (duplicates count once).

        >>> Counts.of_sets({(0, 2, "PER")}, [(0, 2, "PER"), (3, 5, "ORG")])
        Counts(correct=1, predicted=2, gold=1)
        """
        gold_set, predicted_set = set(gold), set(predicted)
        return cls(len(gold_set & predicted_set), len(predicted_set), len(gold_set))


def total(counts: Iterable[Counts]) -> Counts:
    """The sum of ``counts`` (``Counts()`` when there are none).

    >>> total([Counts(1, 1, 1), Counts(0, 2, 1)])
    Counts(correct=1, predicted=3, gold=2)
    """
    result = Counts()
    for item in counts:
        result = result + item
    return result


@dataclass(frozen=True)
class Average:
    """Averaged precision, recall and F1 (a macro average is not a ratio of counts)."""

    precision: float
    recall: float
    f1: float


def macro_average(per_label: Mapping[str, Counts]) -> Average:
    """The unweighted mean of the labels' P, R and F1 (seqeval's ``macro avg``; 0 with no label).

    >>> macro_average({"PER": Counts(1, 1, 1), "ORG": Counts(0, 1, 1)})
    Average(precision=0.5, recall=0.5, f1=0.5)
    """
    if not per_label:
        return Average(0.0, 0.0, 0.0)
    count = len(per_label)
    return Average(
        sum(c.precision for c in per_label.values()) / count,
        sum(c.recall for c in per_label.values()) / count,
        sum(c.f1 for c in per_label.values()) / count,
    )
