"""Bootstrap intervals and the paired test: seeded, fast, and sensible on known cases."""

from __future__ import annotations

import random
import time

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
    assert int(counts.gold.sum()) == scores.micro.support
    assert micro_f1(counts) == pytest.approx(scores.micro.f1)
    for column, label in enumerate(LABELS):
        assert int(counts.gold[:, column].sum()) == scores.per_label[label].support


def test_weights_resample_every_sentence_count_times() -> None:
    weights = resample_weights(64, samples=1000, seed=3)
    assert weights.shape == (1000, 64)
    assert (weights.sum(axis=1) == 64).all()
    # Each sentence is drawn once per sample on average.
    assert weights.mean() == pytest.approx(1.0)
    assert np.array_equal(weights, resample_weights(64, samples=1000, seed=3))
    assert not np.array_equal(weights, resample_weights(64, samples=1000, seed=4))


def test_intervals_are_seeded_contain_the_estimate_and_are_fast() -> None:
    gold, predicted = random_system(1)
    counts = sentence_counts(gold, predicted, 64, LABELS)
    started = time.perf_counter()
    intervals = bootstrap_intervals(counts, samples=1000, seed=0)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"1,000 samples took {elapsed:.3f}s"
    assert intervals == bootstrap_intervals(counts, samples=1000, seed=0)
    assert intervals != bootstrap_intervals(counts, samples=1000, seed=1)
    scores = span_set_scores(gold, predicted)
    for name in ("precision", "recall", "f1"):
        interval = getattr(intervals.micro, name)
        assert interval.low <= getattr(scores.micro, name) <= interval.high
        assert interval.high - interval.low < 0.3
    assert set(intervals.per_label) == set(LABELS)
    assert intervals.samples == 1000 and intervals.confidence == 0.95


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    counts = sentence_counts(*random_system(2), 64, LABELS)
    narrow = bootstrap_intervals(counts, confidence=0.5).micro.f1
    wide = bootstrap_intervals(counts, confidence=0.99).micro.f1
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
    good = sentence_counts(gold, predicted, 64, LABELS)
    worse = sentence_counts(gold, {e for e in predicted if e[0] % 3}, 64, LABELS)
    better = paired_bootstrap(good, worse, samples=1000, seed=0)
    assert better.f1_a > better.f1_b and better.difference > 0
    assert better.p_value < 0.01
    assert paired_bootstrap(worse, good).p_value > 0.99
    # A system is never better than itself: every sample ties.
    assert paired_bootstrap(good, good).p_value == 1.0
    assert paired_bootstrap(good, worse, seed=5) == paired_bootstrap(good, worse, seed=5)


def test_bad_arguments() -> None:
    counts = sentence_counts(set(), set(), 3, LABELS)
    with pytest.raises(ValueError):
        resample_weights(0)
    with pytest.raises(ValueError):
        bootstrap_intervals(counts, confidence=1.5)
    with pytest.raises(ValueError):
        paired_bootstrap(counts, sentence_counts(set(), set(), 4, LABELS))
