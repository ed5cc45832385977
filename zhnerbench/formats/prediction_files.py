"""What every prediction format shares: the predictions as read, what a format module provides,
and the checks and conversions more than one format needs.

A prediction format is one module of this package (``documents``, ``conll``, ``sentences``,
``docred``) that defines ``FORMAT``, a :class:`PredictionFormat`: its name, a one-line
description (the manual's table is generated from it), what it holds, how to recognise a file
from its first line, how to read one and how to write one. :mod:`zhnerbench.formats.registry`
finds them; a new format is one module plus its tests.

Readers check everything against the gold and report the first problem as one
:class:`~zhnerbench.exceptions.PredictionFormatError` naming the file and the line (or the
document or sentence); messages quote at most a short excerpt of an offending line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from zhnerbench.document import Argument, Document, PredictedRelation, Sentence, Span
from zhnerbench.exceptions import ConversionError, PredictionFormatError, excerpt
from zhnerbench.gold.codec import LineProblem, decode_text, json_objects
from zhnerbench.offsets import to_document_offsets
from zhnerbench.tag_schemes import SCHEMES, Scheme, decode_lenient, document_tags, split_tag, tags_to_spans


@dataclass(frozen=True)
class Overlap:
    """The first pair of nested predicted spans of a document (one inside the other), and
    where it is in the file."""

    line: int | None
    message: str


@dataclass(frozen=True)
class Predictions:
    """A prediction file, read and checked against the gold documents.

    ``overlaps`` holds, for each document whose spans nest, the first pair: the views
    decide whether they can score such spans (crossing spans are refused on reading).
    """

    file: str
    format: str
    spans: Mapping[str, tuple[Span, ...]]
    relations: Mapping[str, tuple[PredictedRelation, ...]] | None
    lenient_readings: tuple[str, ...] = ()
    overlaps: Mapping[str, Overlap] | None = None

    @property
    def labels(self) -> frozenset[str]:
        """Every label the file uses.

        >>> sorted(Predictions("p", "documents", {"d": (Span(0, 2, "PER"), Span(3, 4, "ORG"))}, None).labels)
        ['ORG', 'PER']
        """
        return frozenset(span.label for spans in self.spans.values() for span in spans)


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: tags decoded in ``scheme``, strictly or conlleval's way (``lenient``);
    the labels a prediction may use (``None``: those of the gold's default views); the documents
    a ``documents`` file may also cover (``None``: the article's counterfactual copies, when the
    gold is the article)."""

    lenient: bool = False
    scheme: Scheme = SCHEMES["IOB2"]
    labels: frozenset[str] | None = None
    optional: Sequence[Document] | None = None


#: A writer: the documents, their spans and relations by document id (``None``: the gold's).
Writer = Callable[[Sequence[Document], Mapping[str, Iterable[Span]] | None,
                   Mapping[str, Iterable[PredictedRelation]] | None], str]


@dataclass(frozen=True)
class PredictionFormat:
    """One prediction format (see the module doc)."""

    name: str
    #: What it is, in a few words (the README's list), and its layout (the manual's table; Markdown).
    summary: str
    description: str
    #: Whether it holds entity mentions (scored in views) and relations.
    mentions: bool
    relations: bool
    #: Whether a file whose first non-blank line is this one is in this format; formats are asked
    #: in the order of :attr:`detection_order` (the lowest first; the last one takes the rest).
    detect: Callable[[str], bool]
    read: Callable[[str, str, Sequence[Document], ReadOptions], Predictions]
    write: Writer
    detection_order: int = field(default=0)
    #: What kind of file it is, as the manual says (``JSONL``, ``JSON``; empty: plain text).
    file_kind: str = ""


class InvalidLine(Exception):
    """A problem inside one line of a file; the reader that knows the line turns it into a
    :class:`PredictionFormatError`. Its own class, so that no other error is mistaken for bad input."""


def decode_prediction_file(data: bytes, shown_as: str) -> str:
    """The text of a prediction file (:func:`zhnerbench.gold.codec.decode_text`), its problems
    as a :class:`PredictionFormatError`.

    >>> decode_prediction_file(b"\\xef\\xbb\\xbf{}", "p.jsonl")
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.PredictionFormatError: p.jsonl:1: starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM
    """
    try:
        return decode_text(data)
    except LineProblem as problem:
        raise PredictionFormatError(shown_as, problem.line, problem.message) from None


def check_tag(tag: str, scheme: Scheme, labels: frozenset[str]) -> str | None:
    """The problem with one tag, or ``None``.

    >>> check_tag("B-XYZ", SCHEMES["IOB2"], frozenset({"PER"}))
    "unknown label 'XYZ' in tag 'B-XYZ' (known labels: PER)"
    """
    try:
        _, label = split_tag(tag, scheme)
    except ConversionError as error:
        return error.reason
    if label is not None and label not in labels:
        return f"unknown label {excerpt(label, 30)} in tag {excerpt(tag, 40)} (known labels: {' '.join(sorted(labels))})"
    return None


def decode_tags(tags: Sequence[str], scheme: Scheme, lenient: bool) -> tuple[list[Span], list[int]]:
    """Sequence-local spans of checked tags, and the positions read leniently."""
    if lenient:
        return decode_lenient(tags, scheme)
    return tags_to_spans(tags, scheme), []


def tags_to_document_spans(tags: Sequence[str], sentence: Sentence, scheme: Scheme,
                           lenient: bool) -> tuple[list[Span], list[int]]:
    """Document spans of one sentence's character tags, and the positions read leniently."""
    local, repaired = decode_tags(tags, scheme, lenient)
    return [to_document_offsets(sentence, span) for span in local], repaired


#: What a strict reading's decoding error adds (tags were checked one by one before decoding,
#: so the only error left is an entity the scheme does not allow to start or end there).
LENIENT_HINT = "; use --lenient to read it as conlleval reads IOB2"


def lenient_reading(where: str, tags: Sequence[str], position: int) -> str:
    """How a lenient reading is reported: where, and which tag started an entity (or where one ended).

    >>> lenient_reading("line 3", ["I-PER"], 0)
    'line 3: I-PER read as the start of an entity'
    """
    if position < len(tags) and tags[position][:1] in ("I", "M", "E"):
        return f"{where}: {tags[position]} read as the start of an entity"
    return f"{where}: an entity left open ends here"


def all_sentences(gold: Sequence[Document]) -> list[tuple[Document, Sentence]]:
    return [(document, sentence) for document in gold for sentence in document.sentences]


def jsonl_objects(text: str, shown: str) -> Iterator[tuple[int, dict[str, object]]]:
    """The JSON objects of a JSON Lines file, with their line numbers."""
    try:
        yield from json_objects(text)
    except LineProblem as problem:
        raise PredictionFormatError(shown, problem.line, problem.message) from None


def keyed_lines(text: str, shown: str, known: Collection[str], kind: str, id_form: str, known_hint: str,
                missing_hint: str, required: Collection[str] | None = None) -> Iterator[tuple[int, str, dict[str, object]]]:
    """The JSON lines of a file keyed by ``id``: each id known, once; every ``required`` id
    (default: every known one) present at the end."""
    seen: dict[str, int] = {}
    for number, value in jsonl_objects(text, shown):
        identifier = value.get("id")
        if not isinstance(identifier, str):
            raise PredictionFormatError(shown, number, f"'id' must be {id_form}, found {describe(identifier)}")
        if identifier not in known:
            raise PredictionFormatError(shown, number, f"unknown {kind} id {excerpt(identifier, 40)} ({known_hint})")
        if identifier in seen:
            raise PredictionFormatError(shown, number, f"duplicate {kind} id {identifier!r} (already on line {seen[identifier]})")
        seen[identifier] = number
        yield number, identifier, value
    missing = [identifier for identifier in (known if required is None else required) if identifier not in seen]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise PredictionFormatError(shown, None, f"no line for {kind} {missing[0]}{more} ({missing_hint})")


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def describe(value: object) -> str:
    """A value of a file as its messages quote it: JSON, at most 40 characters.

    >>> describe("x" * 50)
    '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'
    """
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def first_mentions(document: Document) -> dict[str, Argument]:
    """Each entity's first flat mention (its first inner one if it has none): the argument that
    stands for the entity in a relation written from entity ids."""
    first: dict[str, Argument] = {}
    for mention in document.mentions + tuple(sorted(document.inner_mentions, key=lambda m: m.start)):
        first.setdefault(mention.entity, Argument(mention.start, mention.end))
    return first


def gold_relations_as_predictions(document: Document) -> tuple[PredictedRelation, ...]:
    """The gold relations written as predictions, each argument being its entity's first flat
    mention (its first inner one if it has none).

    >>> gold_relations_as_predictions(Document("d", "", "", "zh", "", (), ()))
    ()
    """
    first = first_mentions(document)
    return tuple(PredictedRelation(first[r.head], r.relation, first[r.tail], r.evidence) for r in document.relations)


def document_spans(document: Document, spans: Mapping[str, Iterable[Span]] | None) -> list[Span]:
    """A document's spans to write, sorted (``None``: the gold's)."""
    return sorted(document.spans if spans is None else spans.get(document.id, ()))


def sentence_tags(documents: Sequence[Document], spans: Mapping[str, Iterable[Span]] | None,
                  scheme: Scheme) -> Iterator[tuple[Document, Sentence, list[str]]]:
    """Each sentence of each document with its tags in ``scheme``."""
    for document in documents:
        tag_sequences = document_tags(document, document_spans(document, spans), scheme)
        for sentence, tags in zip(document.sentences, tag_sequences, strict=True):
            yield document, sentence, tags
