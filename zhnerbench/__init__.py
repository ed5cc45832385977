"""zhnerbench: a carefully annotated Chinese NER and relation-extraction benchmark.

The project's folders map into this one namespace so that no generic top-level
name is installed: ``corpus/`` is ``zhnerbench.corpus``, ``annotations/`` is
``zhnerbench.annotations``, ``eval/`` is ``zhnerbench.eval`` and ``baselines/``
is ``zhnerbench.baselines``.
"""

import time

__version__ = "1.0.0"

#: When the project's code started running (the leaderboard's wall time counts from here).
STARTED = time.perf_counter()
