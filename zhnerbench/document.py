"""The one in-memory model of an annotated document, and of what a system predicts.

Every reader produces these objects and every writer consumes them; offsets are
0-based, end-exclusive indices into ``Document.text`` (Python ``str`` code points).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

__all__ = ["Argument", "Document", "Entity", "Line", "Mention", "PredictedRelation", "Relation", "Sentence", "Span"]

class Span(NamedTuple):
    """A labelled character span: the unit of NER scoring (an entity tuple, as in seqeval)."""

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
    """A gold mention. ``parent`` is ``None`` in the flat layer; an inner mention names the
    smallest mention (flat or inner) that contains it."""

    id: str
    start: int
    end: int
    label: str
    entity: str
    text: str
    parent: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.label)

    @property
    def is_inner(self) -> bool:
        return self.parent is not None


@dataclass(frozen=True)
class Entity:
    """A cluster of mentions (of both layers) that name the same thing."""

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
    """An article with its segmentation and its gold: ``mentions`` is the flat layer,
    ``inner_mentions`` the nested one; ``entities`` cluster mentions of both."""

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
    inner_mentions: tuple[Mention, ...] = ()

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
        """The flat layer's spans."""
        return tuple(m.span for m in self.mentions)

    @property
    def all_mentions(self) -> tuple[Mention, ...]:
        """Both layers, in document order (an outer span before the spans inside it)."""
        return tuple(sorted(self.mentions + self.inner_mentions, key=lambda m: (m.start, -m.end)))


class Argument(NamedTuple):
    """A predicted relation argument: a span of the document (its text is the document's slice)."""

    start: int
    end: int


@dataclass(frozen=True)
class PredictedRelation:
    """A predicted triple between argument spans; ``evidence`` is ``None`` when the prediction gives none."""

    head: Argument
    relation: str
    tail: Argument
    evidence: tuple[int, ...] | None = None
