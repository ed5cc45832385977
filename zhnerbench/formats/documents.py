"""The ``documents`` prediction format: JSON Lines, one line per gold document, document offsets.

::

    {"id": "000_e491b11e84c79d89",
     "mentions": [{"start": 13, "end": 24, "label": "EVENT", "text": "上海市产业技术创新大会"}],
     "relations": [{"head": {"start": 141, "end": 143}, "relation": "has_title",
                    "tail": {"start": 138, "end": 141}, "evidence": [2]}]}

Offsets are document offsets (0-based, end-exclusive). ``text`` (mentions and arguments) and
``evidence`` are optional; ``relations`` may be left out, and relations are scored only when
some line has the key. Every gold document needs a line, once. Mentions may nest or overlap (a
nested-NER system's output) when one lies inside the other: which views can score them is
decided by the views' conventions (:attr:`Predictions.overlaps`). Two mentions that cross (each
holds a character the other lacks) are an error: no view can score them. A mention may cross a
sentence boundary; it is scored, and can only be wrong. The only format that holds nested spans
and relations together, and the one ``zhnerbench tag`` and the leaderboard write.

>>> from zhnerbench.gold.article import document_from_text
>>> doc = document_from_text("标题 2022年07月22日")
>>> documents_jsonl([doc], {doc.id: [Span(3, 8, "DATE")]})
'{"id": "000_e491b11e84c79d89", "mentions": [{"start": 3, "end": 8, "label": "DATE", "text": "2022年"}], "relations": []}\\n'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from zhnerbench.document import Argument, Document, PredictedRelation, Span
from zhnerbench.exceptions import PredictionFormatError, excerpt
from zhnerbench.formats.prediction_files import (
    InvalidLine,
    Overlap,
    PredictionFormat,
    Predictions,
    describe,
    document_spans,
    gold_relations_as_predictions,
    is_int,
    keyed_lines,
)
from zhnerbench.schema import RELATION_TYPES
from zhnerbench.views import crossing_pair, overlapping_pair, prediction_labels

NAME = "documents"


def _offsets(item: object, where: str, document: Document) -> tuple[int, int]:
    """Checked ``(start, end)`` of a JSON object with document offsets."""
    if not isinstance(item, dict):
        raise InvalidLine(f"{where} must be an object with start and end, found {describe(item)}")
    for key in ("start", "end"):
        if key not in item:
            raise InvalidLine(f"{where} has no {key!r}")
        if not is_int(item[key]):
            raise InvalidLine(f"{where}: {key!r} must be an integer, found {describe(item[key])}")
    start, end = item["start"], item["end"]
    if start > end:
        raise InvalidLine(f"{where}: reversed offsets, start {start} > end {end} (offsets are [start, end))")
    if start == end:
        raise InvalidLine(f"{where}: empty span [{start},{end})")
    if start < 0 or end > len(document.text):
        raise InvalidLine(
            f"{where}: offsets [{start},{end}) out of range (document {document.id} has {len(document.text)} characters)"
        )
    if "text" in item:
        actual = document.text[start:end]
        if item["text"] != actual:
            raise InvalidLine(f"{where}: text {describe(item['text'])} does not match the document's "
                              f"[{start},{end}) {excerpt(actual, 40)}")
    return start, end


def _pair_message(pair: tuple[Span, Span], index: Mapping[Span, int]) -> str:
    """The two spans, in file order, and how the second relates to the first."""
    first, second = sorted(pair, key=lambda span: index[span])
    how = "lies inside" if first.start <= second.start and second.end <= first.end else \
        "contains" if second.start <= first.start and first.end <= second.end else "crosses"
    return (f"mentions[{index[second]}] [{second.start},{second.end}) {second.label} {how} "
            f"mentions[{index[first]}] [{first.start},{first.end}) {first.label}")


def _document_mentions(value: Mapping[str, object], document: Document, labels: frozenset[str],
                       line: int) -> tuple[tuple[Span, ...], Overlap | None]:
    """The document's spans, and the first pair of nested ones; crossing spans are an error."""
    mentions = value.get("mentions")
    if not isinstance(mentions, list):
        raise InvalidLine(f"'mentions' must be a list, found {describe(mentions)}")
    index: dict[Span, int] = {}
    for position, item in enumerate(mentions):
        where = f"mentions[{position}]"
        start, end = _offsets(item, where, document)
        label = item.get("label")
        if not isinstance(label, str):
            raise InvalidLine(f"{where}: 'label' must be a string, found {describe(label)}")
        if label not in labels:
            raise InvalidLine(f"{where}: unknown label {excerpt(label, 30)} (known labels: {' '.join(sorted(labels))})")
        span = Span(start, end, label)
        if span in index:
            raise InvalidLine(f"{where} [{start},{end}) {label} repeats mentions[{index[span]}]")
        index[span] = position
    spans = tuple(sorted(index))
    crossing = crossing_pair(spans)
    if crossing is not None:
        raise InvalidLine(f"{_pair_message(crossing, index)}: crossing spans cannot be scored in any view "
                          "(spans that nest can, in outermost and nested views)")
    overlapping = overlapping_pair(spans)
    return spans, (Overlap(line, _pair_message(overlapping, index)) if overlapping is not None else None)


def _document_relations(value: Mapping[str, object], document: Document) -> tuple[PredictedRelation, ...]:
    relations = value.get("relations", [])
    if not isinstance(relations, list):
        raise InvalidLine(f"'relations' must be a list, found {describe(relations)}")
    result = []
    for index, item in enumerate(relations):
        where = f"relations[{index}]"
        if not isinstance(item, dict):
            raise InvalidLine(f"{where} must be an object with head, relation and tail, found {describe(item)}")
        relation = item.get("relation")
        if relation not in RELATION_TYPES:
            raise InvalidLine(f"{where}: unknown relation {describe(relation)} (known: {' '.join(RELATION_TYPES)})")
        head = Argument(*_offsets(item.get("head"), f"{where}.head", document))
        tail = Argument(*_offsets(item.get("tail"), f"{where}.tail", document))
        evidence = item.get("evidence")
        if evidence is not None:
            count = len(document.sentences)
            if not isinstance(evidence, list) or not all(is_int(e) and 0 <= e < count for e in evidence):
                raise InvalidLine(f"{where}: 'evidence' must be a list of sentence indices 0..{count - 1}, "
                                  f"found {describe(evidence)}")
            evidence = tuple(sorted(set(evidence)))
        result.append(PredictedRelation(head, relation, tail, evidence))
    return tuple(result)


#: What a file with no line for some gold documents is told: perhaps it is one shard of several.
SHARD_HINT = ("every gold document needs one; the file of one `tag --shard I/N` holds only its shard: "
              "concatenate the N files, in shard order")


def article_copies_named(text: str, gold: Sequence[Document]) -> tuple[Document, ...]:
    """The counterfactual copies of the article when ``gold`` holds the article and ``text``
    names one of them (an installed package's or a checkout's copies); otherwise none."""
    from zhnerbench.gold.article import DOCUMENT_ID
    from zhnerbench.gold.counterfactual import VARIANT_SUFFIX, article_copies
    from zhnerbench.paths import gold_root

    if not any(document.id == DOCUMENT_ID for document in gold) or f'"{DOCUMENT_ID}{VARIANT_SUFFIX}' not in text:
        return ()
    return article_copies(gold_root())


def parse_documents(text: str, shown: str, gold: Sequence[Document], labels: frozenset[str] | None = None,
                    optional: Sequence[Document] | None = None) -> Predictions:
    """Read the format (see the module doc); ``shown`` names the file in errors. Every ``gold``
    document needs a line; an ``optional`` one may have one (``None``: the article's
    counterfactual copies, when ``gold`` is the article).

    >>> from zhnerbench.gold.article import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日\\n张为出席。")
    >>> parse_documents('{"id": "000_e491b11e84c79d89", "mentions": [{"start": 17, "end": 15, "label": "PERSON"}]}', "p", [doc])
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.PredictionFormatError: p:1: document 000_e491b11e84c79d89: mentions[0]: reversed offsets, start 17 > end 15 (offsets are [start, end))
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
    for number, identifier, value in keyed_lines(text, shown, documents, "document", "the document id (a string)",
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
        except InvalidLine as error:
            raise PredictionFormatError(shown, number, f"document {identifier}: {error}") from None
        if overlap is not None:
            overlaps[identifier] = overlap
    return Predictions(shown, NAME, spans, relations if has_relations else None, (), overlaps)


def documents_jsonl(
    documents: Sequence[Document],
    spans: Mapping[str, Iterable[Span]] | None = None,
    relations: Mapping[str, Iterable[PredictedRelation]] | None = None,
    with_relations: bool = True,
) -> str:
    """The format; by default the gold mentions and the gold relations."""
    lines = []
    for document in documents:
        record: dict[str, object] = {
            "id": document.id,
            "mentions": [
                {"start": s.start, "end": s.end, "label": s.label, "text": document.text[s.start:s.end]}
                for s in document_spans(document, spans)
            ],
        }
        if with_relations:
            predicted = (
                gold_relations_as_predictions(document) if relations is None else tuple(relations.get(document.id, ()))
            )
            record["relations"] = [
                {
                    "head": {"start": r.head.start, "end": r.head.end, "text": document.text[r.head.start:r.head.end]},
                    "relation": r.relation,
                    "tail": {"start": r.tail.start, "end": r.tail.end, "text": document.text[r.tail.start:r.tail.end]},
                    **({"evidence": list(r.evidence)} if r.evidence is not None else {}),
                }
                for r in predicted
            ]
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


FORMAT = PredictionFormat(
    name=NAME, summary="JSON Lines, one line per document with document offsets; nested spans and relations allowed", file_kind="JSONL",
    description=('one line per document: `{"id": "000_e491b11e84c79d89", "mentions": [{"start": 13, "end": 24, '
                 '"label": "EVENT"}], "relations": [{"head": {"start": 141, "end": 143}, "relation": "has_title", '
                 '"tail": {"start": 138, "end": 141}}]}`; document offsets, end-exclusive; `text` and `evidence` '
                 "optional; relations scored only when present; mentions may nest (a nested-NER system's output)"),
    mentions=True, relations=True,
    # Any JSON object that is not a sentence's: the last format asked, it takes what no other claims.
    detect=lambda first: True, detection_order=100,
    read=lambda text, shown, gold, options: parse_documents(text, shown, gold, options.labels, options.optional),
    write=lambda documents, spans, relations: documents_jsonl(documents, spans, relations),
)
