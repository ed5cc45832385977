"""Any chat model behind an OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, Ollama, ...), prompted for NER.

The text is cut into sentence-sized chunks (:func:`~zhnerbench.baselines.base.split_for_tagging`);
each chunk is sent, verbatim, inside a versioned prompt template (``baselines/prompts/ner-v1.md``: the
19 labels with definitions and invented examples, the rules, the JSON answer format). The
model answers with entity *strings*; :func:`~zhnerbench.baselines.alignment.align_strings`
places them in the chunk, and spans overlapping an earlier one are dropped (the flat views
score non-overlapping spans).

What can go wrong is counted, never a crash (``diagnostics`` after :meth:`OpenAIChatTagger.predict`):

* **Retries.** The ``openai`` client retries rate limits (429), 408, 409, server errors (5xx),
  connection errors and timeouts up to ``max_retries`` times, with exponential backoff
  (0.5 s doubling up to 8 s, with jitter) or the server's ``Retry-After`` (up to 2 minutes).
  A chunk whose request still fails is counted in ``failed`` and contributes no spans.
* **Answers.** Code fences and prose around the JSON are tolerated (the first ``{...}`` with
  an ``entities`` key is taken); an answer without one is ``malformed``. Labels are matched
  case-insensitively, with a few synonyms (``PER`` -> ``PERSON``); others are ``unknown_label``.
* **Unreachable server.** When no chunk got an answer because the server could not be reached
  (or refused every request: 401, 403, 404, i.e. a wrong key or model), :class:`BaselineUnavailable`
  is raised, so the leaderboard lists the system as unavailable instead of scoring an empty output.
  After the first such failure the chunks not yet sent are skipped.
* **JSON mode.** Requests ask for ``response_format={"type": "json_object"}``; a server that
  rejects it with 400/422 is asked again without it (and not asked with it again).

Answers are cached (``$ZHNERBENCH_CACHE/llm``, one JSON file per answer), keyed by the
base URL, the model, the prompt template's SHA-256, the chunk and the temperature (0): a
rebuild sends no request and gives identical spans. Only answers the server gave (HTTP 200
with content) are cached, malformed ones included, so a rebuild is identical.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from zhnerbench.baselines.alignment import align_strings, drop_overlapping
from zhnerbench.baselines.base import (
    BaselineUnavailable,
    TaggerError,
    diagnostics_summary,
    one_line,
    package_version,
    require_module,
    split_for_tagging,
)
from zhnerbench.baselines.cache import cache_root
from zhnerbench.digests import sha256_hex
from zhnerbench.errors import ZhNerBenchError
from zhnerbench.model import Span
from zhnerbench.paths import PROMPTS_DIR, install_root
from zhnerbench.schema import ENTITY_LABELS
from zhnerbench.secrets import public_url, scrub, url_secrets

if TYPE_CHECKING:  # an optional dependency: imported by load(), not by this module
    from openai import OpenAI
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

REQUIRES = "pip install 'zhnerbench[openai]' and an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY)"
#: The packaged prompt template, versioned by its file name.
#: The longest answer kept (and cached): an entity list for a chunk of text is far shorter.
MAX_ANSWER_CHARS = 100_000
#: Where an answer's ``{"entities": ...}`` object is looked for: at most this many ``{``.
MAX_OBJECT_STARTS = 64
#: The shipped prompt template, in ``baselines/prompts/`` (:data:`zhnerbench.paths.PROMPTS_DIR`).
DEFAULT_PROMPT = "ner-v1.md"
PLACEHOLDER = "{text}"
SYSTEM_MESSAGE = "You annotate named entities in Chinese news text. Answer with one JSON object only."
TEMPERATURE = 0.0
#: Chunks are sentences (cut after 。！？；); an LLM has no 100-character training limit, so
#: only a runaway line is cut, and rarely inside a name.
CHUNK_CHARS = 300
#: A base URL on this machine needs no real key (vLLM, llama.cpp and Ollama ignore it).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: HTTP statuses that say the configuration is wrong (key, permission, model): every request will fail.
REFUSED_STATUSES = frozenset({401, 403, 404})
EXAMPLES = 10

#: Labels models commonly use instead of the schema's, upper-cased with ``_`` for spaces and hyphens.
LABEL_SYNONYMS: Mapping[str, str] = {
    "PER": "PERSON", "PERS": "PERSON", "PEOPLE": "PERSON",
    "LOCATION": "LOC",
    "ORGANIZATION": "ORG", "ORGANISATION": "ORG",
    "FACILITY": "FAC",
    "POSITION": "TITLE", "JOB_TITLE": "TITLE",
    "WORK": "WORK_OF_ART", "WORKOFART": "WORK_OF_ART",
}

Diagnostics = dict[str, int | list[list[str]]]


class PromptError(BaselineUnavailable):
    """A prompt template that cannot be used (missing file, no ``{text}`` placeholder)."""


def chat_system_name(model: str) -> str:
    """The leaderboard name of a model: ``openai-`` + the model id made a system name (lower
    case, file-name safe, at most 64 characters).

    >>> chat_system_name("Qwen/Qwen2.5-7B-Instruct:q4")
    'openai-qwen-qwen2.5-7b-instruct-q4'
    >>> len(chat_system_name("x" * 200))
    64
    """
    return ("openai-" + re.sub(r"[^a-z0-9._-]", "-", model.lower()))[:64].rstrip("-.")


def is_local(base_url: str | None) -> bool:
    """Whether ``base_url`` points at this machine.

    >>> is_local("http://127.0.0.1:8000/v1"), is_local("http://localhost/v1"), is_local("https://api.example.com/v1")
    (True, True, False)
    >>> is_local(None)
    False
    """
    return base_url is not None and urlparse(base_url).hostname in LOCAL_HOSTS


def load_template(path: str | None) -> tuple[str, str]:
    """``(name, text)`` of the packaged template (``path`` is ``None``) or of the file ``path``.

    >>> name, text = load_template(None)
    >>> name, text.count(PLACEHOLDER)
    ('ner-v1', 1)
    """
    try:
        if path is None:
            text = (install_root() / PROMPTS_DIR / DEFAULT_PROMPT).read_text(encoding="utf-8")
            name = Path(DEFAULT_PROMPT).stem
        else:
            text, name = Path(path).read_text(encoding="utf-8"), Path(path).stem
    except (OSError, UnicodeDecodeError) as error:
        raise PromptError(f"cannot read the prompt template {path or DEFAULT_PROMPT}: {one_line(error)}") from None
    if PLACEHOLDER not in text:
        raise PromptError(f"the prompt template {path or DEFAULT_PROMPT} has no {PLACEHOLDER} placeholder")
    return name, text


def fill(template: str, text: str) -> str:
    """The template with the chunk in place of ``{text}`` (plain replacement: JSON braces need no escaping).

    >>> fill('Text: {text} -> {"entities": []}', "张三")
    'Text: 张三 -> {"entities": []}'
    """
    return template.replace(PLACEHOLDER, text)


def answer_key(base_url: str | None, model: str, template: str, chunk: str, temperature: float = TEMPERATURE) -> str:
    """The cache key of one answer: everything that determines it.

    >>> answer_key(None, "m", "t {text}", "甲") == answer_key("", "m", "t {text}", "甲")
    True
    >>> answer_key(None, "m", "t {text}", "甲") == answer_key(None, "m", "t {text}", "乙")
    False
    """
    payload = json.dumps([base_url or "", model, sha256_hex(template), chunk, temperature], ensure_ascii=False)
    return sha256_hex(payload)


def read_cached(path: Path) -> str | None:
    """The answer stored at ``path``; ``None`` when absent or unreadable (then it is asked again)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    answer = stored.get("answer") if isinstance(stored, dict) else None
    return answer if isinstance(answer, str) else None


def write_cached(path: Path, answer: str, about: Mapping[str, str]) -> None:
    """Store ``answer`` atomically (a temporary file renamed over it): concurrent runs never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem[:16], suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({**about, "answer": answer}, file, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def extract_json_object(answer: str) -> dict[str, Any] | None:
    """The first JSON object in ``answer`` that has an ``entities`` key, ignoring fences and prose.

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
        if isinstance(value, dict) and "entities" in value:
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


def _caused_by(error: BaseException, type_name: str) -> bool:
    """Whether ``type_name`` is the type of ``error`` or of an exception in its cause chain."""
    seen: BaseException | None = error
    for _ in range(10):  # a bounded walk: cause chains can be cyclic
        if seen is None:
            return False
        if type(seen).__name__ == type_name:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _chat_content(completion: ChatCompletion) -> str | None:
    """The answer text; ``None`` for an answer without one (a compatible server may omit fields)."""
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    return content if isinstance(content, str) else None


@dataclass
class _Outcome:
    """What happened to one chunk: its answer (``None`` when none came) and how it was obtained."""

    answer: str | None = None
    cached: bool = False
    requests: int = 0
    #: "" when answered; else "unreachable", "refused" (401/403/404), "failed" or "skipped".
    kind: str = ""
    reason: str = ""


@dataclass
class _Run:
    """State shared by the requests of one :meth:`OpenAIChatTagger.predict` call."""

    reached: threading.Event
    stop: threading.Event


class OpenAIChatTagger:
    """A chat model prompted with ``baselines/prompts/ner-v1.md`` (or ``prompt``), predicting the 19 schema labels.

    >>> tagger = OpenAIChatTagger(model="gpt-4o-mini", msra=True)  # unknown options are ignored
    >>> tagger.name, tagger.version.startswith("gpt-4o-mini prompt ner-v1 (openai ")
    ('openai-gpt-4o-mini', True)
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
        **ignored: Any,
    ) -> None:
        if not model:
            raise ZhNerBenchError("an OpenAI-compatible system needs a model id")
        if concurrency < 1 or timeout <= 0 or max_retries < 0:
            raise ZhNerBenchError(f"{chat_system_name(model)}: concurrency must be >= 1, timeout > 0 "
                                  "and max_retries >= 0")
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.api_key = api_key
        self.concurrency, self.timeout, self.max_retries = concurrency, timeout, max_retries
        self.prompt, self.cache = prompt, cache
        # Recorded for the leaderboard's options; an LLM reads the verbatim text.
        self.normalize_punctuation = normalize_punctuation
        self.name = chat_system_name(model)
        prompt_name = Path(prompt).stem if prompt else Path(DEFAULT_PROMPT).stem
        self.version = f"{model} prompt {prompt_name} (openai {package_version('openai')})"
        self.diagnostics: Diagnostics = {}
        self._client: OpenAI | None = None
        self._template = ""
        self._json_mode = True

    # -- loading ---------------------------------------------------------------------------

    def _resolved_api_key(self) -> str:
        key = self.api_key or os.environ.get("OPENAI_API_KEY")
        if key:
            return key
        if is_local(self.base_url):
            return "unused"
        raise BaselineUnavailable("no API key: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server)")

    def load(self) -> None:
        require_module("openai", self.requires)
        import openai

        api_key = self._resolved_api_key()
        _, self._template = load_template(self.prompt)
        try:
            self._client = openai.OpenAI(base_url=self.base_url, api_key=api_key, timeout=self.timeout,
                                         max_retries=self.max_retries)
        except openai.OpenAIError as error:
            raise BaselineUnavailable(f"cannot configure the OpenAI client: {self._scrub(one_line(error))}") from None

    @property
    def endpoint(self) -> str:
        """The base URL requests go to, for messages: scheme, host, port and path, nothing secret."""
        url = str(self._client.base_url) if self._client is not None else self.base_url
        return public_url(url) if url else "the OpenAI API"

    def _scrub(self, text: str) -> str:
        """``text`` without the API key, the URL's user, password and query, or any URL's (see
        :mod:`zhnerbench.secrets`): what reasons, diagnostics and messages are made of."""
        return scrub(text, [self.api_key, os.environ.get("OPENAI_API_KEY"), *url_secrets(self.base_url)])

    # -- one chunk -----------------------------------------------------------------------

    def _cache_path(self, chunk: str) -> Path:
        # The public URL: a password or key in the URL must not reach a cache key.
        url = public_url(self.base_url) if self.base_url else None
        return cache_root() / "llm" / f"{answer_key(url, self.model, self._template, chunk)}.json"

    def _complete(self, chunk: str, outcome: _Outcome) -> str | None:
        """One chat completion for ``chunk`` (again without JSON mode if the server rejects it)."""
        import openai

        assert self._client is not None
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": SYSTEM_MESSAGE},
            {"role": "user", "content": fill(self._template, chunk)},
        ]
        create = self._client.chat.completions.create
        if self._json_mode:
            outcome.requests += 1
            try:
                return _chat_content(create(model=self.model, messages=messages, temperature=TEMPERATURE,
                                            response_format={"type": "json_object"}))
            except (openai.BadRequestError, openai.UnprocessableEntityError) as error:
                text = f"{error.message} {error.body}".lower()
                if "response_format" not in text and "json_object" not in text:
                    raise
                self._json_mode = False  # a property of the server: do not ask again
        outcome.requests += 1
        return _chat_content(create(model=self.model, messages=messages, temperature=TEMPERATURE))

    def _answer(self, chunk: str, run: _Run) -> _Outcome:
        """The answer for ``chunk``: from the cache, else from the server; failures are recorded, not raised."""
        import openai

        outcome = _Outcome()
        path = self._cache_path(chunk) if self.cache else None
        if path is not None and (cached := read_cached(path)) is not None:
            outcome.answer, outcome.cached = cached, True
            return outcome
        if run.stop.is_set():
            outcome.kind, outcome.reason = "skipped", "not sent: the server could not be used"
            return outcome
        try:
            answer = self._complete(chunk, outcome)
        except openai.APIConnectionError as error:
            # A read timeout means the server was reached (it is slow); a refused or timed-out
            # connection means it was not.
            reached = isinstance(error, openai.APITimeoutError) and not _caused_by(error, "ConnectTimeout")
            outcome.kind, outcome.reason = ("failed" if reached else "unreachable"), self._scrub(one_line(error))
        except openai.APIStatusError as error:
            run.reached.set()
            outcome.kind = "refused" if error.status_code in REFUSED_STATUSES else "failed"
            # The server's error body may echo the key: scrubbed like everything else.
            outcome.reason = self._scrub(f"HTTP {error.status_code}: {one_line(error)}")
        except (openai.OpenAIError, ValueError, UnicodeDecodeError, RecursionError) as error:
            # Also a 200 whose body is not JSON, not UTF-8 or nested too deep to decode.
            outcome.kind, outcome.reason = "failed", self._scrub(one_line(error))
        else:
            run.reached.set()
            if answer is not None and len(answer) > MAX_ANSWER_CHARS:
                # Bounded before it is parsed or cached: a server's 50 MB answer is no list of entities.
                outcome.kind, outcome.reason = "failed", f"an answer of {len(answer):,} characters (at most {MAX_ANSWER_CHARS:,})"
                return outcome
            outcome.answer = answer or ""
            if path is not None and answer:
                write_cached(path, answer, {"model": self.model})  # no URL: it may hold credentials
            return outcome
        if outcome.kind in ("unreachable", "refused") and not run.reached.is_set():
            run.stop.set()  # the chunks not yet sent would fail the same way, each after its retries
        return outcome

    # -- the text ------------------------------------------------------------------------

    def _check_usable(self, outcomes: Sequence[_Outcome]) -> None:
        """Raise when no chunk got an answer: :class:`BaselineUnavailable` when the server cannot
        be used (unreachable, refusing), :class:`TaggerError` when it answered nothing usable
        (errors, empty or oversized answers) — a run that failed says so, never an empty file."""
        if not outcomes or any(outcome.answer for outcome in outcomes):
            return
        kinds = {outcome.kind for outcome in outcomes} - {"skipped"}
        first = next((outcome.reason for outcome in outcomes if outcome.kind not in ("skipped", "")), "")
        if kinds == {"unreachable"}:
            raise BaselineUnavailable(f"cannot reach {self.endpoint}: {first}")
        if kinds and kinds <= {"unreachable", "refused"}:
            refused = next(outcome.reason for outcome in outcomes if outcome.kind == "refused")
            raise BaselineUnavailable(f"{self.endpoint} refused every request for {self.model}: {refused}")
        raise TaggerError(f"system {self.name}: no request to {self.endpoint} gave an answer "
                          f"({first or 'every answer was empty'})")

    def predict(self, text: str) -> list[Span]:
        if self._client is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        pieces = split_for_tagging(text, CHUNK_CHARS)
        chunks = [text[start:end] for start, end in pieces]
        run = _Run(threading.Event(), threading.Event())
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix=self.name) as pool:
            outcomes = list(pool.map(lambda chunk: self._answer(chunk, run), chunks))
        counts = {key: 0 for key in ("malformed", "bad_items", "unknown_label", "unaligned", "overlapping")}
        unaligned_examples: list[list[str]] = []
        overlapping_examples: list[list[str]] = []
        spans: list[Span] = []
        for (start, _), chunk, outcome in zip(pieces, chunks, outcomes, strict=True):
            if outcome.answer is None:  # failed: counted below
                continue
            parsed = parse_entities(outcome.answer)
            if parsed is None:
                counts["malformed"] += 1
                continue
            items, bad_items = parsed
            counts["bad_items"] += bad_items
            labelled = [(string, label) for string, raw in items if (label := schema_label(raw)) is not None]
            counts["unknown_label"] += len(items) - len(labelled)
            found, unaligned = align_strings(chunk, labelled)
            kept, dropped = drop_overlapping(found)
            counts["unaligned"] += len(unaligned)
            counts["overlapping"] += len(dropped)
            unaligned_examples.extend([string, label] for string, label in unaligned)
            overlapping_examples.extend([chunk[span.start:span.end], span.label] for span in dropped)
            spans.extend(Span(start + span.start, start + span.end, span.label) for span in kept)
        failed = [outcome for outcome in outcomes if outcome.answer is None]
        self.diagnostics = {
            "chunks": len(chunks),
            "requests": sum(outcome.requests for outcome in outcomes),
            "cached": sum(outcome.cached for outcome in outcomes),
            "failed": len(failed),
            **counts,
            "unaligned_examples": unaligned_examples[:EXAMPLES],
            "overlapping_examples": overlapping_examples[:EXAMPLES],
            "failed_examples": [[chunk[:20], outcome.reason] for chunk, outcome in zip(chunks, outcomes, strict=True)
                                if outcome.answer is None][:EXAMPLES],
        }
        self._check_usable(outcomes)
        answered = sum(outcome.answer is not None for outcome in outcomes)
        unusable = counts["malformed"] + counts["bad_items"] + counts["unknown_label"] + counts["unaligned"]
        if not spans and answered and unusable:
            raise TaggerError(f"system {self.name}: nothing usable in {answered} answers ({diagnostics_summary(self.diagnostics)})")
        return sorted(spans)


def create(model: str, **options: Any) -> OpenAIChatTagger:
    """The ``openai:MODEL`` spec's factory; options unset on the command line (``None``) keep their defaults.

    >>> create("gpt-4o-mini", concurrency=None, timeout=30.0, device="cpu").timeout
    30.0
    """
    return OpenAIChatTagger(model=model, **{key: value for key, value in options.items() if value is not None})
