"""The ``conll`` prediction format: one character and its tag per line, a blank line after each
sentence, sentences in gold order, empty sentences left out.

The tag is the last whitespace-separated field and the character is what comes before the
whitespace run that precedes it. A space in the text is a token too: write it as ``" \\tO"``
(space, tab, tag); a line that starts with whitespace holds such a whitespace character, and a
line made of whitespace only is a sentence break. Tags are IOB2 unless another scheme is asked
for; an invalid tag sequence is an error unless ``lenient``, in which case it is read as
conlleval reads IOB2 and each place is listed in ``Predictions.lenient_readings``. Flat spans
only: nested ones cannot be written.

>>> from zhnerbench.gold.article import document_from_text
>>> doc = document_from_text("标题 2022年07月22日\\n张为。")
>>> text = "\\n".join(f"{c}\\tO" for c in doc.sentence_text(0)) + "\\n\\n张\\tB-PERSON\\n为\\tI-PERSON\\n。\\tO\\n"
>>> parse_conll(text, "p.conll", [doc]).spans
{'000_e491b11e84c79d89': (Span(start=15, end=17, label='PERSON'),)}
>>> conll_text([doc], {doc.id: []}).splitlines()[:3]
['标\\tO', '题\\tO', ' \\tO']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence

from zhnerbench.document import Document, Span
from zhnerbench.exceptions import ConversionError, PredictionFormatError, excerpt
from zhnerbench.formats.prediction_files import (
    LENIENT_HINT,
    PredictionFormat,
    Predictions,
    ReadOptions,
    all_sentences,
    check_tag,
    lenient_reading,
    sentence_tags,
    tags_to_document_spans,
)
from zhnerbench.gold.codec import file_lines
from zhnerbench.tag_schemes import SCHEMES, Scheme, sentence_id
from zhnerbench.views import prediction_labels

NAME = "conll"


def split_conll_line(line: str) -> tuple[str, str] | None:
    """``(token, tag)`` of a CoNLL line, or ``None`` if it has no token before the tag.

    The tag is the last field; the token is everything before the whitespace
    run that precedes it. A line that starts with whitespace holds a
    whitespace token (a space of the text): the token is the first character
    and the separator the rest of the run. Trailing whitespace is ignored.
    String methods, not a backtracking pattern: linear in the line's length.

    >>> split_conll_line("上\\tB-GPE"), split_conll_line(" \\tO"), split_conll_line("    O")
    (('上', 'B-GPE'), (' ', 'O'), (' ', 'O'))
    >>> split_conll_line("O") is None, split_conll_line(" " * 100_000) is None
    (True, True)
    """
    stripped = line.rstrip()
    fields = stripped.rsplit(None, 1)
    if len(fields) < 2 or not fields[0].strip():
        # Nothing but whitespace before the tag: a whitespace token, then the separator.
        tag = fields[-1] if fields else ""
        before = stripped[: len(stripped) - len(tag)]
        return (before[0], tag) if tag and len(before) > 1 else None
    return fields[0], fields[1]


def is_character_row(line: str) -> bool:
    """Whether a line reads as one character and its tag.

    >>> is_character_row("[\\tO"), is_character_row('[{"h_idx": 0}]')
    (True, False)
    """
    row = split_conll_line(line)
    return row is not None and len(row[0]) == 1


def detect(first: str) -> bool:
    """A first line that does not open JSON, or that does and reads as a character row (a file
    may well start with the character ``{`` or ``[``)."""
    if not first.lstrip().startswith(("{", "[")):
        return True
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return is_character_row(first)
    return False


def _conll_sentences(text: str, shown: str, longest: int) -> Iterator[list[tuple[int, str, str]]]:
    """The file's sentences as rows ``(line number, character, tag)``, one sentence at a time;
    a sentence longer than ``longest`` (the longest gold sentence) is an error as soon as it is
    (a file without blank lines must not be held in memory row by row)."""
    current: list[tuple[int, str, str]] = []
    for number, line in enumerate(file_lines(text), start=1):
        if len(current) > longest:
            raise PredictionFormatError(shown, current[0][0], f"the sentence starting here has more than {longest} "
                                        "characters, more than any gold sentence; check for a missing blank line")
        if not line.strip():
            if current:
                yield current
                current = []
            continue
        parts = split_conll_line(line)
        if parts is None:
            raise PredictionFormatError(shown, number, f"expected a character and a tag separated by whitespace, "
                                                       f"found {excerpt(line)}")
        token, tag = parts
        if len(token) != 1:
            raise PredictionFormatError(
                shown, number, f"expected one character before the tag, found {excerpt(token, 20)} (one character per line)"
            )
        current.append((number, token, tag))
    if current:
        yield current


def parse_conll(
    text: str, shown: str, gold: Sequence[Document], lenient: bool = False, scheme: Scheme = SCHEMES["IOB2"],
    labels: frozenset[str] | None = None,
) -> Predictions:
    """Read the format (see the module doc)."""
    allowed = labels if labels is not None else prediction_labels(gold)
    # An empty line of the article is an empty sentence, which a blank-line-separated file cannot show.
    expected = [(d, s) for d, s in all_sentences(gold) if s.end > s.start]
    spans: dict[str, list[Span]] = {document.id: [] for document in gold}
    readings: list[str] = []
    found = 0
    longest = max((s.end - s.start for _, s in expected), default=0)
    for index, rows in enumerate(_conll_sentences(text, shown, longest)):
        found = index + 1
        if index >= len(expected):
            raise PredictionFormatError(
                shown, rows[0][0], f"sentence {index + 1} is one too many: the gold has {len(expected)} sentences"
            )
        document, sentence = expected[index]
        identifier = sentence_id(document.id, sentence.index)
        sentence_text = document.text[sentence.start:sentence.end]
        if len(rows) != len(sentence_text):
            raise PredictionFormatError(
                shown, rows[0][0],
                f"sentence {identifier} has {len(rows)} characters here but {len(sentence_text)} in the gold "
                f"({sentence_text[:20]!r}...); check for a missing or extra blank line or character "
                "(a space is a token too)",
            )
        for position, (number, token, tag) in enumerate(rows):
            if token != sentence_text[position]:
                raise PredictionFormatError(
                    shown, number,
                    f"sentence {identifier}, position {position}: character {token!r} does not match the gold "
                    f"{sentence_text[position]!r}",
                )
            problem = check_tag(tag, scheme, allowed)
            if problem:
                raise PredictionFormatError(shown, number, f"sentence {identifier}, position {position}: {problem}")
        tags = [tag for _, _, tag in rows]
        try:
            sentence_spans, repaired = tags_to_document_spans(tags, sentence, scheme, lenient)
        except ConversionError as error:
            line = rows[min(error.position or 0, len(rows) - 1)][0]
            raise PredictionFormatError(shown, line, f"sentence {identifier}, {error}{LENIENT_HINT}") from None
        readings += [lenient_reading(f"line {rows[min(p, len(rows) - 1)][0]}", tags, p) for p in repaired]
        spans[document.id].extend(sentence_spans)
    if found < len(expected):
        document, sentence = expected[found]
        raise PredictionFormatError(
            shown, None,
            f"has {found} sentences but the gold has {len(expected)}: "
            f"sentence {sentence_id(document.id, sentence.index)} and later are missing",
        )
    return Predictions(shown, NAME, {k: tuple(v) for k, v in spans.items()}, None, tuple(readings))


def conll_text(
    documents: Sequence[Document], spans: Mapping[str, Iterable[Span]] | None = None, scheme: Scheme = SCHEMES["IOB2"]
) -> str:
    """The format: ``character<TAB>tag`` lines, a blank line after each sentence."""
    lines = []
    for document, sentence, tags in sentence_tags(documents, spans, scheme):
        text = document.text[sentence.start:sentence.end]
        if text:  # an empty sentence would merge into the blank line that ends the previous one
            lines += [f"{char}\t{tag}" for char, tag in zip(text, tags, strict=True)]
            lines.append("")
    return "\n".join(lines) + "\n"


def _read(text: str, shown: str, gold: Sequence[Document], options: ReadOptions) -> Predictions:
    return parse_conll(text, shown, gold, options.lenient, options.scheme, options.labels)


FORMAT = PredictionFormat(
    name=NAME, summary="a character and its tag per line, a blank line after each sentence",
    description=("one character and its tag per line (`字<TAB>B-ORG`), a blank line after each sentence, sentences "
                 'in gold order; a space character is written as `" <TAB>O"`'),
    mentions=True, relations=False, detect=detect, detection_order=10, read=_read,
    write=lambda documents, spans, relations: conll_text(documents, spans),
)
