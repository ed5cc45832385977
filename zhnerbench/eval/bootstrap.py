"""Bootstrap confidence intervals and the paired bootstrap test, resampling sentences.

The unit of resampling is the sentence (the gold has 64): a bootstrap sample
draws as many sentences as there are, with replacement, and recomputes the
scores from per-sentence counts of correct, predicted and gold entities per
label. Drawing is done once per sample as a multinomial multiplicity vector, so
a sample's counts are one matrix product and 1,000 samples take milliseconds.

Intervals are percentile intervals (2.5th and 97.5th percentiles for 95%).
The paired test (Koehn 2004) scores both systems on the same samples; its
p-value is the fraction of samples in which A's F1 is *not* greater than B's,
so a small value supports "A is better than B". Its resolution is
``1 / samples``. Samples are seeded: the same inputs and seed give the same
numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from zhnerbench.counts import Counts
from zhnerbench.eval.ner import EntityTuple

DEFAULT_SAMPLES = 1000
DEFAULT_SEED = 0
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Resampling:
    """How the bootstrap resamples: the number of samples, the seed and the interval's confidence."""

    samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED
    confidence: float = DEFAULT_CONFIDENCE


@dataclass(frozen=True)
class SentenceCounts:
    """:class:`~zhnerbench.counts.Counts` per sentence and label, as three arrays of shape
    ``(sentences, labels)`` so that a bootstrap sample is one matrix product."""

    labels: tuple[str, ...]
    correct: np.ndarray
    predicted: np.ndarray
    gold: np.ndarray

    def total(self) -> Counts:
        """The counts summed over sentences and labels.

        >>> sentence_counts({(0, "PER", 0, 1)}, {(0, "PER", 0, 1), (1, "PER", 2, 3)}, 2, ["PER"]).total()
        Counts(correct=1, predicted=2, gold=1)
        """
        return Counts(int(self.correct.sum()), int(self.predicted.sum()), int(self.gold.sum()))


def sentence_counts(
    gold: Iterable[EntityTuple], predicted: Iterable[EntityTuple], sentences: int, labels: Sequence[str]
) -> SentenceCounts:
    """Count entity tuples ``(sentence, label, start, end)`` per sentence and label (a tuple's
    first element is the sentence it is counted in).

    >>> c = sentence_counts({(0, "PER", 0, 2), (1, "ORG", 0, 1)}, {(0, "PER", 0, 2)}, 2, ["ORG", "PER"])
    >>> c.correct.tolist(), c.gold.tolist()
    ([[0, 1], [0, 0]], [[0, 1], [1, 0]])
    """
    column = {label: index for index, label in enumerate(labels)}
    gold_set, predicted_set = set(gold), set(predicted)
    arrays = {name: np.zeros((sentences, len(labels)), dtype=np.int64) for name in ("correct", "predicted", "gold")}
    for name, entities in (("gold", gold_set), ("predicted", predicted_set), ("correct", gold_set & predicted_set)):
        for sentence, label, _, _ in entities:
            arrays[name][sentence, column[label]] += 1
    return SentenceCounts(tuple(labels), arrays["correct"], arrays["predicted"], arrays["gold"])


#: Samples drawn, and multiplied, at a time: bounds the memory of a large corpus's resampling.
SAMPLE_CHUNK = 64


def resample_weights(sentences: int, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> np.ndarray:
    """How many times each sentence is drawn in each sample: shape ``(samples, sentences)``, int64.

    >>> w = resample_weights(5, samples=3, seed=1)
    >>> w.shape, w.sum(axis=1).tolist()
    ((3, 5), [5, 5, 5])
    """
    return _compact_weights(sentences, samples, seed).astype(np.int64)


@functools.lru_cache(maxsize=4)
def _compact_weights(sentences: int, samples: int, seed: int) -> np.ndarray:
    """:func:`resample_weights`, drawn in chunks of :data:`SAMPLE_CHUNK` samples from one
    generator (the same numbers as one draw of every sample) and kept in the smallest integer
    type that holds them: 1,000 samples of 64,000 sentences take 64 MB, not 512. Read-only, and
    shared by the views of an evaluation (same sentences, samples and seed, same weights)."""
    if sentences < 1:
        raise ValueError("the bootstrap needs at least one sentence")
    if samples < 1:
        raise ValueError("the bootstrap needs at least one sample")
    rng = np.random.default_rng(seed)
    probabilities = np.full(sentences, 1.0 / sentences)
    chunks = []
    for first in range(0, samples, SAMPLE_CHUNK):
        chunk = rng.multinomial(sentences, probabilities, size=min(SAMPLE_CHUNK, samples - first))
        chunks.append(chunk.astype(np.uint8) if chunk.max() <= np.iinfo(np.uint8).max else chunk)
    weights = np.concatenate(chunks) if len({chunk.dtype for chunk in chunks}) == 1 else \
        np.concatenate([chunk.astype(np.int64) for chunk in chunks])
    weights.setflags(write=False)
    return weights


def resampled(weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``weights @ counts`` (per-sentence counts summed in each sample), exactly, in chunks of
    samples: integer counts multiply as floats (BLAS) and come back as integers. Single
    precision where every product and sum is an integer below 2**24 (so exact in any order),
    double precision (exact below 2**53) where a column could exceed that.

    >>> resampled(np.array([[2, 0], [1, 1]], dtype=np.uint8), np.array([[1, 0], [3, 1]])).tolist()
    [[2, 0], [4, 1]]
    """
    bound = int(counts.sum(axis=0).max(initial=0)) * int(weights.max(initial=0))
    exact = np.float32 if bound < 1 << 24 else np.float64
    right = counts.astype(exact)
    parts = [np.matmul(weights[first:first + SAMPLE_CHUNK].astype(exact), right)
             for first in range(0, weights.shape[0], SAMPLE_CHUNK)]
    totals: np.ndarray = np.rint(np.concatenate(parts)).astype(np.int64)
    return totals


def _ratios(correct: np.ndarray, predicted: np.ndarray, gold: np.ndarray) -> dict[str, np.ndarray]:
    """P, R and F1 of count arrays; NaN where a ratio is undefined (nothing predicted / no gold / neither)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, correct / predicted, np.nan)
        recall = np.where(gold > 0, correct / gold, np.nan)
        # 2c / (p + g) is the harmonic mean of P and R, and 0 when nothing matched.
        f1 = np.where(predicted + gold > 0, 2 * correct / (predicted + gold), np.nan)
    return {"precision": precision, "recall": recall, "f1": f1}


@dataclass(frozen=True)
class Interval:
    """A confidence interval ``[low, high]``."""

    low: float
    high: float


@dataclass(frozen=True)
class ScoreIntervals:
    """Confidence intervals of precision, recall and F1; ``None`` when no sample defines the ratio."""

    precision: Interval | None
    recall: Interval | None
    f1: Interval | None


def _percentile_intervals(values: Mapping[str, np.ndarray], confidence: float) -> list[ScoreIntervals]:
    """One :class:`ScoreIntervals` per column of the ``(samples, columns)`` arrays in ``values``.

    Samples where a ratio is undefined (NaN) are left out of its interval: a
    resample without any entity of a label says nothing about that label.
    """
    tail = 100 * (1 - confidence) / 2
    result = []
    for column in range(values["f1"].shape[1]):
        intervals: list[Interval | None] = []
        for name in ("precision", "recall", "f1"):
            defined = values[name][:, column]
            defined = defined[~np.isnan(defined)]
            if defined.size == 0:
                intervals.append(None)
                continue
            low, high = np.percentile(defined, [tail, 100 - tail])
            intervals.append(Interval(float(low), float(high)))
        result.append(ScoreIntervals(*intervals))
    return result


@dataclass(frozen=True)
class BootstrapIntervals:
    """Micro and per-label intervals from one set of bootstrap samples."""

    micro: ScoreIntervals
    per_label: Mapping[str, ScoreIntervals]
    samples: int
    seed: int
    confidence: float


def bootstrap_intervals(
    counts: SentenceCounts,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> BootstrapIntervals:
    """Percentile bootstrap intervals of micro and per-label P/R/F1, resampling sentences.

    >>> c = sentence_counts({(i, "PER", 0, 1) for i in range(10)}, {(i, "PER", 0, 1) for i in range(8)}, 10, ["PER"])
    >>> ci = bootstrap_intervals(c, samples=200, seed=0)
    >>> ci.micro.precision, ci.micro.recall.high, 0.5 < ci.micro.recall.low < 0.8
    (Interval(low=1.0, high=1.0), 1.0, True)
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    weights = _compact_weights(counts.correct.shape[0], samples, seed)
    # One product for the three count arrays: the weights are converted once per chunk.
    stacked = resampled(weights, np.hstack([counts.correct, counts.predicted, counts.gold]))
    correct, predicted, gold = np.hsplit(stacked, 3)
    totals = (array.sum(axis=1, keepdims=True) for array in (correct, predicted, gold))
    micro = _percentile_intervals(_ratios(*totals), confidence)[0]
    per_label = _percentile_intervals(_ratios(correct, predicted, gold), confidence)
    return BootstrapIntervals(micro, dict(zip(counts.labels, per_label, strict=True)), samples, seed, confidence)


def micro_f1(counts: SentenceCounts) -> float:
    """The micro F1 of the counts.

    >>> micro_f1(sentence_counts({(0, "PER", 0, 1)}, {(0, "PER", 0, 1), (0, "PER", 2, 3)}, 1, ["PER"]))
    0.6666666666666666
    """
    return counts.total().f1


@dataclass(frozen=True)
class PairedTest:
    """Paired bootstrap comparison of two systems' micro F1 on the same gold."""

    f1_a: float
    f1_b: float
    p_value: float
    samples: int
    seed: int

    @property
    def difference(self) -> float:
        return self.f1_a - self.f1_b


def paired_bootstrap(
    a: SentenceCounts, b: SentenceCounts, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
) -> PairedTest:
    """p-value that system A's micro F1 is greater than B's (see the module doc).

    >>> gold = {(i, "PER", 0, 1) for i in range(30)}
    >>> good = sentence_counts(gold, gold, 30, ["PER"])
    >>> bad = sentence_counts(gold, set(list(sorted(gold))[:20]), 30, ["PER"])
    >>> paired_bootstrap(good, bad, samples=200).p_value
    0.0
    >>> paired_bootstrap(bad, good, samples=200).p_value
    1.0
    """
    first, second = paired_f1_samples(a, b, samples, seed)
    not_better = first <= second
    return PairedTest(micro_f1(a), micro_f1(b), float(not_better.mean()), samples, seed)


def paired_f1_samples(a: SentenceCounts, b: SentenceCounts, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The micro F1 of ``a`` and of ``b`` in each bootstrap sample, both drawn with the same
    sentences (row ``i`` of ``a`` and of ``b`` are the same sentence)."""
    if a.correct.shape[0] != b.correct.shape[0]:
        raise ValueError("both sides must be scored on the same sentences")
    weights = _compact_weights(a.correct.shape[0], samples, seed)

    columns = [array.sum(axis=1) for counts in (a, b) for array in (counts.correct, counts.predicted, counts.gold)]
    totals = resampled(weights, np.stack(columns, axis=1))

    def sampled_f1(first: int) -> np.ndarray:
        # A sample without any entity on either side scores 0, as seqeval would.
        f1 = _ratios(totals[:, first], totals[:, first + 1], totals[:, first + 2])["f1"]
        return np.asarray(np.nan_to_num(f1, nan=0.0), dtype=float)

    return sampled_f1(0), sampled_f1(3)


def difference_interval(a: SentenceCounts, b: SentenceCounts, resampling: Resampling = Resampling()) -> Interval:
    """The percentile interval of micro F1(a) - micro F1(b) under a paired bootstrap over
    sentences: each draw takes a sentence on both sides at once (for the counterfactual
    copies, ``b`` holds each sentence's counts summed over its copies).

    >>> gold = {(i, "PER", 0, 1) for i in range(30)}
    >>> good = sentence_counts(gold, gold, 30, ["PER"])
    >>> half = sentence_counts(gold, set(sorted(gold)[:15]), 30, ["PER"])
    >>> interval = difference_interval(good, half, Resampling(200))
    >>> 0 < interval.low < 1 / 3 < interval.high <= 0.5
    True
    """
    first, second = paired_f1_samples(a, b, resampling.samples, resampling.seed)
    tail = 100 * (1 - resampling.confidence) / 2
    low, high = np.percentile(first - second, [tail, 100 - tail])
    return Interval(float(low), float(high))
