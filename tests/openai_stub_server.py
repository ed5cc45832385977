"""A tiny OpenAI-compatible chat server for the tests: canned replies chosen by a marker in the prompt.

``POST /v1/chat/completions`` finds the first marker of ``routes`` that the user message
contains and answers with that route's :class:`Canned` reply (``default`` when none
matches; a ``responder`` function of the request, when given, chooses first). It counts
requests per marker and records the largest number of requests in flight at once, so a test
can check retries, caching and concurrency. A reply can be what real servers send besides
plain content: reasoning in a field of its own (``reasoning_content``, ``reasoning``), a stop
at the token limit, reasoning tokens in ``usage``; and a server can misbehave: never answer
(``silent``) or send its response a byte at a time (``trickle``). Bound to 127.0.0.1 on a
free port; run it in a daemon thread (``with StubServer(...) as stub:``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Canned:
    """How the stub answers the chunks of one marker."""

    content: str = '{"entities": []}'
    #: Seconds slept before answering, on every call (longer than the client's timeout: a timeout).
    delay: float = 0.0
    #: The first ``fail_first`` calls are answered with ``fail_status`` (saying to retry after 1 ms).
    fail_first: int = 0
    fail_status: int = 429
    #: The failures' error message (default: "stub failure STATUS"), e.g. one that echoes a key.
    fail_message: str | None = None
    #: Answer 400 about ``response_format`` whenever the request carries one.
    reject_response_format: bool = False
    #: Answer 200 with these bytes as the body instead of a completion (not JSON, not UTF-8...).
    raw_body: bytes | None = None
    #: The content for a request carrying ``seed``, instead of ``content`` (runs that differ).
    by_seed: Mapping[int, str] | None = None
    #: Reasoning returned beside the content, in the field ``reasoning_field`` (vLLM's and
    #: DeepSeek's ``reasoning_content``, or vLLM's newer ``reasoning``).
    reasoning: str | None = None
    reasoning_field: str = "reasoning_content"
    #: Reported in ``usage.completion_tokens_details.reasoning_tokens`` when true (as the stub counts tokens).
    reasoning_tokens: bool = False
    #: "length": stopped by the token limit.
    finish_reason: str = "stop"
    #: Send ``null`` as the content (a reasoning model that spent every token on reasoning).
    null_content: bool = False
    #: Never answer: hold the connection open until the server stops.
    silent: bool = False
    #: Send the response (status line, headers and body) one byte every ``trickle`` seconds.
    trickle: float = 0.0


#: The model name the stub reports in its answers (a server names the exact snapshot it served).
SERVED_SUFFIX = "-2026-01-01"


def token_count(text: str) -> int:
    """The stub's token count: one per two characters, at least one (deterministic, not a tokenizer)."""
    return max(1, len(text) // 2)


def completion(content: str, body: Mapping[str, Any], canned: Canned = Canned()) -> dict[str, Any]:
    """A minimal ``chat.completion`` object, with ``usage`` counted from the request and the
    answer (the reasoning included, as servers count it), and the reasoning and finish reason
    ``canned`` asks for."""
    messages = body.get("messages") or []
    prompt = sum(token_count(str(m.get("content", ""))) for m in messages if isinstance(m, dict))
    thought = token_count(canned.reasoning) if canned.reasoning else 0
    answer = token_count(content) + thought
    message: dict[str, Any] = {"role": "assistant", "content": None if canned.null_content else content}
    if canned.reasoning is not None:
        message[canned.reasoning_field] = canned.reasoning
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": answer, "total_tokens": prompt + answer}
    if canned.reasoning_tokens:
        usage["completion_tokens_details"] = {"reasoning_tokens": thought}
    return {
        "id": "chatcmpl-stub", "object": "chat.completion", "created": 0,
        "model": str(body.get("model", "")) + SERVED_SUFFIX,
        "choices": [{"index": 0, "message": message, "finish_reason": canned.finish_reason}],
        "usage": usage,
    }


def error_body(message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}}


class StubServer:
    """The server, its routes and what it saw: ``calls`` per marker, ``bodies``, ``max_in_flight``."""

    def __init__(self, routes: Mapping[str, Canned], default: Canned = Canned(),
                 responder: Callable[[Mapping[str, Any]], Canned | None] | None = None) -> None:
        self.routes, self.default, self.responder = dict(routes), default, responder
        #: Set when the server stops: silent and trickling replies give up.
        self.stopping = threading.Event()
        self.calls: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True  # a slow reply must not keep the test process alive
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)  # quick shutdown

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def canned(self, body: Mapping[str, Any]) -> Canned:
        """The reply for a request: the responder's, else its route's, else the default."""
        chosen = self.responder(body) if self.responder is not None else None
        return chosen if chosen is not None else self.routes.get(self.route(body), self.default)

    def route(self, body: Mapping[str, Any]) -> str:
        """The marker of the chunk in the request's user message ("" when none matches)."""
        messages = body.get("messages") or []
        user = " ".join(str(m.get("content", "")) for m in messages if isinstance(m, dict) and m.get("role") == "user")
        return next((marker for marker in self.routes if marker in user), "")

    def reply(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Status, extra headers and JSON body for one request (after its delay)."""
        marker = self.route(body)
        canned = self.canned(body)
        with self.lock:
            self.calls[marker] += 1
            self.bodies.append(body)
            call = self.calls[marker]
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(canned.delay)
        finally:
            with self.lock:
                self.in_flight -= 1
        if call <= canned.fail_first:
            # On every failure: the openai client waits retry-after-ms (1 ms) before a retry of a 429 or
            # a 5xx, instead of its exponential backoff.
            headers = {"Retry-After": "0", "retry-after-ms": "1"}
            return canned.fail_status, headers, error_body(canned.fail_message or f"stub failure {canned.fail_status}")
        if canned.reject_response_format and "response_format" in body:
            return 400, {}, error_body("response_format is not supported by this server", "response_format")
        content = canned.content
        if canned.by_seed is not None and body.get("seed") in canned.by_seed:
            content = canned.by_seed[body["seed"]]
        return 200, {}, completion(content, body, canned)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the openai client expects
            # Headers and body go out in two writes: with Nagle's algorithm the body waits for the
            # client's delayed ACK (~40 ms a request), which real servers (uvicorn, vLLM) avoid too.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                status: int
                headers: dict[str, str]
                payload: dict[str, Any]
                # A query (an API key in the URL, as Azure's endpoints take it) does not change the route.
                if self.path.split("?", 1)[0].rstrip("/") != "/v1/chat/completions" or not isinstance(body, dict):
                    status, headers, payload = 404, {}, error_body(f"no route {self.path}")
                    canned = stub.default
                else:
                    status, headers, payload = stub.reply(body)
                    canned = stub.canned(body)
                if canned.silent:
                    stub.stopping.wait()
                    self.close_connection = True
                    return
                raw = canned.raw_body if status == 200 else None
                data = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
                if canned.trickle:
                    self._trickle(status, data, canned.trickle)
                    return
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    self.close_connection = True

            def _trickle(self, status: int, data: bytes, seconds: float) -> None:
                """The whole response, a byte every ``seconds`` (each read of the client gets a byte in time)."""
                head = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(data)}\r\n\r\n").encode("ascii")
                self.close_connection = True
                for byte in head + data:
                    if stub.stopping.wait(seconds):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return

            def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
                pass

        return Handler
