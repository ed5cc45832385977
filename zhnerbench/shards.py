"""Which documents one of N shards holds: the rule of Hugging Face ``datasets``' ``Dataset.shard``
(``contiguous=True``, its default), so that N machines, a Slurm array or a Ray job can each tag
one shard and the N outputs, concatenated in shard order, are the file one run would write.

Shards are numbered from 0 (as ``Dataset.shard``'s ``index``, Slurm's ``$SLURM_ARRAY_TASK_ID``
with ``--array=0-(N-1)``, Ray's task indexes). Of ``total`` documents, shard ``i`` holds the
contiguous run starting at ``(total // N) * i + min(i, total % N)``: the first ``total % N``
shards hold one document more than the others; where ``N > total`` the last shards are empty.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (from 0) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def bounds(self, total: int) -> range:
        """The positions of the documents this shard holds, of ``total`` in all.

        >>> [list(Shard(i, 3).bounds(8)) for i in range(3)]
        [[0, 1, 2], [3, 4, 5], [6, 7]]
        >>> [len(Shard(i, 4).bounds(2)) for i in range(4)]
        [1, 1, 0, 0]
        """
        size, extra = divmod(total, self.count)
        start = size * self.index + min(self.index, extra)
        return range(start, start + size + (1 if self.index < extra else 0))


#: The most shards: more than any cluster runs jobs, few enough to keep the numbers readable.
MAX_SHARDS = 1_000_000


def shard_problem(value: str) -> str | None:
    """Why ``value`` is not a shard ``I/N`` (``0 <= I < N``), or ``None``.

    >>> shard_problem("2/4") is None, shard_problem("4/4"), shard_problem("1-4")
    (True, "the shard index 4 must be between 0 and 3 (shards are numbered from 0, as Dataset.shard's index)", "expected I/N, the I-th of N shards counted from 0 (e.g. 0/4), found '1-4'")
    """
    index, slash, count = value.partition("/")
    if not slash or not all(part.isascii() and part.isdigit() and len(part) <= 7 for part in (index, count)):
        return f"expected I/N, the I-th of N shards counted from 0 (e.g. 0/4), found {value[:20]!r}"
    if not 1 <= int(count) <= MAX_SHARDS:
        return f"the number of shards must be between 1 and {MAX_SHARDS:,}, found {count}"
    if int(index) >= int(count):
        return (f"the shard index {int(index)} must be between 0 and {int(count) - 1} "
                "(shards are numbered from 0, as Dataset.shard's index)")
    return None
