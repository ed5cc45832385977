"""Document-level relation extraction by a chat model behind an OpenAI-compatible endpoint.

The spec ``openai-relations:MODEL`` names it (``zhnerbench leaderboard --systems
openai-relations:MODEL``). Each document is sent whole, its sentences numbered ``[0]``,
``[1]``... as the gold numbers them, inside a versioned prompt (``baselines/prompts/re-v1.md``:
the nine relation types with invented examples, the rules, the JSON answer format). The model
answers with ``{"relations": [{"head", "type", "tail", "evidence"}]}``; each argument string
is aligned to a gold mention with that text (both layers, ``《》`` and spaces stripped): one
in the relation's evidence sentences first, else the first in the document. So the entities
come from the gold (the row says so: :data:`ENTITY_SOURCE`), and the row measures the
relation step alone, like the rule baselines on the gold entities. Triples are scored by the
relation scorer (strict and text modes, DocRED's evidence F1).

Answers are read by the rule of :mod:`~zhnerbench.baselines.llm_answers`, as the NER
adapter's: reasoning (think blocks, a reasoning field) is never read; the relations are the last
``{"relations": [...]}`` object (or bare list of relation objects) of the final answer.
What could not be used is counted (``diagnostics``): answers without one (``malformed``:
unparseable), answers stopped by the token limit (``truncated``), entries that are not such
items (``bad_items``), types outside the nine
(``unknown_type``), arguments no gold mention has the text of (``unaligned``), and evidence ids
that are no sentence of the document (``bad_evidence``, dropped). Requests, retries, the
cache, usage and latency are :mod:`~zhnerbench.baselines.chat_client`'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from zhnerbench.baselines.base import BaselineUnavailable, TaggerError, diagnostics_summary, package_version
from zhnerbench.baselines.chat_client import (
    Answer,
    ChatClient,
    Decoding,
    reasoning_record,
    reasons,
    served_model,
    usage_counts,
)
from zhnerbench.baselines.llm_answers import TRUNCATED, Reading, list_answer, list_items, read_answer
from zhnerbench.baselines.llm_prompts import Prompt, conversation, load_prompt, prompt_version
from zhnerbench.baselines.openai_chat import REQUIRES, chat_system_name
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.document import Argument, Document, PredictedRelation
from zhnerbench.schema import RELATION_TYPES, SYMMETRIC_RELATIONS

DEFAULT_PROMPT = "re-v1.md"
SYSTEM_MESSAGE = "You extract relations between entities in Chinese news text. Answer with one JSON object only."
#: Where the arguments of this system's relations come from (the relation row's ``entities``).
ENTITY_SOURCE = "gold (by text)"
EXAMPLES = 10
#: What an answer's JSON value must be: ``{"relations": [...]}``, or a bare list of relation objects.
FITS = list_answer("relations", "head")


class RelationItem(NamedTuple):
    """One relation as the model wrote it."""

    head: str
    relation: str
    tail: str
    evidence: tuple[int, ...]


def numbered_sentences(document: Document) -> str:
    """The document as the prompt shows it: one sentence per line, after its id.

    >>> from zhnerbench.gold.article import document_from_text
    >>> print(numbered_sentences(document_from_text("标题 2022年07月22日\\n张为出席。他致辞。")))
    [0] 标题 2022年07月22日
    [1] 张为出席。
    [2] 他致辞。
    """
    return "\n".join(f"[{sentence.index}] {document.sentence_text(sentence.index).strip()}"
                     for sentence in document.sentences)


def read_relations(answer: Answer) -> Reading:
    """An answer read by the rule of :mod:`~zhnerbench.baselines.llm_answers`.

    >>> read_relations(Answer('<think>{"relations": []}</think>{"relations": [1]}')).value
    {'relations': [1]}
    """
    return read_answer(answer.text, answer.reasoning, answer.finish_reason, FITS)


def parse_relations(answer: str) -> tuple[list[RelationItem], int] | None:
    """The relation items of an answer's content and how many entries were not such items;
    ``None`` when it has no ``{"relations": [...]}`` object (or list of relation objects).

    >>> parse_relations('{"relations": [{"head": "张为", "type": "has_title", "tail": "副市长", "evidence": [1, "x"]}, 3]}')
    ([RelationItem(head='张为', relation='has_title', tail='副市长', evidence=(1,))], 1)
    """
    reading = read_answer(answer, None, None, FITS)
    return relation_items(reading.value) if reading.failure is None else None


def relation_items(value: object) -> tuple[list[RelationItem], int]:
    """The relation items of an answer's value (:data:`FITS`) and how many entries were not such items."""
    entries = list_items(value, "relations")
    items = []
    for entry in entries:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) and entry[key].strip()
                                                  for key in ("head", "type", "tail")):
            continue
        evidence = entry.get("evidence")
        ids = tuple(value for value in evidence if isinstance(value, int) and not isinstance(value, bool)) \
            if isinstance(evidence, list) else ()
        items.append(RelationItem(entry["head"], entry["type"], entry["tail"], ids))
    return items, len(entries) - len(items)


def relation_type(name: str) -> str | None:
    """The relation type a model's name means (case and spacing aside), ``None`` when unknown.

    >>> relation_type("Has Title"), relation_type("held-at"), relation_type("founded_by")
    ('has_title', 'held_at', None)
    """
    key = "_".join(name.strip().lower().replace("-", " ").split())
    return key if key in RELATION_TYPES else None


def align_argument(document: Document, text: str, evidence: Sequence[int]) -> Argument | None:
    """The gold mention (either layer) whose text is ``text``: in an evidence sentence first,
    else the first in the document; ``None`` when there is none.

    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> mention = doc.mentions[0]
    >>> align_argument(doc, f"《{doc.text[mention.start:mention.end]}》", []) == Argument(mention.start, mention.end)
    True
    """
    wanted = text.strip().strip("《》“”\"'").strip()
    found = [m for m in document.all_mentions if document.text[m.start:m.end] == wanted]
    if not found:
        return None
    spans = [document.sentences[i] for i in evidence if 0 <= i < len(document.sentences)]
    inside = [m for m in found if any(s.start <= m.start and m.end <= s.end for s in spans)]
    chosen = min(inside or found, key=lambda m: (m.start, -m.end))
    return Argument(chosen.start, chosen.end)


def answer_relations(document: Document, reading: Reading) -> tuple[list[PredictedRelation], dict[str, Any]]:
    """The relations one answer states, aligned to the document's gold mentions, and what could
    not be used (an answer without a value: ``truncated`` or ``malformed``)."""
    if reading.failure is not None:
        return [], {"truncated" if reading.failure == TRUNCATED else "malformed": 1}
    items, bad_items = relation_items(reading.value)
    counts: Counter[str] = Counter(items=len(items) + bad_items, bad_items=bad_items)
    unaligned: list[list[str]] = []
    found: dict[tuple[Argument, str, Argument], PredictedRelation] = {}
    for item in items:
        kind = relation_type(item.relation)
        if kind is None:
            counts["unknown_type"] += 1
            continue
        evidence = tuple(sorted({i for i in item.evidence if 0 <= i < len(document.sentences)}))
        counts["bad_evidence"] += len(set(item.evidence)) - len(evidence)
        head, tail = align_argument(document, item.head, evidence), align_argument(document, item.tail, evidence)
        if head is None or tail is None:
            counts["unaligned"] += 1
            unaligned.append([item.head, kind, item.tail])
            continue
        if kind in SYMMETRIC_RELATIONS and tail < head:
            head, tail = tail, head
        if head != tail:
            found.setdefault((head, kind, tail), PredictedRelation(head, kind, tail, evidence))
    return list(found.values()), {**counts, "unaligned_examples": unaligned}


#: The counts of what an answer held that :func:`answer_diagnostics` reports, in the diagnostics' order.
ANSWER_COUNTS = ("malformed", "truncated", "items", "bad_items", "unknown_type", "unaligned", "bad_evidence",
                 "with_reasoning")


def answer_diagnostics(reading: Reading | None, found: Mapping[str, Any]) -> dict[str, Any]:
    """What the diagnostics say of one document's answer (``None``: the request failed) from
    what :func:`answer_relations` could not use: the counts of :data:`ANSWER_COUNTS` and the
    first unaligned relations.

    >>> answer_diagnostics(None, {})["items"], answer_diagnostics(None, {"unaligned_examples": [["甲", "has_title", "乙"]]})["unaligned_examples"]
    (0, [['甲', 'has_title', '乙']])
    """
    return {**{key: int(found.get(key, 0)) for key in ANSWER_COUNTS if key != "with_reasoning"},
            "with_reasoning": int(reading is not None and reading.reasoning),
            "unaligned_examples": list(found.get("unaligned_examples", []))[:EXAMPLES]}


class OpenAIRelationExtractor:
    """A chat model prompted with ``baselines/prompts/re-v1.md`` (or ``prompt``) for the nine relation types.

    >>> extractor = OpenAIRelationExtractor(model="gpt-4o-mini")
    >>> extractor.name, extractor.task, extractor.entities
    ('openai-gpt-4o-mini-relations', 'relations', 'gold (by text)')
    """

    task = "relations"
    requires = REQUIRES
    entities = ENTITY_SOURCE

    def __init__(self, *, model: str, base_url: str | None = None, api_key: str | None = None, concurrency: int = 8,
                 timeout: float = 300.0, max_retries: int = 5, prompt: str | None = None, cache: bool = True,
                 temperature: float = 0.0, top_p: float | None = None, max_tokens: int | None = None,
                 seed: int | None = None, **ignored: Any) -> None:
        if not model:
            raise ZhNerBenchError("an OpenAI-compatible system needs a model id")
        self.model = model
        self.name = f"{chat_system_name(model)[:54]}-relations"
        self.client = ChatClient(model=model, base_url=base_url, api_key=api_key, concurrency=concurrency,
                                 timeout=timeout, max_retries=max_retries, cache=cache,
                                 decoding=Decoding(temperature, top_p, max_tokens, seed), requires=REQUIRES,
                                 name=self.name)
        self.prompt = prompt
        self.version = f"{model} prompt {prompt_version(prompt, DEFAULT_PROMPT)} (openai {package_version('openai')})"
        self.diagnostics: dict[str, Any] = {}
        self._prompt: Prompt | None = None
        self._served = ""
        self._reasoning: dict[str, Any] | None = None

    def load(self) -> None:
        self._prompt = load_prompt(self.prompt, DEFAULT_PROMPT)
        self._reasoning = None
        self.client.load()

    def manifest(self) -> dict[str, Any]:
        """What a record states of this run (nothing secret; see ``OpenAIChatTagger.manifest``),
        with the reasoning of its first document's answer."""
        prompt = self._prompt or load_prompt(self.prompt, DEFAULT_PROMPT)
        return {**self.client.manifest("relations", self._served, prompt.name, prompt.sha256, None),
                "reasoning": self._reasoning}

    def cancel(self) -> None:
        """Send none of the documents not yet sent: the caller's deadline passed."""
        self.client.cancel()

    def predict_relations(self, documents: Sequence[Document]) -> dict[str, list[PredictedRelation]]:
        """Each document's relations (one request per document); ``diagnostics`` are the first
        document's (the score of record's)."""
        if not self.client.loaded or self._prompt is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        outcomes = self.client.ask_all([conversation(SYSTEM_MESSAGE, self._prompt, (), numbered_sentences(document))
                                        for document in documents])
        self._served = served_model(outcomes) or self._served
        predicted: dict[str, list[PredictedRelation]] = {}
        first: dict[str, Any] = {}
        readings = [read_relations(outcome.answer) if outcome.answer is not None else None for outcome in outcomes]
        for index, (document, reading) in enumerate(zip(documents, readings, strict=True)):
            relations, found = answer_relations(document, reading) if reading is not None else ([], {})
            predicted[document.id] = relations
            if index == 0:
                first = found
        self.client.check_usable(outcomes[:1])
        usage = usage_counts(outcomes[:1])
        counts = answer_diagnostics(readings[0], first)
        self.diagnostics = {
            "documents": 1, "requests": usage.pop("requests"), "retries": usage.pop("retries"),
            "cached": usage.pop("cached"), "failed": int(outcomes[0].answer is None),
            **{key: counts[key] for key in ANSWER_COUNTS},
            **usage,
            "unaligned_examples": counts["unaligned_examples"],
            "failed_examples": reasons(outcomes[:1], [documents[0].id], EXAMPLES),
        }
        if self._reasoning is None:
            self._reasoning = reasoning_record(self.diagnostics)
        if outcomes[0].answer is not None and not predicted[documents[0].id] and (first.get("malformed")
                                                                                 or first.get("truncated")):
            raise TaggerError(f"system {self.name}: nothing usable in its answer ({diagnostics_summary(self.diagnostics)})")
        return predicted


def create(model: str, llm_seed: int | None = None, **options: Any) -> OpenAIRelationExtractor:
    """The ``openai-relations:MODEL`` spec's factory (options unset on the command line keep their defaults)."""
    return OpenAIRelationExtractor(model=model, seed=llm_seed,
                                   **{key: value for key, value in options.items() if value is not None})


def relation_extractor_problem(extractor: object) -> str | None:
    """What a relation system lacks of the interface the leaderboard runs (``None``: nothing)."""
    missing = [name for name in ("name", "version", "requires", "entities", "load", "predict_relations")
               if not hasattr(extractor, name)]
    return f"it has no {', '.join(missing)}" if missing else None

