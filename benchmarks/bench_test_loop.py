"""How long ``make test`` takes against its 90-second budget (run by hand, from the checkout).

    python benchmarks/bench_test_loop.py [--repeats N]   # default: 3

Runs the Makefile's ``test`` target ``N`` times in a row and reports, for each run, its wall
time, the time pytest reports for itself, the CPU time of all its processes (user + system,
steadier than wall time on a shared machine) and the wall time as a ratio to the budget; then
the median of each. Before each run it times a fixed pure-Python loop on one core: when that
reference is slower, the machine is, and the run's figures say so. The first run after an edit of ``pyproject.toml`` reinstalls the package
into the virtual environment: run it once before measuring. Any failure stops the benchmark
with the target's exit code.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 90.0
PYTEST_SUMMARY = re.compile(r"(\d+) passed.* in ([\d.]+)s")


@dataclass(frozen=True)
class LoopTiming:
    reference: float
    wall: float
    pytest: float
    cpu: float
    passed: int


def reference_seconds() -> float:
    """The time of a fixed pure-Python loop (about 0.2 s on this project's development machine)."""
    started = time.perf_counter()
    sum(i * i for i in range(5_000_000))
    return time.perf_counter() - started


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pytest_summary(output: str) -> tuple[int, float]:
    """The number of passed tests and pytest's own time, from its last summary line.

    >>> pytest_summary("...\\n957 passed in 70.00s (0:01:10)\\n")
    (957, 70.0)
    """
    found = PYTEST_SUMMARY.findall(output)
    if not found:
        raise ValueError("no pytest summary line in the output of make test")
    passed, seconds = found[-1]
    return int(passed), float(seconds)


def timed_make_test() -> LoopTiming:
    reference = reference_seconds()
    cpu_before, started = children_cpu_seconds(), time.perf_counter()
    done = subprocess.run(["make", "--no-print-directory", "test"], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(done.returncode)
    passed, seconds = pytest_summary(done.stdout)
    return LoopTiming(reference, wall, seconds, children_cpu_seconds() - cpu_before, passed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"| run | reference loop (s) | make test wall (s) | pytest (s) | CPU, all processes (s) | tests | "
          f"wall / {BUDGET_SECONDS:.0f} s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    timings = []
    for run in range(1, args.repeats + 1):
        timing = timed_make_test()
        timings.append(timing)
        print(f"| {run} | {timing.reference:.2f} | {timing.wall:.1f} | {timing.pytest:.1f} | {timing.cpu:.1f} | {timing.passed} | "
              f"{timing.wall / BUDGET_SECONDS:.2f} |", flush=True)
    wall = statistics.median(t.wall for t in timings)
    print(f"| median | {statistics.median(t.reference for t in timings):.2f} | {wall:.1f} | {statistics.median(t.pytest for t in timings):.1f} | "
          f"{statistics.median(t.cpu for t in timings):.1f} | | {wall / BUDGET_SECONDS:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
