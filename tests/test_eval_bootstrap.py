"""Bootstrap intervals and the paired test: seeded, fast, and sensible on known cases."""

from __future__ import annotations

import random

import numpy as np
import pytest

from zhnerbench.eval.bootstrap import (
    Interval,
    bootstrap_intervals,
    micro_f1,
    paired_bootstrap,
    resample_weights,
    sentence_counts,
)
from zhnerbench.eval.ner import span_set_scores

LABELS = ("PER", "LOC", "ORG")


def random_system(seed: int, sentences: int = 64, keep: float = 0.8) -> tuple[set, set]:
    """Gold entities and a system that finds about ``keep`` of them, plus some noise."""
    rng = random.Random(seed)
    gold = {(s, rng.choice(LABELS), i * 3, i * 3 + 2) for s in range(sentences) for i in range(rng.randrange(5))}
    predicted = {e for e in gold if rng.random() < keep}
    predicted |= {(s, rng.choice(LABELS), 40, 42) for s in range(sentences) if rng.random() < 0.2}
    return gold, predicted


def test_counts_sum_to_the_span_set_scores() -> None:
    gold, predicted = random_system(0)
    counts = sentence_counts(gold, predicted, 64, LABELS)
    scores = span_set_scores(gold, predicted)
    assert int(counts.correct.sum()) == scores.micro.correct
    assert int(counts.predicted.sum()) == scores.micro.predicted
    assert int(counts.gold.sum()) == scores.micro.gold
    assert counts.total() == scores.micro
    assert micro_f1(counts) == pytest.approx(scores.micro.f1)
    for column, label in enumerate(LABELS):
        assert int(counts.gold[:, column].sum()) == scores.per_label[label].gold


def test_weights_resample_every_sentence_count_times() -> None:
    weights = resample_weights(64, samples=1000, seed=3)
    assert weights.shape == (1000, 64)
    assert (weights.sum(axis=1) == 64).all()
    # Each sentence is drawn once per sample on average.
    assert weights.mean() == pytest.approx(1.0)
    assert np.array_equal(weights, resample_weights(64, samples=1000, seed=3))
    assert not np.array_equal(weights, resample_weights(64, samples=1000, seed=4))


def naive_sample_f1s(gold: set, predicted: set, weights: np.ndarray) -> list[float]:
    """Micro F1 of each bootstrap sample, from the entity sets, one sentence at a time (no matrices)."""
    values = []
    for row in weights:
        correct = found = expected = 0
        for sentence, times in enumerate(row):
            mine = {e for e in predicted if e[0] == sentence}
            theirs = {e for e in gold if e[0] == sentence}
            correct += times * len(mine & theirs)
            found += times * len(mine)
            expected += times * len(theirs)
        values.append(2 * correct / (found + expected) if found + expected else float("nan"))
    return values


def test_intervals_equal_a_naive_resampling_of_the_entity_sets() -> None:
    gold, predicted = random_system(1)
    intervals = bootstrap_intervals(sentence_counts(gold, predicted, 64, LABELS), samples=300, seed=0)
    values = [v for v in naive_sample_f1s(gold, predicted, resample_weights(64, 300, 0)) if v == v]
    low, high = np.percentile(values, [2.5, 97.5])
    assert intervals.micro.f1 is not None
    assert (intervals.micro.f1.low, intervals.micro.f1.high) == pytest.approx((low, high), abs=1e-12)


def test_intervals_are_seeded_and_contain_the_estimate() -> None:
    gold, predicted = random_system(1)
    counts = sentence_counts(gold, predicted, 64, LABELS)
    intervals = bootstrap_intervals(counts, samples=1000, seed=0)
    assert intervals == bootstrap_intervals(counts, samples=1000, seed=0)
    assert intervals != bootstrap_intervals(counts, samples=1000, seed=1)
    scores = span_set_scores(gold, predicted)
    for name in ("precision", "recall", "f1"):
        interval = getattr(intervals.micro, name)
        assert interval is not None and interval.low <= getattr(scores.micro, name) <= interval.high
        assert interval.high - interval.low < 0.3
    assert set(intervals.per_label) == set(LABELS)
    assert intervals.samples == 1000 and intervals.confidence == 0.95


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    counts = sentence_counts(*random_system(2), 64, LABELS)
    narrow = bootstrap_intervals(counts, confidence=0.5).micro.f1
    wide = bootstrap_intervals(counts, confidence=0.99).micro.f1
    assert wide is not None and narrow is not None
    assert wide.low <= narrow.low <= narrow.high <= wide.high


def test_perfect_system_has_a_degenerate_interval() -> None:
    gold, _ = random_system(3)
    intervals = bootstrap_intervals(sentence_counts(gold, gold, 64, LABELS), samples=200)
    assert intervals.micro.f1 == Interval(1.0, 1.0)


def test_samples_without_the_label_do_not_count_as_zero() -> None:
    # One LOC in 64 sentences, found: most resamples lack it, which is not an F1 of 0.
    gold = {(0, "LOC", 0, 2)}
    counts = sentence_counts(gold, gold, 64, LABELS)
    intervals = bootstrap_intervals(counts, samples=500)
    assert intervals.per_label["LOC"].f1 == Interval(1.0, 1.0)
    assert intervals.per_label["PER"].f1 is None  # no sample has any PER


def test_paired_test() -> None:
    gold, predicted = random_system(4, keep=0.9)
    worse_predicted = {e for e in predicted if e[0] % 3}
    good = sentence_counts(gold, predicted, 64, LABELS)
    worse = sentence_counts(gold, worse_predicted, 64, LABELS)
    better = paired_bootstrap(good, worse, samples=1000, seed=0)
    assert better.f1_a > better.f1_b and better.difference > 0
    assert better.p_value < 0.01
    assert paired_bootstrap(worse, good).p_value > 0.99
    # A system is never better than itself: every sample ties.
    assert paired_bootstrap(good, good).p_value == 1.0


def test_paired_test_equals_a_naive_resampling_of_the_entity_sets() -> None:
    gold, predicted = random_system(5, keep=0.85)
    rng = random.Random(5)  # a rival of about the same quality: some of the first's hits, some of its misses
    other = {e for e in sorted(predicted) if rng.random() < 0.9} | {e for e in sorted(gold - predicted) if rng.random() < 0.6}
    weights = resample_weights(64, 200, 7)
    a, b = naive_sample_f1s(gold, predicted, weights), naive_sample_f1s(gold, other, weights)
    expected = sum(x <= y for x, y in zip(a, b, strict=True)) / len(a)
    test = paired_bootstrap(sentence_counts(gold, predicted, 64, LABELS), sentence_counts(gold, other, 64, LABELS),
                            samples=200, seed=7)
    assert test.p_value == expected and 0 < expected < 1


def test_bad_arguments() -> None:
    counts = sentence_counts(set(), set(), 3, LABELS)
    with pytest.raises(ValueError):
        resample_weights(0)
    with pytest.raises(ValueError):
        bootstrap_intervals(counts, confidence=1.5)
    with pytest.raises(ValueError):
        paired_bootstrap(counts, sentence_counts(set(), set(), 4, LABELS))
