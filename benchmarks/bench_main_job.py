"""The main job at the speed of what changed: ``make run``'s three commands in this checkout, with
the prediction cache and without, and after one system's code changed (run by hand).

    python -m benchmarks.bench_main_job [--repeats 3]

Each repeat times, in this order:

1. **warm**: ``validate``, ``build``, ``leaderboard`` (what ``make run`` runs once its virtualenv
   exists) on a board where nothing changed: the prediction cache answers every document;
2. **cache off**: the same with ``leaderboard --no-cache``: every system loads its model and tags
   the article and its 20 copies again (a record whose result is unchanged is still kept as it
   is);
3. **one system changed**: a comment appended to one adapter's module (``thulac_pos.py``; put
   back afterwards, whatever happens): its cache key changes, so that system alone loads and
   tags again; ``results/last-run.json`` says which systems the cache answered.

Each command's wall time, CPU time and peak memory (the largest resident set of the child
processes) are reported. The machine may be shared: the fixed pure-Python loop of
``bench_test_loop.reference_seconds`` is timed before each repeat, and each run is reported as a
multiple of it too. Every run must end with "no file changed": the benchmark fails otherwise.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from benchmarks.bench_test_loop import reference_seconds

ROOT = Path(__file__).resolve().parent.parent
ZHNERBENCH = ROOT / ".venv" / "bin" / "zhnerbench"
#: The adapter whose source the third case touches.
TOUCHED = ROOT / "zhnerbench" / "baselines" / "thulac_pos.py"


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    peak_mb: float


def timed(*arguments: str) -> Timing:
    """One command of the checkout's virtualenv, timed (its peak memory by GNU time); it must
    succeed and change no file."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "peak %M", str(ZHNERBENCH), *arguments], cwd=ROOT,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = int(done.stderr.rstrip().rsplit("peak ", 1)[-1]) if "peak " in done.stderr else 0
    if done.returncode != 0:
        sys.exit(f"zhnerbench {' '.join(arguments)} failed:\n{done.stderr[-2000:]}")
    if arguments[0] in ("build", "leaderboard") and "changed" in done.stderr + done.stdout \
            and "no file changed" not in done.stderr and "0 changed" not in done.stdout:
        sys.exit(f"zhnerbench {' '.join(arguments)} changed files: the benchmark needs a board where nothing "
                 f"changes\n{done.stderr[-1000:]}{done.stdout[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu, peak / 1024)


def make_run(*leaderboard_options: str) -> dict[str, Timing]:
    return {"validate": timed("validate"), "build": timed("build"),
            "leaderboard": timed("leaderboard", *leaderboard_options)}


@contextmanager
def touched(path: Path) -> Iterator[None]:
    """``path`` with a comment appended, put back as it was afterwards. The comment is new each
    time: the prediction cache is content-addressed, so a source seen before would hit its entries."""
    original = path.read_bytes()
    try:
        path.write_bytes(original + f"\n# touched by benchmarks/bench_main_job.py ({time.time_ns()})\n".encode())
        yield
    finally:
        path.write_bytes(original)


def cached_systems() -> dict[str, int]:
    """How many documents the prediction cache answered, by system, in the last run."""
    last = json.loads((ROOT / "results" / "last-run.json").read_text(encoding="utf-8"))
    return {name: int(timing.get("cached_documents", 0)) for name, timing in last["systems"].items()
            if timing.get("status") == "ran"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    timed("leaderboard")  # the cache filled and the verdicts remembered, as after any run
    rows = []
    for repeat in range(1, args.repeats + 1):
        reference = reference_seconds()
        warm = make_run()
        off = make_run("--no-cache")
        with touched(TOUCHED):
            one = make_run()
            answered = cached_systems()
        timed("leaderboard")  # the touched system's entries for its original source, back in place
        rows.append((reference, warm, off, one))
        tagged = sorted(name for name, documents in answered.items() if documents == 0)
        print(f"repeat {repeat}: reference loop {reference:.2f} s; systems tagged after touching "
              f"{TOUCHED.name}: {', '.join(tagged) or 'none'}", flush=True)

    def total(run: dict[str, Timing]) -> float:
        return sum(timing.wall for timing in run.values())

    print("\n| repeat | reference loop (s) | warm make run (s) | cache off (s) | one system changed (s) | "
          "cache off / warm | warm / reference |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for index, (reference, warm, off, one) in enumerate(rows, 1):
        print(f"| {index} | {reference:.2f} | {total(warm):.1f} | {total(off):.1f} | {total(one):.1f} | "
              f"{total(off) / total(warm):.1f} | {total(warm) / reference:.0f} |")
    print("\nmedian per command (wall s / CPU s / peak MB):")
    for case, index in (("warm", 1), ("cache off", 2), ("one system changed", 3)):
        parts = []
        for command in ("validate", "build", "leaderboard"):
            runs = [row[index][command] for row in rows]  # type: ignore[index]
            parts.append(f"{command} {statistics.median(t.wall for t in runs):.1f} / "
                         f"{statistics.median(t.cpu for t in runs):.1f} / {max(t.peak_mb for t in runs):.0f}")
        print(f"- {case}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
