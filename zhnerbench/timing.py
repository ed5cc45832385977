"""When the project's code started running (the leaderboard's wall time counts from here)."""

import time

#: ``time.perf_counter()`` when ``zhnerbench`` was first imported (its package imports this module).
STARTED = time.perf_counter()
