"""Reading and checking the gold annotations (the project's source of truth).

The gold is three TSV files, one row per mention or relation, each row keeping the
surface text next to its offsets so that a reviewer reads the file like a
concordance and ``git diff`` shows exactly what changed:

* ``annotations/mentions.tsv``: ``id start end label entity text`` (the flat layer)
* ``annotations/inner_mentions.tsv``: ``id start end label entity parent text``
  (the inner layer; ``parent`` is the smallest mention that contains it)
* ``annotations/relations.tsv``: ``id head relation tail evidence head_name tail_name``

Entities are not stored separately: an entity is the set of mentions (of both
layers) that share an ``entity`` id; its label is theirs and its name is its
longest mention. Every rule of ``annotations/GUIDELINES.md`` that code can see is
checked here; each finding is one :class:`Problem` naming the file and line.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from pathlib import Path

from zhnerbench.digests import sha256_hex
from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.gold.article import document_from_text, read_article
from zhnerbench.reading import read_project_file
from zhnerbench.document import Document, Entity, Mention, Relation
from zhnerbench.paths import ARTICLE_FILE, INNER_MENTIONS_FILE, MENTIONS_FILE, RELATIONS_FILE
from zhnerbench.schema import (
    ARTICLE_SHA256,
    ENTITY_LABELS,
    NAMED_LABELS,
    RELATION_SIGNATURES,
    SYMMETRIC_RELATIONS,
    VALUE_LABELS,
)
from zhnerbench.tsv import format_tsv, parse_tsv

MENTION_COLUMNS = ("id", "start", "end", "label", "entity", "text")
INNER_MENTION_COLUMNS = ("id", "start", "end", "label", "entity", "parent", "text")
RELATION_COLUMNS = ("id", "head", "relation", "tail", "evidence", "head_name", "tail_name")

_ID_PATTERN = {"mention": re.compile(r"M[0-9]{3,9}"), "entity": re.compile(r"E[0-9]{3,9}"),
               "relation": re.compile(r"R[0-9]{3,9}")}
#: ASCII digits only (``re``'s ``\d`` also matches ``１３``), and few enough to be an offset.
_NUMBER = re.compile(r"[0-9]{1,9}")
_BRACKETS = "《》"
#: A name shorter than this is never an inner mention (guidelines §5, rule 4).
MIN_INNER_CHARS = 2


def id_number(identifier: str) -> int:
    """The number in an id, used to order ids.

    >>> id_number("E012")
    12
    """
    return int(identifier[1:])


def parse_offset(value: str) -> int | None:
    """A non-negative offset written in ASCII digits, or ``None``.

    >>> parse_offset("13"), parse_offset("１３"), parse_offset("9" * 40)
    (13, None, None)
    """
    return int(value) if _NUMBER.fullmatch(value) else None


@dataclass(frozen=True)
class GoldLines:
    """Where each gold row came from, so that every problem can name its file and line."""

    mentions: Mapping[str, tuple[str, int]]
    relations: Mapping[str, int]
    relation_names: Mapping[str, tuple[str, str]]


def _parse_mentions(
    rows: list[tuple[int, dict[str, str]]], file: str, problems: list[Problem]
) -> list[tuple[int, Mention]]:
    parsed = []
    for line, row in rows:
        start, end = parse_offset(row["start"]), parse_offset(row["end"])
        where = f"mention {row['id'][:20]} '{row['text'][:40]}'"
        bad = False
        if not _ID_PATTERN["mention"].fullmatch(row["id"]):
            problems.append(Problem(file, line, f"{where}: id must look like M001"))
            bad = True
        if not _ID_PATTERN["entity"].fullmatch(row["entity"]):
            problems.append(Problem(file, line, f"{where}: entity id {row['entity'][:20]!r} must look like E001"))
            bad = True
        parent = row.get("parent")
        if parent is not None and not _ID_PATTERN["mention"].fullmatch(parent):
            problems.append(Problem(file, line, f"{where}: parent {parent[:20]!r} must be a mention id like M001"))
            bad = True
        if start is None or end is None:
            problems.append(Problem(file, line, f"{where}: start and end must be non-negative integers (ASCII digits, at most 9)"))
            bad = True
        if not bad:
            assert start is not None and end is not None
            parsed.append((line, Mention(row["id"], start, end, row["label"], row["entity"], row["text"], parent)))
    return parsed


def _parse_relations(
    rows: list[tuple[int, dict[str, str]]], problems: list[Problem]
) -> list[tuple[int, Relation, str, str]]:
    parsed = []
    for line, row in rows:
        where = f"relation {row['id'][:20]} {row['head_name'][:30]} -{row['relation'][:20]}-> {row['tail_name'][:30]}"
        if not _ID_PATTERN["relation"].fullmatch(row["id"]):
            problems.append(Problem(RELATIONS_FILE, line, f"{where}: id must look like R001"))
            continue
        pieces = row["evidence"].split(",")
        if not all(_NUMBER.fullmatch(piece) for piece in pieces):
            problems.append(Problem(RELATIONS_FILE, line,
                                    f"{where}: evidence must be comma-separated sentence ids, found {row['evidence'][:40]!r}"))
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
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        members.setdefault(mention.entity, []).append(mention)
    entities = []
    for entity_id, group in members.items():
        name = max(group, key=lambda m: len(m.text)).text
        entities.append(Entity(entity_id, group[0].label, name, tuple(m.id for m in group)))
    return tuple(entities)


def check_mentions(document: Document, lines: GoldLines) -> list[Problem]:
    """Checks common to both layers: ids, labels, offsets, text, sentences, whitespace, one type per entity."""
    problems: list[Problem] = []
    text = document.text
    starts = [sentence.start for sentence in document.sentences]

    def sentence_of(offset: int) -> int | None:
        index = bisect_right(starts, offset) - 1
        return index if index >= 0 and offset < document.sentences[index].end else None

    def problem(mention: Mention, message: str) -> None:
        file, line = lines.mentions.get(mention.id, (MENTIONS_FILE, None))
        where = f"mention {mention.id} '{mention.text[:40]}' [{mention.start},{mention.end})"
        problems.append(Problem(file, line, f"{where}: {message}"))

    everything = document.mentions + document.inner_mentions
    for mention in everything:
        if mention.label not in ENTITY_LABELS:
            problem(mention, f"unknown label {mention.label[:30]!r} (allowed: {' '.join(ENTITY_LABELS)})")
        if not 0 <= mention.start < mention.end <= len(text):
            problem(mention, f"offsets out of range (need 0 <= start < end <= {len(text)})")
            continue
        actual = text[mention.start:mention.end]
        if mention.text != actual:
            problem(mention, f"text does not match article[{mention.start}:{mention.end}]={actual[:40]!r}")
        if sentence_of(mention.start) is None or sentence_of(mention.start) != sentence_of(mention.end - 1):
            problem(mention, "crosses a sentence boundary")
        if actual != actual.strip() or actual[0] in _BRACKETS or actual[-1] in _BRACKETS:
            problem(mention, "starts or ends with whitespace or a 《》 bracket (brackets are excluded)")

    previous: Mention | None = None
    for mention in sorted(document.mentions, key=lambda m: (m.start, m.end)):
        if previous is not None and mention.start < previous.end:
            problem(mention, f"overlaps mention {previous.id} '{previous.text}' [{previous.start},{previous.end}) "
                             "(the flat layer does not overlap; nested names go to the inner layer)")
        if previous is None or mention.end > previous.end:
            previous = mention

    by_id = {m.id: m for m in everything}
    for entity in document.entities:
        labels = {by_id[m].label for m in entity.mentions}
        if len(labels) > 1:
            problem(by_id[entity.mentions[0]], f"entity {entity.id} '{entity.name}' mixes labels {sorted(labels)}; "
                                               "an entity has one type")
        texts = {by_id[m].text for m in entity.mentions}
        if entity.label in VALUE_LABELS and len(texts) > 1:
            problem(by_id[entity.mentions[0]], f"entity {entity.id} is a {entity.label} value with texts "
                                               f"{sorted(texts)}; values form one entity per distinct text")
    value_entities: dict[tuple[str, str], set[str]] = defaultdict(set)
    for mention in everything:
        if mention.label in VALUE_LABELS:
            value_entities[(mention.label, mention.text)].add(mention.entity)
    for (label, surface), entities in value_entities.items():
        if len(entities) > 1:
            first = next(m for m in everything if m.text == surface and m.label == label)
            problem(first, f"{label} value {surface!r} is split over entities {', '.join(sorted(entities))}; "
                           "identical values form one entity")
    return problems


def check_inner_mentions(document: Document, lines: GoldLines) -> list[Problem]:
    """The rules of the inner layer (guidelines §5) that code can see."""
    problems: list[Problem] = []
    by_id = {m.id: m for m in document.mentions + document.inner_mentions}
    flat_texts: dict[str, set[str]] = defaultdict(set)
    for mention in document.mentions:
        flat_texts[mention.entity].add(mention.text)

    def problem(mention: Mention, message: str) -> None:
        file, line = lines.mentions.get(mention.id, (INNER_MENTIONS_FILE, None))
        where = f"inner mention {mention.id} '{mention.text[:40]}' [{mention.start},{mention.end})"
        problems.append(Problem(file, line, f"{where}: {message}"))

    def contains(outer: Mention, inner: Mention) -> bool:
        return outer.start <= inner.start and inner.end <= outer.end and (outer.start, outer.end) != (inner.start, inner.end)

    smallest_container = smallest_containers(document.mentions + document.inner_mentions)

    for mention in document.inner_mentions:
        parent = by_id.get(mention.parent or "")
        if parent is None:
            problem(mention, f"parent {mention.parent} is not a mention id of either layer")
            continue
        ancestors: list[Mention] = []
        cursor: Mention | None = parent
        while cursor is not None and cursor.id != mention.id and cursor not in ancestors:
            ancestors.append(cursor)
            cursor = by_id.get(cursor.parent) if cursor.parent else None
        if cursor is not None:
            problem(mention, "its parents form a cycle instead of leading to a flat mention")
            continue
        if not contains(parent, mention):
            problem(mention, f"does not lie strictly inside its parent {parent.id} '{parent.text}' "
                             f"[{parent.start},{parent.end})")
            continue
        smallest = smallest_container.get(mention.id)
        if smallest is not None and smallest.id != parent.id:
            problem(mention, f"its parent must be the smallest mention containing it: {smallest.id} "
                             f"'{smallest.text}', not {parent.id}")
        if mention.label not in NAMED_LABELS:
            problem(mention, f"label {mention.label} is not a named type; inner mentions are one of "
                             f"{' '.join(NAMED_LABELS)}")
        if mention.end - mention.start < MIN_INNER_CHARS:
            problem(mention, f"has fewer than {MIN_INNER_CHARS} characters")
        same = [a for a in ancestors if a.entity == mention.entity]
        if same:
            problem(mention, f"is the same entity ({mention.entity}) as the mention {same[0].id} "
                             f"'{same[0].text}' it lies in")
        if mention.label != "GPE" and mention.text not in flat_texts.get(mention.entity, set()):
            problem(mention, f"is neither a place name (GPE) nor the text of a flat mention of its entity "
                             f"{mention.entity}")

    spans = [(m.start, m.end, m.id) for m in document.inner_mentions]
    stack: list[tuple[int, int, str]] = []
    for start, end, identifier in sorted(spans, key=lambda s: (s[0], -s[1])):
        while stack and stack[-1][1] <= start:
            stack.pop()
        if stack and end > stack[-1][1]:
            problem(by_id[identifier], f"crosses the inner mention {stack[-1][2]} "
                                       f"[{stack[-1][0]},{stack[-1][1]}): inner mentions nest properly")
        stack.append((start, end, identifier))
    problems += missing_inner_mentions(document)
    return problems


def smallest_containers(mentions: Iterable[Mention]) -> dict[str, Mention]:
    """For each mention, the smallest other mention that strictly contains it (where spans nest;
    a crossing pair is reported by the nesting check), found in one sorted pass.

    >>> ms = [Mention("M1", 0, 9, "EVENT", "E1", "x" * 9), Mention("M2", 0, 5, "ORG", "E2", "x" * 5),
    ...       Mention("M3", 0, 2, "GPE", "E3", "xx", "M2")]
    >>> {inner: outer.id for inner, outer in smallest_containers(ms).items()}
    {'M2': 'M1', 'M3': 'M2'}
    """
    found: dict[str, Mention] = {}
    stack: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end, m.id)):
        while stack and (stack[-1].end <= mention.start or stack[-1].end < mention.end):
            stack.pop()
        if stack and (stack[-1].start, stack[-1].end) != (mention.start, mention.end):
            found[mention.id] = stack[-1]
        stack.append(mention)
    return found


def missing_inner_mentions(document: Document) -> list[Problem]:
    """Rule 3 completeness: a qualifying name inside a mention, of another entity, that no inner
    mention directly inside that mention covers or overlaps.

    The names are the texts of flat mentions with a named type and of GPE mentions
    (two characters or more), so a place name annotated once is looked for everywhere.
    """
    found: list[Problem] = []
    mentions = document.mentions + document.inner_mentions
    by_id = {m.id: m for m in mentions}
    names: dict[str, set[str]] = defaultdict(set)  # surface -> the entities it names
    for mention in mentions:
        qualifies = (mention.parent is None and mention.label in NAMED_LABELS) or mention.label == "GPE"
        if qualifies and mention.end - mention.start >= MIN_INNER_CHARS:
            names[mention.text].add(mention.entity)
    children: dict[str, list[Mention]] = defaultdict(list)
    for mention in document.inner_mentions:
        if mention.parent in by_id:
            children[mention.parent].append(mention)
    for outer in mentions:
        if outer.label not in ENTITY_LABELS or not 0 <= outer.start < outer.end <= len(document.text):
            continue
        lineage = set()
        cursor: Mention | None = outer
        while cursor is not None and cursor.entity not in lineage:
            lineage.add(cursor.entity)
            cursor = by_id.get(cursor.parent) if cursor.parent else None
        for surface, entities in names.items():
            if entities & lineage or len(surface) >= outer.end - outer.start:
                continue
            position = document.text.find(surface, outer.start, outer.end)
            while position >= 0:
                end = position + len(surface)
                if not any(c.start < end and position < c.end for c in children[outer.id]):
                    file = INNER_MENTIONS_FILE
                    found.append(Problem(file, None, f"'{surface}' at [{position},{end}) inside mention {outer.id} "
                                                     f"'{outer.text}' is a name of {', '.join(sorted(entities))} but no inner mention "
                                                     "covers it (guidelines §5, rule 3)"))
                position = document.text.find(surface, position + 1, outer.end)
    return found


def check_relations(document: Document, lines: GoldLines) -> list[Problem]:
    """Relation types, argument types, names, duplicates, symmetry and evidence (guidelines §4)."""
    problems: list[Problem] = []

    def relation_problem(relation: Relation, message: str) -> None:
        head, tail = lines.relation_names.get(relation.id, (relation.head, relation.tail))
        where = f"relation {relation.id} {head} -{relation.relation}-> {tail}"
        problems.append(Problem(RELATIONS_FILE, lines.relations.get(relation.id), f"{where}: {message}"))

    entities = {e.id: e for e in document.entities}
    mentioned = naming_sentences(document)
    seen: dict[tuple[str, str, str], str] = {}
    for relation in document.relations:
        signature = RELATION_SIGNATURES.get(relation.relation)
        if signature is None:
            relation_problem(relation, f"unknown relation type {relation.relation[:30]!r} "
                                       f"(allowed: {' '.join(RELATION_SIGNATURES)})")
            continue
        missing = [arg for arg in (relation.head, relation.tail) if arg not in entities]
        if missing:
            relation_problem(relation, f"unknown entity id(s) {', '.join(m[:20] for m in missing)}")
            continue
        head, tail = entities[relation.head], entities[relation.tail]
        names = lines.relation_names.get(relation.id)
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
        bad = [str(e) for e in relation.evidence if not 0 <= e < len(document.sentences)]
        if bad:
            relation_problem(relation, f"evidence sentence id(s) {', '.join(bad)} do not exist "
                                       f"(0..{len(document.sentences) - 1})")
        if len(set(relation.evidence)) != len(relation.evidence) or list(relation.evidence) != sorted(relation.evidence):
            relation_problem(relation, "evidence ids must be sorted and distinct")
        elif not bad:
            problem = evidence_problem(relation.evidence, mentioned.get(relation.head, set()) |
                                       mentioned.get(relation.tail, set()))
            if problem:
                relation_problem(relation, problem)
    return problems


def naming_sentences(document: Document) -> dict[str, set[int]]:
    """For each entity, the sentences that name it by a mention of either layer."""
    starts = [sentence.start for sentence in document.sentences]
    naming: dict[str, set[int]] = defaultdict(set)
    for mention in document.all_mentions:
        naming[mention.entity].add(bisect_right(starts, mention.start) - 1)
    return naming


def evidence_problem(evidence: Sequence[int], naming: AbstractSet[int]) -> str | None:
    """What breaks the evidence rules (guidelines §4.2) in a relation's evidence, given the
    sentences that name one of its arguments by a mention: the set is not empty, holds a
    statement (a sentence naming an argument), and every bridge (a sentence naming neither) comes
    before a statement it ties to the other argument, never alone or after them all.

    >>> evidence_problem([43, 53, 54], {53, 54}) is None, evidence_problem([43], {53})
    (True, 'evidence 43 holds no statement: no sentence of it names the head or the tail (a bridge never stands alone)')
    >>> evidence_problem([53, 60], {53})
    'evidence sentence 60 names neither argument and comes after every statement: a bridge ties a later statement'
    """
    if not evidence:
        return "evidence is empty: give the sentences that state the relation"
    statements = [sentence for sentence in evidence if sentence in naming]
    if not statements:
        shown = ",".join(map(str, evidence))
        return f"evidence {shown} holds no statement: no sentence of it names the head or the tail (a bridge never stands alone)"
    late = [sentence for sentence in evidence if sentence not in naming and sentence > statements[-1]]
    if late:
        return (f"evidence sentence {late[0]} names neither argument and comes after every statement: "
                "a bridge ties a later statement")
    return None


def check_document(document: Document, lines: GoldLines) -> list[Problem]:
    """Every check of the guidelines (§8) on an assembled document; one problem per finding."""
    return check_mentions(document, lines) + check_inner_mentions(document, lines) + check_relations(document, lines)


def duplicate_ids(places: Iterable[tuple[str, str, int]], kind: str) -> list[Problem]:
    """One problem per id used on more than one row, naming every ``FILE:LINE`` it is on.

    >>> print(duplicate_ids([("M001", "m.tsv", 2), ("M001", "i.tsv", 5)], "mention")[0])
    i.tsv:5: mention id M001 is used 2 times (m.tsv:2, i.tsv:5)
    """
    rows: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for identifier, file, line in places:
        rows[identifier].append((file, line))
    problems = []
    for identifier, where in rows.items():
        if len(where) > 1:
            shown = ", ".join(f"{file}:{line}" for file, line in where)
            problems.append(Problem(where[-1][0], where[-1][1], f"{kind} id {identifier} is used {len(where)} times ({shown})"))
    return problems


#: What one gold file holds for :func:`gold_from_contents`: its bytes, or why it could not be read.
FileContent = bytes | tuple[Problem, ...]


def _read_content(root: Path, file: str) -> FileContent:
    try:
        return read_project_file(root / file, file)
    except GoldDataError as error:
        return tuple(error.problems)


def _rows(content: FileContent, file: str, columns: Sequence[str],
          problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    if not isinstance(content, bytes):
        problems.extend(content)
        return []
    try:
        return parse_tsv(content, columns, file)
    except GoldDataError as error:
        problems.extend(error.problems)
        return []


def read_gold(root: Path, text: str | None = None) -> tuple[Document, list[Problem]]:
    """The annotated document of the checkout at ``root`` and every problem found in it.

    ``text`` replaces ``corpus/article.txt`` (``build`` passes the seed's text, so
    that it can check the gold before it writes anything).
    """
    if text is None:
        text = read_article(root)
    contents = tuple(_read_content(root, file) for file in (MENTIONS_FILE, INNER_MENTIONS_FILE, RELATIONS_FILE))
    document, problems = gold_from_contents(text, contents)
    return document, list(problems)


@functools.lru_cache(maxsize=8)
def gold_from_contents(text: str, contents: tuple[FileContent, FileContent, FileContent]) -> tuple[Document, tuple[Problem, ...]]:
    """The document and its problems from the article's text and the contents of the mention,
    inner-mention and relation files; once per distinct input in a process (a leaderboard run
    or a build reads the gold several times, and every check of the guidelines runs each time)."""
    problems: list[Problem] = []
    if sha256_hex(text) != ARTICLE_SHA256:
        problems.append(
            Problem(ARTICLE_FILE, None, f"SHA-256 {sha256_hex(text)} differs from the recorded {ARTICLE_SHA256}: the text changed")
        )
    document = document_from_text(text)
    flat = _parse_mentions(_rows(contents[0], MENTIONS_FILE, MENTION_COLUMNS, problems), MENTIONS_FILE, problems)
    inner = _parse_mentions(_rows(contents[1], INNER_MENTIONS_FILE, INNER_MENTION_COLUMNS, problems),
                            INNER_MENTIONS_FILE, problems)
    relations = _parse_relations(_rows(contents[2], RELATIONS_FILE, RELATION_COLUMNS, problems), problems)
    flat_mentions = tuple(sorted((m for _, m in flat), key=lambda m: (m.start, m.end)))
    inner_mentions = tuple(sorted((m for _, m in inner), key=lambda m: (m.start, -m.end)))
    document = replace(
        document,
        mentions=flat_mentions,
        inner_mentions=inner_mentions,
        entities=derive_entities(flat_mentions + inner_mentions),
        relations=tuple(r for _, r, _, _ in relations),
    )
    mention_lines = {m.id: (MENTIONS_FILE, line) for line, m in flat}
    for line, m in inner:
        mention_lines.setdefault(m.id, (INNER_MENTIONS_FILE, line))
    lines = GoldLines(mention_lines, {r.id: line for line, r, _, _ in relations},
                      {r.id: (h, t) for _, r, h, t in relations})
    problems.extend(duplicate_ids([(m.id, MENTIONS_FILE, line) for line, m in flat]
                                  + [(m.id, INNER_MENTIONS_FILE, line) for line, m in inner], "mention"))
    problems.extend(duplicate_ids([(r.id, RELATIONS_FILE, line) for line, r, _, _ in relations], "relation"))
    problems.extend(check_document(document, lines))
    # The benchmark's gold is one complete article: an empty file is a truncated one.
    for file, rows in ((MENTIONS_FILE, flat), (RELATIONS_FILE, relations)):
        if not rows and not any(p.file == file for p in problems):
            problems.append(Problem(file, None, "has no rows: the gold is empty"))
    return document, tuple(problems)


def load_article_gold(root: Path, text: str | None = None) -> Document:
    """The validated gold document; raises :class:`GoldDataError` listing every problem."""
    document, problems = read_gold(root, text)
    if problems:
        raise GoldDataError(problems)
    return document


def render_mentions_tsv(mentions: Sequence[Mention]) -> str:
    """The flat layer as ``mentions.tsv`` (what :func:`read_gold` reads back)."""
    return format_tsv(MENTION_COLUMNS, ([m.id, m.start, m.end, m.label, m.entity, m.text] for m in mentions))


def render_inner_mentions_tsv(mentions: Sequence[Mention]) -> str:
    """The inner layer as ``inner_mentions.tsv``."""
    return format_tsv(INNER_MENTION_COLUMNS,
                      ([m.id, m.start, m.end, m.label, m.entity, m.parent, m.text] for m in mentions))


def render_relations_tsv(document: Document) -> str:
    """The relations as ``relations.tsv``, with the entities' names for the reader."""
    names = {e.id: e.name for e in document.entities}
    return format_tsv(
        RELATION_COLUMNS,
        ([r.id, r.head, r.relation, r.tail, ",".join(map(str, r.evidence)), names[r.head], names[r.tail]]
         for r in document.relations),
    )
