"""The board: a pure function of the records (and the article), what every output is rendered from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhnerbench.eval.bootstrap import Resampling, SentenceCounts
from zhnerbench.board.ranks import micro_counts, rank_groups
from zhnerbench.board.records import Record
from zhnerbench.document import Document
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


