"""Tie-aware ranks: systems that a paired test cannot separate share a rank.

Systems are ordered by F1. The first is a group's leader and takes rank 1; every following
system that a one-sided paired bootstrap test (over sentences, at :data:`ALPHA`) cannot
separate from the leader takes the leader's rank; the first system it can separate leads the
next group, with its position as rank ("1, 1, 1, 4, 5, 5"), as MTEB and LMArena rank. A
system whose record has no per-sentence counts (a record made before 1.3) is only ranked by
its position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from zhnerbench.eval.bootstrap import SentenceCounts, paired_bootstrap

#: The test's level: a leader is "better" when p(leader not better) < ALPHA.
ALPHA = 0.05


def micro_counts(rows: Sequence[Sequence[int]]) -> SentenceCounts:
    """A record's per-sentence ``[correct, predicted, gold]`` rows as micro :class:`SentenceCounts`.

    >>> micro_counts([[1, 2, 1], [0, 0, 3]]).total()
    Counts(correct=1, predicted=2, gold=4)
    """
    array = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
    return SentenceCounts(("micro",), array[:, 0:1], array[:, 1:2], array[:, 2:3])


def rank_groups(systems: Mapping[str, tuple[float, SentenceCounts | None]], samples: int, seed: int,
                alpha: float = ALPHA) -> dict[str, int]:
    """Each system's tie-aware rank, from its F1 and per-sentence counts (see the module doc).

    >>> gold = {(i, "PER", 0, 1) for i in range(60)}
    >>> from zhnerbench.eval.bootstrap import sentence_counts
    >>> def system(found): return (len(found) / 60, sentence_counts(gold, found, 60, ["PER"]))
    >>> rank_groups({"a": system(gold), "b": system(set(sorted(gold)[:58])), "c": system(set(sorted(gold)[:20]))}, 200, 0)
    {'a': 1, 'b': 1, 'c': 3}
    """
    order = sorted(systems, key=lambda name: (-systems[name][0], name))
    ranks: dict[str, int] = {}
    position = 0
    while position < len(order):
        leader = order[position]
        ranks[leader] = position + 1
        following = position + 1
        while following < len(order) and _inseparable(systems[leader], systems[order[following]], samples, seed, alpha):
            ranks[order[following]] = position + 1
            following += 1
        position = following
    return ranks


def _inseparable(leader: tuple[float, SentenceCounts | None], other: tuple[float, SentenceCounts | None],
                 samples: int, seed: int, alpha: float) -> bool:
    if leader[0] == other[0]:
        return True
    if leader[1] is None or other[1] is None or leader[1].correct.shape[0] != other[1].correct.shape[0]:
        return False
    return paired_bootstrap(leader[1], other[1], samples, seed).p_value >= alpha
