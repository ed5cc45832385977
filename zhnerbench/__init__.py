"""zhnerbench: a carefully annotated Chinese NER and relation-extraction benchmark.

The code is one package: the core vocabulary (``schema``, ``model``, ``offsets``,
``schemes``, ``views``, ``counts``, ``paths``, ``errors``) that every stage imports,
and one subpackage per stage: ``corpus``, ``annotations``, ``formats``, ``eval``
(the scorer), ``baselines`` (the systems) and ``leaderboard``.
"""

import time

__version__ = "1.1.0"

#: When the project's code started running (the leaderboard's wall time counts from here).
STARTED = time.perf_counter()
