"""The board: a pure function of the records (and the article), what every output is rendered from."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zhnerbench.digests import tagged_sha256
from zhnerbench.errors import ZhNerBenchError
from zhnerbench.eval.bootstrap import Resampling, SentenceCounts
from zhnerbench.inputs import InputError, read_input_bytes
from zhnerbench.leaderboard.ranks import micro_counts, rank_groups
from zhnerbench.leaderboard.records import Record, copies_fingerprint, gold_fingerprint, record_digest
from zhnerbench.leaderboard.verdicts import known_consistent, remember_consistent
from zhnerbench.model import Document
from zhnerbench.views import VIEWS

Board = dict[str, Any]


def training_entry(training: Mapping[str, Any] | None, published: Mapping[str, Any]) -> dict[str, Any] | None:
    """A trained system's model as the board shows it: with its training times, which the record
    keeps among its volatile timings when the model was trained on the machine that ran it.

    >>> training_entry({"curve": [{"step": "epoch 1"}]}, {"training_seconds": 9.0, "curve_seconds": [9.0]})
    {'curve': [{'step': 'epoch 1', 'training_seconds': 9.0}], 'training_seconds': 9.0}
    """
    if training is None:
        return None
    entry = dict(training)
    if "training_seconds" not in entry and "training_seconds" in published:
        entry["training_seconds"] = published["training_seconds"]
        curve, seconds = entry.get("curve", []), published.get("curve_seconds", [])
        if len(curve) == len(seconds):
            entry["curve"] = [{**point, "training_seconds": time} for point, time in zip(curve, seconds, strict=True)]
    return entry


def system_entry(record: Record) -> dict[str, Any]:
    """What the board shows of one NER record."""
    published = record.get("published", {})
    system = record.get("system", {})
    return {
        "name": record["name"],
        "origin": record.get("origin", "run"),
        "status": record.get("status", "ran"),
        "reason": record.get("reason", ""),
        "version": system.get("version", ""),
        "requires": system.get("requires", ""),
        "views": record.get("views", []),
        "scores": record.get("scores", {}),
        "legacy_scores": record.get("legacy_scores", {}),
        "counterfactual": record.get("counterfactual", {}),
        "training": training_entry(record.get("training"), published),
        "meta": record.get("meta", {}),
        "diagnostics": record.get("diagnostics", {}),
        "load_seconds": published.get("load_seconds"),
        "chars_per_second": published.get("chars_per_second"),
        **({"entities": system["entities"]} if "entities" in system else {}),
        # An LLM's manifest, runs, and this run's requests (volatile: a rerun from the cache sends none).
        **({"llm": record["llm"], "runs": record.get("runs"), "date": published.get("date"),
            "requests": published.get("requests") or {}} if record.get("llm") else {}),
    }


def _agreed(values: list[Any]) -> Any:
    """The value all records agree on, or ``None`` when they differ (or there is none)."""
    distinct = {repr(value): value for value in values}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


#: The scoring settings the board states once (when every record agrees on them).
BOARD_SCORING = ("zhnerbench", "gold", "bootstrap_samples", "seed")


def _counts(score: Mapping[str, Any]) -> SentenceCounts | None:
    rows = score.get("sentence_counts")
    return micro_counts(rows) if rows else None


def assemble_board(records: Mapping[str, Record], gold: Document) -> Board:
    """The board from every record: systems in name order, relation rows of every entity source.

    >>> from zhnerbench.gold.article import example_document
    >>> board = assemble_board({}, example_document())
    >>> board["systems"], board["relations"], board["article"]["sentences"]
    ([], [], 2)
    """
    ner = [records[name] for name in sorted(records) if records[name].get("kind") == "ner"]
    # Relation systems run here (an LLM's relation task): their rows are among the relations,
    # their manifests and failures beside the systems.
    relation_systems = [system_entry(records[name]) for name in sorted(records)
                        if records[name].get("kind") == "relations" and records[name].get("origin") == "run"]
    relations = [row for name in sorted(records) for row in records[name].get("relations", [])]
    # What the board states once for every row: the scorer, the gold and the bootstrap (a record
    # may add the fingerprint of the copies it was scored on).
    scoring = _agreed([{key: value for key, value in record["scoring"].items() if key in BOARD_SCORING}
                       for record in ner if "scoring" in record])
    normalize = _agreed([record["system"]["options"].get("normalize_punctuation") for record in ner
                         if record.get("origin") == "run" and "options" in record.get("system", {})])
    systems = [system_entry(record) for record in ner]
    resampling = Resampling(scoring["bootstrap_samples"], scoring["seed"]) if scoring else Resampling()
    for system in systems:
        system["ranks"] = {}
    for view in VIEWS:
        ran = {system["name"]: system for system in systems
               if system["status"] == "ran" and view in system["scores"]}
        ranks = rank_groups({name: (system["scores"][view]["f1"], _counts(system["scores"][view]))
                             for name, system in ran.items()}, resampling.samples, resampling.seed)
        for name, rank in ranks.items():
            ran[name]["ranks"][view] = rank
    return {
        "article": {"document": gold.id, "characters": len(gold.text), "sentences": len(gold.sentences)},
        "scoring": scoring,
        "normalize_punctuation": normalize,
        "views": {name: list(view.labels) for name, view in VIEWS.items()},
        "systems": systems,
        "relations": relations,
        "relation_systems": relation_systems,
    }


#: The board's files, relative to a results directory.
BOARD_JSON = "leaderboard.json"
BOARD_MD = "leaderboard.md"
BOARD_PNG = "leaderboard.png"
CURVE_PNG = "learning-curve.png"


def render_board(board: Mapping[str, Any]) -> dict[str, bytes]:
    """``leaderboard.json`` and ``leaderboard.md`` of a board (the chart is drawn apart: it
    needs matplotlib, and only when the board changed)."""
    from zhnerbench.leaderboard.render import leaderboard_markdown

    return {
        BOARD_JSON: (json.dumps(board, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        BOARD_MD: ("# zhnerbench leaderboard\n\n" + leaderboard_markdown(board) + "\n").encode("utf-8"),
    }


def record_problems(records: Mapping[str, Record], results: Path, gold: Document,
                    copies: Sequence[Document]) -> list[str]:
    """What makes the records an untrustworthy board: scored against another gold, or
    prediction files missing or changed since they were scored, or scores that are not those of
    their prediction file (:func:`edited_scores`)."""
    problems = []
    current = gold_fingerprint(gold)
    for name, record in sorted(records.items()):
        scored = record.get("scoring", {}).get("gold")
        if scored is not None and scored != current:
            problems.append(f"record {name}: scored against another version of the gold; "
                            "run `zhnerbench leaderboard --rescore`")
        elif not _same_copies(record, copies):
            problems.append(f"record {name}: scored on other counterfactual copies than the current ones "
                            "(the surrogate lists changed); run `zhnerbench leaderboard --rescore`")
        for path, digest in record.get("files", {}).items():
            try:
                content = read_input_bytes(results / path).decode("utf-8", "replace")
            except InputError as error:
                problems.append(f"record {name}: its prediction file {path} cannot be read "
                                f"({str(error).removeprefix(f'{results / path}: ')})")
                continue
            if tagged_sha256(content) != digest:
                problems.append(f"record {name}: its prediction file {path} changed after it was scored")
    return problems + edited_scores(records, results, gold, copies)


def _same_copies(record: Record, copies: Sequence[Document]) -> bool:
    """Whether a record scored on counterfactual copies was scored on these."""
    scored = record.get("scoring", {}).get("counterfactual_gold")
    return scored is None or scored == copies_fingerprint(copies)


def refuse_edited_scores(records: Mapping[str, Record], results: Path, gold: Document,
                         copies: Sequence[Document]) -> None:
    """Raise the first of :func:`edited_scores` (with how many there are): such a record is
    never published."""
    problems = edited_scores(records, results, gold, copies)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ZhNerBenchError(f"{results}: {problems[0]}{more}")


def edited_scores(records: Mapping[str, Record], results: Path, gold: Document,
                  copies: Sequence[Document]) -> list[str]:
    """The records whose scores are not those of their own (intact) prediction file, scored
    against the gold they name: a hand edit that recomputed the record's digest."""
    from zhnerbench.leaderboard.records import predictions_name
    from zhnerbench.leaderboard.run import run_file_names, scores_problem

    problems = []
    fingerprints = (gold_fingerprint(gold), copies_fingerprint(copies))
    for name, record in sorted(records.items()):
        if (not is_scored_system(record) or record.get("scoring", {}).get("gold") != gold_fingerprint(gold)
                or not _same_copies(record, copies)):
            continue
        texts = digest_checked_texts(record, results, [predictions_name(name), *run_file_names(record)])
        if texts is None:
            continue  # a file missing or changed: reported by record_problems
        # Rescoring is the costly part of build and of every run: a record and prediction
        # files already found consistent (same bytes, same gold, copies and scorer) are not
        # scored again, in this process or in another (a verdict file, see verdicts.py).
        key = (record_digest(record), tagged_sha256("\0".join(texts)), *fingerprints)
        if key not in _CHECKED:
            if known_consistent(*key):
                _CHECKED[key] = None
            else:
                _CHECKED[key] = scores_problem(record, texts[0], gold, copies, texts[1:])
                if _CHECKED[key] is None:
                    remember_consistent(*key)
        if _CHECKED[key] is not None:
            problems.append(f"record {name}: {_CHECKED[key]}")
    return problems


def is_scored_system(record: Record) -> bool:
    """Whether a record holds the scores of a system's own prediction files (an NER system, or a
    relation system run here), which a rescoring must reproduce; the relation baselines on the
    gold entities are made anew by every run.

    >>> is_scored_system({"name": "x", "kind": "relations", "origin": "run", "status": "ran"})
    True
    >>> is_scored_system({"name": "gold", "kind": "relations", "status": "ran"})
    False
    """
    return record.get("status") == "ran" and (record.get("kind") == "ner" or record.get("origin") == "run")


def digest_checked_texts(record: Record, results: Path, paths: Sequence[str]) -> list[str] | None:
    """The texts of a record's files ``paths``, each matching the digest the record names;
    ``None`` when one is missing, unreadable or changed."""
    texts = []
    for path in paths:
        try:
            content = read_input_bytes(results / path).decode("utf-8")
        except (InputError, UnicodeDecodeError):
            return None
        if tagged_sha256(content) != record.get("files", {}).get(path):
            return None
        texts.append(content)
    return texts


#: :func:`edited_scores`'s findings by (record, predictions, gold, copies) digests.
_CHECKED: dict[tuple[str, str, str, str], str | None] = {}
