"""The one in-memory model of an annotated document.

Every reader produces these objects and every writer consumes them; offsets are
0-based, end-exclusive indices into ``Document.text`` (Python ``str`` code points).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple


class Span(NamedTuple):
    """A labelled character span over document offsets: the unit of NER scoring."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Line:
    index: int
    start: int
    end: int
    role: str


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Mention:
    id: str
    start: int
    end: int
    label: str
    entity: str
    text: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.label)


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    name: str
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class Relation:
    id: str
    head: str
    relation: str
    tail: str
    evidence: tuple[int, ...]


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    date: str
    language: str
    text: str
    lines: tuple[Line, ...]
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()

    def sentence_text(self, index: int) -> str:
        sentence = self.sentences[index]
        return self.text[sentence.start:sentence.end]

    @cached_property
    def _entities_by_id(self) -> dict[str, Entity]:
        return {entity.id: entity for entity in self.entities}

    def entity(self, entity_id: str) -> Entity:
        """The entity with this id (``KeyError`` if there is none)."""
        return self._entities_by_id[entity_id]

    @property
    def spans(self) -> tuple[Span, ...]:
        return tuple(m.span for m in self.mentions)
