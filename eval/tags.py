"""Conversions between labelled spans and per-token tag sequences.

Schemes:

* ``IOB2``: ``B-X`` starts an entity, ``I-X`` continues it, ``O`` is outside.
  Strict: an ``I-X`` must follow ``B-X`` or ``I-X``. The lenient reading is
  conlleval's (and seqeval's default mode): an ``I-X`` that follows anything
  else starts a new entity.
* ``IOBES``: adds ``E-X`` (last token) and ``S-X`` (single-token entity).
* ``BMES``: IOBES with ``M-X`` for the middle, the usual name in Chinese
  character-level NER (MSRA, People's Daily); ``O`` is still outside.

Spans here are sentence-local (or sequence-local) ``Span(start, end, label)``;
:func:`document_spans_to_tags` and :func:`tags_to_document_spans` work on a whole
:class:`Document`. Invalid sequences raise :class:`TagSequenceError` naming the
position (and the sentence, at document level); nothing is silently repaired.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from zhnerbench.eval.exceptions import AlignmentError, ConversionError, SpanError, TagSequenceError
from zhnerbench.eval.offsets import spans_by_sentence, to_document_offsets
from zhnerbench.model import Document, Span

SCHEMES: tuple[str, ...] = ("IOB2", "IOBES", "BMES")
_PREFIXES = {"IOB2": "BI", "IOBES": "BIES", "BMES": "BMES"}


def sentence_id(document_id: str, index: int) -> str:
    """The id of a sentence: the document id and the 3-digit sentence index.

    These are the ids of the dataset's ``ner`` config and of the per-sentence
    prediction format.

    >>> sentence_id("000_e491b11e84c79d89", 3)
    '000_e491b11e84c79d89-003'
    """
    return f"{document_id}-{index:03d}"


def split_tag(tag: str, scheme: str = "IOB2") -> tuple[str, str | None]:
    """``(prefix, label)`` of a tag; ``("O", None)`` for ``O``.

    >>> split_tag("B-WORK_OF_ART")
    ('B', 'WORK_OF_ART')
    >>> split_tag("M-PER", "BMES")
    ('M', 'PER')
    >>> split_tag("E-PER")
    Traceback (most recent call last):
    ...
    zhnerbench.eval.exceptions.TagSequenceError: malformed IOB2 tag 'E-PER' (expected O, B-LABEL or I-LABEL)
    """
    if tag == "O":
        return "O", None
    prefixes = _PREFIXES[scheme]
    if len(tag) > 2 and tag[0] in prefixes and tag[1] == "-":
        return tag[0], tag[2:]
    forms = ["O"] + [f"{prefix}-LABEL" for prefix in prefixes]
    raise TagSequenceError(f"malformed {scheme} tag {tag!r} (expected {', '.join(forms[:-1])} or {forms[-1]})")


def _check_spans(spans: Iterable[Span], length: int) -> list[Span]:
    ordered = sorted(spans)
    previous: Span | None = None
    for span in ordered:
        if not 0 <= span.start < span.end <= length:
            raise SpanError(
                f"span [{span.start},{span.end}) {span.label} is empty, reversed or outside a sequence of length {length}",
                position=span.start,
            )
        if previous is not None and span.start < previous.end:
            raise SpanError(
                f"span [{span.start},{span.end}) {span.label} overlaps [{previous.start},{previous.end}) {previous.label}",
                position=span.start,
            )
        previous = span
    return ordered


def spans_to_iob2(spans: Iterable[Span], length: int) -> list[str]:
    """IOB2 tags for non-overlapping spans over a sequence of ``length`` tokens.

    >>> spans_to_iob2([Span(1, 3, "GPE"), Span(3, 4, "ORG")], 5)
    ['O', 'B-GPE', 'I-GPE', 'B-ORG', 'O']
    """
    tags = ["O"] * length
    for span in _check_spans(spans, length):
        tags[span.start] = f"B-{span.label}"
        for position in range(span.start + 1, span.end):
            tags[position] = f"I-{span.label}"
    return tags


def invalid_iob2_positions(tags: Sequence[str]) -> list[int]:
    """Positions of ``I-X`` tags that do not continue an ``X`` entity (invalid in strict IOB2).

    >>> invalid_iob2_positions(["O", "I-PER", "B-ORG", "I-GPE", "I-GPE"])
    [1, 3]
    """
    invalid = []
    previous: tuple[str, str | None] = ("O", None)
    for position, tag in enumerate(tags):
        prefix, label = split_tag(tag)
        if prefix == "I" and (previous[0] == "O" or previous[1] != label):
            invalid.append(position)
        previous = (prefix, label)
    return invalid


def _describe_invalid(tags: Sequence[str], position: int) -> str:
    before = tags[position - 1] if position else "the start of the sentence"
    return f"{tags[position]} follows {before} (strict IOB2: an entity starts with B-)"


def iob2_to_spans(tags: Sequence[str], lenient: bool = False) -> list[Span]:
    """Spans of an IOB2 tag sequence.

    Strict (the default) raises :class:`TagSequenceError` at the first ``I-X``
    that does not continue an ``X`` entity. ``lenient=True`` reads the sequence
    as conlleval does: such an ``I-X`` starts a new entity.

    >>> iob2_to_spans(["B-GPE", "I-GPE", "O", "B-ORG"])
    [Span(start=0, end=2, label='GPE'), Span(start=3, end=4, label='ORG')]
    >>> iob2_to_spans(["O", "I-PER", "I-PER"], lenient=True)
    [Span(start=1, end=3, label='PER')]
    >>> iob2_to_spans(["O", "I-PER"])
    Traceback (most recent call last):
    ...
    zhnerbench.eval.exceptions.TagSequenceError: position 1: I-PER follows O (strict IOB2: an entity starts with B-)
    """
    spans: list[Span] = []
    start: int | None = None
    current: str | None = None
    for position, tag in enumerate(tags):
        try:
            prefix, label = split_tag(tag)
        except TagSequenceError as error:
            raise TagSequenceError(error.reason, position=position) from None
        continues = prefix == "I" and label == current
        if prefix == "I" and not continues and not lenient:
            raise TagSequenceError(_describe_invalid(tags, position), position=position)
        if continues:
            continue
        if current is not None:
            spans.append(Span(start, position, current))
        start, current = (position, label) if prefix in "BI" else (None, None)
    if current is not None:
        spans.append(Span(start, len(tags), current))
    return spans


def spans_to_iobes(spans: Iterable[Span], length: int) -> list[str]:
    """IOBES tags for non-overlapping spans.

    >>> spans_to_iobes([Span(0, 1, "PER"), Span(2, 5, "ORG")], 5)
    ['S-PER', 'O', 'B-ORG', 'I-ORG', 'E-ORG']
    """
    tags = ["O"] * length
    for span in _check_spans(spans, length):
        if span.end - span.start == 1:
            tags[span.start] = f"S-{span.label}"
            continue
        tags[span.start] = f"B-{span.label}"
        for position in range(span.start + 1, span.end - 1):
            tags[position] = f"I-{span.label}"
        tags[span.end - 1] = f"E-{span.label}"
    return tags


def iobes_to_spans(tags: Sequence[str]) -> list[Span]:
    """Spans of a strict IOBES sequence; any broken entity raises :class:`TagSequenceError`.

    >>> iobes_to_spans(["S-PER", "O", "B-ORG", "I-ORG", "E-ORG"])
    [Span(start=0, end=1, label='PER'), Span(start=2, end=5, label='ORG')]
    >>> iobes_to_spans(["B-ORG", "O"])
    Traceback (most recent call last):
    ...
    zhnerbench.eval.exceptions.TagSequenceError: position 1: O follows B-ORG (IOBES: an entity that starts with B- ends with E-)
    """
    spans: list[Span] = []
    start: int | None = None
    current: str | None = None
    for position, tag in enumerate(tags):
        try:
            prefix, label = split_tag(tag, "IOBES")
        except TagSequenceError as error:
            raise TagSequenceError(error.reason, position=position) from None
        inside = current is not None
        if inside and not (prefix in "IE" and label == current):
            raise TagSequenceError(
                f"{tag} follows {tags[position - 1]} (IOBES: an entity that starts with B- ends with E-)", position=position
            )
        if not inside and prefix in "IE":
            before = tags[position - 1] if position else "the start of the sentence"
            raise TagSequenceError(f"{tag} follows {before} (IOBES: an entity starts with B- or S-)", position=position)
        if prefix == "S":
            spans.append(Span(position, position + 1, label))
        elif prefix == "B":
            start, current = position, label
        elif prefix == "E":
            spans.append(Span(start, position + 1, current))
            start, current = None, None
    if current is not None:
        raise TagSequenceError(
            f"the sentence ends inside a {current} entity (IOBES: an entity that starts with B- ends with E-)",
            position=len(tags),
        )
    return spans


def iobes_to_bmes(tags: Sequence[str]) -> list[str]:
    """The same tags with the middle prefix ``I-`` renamed ``M-``.

    >>> iobes_to_bmes(["B-ORG", "I-ORG", "E-ORG", "S-PER", "O"])
    ['B-ORG', 'M-ORG', 'E-ORG', 'S-PER', 'O']
    """
    return [f"M-{tag[2:]}" if tag.startswith("I-") else tag for tag in tags]


def bmes_to_iobes(tags: Sequence[str]) -> list[str]:
    """The same tags with the middle prefix ``M-`` renamed ``I-`` (``I-`` itself is not BMES).

    >>> bmes_to_iobes(["B-ORG", "M-ORG", "E-ORG"])
    ['B-ORG', 'I-ORG', 'E-ORG']
    """
    result = []
    for position, tag in enumerate(tags):
        try:
            prefix, label = split_tag(tag, "BMES")
        except TagSequenceError as error:
            raise TagSequenceError(error.reason, position=position) from None
        result.append(f"I-{label}" if prefix == "M" else tag)
    return result


def spans_to_tags(spans: Iterable[Span], length: int, scheme: str = "IOB2") -> list[str]:
    """Tags in ``scheme`` (``IOB2``, ``IOBES`` or ``BMES``) for non-overlapping spans.

    >>> spans_to_tags([Span(0, 3, "ORG")], 4, "BMES")
    ['B-ORG', 'M-ORG', 'E-ORG', 'O']
    """
    if scheme == "IOB2":
        return spans_to_iob2(spans, length)
    tags = spans_to_iobes(spans, length)
    return iobes_to_bmes(tags) if scheme == "BMES" else tags


def tags_to_spans(tags: Sequence[str], scheme: str = "IOB2", lenient: bool = False) -> list[Span]:
    """Spans of a tag sequence in ``scheme``; ``lenient`` (conlleval's reading) exists for IOB2 only.

    >>> tags_to_spans(["B-ORG", "M-ORG", "E-ORG", "O"], "BMES")
    [Span(start=0, end=3, label='ORG')]
    """
    if scheme == "IOB2":
        return iob2_to_spans(tags, lenient=lenient)
    if lenient:
        raise ValueError("lenient decoding is defined for IOB2 only (conlleval's reading)")
    return iobes_to_spans(bmes_to_iobes(tags) if scheme == "BMES" else tags)


def document_spans_to_tags(document: Document, spans: Iterable[Span], scheme: str = "IOB2") -> list[list[str]]:
    """One tag sequence per sentence of ``document`` (one tag per character) for document spans.

    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("上海召开大会 2022年07月22日\\n张为出席。")
    >>> document_spans_to_tags(doc, [Span(19, 21, "PERSON")])[1]
    ['B-PERSON', 'I-PERSON', 'O', 'O', 'O']
    """
    groups = spans_by_sentence(document.sentences, spans)
    result = []
    for sentence, local in zip(document.sentences, groups):
        try:
            result.append(spans_to_tags(local, sentence.end - sentence.start, scheme))
        except ConversionError as error:
            raise error.in_sentence(sentence.index) from None
    return result


def tags_to_document_spans(
    document: Document, tag_sequences: Sequence[Sequence[str]], scheme: str = "IOB2", lenient: bool = False
) -> list[Span]:
    """Document spans from one tag sequence per sentence (one tag per character).

    A wrong number of sentences or of tags raises :class:`AlignmentError`; an
    invalid sequence raises :class:`TagSequenceError` naming the sentence.

    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("上海召开大会 2022年07月22日\\n张为出席。")
    >>> tags_to_document_spans(doc, [["O"] * 18, ["B-PERSON", "I-PERSON", "O", "O", "O"]])
    [Span(start=19, end=21, label='PERSON')]
    """
    if len(tag_sequences) != len(document.sentences):
        raise AlignmentError(
            f"{len(tag_sequences)} tag sequences for the {len(document.sentences)} sentences of document {document.id}"
        )
    spans: list[Span] = []
    for sentence, tags in zip(document.sentences, tag_sequences):
        length = sentence.end - sentence.start
        if len(tags) != length:
            raise AlignmentError(f"{len(tags)} tags for {length} characters", sentence=sentence.index)
        try:
            local = tags_to_spans(tags, scheme, lenient)
        except ConversionError as error:
            raise error.in_sentence(sentence.index) from None
        spans.extend(to_document_offsets(sentence, span) for span in local)
    return spans
