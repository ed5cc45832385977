"""Relation baseline (a): co-occurrence.

Every pair of mentions in one sentence whose labels fit a relation signature of the
schema gets that relation. Where several relation types fit the same pair of labels
(PERSON–ORG: ``member_of`` or ``partner_of``; ORG–LAW: ``signs`` or ``publishes``)
the type most frequent in the schema's published relation statistics wins
(:data:`SCHEMA_RELATION_FREQUENCY`; ties go to the schema's order). It is the
recall ceiling of sentence-level extraction and a floor for precision.
"""

from __future__ import annotations

from itertools import combinations
from typing import Mapping, Sequence

from zhnerbench.baselines.relations_common import PredictedRelation, mentions_by_sentence, unique
from zhnerbench.model import Sentence, Span
from zhnerbench.schema import RELATION_SIGNATURES, RELATION_TYPES

#: Relation counts of the schema's published statistics (README, "relation" table),
#: used only to choose among relation types that fit the same argument labels.
SCHEMA_RELATION_FREQUENCY: Mapping[str, int] = {
    "has_title": 20, "member_of": 15, "speaks_at": 4, "signs": 10, "publishes": 5,
    "organizes": 13, "held_at": 1, "held_on": 1, "partner_of": 17,
}


def fitting_relations(head_label: str, tail_label: str) -> list[str]:
    """Relation types whose signature allows ``head_label -> tail_label``.

    >>> fitting_relations("PERSON", "ORG")
    ['member_of', 'partner_of']
    >>> fitting_relations("GPE", "PERSON")
    []
    """
    return [
        relation
        for relation, (heads, tails) in RELATION_SIGNATURES.items()
        if head_label in heads and tail_label in tails
    ]


def most_frequent(relations: Sequence[str], frequency: Mapping[str, int] = SCHEMA_RELATION_FREQUENCY) -> str:
    """The most frequent of ``relations``; ties go to the schema's order.

    >>> most_frequent(["member_of", "partner_of"])
    'partner_of'
    >>> most_frequent(["signs", "publishes"])
    'signs'
    """
    return max(relations, key=lambda r: (frequency.get(r, 0), -RELATION_TYPES.index(r)))


def pair_relation(
    first: Span, second: Span, frequency: Mapping[str, int] = SCHEMA_RELATION_FREQUENCY
) -> PredictedRelation | None:
    """The relation co-occurrence predicts for two mentions (either direction), if any.

    >>> pair_relation(Span(0, 2, "ORG"), Span(3, 5, "PERSON"))
    PredictedRelation(head=Span(start=0, end=2, label='ORG'), relation='partner_of', tail=Span(start=3, end=5, label='PERSON'))
    >>> pair_relation(Span(0, 2, "ORG"), Span(3, 5, "EVENT")).relation
    'organizes'
    """
    candidates = [(r, first, second) for r in fitting_relations(first.label, second.label)]
    candidates += [(r, second, first) for r in fitting_relations(second.label, first.label)]
    if not candidates:
        return None
    chosen = most_frequent([r for r, _, _ in candidates], frequency)
    _, head, tail = next(c for c in candidates if c[0] == chosen)
    return PredictedRelation(head, chosen, tail)


def predict_cooccurrence(
    text: str,
    sentences: Sequence[Sentence],
    mentions: Sequence[Span],
    frequency: Mapping[str, int] = SCHEMA_RELATION_FREQUENCY,
) -> list[PredictedRelation]:
    """Relations between every type-compatible pair of mentions sharing a sentence.

    Two mentions with the same surface text are taken to be one entity and not paired.

    >>> from zhnerbench.model import Sentence
    >>> text = "张三出席大会。"
    >>> predict_cooccurrence(text, (Sentence(0, 0, 7, 0),), [Span(0, 2, "PERSON"), Span(4, 6, "EVENT")])
    [PredictedRelation(head=Span(start=0, end=2, label='PERSON'), relation='speaks_at', tail=Span(start=4, end=6, label='EVENT'))]
    """
    predicted: list[PredictedRelation] = []
    for in_sentence in mentions_by_sentence(sentences, mentions):
        for first, second in combinations(in_sentence, 2):
            if text[first.start:first.end] == text[second.start:second.end]:
                continue
            relation = pair_relation(first, second, frequency)
            if relation is not None:
                predicted.append(relation)
    return unique(predicted)
