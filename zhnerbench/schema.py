"""The annotation schema as data: labels, relation signatures, line roles.

Everything that depends on the label set (validation, IOB2 tag names, the dataset
card's typed features, scoring views) imports it from here, so the schema is
declared exactly once (``annotations/GUIDELINES.md`` §2, §4 and §5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

#: The 18 OntoNotes 5.0 entity types, in OntoNotes' own order, plus TITLE.
ONTONOTES_LABELS: Final[tuple[str, ...]] = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
    "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL",
    "CARDINAL",
)
ENTITY_LABELS: Final[tuple[str, ...]] = ONTONOTES_LABELS + ("TITLE",)

#: Labels whose identical surface texts form one entity (guidelines §3): a title or a
#: number is a value, not a referent that aliases could point at. Validation enforces it.
VALUE_LABELS: Final[frozenset[str]] = frozenset(
    {"TITLE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
)

#: The labels an inner mention may have (guidelines §5): names, never values or titles.
NAMED_LABELS: Final[tuple[str, ...]] = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
)

#: Relation type -> (allowed head labels, allowed tail labels), guidelines §4.
RELATION_SIGNATURES: Final[Mapping[str, tuple[frozenset[str], frozenset[str]]]] = {
    "has_title": (frozenset({"PERSON"}), frozenset({"TITLE"})),
    "member_of": (frozenset({"PERSON"}), frozenset({"ORG"})),
    "speaks_at": (frozenset({"PERSON"}), frozenset({"EVENT"})),
    "signs": (frozenset({"PERSON", "ORG"}), frozenset({"LAW"})),
    "publishes": (frozenset({"ORG", "EVENT"}), frozenset({"WORK_OF_ART", "LAW"})),
    "organizes": (frozenset({"ORG"}), frozenset({"EVENT"})),
    "held_at": (frozenset({"EVENT"}), frozenset({"FAC", "GPE"})),
    "held_on": (frozenset({"EVENT"}), frozenset({"DATE", "TIME"})),
    "partner_of": (frozenset({"PERSON", "ORG"}), frozenset({"PERSON", "ORG"})),
}
RELATION_TYPES: Final[tuple[str, ...]] = tuple(RELATION_SIGNATURES)

#: Relations whose head and tail may be swapped without changing the meaning;
#: stored once, with head id < tail id.
SYMMETRIC_RELATIONS: Final[frozenset[str]] = frozenset({"partner_of"})

LINE_ROLES: Final[tuple[str, ...]] = ("title", "heading", "caption", "body")

#: Characters after which a line is split into sentences (guidelines §1). The
#: semicolons ``；``/``;`` are deliberately not boundaries.
SENTENCE_FINAL: Final[frozenset[str]] = frozenset("。！？")

#: SHA-256 of the article text, recorded when the corpus was made (guidelines §8).
ARTICLE_SHA256: Final[str] = "5d99ccbc62be41411ae26301758e748641cb23e41bbada54b0db894dd2dbc36e"


def iob2_tag_names(labels: tuple[str, ...] = ENTITY_LABELS) -> tuple[str, ...]:
    """Tag vocabulary for IOB2 over ``labels``, with ``O`` first (id 0).

    >>> iob2_tag_names(("PERSON", "ORG"))
    ('O', 'B-PERSON', 'I-PERSON', 'B-ORG', 'I-ORG')
    """
    return ("O",) + tuple(f"{prefix}-{label}" for label in labels for prefix in ("B", "I"))
