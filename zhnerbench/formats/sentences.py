"""The ``sentences`` prediction format: JSON Lines, one line per gold sentence, any order.

::

    {"id": "000_e491b11e84c79d89-002", "tags": ["B-ORG", "I-ORG", "B-TITLE", ...]}

with one tag per character, or per token when ``tokens`` (a word segmentation of the sentence;
whitespace between words may be left out) is given; ``text`` is optional. Ids are
:func:`zhnerbench.tag_schemes.sentence_id`. Tags are read as in the ``conll`` format.

>>> from zhnerbench.gold.article import document_from_text
>>> doc = document_from_text("标题 2022年07月22日\\n张为。")
>>> parse_sentences('{"id": "000_e491b11e84c79d89-001", "tokens": ["张为", "。"], "tags": ["B-PER", "O"]}', "p", [doc])
Traceback (most recent call last):
...
zhnerbench.exceptions.PredictionFormatError: p: no line for sentence 000_e491b11e84c79d89-000 (every gold sentence needs one, all-O if it has no entity)
>>> sentences_jsonl([doc], {doc.id: [Span(0, 2, "TITLE")]})[:63]
'{"id": "000_e491b11e84c79d89-000", "tags": ["B-TITLE", "I-TITLE'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from zhnerbench.document import Document, Sentence, Span
from zhnerbench.exceptions import ConversionError, PredictionFormatError, excerpt
from zhnerbench.formats.prediction_files import (
    LENIENT_HINT,
    InvalidLine,
    PredictionFormat,
    Predictions,
    ReadOptions,
    all_sentences,
    check_tag,
    decode_tags,
    describe,
    keyed_lines,
    lenient_reading,
    sentence_tags,
    tags_to_document_spans,
)
from zhnerbench.offsets import to_document_offsets, token_offsets, token_spans_to_char_spans
from zhnerbench.tag_schemes import SCHEMES, Scheme, sentence_id
from zhnerbench.views import prediction_labels

NAME = "sentences"


def detect(first: str) -> bool:
    """A JSON object with ``tags`` or ``tokens``."""
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and ("tags" in value or "tokens" in value)


def _sentence_spans(value: Mapping[str, object], document: Document, sentence: Sentence, scheme: Scheme,
                    lenient: bool, labels: frozenset[str]) -> tuple[list[Span], list[int]]:
    """Spans of one sentence line, and the positions read leniently."""
    sentence_text = document.text[sentence.start:sentence.end]
    tags = value.get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise InvalidLine(f"'tags' must be a list of strings, found {describe(tags)}")
    if "text" in value and value["text"] != sentence_text:
        raise InvalidLine(f"'text' {describe(value['text'])} does not match the gold sentence {excerpt(sentence_text, 40)}")
    for position, tag in enumerate(tags):
        problem = check_tag(tag, scheme, labels)
        if problem:
            raise InvalidLine(f"tags[{position}]: {problem}")
    tokens = value.get("tokens")
    if tokens is None:
        if len(tags) != len(sentence_text):
            raise InvalidLine(
                f"{len(tags)} tags for the {len(sentence_text)} characters of the sentence "
                "(one tag per character, spaces included, unless 'tokens' is given)"
            )
        try:
            return tags_to_document_spans(tags, sentence, scheme, lenient)
        except ConversionError as error:
            raise InvalidLine(f"tags: {error}{LENIENT_HINT}") from None
    if not isinstance(tokens, list) or not all(isinstance(token, str) for token in tokens):
        raise InvalidLine(f"'tokens' must be a list of strings, found {describe(tokens)}")
    if len(tokens) != len(tags):
        raise InvalidLine(f"{len(tags)} tags for {len(tokens)} tokens")
    try:
        offsets = token_offsets(tokens, sentence_text)
    except ConversionError as error:
        raise InvalidLine(f"tokens: {error}") from None
    try:
        token_spans, repaired = decode_tags(tags, scheme, lenient)
    except ConversionError as error:
        raise InvalidLine(f"tags: {error}{LENIENT_HINT}") from None
    local = token_spans_to_char_spans(token_spans, offsets)
    return [to_document_offsets(sentence, span) for span in local], repaired


def parse_sentences(
    text: str, shown: str, gold: Sequence[Document], lenient: bool = False, scheme: Scheme = SCHEMES["IOB2"],
    labels: frozenset[str] | None = None,
) -> Predictions:
    """Read the format: ``id`` and ``tags`` (and optional ``tokens``, ``text``)."""
    allowed = labels if labels is not None else prediction_labels(gold)
    expected = {sentence_id(d.id, s.index): (d, s) for d, s in all_sentences(gold)}
    example = next(iter(expected), "DOCID-000")
    spans: dict[str, list[Span]] = {document.id: [] for document in gold}
    readings: list[str] = []
    for number, identifier, value in keyed_lines(text, shown, expected, "sentence", f"a sentence id such as {example!r}",
                                                 f"ids look like {example!r}",
                                                 "every gold sentence needs one, all-O if it has no entity"):
        document, sentence = expected[identifier]
        try:
            spans_here, repaired = _sentence_spans(value, document, sentence, scheme, lenient, allowed)
        except InvalidLine as error:
            raise PredictionFormatError(shown, number, f"sentence {identifier}: {error}") from None
        tags = value["tags"]
        assert isinstance(tags, list)  # checked by _sentence_spans
        readings += [lenient_reading(f"line {number}, tags[{p}]", tags, p) for p in repaired]
        spans[document.id].extend(spans_here)
    return Predictions(shown, NAME, {k: tuple(sorted(v)) for k, v in spans.items()}, None, tuple(readings))


def sentences_jsonl(
    documents: Sequence[Document], spans: Mapping[str, Iterable[Span]] | None = None, scheme: Scheme = SCHEMES["IOB2"]
) -> str:
    """The format: one ``{"id", "tags"}`` object per sentence, one tag per character."""
    lines = [json.dumps({"id": sentence_id(document.id, sentence.index), "tags": tags}, ensure_ascii=False)
             for document, sentence, tags in sentence_tags(documents, spans, scheme)]
    return "\n".join(lines) + "\n"


def _read(text: str, shown: str, gold: Sequence[Document], options: ReadOptions) -> Predictions:
    return parse_sentences(text, shown, gold, options.lenient, options.scheme, options.labels)


FORMAT = PredictionFormat(
    name=NAME, summary="JSON Lines, one line per sentence with its tags (per character, or per token)", file_kind="JSONL",
    description=('one line per sentence: `{"id": "000_e491b11e84c79d89-002", "tags": [...]}`, one tag per character '
                 "(or per token with `tokens`)"),
    mentions=True, relations=False, detect=detect, detection_order=20, read=_read,
    write=lambda documents, spans, relations: sentences_jsonl(documents, spans),
)
