"""zhnerbench as lm-evaluation-harness tasks: the documents, the prompt, the answer reading and the scorer of ``openai:``.

The task configs in ``harness/tasks/`` (``zhnerbench harness-path`` prints where they are
installed; ``lm_eval --include_path "$(zhnerbench harness-path)" --tasks zhnerbench``) name the
functions of this module:

* ``zhnerbench_ner``: one doc per chunk of the article, the chunks ``openai:`` sends
  (:func:`~zhnerbench.baselines.openai_chat.chunk_pieces`: its sentences), each asked inside the
  package's prompt ``ner-v1`` (the same text, so the same SHA-256) after the same system
  message (the task's ``description``: with ``--apply_chat_template`` the conversation is the very
  one ``openai:`` sends). ``zhnerbench_ner_counterfactual``: the same for the 20 counterfactual
  copies. ``zhnerbench_re``: one doc per document, its sentences numbered, inside ``re-v1``.
* The documents are built from the package's own gold (``$ZHNERBENCH_ROOT`` or the installed
  data: :func:`~zhnerbench.paths.gold_root`), never fetched: ``custom_dataset`` hands the harness
  an in-memory :class:`datasets.DatasetDict`.
* Each answer is read by :func:`~zhnerbench.baselines.llm_answers.read_answer` (reasoning never
  read, the last fitting JSON value) and its strings placed in the chunk by
  :func:`~zhnerbench.baselines.openai_chat.answer_spans`, the adapter's own alignment
  (:func:`ner_results`). The metrics are aggregations over every chunk of a run: the spans of
  all chunks, in document offsets, scored whole by :func:`zhnerbench.eval.evaluation.evaluate` in
  the views ``full``, ``ontonotes`` and ``coarse`` (``f1_VIEW``: strict micro F1, the score of
  record; ``text_f1_VIEW``: the CLUENER-style text match), so that the harness reports what
  ``zhnerbench evaluate`` reports for the same answers, to the last digit. ``unparseable`` is
  the share of answers without a fitting JSON value.

A run with ``--limit`` scores the documents it reached, whole (the harness says such numbers
are for testing only); the board (``zhnerbench leaderboard --add``) takes whole documents only.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from zhnerbench.baselines.chat_client import Answer
from zhnerbench.baselines.llm_answers import UNPARSEABLE, Reading
from zhnerbench.baselines.llm_prompts import Prompt, load_prompt
from zhnerbench.baselines import openai_chat, openai_relations
from zhnerbench.document import Argument, Document, PredictedRelation, Span
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.views import VIEWS, gold_spans

if TYPE_CHECKING:
    import datasets

    from zhnerbench.eval.evaluation import Evaluation
    from zhnerbench.eval.relations import RelationScores

#: Where the task configs are (``zhnerbench harness-path``).
TASKS_DIR = Path(__file__).resolve().parent / "tasks"
NER_TASK = "zhnerbench_ner"
COUNTERFACTUAL_TASK = "zhnerbench_ner_counterfactual"
RELATION_TASK = "zhnerbench_re"
TASKS = (NER_TASK, COUNTERFACTUAL_TASK, RELATION_TASK)
#: The views the NER tasks report, those ``openai:`` is scored in (its output is flat).
NER_VIEWS = ("full", "ontonotes", "coarse")
#: The split the harness evaluates (the benchmark has no training data).
SPLIT = "test"


class ChunkDoc(TypedDict):
    """One doc of the NER tasks: a chunk of a document, as ``openai:`` sends it."""

    task: str
    document: str
    chunk: int
    start: int
    end: int
    text: str
    system: str
    prompt: str
    prompt_sha256: str


class DocumentDoc(TypedDict):
    """One doc of the relation task: a document whole, its sentences numbered."""

    task: str
    document: str
    text: str
    system: str
    prompt: str
    prompt_sha256: str


class ChunkResult(TypedDict):
    """What one answer placed in its chunk (document offsets), the value of every NER metric for that doc."""

    document: str
    start: int
    end: int
    spans: list[tuple[int, int, str]]
    failure: str | None


class DocumentResult(TypedDict):
    """The relations one answer states, aligned to the document's gold mentions: ``(head start,
    head end, type, tail start, tail end, evidence)``."""

    document: str
    relations: list[tuple[int, int, str, int, int, list[int]]]
    failure: str | None


# --- the documents ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _article(root: Path) -> Document:
    from zhnerbench.gold.annotation_files import load_article_gold

    return load_article_gold(root)


@functools.lru_cache(maxsize=2)
def _copies(root: Path) -> tuple[Document, ...]:
    from zhnerbench.gold.counterfactual import article_copies

    return article_copies(root)


def article() -> Document:
    """The article, from the package's gold (``$ZHNERBENCH_ROOT`` or the installed data)."""
    from zhnerbench.paths import gold_root

    return _article(gold_root())


def copies() -> tuple[Document, ...]:
    """The article's 20 counterfactual copies (derived on first use)."""
    from zhnerbench.paths import gold_root

    return _copies(gold_root())


def gold_documents(identifiers: Collection[str]) -> list[Document]:
    """The gold documents named ``identifiers``, in the gold's order (the article, then its
    copies); a document this gold does not have is an error.

    >>> [document.id for document in gold_documents([article().id])]
    ['000_e491b11e84c79d89']
    """
    known = [article(), *(copies() if set(identifiers) - {article().id} else ())]
    unknown = sorted(set(identifiers) - {document.id for document in known})
    if unknown:
        raise ZhNerBenchError(f"document {unknown[0]!r} is not the article or one of its counterfactual copies")
    return [document for document in known if document.id in identifiers]


def gold_document(identifier: str) -> Document:
    """The article or the copy ``identifier``.

    >>> gold_document(article().id) is article()
    True
    """
    return gold_documents([identifier])[0]


def ner_prompt_template() -> Prompt:
    """The package's NER prompt (``ner-v1``)."""
    return load_prompt(None, openai_chat.DEFAULT_PROMPT)


def relation_prompt_template() -> Prompt:
    """The package's relation prompt (``re-v1``)."""
    return load_prompt(None, openai_relations.DEFAULT_PROMPT)


def chunk_docs(documents: Sequence[Document], task: str) -> list[ChunkDoc]:
    """The docs of a NER task: every chunk of every document, in order.

    >>> docs = chunk_docs([article()], NER_TASK)
    >>> len(docs), docs[0]["chunk"], docs[0]["text"] == article().text[docs[0]["start"]:docs[0]["end"]]
    (66, 0, True)
    """
    prompt = ner_prompt_template()
    return [ChunkDoc(task=task, document=document.id, chunk=index, start=start, end=end, text=document.text[start:end],
                     system=openai_chat.SYSTEM_MESSAGE, prompt=prompt.name, prompt_sha256=prompt.sha256)
            for document in documents for index, (start, end) in enumerate(openai_chat.chunk_pieces(document.text))]


def document_docs(documents: Sequence[Document], task: str) -> list[DocumentDoc]:
    """The docs of the relation task: one per document.

    >>> [doc["text"].splitlines()[1][:4] for doc in document_docs([article()], RELATION_TASK)]
    ['[1] ']
    """
    prompt = relation_prompt_template()
    return [DocumentDoc(task=task, document=document.id, text=openai_relations.numbered_sentences(document),
                        system=openai_relations.SYSTEM_MESSAGE, prompt=prompt.name, prompt_sha256=prompt.sha256)
            for document in documents]


def _dataset(rows: Sequence[ChunkDoc] | Sequence[DocumentDoc]) -> datasets.DatasetDict:
    import datasets

    return datasets.DatasetDict({SPLIT: datasets.Dataset.from_list([dict(row) for row in rows])})


def ner_dataset(**metadata: object) -> datasets.DatasetDict:
    """``custom_dataset`` of ``zhnerbench_ner``: the article's chunks (the harness passes its
    metadata and model arguments, which the documents do not depend on)."""
    return _dataset(chunk_docs([article()], NER_TASK))


def counterfactual_dataset(**metadata: object) -> datasets.DatasetDict:
    """``custom_dataset`` of ``zhnerbench_ner_counterfactual``: the chunks of the 20 copies, copy after copy."""
    return _dataset(chunk_docs(copies(), COUNTERFACTUAL_TASK))


def relation_dataset(**metadata: object) -> datasets.DatasetDict:
    """``custom_dataset`` of ``zhnerbench_re``: the article whole."""
    return _dataset(document_docs([article()], RELATION_TASK))


# --- prompts and targets ---------------------------------------------------------------------------


def ner_prompt(doc: ChunkDoc) -> str:
    """``doc_to_text``: the chunk inside the NER prompt, the user message ``openai:`` sends."""
    return ner_prompt_template().fill(doc["text"])


def relation_prompt(doc: DocumentDoc) -> str:
    """``doc_to_text``: the numbered sentences inside the relation prompt."""
    return relation_prompt_template().fill(doc["text"])


def ner_target(doc: ChunkDoc) -> str:
    """``doc_to_target``: the gold answer of a chunk in the prompt's format (its flat-layer
    mentions, in the ``full`` view's labels), shown in the harness's sample logs.

    >>> json.loads(ner_target(chunk_docs([article()], NER_TASK)[2]))["entities"][2:4]
    [{'text': '副市长', 'label': 'TITLE'}, {'text': '张为', 'label': 'PERSON'}]
    """
    document = gold_document(doc["document"])
    inside = [span for span in gold_spans(document, VIEWS["full"]) if doc["start"] <= span.start and span.end <= doc["end"]]
    return json.dumps({"entities": [{"text": document.text[span.start:span.end], "label": span.label} for span in inside]},
                      ensure_ascii=False)


def relation_target(doc: DocumentDoc) -> str:
    """``doc_to_target``: the gold relations in the prompt's format (entity names, evidence sentences)."""
    document = gold_document(doc["document"])
    return json.dumps({"relations": [{"head": document.entity(relation.head).name, "type": relation.relation,
                                      "tail": document.entity(relation.tail).name, "evidence": list(relation.evidence)}
                                     for relation in document.relations]}, ensure_ascii=False)


# --- one answer ------------------------------------------------------------------------------------


def answer_text(results: Sequence[object]) -> str:
    """The answer the harness hands ``process_results``: the first (and only) generation.

    >>> answer_text(['{"entities": []}']), answer_text([None])
    ('{"entities": []}', '')
    """
    first = results[0] if results else None
    return first if isinstance(first, str) else ""


def read_ner_answer(text: str) -> Reading:
    """An answer read by the rule of ``openai:`` (the harness keeps no finish reason nor reasoning field)."""
    return openai_chat.read_entities(Answer(text))


def chunk_result(doc: ChunkDoc, reading: Reading) -> ChunkResult:
    """What an answer places in its chunk, by ``openai:``'s own alignment.

    >>> doc = chunk_docs([article()], NER_TASK)[2]
    >>> doc["start"], chunk_result(doc, read_ner_answer('```json\\n[{"text": "张为", "label": "PER"}]\\n```'))["spans"]
    (133, [(141, 143, 'PERSON')])
    """
    document = gold_document(doc["document"])
    placed = openai_chat.place_answers(document.text, [(doc["start"], doc["end"])], [reading])
    return ChunkResult(document=doc["document"], start=doc["start"], end=doc["end"],
                       spans=[(span.start, span.end, span.label) for span in placed.spans], failure=reading.failure)


def ner_results(doc: ChunkDoc, results: Sequence[object]) -> dict[str, ChunkResult]:
    """``process_results``: the chunk's result, the value of every metric (they are aggregated over all chunks)."""
    result = chunk_result(doc, read_ner_answer(answer_text(results)))
    return {metric: result for metric in NER_METRICS}


def relation_result(doc: DocumentDoc, reading: Reading) -> DocumentResult:
    """The relations an answer states, aligned to the gold mentions by ``openai-relations:``'s rule."""
    relations, _ = openai_relations.answer_relations(gold_document(doc["document"]), reading)
    return DocumentResult(document=doc["document"], failure=reading.failure, relations=[
        (r.head.start, r.head.end, r.relation, r.tail.start, r.tail.end, list(r.evidence or ())) for r in relations])


def relation_results(doc: DocumentDoc, results: Sequence[object]) -> dict[str, DocumentResult]:
    """``process_results`` of the relation task."""
    result = relation_result(doc, openai_relations.read_relations(Answer(answer_text(results))))
    return {metric: result for metric in RELATION_METRICS}


# --- the aggregations: zhnerbench's scorer over every doc of a run ------------------------------------


def _json(items: Sequence[Any]) -> str:
    """A run's per-doc results as one string: what the scoring is cached by (every metric's
    aggregation gets the same items, and the run is scored once)."""
    return json.dumps(list(items), sort_keys=True, ensure_ascii=False)


def ner_predictions(items: Sequence[ChunkResult]) -> tuple[list[Document], dict[str, tuple[Span, ...]]]:
    """The documents a run's chunks cover (in gold order) and the spans placed in each."""
    spans: dict[str, list[Span]] = {}
    for item in items:
        spans.setdefault(item["document"], []).extend(Span(int(s), int(e), str(label)) for s, e, label in item["spans"])
    return gold_documents(spans), {identifier: tuple(sorted(found)) for identifier, found in spans.items()}


@functools.lru_cache(maxsize=8)
def _ner_evaluation(items_json: str) -> Evaluation:
    from zhnerbench.eval.evaluation import evaluate
    from zhnerbench.formats.prediction_files import Predictions

    items: list[ChunkResult] = json.loads(items_json)
    documents, spans = ner_predictions(items)
    return evaluate(documents, Predictions("lm-eval answers", "documents", spans, None), list(NER_VIEWS))


def ner_evaluation(items: Sequence[ChunkResult]) -> Evaluation:
    """:func:`~zhnerbench.eval.evaluation.evaluate` of the spans of every chunk, in :data:`NER_VIEWS`
    (once per run: every metric's aggregation gets the same items)."""
    return _ner_evaluation(_json(items))


def _view_f1(view: str) -> Callable[[Sequence[ChunkResult]], float]:
    def f1(items: Sequence[ChunkResult]) -> float:
        return ner_evaluation(items).views[view].scores.micro.f1
    f1.__name__ = f1.__qualname__ = f"f1_{view}"
    f1.__doc__ = f"Strict micro F1 in the {view!r} view (seqeval strict IOB2 over whole documents): the score of record."
    return f1


def _view_text_f1(view: str) -> Callable[[Sequence[ChunkResult]], float]:
    def text_f1(items: Sequence[ChunkResult]) -> float:
        return ner_evaluation(items).views[view].text_match.f1
    text_f1.__name__ = text_f1.__qualname__ = f"text_f1_{view}"
    text_f1.__doc__ = f"CLUENER-style text-match F1 in the {view!r} view: (sentence, text, label) triples."
    return text_f1


f1_full = _view_f1("full")
f1_ontonotes = _view_f1("ontonotes")
f1_coarse = _view_f1("coarse")
text_f1_full = _view_text_f1("full")
text_f1_ontonotes = _view_text_f1("ontonotes")
text_f1_coarse = _view_text_f1("coarse")


def unparseable(items: Sequence[ChunkResult] | Sequence[DocumentResult]) -> float:
    """The share of answers without a JSON value of the task's schema in their final answer.

    >>> unparseable([{"failure": "unparseable"}, {"failure": None}])  # type: ignore[list-item]
    0.5
    """
    return sum(item["failure"] == UNPARSEABLE for item in items) / len(items) if items else 0.0


#: The NER tasks' metrics (``metric_list`` of their configs), each a function of the list of chunk results.
NER_METRICS: dict[str, Callable[[Sequence[ChunkResult]], float]] = {
    "f1_full": f1_full, "f1_ontonotes": f1_ontonotes, "f1_coarse": f1_coarse,
    "text_f1_full": text_f1_full, "text_f1_ontonotes": text_f1_ontonotes, "text_f1_coarse": text_f1_coarse,
    "unparseable": unparseable,
}


def relation_predictions(items: Sequence[DocumentResult]) -> tuple[list[Document], dict[str, tuple[PredictedRelation, ...]]]:
    """The documents a run's answers cover and the relations predicted in each."""
    relations = {item["document"]: tuple(
        PredictedRelation(Argument(int(hs), int(he)), str(kind), Argument(int(ts), int(te)), tuple(int(e) for e in evidence))
        for hs, he, kind, ts, te, evidence in item["relations"]) for item in items}
    return gold_documents(relations), relations


@functools.lru_cache(maxsize=8)
def _relation_evaluation(items_json: str) -> Evaluation:
    from zhnerbench.eval.evaluation import evaluate
    from zhnerbench.formats.prediction_files import Predictions

    documents, relations = relation_predictions(json.loads(items_json))
    # The DocRED format holds relations only: evaluate scores them, in no NER view.
    return evaluate(documents, Predictions("lm-eval answers", "docred", {}, relations))


def relation_evaluation(items: Sequence[DocumentResult]) -> Evaluation:
    """:func:`~zhnerbench.eval.evaluation.evaluate` of the relations of every document of a run."""
    return _relation_evaluation(_json(items))


def _relations(items: Sequence[DocumentResult], mode: str) -> RelationScores:
    relations = relation_evaluation(items).relations
    assert relations is not None  # a relation file is always scored for its relations
    return relations[mode]


def f1_strict(items: Sequence[DocumentResult]) -> float:
    """Relation micro F1, arguments matched by their spans (the score of record)."""
    return _relations(items, "strict").micro.f1


def f1_text(items: Sequence[DocumentResult]) -> float:
    """Relation micro F1, arguments matched by their text (DuIE-style)."""
    return _relations(items, "text").micro.f1


def evidence_f1(items: Sequence[DocumentResult]) -> float:
    """DocRED's evidence F1 over the correct relations (0 when no relation is correct)."""
    evidence = _relations(items, "strict").evidence
    return evidence.f1 if evidence is not None else 0.0


#: The relation task's metrics.
RELATION_METRICS: dict[str, Callable[[Sequence[DocumentResult]], float]] = {
    "f1_strict": f1_strict, "f1_text": f1_text, "evidence_f1": evidence_f1, "unparseable": unparseable,
}
