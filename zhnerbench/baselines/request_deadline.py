"""A total deadline for each HTTP request of the ``openai`` client.

httpx's timeouts bound each *read*: a server that trickles a byte every few seconds never trips
them, and a request to it never ends. :class:`DeadlineTransport` wraps the client's transports:
each request (one attempt: the ``openai`` client's retries are attempts of their own) runs in a
daemon thread, and the caller waits for the whole response, body included, at most the
deadline. Past it the caller gets the HTTP library's ``ReadTimeout`` (which the ``openai``
client retries and then reports as a timeout) and the attempt is abandoned, not waited for: its
thread ends when the server closes or stays silent for the per-read timeout, and never keeps
the process alive.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType
from typing import Any


class DeadlineTransport:
    """An httpx (or httpx2) transport whose requests end within ``seconds``, whatever the server does."""

    def __init__(self, inner: Any, seconds: float, timeout_error: type[Exception]) -> None:
        self.inner, self.seconds, self.timeout_error = inner, seconds, timeout_error

    def handle_request(self, request: Any) -> Any:
        done: list[Any] = []

        def attempt() -> None:
            try:
                response = self.inner.handle_request(request)
                try:
                    response.read()  # the whole body, within the deadline
                except BaseException:
                    response.close()
                    raise
                done.append(response)
            except BaseException as error:  # handed to the waiting thread
                done.append(error)

        worker = threading.Thread(target=attempt, name="http request", daemon=True)
        worker.start()
        worker.join(self.seconds)
        if not done:
            raise self.timeout_error(f"no complete response within {self.seconds:g} s", request=request)  # type: ignore[call-arg]
        if isinstance(done[0], BaseException):
            raise done[0]
        return done[0]

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> DeadlineTransport:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(*exc)


def http_module(client: object) -> ModuleType | None:
    """The HTTP library a client object belongs to (``httpx``, or ``httpx2`` for openai >= 3), by its ``Client`` class.

    >>> class Client: ...
    >>> http_module(Client()) is sys.modules[__name__.partition(".")[0]], http_module(object())
    (True, None)
    """
    for klass in type(client).__mro__:
        if klass.__name__ == "Client":
            return sys.modules.get(klass.__module__.partition(".")[0])
    return None


def add_deadline(client: object, seconds: float) -> bool:
    """Wrap every transport of an httpx client (its default one and those mounted for proxies)
    in a :class:`DeadlineTransport`; ``False`` when the client is not one this knows how to wrap
    (its requests then have the per-read timeouts only)."""
    module = http_module(client)
    timeout_error = getattr(module, "ReadTimeout", None)
    if timeout_error is None or getattr(client, "_transport", None) is None:
        return False
    client._transport = DeadlineTransport(client._transport, seconds, timeout_error)  # type: ignore[attr-defined]
    mounts = getattr(client, "_mounts", None)
    if isinstance(mounts, dict):
        for pattern, transport in mounts.items():
            if transport is not None:
                mounts[pattern] = DeadlineTransport(transport, seconds, timeout_error)
    return True
