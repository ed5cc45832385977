"""Inter-annotator agreement between the independent annotations in ``annotations/review/``.

Each review file is one annotator's complete, independent annotation, written
before adjudication. The flat layer's files (``annotator_*.json``) are in a
position-free form (``line``, ``text``, ``occurrence`` within the line,
``label``, ``entity`` key; relations between entity keys); the inner layer's
(``inner_annotator_*.json``) give offsets that the annotator's code computed,
the entity (a gold entity id, or ``NEW:name`` for an entity with no flat
mention) and the parent's span. They are kept so that the agreement figures in
the dataset card are recomputed from data, not typed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.reading import read_project_file
from zhnerbench.document import Document, Span
from zhnerbench.paths import REVIEW_DIR
from zhnerbench.schema import SYMMETRIC_RELATIONS

Cluster = frozenset[tuple[int, int]]
#: A relation over clusters: (head, type, tail), or (type, {head, tail}) when symmetric.
RelationKey = tuple[object, ...]


@dataclass(frozen=True)
class Annotation:
    """One annotator's work resolved to document offsets."""

    name: str
    spans: frozenset[Span]
    clusters: frozenset[Cluster]
    relations: dict[RelationKey, tuple[int, ...]]  # relation key -> evidence


def locate(line_text: str, surface: str, occurrence: int) -> int:
    """Offset in the line of the ``occurrence``-th (1-based) non-overlapping ``surface``.

    >>> locate("上海与上海市", "上海", 2)
    3
    """
    position = -len(surface)
    for _ in range(occurrence):
        position = line_text.find(surface, position + len(surface))
        if position < 0:
            raise ValueError(f"{surface!r} does not occur {occurrence} times in the line")
    return position


def relation_key(head: Cluster, relation: str, tail: Cluster) -> RelationKey:
    """A relation as a hashable key over entity clusters; symmetric ones ignore order."""
    if relation in SYMMETRIC_RELATIONS:
        return (relation, frozenset({head, tail}))
    return (head, relation, tail)


def resolve(raw: dict[str, Any], document: Document, source: str) -> Annotation:
    """Offsets, clusters and relation keys of a review file's annotation."""
    spans: set[Span] = set()
    members: dict[str, set[tuple[int, int]]] = {}
    for number, mention in enumerate(raw["mentions"]):
        line = document.lines[mention["line"]]
        try:
            local = locate(document.text[line.start:line.end], mention["text"], mention["occurrence"])
        except ValueError as error:
            raise GoldDataError([Problem(source, None, f"mention {number}: {error}")]) from None
        start = line.start + local
        span = Span(start, start + len(mention["text"]), mention["label"])
        spans.add(span)
        members.setdefault(mention["entity"], set()).add((span.start, span.end))
    clusters = {key: frozenset(value) for key, value in members.items()}
    relations = {}
    for relation in raw["relations"]:
        key = relation_key(clusters[relation["head"]], relation["relation"], clusters[relation["tail"]])
        relations[key] = tuple(sorted(relation["evidence"]))
    return Annotation(raw.get("annotator", source), frozenset(spans), frozenset(clusters.values()), relations)


def gold_annotation(document: Document) -> Annotation:
    members: dict[str, set[tuple[int, int]]] = {}
    for mention in document.mentions:
        members.setdefault(mention.entity, set()).add((mention.start, mention.end))
    clusters = {entity_id: frozenset(spans) for entity_id, spans in members.items()}
    relations = {relation_key(clusters[r.head], r.relation, clusters[r.tail]): r.evidence for r in document.relations}
    return Annotation("gold", frozenset(document.spans), frozenset(clusters.values()), relations)


def f1(a: AbstractSet[Any], b: AbstractSet[Any]) -> float:
    """Dice agreement of two sets (F1 of one against the other).

    >>> f1({1, 2}, {2, 3})
    0.5
    """
    return 1.0 if not a and not b else 2 * len(set(a) & set(b)) / (len(a) + len(b))


def _read_review(path: Path) -> tuple[str, Any]:
    shown = f"{REVIEW_DIR}/{path.name}"
    try:
        return shown, json.loads(read_project_file(path, shown).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise GoldDataError([Problem(shown, None, f"not readable JSON: {str(error)[:80]}")]) from None


def load_reviews(root: Path, document: Document) -> list[Annotation]:
    """The flat layer's independent annotations (``annotator_*.json``), in name order."""
    return [resolve(raw, document, shown)
            for shown, raw in map(_read_review, sorted((root / REVIEW_DIR).glob("annotator_*.json")))]


@dataclass(frozen=True)
class InnerAnnotation:
    """One annotator's inner layer: spans, each span's parent span, and the entity clusters
    (flat and inner spans together) of the entities that have an inner mention."""

    name: str
    spans: frozenset[Span]
    parents: dict[tuple[int, int], tuple[int, int]]
    clusters: frozenset[Cluster]


def _inner_clusters(document: Document, assigned: dict[str, set[tuple[int, int]]]) -> frozenset[Cluster]:
    """Clusters of the entities in ``assigned`` (entity key -> inner spans): a gold entity id
    brings its flat mentions along; a ``NEW:`` key stands for an entity of inner spans only."""
    flat: dict[str, set[tuple[int, int]]] = {}
    for mention in document.mentions:
        flat.setdefault(mention.entity, set()).add((mention.start, mention.end))
    return frozenset(frozenset(spans | flat.get(key, set())) for key, spans in assigned.items())


def resolve_inner(raw: Any, document: Document, source: str) -> InnerAnnotation:
    """Spans, parents and clusters of an ``inner_annotator_*.json`` file, checked against the text."""
    spans: set[Span] = set()
    parents: dict[tuple[int, int], tuple[int, int]] = {}
    assigned: dict[str, set[tuple[int, int]]] = {}
    for number, item in enumerate(raw.get("inner_mentions", []) if isinstance(raw, dict) else []):
        try:
            start, end, parent = int(item["start"]), int(item["end"]), item["parent"]
            span = Span(start, end, str(item["label"]))
            parent_span = (int(parent["start"]), int(parent["end"]))
            entity = str(item["entity"])
        except (KeyError, TypeError, ValueError) as error:
            raise GoldDataError([Problem(source, None, f"inner mention {number}: malformed ({error})")]) from None
        if document.text[start:end] != item.get("text"):
            raise GoldDataError([Problem(source, None, f"inner mention {number}: text {item.get('text')!r} is not "
                                                       f"the article's [{start},{end})")])
        spans.add(span)
        parents[(start, end)] = parent_span
        assigned.setdefault(entity, set()).add((start, end))
    name = str(raw.get("annotator", source)) if isinstance(raw, dict) else source
    return InnerAnnotation(name, frozenset(spans), parents, _inner_clusters(document, assigned))


def gold_inner_annotation(document: Document) -> InnerAnnotation:
    by_id = {m.id: m for m in document.mentions + document.inner_mentions}
    assigned: dict[str, set[tuple[int, int]]] = {}
    parents = {}
    for mention in document.inner_mentions:
        parent = by_id[mention.parent or ""]
        parents[(mention.start, mention.end)] = (parent.start, parent.end)
        assigned.setdefault(mention.entity, set()).add((mention.start, mention.end))
    return InnerAnnotation("gold", frozenset(m.span for m in document.inner_mentions), parents,
                           _inner_clusters(document, assigned))


def load_inner_reviews(root: Path, document: Document) -> list[InnerAnnotation]:
    """The inner layer's independent annotations (``inner_annotator_*.json``), in name order."""
    return [resolve_inner(raw, document, shown)
            for shown, raw in map(_read_review, sorted((root / REVIEW_DIR).glob("inner_annotator_*.json")))]


def _unlabelled(spans: frozenset[Span]) -> set[tuple[int, int]]:
    return {(s.start, s.end) for s in spans}


def _span_rows(first: frozenset[Span], second: frozenset[Span], noun: str) -> list[tuple[str, str]]:
    """The rows both layers' tables open with: counts and span F1, labelled and not."""
    return [
        (f"{noun}s (each side)", f"{len(first)} / {len(second)}"),
        (f"{noun} F1, exact span and label", f"{f1(first, second):.3f}"),
        (f"{noun} F1, exact span, any label", f"{f1(_unlabelled(first), _unlabelled(second)):.3f}"),
    ]


def _same_values(measure: str, first: Mapping[Any, object], second: Mapping[Any, object]) -> tuple[str, str]:
    """How many of the keys both sides have carry the same value on both."""
    shared = first.keys() & second.keys()
    return measure, f"{sum(first[key] == second[key] for key in shared)} / {len(shared)}"


def _cluster_rows(first: frozenset[Cluster], second: frozenset[Cluster], counted: str, compared: str) -> list[tuple[str, str]]:
    return [(f"{counted} (each side)", f"{len(first)} / {len(second)}"), (compared, f"{f1(first, second):.3f}")]


def agreement_rows(first: Annotation, second: Annotation) -> list[tuple[str, str]]:
    """Agreement figures of two annotations, as (measure, value) rows."""
    return (
        _span_rows(first.spans, second.spans, "mention")
        + _cluster_rows(first.clusters, second.clusters, "entities", "identical entity clusters (F1)")
        + [("relations (each side)", f"{len(first.relations)} / {len(second.relations)}"),
           ("relation F1 (same head cluster, type, tail cluster)",
            f"{f1(set(first.relations), set(second.relations)):.3f}"),
           _same_values("shared relations with identical evidence", first.relations, second.relations)]
    )


def inner_agreement_rows(first: InnerAnnotation, second: InnerAnnotation) -> list[tuple[str, str]]:
    """Agreement figures of two annotations of the inner layer, as (measure, value) rows."""
    return (
        _span_rows(first.spans, second.spans, "inner mention")
        + [_same_values("shared inner mentions with the same parent", first.parents, second.parents)]
        + _cluster_rows(first.clusters, second.clusters, "entities with inner mentions",
                        "identical clusters of those entities (F1)")
    )


@dataclass(frozen=True)
class EvidenceAnnotation:
    """One annotator's evidence pass (schema v1.2): each relation's evidence and its bridges."""

    name: str
    evidence: Mapping[str, frozenset[int]]
    bridges: Mapping[str, frozenset[int]]


def resolve_evidence(raw: Any, document: Document, source: str) -> EvidenceAnnotation:
    """An ``evidence_annotator_*.json`` file: ``{"relations": {relation id: {"evidence": [...],
    "bridges": [...]}}}`` covering every gold relation."""
    relations = raw.get("relations") if isinstance(raw, dict) else None
    expected = {relation.id for relation in document.relations}
    if not isinstance(relations, dict) or set(relations) != expected or not all(
            isinstance(item, dict) and all(isinstance(item.get(key), list) and all(isinstance(i, int) for i in item[key])
                                           for key in ("evidence", "bridges")) for item in relations.values()):
        raise GoldDataError([Problem(source, None, "an evidence review needs 'relations': {id: {evidence: [...], "
                                                   f"bridges: [...]}} for each of the {len(expected)} gold relations")])
    return EvidenceAnnotation(str(raw.get("annotator", source)),
                              {key: frozenset(item["evidence"]) for key, item in relations.items()},
                              {key: frozenset(item["bridges"]) for key, item in relations.items()})


def gold_evidence_annotation(document: Document) -> EvidenceAnnotation:
    """The gold's evidence; its bridges are the evidence sentences that name neither argument."""
    from zhnerbench.gold.annotation_files import naming_sentences

    naming = naming_sentences(document)
    return EvidenceAnnotation(
        "gold", {r.id: frozenset(r.evidence) for r in document.relations},
        {r.id: frozenset(set(r.evidence) - naming.get(r.head, set()) - naming.get(r.tail, set())) for r in document.relations},
    )


def load_evidence_reviews(root: Path, document: Document) -> list[EvidenceAnnotation]:
    """The evidence pass's independent annotations (``evidence_annotator_*.json``), in name order."""
    return [resolve_evidence(raw, document, shown)
            for shown, raw in map(_read_review, sorted((root / REVIEW_DIR).glob("evidence_annotator_*.json")))]


def evidence_agreement_rows(first: EvidenceAnnotation, second: EvidenceAnnotation) -> list[tuple[str, str]]:
    """Agreement of two evidence passes: identical evidence sets (DocRED's sets, exact match), and
    F1 over (relation, sentence) pairs."""
    pairs = [{(key, sentence) for key, sentences in side.evidence.items() for sentence in sentences}
             for side in (first, second)]
    return [
        ("relations (each side)", f"{len(first.evidence)} / {len(second.evidence)}"),
        _same_values("identical evidence sets", first.evidence, second.evidence),
        ("evidence F1 over (relation, sentence) pairs", f"{f1(pairs[0], pairs[1]):.3f}"),
        ("relations with a bridge sentence (each side)",
         f"{sum(map(bool, first.bridges.values()))} / {sum(map(bool, second.bridges.values()))}"),
    ]


A = TypeVar("A", Annotation, InnerAnnotation, EvidenceAnnotation)


def comparison_table(reviews: list[A], gold: A, rows: Callable[[A, A], list[tuple[str, str]]], pattern: str) -> str:
    """The card's table: the two independent annotations against each other before adjudication,
    and each against the gold."""
    if len(reviews) != 2:
        raise GoldDataError([Problem(REVIEW_DIR, None, f"needs exactly two independent annotations ({pattern}), "
                                                       f"found {len(reviews)}")])
    first, second = reviews
    table = ["| measure | A vs B (independent) | A vs gold | B vs gold |", "|---|---:|---:|---:|"]
    for (measure, ab), (_, ag), (_, bg) in zip(rows(first, second), rows(first, gold), rows(second, gold), strict=True):
        table.append(f"| {measure} | {ab} | {ag} | {bg} |")
    return "\n".join(table)


def agreement_markdown(root: Path, document: Document) -> str:
    """The dataset card's agreement table of the flat layer, clusters and relations."""
    return comparison_table(load_reviews(root, document), gold_annotation(document), agreement_rows, "annotator_*.json")


def evidence_agreement_markdown(root: Path, document: Document) -> str:
    """The dataset card's agreement table of the evidence pass (schema v1.2)."""
    return comparison_table(load_evidence_reviews(root, document), gold_evidence_annotation(document),
                            evidence_agreement_rows, "evidence_annotator_*.json")


def inner_agreement_markdown(root: Path, document: Document) -> str:
    """The dataset card's agreement table of the inner layer."""
    return comparison_table(load_inner_reviews(root, document), gold_inner_annotation(document), inner_agreement_rows,
                            "inner_annotator_*.json")
