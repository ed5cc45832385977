"""What the relation baselines share: their working triple and sentence helpers.

A relation baseline reads a document's text, its sentences and a list of entity
mentions (gold or predicted :class:`~zhnerbench.document.Span`) and returns
:class:`~zhnerbench.document.PredictedRelation` s between argument spans; the scorer
matches the arguments to gold entities. While they work, the rules keep each
argument's label, in a :class:`Triple`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from zhnerbench.document import Argument, PredictedRelation, Sentence, Span
from zhnerbench.schema import SYMMETRIC_RELATIONS


class Triple(NamedTuple):
    """A relation between two labelled mentions, as the rules find it."""

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


def canonical(triple: Triple) -> Triple:
    """Symmetric relations with their arguments in text order, so duplicates collapse.

    >>> canonical(Triple(Span(5, 6, "ORG"), "partner_of", Span(0, 1, "ORG"))).head
    Span(start=0, end=1, label='ORG')
    """
    if triple.relation in SYMMETRIC_RELATIONS and triple.tail < triple.head:
        return Triple(triple.tail, triple.relation, triple.head)
    return triple


def unique(triples: Iterable[Triple]) -> list[PredictedRelation]:
    """The predictions: canonical, deduplicated, head != tail, in first-seen order.

    >>> unique([Triple(Span(5, 6, "ORG"), "partner_of", Span(0, 1, "ORG")), Triple(Span(0, 1, "ORG"), "partner_of", Span(5, 6, "ORG"))])
    [PredictedRelation(head=Argument(start=0, end=1), relation='partner_of', tail=Argument(start=5, end=6), evidence=None)]
    """
    seen: dict[Triple, None] = {}
    for triple in triples:
        triple = canonical(triple)
        if triple.head != triple.tail:
            seen.setdefault(triple, None)
    return [PredictedRelation(Argument(t.head.start, t.head.end), t.relation, Argument(t.tail.start, t.tail.end))
            for t in seen]
