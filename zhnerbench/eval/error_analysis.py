"""Error analysis: what happened to every gold and every predicted span.

Each span is compared with the spans of the other side in the same document
that overlap it (share at least one character), and gets one outcome, the
first that applies:

============================  ================================================
``correct``                   a span on the other side has the same boundaries and label
``wrong_type``                same boundaries, different label
``wrong_boundary``            overlaps a span with the same label, boundaries differ
``wrong_boundary_and_type``   overlaps only spans with other labels and other boundaries
``missed`` / ``spurious``     overlaps nothing (a gold span is missed, a predicted one spurious)
============================  ================================================

A span that is correct is matched: it is not evidence of an error of any other
span, so in the ``nested`` view a correctly found ORG does not make the missed
GPE inside it a "wrong boundary". (In views without overlaps this changes
nothing: a correct span overlaps no other span of the other side.)

So gold-side outcomes add up to the support and predicted-side outcomes to
the number of predictions, and ``correct`` is the same count on both sides
(the true positives). Every gold span with a ``wrong_*`` outcome is overlapped
by a predicted span that is not correct: the error list (:func:`error_records`)
is the non-correct predicted spans plus the missed gold spans, each error once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from zhnerbench.document import Span

CORRECT, WRONG_TYPE, WRONG_BOUNDARY, WRONG_BOTH, MISSED, SPURIOUS = (
    "correct", "wrong_type", "wrong_boundary", "wrong_boundary_and_type", "missed", "spurious",
)
GOLD_OUTCOMES: tuple[str, ...] = (CORRECT, WRONG_TYPE, WRONG_BOUNDARY, WRONG_BOTH, MISSED)
PREDICTED_OUTCOMES: tuple[str, ...] = (CORRECT, WRONG_TYPE, WRONG_BOUNDARY, WRONG_BOTH, SPURIOUS)
OUTCOMES: tuple[str, ...] = (CORRECT, WRONG_TYPE, WRONG_BOUNDARY, WRONG_BOTH, MISSED, SPURIOUS)


class Classified(NamedTuple):
    """One span (document offsets), its outcome and the other side's spans that overlap it
    (a named tuple: a large corpus has hundreds of thousands)."""

    document: int
    span: Span
    outcome: str
    overlapping: tuple[Span, ...]


def classify_span(span: Span, others: Iterable[Span], unmatched: str) -> tuple[str, tuple[Span, ...]]:
    """Outcome of ``span`` against the overlapping spans of the other side that are not correct
    matches of another span; ``unmatched`` names the no-overlap case.

    >>> classify_span(Span(0, 2, "PER"), [Span(0, 2, "ORG")], "spurious")
    ('wrong_type', (Span(start=0, end=2, label='ORG'),))
    >>> classify_span(Span(0, 3, "PER"), [Span(1, 3, "PER")], "spurious")[0]
    'wrong_boundary'
    >>> classify_span(Span(5, 6, "PER"), [Span(1, 3, "PER")], "missed")
    ('missed', ())
    """
    overlapping = tuple(sorted(o for o in others if o.start < span.end and span.start < o.end))
    same_boundaries = [o for o in overlapping if (o.start, o.end) == (span.start, span.end)]
    if any(o.label == span.label for o in same_boundaries):
        return CORRECT, overlapping
    if same_boundaries:
        return WRONG_TYPE, overlapping
    if any(o.label == span.label for o in overlapping):
        return WRONG_BOUNDARY, overlapping
    if overlapping:
        return WRONG_BOTH, overlapping
    return unmatched, overlapping


class _OverlapIndex:
    """The spans of one side, to find those overlapping a span without scanning them all."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.spans = sorted(spans)
        self.starts = [span.start for span in self.spans]
        self.longest = max((span.end - span.start for span in self.spans), default=0)

    def overlapping(self, span: Span) -> list[Span]:
        first = bisect_left(self.starts, span.start - self.longest + 1)
        last = bisect_left(self.starts, span.end)
        return [o for o in self.spans[first:last] if o.end > span.start]


@dataclass(frozen=True)
class ErrorAnalysis:
    """Every gold and every predicted span, classified."""

    gold: tuple[Classified, ...]
    predicted: tuple[Classified, ...]


def analyse_errors(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]) -> ErrorAnalysis:
    """Classify the spans of each document (one list of spans per document and side).

    >>> a = analyse_errors([[Span(0, 2, "PER"), Span(5, 7, "ORG")]], [[Span(0, 2, "ORG")]])
    >>> [(c.span.label, c.outcome) for c in a.gold], [(c.span.label, c.outcome) for c in a.predicted]
    ([('PER', 'wrong_type'), ('ORG', 'missed')], [('ORG', 'wrong_type')])
    >>> nested = analyse_errors([[Span(0, 6, "ORG"), Span(0, 2, "GPE")]], [[Span(0, 6, "ORG")]])
    >>> [(c.span.label, c.outcome) for c in nested.gold]
    [('GPE', 'missed'), ('ORG', 'correct')]
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold documents but {len(predicted)} predicted ones")
    gold_side: list[Classified] = []
    predicted_side: list[Classified] = []
    for document, (gold_spans, predicted_spans) in enumerate(zip(gold, predicted, strict=True)):
        matched = set(gold_spans) & set(predicted_spans)
        gold_index = _OverlapIndex(s for s in gold_spans if s not in matched)
        predicted_index = _OverlapIndex(s for s in predicted_spans if s not in matched)
        # A span the other side has too is correct, overlapping only itself (the common case, kept cheap).
        for span in sorted(set(gold_spans)):
            gold_side.append(Classified(document, span, CORRECT, (span,)) if span in matched else
                             Classified(document, span, *classify_span(span, predicted_index.overlapping(span), MISSED)))
        for span in sorted(set(predicted_spans)):
            predicted_side.append(Classified(document, span, CORRECT, (span,)) if span in matched else
                                  Classified(document, span, *classify_span(span, gold_index.overlapping(span), SPURIOUS)))
    return ErrorAnalysis(tuple(gold_side), tuple(predicted_side))


def outcome_counts(classified: Iterable[Classified], outcomes: Sequence[str] = OUTCOMES) -> dict[str, int]:
    """How many spans got each outcome (every outcome listed, zeros included).

    >>> a = analyse_errors([[Span(0, 2, "PER")]], [[Span(0, 2, "PER"), Span(4, 5, "ORG")]])
    >>> outcome_counts(a.predicted, PREDICTED_OUTCOMES)
    {'correct': 1, 'wrong_type': 0, 'wrong_boundary': 0, 'wrong_boundary_and_type': 0, 'spurious': 1}
    """
    counts = Counter(c.outcome for c in classified)
    return {outcome: counts[outcome] for outcome in outcomes}


def outcome_counts_per_label(
    classified: Iterable[Classified], outcomes: Sequence[str] = OUTCOMES
) -> dict[str, dict[str, int]]:
    """Outcome counts per label of the classified spans (labels sorted by name).

    >>> a = analyse_errors([[Span(0, 2, "PER"), Span(3, 4, "PER")]], [[Span(0, 2, "PER")]])
    >>> outcome_counts_per_label(a.gold, ("correct", "missed"))
    {'PER': {'correct': 1, 'missed': 1}}
    """
    by_label: dict[str, list[Classified]] = {}
    for item in classified:
        by_label.setdefault(item.span.label, []).append(item)
    return {label: outcome_counts(items, outcomes) for label, items in sorted(by_label.items())}


@dataclass(frozen=True)
class ErrorRecord:
    """One error: its kind, the predicted span (``None`` when missed) and the gold spans involved."""

    document: int
    kind: str
    predicted: Span | None
    gold: tuple[Span, ...]


def error_records(analysis: ErrorAnalysis) -> list[ErrorRecord]:
    """Each error once, in document and offset order (see the module doc).

    >>> a = analyse_errors([[Span(0, 2, "PER"), Span(5, 7, "ORG")]], [[Span(0, 3, "PER")]])
    >>> [(r.kind, r.predicted, r.gold) for r in error_records(a)]  # doctest: +NORMALIZE_WHITESPACE
    [('wrong_boundary', Span(start=0, end=3, label='PER'), (Span(start=0, end=2, label='PER'),)),
     ('missed', None, (Span(start=5, end=7, label='ORG'),))]
    """
    records = [
        ErrorRecord(c.document, c.outcome, c.span, c.overlapping) for c in analysis.predicted if c.outcome != CORRECT
    ]
    records += [ErrorRecord(c.document, MISSED, None, (c.span,)) for c in analysis.gold if c.outcome == MISSED]

    def position(record: ErrorRecord) -> tuple[int, int, int]:
        first = record.predicted if record.predicted is not None else record.gold[0]
        return record.document, first.start, first.end

    return sorted(records, key=position)


def describe_error(record: ErrorRecord, text: str) -> str:
    """A one-line description of an error, quoting the texts of the spans (offsets into ``text``).

    >>> r = ErrorRecord(0, "wrong_type", Span(0, 2, "GPE"), (Span(0, 2, "ORG"),))
    >>> describe_error(r, "市委常委")
    'wrong_type: predicted 市委 GPE; gold 市委 ORG'
    >>> describe_error(ErrorRecord(0, "missed", None, (Span(2, 4, "TITLE"),)), "市委常委")
    'missed: gold 常委 TITLE'
    """

    def shown(span: Span) -> str:
        return f"{text[span.start:span.end]} {span.label}"

    parts = []
    if record.predicted is not None:
        parts.append(f"predicted {shown(record.predicted)}")
    if record.gold:
        parts.append("gold " + ", ".join(shown(span) for span in record.gold))
    return f"{record.kind}: {'; '.join(parts)}"
