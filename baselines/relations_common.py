"""What the relation baselines share: the predicted-relation type and sentence helpers.

A relation baseline reads a document's text, its sentences and a list of entity
mentions (gold or predicted :class:`~zhnerbench.model.Span`) and returns
``(head Span, relation, tail Span)`` triples; the scorer matches the arguments to
gold entities by span.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

from zhnerbench.model import Sentence, Span
from zhnerbench.schema import SYMMETRIC_RELATIONS


class PredictedRelation(NamedTuple):
    head: Span
    relation: str
    tail: Span


def mentions_by_sentence(sentences: Sequence[Sentence], mentions: Iterable[Span]) -> list[list[Span]]:
    """The mentions lying wholly inside each sentence, in text order (others are dropped).

    >>> sentences = (Sentence(0, 0, 3, 0), Sentence(1, 3, 6, 0))
    >>> mentions_by_sentence(sentences, [Span(4, 5, "ORG"), Span(0, 1, "PERSON"), Span(2, 4, "GPE")])
    [[Span(start=0, end=1, label='PERSON')], [Span(start=4, end=5, label='ORG')]]
    """
    ordered = sorted(set(mentions))
    return [[m for m in ordered if s.start <= m.start and m.end <= s.end] for s in sentences]


def canonical(relation: PredictedRelation) -> PredictedRelation:
    """Symmetric relations with their arguments in text order, so duplicates collapse.

    >>> canonical(PredictedRelation(Span(5, 6, "ORG"), "partner_of", Span(0, 1, "ORG"))).head
    Span(start=0, end=1, label='ORG')
    """
    if relation.relation in SYMMETRIC_RELATIONS and relation.tail < relation.head:
        return PredictedRelation(relation.tail, relation.relation, relation.head)
    return relation


def unique(relations: Iterable[PredictedRelation]) -> list[PredictedRelation]:
    """Canonical, deduplicated, head != tail, in first-seen order."""
    seen: dict[PredictedRelation, None] = {}
    for relation in relations:
        relation = canonical(relation)
        if relation.head != relation.tail:
            seen.setdefault(relation, None)
    return list(seen)
