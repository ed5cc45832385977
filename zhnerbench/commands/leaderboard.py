"""``zhnerbench leaderboard``: run systems and score submissions into records; assemble the board.

Each system has one record, ``results/records/NAME.json`` (its scores, how it was made,
when and where), and its prediction files under ``results/predictions/`` (the
``documents`` format, so anyone can re-score them). The board, ``results/leaderboard.{json,md,png}``
and the README's leaderboard block, is assembled from all records. A run changes only
the records it is asked to (``--systems``, ``--add``, ``--remove``, ``--rescore``), writes
every file it changes in one transaction (all or nothing, also when killed) under a lock,
and leaves a record as it was when only its timings would change (``--refresh-timings``
replaces them). ``--output DIR`` keeps a private board in DIR instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from zhnerbench.commands.argtypes import copies_argument, non_negative_int, positive_int, runs_argument, samples_argument
from zhnerbench.commands.tag import add_system_options, system_options, system_price
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.printable import printable
from zhnerbench.eval.bootstrap import DEFAULT_SAMPLES, DEFAULT_SEED, Resampling
from zhnerbench.gold.counterfactual import VARIANTS
from zhnerbench.board.hub import add_hub_options, check_eval_results_target
from zhnerbench.board.assemble import assemble_board
from zhnerbench.baselines.cache import cache_root
from zhnerbench.runner.prediction_cache import CACHE_DIR, PredictionCache
from zhnerbench.runner.leaderboard import LAST_RUN, BoardRun, Sampling, remove_if_only_lock, resolve_target, update_board
from zhnerbench.board.records import (
    GOLD_ENTITIES,
    Record,
)
from zhnerbench.document import Document


def _require_plotting() -> None:
    try:
        import matplotlib  # noqa: F401
        import tqdm  # noqa: F401
    except ImportError:
        raise ZhNerBenchError("the leaderboard needs matplotlib and tqdm: pip install 'zhnerbench[leaderboard]'") from None


#: Bounds on ``--add``/``--meta`` assignments: they are stored in records and rendered.
MAX_KEY_CHARS = 100


MAX_VALUE_CHARS = 1_000


def parse_assignments(values: Sequence[str] | None, option: str, what: str) -> dict[str, str]:
    """``["A=x", "B=y"]`` as ``{"A": "x", "B": "y"}``; a value without ``=`` or a key given twice
    (spaces around it aside) is an error naming both.

    >>> parse_assignments(["mine=pred.jsonl"], "--add", "NAME=FILE")
    {'mine': 'pred.jsonl'}
    >>> parse_assignments(["mine"], "--add", "NAME=FILE")
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.ZhNerBenchError: --add expects NAME=FILE, found 'mine'
    >>> parse_assignments(["x=a.jsonl", " x=b.jsonl"], "--add", "NAME=FILE")
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.ZhNerBenchError: --add gives x twice: 'x=a.jsonl' and ' x=b.jsonl'
    """
    parsed: dict[str, str] = {}
    given: dict[str, str] = {}
    for value in values or ():
        raw_key, equals, item = value.partition("=")
        key = raw_key.strip()
        if not equals or not key or not item:
            raise ZhNerBenchError(f"{option} expects {what}, found {value[:60]!r}")
        if key in parsed:
            raise ZhNerBenchError(f"{option} gives {key[:60]} twice: {given[key][:80]!r} and {value[:80]!r}")
        if len(key) > MAX_KEY_CHARS or len(item) > MAX_VALUE_CHARS:
            raise ZhNerBenchError(f"{option} {key[:60]!r}: keys may have at most {MAX_KEY_CHARS} characters "
                                  f"and values {MAX_VALUE_CHARS}")
        parsed[key], given[key] = item, value
    return parsed


def split_specs(value: str | None) -> list[str]:
    """The systems of ``--systems A,B``, each once, in the order given.

    >>> split_specs("thulac,jieba-posseg,thulac")
    ['thulac', 'jieba-posseg']
    """
    if value is None:
        return []
    specs = [spec.strip() for spec in value.split(",")]
    if any(not spec for spec in specs):
        raise ZhNerBenchError(f"--systems {value!r}: an empty system name")
    return list(dict.fromkeys(specs))


def run_leaderboard(args: argparse.Namespace) -> int:
    _require_plotting()
    from zhnerbench.gold.annotation_files import load_article_gold
    from zhnerbench.gold.counterfactual import article_copies
    from zhnerbench.baselines.specs import default_systems
    from zhnerbench.board.markdown import leaderboard_markdown
    from zhnerbench.paths import gold_root

    target = resolve_target(args.output)
    adds = parse_assignments(args.add, "--add", "NAME=FILE")
    meta = parse_assignments(args.meta, "--meta", "KEY=VALUE")
    if meta and not adds:
        raise ZhNerBenchError("--meta describes the files of --add; give --add NAME=FILE too")
    if GOLD_ENTITIES in (args.remove or []):
        raise ZhNerBenchError(f"--remove {GOLD_ENTITIES}: the relation baselines on the gold entities are part of "
                              "every board (rebuilt by each run); it cannot be removed")
    specs = split_specs(args.systems)
    if args.eval_results is not None and len(specs) + len(adds) != 1:
        raise ZhNerBenchError("--eval-results writes one system's scores: give exactly one --systems SPEC or --add NAME=FILE")
    check_eval_results_target(args, gold_root())
    if args.vote and args.runs < 2:
        raise ZhNerBenchError("--vote needs --runs K with K >= 2: it takes the spans most of the runs predicted")
    system_price(args, "")  # the price options are checked before anything runs
    if not specs and not adds and not args.remove and not args.rescore:
        specs = list(default_systems())
    gold_dir = target.root if target.root is not None else gold_root()
    gold = load_article_gold(gold_dir)
    copies = article_copies(gold_dir)
    run = BoardRun(
        specs=specs, adds=adds, meta=meta, remove=tuple(args.remove or ()), rescore=args.rescore,
        start_empty=args.start_empty, replace=args.replace, refresh_timings=args.refresh_timings,
        counterfactual=args.counterfactual, jobs=args.jobs,
        sampling=Sampling(args.runs, args.vote, lambda model: system_price(args, model)),
        options={**system_options(args), "retrain": args.retrain}, resampling=Resampling(args.samples, args.seed),
        cache=None if args.no_cache or args.refresh_timings else PredictionCache(cache_root() / CACHE_DIR))
    created = not target.base.exists()
    try:
        changes, records, notes = update_board(run, target, gold, copies)
    except BaseException:
        if created:  # a new --output folder that a failed run would leave holding only its lock
            remove_if_only_lock(target.base)
        raise
    for note in notes:
        print(printable(note), file=sys.stderr)
    if args.eval_results is not None:
        _write_eval_results(args, records, list(adds) or [_system_name(specs[0], records)], gold_dir, gold)
    print(leaderboard_markdown(assemble_board(records, gold)))
    shown = sorted(_shown(path) for path in changes if path.name != LAST_RUN)
    print(f"\n{len(shown)} file(s) changed:" + "".join(f"\n  {path}" for path in shown) if shown
          else "\nno file changed: the results are the same", file=sys.stderr)
    return 0


def _system_name(spec: str, records: Mapping[str, Record]) -> str:
    """The record name of the system run from ``spec`` (a registered name, or a py:/plugin spec)."""
    named = [name for name, record in records.items() if (record.get("system") or {}).get("spec") == spec]
    return named[0] if named else spec


def _write_eval_results(args: argparse.Namespace, records: Mapping[str, Record], names: Sequence[str], root: Path,
                        gold: Document) -> None:
    """``--eval-results``: the one system's scores of record in the Hub's format."""
    from zhnerbench.board.hub import TaskResult, write_eval_results

    record = records.get(names[0])
    if record is None or record.get("status") != "ran":
        reason = record.get("reason", "") if record is not None else "no record"
        raise ZhNerBenchError(f"--eval-results: {names[0]} has no scores to publish ({reason})")
    results = [TaskResult.of_view(view, score) for view, score in record["scores"].items()]
    scoring = record.get("scoring", {})
    written = write_eval_results(args.eval_results, results, args, root, scoring.get("zhnerbench", ""),
                                 scoring.get("gold", ""))
    print(f"wrote {written}", file=sys.stderr)


def _shown(path: Path) -> str:
    return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)


#: The most systems run at a time by default (each holds a model in memory).
MAX_DEFAULT_JOBS = 4


def default_jobs() -> int:
    """Systems run at a time by default: the cores this process may use, at most
    :data:`MAX_DEFAULT_JOBS`.

    >>> 1 <= default_jobs() <= MAX_DEFAULT_JOBS
    True
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_DEFAULT_JOBS))


def add_leaderboard_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "leaderboard",
        help="run systems and score prediction files into the board (results/, or --output DIR)",
        description=__doc__.split("\n\n")[0],
        epilog="Without --systems, --add, --remove or --rescore, every registered system and installed plugin runs.",
    )
    parser.add_argument("--systems", "--system", metavar="SPEC[,SPEC...]",
                        help="run only these systems: registered names, py:package.module:factory, or plugin names")
    parser.add_argument("--add", action="append", metavar="NAME=FILE",
                        help="score a prediction file made elsewhere (documents, CoNLL or sentences format) and put it "
                             "on the board as NAME, marked submitted (repeatable); a file of an lm-evaluation-harness run "
                             "of the zhnerbench tasks (--log_samples) brings the run: the article, the copies and the "
                             "relations it has (NAME-relations), with the model and settings in the manifest")
    parser.add_argument("--meta", action="append", metavar="KEY=VALUE",
                        help="describe the --add systems (model=..., url=..., version=...; repeatable)")
    parser.add_argument("--remove", action="append", metavar="NAME", help="take NAME's record off the board (repeatable)")
    parser.add_argument("--replace", action="store_true",
                        help="let a py: or plugin system take the name of a registered system or of another spec's record")
    parser.add_argument("--rescore", action="store_true",
                        help="score every record again from its stored predictions (after the gold changed)")
    parser.add_argument("--output", type=Path, metavar="DIR",
                        help="keep a private board in DIR (started from the published records); "
                             "nothing in the checkout changes")
    parser.add_argument("--start-empty", action="store_true", help="with a new --output DIR: start without the published records")
    parser.add_argument("--refresh-timings", action="store_true",
                        help="replace the published timings of the systems run even when their results did not change")
    parser.add_argument("--no-cache", action="store_true",
                        help="tag every document anew instead of taking what the prediction cache holds for an unchanged "
                             "system and document ($ZHNERBENCH_CACHE/predictions; --refresh-timings does so too)")
    parser.add_argument("--retrain", action="store_true", help="train the trained baselines anew (into the cache) instead of using their shipped weights")
    parser.add_argument("--samples", type=samples_argument, default=DEFAULT_SAMPLES,
                        help=f"bootstrap samples (default {DEFAULT_SAMPLES})")
    parser.add_argument("--seed", type=non_negative_int, default=DEFAULT_SEED, help=f"bootstrap seed (default {DEFAULT_SEED})")
    parser.add_argument("--counterfactual", type=copies_argument, default=VARIANTS, metavar="N",
                        help=f"also run the systems on the first N counterfactual copies of the article (default: all "
                             f"{VARIANTS}; 0 skips them, e.g. to bound the cost of a paid API)")
    add_hub_options(parser)
    parser.add_argument("--runs", type=runs_argument, default=1, metavar="K",
                        help="run each LLM system K times (seeds N..N+K-1, see --llm-seed) and show its mean F1 ± sd "
                             "and the runs' span agreement; the first run is the score of record (default 1)")
    parser.add_argument("--vote", action="store_true",
                        help="with --runs K: also put NAME-vote on the board, the spans most of the K runs predicted")
    parser.add_argument("--jobs", type=positive_int, default=default_jobs(), metavar="N",
                        help=f"run N systems at a time (default {default_jobs()}: this machine's cores, at most "
                             f"{MAX_DEFAULT_JOBS}); speeds are then measured beside each other: --jobs 1 for clean ones")
    add_system_options(parser)
    parser.set_defaults(func=run_leaderboard)
