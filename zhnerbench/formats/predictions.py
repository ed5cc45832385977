"""Writing predictions in the three formats ``zhnerbench evaluate`` reads.

For systems (and baselines) that hold document spans, and for the tests and
the benchmark, which write the gold (and perturbed gold) as prediction files.
The output round-trips through :mod:`zhnerbench.eval.readers`. Only the
``documents`` format can hold nested spans; the tag formats raise
:class:`~zhnerbench.exceptions.SpanError` for overlapping ones.

>>> from zhnerbench.gold.article import document_from_text
>>> doc = document_from_text("标题 2022年07月22日")
>>> documents_jsonl([doc], {doc.id: [Span(3, 8, "DATE")]})
'{"id": "000_e491b11e84c79d89", "mentions": [{"start": 3, "end": 8, "label": "DATE", "text": "2022年"}], "relations": []}\\n'
>>> conll_text([doc], {doc.id: []}).splitlines()[:3]
['标\\tO', '题\\tO', ' \\tO']
>>> sentences_jsonl([doc], {doc.id: [Span(0, 2, "TITLE")]})[:63]
'{"id": "000_e491b11e84c79d89-000", "tags": ["B-TITLE", "I-TITLE'
>>> prediction_text("conll", [doc]).count("\\n")  # 14 characters and a blank line
15
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from zhnerbench.document import PREDICTION_FORMATS, Argument, Document, PredictedRelation, PredictionFormat, Sentence, Span
from zhnerbench.tag_schemes import SCHEMES, Scheme, document_tags, sentence_id

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
    return tuple(
        PredictedRelation(first[r.head], r.relation, first[r.tail], r.evidence) for r in document.relations
    )


def _spans(document: Document, spans: Mapping[str, Iterable[Span]] | None) -> list[Span]:
    return sorted(document.spans if spans is None else spans.get(document.id, ()))


def _sentence_tags(
    documents: Sequence[Document], spans: Mapping[str, Iterable[Span]] | None, scheme: Scheme
) -> Iterator[tuple[Document, Sentence, list[str]]]:
    """Each sentence of each document with its tags in ``scheme``."""
    for document in documents:
        tag_sequences = document_tags(document, _spans(document, spans), scheme)
        for sentence, tags in zip(document.sentences, tag_sequences, strict=True):
            yield document, sentence, tags


def documents_jsonl(
    documents: Sequence[Document],
    spans: Mapping[str, Iterable[Span]] | None = None,
    relations: Mapping[str, Iterable[PredictedRelation]] | None = None,
    with_relations: bool = True,
) -> str:
    """The ``documents`` format; by default the gold mentions and the gold relations."""
    lines = []
    for document in documents:
        record: dict[str, object] = {
            "id": document.id,
            "mentions": [
                {"start": s.start, "end": s.end, "label": s.label, "text": document.text[s.start:s.end]}
                for s in _spans(document, spans)
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


def conll_text(
    documents: Sequence[Document], spans: Mapping[str, Iterable[Span]] | None = None, scheme: Scheme = SCHEMES["IOB2"]
) -> str:
    """The ``conll`` format: ``character<TAB>tag`` lines, a blank line after each sentence."""
    lines = []
    for document, sentence, tags in _sentence_tags(documents, spans, scheme):
        text = document.text[sentence.start:sentence.end]
        if text:  # an empty sentence would merge into the blank line that ends the previous one
            lines += [f"{char}\t{tag}" for char, tag in zip(text, tags, strict=True)]
            lines.append("")
    return "\n".join(lines) + "\n"


def sentences_jsonl(
    documents: Sequence[Document], spans: Mapping[str, Iterable[Span]] | None = None, scheme: Scheme = SCHEMES["IOB2"]
) -> str:
    """The ``sentences`` format: one ``{"id", "tags"}`` object per sentence, one tag per character."""
    lines = [json.dumps({"id": sentence_id(document.id, sentence.index), "tags": tags}, ensure_ascii=False)
             for document, sentence, tags in _sentence_tags(documents, spans, scheme)]
    return "\n".join(lines) + "\n"


def prediction_text(
    format: PredictionFormat,
    documents: Sequence[Document],
    spans: Mapping[str, Iterable[Span]] | None = None,
    relations: Mapping[str, Iterable[PredictedRelation]] | None = None,
) -> str:
    """A prediction file in ``format`` (``documents``, ``conll`` or ``sentences``, or ``docred``
    for relations alone; ``documents`` holds both)."""
    from zhnerbench.formats.docred import docred_prediction_json

    writers: Mapping[PredictionFormat, Callable[[], str]] = {
        "documents": lambda: documents_jsonl(documents, spans, relations),
        "conll": lambda: conll_text(documents, spans),
        "sentences": lambda: sentences_jsonl(documents, spans),
        "docred": lambda: docred_prediction_json(documents, {key: list(value) for key, value in (relations or {}).items()}),
    }
    if format not in writers:
        raise ValueError(f"unknown prediction format {format!r} (formats: {', '.join(PREDICTION_FORMATS)})")
    return writers[format]()
