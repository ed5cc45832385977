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
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import zhnerbench
from zhnerbench.argtypes import copies_argument, non_negative_int, positive_int, runs_argument, samples_argument
from zhnerbench.baselines.command import add_system_options, system_options, system_price
from zhnerbench.baselines.llm_costs import Price
from zhnerbench.digests import tagged_sha256
from zhnerbench.errors import ZhNerBenchError
from zhnerbench.eval.bootstrap import DEFAULT_SAMPLES, DEFAULT_SEED, Resampling
from zhnerbench.files import JOURNAL_NAME, LOCK_NAME, check_output, exclusive, holds, recover, write_all
from zhnerbench.gold.counterfactual import VARIANTS
from zhnerbench.hub import add_hub_options, check_eval_results_target
from zhnerbench.inputs import InputError, read_input_bytes
from zhnerbench.leaderboard.board import BOARD_JSON, BOARD_PNG, CURVE_PNG, assemble_board, refuse_edited_scores, render_board
from zhnerbench.leaderboard.records import (
    GOLD_ENTITIES,
    RECORDS_DIR,
    Record,
    kept_or_new,
    read_records,
    record_name,
    render_record,
)
from zhnerbench.leaderboard.site import SITE_DIR, board_site
from zhnerbench.model import Document
from zhnerbench.paths import RESULTS_DIR

if TYPE_CHECKING:
    from zhnerbench.baselines.base import Tagger

#: This run's timings (not tracked by git: they change on every run).
LAST_RUN = "last-run.json"


@dataclass(frozen=True)
class Target:
    """Where a board lives: the checkout's ``results/`` (``root`` set: the README and
    CHANGELOG follow it) or a private directory (``root`` None)."""

    results: Path
    root: Path | None

    @property
    def base(self) -> Path:
        """The directory the lock and the journal live in (the README is written in the same transaction)."""
        return self.root if self.root is not None else self.results


@dataclass
class Outcome:
    """One record a run produced: the record, its prediction files, its timings of this run."""

    record: Record
    files: dict[str, str]
    timing: dict[str, Any]


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
    """``["A=x", "B=y"]`` as ``{"A": "x", "B": "y"}``; a value without ``=`` or a repeated key is an error.

    >>> parse_assignments(["mine=pred.jsonl"], "--add", "NAME=FILE")
    {'mine': 'pred.jsonl'}
    >>> parse_assignments(["mine"], "--add", "NAME=FILE")
    Traceback (most recent call last):
    ...
    zhnerbench.errors.ZhNerBenchError: --add expects NAME=FILE, found 'mine'
    """
    parsed: dict[str, str] = {}
    for value in values or ():
        key, equals, item = value.partition("=")
        if not equals or not key.strip() or not item:
            raise ZhNerBenchError(f"{option} expects {what}, found {value[:60]!r}")
        if key in parsed:
            raise ZhNerBenchError(f"{option} {key} is given twice")
        if len(key) > MAX_KEY_CHARS or len(item) > MAX_VALUE_CHARS:
            raise ZhNerBenchError(f"{option} {key[:60]!r}: keys may have at most {MAX_KEY_CHARS} characters "
                                  f"and values {MAX_VALUE_CHARS}")
        parsed[key.strip()] = item
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


def resolve_target(output: Path | None) -> Target:
    """The checkout's ``results/``, or ``--output DIR`` after checking that it may be written."""
    from zhnerbench.paths import repository_root

    if output is None:
        root = repository_root()
        return Target(root / RESULTS_DIR, root)
    checkout: Path | None
    try:
        checkout = repository_root()
    except ZhNerBenchError:
        checkout = None
    check_output(output, checkout, command="the leaderboard", directory=True)
    if checkout is not None and output.resolve().is_relative_to((checkout / RESULTS_DIR).resolve()):
        raise ZhNerBenchError(f"--output {output}: that is the published board's folder; drop --output to update it")
    # A lone lock file is what a run that failed before writing anything leaves: still empty.
    if output.is_dir() and any(p.name != LOCK_NAME for p in output.iterdir()) and not (output / RECORDS_DIR).is_dir():
        raise ZhNerBenchError(f"--output {output}: a non-empty folder that holds no board (no {RECORDS_DIR}/); "
                              "give a new or empty folder")
    return Target(output, None)


def taken_name_problem(spec: str, name: str, existing: Mapping[str, Record]) -> str | None:
    """Why a system built from ``spec`` may not take ``name`` without ``--replace``: a registered
    system's name, or a record made from another spec.

    >>> taken_name_problem("py:mine:make", "jieba-posseg", {})
    "py:mine:make calls itself 'jieba-posseg', the name of a registered system; rename it, or --replace"
    """
    from zhnerbench.baselines.registry import REGISTRY

    if name in REGISTRY and spec != name:
        return f"{spec} calls itself {name!r}, the name of a registered system; rename it, or --replace"
    previous = existing.get(name)
    recorded = (previous.get("system") or {}).get("spec") if previous is not None else None
    if recorded is not None and recorded != spec:
        return f"{spec} calls itself {name!r}, the name of the record of {recorded}; rename it, or --replace"
    return None


@dataclass(frozen=True)
class Sampling:
    """How sampling systems (LLMs) run: ``runs`` times each, with a majority-vote system over
    the runs when ``vote``, at the price ``price_of(model)`` gives (``None``: unknown)."""

    runs: int = 1
    vote: bool = False
    price_of: Callable[[str], Price | None] = lambda model: None


def run_specs(specs: Sequence[str], options: Mapping[str, Any], gold: Document,
              resampling: Resampling, existing: Mapping[str, Record] | None = None, replace: bool = False,
              copies: Sequence[Document] = (), tagged_copies: int = 0, jobs: int = 1,
              sampling: Sampling = Sampling()) -> list[Outcome]:
    """Load, run and score each system (on the article and its first ``tagged_copies``
    counterfactual copies), ``jobs`` systems at a time (threads: the models' own code runs
    outside Python's lock, in C, C++ or PyTorch), each model freed once its system is done;
    a sampling system (an LLM) ``sampling.runs`` times, with its vote when asked."""
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    from zhnerbench.baselines.registry import TRAINED
    from zhnerbench.baselines.specs import create_relation_system, create_system, is_relation_spec

    relation_specs = [spec for spec in specs if is_relation_spec(spec)]
    specs = [spec for spec in specs if not is_relation_spec(spec)]
    extractors = [create_relation_system(spec, **options) for spec in relation_specs]
    taggers = [create_system(spec, **options) for spec in specs]  # every spec is checked before anything runs
    if sampling.runs > 1:
        # The first of several runs has the first seed (0 unless --llm-seed says otherwise).
        taggers = [tagger.for_run(0) if callable(getattr(tagger, "for_run", None)) else tagger  # type: ignore[attr-defined]
                   for tagger in taggers]
    names = [tagger.name for tagger in taggers]
    every_name = names + [extractor.name for extractor in extractors]
    repeated = sorted({name for name in every_name if every_name.count(name) > 1})
    if repeated:
        raise ZhNerBenchError(f"several systems are called {', '.join(repeated)}: their records would overwrite each other")
    for spec, name in zip([*specs, *relation_specs], every_name, strict=True):
        problem = None if replace else taken_name_problem(spec, name, existing or {})
        if problem is not None:
            raise ZhNerBenchError(problem)
    progress = tqdm(total=len(specs), desc="systems", unit="system", file=sys.stderr, dynamic_ncols=True)
    # Each slot holds its tagger until the system is done: then the model can be freed.
    pending: list[Tagger | None] = list(taggers)
    del taggers

    def run_one(index: int) -> Outcome:
        # What happens, as it happens (the trained systems train only when --retrain asks).
        doing = "loading" if specs[index] not in TRAINED else \
            "training on MSRA (--retrain)" if options.get("retrain") else "loading its trained weights"
        progress.set_postfix_str(f"{names[index]}: {doing}")
        outcome = _run_and_free(pending, index, specs[index], options, gold, resampling, copies, tagged_copies, jobs,
                                sampling, lambda phrase: progress.set_postfix_str(f"{names[index]}: {phrase}"))
        progress.update()
        return outcome

    # Each system's model is freed by a full collection (_run_and_free). What existed before the
    # first model loaded cannot be a model's, so it is set aside (gc.freeze): each collection then
    # scans the run's objects only, not a long-lived process's whole heap (0.7 s each in the tests).
    gc.freeze()
    try:
        if jobs <= 1 or len(specs) <= 1:
            outcomes = [run_one(index) for index in range(len(specs))]
        else:
            # Longest first (by the time each took last, as its record says), so that the slowest
            # systems do not end up in the same queue.
            order = sorted(range(len(specs)), key=lambda index: -_last_seconds((existing or {}).get(names[index])))
            with ThreadPoolExecutor(max_workers=min(jobs, len(specs)), thread_name_prefix="system") as pool:
                futures = {index: pool.submit(run_one, index) for index in order}
                outcomes = [futures[index].result() for index in range(len(specs))]
    finally:
        gc.unfreeze()
        progress.close()
    outcomes += [_run_relation_system(extractor, spec, options, gold, resampling, copies, tagged_copies, sampling)
                 for spec, extractor in zip(relation_specs, extractors, strict=True)]
    return outcomes + (vote_outcomes(outcomes, gold, resampling) if sampling.vote else [])


def _run_relation_system(extractor: Any, spec: str, options: Mapping[str, Any], gold: Document,
                         resampling: Resampling, copies: Sequence[Document], tagged_copies: int,
                         sampling: Sampling) -> Outcome:
    from zhnerbench.leaderboard.run import run_relation_system

    record, files = run_relation_system(extractor, spec, _recorded_options(options), gold, resampling, copies,
                                        tagged_copies, sampling.price_of(extractor.model))
    return Outcome(record, files, {**record.get("published", {}), "status": record["status"]})


def vote_outcomes(outcomes: Sequence[Outcome], gold: Document, resampling: Resampling) -> list[Outcome]:
    """``--vote``: a majority-vote system over the runs of each system that ran several times."""
    from zhnerbench.leaderboard.run import voted_record

    voted = []
    for outcome in outcomes:
        made = voted_record(outcome.record, outcome.files, gold, resampling)
        if made is not None:
            voted.append(Outcome(made[0], made[1], {"status": "voted"}))
    return voted


def _last_seconds(record: Record | None) -> float:
    """How long a system took in the run its record comes from (0 when unknown).

    >>> _last_seconds({"name": "x", "kind": "ner", "published": {"load_seconds": 1.0, "counterfactual_seconds": 2.5}})
    3.5
    """
    published: Mapping[str, Any] = record.get("published", {}) if record is not None else {}
    return sum(float(published.get(key) or 0.0) for key in ("load_seconds", "predict_seconds", "counterfactual_seconds"))


def _run_and_free(pending: list[Tagger | None], index: int, spec: str, options: Mapping[str, Any], gold: Document,
                  resampling: Resampling, copies: Sequence[Document], tagged_copies: int, jobs: int,
                  sampling: Sampling, report: Callable[[str], None] = lambda phrase: None) -> Outcome:
    """Run one system and free its model (freeing is the system's own cost too: spaCy's or
    THULAC's take ~0.5 s); ``report`` hears what it is doing."""
    from zhnerbench.leaderboard.run import run_system

    tagger = pending[index]
    assert tagger is not None
    model = getattr(tagger, "model", None)
    price = sampling.price_of(model) if isinstance(model, str) and callable(getattr(tagger, "manifest", None)) else None
    record, files = run_system(tagger, spec, _recorded_options(options), gold, resampling, options.get("timeout"),
                               copies, tagged_copies, sampling.runs, price, report)
    started = time.perf_counter()
    pending[index] = None
    del tagger
    gc.collect()
    timing = {**record.get("published", {}), "unload_seconds": round(time.perf_counter() - started, 3),
              "status": record["status"], "jobs": jobs}
    return Outcome(record, files, timing)


def _recorded_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options a record keeps: those that may change predictions, without the user's home
    path or credentials in a URL.

    >>> _recorded_options({"normalize_punctuation": True, "base_url": "http://u:secret@host:8000/v1", "device": "cuda"})
    {'normalize_punctuation': True, 'base_url': 'http://host:8000/v1'}
    """
    from zhnerbench.secrets import public_url

    kept: dict[str, Any] = {"normalize_punctuation": options["normalize_punctuation"]}
    for key in ("msra", "label_map", "threshold"):
        if options.get(key) is not None:
            kept[key] = str(options[key]).replace(str(Path.home()), "~") if key != "threshold" else options[key]
    if options.get("base_url"):
        kept["base_url"] = public_url(str(options["base_url"]))
    return kept


def score_submissions(adds: Mapping[str, str], meta: Mapping[str, str], gold: Document,
                      resampling: Resampling, copies: Sequence[Document] = ()) -> list[Outcome]:
    """Each ``--add NAME=FILE``: the file read and checked like ``zhnerbench evaluate`` reads it, then scored."""
    from zhnerbench.baselines.specs import name_problem
    from zhnerbench.eval.readers import read_predictions
    from zhnerbench.leaderboard.run import submitted_record

    outcomes = []
    for name, path in adds.items():
        problem = name_problem(name)
        if problem is not None:
            raise ZhNerBenchError(f"--add {name[:80]}=...: the name {problem}")
        predictions = read_predictions(path, [gold], optional=copies)
        record, files = submitted_record(name, predictions, meta, gold, resampling, copies)
        outcomes.append(Outcome(record, files, {"status": "submitted"}))
    return outcomes


def merge_records(old: Mapping[str, Record], outcomes: Sequence[Outcome], removed: Sequence[str],
                  refresh: bool) -> tuple[dict[str, Record], dict[str, str], list[str]]:
    """The records after this run, the prediction files of the records that changed, and notes.

    A record replaces the old one of its name, except that (1) an old record whose result
    is the same stays as it is, timings and all, unless ``refresh``; (2) a system that
    ran before but cannot run here keeps its old record; (3) a submission never replaces a
    record of a system run here, nor the reverse (``--remove`` it first).
    """
    records = dict(old)
    files: dict[str, str] = {}
    notes = []
    for name in removed:
        if name not in records:
            raise ZhNerBenchError(f"--remove {name}: there is no record of that name (records: {', '.join(sorted(old))})")
        del records[name]
    for outcome in outcomes:
        # As it will be stored and read back (key order, lists), so that comparisons and the board agree.
        new = json.loads(render_record(outcome.record))
        name = new["name"]
        if name == GOLD_ENTITIES and new.get("kind") == "ner":
            raise ZhNerBenchError(f"a system cannot be called {GOLD_ENTITIES!r}: the relation rows on the gold "
                                  "entities have that name")
        previous = records.get(name)
        if previous is not None and previous.get("kind") == "ner" and new.get("kind") == "ner" \
                and previous.get("origin", "run") != new.get("origin", "run"):
            raise ZhNerBenchError(f"{name}: the board has a {previous.get('origin', 'run')} record of that name; "
                                  f"choose another name or `--remove {name}` first")
        if previous is not None and previous.get("status") == "ran" and new.get("status") != "ran":
            notes.append(f"{name}: {new.get('status')} here ({new.get('reason', '')}); its published record is kept")
            continue
        records[name] = kept_or_new(previous, new, refresh)
        if records[name] is new:
            files.update(outcome.files)
    return records, files, notes


def board_changes(target: Target, old: Mapping[str, Record], records: Mapping[str, Record],
                  prediction_files: Mapping[str, str], gold: Document, last_run: Mapping[str, Any]) -> dict[Path, bytes | None]:
    """Every file this run must write (or delete, ``None``) so that the board shows ``records``."""
    from zhnerbench.leaderboard.render import learning_curve_png, leaderboard_png, trained_systems

    results = target.results
    wanted: dict[Path, bytes | None] = {}
    for name in old.keys() - records.keys():
        wanted[results / record_name(name)] = None
    for name, record in records.items():
        wanted[results / record_name(name)] = render_record(record)
    owned = {path for record in records.values() for path in record.get("files", {})}
    for record in old.values():
        for path in record.get("files", {}):
            if path not in owned:
                wanted[results / path] = None
    for path, text in prediction_files.items():
        wanted[results / path] = text.encode("utf-8")
    board = assemble_board(records, gold)
    for path, content in render_board(board).items():
        wanted[results / path] = content
    for path, content in board_site(board, gold, results, prediction_files).items():
        wanted[results / path] = content
    site = results / SITE_DIR
    for stale in sorted(site.glob("systems/*.html")) if site.is_dir() else ():
        wanted.setdefault(stale, None)  # the page of a system no longer on the board
    if target.root is not None:
        from zhnerbench.build import card_files, card_sources

        root = target.root
        wanted.update({root / path: content for path, content in card_files(root, card_sources(root, gold, board)).items()})
    changed = {path: content for path, content in wanted.items() if not holds(path, content)}
    # The chart is drawn only when the board changed: same board, same bytes, no matplotlib run.
    if changed.get(results / BOARD_JSON) is not None or not (results / BOARD_PNG).is_file():
        changed[results / BOARD_PNG] = leaderboard_png(board)
    curves = any(system["training"].get("curve") for system in trained_systems(board))
    if curves and (changed.get(results / BOARD_JSON) is not None or not (results / CURVE_PNG).is_file()):
        changed[results / CURVE_PNG] = learning_curve_png(board)
    elif not curves and (results / CURVE_PNG).exists():
        changed[results / CURVE_PNG] = None
    changed[results / LAST_RUN] = (json.dumps(last_run, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return changed


def rescore_all(records: Mapping[str, Record], results: Path, gold: Document,
                resampling: Resampling, copies: Sequence[Document]) -> list[Outcome]:
    """Every scored record scored again from its stored prediction file (the systems do not run)."""
    from zhnerbench.leaderboard.board import digest_checked_texts, is_scored_system
    from zhnerbench.leaderboard.records import predictions_name
    from zhnerbench.leaderboard.run import rescored_record, rescored_relation_record, run_file_names

    outcomes = []
    for name, record in sorted(records.items()):
        if not is_scored_system(record):
            continue
        paths = [predictions_name(name), *run_file_names(record)]
        texts = digest_checked_texts(record, results, paths)
        if texts is None:
            # Rescoring another file than the one the system produced would publish its score.
            raise ZhNerBenchError(f"record {name}: its predictions ({', '.join(str(results / p) for p in paths)}) are "
                                  "missing or not the files it was scored on (their digest differs); restore them "
                                  "(`git checkout`) or run the system again")
        new, files = rescored_relation_record(record, texts[0], gold, resampling, copies) \
            if record.get("kind") == "relations" else rescored_record(record, texts[0], gold, resampling, copies, texts[1:])
        outcomes.append(Outcome(new, files, {"status": "rescored"}))
    return outcomes


def published_records(target: Target, start_empty: bool) -> tuple[dict[str, Record], dict[str, str]]:
    """What a new private board starts from: the published records and their prediction files
    (so that a system is ranked among the baselines); nothing for ``start_empty``, for a
    board that exists already, or without a checkout."""
    from zhnerbench.paths import repository_root

    if target.root is not None or (target.results / RECORDS_DIR).is_dir() or start_empty:
        return {}, {}
    try:
        published = repository_root() / RESULTS_DIR
    except ZhNerBenchError:
        return {}, {}
    records = read_records(published)
    files = {}
    for record in records.values():
        for path in record.get("files", {}):
            try:
                files[path] = read_input_bytes(published / path).decode("utf-8")
            except (InputError, UnicodeDecodeError) as error:
                raise ZhNerBenchError(f"{published / path}: cannot copy it into the private board: {error}") from None
    return records, files


def run_leaderboard(args: argparse.Namespace) -> int:
    _require_plotting()
    from zhnerbench.gold.annotation_files import load_article_gold
    from zhnerbench.gold.counterfactual import article_copies
    from zhnerbench.baselines.specs import default_systems
    from zhnerbench.leaderboard.render import leaderboard_markdown
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
    resampling = Resampling(args.samples, args.seed)
    options = {**system_options(args), "retrain": args.retrain}
    created = not target.base.exists()
    try:
        changes, records, notes = _update_board(args, target, specs, adds, meta, gold, copies, resampling, options)
    except BaseException:
        if created:  # a new --output folder that a failed run would leave holding only its lock
            _remove_if_only_lock(target.base)
        raise
    for note in notes:
        print(note, file=sys.stderr)
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
    from zhnerbench.hub import TaskResult, write_eval_results

    record = records.get(names[0])
    if record is None or record.get("status") != "ran":
        reason = record.get("reason", "") if record is not None else "no record"
        raise ZhNerBenchError(f"--eval-results: {names[0]} has no scores to publish ({reason})")
    results = [TaskResult(view, score["f1"], tuple(score["f1_ci"]) if score.get("f1_ci") else None)  # type: ignore[arg-type]
               for view, score in record["scores"].items()]
    scoring = record.get("scoring", {})
    written = write_eval_results(args.eval_results, results, args, root, scoring.get("zhnerbench", ""),
                                 scoring.get("gold", ""))
    print(f"wrote {written}", file=sys.stderr)


def _remove_if_only_lock(folder: Path) -> None:
    try:
        if {path.name for path in folder.iterdir()} <= {LOCK_NAME}:
            (folder / LOCK_NAME).unlink(missing_ok=True)
            folder.rmdir()
    except OSError:
        pass


def _update_board(args: argparse.Namespace, target: Target, specs: Sequence[str], adds: Mapping[str, str],
                  meta: Mapping[str, str], gold: Document, copies: Sequence[Document], resampling: Resampling,
                  options: Mapping[str, Any]) -> tuple[dict[Path, bytes | None], dict[str, Record], list[str]]:
    """Under the board's lock: run, score and merge, then write every changed file in one transaction."""
    from zhnerbench.leaderboard.run import gold_relations_record

    with exclusive(target.base / LOCK_NAME, f"the board in {target.results}"):
        if recover(target.base / JOURNAL_NAME):
            print("completed (or undid) the writes of an interrupted run", file=sys.stderr)
        old = read_records(target.results)
        if not args.rescore:  # --rescore replaces edited scores by those of the predictions
            refuse_edited_scores({name: r for name, r in old.items() if name not in (args.remove or [])},
                                 target.results, gold, copies)
        seeded, seeded_files = published_records(target, args.start_empty)
        outcomes = rescore_all(old, target.results, gold, resampling, copies) if args.rescore else []
        outcomes += score_submissions(adds, meta, gold, resampling, copies)
        sampling = Sampling(args.runs, args.vote, lambda model: system_price(args, model))
        outcomes += run_specs(specs, options, gold, resampling, {**seeded, **old}, args.replace, copies,
                              args.counterfactual, args.jobs, sampling)
        outcomes.append(Outcome(*gold_relations_record(gold, copies, resampling, args.counterfactual), {}))
        records, files, notes = merge_records({**seeded, **old}, outcomes, args.remove or [], args.refresh_timings)
        owned = {path for record in records.values() for path in record.get("files", {})}
        files = {**{path: text for path, text in seeded_files.items() if path in owned}, **files}
        last_run = {
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "wall_seconds_since_start": round(time.perf_counter() - zhnerbench.STARTED, 2),
            "systems": {o.record["name"]: o.timing for o in outcomes if o.timing},
        }
        changes = board_changes(target, old, records, files, gold, last_run)
        write_all(changes, target.base / JOURNAL_NAME)
    return changes, records, notes


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
                             "on the board as NAME, marked submitted (repeatable)")
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
