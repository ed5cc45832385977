"""Any chat model behind an OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, Ollama, ...), prompted for NER.

The text is cut into sentence-sized chunks (:func:`~zhnerbench.baselines.base.split_for_tagging`);
each chunk is sent, verbatim, inside a versioned prompt template (``baselines/prompts/ner-v1.md``: the
19 labels with definitions and invented examples, the rules, the JSON answer format), after
``shots`` examples of a versioned pool of invented sentences (``ner-shots-v1.jsonl``) when
asked. The model answers with entity *strings*; :func:`~zhnerbench.baselines.alignment.align_strings`
places them in the chunk, and spans overlapping an earlier one are dropped (the flat views
score non-overlapping spans). Requests, retries, the cache, usage and latency are
:mod:`~zhnerbench.baselines.chat_client`'s.

What can go wrong is counted, never a crash (``diagnostics`` after :meth:`OpenAIChatTagger.predict`):
chunks that got no answer (``failed``), answers without an ``{"entities": [...]}`` object
(``malformed``), entries that are not ``{"text", "label"}`` items (``bad_items``), labels
outside the schema (``unknown_label``; matched case-insensitively, with a few synonyms such as
``PER`` -> ``PERSON``), strings not in the text (``unaligned``) and spans overlapping an earlier
one (``overlapping``); ``false_positive_labels`` keeps the label of every item that was not
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
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from zhnerbench.baselines.alignment import align_strings, drop_overlapping
from zhnerbench.baselines.base import (
    BaselineUnavailable,
    TaggerError,
    diagnostics_summary,
    package_version,
    split_for_tagging,
)
from zhnerbench.baselines.chat_client import ChatClient, Decoding, Outcome, reasons, served_model, usage_counts
from zhnerbench.baselines.chat_client import is_local as is_local  # re-exported: part of this module's API
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
#: Where an answer's ``{"entities": ...}`` object is looked for: at most this many ``{``.
MAX_OBJECT_STARTS = 64
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


def load_template(path: str | None) -> tuple[str, str]:
    """``(name, text)`` of the packaged NER template (``path`` is ``None``) or of the file ``path``.

    >>> name, text = load_template(None)
    >>> name, text.count("{text}")
    ('ner-v1', 1)
    """
    prompt = load_prompt(path, DEFAULT_PROMPT)
    return prompt.name, prompt.text


def extract_json_object(answer: str, key: str = "entities") -> dict[str, Any] | None:
    """The first JSON object in ``answer`` that has a ``key`` key, ignoring fences and prose.

    >>> extract_json_object('好的：\\n```json\\n{"entities": []}\\n```')
    {'entities': []}
    >>> extract_json_object('{"entities": [') is None
    True
    """
    decoder = json.JSONDecoder()
    start = answer.find("{")
    for _ in range(MAX_OBJECT_STARTS):  # each try may read far: a bounded number of them
        if start < 0:
            break
        try:
            value, _ = decoder.raw_decode(answer, start)
        except (ValueError, RecursionError):  # not JSON there, or nested deeper than Python's stack
            value = None
        if isinstance(value, dict) and key in value:
            return value
        start = answer.find("{", start + 1)
    return None


def parse_entities(answer: str) -> tuple[list[tuple[str, str]], int] | None:
    """The ``(text, label)`` items of an answer and how many entries were not such items;
    ``None`` when the answer has no ``{"entities": [...]}`` object.

    >>> parse_entities('{"entities": [{"text": "张三", "label": "PERSON"}, {"text": 3}]}')
    ([('张三', 'PERSON')], 1)
    >>> parse_entities("张三是人名") is None
    True
    """
    found = extract_json_object(answer)
    entries = found.get("entities") if found is not None else None
    if not isinstance(entries, list):
        return None
    items = [(entry["text"], entry["label"]) for entry in entries
             if isinstance(entry, dict) and isinstance(entry.get("text"), str) and entry["text"].strip()
             and isinstance(entry.get("label"), str)]
    return items, len(entries) - len(items)


def schema_label(label: str) -> str | None:
    """The schema label a model's label means, or ``None`` when it is unknown.

    >>> schema_label("person"), schema_label("Work of Art"), schema_label("ORGANIZATION"), schema_label("SPORT")
    ('PERSON', 'WORK_OF_ART', 'ORG', None)
    """
    key = re.sub(r"[\s-]+", "_", label.strip().upper())
    key = LABEL_SYNONYMS.get(key, key)
    return key if key in ENTITY_LABELS else None


def answer_spans(chunk: str, answer: str) -> tuple[list[Span], dict[str, Any]]:
    """The spans one answer places in ``chunk``, and what it could not use (counts, examples and
    the labels of unplaced items).

    >>> spans, found = answer_spans("上海市政府", '{"entities": [{"text": "上海市政府", "label": "ORG"}, '
    ...     '{"text": "上海", "label": "GPE"}, {"text": "北京", "label": "GPE"}, {"text": "x", "label": "SPORT"}]}')
    >>> spans, found["items"], found["overlapping"], found["unaligned"], found["unknown_label"], found["false_positive_labels"]
    ([Span(start=0, end=5, label='ORG')], 4, 1, 1, 1, ['?', 'GPE', 'GPE'])
    """
    parsed = parse_entities(answer)
    if parsed is None:
        return [], {"malformed": 1}
    items, bad_items = parsed
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
        other.client = copy.copy(self.client)
        other.client.decoding = replace(self.decoding, seed=(self.decoding.seed or 0) + index)
        other.diagnostics = {}
        return other

    def load(self) -> None:
        self._prompt = load_prompt(self.prompt, DEFAULT_PROMPT)
        self._pool = read_shot_pool(self.shot_pool, DEFAULT_SHOTS, "entities") if self.shots else None
        if self._pool is not None:
            self._pool.first(self.shots)  # more examples than the pool holds: said before anything is sent
        self.client.load()

    def manifest(self) -> dict[str, Any]:
        """What a record states of this run, so that it can be made again (nothing secret)."""
        prompt = self._prompt or load_prompt(self.prompt, DEFAULT_PROMPT)
        shots = {"pool": self._pool.name, "sha256": self._pool.sha256,
                 "ids": [shot.id for shot in self._pool.first(self.shots)]} if self._pool is not None else None
        return self.client.manifest("ner", self._served, prompt.name, prompt.sha256, shots)

    def predict(self, text: str) -> list[Span]:
        if not self.client.loaded or self._prompt is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        pieces = split_for_tagging(text, CHUNK_CHARS)
        chunks = [text[start:end] for start, end in pieces]
        shots = self._pool.first(self.shots) if self._pool is not None else ()
        outcomes = self.client.ask_all([conversation(SYSTEM_MESSAGE, self._prompt, shots, chunk) for chunk in chunks])
        spans: list[Span] = []
        found: Counter[str] = Counter()
        lists: dict[str, list[Any]] = {"unaligned_examples": [], "overlapping_examples": [], "false_positive_labels": []}
        for (start, _), chunk, outcome in zip(pieces, chunks, outcomes, strict=True):
            if outcome.answer is None:  # failed: counted below
                continue
            kept, unusable = answer_spans(chunk, outcome.answer.text)
            spans.extend(Span(start + span.start, start + span.end, span.label) for span in kept)
            for key, value in unusable.items():
                if isinstance(value, list):
                    lists[key].extend(value)
                else:
                    found[key] += value
        self._served = served_model(outcomes) or self._served
        self.diagnostics = self._diagnostics(chunks, outcomes, found, lists)
        self.client.check_usable(outcomes)
        answered = sum(outcome.answer is not None for outcome in outcomes)
        if not spans and answered and found["malformed"] + found["items"]:
            raise TaggerError(f"system {self.name}: nothing usable in {answered} answers ({diagnostics_summary(self.diagnostics)})")
        return sorted(spans)

    def _diagnostics(self, chunks: list[str], outcomes: list[Outcome], found: Counter[str],
                     lists: Mapping[str, list[Any]]) -> Diagnostics:
        usage = usage_counts(outcomes)
        return {
            "chunks": len(chunks),
            "requests": usage.pop("requests"),
            "retries": usage.pop("retries"),
            "cached": usage.pop("cached"),
            "failed": sum(outcome.answer is None for outcome in outcomes),
            **{key: found[key] for key in ("malformed", "items", "bad_items", "unknown_label", "unaligned", "overlapping")},
            **usage,
            "unaligned_examples": lists["unaligned_examples"][:EXAMPLES],
            "overlapping_examples": lists["overlapping_examples"][:EXAMPLES],
            "failed_examples": reasons(outcomes, [chunk[:20] for chunk in chunks], EXAMPLES),
            "false_positive_labels": sorted(lists["false_positive_labels"]),
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
