"""Relation baseline (a): co-occurrence.

Every pair of mentions in one sentence gets every relation type whose signature
allows their labels (PERSON–ORG gets both ``member_of`` and ``partner_of``; ORG–LAW
both ``signs`` and ``publishes``). No preference among types is learned or assumed:
the benchmark has no relation training data, and counts taken from the gold would
leak the test set into the baseline. It is the recall ceiling of sentence-level
extraction and a floor for precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from zhnerbench.baselines.relations_common import Triple, mentions_by_sentence, unique
from zhnerbench.document import PredictedRelation, Sentence, Span
from zhnerbench.schema import RELATION_SIGNATURES


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


def pair_relations(first: Span, second: Span) -> list[Triple]:
    """Every relation co-occurrence predicts for two mentions, in either direction.

    >>> [(t.head.label, t.relation, t.tail.label) for t in pair_relations(Span(0, 2, "ORG"), Span(3, 5, "PERSON"))]
    [('ORG', 'partner_of', 'PERSON'), ('PERSON', 'member_of', 'ORG'), ('PERSON', 'partner_of', 'ORG')]
    """
    triples = [Triple(first, relation, second) for relation in fitting_relations(first.label, second.label)]
    triples += [Triple(second, relation, first) for relation in fitting_relations(second.label, first.label)]
    return triples


def predict_cooccurrence(text: str, sentences: Sequence[Sentence], mentions: Sequence[Span]) -> list[PredictedRelation]:
    """Relations between every type-compatible pair of mentions sharing a sentence.

    Two mentions with the same surface text are taken to be one entity and not paired.

    >>> text = "张三出席大会。"
    >>> predict_cooccurrence(text, (Sentence(0, 0, 7, 0),), [Span(0, 2, "PERSON"), Span(4, 6, "EVENT")])
    [PredictedRelation(head=Argument(start=0, end=2), relation='speaks_at', tail=Argument(start=4, end=6), evidence=None)]
    """
    predicted: list[Triple] = []
    for in_sentence in mentions_by_sentence(sentences, mentions):
        for first, second in combinations(in_sentence, 2):
            if text[first.start:first.end] != text[second.start:second.end]:
                predicted.extend(pair_relations(first, second))
    return unique(predicted)
