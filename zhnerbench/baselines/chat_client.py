"""One OpenAI-compatible chat endpoint, asked many questions at once: what the LLM tasks share.

:class:`ChatClient` sends conversations to ``/chat/completions`` with the ``openai`` client,
``concurrency`` at a time, and turns whatever happens into an :class:`Outcome` (never an
exception):

* **Retries.** The ``openai`` client retries rate limits (429), 408, 409, server errors (5xx),
  connection errors and timeouts up to ``max_retries`` times, with exponential backoff (0.5 s
  doubling up to 8 s, with jitter) or the server's ``Retry-After`` (up to 2 minutes); the
  retries are counted (every HTTP request the client sends, by a hook on its transport, less
  the requests asked for). A conversation whose request still fails has no answer and a reason.
* **JSON mode.** Requests ask for ``response_format={"type": "json_object"}``; a server that
  rejects it with 400/422 is asked again without it (and not asked with it again).
* **Usage and latency.** Each answer keeps the model name the server reports, the ``usage``
  token counts the server returns (0 when it returns none) and the seconds its request took,
  retries included.
* **Cache.** Answers are stored in ``$ZHNERBENCH_CACHE/llm``, one JSON file per answer, keyed
  by everything that determines it (:func:`answer_key`: the endpoint's public URL, the model,
  the messages and the decoding settings), with their usage and latency: a rebuild sends no
  request and reports the same tokens, cost and latency. Only answers the server gave (HTTP
  200 with content) are cached.
* **Unusable servers.** After a first request that could not reach the server, or that it
  refused (401, 403, 404: a wrong key or model), before any answer came, the conversations not
  yet sent are skipped: they would fail the same way, each after its retries.

No secret reaches a cache key, a cache file or a reason: URLs are reduced to
:func:`~zhnerbench.secrets.public_url` and every reason goes through
:func:`~zhnerbench.secrets.scrub` with the key and the URL's secrets.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from zhnerbench.baselines.base import BaselineUnavailable, TaggerError, one_line, package_version, require_module
from zhnerbench.baselines.cache import cache_root
from zhnerbench.digests import sha256_hex
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.secrets import public_url, scrub, url_secrets

if TYPE_CHECKING:  # an optional dependency: imported by load(), not by this module
    from openai import OpenAI
    from openai.types.chat import ChatCompletion

#: The longest answer kept (and cached): an entity or relation list is far shorter.
MAX_ANSWER_CHARS = 100_000
#: A base URL on this machine needs no real key (vLLM, llama.cpp and Ollama ignore it).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: HTTP statuses that say the configuration is wrong (key, permission, model): every request will fail.
REFUSED_STATUSES = frozenset({401, 403, 404})

Message = dict[str, str]


@dataclass(frozen=True)
class Decoding:
    """The decoding settings of every request; ``None`` leaves a setting to the server (and out
    of the request).

    >>> Decoding(top_p=0.9, seed=3).request_options()
    {'temperature': 0.0, 'top_p': 0.9, 'seed': 3}
    """

    temperature: float = 0.0
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int | None = None

    def request_options(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    def problem(self) -> str | None:
        """What is wrong with the settings, if anything.

        >>> Decoding(temperature=3).problem()
        'temperature must be between 0 and 2, top_p in (0, 1], max_tokens and seed >= 1 and >= 0'
        """
        if not 0 <= self.temperature <= 2 or (self.top_p is not None and not 0 < self.top_p <= 1) \
                or (self.max_tokens is not None and self.max_tokens < 1) or (self.seed is not None and self.seed < 0):
            return "temperature must be between 0 and 2, top_p in (0, 1], max_tokens and seed >= 1 and >= 0"
        return None


@dataclass(frozen=True)
class Answer:
    """One answer of the server (or of the cache, as the server gave it)."""

    text: str
    #: The model name the server reported ("" when it reported none).
    served_model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    #: How long the request took, retries included; to 0.1 ms, the precision the cache keeps, so
    #: a rebuild from the cache reports the very latencies of the run that asked.
    seconds: float = 0.0


@dataclass
class Outcome:
    """What happened to one conversation: its answer (``None`` when none came) and how it was obtained."""

    answer: Answer | None = None
    cached: bool = False
    requests: int = 0
    retries: int = 0
    #: "" when answered; else "unreachable", "refused" (401/403/404), "failed" or "skipped".
    kind: str = ""
    reason: str = ""


@dataclass
class _Run:
    """State shared by the requests of one :meth:`ChatClient.ask_all` call."""

    reached: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


def is_local(base_url: str | None) -> bool:
    """Whether ``base_url`` points at this machine.

    >>> is_local("http://127.0.0.1:8000/v1"), is_local("http://localhost/v1"), is_local("https://api.example.com/v1")
    (True, True, False)
    >>> is_local(None)
    False
    """
    return base_url is not None and urlparse(base_url).hostname in LOCAL_HOSTS


def answer_key(public_base_url: str | None, model: str, messages: Sequence[Message], decoding: Decoding) -> str:
    """The cache key of one answer: everything that determines it (the URL without its secrets).

    >>> key = answer_key(None, "m", [{"role": "user", "content": "甲"}], Decoding())
    >>> key == answer_key("", "m", [{"role": "user", "content": "甲"}], Decoding())
    True
    >>> key == answer_key(None, "m", [{"role": "user", "content": "甲"}], Decoding(seed=1))
    False
    """
    payload = json.dumps([public_base_url or "", model, list(messages), asdict(decoding)], ensure_ascii=False,
                         sort_keys=True)
    return sha256_hex(payload)


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def read_cached(path: Path) -> Answer | None:
    """The answer stored at ``path``; ``None`` when absent or unreadable (then it is asked again)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or not isinstance(stored.get("answer"), str):
        return None
    seconds = stored.get("seconds")
    served = stored.get("served_model")
    return Answer(stored["answer"], served if isinstance(served, str) else "", _count(stored.get("input_tokens")),
                  _count(stored.get("output_tokens")),
                  float(seconds) if isinstance(seconds, (int, float)) and 0 <= seconds < 1e6 else 0.0)


def write_cached(path: Path, answer: Answer, model: str) -> None:
    """Store ``answer`` atomically (a temporary file renamed over it): concurrent runs never see
    half a file. No URL is stored: it may hold credentials."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem[:16], suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"model": model, "served_model": answer.served_model, "input_tokens": answer.input_tokens,
                       "output_tokens": answer.output_tokens, "seconds": round(answer.seconds, 4),
                       "answer": answer.text}, file, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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


def completion_answer(completion: ChatCompletion, seconds: float) -> Answer | None:
    """The answer in a completion; ``None`` for one without text (a compatible server may omit fields)."""
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    if not isinstance(content, str):
        return None
    usage = getattr(completion, "usage", None)
    served = getattr(completion, "model", "")
    return Answer(content, served[:200] if isinstance(served, str) else "",
                  _count(getattr(usage, "prompt_tokens", 0)), _count(getattr(usage, "completion_tokens", 0)), round(seconds, 4))


class ChatClient:
    """A configured endpoint and model: ``load()`` once, then :meth:`ask_all` (see the module doc)."""

    def __init__(self, *, model: str, base_url: str | None, api_key: str | None, concurrency: int, timeout: float,
                 max_retries: int, cache: bool, decoding: Decoding, requires: str, name: str) -> None:
        if concurrency < 1 or timeout <= 0 or max_retries < 0:
            raise ZhNerBenchError(f"{name}: concurrency must be >= 1, timeout > 0 and max_retries >= 0")
        problem = decoding.problem()
        if problem is not None:
            raise ZhNerBenchError(f"{name}: {problem}")
        self.model, self.name, self.requires = model, name, requires
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.api_key = api_key
        self.concurrency, self.timeout, self.max_retries = concurrency, timeout, max_retries
        self.cache, self.decoding = cache, decoding
        self._client: OpenAI | None = None
        self._json_mode = True
        self._attempts = threading.local()

    @property
    def loaded(self) -> bool:
        return self._client is not None

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
        try:
            # The hook sees every HTTP request, retries included, in the thread that asked (an
            # openai client whose transport takes no hooks counts no retries).
            try:
                http_client = openai.DefaultHttpxClient(event_hooks={"request": [self._count_attempt]})
            except (AttributeError, TypeError):
                http_client = None
            self._client = openai.OpenAI(base_url=self.base_url, api_key=api_key, timeout=self.timeout,
                                         max_retries=self.max_retries, http_client=http_client)
        except openai.OpenAIError as error:
            raise BaselineUnavailable(f"cannot configure the OpenAI client: {self.scrub(one_line(error))}") from None

    def _count_attempt(self, request: object) -> None:
        self._attempts.count = getattr(self._attempts, "count", 0) + 1

    def manifest(self, task: str, served_model: str, prompt_name: str, prompt_sha256: str,
                 shots: Mapping[str, Any] | None) -> dict[str, Any]:
        """What a record states of a run through this client, so that it can be made again
        (nothing secret: the endpoint is its public part)."""
        return {"task": task, "model": self.model, "served_model": served_model, "endpoint": self.endpoint,
                **asdict(self.decoding), "prompt": {"name": prompt_name, "sha256": prompt_sha256}, "shots": shots,
                "client": f"openai {package_version('openai')}"}

    @property
    def endpoint(self) -> str:
        """The base URL requests go to, for messages and manifests: scheme, host, port and path, nothing secret."""
        url = str(self._client.base_url) if self._client is not None else self.base_url
        return public_url(url) if url else "the OpenAI API"

    def scrub(self, text: str) -> str:
        """``text`` without the API key, the URL's user, password and query, or any URL's."""
        return scrub(text, [self.api_key, os.environ.get("OPENAI_API_KEY"), *url_secrets(self.base_url)])

    def cache_path(self, messages: Sequence[Message]) -> Path:
        # The public URL: a password or key in the URL must not reach a cache key.
        url = public_url(self.base_url) if self.base_url else None
        return cache_root() / "llm" / f"{answer_key(url, self.model, messages, self.decoding)}.json"

    # -- one conversation ----------------------------------------------------------------

    def _complete(self, messages: Sequence[Message], outcome: Outcome) -> Answer | None:
        """One chat completion (again without JSON mode if the server rejects it)."""
        import openai

        assert self._client is not None
        create = self._client.chat.completions.create
        options: dict[str, Any] = {"model": self.model, "messages": list(messages), **self.decoding.request_options()}
        if self._json_mode:
            outcome.requests += 1
            started = time.perf_counter()
            try:
                return completion_answer(create(**options, response_format={"type": "json_object"}),
                                         time.perf_counter() - started)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as error:
                text = f"{error.message} {error.body}".lower()
                if "response_format" not in text and "json_object" not in text:
                    raise
                self._json_mode = False  # a property of the server: do not ask again
        outcome.requests += 1
        started = time.perf_counter()
        return completion_answer(create(**options), time.perf_counter() - started)

    def _ask(self, messages: Sequence[Message], run: _Run) -> Outcome:
        """The answer to one conversation: from the cache, else from the server; failures are recorded, not raised."""
        outcome = self._ask_server(messages, run)
        outcome.retries = max(0, getattr(self._attempts, "count", 0) - outcome.requests) if outcome.requests else 0
        return outcome

    def _ask_server(self, messages: Sequence[Message], run: _Run) -> Outcome:
        import openai

        outcome = Outcome()
        path = self.cache_path(messages) if self.cache else None
        if path is not None and (cached := read_cached(path)) is not None:
            outcome.answer, outcome.cached = cached, True
            return outcome
        if run.stop.is_set():
            outcome.kind, outcome.reason = "skipped", "not sent: the server could not be used"
            return outcome
        self._attempts.count = 0
        try:
            answer = self._complete(messages, outcome)
        except openai.APIConnectionError as error:
            # A read timeout means the server was reached (it is slow); a refused or timed-out
            # connection means it was not.
            reached = isinstance(error, openai.APITimeoutError) and not _caused_by(error, "ConnectTimeout")
            outcome.kind, outcome.reason = ("failed" if reached else "unreachable"), self.scrub(one_line(error))
        except openai.APIStatusError as error:
            run.reached.set()
            outcome.kind = "refused" if error.status_code in REFUSED_STATUSES else "failed"
            # The server's error body may echo the key: scrubbed like everything else.
            outcome.reason = self.scrub(f"HTTP {error.status_code}: {one_line(error)}")
        except (openai.OpenAIError, ValueError, UnicodeDecodeError, RecursionError) as error:
            # Also a 200 whose body is not JSON, not UTF-8 or nested too deep to decode.
            outcome.kind, outcome.reason = "failed", self.scrub(one_line(error))
        else:
            run.reached.set()
            if answer is not None and len(answer.text) > MAX_ANSWER_CHARS:
                # Bounded before it is parsed or cached: a server's 50 MB answer is no list of entities.
                outcome.kind = "failed"
                outcome.reason = f"an answer of {len(answer.text):,} characters (at most {MAX_ANSWER_CHARS:,})"
                return outcome
            outcome.answer = answer or Answer("")
            if path is not None and outcome.answer.text:
                write_cached(path, outcome.answer, self.model)
            return outcome
        if outcome.kind in ("unreachable", "refused") and not run.reached.is_set():
            run.stop.set()
        return outcome

    # -- many ----------------------------------------------------------------------------

    def ask_all(self, conversations: Sequence[Sequence[Message]]) -> list[Outcome]:
        """Every conversation's outcome, in order, ``concurrency`` requests at a time."""
        if self._client is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        run = _Run()
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix=self.name) as pool:
            return list(pool.map(lambda messages: self._ask(messages, run), conversations))

    def check_usable(self, outcomes: Sequence[Outcome]) -> None:
        """Raise when no conversation got an answer: :class:`BaselineUnavailable` when the server
        cannot be used (unreachable, refusing), :class:`TaggerError` when it answered nothing
        usable (errors, empty or oversized answers): a run that failed says so, never an empty file."""
        if not outcomes or any(outcome.answer is not None and outcome.answer.text for outcome in outcomes):
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


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` percentile of ``values`` (linear interpolation between ranks), ``None`` for none.

    >>> percentile([0.2, 0.4, 0.3, 0.1], 0.5), percentile([1.0, 2.0], 0.95), percentile([], 0.5)
    (0.25, 1.95, None)
    """
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def usage_counts(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """What a run's requests cost and took: tokens and latency of every answer (cached ones as
    the server gave them), and the requests, retries and cache hits of this call.

    >>> usage_counts([Outcome(Answer("a", "m", 10, 2, 0.5), requests=1, retries=1), Outcome(Answer("b", "m", 5, 1, 1.5), cached=True)])
    {'requests': 1, 'retries': 1, 'cached': 1, 'input_tokens': 15, 'output_tokens': 3, 'latency_p50': 1.0, 'latency_p95': 1.45}
    """
    answers = [outcome.answer for outcome in outcomes if outcome.answer is not None]
    seconds = [answer.seconds for answer in answers if answer.seconds > 0]
    p50, p95 = percentile(seconds, 0.5), percentile(seconds, 0.95)
    return {
        "requests": sum(outcome.requests for outcome in outcomes),
        "retries": sum(outcome.retries for outcome in outcomes),
        "cached": sum(outcome.cached for outcome in outcomes),
        "input_tokens": sum(answer.input_tokens for answer in answers),
        "output_tokens": sum(answer.output_tokens for answer in answers),
        "latency_p50": round(p50, 3) if p50 is not None else None,
        "latency_p95": round(p95, 3) if p95 is not None else None,
    }


def served_model(outcomes: Sequence[Outcome]) -> str:
    """The model name the server reported in its answers (the most common, for a server that
    routes), ``""`` when none did.

    >>> served_model([Outcome(Answer("a", "m-2024")), Outcome(None), Outcome(Answer("b", ""))])
    'm-2024'
    """
    names = [outcome.answer.served_model for outcome in outcomes if outcome.answer is not None and outcome.answer.served_model]
    return max(sorted(set(names)), key=names.count) if names else ""


def reasons(outcomes: Sequence[Outcome], labels: Sequence[str], limit: int) -> list[list[str]]:
    """``[label, reason]`` of the first ``limit`` conversations that got no answer."""
    return [[label, outcome.reason] for label, outcome in zip(labels, outcomes, strict=True)
            if outcome.answer is None][:limit]

