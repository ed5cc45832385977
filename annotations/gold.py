"""Reading, checking and writing the gold annotations (the project's source of truth).

The gold is two TSV files, one row per mention and one per relation, each row
keeping the surface text next to its offsets so that a reviewer reads the file
like a concordance and ``git diff`` shows exactly what changed:

* ``annotations/mentions.tsv``: ``id start end label entity text``
* ``annotations/relations.tsv``: ``id head relation tail evidence head_name tail_name``

Entities are not stored separately: an entity is the set of mentions that share
an ``entity`` id; its label is theirs and its name is its longest mention.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from zhnerbench.corpus.store import ARTICLE_FILE, document_from_text, read_article, sha256_hex
from zhnerbench.errors import GoldDataError, Problem
from zhnerbench.model import Document, Entity, Mention, Relation
from zhnerbench.schema import (
    ARTICLE_SHA256,
    ENTITY_LABELS,
    RELATION_SIGNATURES,
    SYMMETRIC_RELATIONS,
)
from zhnerbench.tsv import format_tsv, read_tsv

MENTIONS_FILE = "annotations/mentions.tsv"
RELATIONS_FILE = "annotations/relations.tsv"
MENTION_COLUMNS = ("id", "start", "end", "label", "entity", "text")
RELATION_COLUMNS = ("id", "head", "relation", "tail", "evidence", "head_name", "tail_name")

_ID_PATTERN = {"mention": re.compile(r"M\d{3,}"), "entity": re.compile(r"E\d{3,}"), "relation": re.compile(r"R\d{3,}")}
_BRACKETS = "《》"


def id_number(identifier: str) -> int:
    """The number in an id, used to order ids.

    >>> id_number("E012")
    12
    """
    return int(identifier[1:])


@dataclass(frozen=True)
class _Row:
    line: int
    fields: dict[str, str]


def _parse_int(value: str) -> int | None:
    return int(value) if re.fullmatch(r"\d+", value) else None


def _parse_mentions(rows: list[tuple[int, dict[str, str]]], problems: list[Problem]) -> list[tuple[int, Mention]]:
    parsed = []
    for line, row in rows:
        start, end = _parse_int(row["start"]), _parse_int(row["end"])
        where = f"mention {row['id']} '{row['text']}'"
        bad = False
        if not _ID_PATTERN["mention"].fullmatch(row["id"]):
            problems.append(Problem(MENTIONS_FILE, line, f"{where}: id must look like M001"))
            bad = True
        if not _ID_PATTERN["entity"].fullmatch(row["entity"]):
            problems.append(Problem(MENTIONS_FILE, line, f"{where}: entity id {row['entity']!r} must look like E001"))
            bad = True
        if start is None or end is None:
            problems.append(Problem(MENTIONS_FILE, line, f"{where}: start and end must be non-negative integers"))
            bad = True
        if not bad:
            parsed.append((line, Mention(row["id"], start, end, row["label"], row["entity"], row["text"])))
    return parsed


def _parse_relations(rows: list[tuple[int, dict[str, str]]], problems: list[Problem]) -> list[tuple[int, Relation, str, str]]:
    parsed = []
    for line, row in rows:
        where = f"relation {row['id']} {row['head_name']} -{row['relation']}-> {row['tail_name']}"
        if not _ID_PATTERN["relation"].fullmatch(row["id"]):
            problems.append(Problem(RELATIONS_FILE, line, f"{where}: id must look like R001"))
            continue
        pieces = row["evidence"].split(",")
        if not all(re.fullmatch(r"\d+", piece) for piece in pieces):
            problems.append(
                Problem(RELATIONS_FILE, line, f"{where}: evidence must be comma-separated sentence ids, found {row['evidence']!r}")
            )
            continue
        relation = Relation(row["id"], row["head"], row["relation"], row["tail"], tuple(int(p) for p in pieces))
        parsed.append((line, relation, row["head_name"], row["tail_name"]))
    return parsed


def derive_entities(mentions: Iterable[Mention]) -> tuple[Entity, ...]:
    """Entities from the mentions' ``entity`` ids, ordered by first mention.

    The name is the longest mention (the first one on ties); the label is the
    first mention's (validation reports clusters with mixed labels).

    >>> ms = [Mention("M001", 0, 2, "GPE", "E001", "上海"), Mention("M002", 5, 8, "GPE", "E001", "上海市")]
    >>> derive_entities(ms)
    (Entity(id='E001', label='GPE', name='上海市', mentions=('M001', 'M002')),)
    """
    members: dict[str, list[Mention]] = {}
    for mention in sorted(mentions, key=lambda m: (m.start, m.end)):
        members.setdefault(mention.entity, []).append(mention)
    entities = []
    for entity_id, group in members.items():
        name = max(group, key=lambda m: len(m.text)).text
        entities.append(Entity(entity_id, group[0].label, name, tuple(m.id for m in group)))
    return tuple(entities)


def check_document(document: Document, mention_lines: dict[str, int], relation_lines: dict[str, int],
                   relation_names: dict[str, tuple[str, str]]) -> list[Problem]:
    """Every check of schema §5 on an assembled document; one problem per finding."""
    problems: list[Problem] = []
    text = document.text

    def mention_problem(mention: Mention, message: str) -> None:
        where = f"mention {mention.id} '{mention.text}' [{mention.start},{mention.end})"
        problems.append(Problem(MENTIONS_FILE, mention_lines.get(mention.id), f"{where}: {message}"))

    def relation_problem(relation: Relation, message: str) -> None:
        head, tail = relation_names.get(relation.id, (relation.head, relation.tail))
        where = f"relation {relation.id} {head} -{relation.relation}-> {tail}"
        problems.append(Problem(RELATIONS_FILE, relation_lines.get(relation.id), f"{where}: {message}"))

    starts = [sentence.start for sentence in document.sentences]

    def sentence_of(offset: int) -> int | None:
        index = bisect_right(starts, offset) - 1
        return index if index >= 0 and offset < document.sentences[index].end else None

    for identifier, count in Counter(m.id for m in document.mentions).items():
        if count > 1:
            problems.append(Problem(MENTIONS_FILE, None, f"mention id {identifier} is used {count} times"))
    previous: Mention | None = None
    for mention in sorted(document.mentions, key=lambda m: (m.start, m.end)):
        if mention.label not in ENTITY_LABELS:
            mention_problem(mention, f"unknown label {mention.label!r} (allowed: {' '.join(ENTITY_LABELS)})")
        if not 0 <= mention.start < mention.end <= len(text):
            mention_problem(mention, f"offsets out of range (need 0 <= start < end <= {len(text)})")
            continue
        actual = text[mention.start:mention.end]
        if mention.text != actual:
            mention_problem(mention, f"text does not match article[{mention.start}:{mention.end}]={actual!r}")
        if sentence_of(mention.start) is None or sentence_of(mention.start) != sentence_of(mention.end - 1):
            mention_problem(mention, "crosses a sentence boundary")
        if actual != actual.strip() or actual[0] in _BRACKETS or actual[-1] in _BRACKETS:
            mention_problem(mention, "starts or ends with whitespace or a 《》 bracket (brackets are excluded)")
        if previous is not None and mention.start < previous.end:
            mention_problem(mention, f"overlaps mention {previous.id} '{previous.text}' [{previous.start},{previous.end})")
        if previous is None or mention.end > previous.end:
            previous = mention

    mentions_by_id = {m.id: m for m in document.mentions}
    for entity in document.entities:
        labels = {mentions_by_id[m].label for m in entity.mentions}
        if len(labels) > 1:
            problems.append(
                Problem(MENTIONS_FILE, mention_lines.get(entity.mentions[0]),
                        f"entity {entity.id} '{entity.name}' mixes labels {sorted(labels)}; an entity has one type")
            )

    entities = {e.id: e for e in document.entities}
    seen: dict[tuple[str, str, str], str] = {}
    for identifier, count in Counter(r.id for r in document.relations).items():
        if count > 1:
            problems.append(Problem(RELATIONS_FILE, None, f"relation id {identifier} is used {count} times"))
    for relation in document.relations:
        signature = RELATION_SIGNATURES.get(relation.relation)
        if signature is None:
            relation_problem(relation, f"unknown relation type {relation.relation!r} (allowed: {' '.join(RELATION_SIGNATURES)})")
            continue
        missing = [arg for arg in (relation.head, relation.tail) if arg not in entities]
        if missing:
            relation_problem(relation, f"unknown entity id(s) {', '.join(missing)}")
            continue
        head, tail = entities[relation.head], entities[relation.tail]
        names = relation_names.get(relation.id)
        if names is not None and names != (head.name, tail.name):
            relation_problem(relation, f"head_name/tail_name must be the entities' names {head.name!r} / {tail.name!r}")
        known = head.label in ENTITY_LABELS and tail.label in ENTITY_LABELS  # else already reported
        if known and (head.label not in signature[0] or tail.label not in signature[1]):
            relation_problem(
                relation,
                f"argument types {head.label} -> {tail.label} are not allowed "
                f"(head: {'/'.join(sorted(signature[0]))}; tail: {'/'.join(sorted(signature[1]))})",
            )
        if relation.head == relation.tail:
            relation_problem(relation, "head and tail are the same entity")
        if relation.relation in SYMMETRIC_RELATIONS and id_number(relation.head) > id_number(relation.tail):
            relation_problem(relation, f"{relation.relation} is symmetric: store it once with head id < tail id")
        key = (relation.head, relation.relation, relation.tail)
        if relation.relation in SYMMETRIC_RELATIONS:
            key = (min(relation.head, relation.tail, key=id_number), relation.relation,
                   max(relation.head, relation.tail, key=id_number))
        if key in seen:
            relation_problem(relation, f"duplicates relation {seen[key]}")
        else:
            seen[key] = relation.id
        if not relation.evidence:
            relation_problem(relation, "has no evidence sentence")
        bad = [str(e) for e in relation.evidence if not 0 <= e < len(document.sentences)]
        if bad:
            relation_problem(relation, f"evidence sentence id(s) {', '.join(bad)} do not exist (0..{len(document.sentences) - 1})")
        if len(set(relation.evidence)) != len(relation.evidence) or list(relation.evidence) != sorted(relation.evidence):
            relation_problem(relation, "evidence ids must be sorted and distinct")
    return problems


def read_gold(root: Path, text: str | None = None) -> tuple[Document, list[Problem]]:
    """The annotated document of the checkout at ``root`` and every problem found in it.

    ``text`` replaces ``corpus/article.txt`` (``build`` passes the seed's text, so
    that it can check the gold before it writes anything).
    """
    problems: list[Problem] = []
    if text is None:
        text = read_article(root)
    if sha256_hex(text) != ARTICLE_SHA256:
        problems.append(
            Problem(ARTICLE_FILE, None, f"SHA-256 {sha256_hex(text)} differs from the recorded {ARTICLE_SHA256}: the text changed")
        )
    document = document_from_text(text)
    try:
        mention_rows = read_tsv(root / MENTIONS_FILE, MENTION_COLUMNS, MENTIONS_FILE)
    except GoldDataError as error:
        problems.extend(error.problems)
        mention_rows = []
    try:
        relation_rows = read_tsv(root / RELATIONS_FILE, RELATION_COLUMNS, RELATIONS_FILE)
    except GoldDataError as error:
        problems.extend(error.problems)
        relation_rows = []
    mentions = _parse_mentions(mention_rows, problems)
    relations = _parse_relations(relation_rows, problems)
    ordered = sorted((m for _, m in mentions), key=lambda m: (m.start, m.end))
    document = Document(
        document.id, document.title, document.date, document.language, document.text,
        document.lines, document.sentences,
        mentions=tuple(ordered),
        entities=derive_entities(ordered),
        relations=tuple(r for _, r, _, _ in relations),
    )
    problems.extend(
        check_document(
            document,
            {m.id: line for line, m in mentions},
            {r.id: line for line, r, _, _ in relations},
            {r.id: (h, t) for _, r, h, t in relations},
        )
    )
    return document, problems


def load_gold(root: Path, text: str | None = None) -> Document:
    """The validated gold document; raises :class:`GoldDataError` listing every problem."""
    document, problems = read_gold(root, text)
    if problems:
        raise GoldDataError(problems)
    return document


def render_mentions_tsv(document: Document) -> str:
    return format_tsv(MENTION_COLUMNS, ([m.id, m.start, m.end, m.label, m.entity, m.text] for m in document.mentions))


def render_relations_tsv(document: Document) -> str:
    names = {e.id: e.name for e in document.entities}
    return format_tsv(
        RELATION_COLUMNS,
        ([r.id, r.head, r.relation, r.tail, ",".join(map(str, r.evidence)), names[r.head], names[r.tail]]
         for r in document.relations),
    )
