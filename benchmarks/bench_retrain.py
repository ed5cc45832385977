"""How close a retrain comes to the shipped weights, and what it costs (run by hand).

    python benchmarks/bench_retrain.py [NAME ...]   # default: every trained system with shipped weights

For each trained system it loads the shipped weights (their MSRA dev/test F1 and training
time as the project's training run recorded them), then trains the same system anew with
the same settings into a temporary cache (``--retrain``; MSRA NER must be found) and
reports the retrained model's F1, the difference, and the retrain's training time as a
ratio to the shipped run's. The goal stated for the shipped weights: a retrain within 0.5
F1 of them. Nothing is written outside the temporary cache.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.baselines.cache import CACHE_ENV
from zhnerbench.baselines.registry import TRAINED
from zhnerbench.baselines.specs import create_system
from zhnerbench.baselines.training import TrainedModelInfo, shipped_dir


def loaded_info(name: str, retrain: bool) -> TrainedModelInfo:
    tagger = create_system(name, retrain=retrain)
    tagger.load()
    info: TrainedModelInfo = tagger.info  # type: ignore[attr-defined]
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=sorted(name for name in TRAINED if shipped_dir(name)))
    args = parser.parse_args(argv)
    print("| system | shipped test F1 | retrained test F1 | difference | shipped dev F1 | retrained dev F1 | "
          "shipped training (s) | retrain training (s) | ratio | retrain wall time (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for name in args.names:
        try:
            shipped = loaded_info(name, retrain=False)
            if shipped.weights != "shipped":
                print(f"{name}: no shipped weights for its settings", file=sys.stderr)
                continue
            with tempfile.TemporaryDirectory() as cache:
                os.environ[CACHE_ENV] = cache
                started = time.perf_counter()
                retrained = loaded_info(name, retrain=True)
                wall = time.perf_counter() - started
        except BaselineUnavailable as error:
            print(f"{name}: unavailable: {error}", file=sys.stderr)
            continue
        difference = 100 * (retrained.msra_test_f1 - shipped.msra_test_f1)
        worst = max(worst, abs(difference))
        print(f"| {name} | {100 * shipped.msra_test_f1:.2f} | {100 * retrained.msra_test_f1:.2f} | {difference:+.2f} | "
              f"{100 * shipped.msra_dev_f1:.2f} | {100 * retrained.msra_dev_f1:.2f} | {shipped.training_seconds:.0f} | "
              f"{retrained.training_seconds:.0f} | {retrained.training_seconds / shipped.training_seconds:.2f} | "
              f"{wall:.0f} |", flush=True)
    print(f"largest test F1 difference: {worst:.2f} points (goal: at most 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
