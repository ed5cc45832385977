"""Remembered rescoring checks: a record once found to hold the scores of its own prediction
files is not scored again for the same bytes.

The check (:func:`zhnerbench.board.assemble.edited_scores`) scores every record again from its
prediction files, which takes seconds per board; ``build``, ``build --check`` and every
leaderboard run do it. A record found consistent leaves a verdict file in
``$ZHNERBENCH_CACHE/record-checks``, named by a digest of everything the verdict depends on: the
record, its prediction files, the gold, the counterfactual copies, and the scorer itself (every
source file of the installed package, the view files, and the versions of the scoring libraries).
Any change to one of them is another name, so a stale verdict is never read. Only
"consistent" is remembered; a problem is found again on every run. A checkout's CI starts
with an empty cache and checks everything.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from zhnerbench.baselines.base import package_version
from zhnerbench.baselines.cache import cache_root
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.writing import write_atomically
from zhnerbench.paths import VIEWS_DIR, install_root

VERDICTS_DIR = "record-checks"
#: The libraries a record's scores come from: seqeval's strict entities, nervaluate's partial
#: matches, NumPy's bootstrap.
SCORING_LIBRARIES = ("seqeval", "nervaluate", "numpy")
CONSISTENT = b'{"consistent": true}\n'


@functools.lru_cache(maxsize=1)
def scorer_fingerprint() -> str:
    """A digest of the code and data that scoring runs: the package's source files, the view
    files, and the versions of :data:`SCORING_LIBRARIES`.

    >>> len(scorer_fingerprint())
    64
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent  # the whole zhnerbench package
    views = install_root() / VIEWS_DIR
    for folder, pattern in ((package, "*.py"), (views, "*.json")):
        for path in sorted(folder.rglob(pattern)):
            digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    digest.update(" ".join(f"{library} {package_version(library)}" for library in SCORING_LIBRARIES).encode("utf-8"))
    return digest.hexdigest()


def verdict_name(*digests: str) -> str:
    """The verdict file's name for these content digests (with the scorer's fingerprint).

    >>> verdict_name("a", "b") == verdict_name("a", "b"), verdict_name("a", "b") == verdict_name("b", "a")
    (True, False)
    """
    return hashlib.sha256(json.dumps([*digests, scorer_fingerprint()]).encode("utf-8")).hexdigest() + ".json"


def known_consistent(*digests: str) -> bool:
    """Whether a check of these contents found them consistent before."""
    try:
        return (cache_root() / VERDICTS_DIR / verdict_name(*digests)).read_bytes() == CONSISTENT
    except OSError:
        return False


def remember_consistent(*digests: str) -> None:
    """Remember that these contents are consistent; a cache that cannot be written is skipped
    (the check then runs again next time)."""
    try:
        write_atomically(cache_root() / VERDICTS_DIR / verdict_name(*digests), CONSISTENT)
    except (ZhNerBenchError, OSError):
        pass
