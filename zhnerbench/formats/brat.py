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
  mention, ``evidence 2,44,45`` on each relation.

Offsets are character (code point) offsets into the text, as brat counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhnerbench.annotations.gold import derive_entities, id_number
from zhnerbench.errors import ZhNerBenchError
from zhnerbench.model import Document, Mention, Relation, Sentence
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
    """The ``.ann`` standoff text of a document's mentions, clusters and relations."""
    lines = []
    for mention in document.mentions:
        lines.append(f"{_brat_id('T', mention.id)}\t{mention.label} {mention.start} {mention.end}\t{mention.text}")
    note = 0
    for entity in document.entities:
        mentions = [_brat_id("T", m) for m in entity.mentions]
        if len(mentions) > 1:
            lines.append(f"*\tEquiv {' '.join(mentions)}")
    mentions_of: dict[str, list[Mention]] = {}
    for mention in document.mentions:
        mentions_of.setdefault(mention.entity, []).append(mention)
    for relation in document.relations:
        first = document.sentences[relation.evidence[0]]
        head = _anchor(mentions_of[relation.head], first)
        tail = _anchor(mentions_of[relation.tail], first)
        lines.append(
            f"{_brat_id('R', relation.id)}\t{relation.relation} Arg1:{_brat_id('T', head.id)} Arg2:{_brat_id('T', tail.id)}"
        )
    for entity in document.entities:
        note += 1
        lines.append(f"#{note}\tAnnotatorNotes {_brat_id('T', entity.mentions[0])}\tentity {entity.id}")
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


_T_LINE = re.compile(r"(T\d+)\t(\S+) (\d+) (\d+)\t(.*)")
_R_LINE = re.compile(r"(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)")
_EQUIV_LINE = re.compile(r"\*\tEquiv((?: T\d+)+)")
_NOTE_LINE = re.compile(r"(#\d+)\tAnnotatorNotes ([TR]\d+)\t(.*)")


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
            relations.append((number, *match.groups()))
        elif match := _EQUIV_LINE.fullmatch(line):
            clusters.append((number, match.group(1).split()))
        elif match := _NOTE_LINE.fullmatch(line):
            notes[match.group(2)] = match.group(3)
        else:
            raise fail(number, f"not a standoff line this schema uses: {line[:60]!r}")

    def mention_id(brat_id: str) -> str:
        return f"M{int(brat_id[1:]):03d}"

    entity_of: dict[str, str] = {}
    for number, members in clusters:
        for member in members:
            if member not in bounds:
                raise fail(number, f"Equiv refers to unknown annotation {member}")
        named = [notes[m].split(" ", 1)[1] for m in members if notes.get(m, "").startswith("entity ")]
        entity = named[0] if named else None
        for member in members:
            if member in entity_of:
                raise fail(number, f"{member} is in two Equiv groups")
            entity_of[member] = entity or members[0]
    next_entity = 1 + max(
        [id_number(n.split(" ", 1)[1]) for n in notes.values() if n.startswith("entity E")] or [0]
    )
    assigned: dict[str, str] = {}
    mentions = []
    for brat_id, bound in sorted(bounds.items(), key=lambda item: (item[1].start, item[1].end)):
        note = notes.get(brat_id, "")
        key = entity_of.get(brat_id) or (note.split(" ", 1)[1] if note.startswith("entity ") else brat_id)
        if not re.fullmatch(r"E\d+", key):
            if key not in assigned:
                assigned[key] = f"E{next_entity:03d}"
                next_entity += 1
            key = assigned[key]
        mentions.append(Mention(mention_id(brat_id), bound.start, bound.end, bound.label, key, bound.text))
    entity_of_mention = {m.id: m.entity for m in mentions}
    sentence_of = {}
    for sentence in base.sentences:
        sentence_of.update({offset: sentence.index for offset in range(sentence.start, sentence.end)})
    parsed = []
    for number, identifier, relation, head, tail in relations:
        if relation not in RELATION_SIGNATURES:
            raise fail(number, f"unknown relation type {relation!r}")
        for argument in (head, tail):
            if argument not in bounds:
                raise fail(number, f"{identifier} refers to unknown annotation {argument}")
        note = notes.get(identifier, "")
        if note.startswith("evidence "):
            evidence = tuple(int(e) for e in note.split(" ", 1)[1].split(","))
        else:
            evidence = tuple(sorted({sentence_of[bounds[head].start], sentence_of[bounds[tail].start]}))
        parsed.append(
            Relation(f"R{int(identifier[1:]):03d}", entity_of_mention[mention_id(head)], relation,
                     entity_of_mention[mention_id(tail)], evidence)
        )
    return Document(
        base.id, base.title, base.date, base.language, base.text, base.lines, base.sentences,
        mentions=tuple(mentions), entities=derive_entities(mentions), relations=tuple(parsed),
    )
