"""Inter-annotator agreement between the independent annotations in ``annotations/review/``.

Each review file is one annotator's complete, independent annotation, written
before adjudication, in a position-free form (``line``, ``text``,
``occurrence`` within the line, ``label``, ``entity`` key; relations between
entity keys). They are kept so that the agreement figures in the dataset card
are recomputed from data, not typed in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from zhnerbench.errors import GoldDataError, Problem
from zhnerbench.model import Document, Span
from zhnerbench.schema import SYMMETRIC_RELATIONS

REVIEW_DIR = "annotations/review"

Cluster = frozenset[tuple[int, int]]


@dataclass(frozen=True)
class Annotation:
    """One annotator's work resolved to document offsets."""

    name: str
    spans: frozenset[Span]
    clusters: frozenset[Cluster]
    relations: dict[tuple, tuple[int, ...]]  # relation key -> evidence


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


def relation_key(head: Cluster, relation: str, tail: Cluster) -> tuple:
    """A relation as a hashable key over entity clusters; symmetric ones ignore order."""
    if relation in SYMMETRIC_RELATIONS:
        return (relation, frozenset({head, tail}))
    return (head, relation, tail)


def resolve(raw: dict, document: Document, source: str) -> Annotation:
    """Offsets, clusters and relation keys of a review file's annotation."""
    spans, members = set(), {}
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


def f1(a: frozenset | set, b: frozenset | set) -> float:
    """Dice agreement of two sets (F1 of one against the other).

    >>> f1({1, 2}, {2, 3})
    0.5
    """
    return 1.0 if not a and not b else 2 * len(set(a) & set(b)) / (len(a) + len(b))


def load_reviews(root: Path, document: Document) -> list[Annotation]:
    annotations = []
    for path in sorted((root / REVIEW_DIR).glob("annotator_*.json")):
        shown = f"{REVIEW_DIR}/{path.name}"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise GoldDataError([Problem(shown, None, f"cannot read: {error}")]) from None
        annotations.append(resolve(raw, document, shown))
    return annotations


def agreement_rows(first: Annotation, second: Annotation) -> list[tuple[str, str]]:
    """Agreement figures of two annotations, as (measure, value) rows."""
    unlabelled = lambda spans: {(s.start, s.end) for s in spans}  # noqa: E731
    shared = set(first.relations) & set(second.relations)
    same_evidence = sum(first.relations[k] == second.relations[k] for k in shared)
    return [
        ("mentions (each side)", f"{len(first.spans)} / {len(second.spans)}"),
        ("mention F1, exact span and label", f"{f1(first.spans, second.spans):.3f}"),
        ("mention F1, exact span, any label", f"{f1(unlabelled(first.spans), unlabelled(second.spans)):.3f}"),
        ("entities (each side)", f"{len(first.clusters)} / {len(second.clusters)}"),
        ("identical entity clusters (F1)", f"{f1(first.clusters, second.clusters):.3f}"),
        ("relations (each side)", f"{len(first.relations)} / {len(second.relations)}"),
        ("relation F1 (same head cluster, type, tail cluster)", f"{f1(set(first.relations), set(second.relations)):.3f}"),
        ("shared relations with identical evidence", f"{same_evidence} / {len(shared)}"),
    ]


def agreement_markdown(root: Path, document: Document) -> str:
    """The dataset card's agreement section: A vs B before adjudication, each vs the gold."""
    reviews = load_reviews(root, document)
    if len(reviews) < 2:
        raise GoldDataError([Problem(REVIEW_DIR, None, "needs two independent annotations (annotator_*.json)")])
    first, second = reviews[0], reviews[1]
    gold = gold_annotation(document)
    rows = ["| measure | A vs B (independent) | A vs gold | B vs gold |", "|---|---:|---:|---:|"]
    for (measure, ab), (_, ag), (_, bg) in zip(
        agreement_rows(first, second), agreement_rows(first, gold), agreement_rows(second, gold)
    ):
        rows.append(f"| {measure} | {ab} | {ag} | {bg} |")
    return "\n".join(rows)
