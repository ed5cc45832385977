"""Where a cold ``make run`` spends its time: a fresh clone, its virtualenv, each install step,
validate, build and the board (run by hand, from the checkout; it takes minutes per run).

    python benchmarks/bench_cold_start.py [--ref REF ...] [--target run] [--keep]

For each ``--ref`` (default: ``HEAD``; give ``main`` too to compare), the repository is cloned
into a temporary folder, checked out at that commit, and ``make TARGET`` runs there twice: first
with an empty package cache (``PIP_CACHE_DIR`` and ``UV_CACHE_DIR`` pointed at a new folder: every
package is downloaded, and built where it ships no wheel), then again in a fresh clone with the
cache that first run filled (a warm cache, as on a machine that installed the project before).
Every recipe line the Makefile runs is timed on its own (make's ``SHELL`` is a wrapper that logs
each command's wall time), so the breakdown is the Makefile's own steps, whatever they are at
that commit. ``$ZHNERBENCH_CACHE`` points into the temporary folder too, a new one for each
run: nothing a previous run of the board left is reused.

The machine may be shared: the fixed pure-Python loop of ``bench_test_loop.reference_seconds``
is timed before each run, and each figure is also given as a multiple of it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_test_loop import reference_seconds

ROOT = Path(__file__).resolve().parent.parent

#: make's SHELL for the timed runs: runs each recipe line with bash and logs its wall time.
TIMED_SHELL = """#!/usr/bin/env bash
start=$EPOCHREALTIME
/usr/bin/env bash "$@"
status=$?
end=$EPOCHREALTIME
command="${@: -1}"
printf '%s\\t%s\\t%s\\n' "$start" "$end" "${command//$'\\n'/ }" >> "$COLD_START_STEPS"
exit $status
"""

#: What each recipe line is, by the first pattern it matches.
STEP_KINDS = (
    ("nested make", re.compile(r"\$\(MAKE\)|^make |/make |make --no-print-directory")),
    ("venv", re.compile(r"-m venv|uv venv|virtualenv")),
    ("install uv", re.compile(r"pip install[^|]*\buv\b")),
    ("upgrade pip", re.compile(r"pip install .*--upgrade pip")),
    ("browser", re.compile(r"chromium|apt-get")),
    ("torch", re.compile(r"torch")),
    ("install test extra", re.compile(r"install.*\[test\]")),
    ("install project", re.compile(r"install")),
    ("validate", re.compile(r"zhnerbench validate")),
    ("build", re.compile(r"zhnerbench build")),
    ("leaderboard", re.compile(r"zhnerbench leaderboard")),
    ("mypy", re.compile(r"mypy")),
    ("pytest", re.compile(r"pytest")),
)


@dataclass(frozen=True)
class Step:
    kind: str
    seconds: float
    command: str


@dataclass(frozen=True)
class ColdRun:
    ref: str
    cache: str
    reference: float
    wall: float
    steps: tuple[Step, ...]


def step_kind(command: str) -> str:
    """What a recipe line does.

    >>> step_kind(".venv/bin/python -m pip install --quiet -e '.[test]'"), step_kind("python3 -m venv .venv")
    ('install test extra', 'venv')
    """
    return next((kind for kind, pattern in STEP_KINDS if pattern.search(command)), "other")


def read_steps(log: Path) -> tuple[Step, ...]:
    steps = []
    for line in log.read_text(encoding="utf-8").splitlines():
        start, end, command = line.split("\t", 2)
        if not command.lstrip().startswith("#"):  # a comment in a recipe, which make hands to the shell too
            steps.append(Step(step_kind(command), float(end) - float(start), command))
    return tuple(steps)


def cold_run(ref: str, cache: str, work: Path, package_cache: Path, target: str) -> ColdRun:
    """``make TARGET`` in a fresh clone of ``ref``, with ``package_cache`` as pip's and uv's cache."""
    clone = work / f"clone-{cache}"
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", ref], check=True)
    shell, log = work / "timed-shell", work / f"steps-{cache}.tsv"
    shell.write_text(TIMED_SHELL, encoding="utf-8")
    shell.chmod(0o755)
    log.unlink(missing_ok=True)
    environment = {**os.environ, "PIP_CACHE_DIR": str(package_cache / "pip"), "UV_CACHE_DIR": str(package_cache / "uv"),
                   # A prediction cache of each run's own: the warm-package run must tag as a cold one does,
                   # not find what the empty-package run tagged (its board took 4.7 s instead of 85 s).
                   "ZHNERBENCH_CACHE": str(work / f"zhnerbench-cache-{cache}"), "COLD_START_STEPS": str(log)}
    reference = reference_seconds()
    started = time.perf_counter()
    done = subprocess.run(["make", "--no-print-directory", target, f"SHELL={shell}"], cwd=clone, env=environment,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"make {target} at {ref} failed ({done.returncode})")
    shutil.rmtree(clone)
    return ColdRun(ref, cache, reference, wall, read_steps(log))


def report(run: ColdRun) -> str:
    lines = [f"{run.ref} ({run.cache} package cache): {run.wall:.1f} s wall = {run.wall / run.reference:.0f} x "
             f"the reference loop ({run.reference:.3f} s)"]
    for step in run.steps:
        if step.kind == "nested make":
            continue
        lines.append(f"  {step.seconds:7.1f} s  {step.kind:20s} {step.command[:90]}")
    totals: dict[str, float] = {}
    for step in run.steps:
        if step.kind != "nested make":
            totals[step.kind] = totals.get(step.kind, 0.0) + step.seconds
    lines.append("  by kind: " + ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in totals.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ref", action="append", help="commit to measure (repeatable; default HEAD)")
    parser.add_argument("--target", default="run", help="the make target (default: run)")
    parser.add_argument("--warm-only", action="store_true",
                        help="skip the empty-cache run: the warm run uses your own pip and uv caches")
    args = parser.parse_args(argv)
    runs = []
    for ref in args.ref or ["HEAD"]:
        resolved = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", ref], check=True,
                                  capture_output=True, text=True).stdout.strip()
        with tempfile.TemporaryDirectory(prefix="cold-start-") as folder:
            work = Path(folder)
            if args.warm_only:
                home = Path.home() / ".cache"
                runs.append(cold_run(resolved, "your", work, home, args.target))
            else:
                package_cache = work / "package-cache"
                runs.append(cold_run(resolved, "empty", work, package_cache, args.target))
                print(report(runs[-1]), flush=True)
                runs.append(cold_run(resolved, "warm", work, package_cache, args.target))
            print(report(runs[-1]), flush=True)
    if len(runs) > 1:
        print("ratios (wall / reference loop): " + ", ".join(f"{r.ref} {r.cache}: {r.wall / r.reference:.0f}"
                                                              for r in runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
