"""A tiny OpenAI-compatible chat server for the tests: canned replies chosen by a marker in the prompt.

``POST /v1/chat/completions`` finds the first marker of ``routes`` that the user message
contains and answers with that route's :class:`Canned` reply (``default`` when none
matches). It counts requests per marker and records the largest number of requests in
flight at once, so a test can check retries, caching and concurrency. Bound to
127.0.0.1 on a free port; run it in a daemon thread (``with StubServer(...) as stub:``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Mapping
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


#: The model name the stub reports in its answers (a server names the exact snapshot it served).
SERVED_SUFFIX = "-2026-01-01"


def token_count(text: str) -> int:
    """The stub's token count: one per two characters, at least one (deterministic, not a tokenizer)."""
    return max(1, len(text) // 2)


def completion(content: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """A minimal ``chat.completion`` object, with ``usage`` counted from the request and the answer."""
    messages = body.get("messages") or []
    prompt = sum(token_count(str(m.get("content", ""))) for m in messages if isinstance(m, dict))
    answer = token_count(content)
    return {
        "id": "chatcmpl-stub", "object": "chat.completion", "created": 0,
        "model": str(body.get("model", "")) + SERVED_SUFFIX,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": answer, "total_tokens": prompt + answer},
    }


def error_body(message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}}


class StubServer:
    """The server, its routes and what it saw: ``calls`` per marker, ``bodies``, ``max_in_flight``."""

    def __init__(self, routes: Mapping[str, Canned], default: Canned = Canned()) -> None:
        self.routes, self.default = dict(routes), default
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
        self.server.shutdown()
        self.server.server_close()

    def route(self, body: Mapping[str, Any]) -> str:
        """The marker of the chunk in the request's user message ("" when none matches)."""
        messages = body.get("messages") or []
        user = " ".join(str(m.get("content", "")) for m in messages if isinstance(m, dict) and m.get("role") == "user")
        return next((marker for marker in self.routes if marker in user), "")

    def reply(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Status, extra headers and JSON body for one request (after its delay)."""
        marker = self.route(body)
        canned = self.routes.get(marker, self.default)
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
        return 200, {}, completion(content, body)

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
                else:
                    status, headers, payload = stub.reply(body)
                raw = stub.routes.get(stub.route(body), stub.default).raw_body if status == 200 else None
                data = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
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

            def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
                pass

        return Handler
