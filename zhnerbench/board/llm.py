"""What the board says of LLM systems beyond their scores: cost, failures, and the spread of runs.

An LLM record (an ``openai:`` system) carries ``llm``: the run's manifest (model as the server
reports it, endpoint, decoding settings, prompt and few-shot examples, client version) and
the price the user gave. Its ``diagnostics`` carry the tokens and the failure counts of its
run on the article; its ``runs`` the F1 of each of ``--runs K`` samples and their span
agreement. Everything here is a pure function of records, for the board and the site.

**Failures as false positives.** Every entity an answer named that did not become a span (a
string not in the text, a label outside the schema, a span overlapping an earlier one) is
counted as a false positive in the views its label belongs to, and in every view for a label
outside the schema: :func:`failure_adjusted` gives P/R/F1 with them, beside the score of record
(which is the prediction file's, as ``zhnerbench evaluate`` scores it).
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Sequence

from zhnerbench.baselines.llm_costs import Price
from zhnerbench.baselines.base import Diagnostics, diagnostic_count
from zhnerbench.board.records import LlmInfo, PriceInfo, RunsScore
from zhnerbench.document import Span
from zhnerbench.eval.score_json import CountsJson, RatiosJson
from zhnerbench.views import VIEWS

#: The label an unplaced item outside the schema is recorded with (see ``openai_chat``).
UNKNOWN_LABEL = "?"


def span_agreement(runs: Sequence[Sequence[Span]]) -> float:
    """The mean F1 of every pair of runs, one run's spans scored against the other's (exact
    offsets and label): 1.0 when all runs agree.

    >>> span_agreement([[Span(0, 2, "PERSON")], [Span(0, 2, "PERSON")], [Span(0, 2, "GPE")]])
    0.3333
    >>> span_agreement([[], []])
    1.0
    """
    pairs = list(itertools.combinations([set(run) for run in runs], 2))
    if not pairs:
        return 1.0
    scores = [2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0 for a, b in pairs]
    return round(sum(scores) / len(scores), 4)


def majority_vote(runs: Sequence[Sequence[Span]]) -> list[Span]:
    """The spans more than half of the runs predicted; where two of them overlap, the one more
    runs predicted (then the earlier, then the longer) is kept.

    >>> majority_vote([[Span(0, 2, "ORG"), Span(3, 4, "GPE")], [Span(0, 2, "ORG")], [Span(0, 3, "ORG")]])
    [Span(start=0, end=2, label='ORG')]
    """
    votes = Counter(span for run in runs for span in set(run))
    chosen: list[Span] = []
    for span in sorted(votes, key=lambda s: (-votes[s], s.start, -s.end, s.label)):
        if 2 * votes[span] > len(runs) and all(span.end <= other.start or other.end <= span.start for other in chosen):
            chosen.append(span)
    return sorted(chosen)


def false_positives(labels: Sequence[str], view: str) -> int:
    """How many unplaced items count as false positives in ``view``: those whose label the view
    keeps, and every one outside the schema.

    >>> false_positives(["?", "GPE", "DATE"], "coarse"), false_positives(["?", "GPE", "DATE"], "full")
    (2, 3)
    """
    mapping = VIEWS[view].mapping
    return sum(1 for label in labels if label == UNKNOWN_LABEL or label in mapping)


def failure_adjusted(score: CountsJson, extra: int) -> RatiosJson:
    """Micro P/R/F1 of a view's micro counts with ``extra`` more false positives.

    >>> failure_adjusted({"correct": 6, "predicted": 8, "support": 10}, 2)  # type: ignore[typeddict-item]
    {'precision': 0.6, 'recall': 0.6, 'f1': 0.6}
    """
    correct, predicted, gold = score["correct"], score["predicted"] + extra, score["support"]
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def price_json(price: Price | None) -> PriceInfo | None:
    """What a record keeps of a price."""
    if price is None:
        return None
    return {"input_per_million": price.input_per_million, "output_per_million": price.output_per_million,
            "source": price.source}


def run_cost(llm: LlmInfo, diagnostics: Diagnostics) -> float | None:
    """The cost of the tokens in ``diagnostics`` at the record's price; ``None`` without a price.

    >>> run_cost({"price": {"input_per_million": 1, "output_per_million": 2}}, {"input_tokens": 10**6, "output_tokens": 10**5})
    1.2
    """
    price = llm.get("price")
    if not price:
        return None
    return Price(price["input_per_million"], price["output_per_million"], "").cost(
        diagnostic_count(diagnostics, "input_tokens"), diagnostic_count(diagnostics, "output_tokens"))


def runs_summary(runs: RunsScore | None, view: str) -> tuple[float, float] | None:
    """Mean and standard deviation (sample, n-1) of the runs' F1 in ``view``; ``None`` for fewer than two runs.

    >>> runs_summary({"f1": {"full": [0.5, 0.7, 0.6]}}, "full")
    (0.6, 0.1)
    """
    values = runs["f1"].get(view, []) if runs else []
    if len(values) < 2:
        return None
    return round(statistics.fmean(values), 4), round(statistics.stdev(values), 4)


