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
* **Deadlines.** ``timeout`` bounds each HTTP request as a whole, the response's last byte
  included (:mod:`~zhnerbench.baselines.request_deadline`: httpx's own timeouts bound each
  read, which a trickling server never trips). Requests run in daemon threads: a caller that
  stops waiting (a document's deadline, Ctrl-C) abandons them, and :meth:`ChatClient.cancel`
  keeps the conversations not yet sent from being sent.
* **Usage and latency.** Each answer keeps the model name the server reports, the ``usage``
  token counts the server returns (0 when it returns none; reasoning tokens where it reports
  them), the seconds its request took, retries included, why the server stopped
  (``finish_reason``) and the reasoning it returned in a field of its own.
* **Cache.** Answers are stored in ``$ZHNERBENCH_CACHE/llm``, one JSON file per answer, keyed
  by everything that determines it (:func:`answer_key`: the endpoint's public URL, the model,
  the messages and the decoding settings), with their usage, latency, finish reason and
  reasoning: a rebuild sends no request and reports the same tokens, cost, latency,
  truncations and reasoning. Only answers the server gave (HTTP 200 with content, reasoning
  or a stop at the token limit) are cached. A file of another :data:`CACHE_FORMAT` (one
  written before finish reasons and reasoning were kept) is asked again and replaced.
* **Unusable servers.** After a first request that could not reach the server, or that it
  refused (401, 403, 404: a wrong key or model), before any answer came, the conversations not
  yet sent are skipped: they would fail the same way, each after its retries.

No secret reaches a cache key, a cache file or a reason: URLs are reduced to
:func:`~zhnerbench.secrets.public_url` and every reason goes through
:func:`~zhnerbench.secrets.scrub` with the key and the URL's secrets.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from zhnerbench.baselines.base import BaselineUnavailable, TaggerError, one_line, package_version, require_module
from zhnerbench.baselines.cache import cache_root
from zhnerbench.baselines.request_deadline import add_deadline
from zhnerbench.digests import sha256_hex
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.secrets import public_url, scrub, url_secrets
from zhnerbench.writing import write_atomically

if TYPE_CHECKING:  # an optional dependency: imported by load(), not by this module
    from openai import OpenAI
    from openai.types.chat import ChatCompletion

#: The longest answer kept (and cached): an entity or relation list is far shorter.
MAX_ANSWER_CHARS = 100_000
#: How much of a reasoning field is kept (and cached): it is never read, only stored for a look.
MAX_REASONING_CHARS = 100_000
#: The version of the cache files' content: 2 added the finish reason and the reasoning.
CACHE_FORMAT = 2
#: Where servers put reasoning beside the content: DeepSeek's API and vLLM (``reasoning_content``), vLLM >= 0.9 (``reasoning``).
REASONING_FIELDS = ("reasoning_content", "reasoning")
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
    #: Why the server stopped: "stop", "length" (the token limit)...; "" when it did not say.
    finish_reason: str = ""
    #: The reasoning the server returned beside the content (``reasoning_content`` or
    #: ``reasoning``; "" when none), never read for the answer.
    reasoning: str = ""
    #: The reasoning tokens ``usage`` reported (``completion_tokens_details.reasoning_tokens``),
    #: ``None`` when it reported none.
    reasoning_tokens: int | None = None

    @property
    def empty(self) -> bool:
        """Whether the server said nothing: no content, no reasoning, not stopped by the token limit."""
        return not self.text and not self.reasoning and self.finish_reason != "length"


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
    #: Set by :meth:`ChatClient.cancel`: the conversations not yet sent are not sent.
    cancelled: threading.Event = field(default_factory=threading.Event)


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


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def read_cached(path: Path) -> Answer | None:
    """The answer stored at ``path``; ``None`` when absent, unreadable or of another
    :data:`CACHE_FORMAT` (then it is asked again)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != CACHE_FORMAT or not isinstance(stored.get("answer"), str):
        return None
    seconds = stored.get("seconds")
    reasoning_tokens = stored.get("reasoning_tokens")
    return Answer(stored["answer"], _text(stored.get("served_model"), 200), _count(stored.get("input_tokens")),
                  _count(stored.get("output_tokens")),
                  float(seconds) if isinstance(seconds, (int, float)) and 0 <= seconds < 1e6 else 0.0,
                  _text(stored.get("finish_reason"), 40), _text(stored.get("reasoning"), MAX_REASONING_CHARS),
                  _count(reasoning_tokens) if reasoning_tokens is not None else None)


def write_cached(path: Path, answer: Answer, model: str) -> None:
    """Store ``answer`` atomically (:func:`~zhnerbench.writing.write_atomically`): concurrent runs
    never see half a file, and a process that must end waits for the write. No URL is stored:
    it may hold credentials."""
    stored = {"format": CACHE_FORMAT, "model": model, "served_model": answer.served_model,
              "input_tokens": answer.input_tokens, "output_tokens": answer.output_tokens,
              "seconds": round(answer.seconds, 4), "finish_reason": answer.finish_reason,
              "reasoning_tokens": answer.reasoning_tokens, "answer": answer.text, "reasoning": answer.reasoning}
    write_atomically(path, json.dumps(stored, ensure_ascii=False).encode("utf-8"))


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
    """The answer in a completion: its content ("" when it has none: a reasoning model may
    spend every token on reasoning), its reasoning field, finish reason and usage; ``None`` for
    a completion without a message (a compatible server may omit fields)."""
    try:
        choice = completion.choices[0]
        message = choice.message
    except (AttributeError, IndexError, TypeError):
        return None
    content = getattr(message, "content", None)
    reasoning = next((text for name in REASONING_FIELDS if isinstance(text := getattr(message, name, None), str)
                      and text.strip()), "")
    usage = getattr(completion, "usage", None)
    details = getattr(usage, "completion_tokens_details", None)
    reasoning_tokens = getattr(details, "reasoning_tokens", None)
    served = getattr(completion, "model", "")
    finish = getattr(choice, "finish_reason", None)
    return Answer(content if isinstance(content, str) else "", served[:200] if isinstance(served, str) else "",
                  _count(getattr(usage, "prompt_tokens", 0)), _count(getattr(usage, "completion_tokens", 0)),
                  round(seconds, 4), finish[:40] if isinstance(finish, str) else "", reasoning[:MAX_REASONING_CHARS],
                  _count(reasoning_tokens) if isinstance(reasoning_tokens, int) else None)


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
        self._runs: list[_Run] = []
        self._runs_lock = threading.Lock()
        #: Set when the cache folder refused a write: said once, then the run goes on without it.
        self._cache_refused = threading.Event()

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
            if http_client is not None:
                add_deadline(http_client, self.timeout)
            self._client = openai.OpenAI(base_url=self.base_url, api_key=api_key, timeout=self.timeout,
                                         max_retries=self.max_retries, http_client=http_client)
        except openai.OpenAIError as error:
            raise BaselineUnavailable(f"cannot configure the OpenAI client: {self.scrub(one_line(error))}") from None

    def _count_attempt(self, request: object) -> None:
        self._attempts.count = getattr(self._attempts, "count", 0) + 1

    def with_decoding(self, decoding: Decoding) -> ChatClient:
        """The same loaded client (its connections shared) with other decoding settings, and runs of its own."""
        other = copy.copy(self)
        other.decoding = decoding
        other._runs, other._runs_lock = [], threading.Lock()
        return other

    def cancel(self) -> None:
        """Send none of the conversations not yet sent (their outcome: skipped); the requests in
        flight are abandoned by whoever stopped waiting for them. Called when a deadline passed."""
        with self._runs_lock:
            for run in self._runs:
                run.cancelled.set()

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
        if run.stop.is_set() or run.cancelled.is_set():
            outcome.kind, outcome.reason = "skipped", ("not sent: the run was cancelled" if run.cancelled.is_set()
                                                       else "not sent: the server could not be used")
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
            if path is not None and not outcome.answer.empty:
                self._store(path, outcome.answer)
            return outcome
        if outcome.kind in ("unreachable", "refused") and not run.reached.is_set():
            run.stop.set()
        return outcome

    def _store(self, path: Path, answer: Answer) -> None:
        """Cache an answer; a cache folder that cannot take it (read-only, full, a file in the
        way) is named once, and the run goes on without caching."""
        if self._cache_refused.is_set():
            return
        try:
            write_cached(path, answer, self.model)
        except (OSError, ZhNerBenchError) as error:
            if not self._cache_refused.is_set():
                self._cache_refused.set()
                reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                print(f"{self.name}: the LLM answer cache in {path.parent} cannot be written ({reason[:160]}); "
                      "answers are not cached in this run (set $ZHNERBENCH_CACHE to a writable folder)", file=sys.stderr)

    # -- many ----------------------------------------------------------------------------

    def ask_all(self, conversations: Sequence[Sequence[Message]]) -> list[Outcome]:
        """Every conversation's outcome, in order, ``concurrency`` requests at a time.

        The requests run in daemon threads that nothing joins at exit: a caller interrupted
        while it waits (Ctrl-C, a deadline) leaves them behind instead of waiting for them."""
        if self._client is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        run = _Run()
        outcomes: list[Outcome | None] = [None] * len(conversations)
        errors: list[BaseException] = []
        next_index = iter(range(len(conversations)))
        taking = threading.Lock()

        def work() -> None:
            while not errors:
                with taking:
                    index = next(next_index, None)
                if index is None:
                    return
                try:
                    outcomes[index] = self._ask(conversations[index], run)
                except BaseException as error:  # a bug: raised in the caller's thread
                    errors.append(error)

        with self._runs_lock:
            self._runs.append(run)
        try:
            workers = [threading.Thread(target=work, name=f"{self.name} request", daemon=True)
                       for _ in range(min(self.concurrency, len(conversations)))]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        finally:
            run.cancelled.set()  # interrupted: the workers left behind send nothing more
            with self._runs_lock:
                self._runs.remove(run)
        if errors:
            raise errors[0]
        return [outcome if outcome is not None else Outcome() for outcome in outcomes]

    def check_usable(self, outcomes: Sequence[Outcome]) -> None:
        """Raise when no conversation got an answer: :class:`BaselineUnavailable` when the server
        cannot be used (unreachable, refusing), :class:`TaggerError` when it answered nothing
        usable (errors, empty or oversized answers): a run that failed says so, never an empty file."""
        if not outcomes or any(outcome.answer is not None and not outcome.answer.empty for outcome in outcomes):
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
    the server gave them), and the requests, retries and cache hits of this call. Reasoning
    tokens are ``None`` when no answer's usage reported them (they are part of the output tokens).

    >>> usage_counts([Outcome(Answer("a", "m", 10, 2, 0.5), requests=1, retries=1), Outcome(Answer("b", "m", 5, 1, 1.5), cached=True)])
    {'requests': 1, 'retries': 1, 'cached': 1, 'input_tokens': 15, 'output_tokens': 3, 'reasoning_tokens': None, 'latency_p50': 1.0, 'latency_p95': 1.45}
    """
    answers = [outcome.answer for outcome in outcomes if outcome.answer is not None]
    seconds = [answer.seconds for answer in answers if answer.seconds > 0]
    p50, p95 = percentile(seconds, 0.5), percentile(seconds, 0.95)
    reported = [answer.reasoning_tokens for answer in answers if answer.reasoning_tokens is not None]
    return {
        "requests": sum(outcome.requests for outcome in outcomes),
        "retries": sum(outcome.retries for outcome in outcomes),
        "cached": sum(outcome.cached for outcome in outcomes),
        "input_tokens": sum(answer.input_tokens for answer in answers),
        "output_tokens": sum(answer.output_tokens for answer in answers),
        "reasoning_tokens": sum(reported) if reported else None,
        "latency_p50": round(p50, 3) if p50 is not None else None,
        "latency_p95": round(p95, 3) if p95 is not None else None,
    }


def reasoning_record(diagnostics: Mapping[str, Any]) -> dict[str, Any]:
    """What a manifest states of a run's reasoning, from its diagnostics: how many of its answers
    carried reasoning, and the reasoning tokens where usage reported them (``None``: it did not).

    >>> reasoning_record({"chunks": 3, "failed": 1, "with_reasoning": 2, "reasoning_tokens": 40})
    {'answers': 2, 'with_reasoning': 2, 'reasoning_tokens': 40}
    """
    return {"answers": int(diagnostics.get("chunks", diagnostics.get("documents", 0))) - int(diagnostics.get("failed", 0)),
            "with_reasoning": int(diagnostics.get("with_reasoning", 0)),
            "reasoning_tokens": diagnostics.get("reasoning_tokens")}


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

