"""The Hugging Face dataset: typed features per config and the rows of each config.

The README's YAML front matter is generated from ``FEATURES`` (see
``zhnerbench.card``), so the declared features and the data files cannot drift.
"""

from __future__ import annotations

import json
from typing import Any

from datasets import ClassLabel, Features, List, Value

from zhnerbench.eval.tags import document_spans_to_tags, sentence_id
from zhnerbench.model import Document
from zhnerbench.schema import ENTITY_LABELS, LINE_ROLES, RELATION_TYPES, iob2_tag_names

CONFIGS: tuple[str, ...] = ("ner", "documents", "relations")
DEFAULT_CONFIG = "ner"
SPLIT = "test"
NER_TAGS = iob2_tag_names(ENTITY_LABELS)


def data_file(config: str) -> str:
    """Repository-relative path of a config's data file.

    >>> data_file("ner")
    'data/ner/test.jsonl'
    """
    return f"data/{config}/{SPLIT}.jsonl"


FEATURES: dict[str, Features] = {
    "ner": Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "sentence": Value("int32"),
            "start": Value("int32"),
            "tokens": List(Value("string")),
            "ner_tags": List(ClassLabel(names=list(NER_TAGS))),
        }
    ),
    "documents": Features(
        {
            "id": Value("string"),
            "title": Value("string"),
            "date": Value("date32"),
            "text": Value("string"),
            "lines": List({"start": Value("int32"), "end": Value("int32"), "role": ClassLabel(names=list(LINE_ROLES))}),
            "sentences": List({"start": Value("int32"), "end": Value("int32"), "line": Value("int32")}),
            "mentions": List(
                {
                    "id": Value("string"),
                    "start": Value("int32"),
                    "end": Value("int32"),
                    "text": Value("string"),
                    "label": ClassLabel(names=list(ENTITY_LABELS)),
                    "entity": Value("string"),
                }
            ),
            "entities": List(
                {
                    "id": Value("string"),
                    "label": ClassLabel(names=list(ENTITY_LABELS)),
                    "name": Value("string"),
                    "mentions": List(Value("string")),
                }
            ),
            "relations": List(
                {
                    "id": Value("string"),
                    "head": Value("string"),
                    "relation": ClassLabel(names=list(RELATION_TYPES)),
                    "tail": Value("string"),
                    "evidence": List(Value("int32")),
                }
            ),
        }
    ),
    "relations": Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "relation": ClassLabel(names=list(RELATION_TYPES)),
            "head": Value("string"),
            "head_name": Value("string"),
            "head_label": ClassLabel(names=list(ENTITY_LABELS)),
            "tail": Value("string"),
            "tail_name": Value("string"),
            "tail_label": ClassLabel(names=list(ENTITY_LABELS)),
            "evidence": List(Value("int32")),
            "evidence_text": List(Value("string")),
        }
    ),
}


def ner_rows(document: Document) -> list[dict[str, Any]]:
    tags = document_spans_to_tags(document, document.spans, "IOB2")
    return [
        {
            "id": sentence_id(document.id, s.index),
            "doc_id": document.id,
            "sentence": s.index,
            "start": s.start,
            "tokens": list(document.text[s.start:s.end]),
            "ner_tags": sentence_tags,
        }
        for s, sentence_tags in zip(document.sentences, tags)
    ]


def document_rows(document: Document) -> list[dict[str, Any]]:
    return [
        {
            "id": document.id,
            "title": document.title,
            "date": document.date,
            "text": document.text,
            "lines": [{"start": ln.start, "end": ln.end, "role": ln.role} for ln in document.lines],
            "sentences": [{"start": s.start, "end": s.end, "line": s.line} for s in document.sentences],
            "mentions": [
                {"id": m.id, "start": m.start, "end": m.end, "text": m.text, "label": m.label, "entity": m.entity}
                for m in document.mentions
            ],
            "entities": [
                {"id": e.id, "label": e.label, "name": e.name, "mentions": list(e.mentions)} for e in document.entities
            ],
            "relations": [
                {"id": r.id, "head": r.head, "relation": r.relation, "tail": r.tail, "evidence": list(r.evidence)}
                for r in document.relations
            ],
        }
    ]


def relation_rows(document: Document) -> list[dict[str, Any]]:
    entities = {e.id: e for e in document.entities}
    return [
        {
            "id": f"{document.id}-{r.id}",
            "doc_id": document.id,
            "relation": r.relation,
            "head": r.head,
            "head_name": entities[r.head].name,
            "head_label": entities[r.head].label,
            "tail": r.tail,
            "tail_name": entities[r.tail].name,
            "tail_label": entities[r.tail].label,
            "evidence": list(r.evidence),
            "evidence_text": [document.sentence_text(i) for i in r.evidence],
        }
        for r in document.relations
    ]


ROW_BUILDERS = {"ner": ner_rows, "documents": document_rows, "relations": relation_rows}


def config_rows(config: str, document: Document) -> list[dict[str, Any]]:
    return ROW_BUILDERS[config](document)


def render_jsonl(rows: list[dict[str, Any]]) -> str:
    """One JSON object per line, UTF-8 characters kept readable (not ``\\u`` escaped).

    >>> render_jsonl([{"text": "上海"}])
    '{"text": "上海"}\\n'
    """
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
