"""DocRED's JSON layout, for document-level relation-extraction models (DocRED, Re-DocRED, DREEAM...).

Export (``zhnerbench export --format docred OUT``): a JSON list with one object per document:

* ``title``: the document's title (``id`` beside it: the gold document's id);
* ``sents``: each sentence as a list of characters (sentence ids are the gold's, so that the
  evidence ids mean the same sentences; an empty sentence is an empty list);
* ``vertexSet``: one list per entity, in the gold's entity order, of its mentions of both
  layers: ``sent_id``, ``pos`` (start and end in the sentence's list, end exclusive),
  ``name``, ``type`` (DocRED's six types, :data:`DOCRED_TYPES`) and ``ontonotes_type`` (the
  schema's label, which the six types lose);
* ``labels``: ``h`` and ``t`` (vertex indices), ``r`` (the schema's relation type), ``evidence``.

Predictions (``zhnerbench evaluate --format docred PRED``): DocRED's submission layout, a JSON
list of ``{"title", "h_idx", "t_idx", "r", "evidence"}`` whose indices refer to the exported
``vertexSet`` (``evidence`` may be left out). Each predicted vertex stands for its entity's
first mention, so the strict and text modes both match it to the entity. It holds relations
only: a file in it is scored for relations, in no view.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from zhnerbench.document import Argument, Document, Mention, PredictedRelation
from zhnerbench.exceptions import PredictionFormatError, excerpt
from zhnerbench.formats.prediction_files import PredictionFormat, Predictions, ReadOptions
from zhnerbench.offsets import sentence_at
from zhnerbench.schema import RELATION_TYPES

#: The schema's 19 labels as DocRED's six entity types.
DOCRED_TYPES: Mapping[str, str] = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "DATE": "TIME", "TIME": "TIME",
    "CARDINAL": "NUM", "ORDINAL": "NUM", "QUANTITY": "NUM", "PERCENT": "NUM", "MONEY": "NUM",
    "NORP": "MISC", "PRODUCT": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
    "TITLE": "MISC",
}


def _vertex(mention: Mention, document: Document, starts: Sequence[int]) -> dict[str, Any]:
    sentence = document.sentences[sentence_at(starts, mention.start)]
    return {"sent_id": sentence.index, "pos": [mention.start - sentence.start, mention.end - sentence.start],
            "name": mention.text, "type": DOCRED_TYPES.get(mention.label, "MISC"), "ontonotes_type": mention.label}


def document_to_docred(document: Document) -> dict[str, Any]:
    """One document in DocRED's layout (see the module doc).

    >>> from zhnerbench.gold.article import example_document
    >>> row = document_to_docred(example_document())
    >>> row["vertexSet"], row["sents"][1]
    ([[{'sent_id': 1, 'pos': [0, 2], 'name': '张为', 'type': 'PER', 'ontonotes_type': 'PERSON'}]], ['张', '为', '出', '席', '。'])
    """
    starts = [sentence.start for sentence in document.sentences]
    by_id = {mention.id: mention for mention in document.mentions + document.inner_mentions}
    vertex = {entity.id: index for index, entity in enumerate(document.entities)}
    return {
        "title": document.title,
        "id": document.id,
        "sents": [list(document.text[s.start:s.end]) for s in document.sentences],
        "vertexSet": [[_vertex(by_id[m], document, starts) for m in sorted(entity.mentions, key=lambda m: by_id[m].start)]
                      for entity in document.entities],
        "labels": [{"h": vertex[r.head], "t": vertex[r.tail], "r": r.relation, "evidence": list(r.evidence)}
                   for r in document.relations],
    }


def docred_json(documents: Sequence[Document]) -> str:
    """The DocRED file of ``documents``: a JSON list, one object per document."""
    return json.dumps([document_to_docred(document) for document in documents], ensure_ascii=False, indent=1) + "\n"


class DocredProblem(ValueError):
    """A problem with one prediction of a DocRED file (``index`` is its place in the list)."""

    def __init__(self, index: int | None, message: str) -> None:
        super().__init__(message)
        self.index, self.message = index, message


def _first_arguments(document: Document) -> list[Argument]:
    """Each entity's first mention, in vertex order: what a vertex stands for."""
    from zhnerbench.formats.prediction_files import first_mentions

    first = first_mentions(document)
    return [first[entity.id] for entity in document.entities]


def docred_predictions(value: object, gold: Sequence[Document]) -> dict[str, tuple[PredictedRelation, ...]]:
    """The relations of a parsed DocRED submission, per gold document id.

    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> docred_predictions([{"title": doc.title, "h_idx": 0, "t_idx": 0, "r": "has_title", "evidence": [1]}], [doc])
    {'000_e491b11e84c79d89': (PredictedRelation(head=Argument(start=15, end=17), relation='has_title', tail=Argument(start=15, end=17), evidence=(1,)),)}
    >>> docred_predictions([{"title": "other", "h_idx": 0, "t_idx": 0, "r": "has_title"}], [doc])
    Traceback (most recent call last):
    ...
    zhnerbench.formats.docred.DocredProblem: unknown title 'other' (gold titles: '标题')
    """
    if not isinstance(value, list):
        raise DocredProblem(None, "a DocRED prediction file is one JSON list of {title, h_idx, t_idx, r, evidence}")
    by_title: dict[str, Document] = {}
    for document in gold:
        if document.title in by_title:
            raise DocredProblem(None, f"two gold documents share the title {document.title!r}: DocRED's titles "
                                      "cannot tell them apart")
        by_title[document.title] = document
    arguments = {document.id: _first_arguments(document) for document in gold}
    relations: dict[str, list[PredictedRelation]] = {document.id: [] for document in gold}
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise DocredProblem(index, "expected an object with title, h_idx, t_idx and r")
        title = item.get("title")
        if not isinstance(title, str) or title not in by_title:
            shown = ", ".join(repr(t) for t in list(by_title)[:3])
            raise DocredProblem(index, f"unknown title {excerpt(str(title), 40)} (gold titles: {shown})")
        document = by_title[title]
        vertices = arguments[document.id]
        head, tail = item.get("h_idx"), item.get("t_idx")
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(vertices) for v in (head, tail)):
            raise DocredProblem(index, f"h_idx and t_idx must be vertex indices 0..{len(vertices) - 1}, found "
                                       f"{excerpt(str([head, tail]), 40)}")
        assert isinstance(head, int) and isinstance(tail, int)  # checked just above
        relation = item.get("r")
        if relation not in RELATION_TYPES:
            raise DocredProblem(index, f"unknown relation {excerpt(str(relation), 40)} (known: {' '.join(RELATION_TYPES)})")
        evidence = item.get("evidence")
        if evidence is not None:
            count = len(document.sentences)
            if not isinstance(evidence, list) or not all(
                    isinstance(e, int) and not isinstance(e, bool) and 0 <= e < count for e in evidence):
                raise DocredProblem(index, f"'evidence' must be a list of sentence ids 0..{count - 1}")
            evidence = tuple(sorted(set(evidence)))
        relations[document.id].append(PredictedRelation(vertices[head], relation, vertices[tail], evidence))
    return {key: tuple(found) for key, found in relations.items()}


def docred_prediction_json(documents: Sequence[Document], relations: Mapping[str, Sequence[PredictedRelation]]) -> str:
    """Relations as a DocRED submission: each argument must be a mention of a gold entity.

    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> docred_prediction_json([doc], {doc.id: [PredictedRelation(Argument(15, 17), "has_title", Argument(15, 17), (1,))]})
    '[{"title": "标题", "h_idx": 0, "t_idx": 0, "r": "has_title", "evidence": [1]}]\\n'
    """
    rows = []
    for document in documents:
        vertex = {entity.id: index for index, entity in enumerate(document.entities)}
        by_span = {(m.start, m.end): vertex[m.entity] for m in document.mentions + document.inner_mentions}
        for relation in relations.get(document.id, ()):
            row: dict[str, Any] = {"title": document.title, "h_idx": by_span[(relation.head.start, relation.head.end)],
                                   "t_idx": by_span[(relation.tail.start, relation.tail.end)], "r": relation.relation}
            if relation.evidence is not None:
                row["evidence"] = list(relation.evidence)
            rows.append(row)
    return json.dumps(rows, ensure_ascii=False) + "\n"


NAME = "docred"


def parse_docred(text: str, shown: str, gold: Sequence[Document]) -> Predictions:
    """Read a DocRED submission (see the module doc): relations only, no mentions."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise PredictionFormatError(shown, None, f"invalid JSON: {excerpt(str(error))}") from None
    try:
        relations = docred_predictions(value, gold)
    except DocredProblem as problem:
        where = "" if problem.index is None else f"prediction {problem.index}: "
        raise PredictionFormatError(shown, None, where + problem.message) from None
    return Predictions(shown, NAME, {document.id: () for document in gold}, relations)


def _read(text: str, shown: str, gold: Sequence[Document], options: ReadOptions) -> Predictions:
    return parse_docred(text, shown, gold)


FORMAT = PredictionFormat(
    name=NAME, summary="relations only, in DocRED's submission layout", file_kind="JSON",
    description=("relations only, DocRED's submission layout: a list of `{\"title\", \"h_idx\", \"t_idx\", \"r\", "
                 "\"evidence\"}`, vertex indices into the `vertexSet` of `zhnerbench export --format docred`; scored for "
                 "relation F1, evidence F1 and the intra-/inter-sentence breakdown (no view: it has no mentions)"),
    mentions=False, relations=True,
    # A JSON list (a CoNLL file that starts with the character "[" is claimed by conll first).
    detect=lambda first: first.lstrip().startswith("["), detection_order=15, read=_read,
    write=lambda documents, spans, relations: docred_prediction_json(
        documents, {key: list(value) for key, value in (relations or {}).items()}),
)
