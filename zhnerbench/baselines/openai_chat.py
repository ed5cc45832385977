"""Any chat model behind an OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, Ollama, ...), prompted for NER.

The text is cut into sentence-sized chunks (:func:`~zhnerbench.baselines.base.split_for_tagging`);
each chunk is sent, verbatim, inside a versioned prompt template (``baselines/prompts/ner-v1.md``: the
19 labels with definitions and invented examples, the rules, the JSON answer format), after
``shots`` examples of a versioned pool of invented sentences (``ner-shots-v1.jsonl``) when
asked. The model answers with entity *strings*; :func:`~zhnerbench.baselines.alignment.align_strings`
places them in the chunk, and spans overlapping an earlier one are dropped (the flat views
score non-overlapping spans). Requests, retries, the cache, usage and latency are
:mod:`~zhnerbench.baselines.chat_client`'s.

Answers are read by the rule of :mod:`~zhnerbench.baselines.llm_answers`: reasoning (think
blocks, a reasoning field) is never read; the entities are the last ``{"entities": [...]}``
object (or bare list of entity objects) of the final answer.

What can go wrong is counted, never a crash (``diagnostics`` after :meth:`OpenAIChatTagger.predict`):
chunks that got no answer (``failed``), answers without an entity list (``malformed``:
unparseable), answers stopped by the token limit (``truncated``), entries that are not
``{"text", "label"}`` items (``bad_items``), labels outside the schema (``unknown_label``;
matched case-insensitively, with a few synonyms such as ``PER`` -> ``PERSON``), strings not in
the text (``unaligned``) and spans overlapping an earlier one (``overlapping``); so are the
answers that carried reasoning (``with_reasoning``) and the reasoning tokens usage reported
(``reasoning_tokens``). ``false_positive_labels`` keeps the label of every item that was not
placed (``?`` outside the schema), which the board counts as false positives. When no chunk got
an answer because the server could not be reached or refused every request,
:class:`BaselineUnavailable` is raised, so the leaderboard lists the system as unavailable
instead of scoring an empty output.

:meth:`OpenAIChatTagger.manifest` states what makes a run reproducible: the model as the
server reports it, the endpoint (no user, password or query), the decoding settings, the
prompt's version and SHA-256, the few-shot pool and example ids, and the client's version.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from zhnerbench.baselines.alignment import align_strings, drop_overlapping
from zhnerbench.baselines.base import (
    BaselineUnavailable,
    TaggerError,
    diagnostics_summary,
    package_version,
    split_for_tagging,
)
from zhnerbench.baselines.chat_client import (
    Answer,
    ChatClient,
    Decoding,
    Outcome,
    reasoning_record,
    reasons,
    served_model,
    usage_counts,
)
from zhnerbench.baselines.chat_client import is_local as is_local  # re-exported: part of this module's API
from zhnerbench.baselines.llm_answers import TRUNCATED, Reading, list_answer, list_items, read_answer
from zhnerbench.baselines.llm_prompts import (
    Prompt,
    ShotPool,
    conversation,
    load_prompt,
    prompt_version,
    read_shot_pool,
)
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.document import Span
from zhnerbench.schema import ENTITY_LABELS

REQUIRES = "pip install 'zhnerbench[openai]' and an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY)"
#: What an answer's JSON value must be: ``{"entities": [...]}``, or a bare list of entity objects.
FITS = list_answer("entities", "text")
#: The shipped prompt template and few-shot pool, in ``baselines/prompts/`` (:data:`zhnerbench.paths.PROMPTS_DIR`).
DEFAULT_PROMPT = "ner-v1.md"
DEFAULT_SHOTS = "ner-shots-v1.jsonl"
SYSTEM_MESSAGE = "You annotate named entities in Chinese news text. Answer with one JSON object only."
#: Chunks are sentences (cut after 。！？；); an LLM has no 100-character training limit, so
#: only a runaway line is cut, and rarely inside a name.
CHUNK_CHARS = 300
EXAMPLES = 10
#: The label recorded for an unplaced item whose label is outside the schema.
UNKNOWN = "?"

#: Labels models commonly use instead of the schema's, upper-cased with ``_`` for spaces and hyphens.
LABEL_SYNONYMS: Mapping[str, str] = {
    "PER": "PERSON", "PERS": "PERSON", "PEOPLE": "PERSON",
    "LOCATION": "LOC",
    "ORGANIZATION": "ORG", "ORGANISATION": "ORG",
    "FACILITY": "FAC",
    "POSITION": "TITLE", "JOB_TITLE": "TITLE",
    "WORK": "WORK_OF_ART", "WORKOFART": "WORK_OF_ART",
}

Diagnostics = dict[str, Any]


def chat_system_name(model: str) -> str:
    """The leaderboard name of a model: ``openai-`` + the model id made a system name (lower
    case, file-name safe, at most 64 characters).

    >>> chat_system_name("Qwen/Qwen2.5-7B-Instruct:q4")
    'openai-qwen-qwen2.5-7b-instruct-q4'
    >>> len(chat_system_name("x" * 200))
    64
    """
    return ("openai-" + re.sub(r"[^a-z0-9._-]", "-", model.lower()))[:64].rstrip("-.")


def chunk_pieces(text: str) -> list[tuple[int, int]]:
    """The chunks a text is sent in, as ``(start, end)`` offsets: its sentences (cut after
    ``。！？；`` and at line ends), a runaway line cut every :data:`CHUNK_CHARS` characters.

    >>> chunk_pieces("标题\\n张为出席。他致辞！")
    [(0, 2), (3, 8), (8, 12)]
    """
    return split_for_tagging(text, CHUNK_CHARS)


def load_template(path: str | None) -> tuple[str, str]:
    """``(name, text)`` of the packaged NER template (``path`` is ``None``) or of the file ``path``.

    >>> name, text = load_template(None)
    >>> name, text.count("{text}")
    ('ner-v1', 1)
    """
    prompt = load_prompt(path, DEFAULT_PROMPT)
    return prompt.name, prompt.text


def entity_items(value: object) -> tuple[list[tuple[str, str]], int]:
    """The ``(text, label)`` items of an answer's value (:data:`FITS`) and how many entries were not such items.

    >>> entity_items({"entities": [{"text": "张三", "label": "PERSON"}, {"text": 3}]})
    ([('张三', 'PERSON')], 1)
    """
    entries = list_items(value, "entities")
    items = [(entry["text"], entry["label"]) for entry in entries
             if isinstance(entry, dict) and isinstance(entry.get("text"), str) and entry["text"].strip()
             and isinstance(entry.get("label"), str)]
    return items, len(entries) - len(items)


def parse_entities(answer: str) -> tuple[list[tuple[str, str]], int] | None:
    """The ``(text, label)`` items of an answer's content (:func:`~zhnerbench.baselines.llm_answers.read_answer`:
    reasoning cut out, the last ``{"entities": [...]}`` object or list of entity objects) and
    how many entries were not such items; ``None`` when it has none.

    >>> parse_entities('<think>{"entities": []}</think>{"entities": [{"text": "张三", "label": "PERSON"}, {"text": 3}]}')
    ([('张三', 'PERSON')], 1)
    >>> parse_entities("张三是人名") is None
    True
    """
    reading = read_answer(answer, None, None, FITS)
    return entity_items(reading.value) if reading.failure is None else None


def schema_label(label: str) -> str | None:
    """The schema label a model's label means, or ``None`` when it is unknown.

    >>> schema_label("person"), schema_label("Work of Art"), schema_label("ORGANIZATION"), schema_label("SPORT")
    ('PERSON', 'WORK_OF_ART', 'ORG', None)
    """
    key = re.sub(r"[\s-]+", "_", label.strip().upper())
    key = LABEL_SYNONYMS.get(key, key)
    return key if key in ENTITY_LABELS else None


def read_entities(answer: Answer) -> Reading:
    """An answer read by the rule of :mod:`~zhnerbench.baselines.llm_answers` (reasoning never
    read; the last fitting JSON value of the final answer; truncated or unparseable otherwise).

    >>> read_entities(Answer('<think>{"entities": []}</think>[{"text": "张三", "label": "PERSON"}]')).value
    [{'text': '张三', 'label': 'PERSON'}]
    >>> read_entities(Answer('{"entities": [', finish_reason="length")).failure
    'truncated'
    """
    return read_answer(answer.text, answer.reasoning, answer.finish_reason, FITS)


def answer_spans(chunk: str, reading: Reading) -> tuple[list[Span], dict[str, Any]]:
    """The spans one answer places in ``chunk``, and what it could not use (counts, examples and
    the labels of unplaced items); an answer without a value counts as ``truncated`` or
    ``malformed`` (unparseable).

    >>> spans, found = answer_spans("上海市政府", read_entities(Answer('{"entities": [{"text": "上海市政府", "label": "ORG"}, '
    ...     '{"text": "上海", "label": "GPE"}, {"text": "北京", "label": "GPE"}, {"text": "x", "label": "SPORT"}]}')))
    >>> spans, found["items"], found["overlapping"], found["unaligned"], found["unknown_label"], found["false_positive_labels"]
    ([Span(start=0, end=5, label='ORG')], 4, 1, 1, 1, ['?', 'GPE', 'GPE'])
    """
    if reading.failure is not None:
        return [], {"truncated" if reading.failure == TRUNCATED else "malformed": 1}
    items, bad_items = entity_items(reading.value)
    labelled = [(string, label) for string, raw in items if (label := schema_label(raw)) is not None]
    found, unaligned = align_strings(chunk, labelled)
    kept, dropped = drop_overlapping(found)
    return kept, {
        "items": len(items) + bad_items,
        "bad_items": bad_items,
        "unknown_label": len(items) - len(labelled),
        "unaligned": len(unaligned),
        "overlapping": len(dropped),
        "unaligned_examples": [[string, label] for string, label in unaligned],
        "overlapping_examples": [[chunk[span.start:span.end], span.label] for span in dropped],
        # Every item the model gave that did not become a span: a false positive in the views
        # its label belongs to (every view for a label outside the schema).
        "false_positive_labels": sorted([UNKNOWN] * (len(items) - len(labelled))
                                        + [label for _, label in unaligned] + [span.label for span in dropped]),
    }


class PlacedAnswers(NamedTuple):
    """What the answers of a text's chunks place in it: the spans in the text's offsets, the
    counts of what could not be used, and its examples and false-positive labels."""

    spans: list[Span]
    found: Counter[str]
    lists: dict[str, list[Any]]


def place_answers(text: str, pieces: Sequence[tuple[int, int]], readings: Sequence[Reading | None]) -> PlacedAnswers:
    """The spans the answers to the chunks ``pieces`` of ``text`` place (:func:`answer_spans`, moved
    to the text's offsets), and what they could not use; a chunk without an answer (``None``:
    the request failed) places nothing and is counted by the caller.

    >>> placed = place_answers("甲。张三来了。", [(0, 2), (2, 7)], [None, read_entities(Answer(
    ...     '{"entities": [{"text": "张三", "label": "PERSON"}, {"text": "李四", "label": "PERSON"}]}'))])
    >>> placed.spans, placed.found["unaligned"], placed.lists["false_positive_labels"]
    ([Span(start=2, end=4, label='PERSON')], 1, ['PERSON'])
    """
    spans: list[Span] = []
    found: Counter[str] = Counter()
    lists: dict[str, list[Any]] = {"unaligned_examples": [], "overlapping_examples": [], "false_positive_labels": []}
    for (start, end), reading in zip(pieces, readings, strict=True):
        if reading is None:
            continue
        kept, unusable = answer_spans(text[start:end], reading)
        spans.extend(Span(start + span.start, start + span.end, span.label) for span in kept)
        for key, value in unusable.items():
            if isinstance(value, list):
                lists[key].extend(value)
            else:
                found[key] += value
    return PlacedAnswers(spans, found, lists)


#: The counts of what answers held that :func:`reading_diagnostics` reports, in the diagnostics' order.
ANSWER_COUNTS = ("malformed", "truncated", "items", "bad_items", "unknown_label", "unaligned", "overlapping",
                 "with_reasoning")


def reading_diagnostics(readings: Sequence[Reading | None], placed: PlacedAnswers) -> Diagnostics:
    """What the diagnostics say of the answers themselves (not of the requests): the counts of
    :data:`ANSWER_COUNTS`, the first examples of unaligned and overlapping items, and the labels
    of every item that became no span.

    >>> reading_diagnostics([None], PlacedAnswers([], Counter(unaligned=1), {"unaligned_examples": [["李四", "PERSON"]],
    ...     "overlapping_examples": [], "false_positive_labels": ["PERSON"]}))["unaligned"]
    1
    """
    return {
        **{key: placed.found[key] for key in ANSWER_COUNTS if key != "with_reasoning"},
        "with_reasoning": sum(reading is not None and reading.reasoning for reading in readings),
        "unaligned_examples": placed.lists["unaligned_examples"][:EXAMPLES],
        "overlapping_examples": placed.lists["overlapping_examples"][:EXAMPLES],
        "false_positive_labels": sorted(placed.lists["false_positive_labels"]),
    }


class OpenAIChatTagger:
    """A chat model prompted with ``baselines/prompts/ner-v1.md`` (or ``prompt``), predicting the 19 schema labels.

    >>> tagger = OpenAIChatTagger(model="gpt-4o-mini", msra=True)  # unknown options are ignored
    >>> tagger.name, tagger.version.startswith("gpt-4o-mini prompt ner-v1 (openai ")
    ('openai-gpt-4o-mini', True)
    >>> OpenAIChatTagger(model="gpt-4o-mini", shots=5).name
    'openai-gpt-4o-mini-5shot'
    """

    requires = REQUIRES
    native_labels: tuple[str, ...] = ENTITY_LABELS
    label_map: Mapping[str, str] = {label: label for label in ENTITY_LABELS}
    views: tuple[str, ...] = ("full", "ontonotes", "coarse")

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        concurrency: int = 8,
        timeout: float = 120.0,
        max_retries: int = 5,
        prompt: str | None = None,
        cache: bool = True,
        normalize_punctuation: bool = True,
        temperature: float = 0.0,
        top_p: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        shots: int = 0,
        shot_pool: str | None = None,
        **ignored: Any,
    ) -> None:
        if not model:
            raise ZhNerBenchError("an OpenAI-compatible system needs a model id")
        if shots < 0:
            raise ZhNerBenchError(f"{chat_system_name(model)}: shots must be >= 0")
        self.model = model
        # Another prompt or other examples make another system: its own record beside the default's.
        self.name = chat_system_name(model + (f"-{Path(prompt).stem}" if prompt else "") + (f"-{shots}shot" if shots else ""))
        self.client = ChatClient(model=model, base_url=base_url, api_key=api_key, concurrency=concurrency,
                                 timeout=timeout, max_retries=max_retries, cache=cache,
                                 decoding=Decoding(temperature, top_p, max_tokens, seed), requires=REQUIRES,
                                 name=self.name)
        self.prompt, self.shots, self.shot_pool = prompt, shots, shot_pool
        # Recorded for the leaderboard's options; an LLM reads the verbatim text.
        self.normalize_punctuation = normalize_punctuation
        self.version = f"{model} prompt {prompt_version(prompt, DEFAULT_PROMPT)}" + (f" {shots}-shot" if shots else "") + \
            f" (openai {package_version('openai')})"
        self.diagnostics: Diagnostics = {}
        self._prompt: Prompt | None = None
        self._pool: ShotPool | None = None
        self._served = ""
        self._reasoning: dict[str, Any] | None = None

    @property
    def base_url(self) -> str | None:
        return self.client.base_url

    @property
    def decoding(self) -> Decoding:
        return self.client.decoding

    def for_run(self, index: int) -> OpenAIChatTagger:
        """The same system for the ``index``-th of several runs (0 is this one): the seed moves
        by ``index`` (from 0 when none was set), so every run is a distinct, cached sample.

        >>> [OpenAIChatTagger(model="m").for_run(i).decoding.seed for i in range(3)]
        [0, 1, 2]
        """
        # Shallow copies: the runs share the loaded client's connections; each has its own seed
        # (part of every cache key) and its own diagnostics.
        other = copy.copy(self)
        other.client = self.client.with_decoding(replace(self.decoding, seed=(self.decoding.seed or 0) + index))
        other.diagnostics, other._reasoning = {}, None
        return other

    def load(self) -> None:
        self._prompt = load_prompt(self.prompt, DEFAULT_PROMPT)
        self._reasoning = None
        self._pool = read_shot_pool(self.shot_pool, DEFAULT_SHOTS, "entities") if self.shots else None
        if self._pool is not None:
            self._pool.first(self.shots)  # more examples than the pool holds: said before anything is sent
        self.client.load()

    def manifest(self) -> dict[str, Any]:
        """What a record states of this run, so that it can be made again (nothing secret), and
        how many answers of its first document (the article: the score of record) carried
        reasoning, with their reasoning tokens where usage reported them."""
        prompt = self._prompt or load_prompt(self.prompt, DEFAULT_PROMPT)
        shots = {"pool": self._pool.name, "sha256": self._pool.sha256,
                 "ids": [shot.id for shot in self._pool.first(self.shots)]} if self._pool is not None else None
        return {**self.client.manifest("ner", self._served, prompt.name, prompt.sha256, shots),
                "reasoning": self._reasoning}

    def predict(self, text: str) -> list[Span]:
        if not self.client.loaded or self._prompt is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        pieces = chunk_pieces(text)
        chunks = [text[start:end] for start, end in pieces]
        shots = self._pool.first(self.shots) if self._pool is not None else ()
        outcomes = self.client.ask_all([conversation(SYSTEM_MESSAGE, self._prompt, shots, chunk) for chunk in chunks])
        readings = [read_entities(outcome.answer) if outcome.answer is not None else None for outcome in outcomes]
        placed = place_answers(text, pieces, readings)
        spans, found = placed.spans, placed.found
        self._served = served_model(outcomes) or self._served
        self.diagnostics = self._diagnostics(chunks, outcomes, readings, placed)
        if self._reasoning is None:
            self._reasoning = reasoning_record(self.diagnostics)
        self.client.check_usable(outcomes)
        answered = sum(outcome.answer is not None for outcome in outcomes)
        if not spans and answered and found["malformed"] + found["truncated"] + found["items"]:
            raise TaggerError(f"system {self.name}: nothing usable in {answered} answers ({diagnostics_summary(self.diagnostics)})")
        return sorted(spans)

    def cancel(self) -> None:
        """Send none of the chunks not yet sent: the caller's deadline passed."""
        self.client.cancel()

    def _diagnostics(self, chunks: list[str], outcomes: list[Outcome], readings: list[Reading | None],
                     placed: PlacedAnswers) -> Diagnostics:
        usage = usage_counts(outcomes)
        counts = reading_diagnostics(readings, placed)
        return {
            "chunks": len(chunks),
            "requests": usage.pop("requests"),
            "retries": usage.pop("retries"),
            "cached": usage.pop("cached"),
            "failed": sum(outcome.answer is None for outcome in outcomes),
            **{key: counts[key] for key in ANSWER_COUNTS},
            **usage,
            "unaligned_examples": counts["unaligned_examples"],
            "overlapping_examples": counts["overlapping_examples"],
            "failed_examples": reasons(outcomes, [chunk[:20] for chunk in chunks], EXAMPLES),
            "false_positive_labels": counts["false_positive_labels"],
        }


def create(model: str, llm_seed: int | None = None, **options: Any) -> OpenAIChatTagger:
    """The ``openai:MODEL`` spec's factory; options unset on the command line (``None``) keep
    their defaults (``llm_seed`` is the sampling seed: ``seed`` would be the bootstrap's).

    >>> tagger = create("gpt-4o-mini", concurrency=None, timeout=30.0, device="cpu", llm_seed=7)
    >>> tagger.client.timeout, tagger.decoding.seed
    (30.0, 7)
    """
    return OpenAIChatTagger(model=model, seed=llm_seed,
                            **{key: value for key, value in options.items() if value is not None})
