"""Partial-match scores (SemEval-2013 schemes, by nervaluate): each scheme on a hand-made case,
and the strict scheme equal to seqeval's numbers on the gold."""

from __future__ import annotations

import random

import pytest

from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.eval.evaluation import evaluate_view
from zhnerbench.eval.partial import partial_scores
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.document import Document, Span
from zhnerbench.views import VIEWS

# One sentence of 上海市经济信息化委主任吴金城: gold ORG [0,7), TITLE [7,9), PERSON [9,12).
GOLD = [[Span(0, 7, "ORG"), Span(7, 9, "TITLE"), Span(9, 12, "PERSON")]]
LABELS = ["ORG", "TITLE", "PERSON", "GPE"]


def scores(predicted: list[Span]) -> dict[str, tuple[float, float]]:
    return {name: (round(s.precision, 3), round(s.recall, 3)) for name, s in partial_scores(GOLD, [predicted], LABELS).items()}


def test_an_exact_match_counts_everywhere() -> None:
    assert scores(GOLD[0]) == {name: (1.0, 1.0) for name in ("strict", "exact", "partial", "type")}


def test_right_boundaries_wrong_type_counts_for_exact_and_partial_only() -> None:
    # 吴金城 as an ORG: strict and type say wrong, exact and partial say right.
    got = scores([Span(0, 7, "ORG"), Span(7, 9, "TITLE"), Span(9, 12, "ORG")])
    assert got["strict"] == got["type"] == (0.667, 0.667)
    assert got["exact"] == got["partial"] == (1.0, 1.0)


def test_a_shorter_span_of_the_right_type_is_half_right_for_partial_and_right_for_type() -> None:
    # 上海市 instead of the whole ORG: partial gives half credit, type full credit, strict and exact none.
    got = scores([Span(0, 3, "ORG"), Span(7, 9, "TITLE"), Span(9, 12, "PERSON")])
    assert got["strict"] == got["exact"] == (0.667, 0.667)
    assert got["partial"] == (0.833, 0.833)  # (2 + 0.5) / 3
    assert got["type"] == (1.0, 1.0)


def test_a_shorter_span_of_another_type_is_partial_only() -> None:
    got = scores([Span(0, 3, "GPE"), Span(7, 9, "TITLE"), Span(9, 12, "PERSON")])
    assert got["strict"] == got["exact"] == got["type"] == (0.667, 0.667)
    assert got["partial"] == (0.833, 0.833)


def test_missed_and_spurious_spans() -> None:
    got = scores([Span(9, 12, "PERSON"), Span(12, 13, "ORG")])
    # One correct, one spurious of two predicted; two of three gold spans missed.
    assert got["strict"] == (0.5, 0.333)


def test_nothing_predicted_and_nothing_to_find() -> None:
    assert partial_scores([[]], [[]], LABELS)["strict"].f1 == 0.0
    assert partial_scores(GOLD, [[]], LABELS)["partial"].recall == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_nervaluate_strict_equals_the_scores_of_record_on_flat_spans(gold: Document, seed: int) -> None:
    rng = random.Random(seed)
    predicted = tuple(Span(s.start, s.end if rng.random() < 0.8 else s.end - 1, rng.choice([s.label, "ORG"]))
                      for s in gold.spans if rng.random() < 0.85 and s.end - s.start > 1)
    result = evaluate_view([gold], Predictions("p", "documents", {gold.id: predicted}, None), VIEWS["full"],
                           Resampling(samples=10))
    strict = result.partial["strict"]
    assert (strict.precision, strict.recall, strict.f1) == pytest.approx(
        (result.scores.micro.precision, result.scores.micro.recall, result.scores.micro.f1), abs=1e-12)
