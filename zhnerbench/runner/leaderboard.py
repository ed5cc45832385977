"""The runner: one leaderboard run, from the systems asked for to the files written.

:func:`update_board` does, under the board's lock: recover an interrupted run, read and check
the records, score the submissions (``--add``), run the systems (:func:`run_specs`: resolve each
spec, run it on the article and the copies asked for, free its model), make the relation rows on
the gold entities, merge the new records with the old (:func:`merge_records`: a record whose
result did not change is kept as it is), and write every changed file in one transaction. What
the files say is the board layer's (:mod:`zhnerbench.board.publish`); the runner renders nothing.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhnerbench.baselines.llm_costs import Price
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.writing import JOURNAL_NAME, LOCK_NAME, check_output, exclusive, recover, write_all
from zhnerbench.reading import InputError, read_input_bytes
from zhnerbench.board.assemble import agreed_scoring
from zhnerbench.board.checks import gold_relations, refuse_edited_scores
from zhnerbench.board.publish import BOARD_JSON, board_changes
from zhnerbench.board.records import (
    GOLD_ENTITIES,
    RECORDS_DIR,
    Record,
    kept_or_new,
    read_records,
    render_record,
)
from zhnerbench.document import Document
from zhnerbench.paths import RESULTS_DIR
from zhnerbench.runner.prediction_cache import PredictionCache
from zhnerbench.timing import STARTED

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
              sampling: Sampling = Sampling(), cache: PredictionCache | None = None,
              checked: Mapping[str, Record] | None = None) -> list[Outcome]:
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
        progress.set_postfix_str(f"{names[index]}: starting")
        outcome = _run_and_free(pending, index, specs[index], options, gold, resampling, copies, tagged_copies, jobs,
                                sampling, cache, (checked or {}).get(names[index]),
                                lambda phrase: progress.set_postfix_str(f"{names[index]}: {phrase}"), doing)
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
    from zhnerbench.runner.run import run_relation_system

    record, files = run_relation_system(extractor, spec, _recorded_options(options), gold, resampling, copies,
                                        tagged_copies, sampling.price_of(extractor.model), options.get("timeout"))
    return Outcome(record, files, {**record.get("published", {}), "status": record["status"]})


def vote_outcomes(outcomes: Sequence[Outcome], gold: Document, resampling: Resampling) -> list[Outcome]:
    """``--vote``: a majority-vote system over the runs of each system that ran several times."""
    from zhnerbench.board.scoring import voted_record

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
                  sampling: Sampling, cache: PredictionCache | None = None, previous: Record | None = None,
                  report: Callable[[str], None] = lambda phrase: None, loading: str = "loading") -> Outcome:
    """Run one system and free its model (freeing is the system's own cost too: spaCy's or
    THULAC's take ~0.5 s); ``report`` hears what it is doing (``loading`` when it loads a model)."""
    from zhnerbench.runner.run import run_system

    tagger = pending[index]
    assert tagger is not None
    model = getattr(tagger, "model", None)
    price = sampling.price_of(model) if isinstance(model, str) and callable(getattr(tagger, "manifest", None)) else None
    stats: dict[str, object] = {}
    record, files = run_system(tagger, spec, _recorded_options(options), gold, resampling, options.get("timeout"),
                               copies, tagged_copies, sampling.runs, price, cache, previous, stats, report, loading)
    started = time.perf_counter()
    pending[index] = None
    del tagger
    gc.collect()
    timing = {**record.get("published", {}), "unload_seconds": round(time.perf_counter() - started, 3),
              "status": record["status"], "jobs": jobs, **stats}
    return Outcome(record, files, timing)


def _recorded_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options a record keeps: those that may change predictions, without the user's home
    path or credentials in a URL.

    >>> _recorded_options({"normalize_punctuation": True, "base_url": "http://u:secret@host:8000/v1", "device": "cuda"})
    {'normalize_punctuation': True, 'base_url': 'http://host:8000/v1'}
    """
    from zhnerbench.secrets import public_url, without_home

    kept: dict[str, Any] = {"normalize_punctuation": options["normalize_punctuation"]}
    for key in ("msra", "label_map", "threshold"):
        if options.get(key) is not None:
            kept[key] = without_home(str(options[key])) if key != "threshold" else options[key]
    if options.get("base_url"):
        kept["base_url"] = public_url(str(options["base_url"]))
    return kept


def score_submissions(adds: Mapping[str, str], meta: Mapping[str, str], gold: Document,
                      resampling: Resampling, copies: Sequence[Document] = ()) -> list[Outcome]:
    """Each ``--add NAME=FILE``: the file read and checked like ``zhnerbench evaluate`` reads it, then
    scored; a file of an lm-evaluation-harness run of the zhnerbench tasks brings the whole run
    (:mod:`zhnerbench.harness.lm_eval_samples`): its NER record and, with the relation task, ``NAME-relations``."""
    from zhnerbench.baselines.specs import name_problem
    from zhnerbench.formats.registry import read_predictions
    from zhnerbench.harness.lm_eval_samples import is_lm_eval_run, read_lm_eval_run, run_summary
    from zhnerbench.runner.run import lm_eval_records, relation_record_name, submitted_record

    outcomes = []
    for name, path in adds.items():
        problem = name_problem(name)
        if problem is not None:
            raise ZhNerBenchError(f"--add {name[:80]}=...: the name {problem}")
        if is_lm_eval_run(path):
            run = read_lm_eval_run(path, gold, copies)
            if run.relations is not None and relation_record_name(name) in adds:
                raise ZhNerBenchError(f"--add {name}: its relations take the name {relation_record_name(name)}, "
                                      "which another --add gives")
            print(f"--add {name}: {run_summary(run)}", file=sys.stderr)
            outcomes += [Outcome(record, files, {"status": "submitted"})
                         for record, files in lm_eval_records(name, run, meta, gold, resampling, copies)]
            continue
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
        if previous is not None and previous.get("kind") == new.get("kind") \
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


def rescore_all(records: Mapping[str, Record], results: Path, gold: Document,
                resampling: Resampling, copies: Sequence[Document]) -> list[Outcome]:
    """Every scored record scored again from its stored prediction file (the systems do not run)."""
    from zhnerbench.board.checks import digest_checked_texts, is_scored_system
    from zhnerbench.board.records import predictions_name
    from zhnerbench.board.scoring import rescored_record, rescored_relation_record, run_file_names

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
    board that exists already, or without a checkout.

    A board exists once a run wrote it: its ``leaderboard.json`` or a record. The folders a run
    killed before its commit point leaves behind (emptied by the recovery) are not a board, so
    the run after it starts from the published records again, as the killed one did."""
    from zhnerbench.paths import repository_root

    written = (target.results / BOARD_JSON).exists() or any((target.results / RECORDS_DIR).glob("*.json"))
    if target.root is not None or written or start_empty:
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


def remove_if_only_lock(folder: Path) -> None:
    """Remove a new ``--output`` folder that a failed run left holding only its lock."""
    try:
        if {path.name for path in folder.iterdir()} <= {LOCK_NAME}:
            (folder / LOCK_NAME).unlink(missing_ok=True)
            folder.rmdir()
    except OSError:
        pass


@dataclass(frozen=True)
class BoardRun:
    """What one ``zhnerbench leaderboard`` run is asked to do (its options, checked)."""

    specs: Sequence[str] = ()
    #: ``--add NAME=FILE`` and the ``--meta`` describing them.
    adds: Mapping[str, str] = field(default_factory=dict)
    meta: Mapping[str, str] = field(default_factory=dict)
    remove: Sequence[str] = ()
    rescore: bool = False
    start_empty: bool = False
    replace: bool = False
    refresh_timings: bool = False
    #: How many counterfactual copies the systems run on.
    counterfactual: int = 0
    jobs: int = 1
    sampling: Sampling = Sampling()
    options: Mapping[str, Any] = field(default_factory=dict)
    resampling: Resampling = Resampling()
    #: Where predictions of unchanged systems on unchanged documents are taken from (``None``: tag everything).
    cache: PredictionCache | None = None


def published_board_problem(run: BoardRun, records: Mapping[str, Record], copies: int) -> str | None:
    """Why ``run`` would leave the published board inconsistent, if it would: systems scored on
    fewer counterfactual copies than every other, or with another bootstrap than the board's
    (``--rescore`` scores every record again, so it may change the bootstrap of all).

    >>> published_board_problem(BoardRun(specs=["thulac"], counterfactual=0), {}, 20)
    '--counterfactual 0 would publish thulac scored on 0 of the 20 counterfactual copies, while the published board scores every system on all of them; drop --counterfactual, or keep a private board with --output DIR'
    """
    systems = [*run.specs, *run.adds]
    if not systems:
        return None
    if run.counterfactual < copies and run.specs:
        return (f"--counterfactual {run.counterfactual} would publish {', '.join(run.specs)} scored on "
                f"{run.counterfactual} of the {copies} counterfactual copies, while the published board scores every "
                "system on all of them; drop --counterfactual, or keep a private board with --output DIR")
    scoring = agreed_scoring([record for record in records.values() if record.get("kind") == "ner"])
    if not run.rescore and scoring and (scoring.get("bootstrap_samples"), scoring.get("seed")) != \
            (run.resampling.samples, run.resampling.seed):
        return (f"--samples {run.resampling.samples} --seed {run.resampling.seed} would publish {', '.join(systems)} "
                f"with another bootstrap than the board's ({scoring.get('bootstrap_samples')} samples, seed "
                f"{scoring.get('seed')}); drop them, rescore every record with them (--rescore), or keep a private "
                "board with --output DIR")
    return None


def update_board(run: BoardRun, target: Target, gold: Document,
                 copies: Sequence[Document]) -> tuple[dict[Path, bytes | None], dict[str, Record], list[str]]:
    """Under the board's lock: run, score and merge, then write every changed file in one
    transaction; returns the files written, the records of the board and notes for the user."""
    resampling = run.resampling
    with exclusive(target.base / LOCK_NAME, f"the board in {target.results}"):
        if recover(target.base / JOURNAL_NAME):
            print("completed (or undid) the writes of an interrupted run", file=sys.stderr)
        old = read_records(target.results, rescoring=run.rescore, removing=run.remove)
        if not run.rescore:  # --rescore replaces edited scores by those of the predictions
            refuse_edited_scores({name: r for name, r in old.items() if name not in run.remove},
                                 target.results, gold, copies)
        if target.root is not None:
            problem = published_board_problem(run, old, len(copies))
            if problem is not None:
                raise ZhNerBenchError(problem)
        seeded, seeded_files = published_records(target, run.start_empty)
        outcomes = rescore_all(old, target.results, gold, resampling, copies) if run.rescore else []
        outcomes += score_submissions(run.adds, run.meta, gold, resampling, copies)
        # The old records were checked against their files just above (a rescoring of a record
        # found unchanged would give it back); not when rescoring, which replaces them all, nor
        # when the timings are refreshed.
        reusable = {} if run.rescore or run.refresh_timings else old
        outcomes += run_specs(run.specs, run.options, gold, resampling, {**seeded, **old}, run.replace, copies,
                              run.counterfactual, run.jobs, run.sampling, run.cache, reusable)
        # The relation baselines on the gold entities are made from the gold alone: on every copy,
        # whatever --counterfactual bounds the systems' tagging to.
        outcomes.append(Outcome(*gold_relations(None if run.rescore else old.get(GOLD_ENTITIES), target.results, gold,
                                                copies, resampling), {}))
        records, files, notes = merge_records({**seeded, **old}, outcomes, run.remove, run.refresh_timings)
        owned = {path for record in records.values() for path in record.get("files", {})}
        files = {**{path: text for path, text in seeded_files.items() if path in owned}, **files}
        last_run = {
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "wall_seconds_since_start": round(time.perf_counter() - STARTED, 2),
            "systems": {o.record["name"]: o.timing for o in outcomes if o.timing},
        }
        changes = board_changes(target.results, target.root, old, records, files, gold)
        changes[target.results / LAST_RUN] = (json.dumps(last_run, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        write_all(changes, target.base / JOURNAL_NAME)
    return changes, records, notes
