"""Tag schemes as data, and the conversions between labelled spans and tag sequences.

A :class:`Scheme` names its prefixes (as seqeval's scheme classes do):

* ``IOB2``: ``B-X`` starts an entity, ``I-X`` continues it, ``O`` is outside.
* ``IOBES``: adds ``E-X`` (last token) and ``S-X`` (single-token entity).
* ``BMES``: IOBES with ``M-X`` for the middle, the usual name in Chinese
  character-level NER (MSRA, People's Daily).

Decoding is **strict** by default: a sequence the scheme does not allow raises
:class:`~zhnerbench.exceptions.TagSequenceError` naming the position; nothing is
silently repaired. **Lenient** decoding reads any sequence as conlleval reads
IOB2: an inside or end tag that does not continue an entity of its label starts
a new one, and an entity left open ends where the next one starts. Lenient
decoding also reports where it departed from the strict reading, so a caller can
say so. Taggers' native output (BIO, BIOES or BMES, mixed) goes through
:func:`decode_native`, the lenient reading with every prefix allowed.

Spans here are sequence-local ``Span(start, end, label)``; :func:`document_tags`
and :func:`document_spans_from_tags` work on a whole :class:`Document`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zhnerbench.exceptions import AlignmentError, ConversionError, SpanError, TagSequenceError
from zhnerbench.document import Document, Span
from zhnerbench.offsets import spans_by_sentence, to_document_offsets

OUTSIDE = "O"


@dataclass(frozen=True)
class Scheme:
    """The prefixes of a tag scheme; ``end`` and ``single`` are ``None`` where it has none."""

    name: str
    begin: str = "B"
    inside: str = "I"
    end: str | None = None
    single: str | None = None

    @property
    def prefixes(self) -> tuple[str, ...]:
        """
        >>> SCHEMES["BMES"].prefixes
        ('B', 'M', 'E', 'S')
        """
        return tuple(p for p in (self.begin, self.inside, self.end, self.single) if p is not None)


SCHEMES: dict[str, Scheme] = {
    "IOB2": Scheme("IOB2"),
    "IOBES": Scheme("IOBES", end="E", single="S"),
    "BMES": Scheme("BMES", inside="M", end="E", single="S"),
}
#: What taggers emit: any of the prefixes above, in any mixture (read leniently only).
NATIVE = Scheme("native", inside="I", end="E", single="S")
_NATIVE_INSIDE = frozenset({"I", "M"})


def scheme_named(name: str) -> Scheme:
    """The scheme called ``name``; an unknown name raises :class:`ConversionError` listing the known ones.

    >>> scheme_named("IOBES").end
    'E'
    """
    try:
        return SCHEMES[name]
    except KeyError:
        raise ConversionError(f"unknown tag scheme {name!r} (known: {', '.join(SCHEMES)})") from None


def sentence_id(document_id: str, index: int) -> str:
    """The id of a sentence: the document id and the 3-digit sentence index.

    These are the ids of the dataset's ``ner`` config and of the per-sentence
    prediction format.

    >>> sentence_id("000_e491b11e84c79d89", 3)
    '000_e491b11e84c79d89-003'
    """
    return f"{document_id}-{index:03d}"


def split_tag(tag: str, scheme: Scheme = SCHEMES["IOB2"]) -> tuple[str, str | None]:
    """``(prefix, label)`` of a tag; ``("O", None)`` for ``O``.

    >>> split_tag("B-WORK_OF_ART")
    ('B', 'WORK_OF_ART')
    >>> split_tag("M-PER", SCHEMES["BMES"])
    ('M', 'PER')
    >>> split_tag("E-PER")
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.TagSequenceError: malformed IOB2 tag 'E-PER' (expected O, B-LABEL or I-LABEL)
    """
    if tag == OUTSIDE:
        return OUTSIDE, None
    prefixes = _NATIVE_INSIDE | set(NATIVE.prefixes) if scheme is NATIVE else set(scheme.prefixes)
    if len(tag) > 2 and tag[0] in prefixes and tag[1] == "-":
        return tag[0], tag[2:]
    forms = [OUTSIDE] + [f"{prefix}-LABEL" for prefix in scheme.prefixes]
    shown = tag if len(tag) <= 40 else tag[:40] + "…"
    raise TagSequenceError(f"malformed {scheme.name} tag {shown!r} (expected {', '.join(forms[:-1])} or {forms[-1]})")


def _split_at(tag: str, scheme: Scheme, position: int) -> tuple[str, str | None]:
    try:
        return split_tag(tag, scheme)
    except TagSequenceError as error:
        raise TagSequenceError(error.reason, position=position) from None


def check_spans(spans: Iterable[Span], length: int) -> list[Span]:
    """``spans`` sorted, after checking that they lie in ``[0, length)`` and do not overlap.

    >>> check_spans([Span(2, 3, "ORG"), Span(0, 2, "PER")], 3)
    [Span(start=0, end=2, label='PER'), Span(start=2, end=3, label='ORG')]
    >>> check_spans([Span(0, 2, "PER"), Span(1, 3, "ORG")], 3)
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.SpanError: position 1: span [1,3) ORG overlaps [0,2) PER
    """
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


def spans_to_tags(spans: Iterable[Span], length: int, scheme: Scheme = SCHEMES["IOB2"]) -> list[str]:
    """Tags in ``scheme`` for non-overlapping spans over a sequence of ``length`` tokens.

    >>> spans_to_tags([Span(1, 3, "GPE"), Span(3, 4, "ORG")], 5)
    ['O', 'B-GPE', 'I-GPE', 'B-ORG', 'O']
    >>> spans_to_tags([Span(0, 1, "PER"), Span(2, 5, "ORG")], 5, SCHEMES["BMES"])
    ['S-PER', 'O', 'B-ORG', 'M-ORG', 'E-ORG']
    """
    tags = [OUTSIDE] * length
    for span in check_spans(spans, length):
        if span.end - span.start == 1 and scheme.single is not None:
            tags[span.start] = f"{scheme.single}-{span.label}"
            continue
        tags[span.start] = f"{scheme.begin}-{span.label}"
        for position in range(span.start + 1, span.end):
            tags[position] = f"{scheme.inside}-{span.label}"
        if scheme.end is not None:
            tags[span.end - 1] = f"{scheme.end}-{span.label}"
    return tags


def _describe(tags: Sequence[str], position: int) -> str:
    return tags[position - 1] if position else "the start of the sentence"


def _decode_strict(tags: Sequence[str], scheme: Scheme) -> list[Span]:
    spans: list[Span] = []
    start: int | None = None
    current: str | None = None
    must_end = scheme.end is not None  # IOBES/BMES entities end with E-; IOB2 ones end anywhere
    for position, tag in enumerate(tags):
        prefix, label = _split_at(tag, scheme, position)
        if start is not None and current is not None:
            if label == current and prefix == scheme.inside:
                continue
            if label == current and prefix == scheme.end:
                spans.append(Span(start, position + 1, current))
                start, current = None, None
                continue
            if must_end:
                raise TagSequenceError(
                    f"{tag} follows {tags[position - 1]} ({scheme.name}: an entity that starts with "
                    f"{scheme.begin}- ends with {scheme.end}-)", position=position)
            spans.append(Span(start, position, current))
            start, current = None, None
        if prefix == scheme.begin:
            start, current = position, label
        elif prefix == scheme.single:
            spans.append(Span(position, position + 1, label or ""))
        elif prefix != OUTSIDE:  # an inside or end tag with no entity to continue
            starts = f"{scheme.begin}-" + (f" or {scheme.single}-" if scheme.single else "")
            strict = "" if must_end else "strict "
            raise TagSequenceError(
                f"{tag} follows {_describe(tags, position)} ({strict}{scheme.name}: an entity starts with {starts})",
                position=position)
    if start is not None and current is not None:
        if must_end:
            raise TagSequenceError(
                f"the sentence ends inside a {current} entity ({scheme.name}: an entity that starts with "
                f"{scheme.begin}- ends with {scheme.end}-)", position=len(tags))
        spans.append(Span(start, len(tags), current))
    return spans


def decode_lenient(tags: Sequence[str], scheme: Scheme = NATIVE) -> tuple[list[Span], list[int]]:
    """Spans of any sequence read as conlleval reads IOB2, and the positions where that reading
    departs from the strict one (an inside or end tag starting an entity, an entity left open
    where the scheme wants an end tag).

    >>> decode_lenient(["B-PER", "E-PER", "O", "S-LOC", "B-ORG", "M-ORG", "I-ORG", "I-LOC"])
    ([Span(start=0, end=2, label='PER'), Span(start=3, end=4, label='LOC'), Span(start=4, end=7, label='ORG'), Span(start=7, end=8, label='LOC')], [7])
    >>> decode_lenient(["O", "I-PER", "I-PER"], SCHEMES["IOB2"])
    ([Span(start=1, end=3, label='PER')], [1])
    >>> decode_lenient(["B-ORG", "O"], SCHEMES["IOBES"])
    ([Span(start=0, end=1, label='ORG')], [1])
    """
    spans: list[Span] = []
    departures: set[int] = set()
    start: int | None = None
    current = ""
    must_end = scheme.end is not None and scheme is not NATIVE

    def close(position: int, properly: bool) -> None:
        nonlocal start
        if start is not None:
            if must_end and not properly:
                departures.add(position)
            spans.append(Span(start, position, current))
            start = None

    for position, tag in enumerate(tags):
        prefix, label = _split_at(tag, scheme, position)
        inside, end = prefix in _NATIVE_INSIDE, prefix == "E"
        if start is not None and label == current and (inside or end):
            if end:
                close(position + 1, properly=True)
            continue
        close(position, properly=False)
        if prefix == OUTSIDE:
            continue
        if inside or end:
            departures.add(position)
        start, current = position, label or ""
        if end or prefix == "S":
            close(position + 1, properly=True)
    close(len(tags), properly=False)
    return spans, sorted(departures)


def tags_to_spans(tags: Sequence[str], scheme: Scheme = SCHEMES["IOB2"], lenient: bool = False) -> list[Span]:
    """Spans of a tag sequence in ``scheme``, strict unless ``lenient`` (see the module doc).

    >>> tags_to_spans(["B-GPE", "I-GPE", "O", "B-ORG"])
    [Span(start=0, end=2, label='GPE'), Span(start=3, end=4, label='ORG')]
    >>> tags_to_spans(["B-ORG", "M-ORG", "E-ORG", "O"], SCHEMES["BMES"])
    [Span(start=0, end=3, label='ORG')]
    >>> tags_to_spans(["O", "I-PER"])
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.TagSequenceError: position 1: I-PER follows O (strict IOB2: an entity starts with B-)
    >>> tags_to_spans(["O", "I-PER"], lenient=True)
    [Span(start=1, end=2, label='PER')]
    """
    if lenient:
        return decode_lenient(tags, scheme)[0]
    return _decode_strict(tags, scheme)


def decode_native(tags: Sequence[str]) -> list[Span]:
    """Chunks of a tagger's native tags (BIO, BIOES or BMES, mixed), read leniently.

    >>> decode_native(["B-PER", "M-PER", "E-PER", "S-LOC", "I-ORG"])
    [Span(start=0, end=3, label='PER'), Span(start=3, end=4, label='LOC'), Span(start=4, end=5, label='ORG')]
    """
    return decode_lenient(tags, NATIVE)[0]


def document_tags(document: Document, spans: Iterable[Span], scheme: Scheme = SCHEMES["IOB2"]) -> list[list[str]]:
    """One tag sequence per sentence of ``document`` (one tag per character) for document spans.

    >>> from zhnerbench.gold.article import document_from_text
    >>> doc = document_from_text("上海召开大会 2022年07月22日\\n张为出席。")
    >>> document_tags(doc, [Span(19, 21, "PERSON")])[1]
    ['B-PERSON', 'I-PERSON', 'O', 'O', 'O']
    """
    groups = spans_by_sentence(document.sentences, spans)
    result = []
    for sentence, local in zip(document.sentences, groups, strict=True):
        try:
            result.append(spans_to_tags(local, sentence.end - sentence.start, scheme))
        except ConversionError as error:
            raise error.in_sentence(sentence.index) from None
    return result


def document_spans_from_tags(
    document: Document, tag_sequences: Sequence[Sequence[str]], scheme: Scheme = SCHEMES["IOB2"], lenient: bool = False
) -> list[Span]:
    """Document spans from one tag sequence per sentence (one tag per character).

    A wrong number of sentences or of tags raises :class:`AlignmentError`; an
    invalid sequence raises :class:`TagSequenceError` naming the sentence.

    >>> from zhnerbench.gold.article import document_from_text
    >>> doc = document_from_text("上海召开大会 2022年07月22日\\n张为出席。")
    >>> document_spans_from_tags(doc, [["O"] * 18, ["B-PERSON", "I-PERSON", "O", "O", "O"]])
    [Span(start=19, end=21, label='PERSON')]
    """
    if len(tag_sequences) != len(document.sentences):
        raise AlignmentError(
            f"{len(tag_sequences)} tag sequences for the {len(document.sentences)} sentences of document {document.id}"
        )
    spans: list[Span] = []
    for sentence, tags in zip(document.sentences, tag_sequences, strict=True):
        length = sentence.end - sentence.start
        if len(tags) != length:
            raise AlignmentError(f"{len(tags)} tags for {length} characters", sentence=sentence.index)
        try:
            local = tags_to_spans(tags, scheme, lenient)
        except ConversionError as error:
            raise error.in_sentence(sentence.index) from None
        spans.extend(to_document_offsets(sentence, span) for span in local)
    return spans
