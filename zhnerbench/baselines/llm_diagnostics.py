"""What an LLM run could not use, and what it cost, in the terms ``tag`` prints and the board shows.

An LLM adapter's ``diagnostics`` count its chunks, the answers that failed or could not be
parsed, and the items it could not place; :func:`failure_rates` turns them into shares, and
:func:`llm_summary` into the one line ``zhnerbench tag`` prints after a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhnerbench.baselines.llm_costs import Price

#: Shares of a run's answers and items that could not be used, by kind (``None``: nothing to share).
FailureRates = dict[str, float | None]


def failure_rates(diagnostics: Mapping[str, Any]) -> FailureRates:
    """Unparseable answers per answer; unaligned, unknown-label and overlapping items per item.

    >>> failure_rates({"chunks": 10, "failed": 0, "malformed": 1, "items": 20, "unaligned": 2, "unknown_label": 1, "overlapping": 0})
    {'unparseable': 0.1, 'unaligned': 0.1, 'unknown_label': 0.05, 'overlapping': 0.0}
    """
    answers = diagnostics.get("chunks", 0) - diagnostics.get("failed", 0)
    items = diagnostics.get("items", 0)

    def share(count: int, total: int) -> float | None:
        return round(count / total, 4) if total else None

    return {"unparseable": share(diagnostics.get("malformed", 0), answers),
            "unaligned": share(diagnostics.get("unaligned", 0), items),
            "unknown_label": share(diagnostics.get("unknown_label", 0), items),
            "overlapping": share(diagnostics.get("overlapping", 0), items)}


def llm_summary(diagnostics: Mapping[str, Any], price: Price | None) -> str:
    """The rates, tokens, cost and latency of one LLM run in one phrase (what ``tag`` prints).

    >>> print(llm_summary({"chunks": 4, "failed": 0, "malformed": 1, "items": 8, "unaligned": 2, "unknown_label": 0,
    ...     "overlapping": 0, "input_tokens": 1200, "output_tokens": 300, "latency_p50": 0.21, "latency_p95": 0.4}, None))
    unparseable 25.0%, unaligned 25.0%, unknown label 0.0%, overlapping 0.0%; 1,200 input and 300 output tokens, cost – (no price given); latency p50 0.21 s, p95 0.40 s
    """
    rates = failure_rates(diagnostics)
    shown = ", ".join(f"{key.replace('_', ' ')} {'–' if value is None else f'{100 * value:.1f}%'}"
                      for key, value in rates.items())
    tokens = f"{diagnostics.get('input_tokens', 0):,} input and {diagnostics.get('output_tokens', 0):,} output tokens"
    cost = (f"cost {price.cost(diagnostics.get('input_tokens', 0), diagnostics.get('output_tokens', 0)):.4f} "
            f"({price.source})") if price is not None else "cost – (no price given)"
    p50, p95 = diagnostics.get("latency_p50"), diagnostics.get("latency_p95")
    latency = f"latency p50 {p50:.2f} s, p95 {p95:.2f} s" if p50 is not None and p95 is not None \
        else "latency – (every answer from the cache)"
    return f"{shown}; {tokens}, {cost}; {latency}"
