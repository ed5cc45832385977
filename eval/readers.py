"""Reading prediction files, in three formats, into document-offset spans and relations.

``documents`` (JSON Lines, one gold document per line)::

    {"id": "000_e491b11e84c79d89",
     "mentions": [{"start": 13, "end": 24, "label": "EVENT", "text": "上海市产业技术创新大会"}],
     "relations": [{"head": {"start": 141, "end": 143}, "relation": "has_title",
                    "tail": {"start": 138, "end": 141}, "evidence": [2]}]}

  Offsets are document offsets (0-based, end-exclusive). ``text`` (mentions and
  arguments) and ``evidence`` are optional; ``relations`` may be left out, and
  relations are scored only when some line has the key. Every gold document
  needs a line, once.

``conll`` (one character and its tag per line, a blank line after each sentence,
sentences in gold order, empty sentences left out): the tag is the last
whitespace-separated field and the character is what comes before the
whitespace run that precedes it. A space in the text is a token too: write it
as ``" \\tO"`` (space, tab, tag); a line that starts with whitespace holds such
a whitespace character, and a line made of whitespace only is a sentence break.

``sentences`` (JSON Lines, one gold sentence per line, any order)::

    {"id": "000_e491b11e84c79d89-002", "tags": ["B-ORG", "I-ORG", "B-TITLE", ...]}

  with one tag per character, or per token when ``tokens`` (a word
  segmentation of the sentence; whitespace between words may be left out) is
  given; ``text`` is optional. Ids are :func:`zhnerbench.eval.tags.sentence_id`.

Tags are IOB2 unless another scheme is asked for. Every problem is one
:class:`PredictionFormatError` naming the file and the line (or the document
or sentence): the first problem found. Predicted spans must not overlap and
must lie inside one sentence (sentence tags cannot represent anything else).
Invalid IOB2 is an error unless ``lenient`` is set, in which case it is read as
conlleval reads it and each place is listed in ``Predictions.lenient_readings``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from zhnerbench.eval.exceptions import ConversionError, PredictionFormatError
from zhnerbench.eval.offsets import sentence_index_of, to_document_offsets, token_offsets, token_spans_to_char_spans
from zhnerbench.eval.relations import PredictedArgument, PredictedRelation
from zhnerbench.eval.tags import SCHEMES, invalid_iob2_positions, sentence_id, split_tag, tags_to_spans
from zhnerbench.eval.views import known_labels
from zhnerbench.model import Document, Sentence, Span
from zhnerbench.schema import RELATION_TYPES

FORMATS: tuple[str, ...] = ("documents", "conll", "sentences")
_CONLL_LINE = re.compile(r"(.*?)(\s+)(\S+)")


@dataclass(frozen=True)
class Predictions:
    """A prediction file, read and checked against the gold documents."""

    file: str
    format: str
    spans: Mapping[str, tuple[Span, ...]]
    relations: Mapping[str, tuple[PredictedRelation, ...]] | None
    lenient_readings: tuple[str, ...] = ()

    @property
    def labels(self) -> frozenset[str]:
        """Every label the file uses.

        >>> sorted(Predictions("p", "documents", {"d": (Span(0, 2, "PER"), Span(3, 4, "ORG"))}, None).labels)
        ['ORG', 'PER']
        """
        return frozenset(span.label for spans in self.spans.values() for span in spans)


def decode_prediction_file(data: bytes, shown_as: str) -> str:
    """The text of a prediction file: strict UTF-8, no BOM, not empty.

    >>> decode_prediction_file("上\\tO\\n".encode(), "p.conll")
    '上\\tO\\n'
    >>> decode_prediction_file(b"\\xef\\xbb\\xbf{}", "p.jsonl")
    Traceback (most recent call last):
    ...
    zhnerbench.eval.exceptions.PredictionFormatError: p.jsonl:1: starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise PredictionFormatError(shown_as, 1, "starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PredictionFormatError(
            shown_as, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise PredictionFormatError(shown_as, None, "empty file")
    return text


def file_lines(text: str) -> list[str]:
    """The lines of a file, without ``\\n`` or a Windows ``\\r\\n`` ending.

    >>> file_lines("a\\r\\nb\\n")
    ['a', 'b']
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def split_conll_line(line: str) -> tuple[str, str] | None:
    """``(token, tag)`` of a CoNLL line, or ``None`` if it has no token before the tag.

    The tag is the last field; the token is everything before the whitespace
    run that precedes it. A line that starts with whitespace holds a
    whitespace token (a space of the text): the token is the first character
    and the separator the rest of the run. Trailing whitespace is ignored.

    >>> split_conll_line("上\\tB-GPE"), split_conll_line(" \\tO"), split_conll_line("    O")
    (('上', 'B-GPE'), (' ', 'O'), (' ', 'O'))
    >>> split_conll_line("O") is None
    True
    """
    match = _CONLL_LINE.fullmatch(line.rstrip())
    if match is None:
        return None
    head, separator, tag = match.groups()
    if head:
        return head, tag
    return (separator[0], tag) if len(separator) > 1 else None


def detect_format(text: str) -> str:
    """``documents``, ``sentences`` or ``conll``, from the first non-blank line.

    >>> detect_format('{"id": "d", "mentions": []}\\n'), detect_format('{"id": "d-000", "tags": ["O"]}')
    ('documents', 'sentences')
    >>> detect_format("上\\tB-GPE\\n海\\tI-GPE\\n")
    'conll'
    """
    first = next((line for line in file_lines(text) if line.strip()), "")
    if not first.lstrip().startswith(("{", "[")):
        return "conll"
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):
        # A CoNLL file may well start with the character "{".
        return "conll" if split_conll_line(first) and len(split_conll_line(first)[0]) == 1 else "documents"
    if isinstance(value, dict) and ("tags" in value or "tokens" in value):
        return "sentences"
    return "documents"


def read_predictions(
    path: Path,
    gold: Sequence[Document],
    format: str | None = None,
    lenient: bool = False,
    scheme: str = "IOB2",
    shown_as: str | None = None,
) -> Predictions:
    """Read and check a prediction file against the gold documents (format detected when ``None``).

    ``shown_as`` is how errors name the file (default: ``path`` as given).

    >>> import tempfile
    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日\\n张为出席。")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "pred.jsonl"
    ...     _ = path.write_text('{"id": "000_e491b11e84c79d89", "mentions": [{"start": 15, "end": 17, "label": "PERSON"}]}')
    ...     read_predictions(path, [doc]).spans
    {'000_e491b11e84c79d89': (Span(start=15, end=17, label='PERSON'),)}
    """
    shown = shown_as if shown_as is not None else str(path)
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r} (known: {', '.join(SCHEMES)})")
    if lenient and scheme != "IOB2":
        raise ValueError("lenient reading is defined for IOB2 only (it is conlleval's reading)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PredictionFormatError(shown, None, f"cannot read: {error.strerror or error}") from None
    text = decode_prediction_file(data, shown)
    chosen = format or detect_format(text)
    if chosen == "documents":
        return parse_documents(text, shown, gold)
    if chosen == "conll":
        return parse_conll(text, shown, gold, lenient, scheme)
    return parse_sentences(text, shown, gold, lenient, scheme)


# --- shared checks -----------------------------------------------------------------------------


def _check_tag(tag: str, scheme: str, labels: frozenset[str]) -> str | None:
    """The problem with one tag, or ``None``."""
    try:
        _, label = split_tag(tag, scheme)
    except ConversionError as error:
        return error.reason
    if label is not None and label not in labels:
        return f"unknown label {label!r} in tag {tag!r} (known labels: {' '.join(sorted(labels))})"
    return None


def _tags_to_document_spans(
    tags: Sequence[str], sentence: Sentence, scheme: str, lenient: bool
) -> tuple[list[Span], list[int]]:
    """Document spans of one sentence's character tags, and the positions read leniently."""
    repaired = invalid_iob2_positions(tags) if lenient else []
    local = tags_to_spans(tags, scheme, lenient)
    return [to_document_offsets(sentence, span) for span in local], repaired


def _lenient_hint(scheme: str) -> str:
    # Tags were checked one by one before decoding, so in IOB2 the only
    # decoding error left is an I- that does not continue an entity.
    return "; use --lenient to read invalid IOB2 as conlleval does" if scheme == "IOB2" else ""


def _all_sentences(gold: Sequence[Document]) -> list[tuple[Document, Sentence]]:
    return [(document, sentence) for document in gold for sentence in document.sentences]


def _jsonl_objects(text: str, shown: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(file_lines(text), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise PredictionFormatError(shown, number, f"invalid JSON: {error.msg} (column {error.colno})") from None
        except (ValueError, RecursionError) as error:
            raise PredictionFormatError(shown, number, f"invalid JSON: {error}") from None
        if not isinstance(value, dict):
            raise PredictionFormatError(
                shown, number, f"expected a JSON object on each line, found {type(value).__name__ if value is not None else 'null'}"
            )
        yield number, value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _describe(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + "..."


# --- format (a): documents ---------------------------------------------------------------------


def _offsets(item: object, where: str, document: Document) -> tuple[int, int]:
    """Checked ``(start, end)`` of a JSON object with document offsets; raises ``ValueError`` with the problem."""
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be an object with start and end, found {_describe(item)}")
    for key in ("start", "end"):
        if key not in item:
            raise ValueError(f"{where} has no {key!r}")
        if not _is_int(item[key]):
            raise ValueError(f"{where}: {key!r} must be an integer, found {_describe(item[key])}")
    start, end = item["start"], item["end"]
    if start > end:
        raise ValueError(f"{where}: reversed offsets, start {start} > end {end} (offsets are [start, end))")
    if start == end:
        raise ValueError(f"{where}: empty span [{start},{end})")
    if start < 0 or end > len(document.text):
        raise ValueError(
            f"{where}: offsets [{start},{end}) out of range (document {document.id} has {len(document.text)} characters)"
        )
    if "text" in item:
        actual = document.text[start:end]
        if item["text"] != actual:
            raise ValueError(f"{where}: text {_describe(item['text'])} does not match the document's [{start},{end}) {actual!r}")
    return start, end


def _document_mentions(value: dict[str, Any], document: Document, labels: frozenset[str]) -> tuple[Span, ...]:
    mentions = value.get("mentions")
    if not isinstance(mentions, list):
        raise ValueError(f"'mentions' must be a list, found {_describe(mentions)}")
    indexed: list[tuple[Span, int]] = []
    starts = [sentence.start for sentence in document.sentences]
    for index, item in enumerate(mentions):
        where = f"mentions[{index}]"
        start, end = _offsets(item, where, document)
        label = item.get("label")
        if not isinstance(label, str):
            raise ValueError(f"{where}: 'label' must be a string, found {_describe(label)}")
        if label not in labels:
            raise ValueError(f"{where}: unknown label {label!r} (known labels: {' '.join(sorted(labels))})")
        span = Span(start, end, label)
        try:
            sentence_index_of(document.sentences, span, starts)
        except ConversionError as error:
            raise ValueError(f"{where}: {error.reason}") from None
        indexed.append((span, index))
    # File order breaks ties, so that a repeated span is reported at its later occurrence.
    indexed.sort(key=lambda item: (item[0].start, item[0].end, item[1]))
    widest: tuple[Span, int] | None = None
    for span, index in indexed:
        if widest is not None and span.start < widest[0].end:
            other, other_index = widest
            relation = "repeats" if (span.start, span.end) == (other.start, other.end) else "overlaps"
            raise ValueError(
                f"mentions[{index}] [{span.start},{span.end}) {span.label} {relation} "
                f"mentions[{other_index}] [{other.start},{other.end}) {other.label} (predicted spans may not overlap)"
            )
        if widest is None or span.end > widest[0].end:
            widest = (span, index)
    return tuple(sorted(span for span, _ in indexed))


def _document_relations(value: dict[str, Any], document: Document) -> tuple[PredictedRelation, ...]:
    relations = value.get("relations", [])
    if not isinstance(relations, list):
        raise ValueError(f"'relations' must be a list, found {_describe(relations)}")
    result = []
    for index, item in enumerate(relations):
        where = f"relations[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object with head, relation and tail, found {_describe(item)}")
        relation = item.get("relation")
        if relation not in RELATION_TYPES:
            raise ValueError(f"{where}: unknown relation {_describe(relation)} (known: {' '.join(RELATION_TYPES)})")
        arguments = []
        for role in ("head", "tail"):
            start, end = _offsets(item.get(role), f"{where}.{role}", document)
            arguments.append(PredictedArgument(start, end, document.text[start:end]))
        evidence = item.get("evidence")
        if evidence is not None:
            count = len(document.sentences)
            if not isinstance(evidence, list) or not all(_is_int(e) and 0 <= e < count for e in evidence):
                raise ValueError(f"{where}: 'evidence' must be a list of sentence indices 0..{count - 1}, found {_describe(evidence)}")
            evidence = tuple(sorted(set(evidence)))
        result.append(PredictedRelation(arguments[0], relation, arguments[1], evidence))
    return tuple(result)


def parse_documents(text: str, shown: str, gold: Sequence[Document]) -> Predictions:
    """Read the per-document JSON Lines format (see the module doc); ``shown`` names the file in errors.

    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日\\n张为出席。")
    >>> parse_documents('{"id": "000_e491b11e84c79d89", "mentions": [{"start": 17, "end": 15, "label": "PERSON"}]}', "p", [doc])
    Traceback (most recent call last):
    ...
    zhnerbench.eval.exceptions.PredictionFormatError: p:1: document 000_e491b11e84c79d89: mentions[0]: reversed offsets, start 17 > end 15 (offsets are [start, end))
    """
    documents = {document.id: document for document in gold}
    labels = known_labels()
    spans: dict[str, tuple[Span, ...]] = {}
    relations: dict[str, tuple[PredictedRelation, ...]] = {}
    seen_lines: dict[str, int] = {}
    has_relations = False
    for number, value in _jsonl_objects(text, shown):
        identifier = value.get("id")
        if not isinstance(identifier, str):
            raise PredictionFormatError(shown, number, f"'id' must be the document id (a string), found {_describe(identifier)}")
        if identifier not in documents:
            raise PredictionFormatError(
                shown, number, f"unknown document id {identifier!r} (gold documents: {', '.join(documents)})"
            )
        if identifier in seen_lines:
            raise PredictionFormatError(
                shown, number, f"duplicate document id {identifier!r} (already on line {seen_lines[identifier]})"
            )
        seen_lines[identifier] = number
        if "mentions" not in value:
            raise PredictionFormatError(shown, number, f"document {identifier}: no 'mentions' (give [] for none)")
        has_relations = has_relations or "relations" in value
        try:
            spans[identifier] = _document_mentions(value, documents[identifier], labels)
            relations[identifier] = _document_relations(value, documents[identifier])
        except ValueError as error:
            raise PredictionFormatError(shown, number, f"document {identifier}: {error}") from None
    missing = [identifier for identifier in documents if identifier not in seen_lines]
    if missing:
        raise PredictionFormatError(shown, None, f"no line for document(s) {', '.join(missing)} (every gold document needs one)")
    return Predictions(shown, "documents", spans, relations if has_relations else None)


# --- format (b): CoNLL ---------------------------------------------------------------------------


def _conll_sentences(text: str, shown: str) -> list[list[tuple[int, str, str]]]:
    sentences: list[list[tuple[int, str, str]]] = []
    current: list[tuple[int, str, str]] = []
    for number, line in enumerate(file_lines(text), start=1):
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        parts = split_conll_line(line)
        if parts is None:
            raise PredictionFormatError(shown, number, f"expected a character and a tag separated by whitespace, found {line!r}")
        token, tag = parts
        if len(token) != 1:
            raise PredictionFormatError(
                shown, number, f"expected one character before the tag, found {token!r} (one character per line)"
            )
        current.append((number, token, tag))
    if current:
        sentences.append(current)
    return sentences


def parse_conll(text: str, shown: str, gold: Sequence[Document], lenient: bool = False, scheme: str = "IOB2") -> Predictions:
    """Read the CoNLL format: one character and tag per line, blank line between sentences, gold order.

    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日\\n张为。")
    >>> conll = "\\n".join(f"{c}\\tO" for c in doc.sentence_text(0)) + "\\n\\n张\\tB-PERSON\\n为\\tI-PERSON\\n。\\tO\\n"
    >>> parse_conll(conll, "p.conll", [doc]).spans
    {'000_e491b11e84c79d89': (Span(start=15, end=17, label='PERSON'),)}
    """
    labels = known_labels()
    # An empty line of the article is an empty sentence, which a blank-line-separated file cannot show.
    expected = [(d, s) for d, s in _all_sentences(gold) if s.end > s.start]
    found = _conll_sentences(text, shown)
    spans: dict[str, list[Span]] = {document.id: [] for document in gold}
    readings: list[str] = []
    for index, rows in enumerate(found):
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
            problem = _check_tag(tag, scheme, labels)
            if problem:
                raise PredictionFormatError(shown, number, f"sentence {identifier}, position {position}: {problem}")
        tags = [tag for _, _, tag in rows]
        try:
            document_spans, repaired = _tags_to_document_spans(tags, sentence, scheme, lenient)
        except ConversionError as error:
            line = rows[min(error.position or 0, len(rows) - 1)][0]
            raise PredictionFormatError(shown, line, f"sentence {identifier}, {error}{_lenient_hint(scheme)}") from None
        readings += [f"line {rows[p][0]}: {tags[p]} read as the start of an entity" for p in repaired]
        spans[document.id].extend(document_spans)
    if len(found) < len(expected):
        document, sentence = expected[len(found)]
        raise PredictionFormatError(
            shown, None,
            f"has {len(found)} sentences but the gold has {len(expected)}: "
            f"sentence {sentence_id(document.id, sentence.index)} and later are missing",
        )
    return Predictions(shown, "conll", {k: tuple(v) for k, v in spans.items()}, None, tuple(readings))


# --- format (c): sentences -----------------------------------------------------------------------


def _sentence_spans(
    value: dict[str, Any], document: Document, sentence: Sentence, scheme: str, lenient: bool, labels: frozenset[str]
) -> tuple[list[Span], list[int]]:
    """Spans of one sentence line; raises ``ValueError`` with the problem."""
    sentence_text = document.text[sentence.start:sentence.end]
    tags = value.get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError(f"'tags' must be a list of strings, found {_describe(tags)}")
    if "text" in value and value["text"] != sentence_text:
        raise ValueError(f"'text' {_describe(value['text'])} does not match the gold sentence {sentence_text!r}")
    for position, tag in enumerate(tags):
        problem = _check_tag(tag, scheme, labels)
        if problem:
            raise ValueError(f"tags[{position}]: {problem}")
    tokens = value.get("tokens")
    if tokens is None:
        if len(tags) != len(sentence_text):
            raise ValueError(
                f"{len(tags)} tags for the {len(sentence_text)} characters of the sentence "
                "(one tag per character, spaces included, unless 'tokens' is given)"
            )
        try:
            return _tags_to_document_spans(tags, sentence, scheme, lenient)
        except ConversionError as error:
            raise ValueError(f"tags: {error}{_lenient_hint(scheme)}") from None
    if not isinstance(tokens, list) or not all(isinstance(token, str) for token in tokens):
        raise ValueError(f"'tokens' must be a list of strings, found {_describe(tokens)}")
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tags)} tags for {len(tokens)} tokens")
    try:
        offsets = token_offsets(tokens, sentence_text)
    except ConversionError as error:
        raise ValueError(f"tokens: {error}") from None
    try:
        repaired = invalid_iob2_positions(tags) if lenient else []
        token_spans = tags_to_spans(tags, scheme, lenient)
    except ConversionError as error:
        raise ValueError(f"tags: {error}{_lenient_hint(scheme)}") from None
    local = token_spans_to_char_spans(token_spans, offsets)
    return [to_document_offsets(sentence, span) for span in local], repaired


def parse_sentences(
    text: str, shown: str, gold: Sequence[Document], lenient: bool = False, scheme: str = "IOB2"
) -> Predictions:
    """Read the per-sentence JSON Lines format: ``id`` and ``tags`` (and optional ``tokens``, ``text``).

    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日\\n张为。")
    >>> lines = '{"id": "000_e491b11e84c79d89-001", "tokens": ["张为", "。"], "tags": ["B-PER", "O"]}'
    >>> parse_sentences(lines, "p", [doc])
    Traceback (most recent call last):
    ...
    zhnerbench.eval.exceptions.PredictionFormatError: p: no line for sentence 000_e491b11e84c79d89-000 (every gold sentence needs one, all-O if it has no entity)
    """
    labels = known_labels()
    expected = {sentence_id(d.id, s.index): (d, s) for d, s in _all_sentences(gold)}
    spans: dict[str, list[Span]] = {document.id: [] for document in gold}
    seen_lines: dict[str, int] = {}
    readings: list[str] = []
    for number, value in _jsonl_objects(text, shown):
        identifier = value.get("id")
        if not isinstance(identifier, str):
            raise PredictionFormatError(shown, number, f"'id' must be a sentence id such as {next(iter(expected))!r}, found {_describe(identifier)}")
        if identifier not in expected:
            raise PredictionFormatError(
                shown, number, f"unknown sentence id {identifier!r} (ids look like {next(iter(expected))!r})"
            )
        if identifier in seen_lines:
            raise PredictionFormatError(
                shown, number, f"duplicate sentence id {identifier!r} (already on line {seen_lines[identifier]})"
            )
        seen_lines[identifier] = number
        document, sentence = expected[identifier]
        try:
            sentence_spans, repaired = _sentence_spans(value, document, sentence, scheme, lenient, labels)
        except ValueError as error:
            raise PredictionFormatError(shown, number, f"sentence {identifier}: {error}") from None
        readings += [f"line {number}: tags[{p}] read as the start of an entity" for p in repaired]
        spans[document.id].extend(sentence_spans)
    missing = [identifier for identifier in expected if identifier not in seen_lines]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise PredictionFormatError(
            shown, None, f"no line for sentence {missing[0]}{more} (every gold sentence needs one, all-O if it has no entity)"
        )
    return Predictions(shown, "sentences", {k: tuple(sorted(v)) for k, v in spans.items()}, None, tuple(readings))
