"""Requests per second of the ``openai:`` adapter against a local server that takes 200 ms per request.

    python benchmarks/bench_llm_concurrency.py [REPEATS]     # default 3

For each concurrency (1, 4 and 16) the adapter tags a text of ``max(20, 8 × concurrency)``
sentences, one request each, with its cache off, against the tests' stub server
(``tests/openai_stub_server.py``, a threading HTTP server on 127.0.0.1) answering every request
after sleeping 200 ms. The ideal is ``concurrency / 0.2 s`` requests per second; the goal
stated in issue 19 is at least 0.8 of it. The figure is the median of ``REPEATS`` runs; the
client's own overhead (the ``openai`` client, JSON, threads) is what keeps it below 1.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' stub server

from tests.openai_stub_server import Canned, StubServer  # noqa: E402
from zhnerbench.baselines.openai_chat import OpenAIChatTagger  # noqa: E402

DELAY = 0.2
CONCURRENCIES = (1, 4, 16)
GOAL = 0.8


def requests_per_second(server: StubServer, concurrency: int) -> tuple[float, int]:
    sentences = max(20, 8 * concurrency)
    text = "".join(f"第{index}句话。" for index in range(sentences))
    tagger = OpenAIChatTagger(model="bench", base_url=server.base_url, concurrency=concurrency, cache=False,
                              max_retries=0)
    tagger.load()
    started = time.perf_counter()
    tagger.predict(text)
    elapsed = time.perf_counter() - started
    requests = int(tagger.diagnostics["requests"])
    assert requests == sentences, tagger.diagnostics
    return requests / elapsed, requests


def main(argv: list[str] | None = None) -> int:
    repeats = int((argv if argv is not None else sys.argv[1:] or ["3"])[0])
    print(f"| concurrency | requests per run | requests/s (median of {repeats}) | ideal (concurrency / {DELAY} s) | "
          "ratio |")
    print("|---:|---:|---:|---:|---:|")
    worst = 1.0
    with StubServer({}, Canned(delay=DELAY)) as server:
        for concurrency in CONCURRENCIES:
            measured = [requests_per_second(server, concurrency) for _ in range(repeats)]
            rate = statistics.median(rate for rate, _ in measured)
            ideal = concurrency / DELAY
            worst = min(worst, rate / ideal)
            print(f"| {concurrency} | {measured[0][1]} | {rate:.2f} | {ideal:.1f} | {rate / ideal:.3f} |", flush=True)
    print(f"lowest ratio: {worst:.3f} (goal: at least {GOAL})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
