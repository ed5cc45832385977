"""The Hugging Face dataset: typed features per config and the rows of each config.

The README's YAML front matter is generated from ``FEATURES`` (see
``zhnerbench.board.card``), so the declared features and the data files cannot drift.
"""

from __future__ import annotations

import json
from typing import Any

from datasets import ClassLabel, Features, List, Value

from zhnerbench.document import Document, Mention, Sentence
from zhnerbench.offsets import sentence_at
from zhnerbench.schema import ENTITY_LABELS, LINE_ROLES, RELATION_TYPES, iob2_tag_names
from zhnerbench.tag_schemes import document_tags, sentence_id

CONFIGS: tuple[str, ...] = ("ner", "nested", "documents", "relations")
DEFAULT_CONFIG = "ner"
SPLIT = "test"
#: The split of the counterfactual copies of the article (:mod:`zhnerbench.gold.counterfactual`),
#: in every config.
COUNTERFACTUAL_SPLIT = "counterfactual"
SPLITS: tuple[str, ...] = (SPLIT, COUNTERFACTUAL_SPLIT)
NER_TAGS = iob2_tag_names(ENTITY_LABELS)
LAYERS: tuple[str, ...] = ("flat", "inner")

_STRING, _INT = Value("string"), Value("int32")
_LABEL = ClassLabel(names=list(ENTITY_LABELS))
_RELATION = ClassLabel(names=list(RELATION_TYPES))
_MENTION = {"id": _STRING, "start": _INT, "end": _INT, "text": _STRING, "label": _LABEL, "entity": _STRING}

#: The fields of a row that is one sentence (``ner``, ``nested``).
_SENTENCE = {"id": _STRING, "doc_id": _STRING, "sentence": _INT, "start": _INT, "tokens": List(_STRING)}

FEATURES: dict[str, Features] = {
    "ner": Features({**_SENTENCE, "ner_tags": List(ClassLabel(names=list(NER_TAGS)))}),
    "nested": Features(
        {**_SENTENCE, "spans": List({**_MENTION, "layer": ClassLabel(names=list(LAYERS)), "parent": _STRING})}
    ),
    "documents": Features(
        {
            "id": _STRING,
            "title": _STRING,
            "date": Value("date32"),
            "text": _STRING,
            "lines": List({"start": _INT, "end": _INT, "role": ClassLabel(names=list(LINE_ROLES))}),
            "sentences": List({"start": _INT, "end": _INT, "line": _INT}),
            "mentions": List(dict(_MENTION)),
            "inner_mentions": List({**_MENTION, "parent": _STRING}),
            "entities": List({"id": _STRING, "label": _LABEL, "name": _STRING, "mentions": List(_STRING)}),
            "relations": List(
                {"id": _STRING, "head": _STRING, "relation": _RELATION, "tail": _STRING, "evidence": List(_INT)}
            ),
        }
    ),
    "relations": Features(
        {
            "id": _STRING,
            "doc_id": _STRING,
            "relation": _RELATION,
            "head": _STRING,
            "head_name": _STRING,
            "head_label": _LABEL,
            "tail": _STRING,
            "tail_name": _STRING,
            "tail_label": _LABEL,
            "evidence": List(_INT),
            "evidence_text": List(_STRING),
        }
    ),
}


def _sentence_row(document: Document, sentence: Sentence) -> dict[str, Any]:
    return {
        "id": sentence_id(document.id, sentence.index),
        "doc_id": document.id,
        "sentence": sentence.index,
        "start": sentence.start,
        "tokens": list(document.text[sentence.start:sentence.end]),
    }


def _mention_row(mention: Mention, offset: int = 0) -> dict[str, Any]:
    return {"id": mention.id, "start": mention.start - offset, "end": mention.end - offset, "text": mention.text,
            "label": mention.label, "entity": mention.entity}


def ner_rows(document: Document) -> list[dict[str, Any]]:
    """The ``ner`` config: one row per sentence, the flat layer as IOB2 tags over characters."""
    tags = document_tags(document, document.spans)
    return [{**_sentence_row(document, s), "ner_tags": sentence_tags}
            for s, sentence_tags in zip(document.sentences, tags, strict=True)]


def nested_rows(document: Document) -> list[dict[str, Any]]:
    """The ``nested`` config: one row per sentence with every span of both layers, in
    sentence-local character offsets (end-exclusive), outer spans before inner ones."""
    starts = [sentence.start for sentence in document.sentences]
    mentions: list[list[Mention]] = [[] for _ in document.sentences]
    for mention in document.all_mentions:  # no gold mention crosses a sentence boundary (validated)
        mentions[sentence_at(starts, mention.start)].append(mention)
    return [
        {
            **_sentence_row(document, s),
            "spans": [{**_mention_row(m, s.start), "layer": "inner" if m.is_inner else "flat", "parent": m.parent}
                      for m in group],
        }
        for s, group in zip(document.sentences, mentions, strict=True)
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
            "mentions": [_mention_row(m) for m in document.mentions],
            "inner_mentions": [{**_mention_row(m), "parent": m.parent} for m in document.inner_mentions],
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


ROW_BUILDERS = {"ner": ner_rows, "nested": nested_rows, "documents": document_rows, "relations": relation_rows}


def config_rows(config: str, *documents: Document) -> list[dict[str, Any]]:
    """The rows of ``config`` for ``documents``, one document after the other."""
    return [row for document in documents for row in ROW_BUILDERS[config](document)]


def render_jsonl(rows: list[dict[str, Any]]) -> str:
    """One JSON object per line, UTF-8 characters kept readable (not ``\\u`` escaped).

    >>> render_jsonl([{"text": "上海"}])
    '{"text": "上海"}\\n'
    """
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
