"""brat standoff: ``article.txt`` + ``article.ann`` + ``annotation.conf``.

The ``.ann`` file holds

* ``T`` lines, one per mention: ``T12<TAB>ORG 105 108<TAB>市科委`` (the number is
  the mention id's number, so ids survive the round trip);
* ``R`` lines, one per relation: ``R7<TAB>has_title Arg1:T8 Arg2:T6``. brat links
  annotations, not entities, so each argument is anchored on one mention of its
  entity, the one nearest the first evidence sentence (what a reader of the
  sentence expects to see linked);
* ``*<TAB>Equiv T1 T4 T5`` lines, one per entity with more than one mention;
* ``#`` notes (``AnnotatorNotes``): ``entity E001`` on each entity's first
  mention, ``parent M001`` on each inner mention (brat draws nested annotations
  as they are; the note says which layer a span belongs to), the two joined by
  ``; `` on a mention that has both, and ``evidence 2,44,45`` on each relation.

Offsets are character (code point) offsets into the text, as brat counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhnerbench.gold.annotation_files import derive_entities, id_number
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.document import Document, Mention, Relation, Sentence
from zhnerbench.offsets import sentence_at
from zhnerbench.schema import ENTITY_LABELS, RELATION_SIGNATURES, SYMMETRIC_RELATIONS

TEXT_NAME = "article.txt"
ANN_NAME = "article.ann"
CONF_NAME = "annotation.conf"


class BratFormatError(ZhNerBenchError):
    """A brat ``.ann`` file that is not valid standoff or does not fit the text."""


def annotation_conf() -> str:
    """``annotation.conf`` declaring the schema's entity and relation types.

    >>> "has_title\\tArg1:PERSON, Arg2:TITLE" in annotation_conf()
    True
    """
    lines = ["# zhnerbench schema: 19 entity labels, 9 relation types", "[entities]"]
    lines += list(ENTITY_LABELS)
    lines += ["", "[relations]", "Equiv\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive"]
    for name, (heads, tails) in RELATION_SIGNATURES.items():
        flags = ", <REL-TYPE>:symmetric" if name in SYMMETRIC_RELATIONS else ""
        lines.append(f"{name}\tArg1:{'|'.join(sorted(heads))}, Arg2:{'|'.join(sorted(tails))}{flags}")
    lines += ["", "[events]", "", "[attributes]", ""]
    return "\n".join(lines)


def _anchor(mentions: list[Mention], target: Sentence) -> Mention:
    """The mention nearest to the ``target`` sentence (inside it first; ties: the earlier one)."""

    def distance(mention: Mention) -> tuple[int, int]:
        inside = target.start <= mention.start and mention.end <= target.end
        return (0 if inside else min(abs(mention.start - target.start), abs(mention.end - target.end)), mention.start)

    return min(mentions, key=distance)


def _brat_id(prefix: str, identifier: str) -> str:
    return f"{prefix}{id_number(identifier)}"


def document_to_ann(document: Document) -> str:
    """The ``.ann`` standoff text of a document's mentions (both layers), clusters and relations."""
    lines = []
    for mention in document.all_mentions:
        lines.append(f"{_brat_id('T', mention.id)}\t{mention.label} {mention.start} {mention.end}\t{mention.text}")
    note = 0
    for entity in document.entities:
        mentions = [_brat_id("T", m) for m in entity.mentions]
        if len(mentions) > 1:
            lines.append(f"*\tEquiv {' '.join(mentions)}")
    # Relations are anchored on flat mentions where the entity has any (what a reader sees first).
    flat_of: dict[str, list[Mention]] = {}
    inner_of: dict[str, list[Mention]] = {}
    for layer, mentions_by_entity in ((document.mentions, flat_of), (document.inner_mentions, inner_of)):
        for mention in layer:
            mentions_by_entity.setdefault(mention.entity, []).append(mention)
    mentions_of = {entity: flat_of.get(entity) or inner_of[entity] for entity in {**inner_of, **flat_of}}
    for relation in document.relations:
        first = document.sentences[relation.evidence[0]]
        head = _anchor(mentions_of[relation.head], first)
        tail = _anchor(mentions_of[relation.tail], first)
        lines.append(
            f"{_brat_id('R', relation.id)}\t{relation.relation} Arg1:{_brat_id('T', head.id)} Arg2:{_brat_id('T', tail.id)}"
        )
    notes: dict[str, list[str]] = {}
    for entity in document.entities:
        notes.setdefault(entity.mentions[0], []).append(f"entity {entity.id}")
    for mention in document.inner_mentions:
        notes.setdefault(mention.id, []).append(f"parent {mention.parent}")
    for mention in document.all_mentions:
        if mention.id in notes:
            note += 1
            lines.append(f"#{note}\tAnnotatorNotes {_brat_id('T', mention.id)}\t{'; '.join(notes[mention.id])}")
    for relation in document.relations:
        note += 1
        lines.append(f"#{note}\tAnnotatorNotes {_brat_id('R', relation.id)}\tevidence {','.join(map(str, relation.evidence))}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _TextBound:
    id: str
    label: str
    start: int
    end: int
    text: str


_T_LINE = re.compile(r"(T[0-9]{1,9})\t(\S+) ([0-9]{1,9}) ([0-9]{1,9})\t(.*)")
_R_LINE = re.compile(r"(R[0-9]{1,9})\t(\S+) Arg1:(T[0-9]{1,9}) Arg2:(T[0-9]{1,9})")
_EQUIV_LINE = re.compile(r"\*\tEquiv((?: T[0-9]{1,9})+)")
_NOTE_LINE = re.compile(r"(#[0-9]{1,9})\tAnnotatorNotes ([TR][0-9]{1,9})\t(.*)")


def ann_to_document(ann: str, base: Document, source: str = ANN_NAME) -> Document:
    """Read a ``.ann`` file over ``base.text`` back into a document.

    Every line must be one of the forms :func:`document_to_ann` writes (brat's
    discontinuous spans ``0 3;5 8``, events and attributes are not part of the
    schema and are reported). Problems raise :class:`BratFormatError` naming the
    file and line. Mentions without an ``entity`` note get fresh entity ids;
    relations without an ``evidence`` note get the sentences of their anchors.
    """

    def fail(number: int, message: str) -> BratFormatError:
        return BratFormatError(f"{source}:{number}: {message}")

    text = base.text
    bounds: dict[str, _TextBound] = {}
    relations: list[tuple[int, str, str, str, str]] = []
    clusters: list[tuple[int, list[str]]] = []
    notes: dict[str, str] = {}
    for number, line in enumerate(ann.split("\n"), start=1):
        if not line.strip():
            continue
        if match := _T_LINE.fullmatch(line):
            identifier, label, start, end, surface = match.groups()
            start, end = int(start), int(end)
            if identifier in bounds:
                raise fail(number, f"duplicate id {identifier}")
            if label not in ENTITY_LABELS:
                raise fail(number, f"unknown entity type {label!r}")
            if not 0 <= start < end <= len(text):
                raise fail(number, f"offsets {start} {end} out of range for a text of {len(text)} characters")
            if text[start:end] != surface:
                raise fail(number, f"{identifier} text {surface!r} does not match the text at {start}-{end}: {text[start:end]!r}")
            bounds[identifier] = _TextBound(identifier, label, start, end, surface)
        elif match := _R_LINE.fullmatch(line):
            identifier, relation, head, tail = match.groups()
            relations.append((number, identifier, relation, head, tail))
        elif match := _EQUIV_LINE.fullmatch(line):
            clusters.append((number, match.group(1).split()))
        elif match := _NOTE_LINE.fullmatch(line):
            notes[match.group(2)] = match.group(3)
        else:
            raise fail(number, f"not a standoff line this schema uses: {line[:60]!r}")

    def mention_id(brat_id: str) -> str:
        return f"M{int(brat_id[1:]):03d}"

    def note_fields(identifier: str, number: int = 0) -> dict[str, str]:
        fields = {}
        for part in notes.get(identifier, "").split("; "):
            key, _, value = part.partition(" ")
            if key in ("entity", "parent", "evidence") and value:
                fields[key] = value
        if "entity" in fields and not re.fullmatch(r"E[0-9]{1,9}", fields["entity"]):
            raise fail(number, f"{identifier}: entity note {fields['entity'][:20]!r} is not an entity id like E001")
        if "parent" in fields and not re.fullmatch(r"M[0-9]{1,9}", fields["parent"]):
            raise fail(number, f"{identifier}: parent note {fields['parent'][:20]!r} is not a mention id like M001")
        return fields

    entity_of: dict[str, str] = {}
    for number, members in clusters:
        for member in members:
            if member not in bounds:
                raise fail(number, f"Equiv refers to unknown annotation {member}")
        named = [note_fields(m, number)["entity"] for m in members if "entity" in note_fields(m, number)]
        entity = named[0] if named else None
        for member in members:
            if member in entity_of:
                raise fail(number, f"{member} is in two Equiv groups")
            entity_of[member] = entity or members[0]
    next_entity = 1 + max([id_number(note_fields(t)["entity"]) for t in bounds if "entity" in note_fields(t)] or [0])
    assigned: dict[str, str] = {}
    mentions = []
    for brat_id, bound in sorted(bounds.items(), key=lambda item: (item[1].start, -item[1].end)):
        fields = note_fields(brat_id)
        key = entity_of.get(brat_id) or fields.get("entity", brat_id)
        if not re.fullmatch(r"E[0-9]+", key):
            if key not in assigned:
                assigned[key] = f"E{next_entity:03d}"
                next_entity += 1
            key = assigned[key]
        mentions.append(Mention(mention_id(brat_id), bound.start, bound.end, bound.label, key, bound.text,
                                fields.get("parent")))
    entity_of_mention = {m.id: m.entity for m in mentions}
    starts = [sentence.start for sentence in base.sentences]
    parsed = []
    for number, identifier, relation, head, tail in relations:
        if relation not in RELATION_SIGNATURES:
            raise fail(number, f"unknown relation type {relation[:30]!r}")
        for argument in (head, tail):
            if argument not in bounds:
                raise fail(number, f"{identifier} refers to unknown annotation {argument}")
        cited = note_fields(identifier, number).get("evidence")
        if cited is not None:
            if not re.fullmatch(r"[0-9]{1,6}(,[0-9]{1,6})*", cited):
                raise fail(number, f"{identifier}: evidence note {cited[:30]!r} is not comma-separated sentence ids")
            evidence = tuple(int(e) for e in cited.split(","))
        else:
            evidence = tuple(sorted({sentence_at(starts, bounds[head].start), sentence_at(starts, bounds[tail].start)}))
        parsed.append(
            Relation(f"R{int(identifier[1:]):03d}", entity_of_mention[mention_id(head)], relation,
                     entity_of_mention[mention_id(tail)], evidence)
        )
    flat = tuple(m for m in mentions if m.parent is None)
    inner = tuple(m for m in mentions if m.parent is not None)
    return Document(
        base.id, base.title, base.date, base.language, base.text, base.lines, base.sentences,
        mentions=flat, entities=derive_entities(mentions), relations=tuple(parsed), inner_mentions=inner,
    )
