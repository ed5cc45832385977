"""Counterfactual copies of the article: every person and place replaced, the gold derived by code.

In each copy, every PERSON entity and every GPE/LOC entity is replaced consistently, in both
layers, by a surrogate of the same kind (``annotations/surrogates/``):

- a person by an invented full name of the same length; a surname-only mention (``钟`` of
  ``钟院士``) by the surrogate's surname;
- a place by a real place of the same kind (provincial-level division, country, district,
  economic region), form for form: bare, suffixed, abbreviated (``上海``/``上海市``/``沪`` ->
  ``天津``/``天津市``/``津``). A place that lacks a form the article uses is not picked.

A name that contains a replaced inner mention changes with it (``上海市产业技术创新大会`` ->
``天津市产业技术创新大会``). ORG, FAC and the other types keep their names: no surrogate list
could replace them as faithfully (an organisation's name, its short forms and what the article
says it does hang together).

The gold follows by code (:func:`substitute`): offsets are shifted, mention texts and entity
names updated, clusters, relations and evidence kept; the text outside the replaced spans is
byte-identical to the article. :func:`variant_problems` checks every copy: the re-segmented
sentences are the shifted ones, no original name is left and no surrogate occurs where it was
not put, and every check of the guidelines passes.
"""

from __future__ import annotations

import bisect
import functools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.gold.annotation_files import GoldLines, check_document, derive_entities
from zhnerbench.gold.article import document_from_text
from zhnerbench.document import Document, Mention
from zhnerbench.tsv import read_tsv

PERSONS_FILE = "annotations/surrogates/persons.tsv"
PLACES_FILE = "annotations/surrogates/places.tsv"
#: How many copies ``zhnerbench build`` writes, and the seed of the first.
VARIANTS = 20
SEED = 2022
#: A copy's document id: the article's and this suffix with the copy's number (``-cf01``).
VARIANT_SUFFIX = "-cf"

PlaceKind = Literal["province", "country", "district", "region"]
PLACE_KINDS: tuple[PlaceKind, ...] = ("province", "country", "district", "region")
PERSON_LABELS = frozenset({"PERSON"})
PLACE_LABELS = frozenset({"GPE", "LOC"})


@dataclass(frozen=True)
class Place:
    """A real place and the forms a text names it by (``None`` where it has no such form)."""

    kind: PlaceKind
    bare: str
    suffixed: str | None
    abbreviation: str | None

    @property
    def forms(self) -> tuple[str | None, str | None, str | None]:
        return (self.bare, self.suffixed, self.abbreviation)


@dataclass(frozen=True)
class Surrogates:
    """The surrogate lists: invented full names, and real places by kind."""

    persons: tuple[str, ...]
    places: tuple[Place, ...]


@dataclass(frozen=True)
class Replacement:
    """One replaced span of the article: ``text[start:end]`` becomes ``new``."""

    start: int
    end: int
    new: str


def variant_id(document_id: str, number: int) -> str:
    """The id of copy ``number`` (from 1).

    >>> variant_id("000_e491b11e84c79d89", 3)
    '000_e491b11e84c79d89-cf03'
    """
    return f"{document_id}{VARIANT_SUFFIX}{number:02d}"


def read_surrogates(root: Path) -> Surrogates:
    """The surrogate lists of the checkout at ``root``; a bad row is a :class:`GoldDataError`."""
    persons, problems = [], []
    for line, row in read_tsv(root / PERSONS_FILE, ("name",), PERSONS_FILE, comments=True):
        if not 2 <= len(row["name"]) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in row["name"]):
            problems.append(Problem(PERSONS_FILE, line, f"name {row['name'][:20]!r} must be 2 to 4 Chinese characters"))
        persons.append(row["name"])
    places = []
    for line, row in read_tsv(root / PLACES_FILE, ("kind", "bare", "suffixed", "abbreviation"), PLACES_FILE,
                              comments=True):
        if row["kind"] not in PLACE_KINDS:
            problems.append(Problem(PLACES_FILE, line, f"kind {row['kind'][:20]!r} must be one of {', '.join(PLACE_KINDS)}"))
            continue
        kind: PlaceKind = row["kind"]  # checked against PLACE_KINDS above
        forms = [None if row[column] == "-" else row[column] for column in ("suffixed", "abbreviation")]
        places.append(Place(kind, row["bare"], forms[0], forms[1]))
    for name in sorted({n for n in persons if persons.count(n) > 1}):
        problems.append(Problem(PERSONS_FILE, None, f"name {name} is listed twice"))
    if problems:
        raise GoldDataError(problems)
    return Surrogates(tuple(persons), tuple(places))


def _entity_forms(document: Document, labels: frozenset[str]) -> dict[str, set[str]]:
    """Entity id -> the texts of its mentions (both layers), for the entities of ``labels``."""
    forms: dict[str, set[str]] = {}
    for mention in document.mentions + document.inner_mentions:
        if mention.label in labels:
            forms.setdefault(mention.entity, set()).add(mention.text)
    return forms


def _article_place(forms: set[str], places: Sequence[Place], entity: str) -> Place:
    """The row of the surrogate list that is the article's place with these forms."""
    for place in places:
        if forms <= set(place.forms):
            return place
    raise GoldDataError([Problem(PLACES_FILE, None, f"no row holds the forms {sorted(forms)} of place {entity}: "
                                                    "add the article's place with its kind")])


def _form_map(old: Place, new: Place, used: set[str]) -> dict[str, str] | None:
    """The article's forms of ``old`` (those in ``used``) mapped to ``new``'s; ``None`` when
    ``new`` lacks one of them."""
    mapped = {}
    for old_form, new_form in zip(old.forms, new.forms, strict=True):
        if old_form in used:
            if new_form is None:
                return None
            mapped[old_form] = new_form
    return mapped


def _blocked_forms(article: Document, surrogates: Surrogates) -> frozenset[str]:
    """The surrogate forms that can never go into the article: those that occur in its text (so
    another mention, an unannotated word or a rule would see them), or contain or lie inside a
    mention's text."""
    texts = {m.text for m in article.mentions + article.inner_mentions if len(m.text) > 1}
    forms = {form for name in surrogates.persons for form in (name, name[0])}
    forms |= {form for place in surrogates.places for form in place.forms if form is not None}
    return frozenset(form for form in forms
                     if form in article.text or any(form in text or text in form for text in texts))


def _free(candidate: Iterable[str], blocked: frozenset[str], taken: set[str]) -> bool:
    """Whether surrogate forms can go into the copy: none blocked, none taken by another entity."""
    return not any(form in blocked or form in taken for form in candidate)


def substitution_plan(article: Document, surrogates: Surrogates, rng: random.Random) -> dict[str, dict[str, str]]:
    """For every person and place entity, its mention texts mapped to their replacements."""
    plan: dict[str, dict[str, str]] = {}
    blocked = _blocked_forms(article, surrogates)
    taken: set[str] = set()
    surnames: set[str] = set()
    for entity, forms in sorted(_entity_forms(article, PERSON_LABELS).items()):
        full = max(forms, key=len)
        if not forms <= {full, full[0]}:
            raise GoldDataError([Problem(PERSONS_FILE, None, f"person {entity} has forms {sorted(forms)}: only a full "
                                                             "name and its surname can be replaced")])
        short = full[0] in forms
        pool = [name for name in surrogates.persons if len(name) == len(full)
                and _free([name, *([name[0]] if short else [])], blocked, taken)
                and (not short or name[0] not in surnames)]
        if not pool:
            raise GoldDataError([Problem(PERSONS_FILE, None, f"no free name of {len(full)} characters for {full}")])
        name = rng.choice(pool)
        plan[entity] = {full: name, **({full[0]: name[0]} if short else {})}
        taken.update(plan[entity].values())
        surnames.add(name[0])
    for entity, forms in sorted(_entity_forms(article, PLACE_LABELS).items()):
        old = _article_place(forms, surrogates.places, entity)
        choices = []
        for place in surrogates.places:
            mapped = _form_map(old, place, forms) if place.kind == old.kind else None
            if mapped is not None and _free(mapped.values(), blocked, taken):
                choices.append(mapped)
        if not choices:
            raise GoldDataError([Problem(PLACES_FILE, None, f"no free {old.kind} has the forms {sorted(forms)} "
                                                            f"of {old.bare}")])
        plan[entity] = rng.choice(choices)
        taken.update(plan[entity].values())
    return plan


def replacements(article: Document, plan: Mapping[str, Mapping[str, str]]) -> tuple[Replacement, ...]:
    """The replaced spans: every mention of a planned entity, in either layer, in text order.

    >>> from zhnerbench.gold.article import example_document
    >>> replacements(example_document(), {"E001": {"张为": "王琦"}})
    (Replacement(start=15, end=17, new='王琦'),)
    """
    spans = sorted({(m.start, m.end, plan[m.entity][m.text]) for m in article.mentions + article.inner_mentions
                    if m.entity in plan})
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        if start < end:
            raise GoldDataError([Problem(PLACES_FILE, None, f"replaced mentions overlap at {start}")])
    return tuple(Replacement(*span) for span in spans)


class OffsetShift:
    """Where an offset of the article lands in the copy: boundaries inside a replaced span
    have no counterpart and are reported, not moved.

    >>> shift = OffsetShift((Replacement(2, 4, "xyz"),))
    >>> shift(0), shift(2), shift(4), shift(6)
    (0, 2, 5, 7)
    """

    def __init__(self, spans: Sequence[Replacement]) -> None:
        self._ends = [span.end for span in spans]
        self._starts = [span.start for span in spans]
        self._deltas = [0]
        for span in spans:
            self._deltas.append(self._deltas[-1] + len(span.new) - (span.end - span.start))

    def __call__(self, offset: int) -> int:
        inside = bisect.bisect_right(self._starts, offset) - 1
        if inside >= 0 and self._starts[inside] < offset < self._ends[inside]:
            raise GoldDataError([Problem(PLACES_FILE, None, f"offset {offset} falls inside a replaced mention")])
        return offset + self._deltas[bisect.bisect_right(self._ends, offset)]


def substitute(article: Document, plan: Mapping[str, Mapping[str, str]], document_id: str) -> Document:
    """The copy of ``article`` with ``plan`` applied and its gold derived."""
    spans = replacements(article, plan)
    pieces, last = [], 0
    for span in spans:
        pieces += [article.text[last:span.start], span.new]
        last = span.end
    text = "".join(pieces) + article.text[last:]
    shift = OffsetShift(spans)

    def moved(mention: Mention) -> Mention:
        start, end = shift(mention.start), shift(mention.end)
        return replace(mention, start=start, end=end, text=text[start:end])

    mentions = tuple(moved(m) for m in article.mentions)
    inner = tuple(moved(m) for m in article.inner_mentions)
    base = document_from_text(text, document_id)
    return replace(base, mentions=mentions, inner_mentions=inner, entities=derive_entities(mentions + inner),
                   relations=article.relations)


def variant_problems(article: Document, variant: Document, plan: Mapping[str, Mapping[str, str]]) -> list[str]:
    """What is wrong with a copy: every check of the guidelines, plus the copy's own checks."""
    problems: list[str] = []
    spans = replacements(article, plan)
    shift = OffsetShift(spans)
    moved = [(shift(s.start), shift(s.end)) for s in article.sentences]
    if [(s.start, s.end) for s in variant.sentences] != moved:
        problems.append("its sentences are not the article's, shifted")
    kept = _outside(article.text, [(r.start, r.end) for r in spans])
    placed = {(shift(r.start), shift(r.end)) for r in spans}
    if kept != _outside(variant.text, sorted(placed)):
        problems.append("its text outside the replaced mentions differs from the article's")
    old_forms = {old for forms in plan.values() for old in forms}
    new_forms = {new for forms in plan.values() for new in forms.values()}
    for form in sorted(old_forms):
        # An original form may stay only where it was part of another name, never a mention
        # of its own (the 沪 of 沪东中华造船集团).
        left = _occurrences(variant.text, form) - _unreplaced_shifted(article, form, spans, shift)
        if left:
            problems.append(f"the original name {form} is still in the text (at {min(left)[0]})")
    for form in sorted(new_forms):
        stray = {(s, e) for s, e in _occurrences(variant.text, form)
                 if not any(a <= s and e <= b for a, b in placed)}
        if stray:
            problems.append(f"the surrogate {form} also occurs where it was not put (at {min(stray)[0]})")
    lines = GoldLines({m.id: ("(derived)", 0) for m in variant.mentions + variant.inner_mentions}, {}, {})
    problems += [f"{p.message}" for p in check_document(variant, lines)]
    return problems


def _occurrences(text: str, form: str) -> set[tuple[int, int]]:
    found, at = set(), text.find(form)
    while at >= 0:
        found.add((at, at + len(form)))
        at = text.find(form, at + 1)
    return found


def _unreplaced_shifted(article: Document, form: str, spans: Sequence[Replacement],
                        shift: OffsetShift) -> set[tuple[int, int]]:
    """Where the occurrences of ``form`` that no replaced span covers (parts of other names)
    are in the copy."""
    return {(shift(s), shift(e)) for s, e in _occurrences(article.text, form)
            if not any(r.start <= s and e <= r.end for r in spans)}


def _outside(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """The pieces of ``text`` between ``spans`` (sorted, disjoint)."""
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        last = end
    return pieces + [text[last:]]


def counterfactual_documents(article: Document, surrogates: Surrogates, count: int = VARIANTS,
                             seed: int = SEED) -> tuple[Document, ...]:
    """``count`` copies of ``article``, copy ``n`` drawn with ``random.Random(seed + n)``; a
    copy that fails :func:`variant_problems` is a :class:`GoldDataError`."""
    copies = []
    for number in range(1, count + 1):
        plan = substitution_plan(article, surrogates, random.Random(seed + number))
        identifier = variant_id(article.id, number)
        variant = substitute(article, plan, identifier)
        problems = variant_problems(article, variant, plan)
        if problems:
            raise GoldDataError([Problem(PLACES_FILE, None, f"copy {identifier}: {p}") for p in problems])
        copies.append(variant)
    return tuple(copies)


def article_copies(root: Path) -> tuple[Document, ...]:
    """The :data:`VARIANTS` copies of the validated article of the checkout (or installed data)
    at ``root`` (derived once per process for the same gold and surrogate lists)."""
    from zhnerbench.gold.annotation_files import load_article_gold

    return derived_copies(load_article_gold(root), read_surrogates(root))


@functools.lru_cache(maxsize=4)
def derived_copies(article: Document, surrogates: Surrogates) -> tuple[Document, ...]:
    """:func:`counterfactual_documents` with the defaults, once per process for the same input."""
    return counterfactual_documents(article, surrogates)
