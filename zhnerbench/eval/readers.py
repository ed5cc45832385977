"""Reading prediction files, in three formats, into document-offset spans and relations.

``documents`` (JSON Lines, one gold document per line)::

    {"id": "000_e491b11e84c79d89",
     "mentions": [{"start": 13, "end": 24, "label": "EVENT", "text": "上海市产业技术创新大会"}],
     "relations": [{"head": {"start": 141, "end": 143}, "relation": "has_title",
                    "tail": {"start": 138, "end": 141}, "evidence": [2]}]}

  Offsets are document offsets (0-based, end-exclusive). ``text`` (mentions and
  arguments) and ``evidence`` are optional; ``relations`` may be left out, and
  relations are scored only when some line has the key. Every gold document
  needs a line, once. Mentions may nest or overlap (a nested-NER system's
  output) when one lies inside the other: which views can score them is decided
  by the views' conventions (:attr:`Predictions.overlaps`). Two mentions that
  cross (each holds a character the other lacks) are an error: no view can score
  them. A mention may cross a sentence boundary; it is scored, and can only be wrong.

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
  given; ``text`` is optional. Ids are :func:`zhnerbench.schemes.sentence_id`.

Tags are IOB2 unless another scheme is asked for. Every problem is one
:class:`PredictionFormatError` naming the file and the line (or the document
or sentence): the first problem found. An invalid tag sequence is an error
unless ``lenient`` is set, in which case it is read as conlleval reads IOB2 and
each place is listed in ``Predictions.lenient_readings``.

Inputs are regular files or ``-`` (standard input), at most
:data:`~zhnerbench.inputs.MAX_INPUT_BYTES`; lines are parsed in linear time, and
messages quote at most a short excerpt of an offending line.

>>> from zhnerbench.gold.article import document_from_text
>>> doc = document_from_text("标题 2022年07月22日\\n张为。")
>>> conll = "\\n".join(f"{c}\\tO" for c in doc.sentence_text(0)) + "\\n\\n张\\tB-PERSON\\n为\\tI-PERSON\\n。\\tO\\n"
>>> parse_conll(conll, "p.conll", [doc]).spans
{'000_e491b11e84c79d89': (Span(start=15, end=17, label='PERSON'),)}
>>> parse_sentences('{"id": "000_e491b11e84c79d89-001", "tokens": ["张为", "。"], "tags": ["B-PER", "O"]}', "p", [doc])
Traceback (most recent call last):
...
zhnerbench.errors.PredictionFormatError: p: no line for sentence 000_e491b11e84c79d89-000 (every gold sentence needs one, all-O if it has no entity)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zhnerbench.errors import ConversionError, PredictionFormatError, excerpt
from zhnerbench.gold.codec import LineProblem, decode_text, file_lines, json_objects
from zhnerbench.inputs import InputError, read_input_bytes, shown_path
from zhnerbench.model import PREDICTION_FORMATS, Argument, Document, PredictedRelation, PredictionFormat, Sentence, Span
from zhnerbench.offsets import to_document_offsets, token_offsets, token_spans_to_char_spans
from zhnerbench.schema import RELATION_TYPES
from zhnerbench.schemes import SCHEMES, Scheme, decode_lenient, scheme_named, sentence_id, split_tag, tags_to_spans
from zhnerbench.views import crossing_pair, overlapping_pair, prediction_labels

FORMATS: tuple[PredictionFormat, ...] = PREDICTION_FORMATS


class _Invalid(Exception):
    """A problem inside one line of a file; the parser that knows the line turns it into a
    :class:`PredictionFormatError`. Private, so that no other error is mistaken for bad input."""


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


def decode_prediction_file(data: bytes, shown_as: str) -> str:
    """The text of a prediction file (:func:`zhnerbench.gold.codec.decode_text`), its problems
    as this module's error.

    >>> decode_prediction_file(b"\\xef\\xbb\\xbf{}", "p.jsonl")
    Traceback (most recent call last):
    ...
    zhnerbench.errors.PredictionFormatError: p.jsonl:1: starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM
    """
    try:
        return decode_text(data)
    except LineProblem as problem:
        raise PredictionFormatError(shown_as, problem.line, problem.message) from None


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


def detect_format(text: str) -> PredictionFormat:
    """``documents``, ``sentences``, ``conll`` or ``docred`` (a JSON list), from the first non-blank line.

    >>> detect_format('{"id": "d", "mentions": []}\\n'), detect_format('{"id": "d-000", "tags": ["O"]}')
    ('documents', 'sentences')
    >>> detect_format("上\\tB-GPE\\n海\\tI-GPE\\n"), detect_format("[\\tO\\n"), detect_format('[{"h_idx": 0}]')
    ('conll', 'conll', 'docred')
    """
    first = next((line for line in file_lines(text) if line.strip()), "")
    row = split_conll_line(first)
    if first.lstrip().startswith("[") and not (row is not None and len(row[0]) == 1):
        return "docred"
    if not first.lstrip().startswith(("{", "[")):
        return "conll"
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):
        # A CoNLL file may well start with the character "{".
        row = split_conll_line(first)
        return "conll" if row is not None and len(row[0]) == 1 else "documents"
    if isinstance(value, dict) and ("tags" in value or "tokens" in value):
        return "sentences"
    return "documents"


def read_predictions(
    path: str | os.PathLike[str],
    gold: Sequence[Document],
    format: PredictionFormat | None = None,
    lenient: bool = False,
    scheme: str = "IOB2",
    shown_as: str | None = None,
    labels: frozenset[str] | None = None,
    optional: Sequence[Document] | None = None,
) -> Predictions:
    """Read and check a prediction file (a path, or ``-`` for standard input) against the gold
    documents; the format is detected when ``None``.

    ``optional`` are documents a file of the ``documents`` format may also cover, or not;
    ``None``: the counterfactual copies of the article, when ``gold`` is the article (see
    :func:`article_copies_named`). The other formats cover ``gold`` only.

    ``shown_as`` is how errors name the file (default: the path as given);
    ``labels`` are the labels a prediction may use (default: those of the gold's default
    views; pass :func:`~zhnerbench.views.prediction_labels` of the gold and your views).

    >>> import tempfile
    >>> from zhnerbench.gold.article import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日\\n张为出席。")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = f"{folder}/pred.jsonl"
    ...     _ = open(path, "w").write('{"id": "000_e491b11e84c79d89", "mentions": [{"start": 15, "end": 17, "label": "PERSON"}]}')
    ...     read_predictions(path, [doc]).spans
    {'000_e491b11e84c79d89': (Span(start=15, end=17, label='PERSON'),)}
    """
    shown = shown_as if shown_as is not None else shown_path(path)
    if format is not None and format not in FORMATS:
        raise PredictionFormatError(shown, None, f"unknown format {format!r} (formats: {', '.join(FORMATS)})")
    try:
        chosen_scheme = scheme_named(scheme)
    except ConversionError as error:
        raise PredictionFormatError(shown, None, str(error)) from None
    try:
        data = read_input_bytes(path)
    except InputError as error:
        raise PredictionFormatError(shown, None, str(error).removeprefix(f"{os.fspath(path)}: ")) from None
    text = decode_prediction_file(data, shown)
    allowed = labels if labels is not None else prediction_labels(gold)
    chosen = format or detect_format(text)
    if chosen == "documents":
        return parse_documents(text, shown, gold, allowed, optional)
    return PARSERS[chosen](text, shown, gold, lenient, chosen_scheme, allowed)


# --- shared checks -----------------------------------------------------------------------------


def _check_tag(tag: str, scheme: Scheme, labels: frozenset[str]) -> str | None:
    """The problem with one tag, or ``None``."""
    try:
        _, label = split_tag(tag, scheme)
    except ConversionError as error:
        return error.reason
    if label is not None and label not in labels:
        return f"unknown label {excerpt(label, 30)} in tag {excerpt(tag, 40)} (known labels: {' '.join(sorted(labels))})"
    return None


def _decode(tags: Sequence[str], scheme: Scheme, lenient: bool) -> tuple[list[Span], list[int]]:
    """Sequence-local spans of checked tags, and the positions read leniently."""
    if lenient:
        return decode_lenient(tags, scheme)
    return tags_to_spans(tags, scheme), []


def _tags_to_document_spans(
    tags: Sequence[str], sentence: Sentence, scheme: Scheme, lenient: bool
) -> tuple[list[Span], list[int]]:
    """Document spans of one sentence's character tags, and the positions read leniently."""
    local, repaired = _decode(tags, scheme, lenient)
    return [to_document_offsets(sentence, span) for span in local], repaired


def _lenient_hint() -> str:
    # Tags were checked one by one before decoding, so the only decoding error left
    # is an entity that the scheme does not allow to start or end there.
    return "; use --lenient to read it as conlleval reads IOB2"


def _all_sentences(gold: Sequence[Document]) -> list[tuple[Document, Sentence]]:
    return [(document, sentence) for document in gold for sentence in document.sentences]


def _jsonl_objects(text: str, shown: str) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        yield from json_objects(text)
    except LineProblem as problem:
        raise PredictionFormatError(shown, problem.line, problem.message) from None


def _records(
    text: str, shown: str, known: Collection[str], kind: str, id_form: str, known_hint: str, missing_hint: str,
    required: Collection[str] | None = None,
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """The JSON lines of a file keyed by ``id``: each id known, once; every ``required`` id
    (default: every known one) present at the end."""
    seen: dict[str, int] = {}
    for number, value in _jsonl_objects(text, shown):
        identifier = value.get("id")
        if not isinstance(identifier, str):
            raise PredictionFormatError(shown, number, f"'id' must be {id_form}, found {_describe(identifier)}")
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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _describe(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + "..."


# --- format (a): documents ---------------------------------------------------------------------


def _offsets(item: object, where: str, document: Document) -> tuple[int, int]:
    """Checked ``(start, end)`` of a JSON object with document offsets."""
    if not isinstance(item, dict):
        raise _Invalid(f"{where} must be an object with start and end, found {_describe(item)}")
    for key in ("start", "end"):
        if key not in item:
            raise _Invalid(f"{where} has no {key!r}")
        if not _is_int(item[key]):
            raise _Invalid(f"{where}: {key!r} must be an integer, found {_describe(item[key])}")
    start, end = item["start"], item["end"]
    if start > end:
        raise _Invalid(f"{where}: reversed offsets, start {start} > end {end} (offsets are [start, end))")
    if start == end:
        raise _Invalid(f"{where}: empty span [{start},{end})")
    if start < 0 or end > len(document.text):
        raise _Invalid(
            f"{where}: offsets [{start},{end}) out of range (document {document.id} has {len(document.text)} characters)"
        )
    if "text" in item:
        actual = document.text[start:end]
        if item["text"] != actual:
            raise _Invalid(f"{where}: text {_describe(item['text'])} does not match the document's "
                           f"[{start},{end}) {excerpt(actual, 40)}")
    return start, end


def _pair_message(pair: tuple[Span, Span], index: Mapping[Span, int]) -> str:
    """The two spans, in file order, and how the second relates to the first."""
    first, second = sorted(pair, key=lambda span: index[span])
    how = "lies inside" if first.start <= second.start and second.end <= first.end else \
        "contains" if second.start <= first.start and first.end <= second.end else "crosses"
    return (f"mentions[{index[second]}] [{second.start},{second.end}) {second.label} {how} "
            f"mentions[{index[first]}] [{first.start},{first.end}) {first.label}")


def _document_mentions(
    value: dict[str, Any], document: Document, labels: frozenset[str], line: int
) -> tuple[tuple[Span, ...], Overlap | None]:
    """The document's spans, and the first pair of nested ones; crossing spans are an error."""
    mentions = value.get("mentions")
    if not isinstance(mentions, list):
        raise _Invalid(f"'mentions' must be a list, found {_describe(mentions)}")
    index: dict[Span, int] = {}
    for position, item in enumerate(mentions):
        where = f"mentions[{position}]"
        start, end = _offsets(item, where, document)
        label = item.get("label")
        if not isinstance(label, str):
            raise _Invalid(f"{where}: 'label' must be a string, found {_describe(label)}")
        if label not in labels:
            raise _Invalid(f"{where}: unknown label {excerpt(label, 30)} (known labels: {' '.join(sorted(labels))})")
        span = Span(start, end, label)
        if span in index:
            raise _Invalid(f"{where} [{start},{end}) {label} repeats mentions[{index[span]}]")
        index[span] = position
    spans = tuple(sorted(index))
    crossing = crossing_pair(spans)
    if crossing is not None:
        raise _Invalid(f"{_pair_message(crossing, index)}: crossing spans cannot be scored in any view "
                       "(spans that nest can, in outermost and nested views)")
    overlapping = overlapping_pair(spans)
    return spans, (Overlap(line, _pair_message(overlapping, index)) if overlapping is not None else None)


def _document_relations(value: dict[str, Any], document: Document) -> tuple[PredictedRelation, ...]:
    relations = value.get("relations", [])
    if not isinstance(relations, list):
        raise _Invalid(f"'relations' must be a list, found {_describe(relations)}")
    result = []
    for index, item in enumerate(relations):
        where = f"relations[{index}]"
        if not isinstance(item, dict):
            raise _Invalid(f"{where} must be an object with head, relation and tail, found {_describe(item)}")
        relation = item.get("relation")
        if relation not in RELATION_TYPES:
            raise _Invalid(f"{where}: unknown relation {_describe(relation)} (known: {' '.join(RELATION_TYPES)})")
        head = Argument(*_offsets(item.get("head"), f"{where}.head", document))
        tail = Argument(*_offsets(item.get("tail"), f"{where}.tail", document))
        evidence = item.get("evidence")
        if evidence is not None:
            count = len(document.sentences)
            if not isinstance(evidence, list) or not all(_is_int(e) and 0 <= e < count for e in evidence):
                raise _Invalid(f"{where}: 'evidence' must be a list of sentence indices 0..{count - 1}, "
                               f"found {_describe(evidence)}")
            evidence = tuple(sorted(set(evidence)))
        result.append(PredictedRelation(head, relation, tail, evidence))
    return tuple(result)


def article_copies_named(text: str, gold: Sequence[Document]) -> tuple[Document, ...]:
    """The counterfactual copies of the article when ``gold`` holds the article and ``text``
    names one of them (an installed package's or a checkout's copies); otherwise none."""
    from zhnerbench.gold.article import DOCUMENT_ID
    from zhnerbench.gold.counterfactual import VARIANT_SUFFIX, article_copies
    from zhnerbench.paths import gold_root

    if not any(document.id == DOCUMENT_ID for document in gold) or f'"{DOCUMENT_ID}{VARIANT_SUFFIX}' not in text:
        return ()
    return article_copies(gold_root())


#: What a file with no line for some gold documents is told: perhaps it is one shard of several.
SHARD_HINT = ("every gold document needs one; the file of one `tag --shard I/N` holds only its shard: "
              "concatenate the N files, in shard order")


def parse_documents(text: str, shown: str, gold: Sequence[Document], labels: frozenset[str] | None = None,
                    optional: Sequence[Document] | None = None) -> Predictions:
    """Read the per-document JSON Lines format (see the module doc); ``shown`` names the file in
    errors. Every ``gold`` document needs a line; an ``optional`` one may have one (``None``:
    the article's counterfactual copies, when ``gold`` is the article).

    >>> from zhnerbench.gold.article import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日\\n张为出席。")
    >>> parse_documents('{"id": "000_e491b11e84c79d89", "mentions": [{"start": 17, "end": 15, "label": "PERSON"}]}', "p", [doc])
    Traceback (most recent call last):
    ...
    zhnerbench.errors.PredictionFormatError: p:1: document 000_e491b11e84c79d89: mentions[0]: reversed offsets, start 17 > end 15 (offsets are [start, end))
    """
    if optional is None:
        optional = article_copies_named(text, gold)
    documents = {document.id: document for document in (*gold, *optional)}
    allowed = labels if labels is not None else prediction_labels(gold)
    spans: dict[str, tuple[Span, ...]] = {}
    relations: dict[str, tuple[PredictedRelation, ...]] = {}
    overlaps: dict[str, Overlap] = {}
    has_relations = False
    gold_ids = f"gold documents: {', '.join(list(documents)[:5])}{', …' if len(documents) > 5 else ''}"
    for number, identifier, value in _records(text, shown, documents, "document", "the document id (a string)",
                                              gold_ids, SHARD_HINT, [d.id for d in gold]):
        if "mentions" not in value:
            raise PredictionFormatError(shown, number, f"document {identifier}: no 'mentions' (give [] for none)")
        if "text" in value and value["text"] != documents[identifier].text:
            raise PredictionFormatError(shown, number, f"document {identifier}: 'text' {excerpt(str(value['text']), 40)} "
                                        "is not the gold document's text (leave 'text' out, or give it verbatim)")
        has_relations = has_relations or "relations" in value
        try:
            spans[identifier], overlap = _document_mentions(value, documents[identifier], allowed, number)
            relations[identifier] = _document_relations(value, documents[identifier])
        except _Invalid as error:
            raise PredictionFormatError(shown, number, f"document {identifier}: {error}") from None
        if overlap is not None:
            overlaps[identifier] = overlap
    return Predictions(shown, "documents", spans, relations if has_relations else None, (), overlaps)


# --- format (d): DocRED relations ---------------------------------------------------------------


def parse_docred(text: str, shown: str, gold: Sequence[Document]) -> Predictions:
    """Read a DocRED submission (:mod:`zhnerbench.formats.docred`): relations only, no mentions."""
    from zhnerbench.formats.docred import DocredProblem, docred_predictions

    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise PredictionFormatError(shown, None, f"invalid JSON: {excerpt(str(error))}") from None
    try:
        relations = docred_predictions(value, gold)
    except DocredProblem as problem:
        where = "" if problem.index is None else f"prediction {problem.index}: "
        raise PredictionFormatError(shown, None, where + problem.message) from None
    return Predictions(shown, "docred", {document.id: () for document in gold}, relations)


# --- format (b): CoNLL ---------------------------------------------------------------------------


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
    """Read the CoNLL format: one character and tag per line, blank line between sentences, gold order."""
    allowed = labels if labels is not None else prediction_labels(gold)
    # An empty line of the article is an empty sentence, which a blank-line-separated file cannot show.
    expected = [(d, s) for d, s in _all_sentences(gold) if s.end > s.start]
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
            problem = _check_tag(tag, scheme, allowed)
            if problem:
                raise PredictionFormatError(shown, number, f"sentence {identifier}, position {position}: {problem}")
        tags = [tag for _, _, tag in rows]
        try:
            document_spans, repaired = _tags_to_document_spans(tags, sentence, scheme, lenient)
        except ConversionError as error:
            line = rows[min(error.position or 0, len(rows) - 1)][0]
            raise PredictionFormatError(shown, line, f"sentence {identifier}, {error}{_lenient_hint()}") from None
        readings += [_reading(f"line {rows[min(p, len(rows) - 1)][0]}", tags, p) for p in repaired]
        spans[document.id].extend(document_spans)
    if found < len(expected):
        document, sentence = expected[found]
        raise PredictionFormatError(
            shown, None,
            f"has {found} sentences but the gold has {len(expected)}: "
            f"sentence {sentence_id(document.id, sentence.index)} and later are missing",
        )
    return Predictions(shown, "conll", {k: tuple(v) for k, v in spans.items()}, None, tuple(readings))


# --- format (c): sentences -----------------------------------------------------------------------


def _sentence_spans(
    value: dict[str, Any], document: Document, sentence: Sentence, scheme: Scheme, lenient: bool, labels: frozenset[str]
) -> tuple[list[Span], list[int]]:
    """Spans of one sentence line, and the positions read leniently."""
    sentence_text = document.text[sentence.start:sentence.end]
    tags = value.get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise _Invalid(f"'tags' must be a list of strings, found {_describe(tags)}")
    if "text" in value and value["text"] != sentence_text:
        raise _Invalid(f"'text' {_describe(value['text'])} does not match the gold sentence {excerpt(sentence_text, 40)}")
    for position, tag in enumerate(tags):
        problem = _check_tag(tag, scheme, labels)
        if problem:
            raise _Invalid(f"tags[{position}]: {problem}")
    tokens = value.get("tokens")
    if tokens is None:
        if len(tags) != len(sentence_text):
            raise _Invalid(
                f"{len(tags)} tags for the {len(sentence_text)} characters of the sentence "
                "(one tag per character, spaces included, unless 'tokens' is given)"
            )
        try:
            return _tags_to_document_spans(tags, sentence, scheme, lenient)
        except ConversionError as error:
            raise _Invalid(f"tags: {error}{_lenient_hint()}") from None
    if not isinstance(tokens, list) or not all(isinstance(token, str) for token in tokens):
        raise _Invalid(f"'tokens' must be a list of strings, found {_describe(tokens)}")
    if len(tokens) != len(tags):
        raise _Invalid(f"{len(tags)} tags for {len(tokens)} tokens")
    try:
        offsets = token_offsets(tokens, sentence_text)
    except ConversionError as error:
        raise _Invalid(f"tokens: {error}") from None
    try:
        token_spans, repaired = _decode(tags, scheme, lenient)
    except ConversionError as error:
        raise _Invalid(f"tags: {error}{_lenient_hint()}") from None
    local = token_spans_to_char_spans(token_spans, offsets)
    return [to_document_offsets(sentence, span) for span in local], repaired


def _reading(where: str, tags: Sequence[str], position: int) -> str:
    """How a lenient reading is reported: where, and which tag started an entity (or where one ended)."""
    if position < len(tags) and tags[position][:1] in ("I", "M", "E"):
        return f"{where}: {tags[position]} read as the start of an entity"
    return f"{where}: an entity left open ends here"


def parse_sentences(
    text: str, shown: str, gold: Sequence[Document], lenient: bool = False, scheme: Scheme = SCHEMES["IOB2"],
    labels: frozenset[str] | None = None,
) -> Predictions:
    """Read the per-sentence JSON Lines format: ``id`` and ``tags`` (and optional ``tokens``, ``text``)."""
    allowed = labels if labels is not None else prediction_labels(gold)
    expected = {sentence_id(d.id, s.index): (d, s) for d, s in _all_sentences(gold)}
    example = next(iter(expected), "DOCID-000")
    spans: dict[str, list[Span]] = {document.id: [] for document in gold}
    readings: list[str] = []
    for number, identifier, value in _records(text, shown, expected, "sentence", f"a sentence id such as {example!r}",
                                              f"ids look like {example!r}",
                                              "every gold sentence needs one, all-O if it has no entity"):
        document, sentence = expected[identifier]
        try:
            sentence_spans, repaired = _sentence_spans(value, document, sentence, scheme, lenient, allowed)
        except _Invalid as error:
            raise PredictionFormatError(shown, number, f"sentence {identifier}: {error}") from None
        readings += [_reading(f"line {number}, tags[{p}]", value["tags"], p) for p in repaired]
        spans[document.id].extend(sentence_spans)
    return Predictions(shown, "sentences", {k: tuple(sorted(v)) for k, v in spans.items()}, None, tuple(readings))


#: Each format's parser, called as ``parser(text, shown, gold, lenient, scheme, labels)``.
PARSERS: Mapping[PredictionFormat, Callable[[str, str, Sequence[Document], bool, Scheme, frozenset[str]], Predictions]] = {
    "documents": lambda text, shown, gold, lenient, scheme, labels: parse_documents(text, shown, gold, labels),
    "conll": parse_conll,
    "sentences": parse_sentences,
    "docred": lambda text, shown, gold, lenient, scheme, labels: parse_docred(text, shown, gold),
}
