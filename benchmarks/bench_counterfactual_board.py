"""What the counterfactual copies cost the leaderboard: the warm board with and without them.

    python benchmarks/bench_counterfactual_board.py [RUNS]

Builds a private board in a temporary folder (`zhnerbench leaderboard --output DIR
--start-empty`, every default system), once to warm the caches, then times RUNS warm runs
(default 2) of each setting, alternating: `--counterfactual 0` (the article alone: the board
as it was before the copies, the reference) and `--counterfactual 20`. Each run is a
subprocess, timed from outside. The split: `tagging_seconds` sums each system's load, predict
and copies' predict times as the run's `last-run.json` records them (systems run `--jobs` at a
time, so the sum can exceed the wall time); `scoring_seconds` is the wall time of a
`--rescore` of the same board right after (every record scored again from its predictions,
copies included, no system run). Prints one JSON line per run and the ratio of the medians.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETTINGS = (0, 20)


def warm_run(board: Path, copies: int) -> dict[str, float]:
    """One timed `leaderboard` run into ``board``; its wall time and its tagging time."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zhnerbench.cli", "leaderboard", "--output", str(board),
                    "--counterfactual", str(copies), "--refresh-timings"],
                   check=True, capture_output=True)
    wall = time.perf_counter() - started
    systems = json.loads((board / "last-run.json").read_text(encoding="utf-8"))["systems"]
    tagging = sum(timing.get(key, 0.0) for timing in systems.values()
                  for key in ("load_seconds", "predict_seconds", "counterfactual_seconds", "unload_seconds"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zhnerbench.cli", "leaderboard", "--output", str(board), "--rescore"],
                   check=True, capture_output=True)
    return {"copies": copies, "wall_seconds": round(wall, 2), "tagging_seconds": round(tagging, 2),
            "scoring_seconds": round(time.perf_counter() - started, 2)}


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 2
    with tempfile.TemporaryDirectory(prefix="zhnerbench-bench-") as folder:
        board = Path(folder) / "board"
        subprocess.run([sys.executable, "-m", "zhnerbench.cli", "leaderboard", "--output", str(board),
                        "--start-empty"], check=True, capture_output=True)
        results: dict[int, list[dict[str, float]]] = {copies: [] for copies in SETTINGS}
        for _ in range(runs):
            for copies in SETTINGS:
                result = warm_run(board, copies)
                results[copies].append(result)
                print(json.dumps(result), flush=True)
    medians = {copies: statistics.median(r["wall_seconds"] for r in rows) for copies, rows in results.items()}
    print(json.dumps({"median_wall_seconds": medians, "ratio_20_to_0": round(medians[20] / medians[0], 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
