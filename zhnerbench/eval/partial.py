"""Partial-match scores: the four SemEval-2013 Task 9.1 schemes, computed by ``nervaluate``.

==================  =========================  ====================================
scheme              nervaluate's name           a predicted span is correct when
==================  =========================  ====================================
``strict``          ``strict``                  boundaries and type are exact
``exact``           ``exact``                   boundaries are exact, any type
``partial``         ``partial``                 boundaries overlap (half credit when
                                                not exact), any type
``type``            ``ent_type``                it overlaps a gold span of its type
==================  =========================  ====================================

They sit beside the strict scores of record (seqeval), to tell a system that
finds the right names with slightly wrong boundaries from one that misses them.
nervaluate compares spans sentence by sentence (a span belongs to the sentence it
starts in); its ``strict`` micro scores equal seqeval's on non-overlapping spans,
which the tests check.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zhnerbench.document import Span

#: Our names of the schemes, and nervaluate's.
SCHEMES: Mapping[str, str] = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


@dataclass(frozen=True)
class PartialScore:
    """One scheme's counts (as nervaluate defines them) and ratios."""

    correct: int
    incorrect: int
    partial: int
    missed: int
    spurious: int
    precision: float
    recall: float
    f1: float


def _score(result: Any) -> PartialScore:
    return PartialScore(int(result.correct), int(result.incorrect), int(result.partial), int(result.missed),
                        int(result.spurious), float(result.precision), float(result.recall), float(result.f1))


def partial_scores(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]],
                   labels: Sequence[str]) -> dict[str, PartialScore]:
    """The four schemes' micro scores over groups of spans (one group per sentence, equal numbers).

    >>> gold, predicted = [[Span(0, 4, "ORG"), Span(6, 8, "PER")]], [[Span(0, 2, "ORG"), Span(6, 8, "GPE")]]
    >>> {name: round(score.f1, 3) for name, score in partial_scores(gold, predicted, ["ORG", "PER", "GPE"]).items()}
    {'strict': 0.0, 'exact': 0.5, 'partial': 0.75, 'type': 0.5}
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold groups but {len(predicted)} predicted ones")
    return dict(_partial_scores(tuple(map(tuple, gold)), tuple(map(tuple, predicted)), tuple(labels)))


@functools.lru_cache(maxsize=64)
def _partial_scores(gold: tuple[tuple[Span, ...], ...], predicted: tuple[tuple[Span, ...], ...],
                    labels: tuple[str, ...]) -> Mapping[str, PartialScore]:
    """Once per distinct input in a process, like the strict entities (see :mod:`zhnerbench.eval.ner`)."""
    from nervaluate import Evaluator

    def records(groups: Sequence[Sequence[Span]]) -> list[list[dict[str, Any]]]:
        # nervaluate's ends are inclusive.
        return [[{"label": s.label, "start": s.start, "end": s.end - 1} for s in sorted(group)] for group in groups]

    if not any(gold) and not any(predicted):
        empty = PartialScore(0, 0, 0, 0, 0, 0.0, 0.0, 0.0)
        return {name: empty for name in SCHEMES}
    results = Evaluator(records(gold), records(predicted), tags=list(labels), loader="dict").evaluate()
    return {name: _score(results["overall"][theirs]) for name, theirs in SCHEMES.items()}
