"""Error analysis: every gold and predicted span gets one outcome; counts add up; each error listed once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhnerbench.eval.error_analysis import (
    GOLD_OUTCOMES,
    PREDICTED_OUTCOMES,
    analyse_errors,
    classify_span,
    describe_error,
    error_records,
    outcome_counts,
    outcome_counts_per_label,
)
from zhnerbench.document import Span


@pytest.mark.parametrize(
    ("predicted", "gold", "outcome"),
    [
        (Span(0, 2, "PER"), [Span(0, 2, "PER")], "correct"),
        (Span(0, 2, "ORG"), [Span(0, 2, "PER")], "wrong_type"),
        (Span(0, 3, "PER"), [Span(0, 2, "PER")], "wrong_boundary"),
        (Span(1, 2, "PER"), [Span(0, 2, "PER")], "wrong_boundary"),
        (Span(1, 4, "ORG"), [Span(0, 2, "PER")], "wrong_boundary_and_type"),
        (Span(2, 4, "PER"), [Span(0, 2, "PER")], "spurious"),  # adjacent, not overlapping
        (Span(0, 6, "PER"), [Span(0, 2, "ORG"), Span(3, 5, "PER")], "wrong_boundary"),  # same type wins
    ],
)
def test_outcomes_of_predicted_spans(predicted: Span, gold: list[Span], outcome: str) -> None:
    assert classify_span(predicted, gold, "spurious")[0] == outcome


def test_worked_example() -> None:
    # 市委常委、副市长张为出席 with a mixed bag of predictions.
    text = "市委常委、副市长张为出席"
    gold = [Span(0, 2, "ORG"), Span(2, 4, "TITLE"), Span(5, 8, "TITLE"), Span(8, 10, "PERSON")]
    predicted = [Span(0, 2, "GPE"), Span(5, 10, "TITLE"), Span(10, 12, "EVENT")]
    analysis = analyse_errors([gold], [predicted])
    assert [(c.span.label, c.outcome) for c in analysis.gold] == [
        ("ORG", "wrong_type"), ("TITLE", "missed"), ("TITLE", "wrong_boundary"), ("PERSON", "wrong_boundary_and_type"),
    ]
    assert [(c.span.label, c.outcome) for c in analysis.predicted] == [
        ("GPE", "wrong_type"), ("TITLE", "wrong_boundary"), ("EVENT", "spurious"),
    ]
    records = error_records(analysis)
    assert [describe_error(r, text) for r in records] == [
        "wrong_type: predicted 市委 GPE; gold 市委 ORG",
        "missed: gold 常委 TITLE",
        "wrong_boundary: predicted 副市长张为 TITLE; gold 副市长 TITLE, 张为 PERSON",
        "spurious: predicted 出席 EVENT",
    ]
    assert outcome_counts_per_label(analysis.gold, GOLD_OUTCOMES)["TITLE"] == {
        "correct": 0, "wrong_type": 0, "wrong_boundary": 1, "wrong_boundary_and_type": 0, "missed": 1,
    }


@st.composite
def sentence_spans(draw) -> list[Span]:
    cuts = sorted(set(draw(st.lists(st.integers(0, 20), max_size=10))))
    return [Span(a, b, draw(st.sampled_from(["PER", "ORG", "LOC"]))) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]


@given(st.lists(st.tuples(sentence_spans(), sentence_spans()), min_size=1, max_size=5))
def test_counts_add_up_and_every_error_is_listed_once(sentences: list[tuple[list[Span], list[Span]]]) -> None:
    gold = [g for g, _ in sentences]
    predicted = [p for _, p in sentences]
    analysis = analyse_errors(gold, predicted)
    gold_counts = outcome_counts(analysis.gold, GOLD_OUTCOMES)
    predicted_counts = outcome_counts(analysis.predicted, PREDICTED_OUTCOMES)
    true_positives = sum(len(set(g) & set(p)) for g, p in sentences)
    assert gold_counts["correct"] == predicted_counts["correct"] == true_positives
    assert sum(gold_counts.values()) == sum(map(len, gold))
    assert sum(predicted_counts.values()) == sum(map(len, predicted))
    records = error_records(analysis)
    assert len([r for r in records if r.predicted is not None]) == sum(predicted_counts.values()) - true_positives
    assert len([r for r in records if r.predicted is None]) == gold_counts["missed"]
    # Every gold span that is not correct appears in some error record.
    wrong_gold = {(c.document, c.span) for c in analysis.gold if c.outcome != "correct"}
    listed_gold = {(r.document, span) for r in records for span in r.gold}
    assert wrong_gold <= listed_gold
    assert records == sorted(records, key=lambda r: (r.document, (r.predicted or r.gold[0]).start, (r.predicted or r.gold[0]).end))


@st.composite
def nested_spans(draw) -> list[Span]:
    """Spans that may nest or cross, as a nested-NER system's output may."""
    pairs = draw(st.lists(st.tuples(st.integers(0, 15), st.integers(1, 6)), max_size=8))
    return sorted({Span(a, a + n, draw(st.sampled_from(["PER", "ORG", "GPE"]))) for a, n in pairs})


@given(st.lists(st.tuples(nested_spans(), nested_spans()), min_size=1, max_size=4))
def test_invariants_hold_when_spans_overlap(documents: list[tuple[list[Span], list[Span]]]) -> None:
    gold = [g for g, _ in documents]
    predicted = [p for _, p in documents]
    analysis = analyse_errors(gold, predicted)
    true_positives = sum(len(set(g) & set(p)) for g, p in documents)
    assert outcome_counts(analysis.gold, GOLD_OUTCOMES)["correct"] == true_positives
    assert sum(outcome_counts(analysis.gold, GOLD_OUTCOMES).values()) == sum(map(len, gold))
    records = error_records(analysis)
    wrong_gold = {(c.document, c.span) for c in analysis.gold if c.outcome != "correct"}
    assert wrong_gold <= {(r.document, span) for r in records for span in r.gold}
    # A correct span is nobody's evidence of an error: it is never among another span's overlaps.
    matched = {(c.document, c.span) for c in analysis.gold if c.outcome == "correct"}
    for item in analysis.predicted:
        if item.outcome != "correct":
            assert not {(item.document, span) for span in item.overlapping} & matched


def test_mismatched_sentence_counts_are_rejected() -> None:
    with pytest.raises(ValueError):
        analyse_errors([[]], [[], []])
