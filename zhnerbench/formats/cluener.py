"""CLUENER2020-style JSONL: one sentence per line, entities grouped by type and surface.

``{"text": "...", "label": {"TYPE": {"mention": [[start, end_inclusive], ...]}}}``
with sentence-local, end-*inclusive* offsets, as in CLUENER2020's ``train.json``.
Labels and spans are those of a scoring view (:mod:`zhnerbench.views`; the
``nested`` view's spans may overlap, which the format can hold); sentences
without entities have an empty ``label`` object.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from zhnerbench.document import Document, Span
from zhnerbench.offsets import sentence_at


def sentence_record(text: str, spans: Sequence[Span]) -> dict[str, Any]:
    """The CLUENER record of one sentence; ``spans`` are sentence-local.

    >>> sentence_record("张三在北京见张三", [Span(0, 2, "name"), Span(3, 5, "address"), Span(6, 8, "name")])
    {'text': '张三在北京见张三', 'label': {'name': {'张三': [[0, 1], [6, 7]]}, 'address': {'北京': [[3, 4]]}}}
    """
    label: dict[str, dict[str, list[list[int]]]] = {}
    for span in sorted(spans):
        label.setdefault(span.label, {}).setdefault(text[span.start:span.end], []).append([span.start, span.end - 1])
    return {"text": text, "label": label}


def document_to_cluener(document: Document, spans: Sequence[Span]) -> str:
    """JSONL, one CLUENER record per sentence, for document spans that each lie in one sentence."""
    starts = [sentence.start for sentence in document.sentences]
    groups: list[list[Span]] = [[] for _ in document.sentences]
    for span in spans:
        sentence = document.sentences[sentence_at(starts, span.start)]
        groups[sentence.index].append(Span(span.start - sentence.start, span.end - sentence.start, span.label))
    lines = []
    for sentence, local in zip(document.sentences, groups, strict=True):
        record = sentence_record(document.text[sentence.start:sentence.end], local)
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"
