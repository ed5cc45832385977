"""argparse types shared by the subcommands: numbers with bounds, checked before any work starts."""

from __future__ import annotations

import argparse

from zhnerbench.shards import Shard, shard_problem

#: The resampling weights take 8 bytes per sample and sentence (51 MB for the article at this bound).
MAX_SAMPLES = 100_000


def bounded_int(value: str, low: int, high: int | None = None) -> int:
    """``value`` as an integer in ``[low, high]``, else an ``argparse.ArgumentTypeError`` saying what is expected.

    >>> bounded_int("3", 1, 5)
    3
    >>> bounded_int("９", 0)
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an integer >= 0, found '９'
    """
    number = int(value) if value.isascii() and value.lstrip("-").isdigit() and len(value) <= 12 else None
    if number is None or number < low or (high is not None and number > high):
        bounds = f"between {low} and {high:,}" if high is not None else f">= {low}"
        raise argparse.ArgumentTypeError(f"expected an integer {bounds}, found {value[:20]!r}")
    return number


def samples_argument(value: str) -> int:
    """argparse type of a bootstrap sample count: an integer from 1 to MAX_SAMPLES."""
    return bounded_int(value, 1, MAX_SAMPLES)


def non_negative_int(value: str) -> int:
    """argparse type of a non-negative integer (seeds, counts)."""
    return bounded_int(value, 0)


def positive_int(value: str) -> int:
    """argparse type of a positive integer (batch sizes, concurrency)."""
    return bounded_int(value, 1)


#: The longest deadline ``--timeout`` takes: a day.
MAX_SECONDS = 86_400.0


def positive_seconds(value: str) -> float:
    """argparse type of a duration in seconds: a finite number above 0, at most a day (``nan``,
    ``inf`` and ``-1`` are refused before anything runs).

    >>> positive_seconds("2.5")
    2.5
    >>> positive_seconds("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected seconds above 0 and at most 86,400, found 'nan'
    """
    try:
        seconds = float(value) if len(value) <= 20 else None
    except ValueError:
        seconds = None
    if seconds is None or not 0 < seconds <= MAX_SECONDS:  # False for nan
        raise argparse.ArgumentTypeError(f"expected seconds above 0 and at most {MAX_SECONDS:,.0f}, found {value[:20]!r}")
    return seconds


def copies_argument(value: str) -> int:
    """argparse type of ``--counterfactual``: how many of the article's counterfactual copies,
    from 0 to all of them.

    >>> copies_argument("20")
    20
    """
    from zhnerbench.gold.counterfactual import VARIANTS

    return bounded_int(value, 0, VARIANTS)


def bounded_float(value: str, low: float, high: float, low_open: bool = False) -> float:
    """``value`` as a finite number in ``[low, high]`` (``(low, high]`` with ``low_open``).

    >>> bounded_float("0.7", 0, 2), bounded_float("1", 0, 1, low_open=True)
    (0.7, 1.0)
    >>> bounded_float("inf", 0, 2)
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a number from 0 to 2, found 'inf'
    """
    try:
        number = float(value) if len(value) <= 20 else None
    except ValueError:
        number = None
    if number is None or not (low < number if low_open else low <= number) or not number <= high:  # False for nan
        raise argparse.ArgumentTypeError(f"expected a number {'above' if low_open else 'from'} {low:g} "
                                         f"{'and at most' if low_open else 'to'} {high:g}, found {value[:20]!r}")
    return number


def temperature_argument(value: str) -> float:
    """argparse type of a sampling temperature: 0 to 2, as the OpenAI API takes it."""
    return bounded_float(value, 0, 2)


def top_p_argument(value: str) -> float:
    """argparse type of nucleus sampling's ``top_p``: above 0, at most 1."""
    return bounded_float(value, 0, 1, low_open=True)


def price_argument(value: str) -> float:
    """argparse type of a price per million tokens: 0 to 1e9."""
    return bounded_float(value, 0, 1e9)


#: The most runs ``--runs`` takes (each is a pass of paid requests).
MAX_RUNS = 100


def runs_argument(value: str) -> int:
    """argparse type of ``--runs``: 1 to :data:`MAX_RUNS`."""
    return bounded_int(value, 1, MAX_RUNS)


def shard_argument(value: str) -> Shard:
    """argparse type of ``--shard I/N``: the I-th of N shards, from 0 (:mod:`zhnerbench.shards`).

    >>> shard_argument("0/4")
    Shard(index=0, count=4)
    >>> shard_argument("4/4")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: the shard index 4 must be between 0 and 3 (shards are numbered from 0, as Dataset.shard's index)
    """
    problem = shard_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    index, _, count = value.partition("/")
    return Shard(int(index), int(count))
