"""Writing predictions in the three formats ``zhnerbench evaluate`` reads.

For systems (and baselines) that hold document spans, and for the tests and
the benchmark, which write the gold (and perturbed gold) as prediction files.
The output round-trips through :mod:`zhnerbench.eval.readers`.
"""

from __future__ import annotations

import json
from typing import Iterable, Mapping, Sequence

from zhnerbench.eval.relations import PredictedRelation, gold_relations_as_predictions
from zhnerbench.eval.tags import document_spans_to_tags, sentence_id
from zhnerbench.model import Document, Span


def _spans(document: Document, spans: Mapping[str, Iterable[Span]] | None) -> list[Span]:
    return sorted(document.spans if spans is None else spans.get(document.id, ()))


def documents_jsonl(
    documents: Sequence[Document],
    spans: Mapping[str, Iterable[Span]] | None = None,
    relations: Mapping[str, Iterable[PredictedRelation]] | None = None,
    with_relations: bool = True,
) -> str:
    """The ``documents`` format; by default the gold mentions and the gold relations.

    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日")
    >>> documents_jsonl([doc], {doc.id: [Span(3, 8, "DATE")]})
    '{"id": "000_e491b11e84c79d89", "mentions": [{"start": 3, "end": 8, "label": "DATE", "text": "2022年"}], "relations": []}\\n'
    """
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
                    "head": {"start": r.head.start, "end": r.head.end, "text": r.head.text},
                    "relation": r.relation,
                    "tail": {"start": r.tail.start, "end": r.tail.end, "text": r.tail.text},
                    **({"evidence": list(r.evidence)} if r.evidence is not None else {}),
                }
                for r in predicted
            ]
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def conll_text(
    documents: Sequence[Document], spans: Mapping[str, Iterable[Span]] | None = None, scheme: str = "IOB2"
) -> str:
    """The ``conll`` format: ``character<TAB>tag`` lines, a blank line after each sentence.

    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日")
    >>> conll_text([doc], {doc.id: []}).splitlines()[:3]
    ['标\\tO', '题\\tO', ' \\tO']
    """
    lines = []
    for document in documents:
        tag_sequences = document_spans_to_tags(document, _spans(document, spans), scheme)
        for sentence, tags in zip(document.sentences, tag_sequences):
            text = document.text[sentence.start:sentence.end]
            if text:  # an empty sentence would merge into the blank line that ends the previous one
                lines += [f"{char}\t{tag}" for char, tag in zip(text, tags)]
                lines.append("")
    return "\n".join(lines) + "\n"


def sentences_jsonl(
    documents: Sequence[Document], spans: Mapping[str, Iterable[Span]] | None = None, scheme: str = "IOB2"
) -> str:
    """The ``sentences`` format: one ``{"id", "tags"}`` object per sentence, one tag per character.

    >>> from zhnerbench.corpus.store import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日")
    >>> sentences_jsonl([doc], {doc.id: [Span(0, 2, "TITLE")]})[:63]
    '{"id": "000_e491b11e84c79d89-000", "tags": ["B-TITLE", "I-TITLE'
    """
    lines = []
    for document in documents:
        tag_sequences = document_spans_to_tags(document, _spans(document, spans), scheme)
        for sentence, tags in zip(document.sentences, tag_sequences):
            lines.append(json.dumps({"id": sentence_id(document.id, sentence.index), "tags": tags}, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def prediction_text(
    format: str,
    documents: Sequence[Document],
    spans: Mapping[str, Iterable[Span]] | None = None,
    relations: Mapping[str, Iterable[PredictedRelation]] | None = None,
) -> str:
    """A prediction file in ``format`` (``documents``, ``conll`` or ``sentences``).

    >>> from zhnerbench.corpus.store import document_from_text
    >>> prediction_text("conll", [document_from_text("甲 2022年07月22日")]).count("\\n")
    14
    """
    if format == "documents":
        return documents_jsonl(documents, spans, relations)
    if format == "conll":
        return conll_text(documents, spans)
    if format == "sentences":
        return sentences_jsonl(documents, spans)
    raise ValueError(f"unknown format {format!r}")
