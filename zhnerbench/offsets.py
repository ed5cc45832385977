"""Offset conversions: document offsets <-> sentence-local offsets, word tokens -> characters.

All offsets are 0-based and end-exclusive, like :class:`zhnerbench.document.Span`.
A span belongs to exactly one sentence; one that crosses a sentence boundary, or
covers a character outside every sentence (a newline), is reported, because
sentence-level tags (IOB2 and friends) cannot represent it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from zhnerbench.exceptions import AlignmentError, SpanError
from zhnerbench.document import Sentence, Span


def sentence_index_of(sentences: Sequence[Sentence], span: Span, starts: Sequence[int] | None = None) -> int:
    """Index (in ``sentences``) of the one sentence that contains ``span``.

    ``sentences`` must be in document order, as in :class:`Document`.

    >>> sentences = (Sentence(0, 0, 3, 0), Sentence(1, 4, 9, 1))
    >>> sentence_index_of(sentences, Span(5, 7, "ORG"))
    1
    >>> sentence_index_of(sentences, Span(2, 5, "ORG"))
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.SpanError: position 2: span [2,5) ORG is not inside one sentence (it starts in sentence 0, which ends at 3)
    """
    if starts is None:  # callers placing many spans pass the starts once (linear, not quadratic)
        starts = [sentence.start for sentence in sentences]
    index = bisect_right(starts, span.start) - 1
    if index < 0 or span.start >= sentences[index].end:
        raise SpanError(
            f"span [{span.start},{span.end}) {span.label} starts outside every sentence "
            "(on a character between sentences, such as a newline)",
            position=span.start,
        )
    if span.end > sentences[index].end:
        raise SpanError(
            f"span [{span.start},{span.end}) {span.label} is not inside one sentence "
            f"(it starts in sentence {sentences[index].index}, which ends at {sentences[index].end})",
            position=span.start,
        )
    return index


def sentence_at(starts: Sequence[int], offset: int) -> int:
    """Index of the sentence an ``offset`` belongs to for scoring: the last one starting at or
    before it (a newline between two sentences belongs to the one before it).

    >>> sentence_at([0, 4, 10], 5), sentence_at([0, 4, 10], 3), sentence_at([0, 4, 10], 0)
    (1, 0, 0)
    """
    return max(bisect_right(starts, offset) - 1, 0)


def to_sentence_offsets(
    sentences: Sequence[Sentence], span: Span, starts: Sequence[int] | None = None
) -> tuple[int, Span]:
    """The sentence index of ``span`` and the span in that sentence's local offsets.

    >>> to_sentence_offsets((Sentence(0, 0, 3, 0), Sentence(1, 4, 9, 1)), Span(5, 7, "ORG"))
    (1, Span(start=1, end=3, label='ORG'))
    """
    index = sentence_index_of(sentences, span, starts)
    offset = sentences[index].start
    return index, Span(span.start - offset, span.end - offset, span.label)


def to_document_offsets(sentence: Sentence, span: Span) -> Span:
    """A sentence-local span in document offsets.

    >>> to_document_offsets(Sentence(1, 4, 9, 1), Span(1, 3, "ORG"))
    Span(start=5, end=7, label='ORG')
    """
    if not 0 <= span.start < span.end <= sentence.end - sentence.start:
        raise SpanError(
            f"span [{span.start},{span.end}) {span.label} is outside sentence {sentence.index} "
            f"of length {sentence.end - sentence.start}",
            position=span.start,
            sentence=sentence.index,
        )
    return Span(span.start + sentence.start, span.end + sentence.start, span.label)


def spans_by_sentence(sentences: Sequence[Sentence], spans: Iterable[Span]) -> list[list[Span]]:
    """Document spans grouped per sentence (in sentence-local offsets), each group sorted.

    >>> spans_by_sentence((Sentence(0, 0, 3, 0), Sentence(1, 4, 9, 1)), [Span(5, 7, "ORG"), Span(0, 2, "GPE")])
    [[Span(start=0, end=2, label='GPE')], [Span(start=1, end=3, label='ORG')]]
    """
    groups: list[list[Span]] = [[] for _ in sentences]
    starts = [sentence.start for sentence in sentences]
    for span in spans:
        index, local = to_sentence_offsets(sentences, span, starts)
        groups[index].append(local)
    for group in groups:
        group.sort()
    return groups


def _token_start(text: str, token: str, position: int) -> int | None:
    """Where ``token`` starts at ``position``, after whitespace the segmenter may have dropped."""
    skipped = position
    while skipped < len(text) and text[skipped].isspace() and not text.startswith(token, skipped):
        skipped += 1
    return skipped if token and text.startswith(token, skipped) else None


def token_offsets(tokens: Sequence[str], text: str) -> list[tuple[int, int]]:
    """Character offsets ``(start, end)`` of each word token of a segmented ``text``.

    Whitespace in ``text`` between tokens may be dropped by the segmenter (most
    word segmenters do); anything else must match exactly, or the first token
    that does not match is reported.

    >>> token_offsets(["上海", "市委", "G60"], "上海市委 G60")
    [(0, 2), (2, 4), (5, 8)]
    >>> token_offsets(["上海", "是"], "上海市")
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.AlignmentError: position 1: token '是' does not match the text at character 2 ('市')
    """
    offsets: list[tuple[int, int]] = []
    position = 0
    for index, token in enumerate(tokens):
        if not token:
            raise AlignmentError("empty token", position=index)
        start = _token_start(text, token, position)
        if start is None:
            skipped = len(text) - len(text[position:].lstrip())
            found = text[skipped:skipped + len(token)] or "end of text"
            raise AlignmentError(
                f"token {token[:20]!r} does not match the text at character {skipped} ({found[:20]!r})", position=index
            )
        offsets.append((start, start + len(token)))
        position = start + len(token)
    if text[position:].strip():
        raise AlignmentError(
            f"the tokens end at character {position} but the text continues with {text[position:position + 10]!r}",
            position=len(tokens),
        )
    return offsets


def align_tokens(tokens: Sequence[str], text: str) -> tuple[list[tuple[int, int] | None], list[int]]:
    """Offsets of a tagger's tokens in ``text`` where they match, and the indices of those that do not.

    The lenient twin of :func:`token_offsets` for taggers, which may emit tokens
    that are not substrings of their input (a normalised character, say): such a
    token gets ``None`` (it is reported, not silently placed), and alignment goes
    on as if it had covered as many characters as it has.

    >>> align_tokens(["张三", "在", "北京"], "张三 在北京")
    ([(0, 2), (3, 4), (4, 6)], [])
    >>> align_tokens(["张三", "在", "北亰", "见"], "张三在北京见")
    ([(0, 2), (2, 3), None, (5, 6)], [2])
    """
    offsets: list[tuple[int, int] | None] = []
    unmatched: list[int] = []
    position = 0
    for index, token in enumerate(tokens):
        start = _token_start(text, token, position)
        if start is None:
            offsets.append(None)
            unmatched.append(index)
            position = min(position + len(token), len(text))
            continue
        offsets.append((start, start + len(token)))
        position = start + len(token)
    return offsets, unmatched


def token_spans_to_char_spans(token_spans: Iterable[Span], offsets: Sequence[tuple[int, int]]) -> list[Span]:
    """Spans over token indices (from a word-segmented tagger) as character spans.

    ``offsets`` comes from :func:`token_offsets`; a span covers its first token's
    first character to its last token's last character.

    >>> token_spans_to_char_spans([Span(0, 2, "ORG")], [(0, 2), (2, 4), (5, 8)])
    [Span(start=0, end=4, label='ORG')]
    """
    result = []
    for span in token_spans:
        if not 0 <= span.start < span.end <= len(offsets):
            raise SpanError(
                f"token span [{span.start},{span.end}) {span.label} is outside the {len(offsets)} tokens",
                position=span.start,
            )
        result.append(Span(offsets[span.start][0], offsets[span.end - 1][1], span.label))
    return result
