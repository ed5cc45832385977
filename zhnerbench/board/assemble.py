"""The board: a pure function of the records (and the article), what every output is rendered from.

:class:`Board` is what ``results/leaderboard.json`` holds (with the rendered tables beside it,
:mod:`zhnerbench.board.tables`): the article, how it was scored, the views, one
:class:`SystemEntry` per NER system, the relation rows of every entity source, and the relation
systems run here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

from zhnerbench.board.ranks import micro_counts, rank_groups
from zhnerbench.baselines.base import Diagnostics
from zhnerbench.board.records import (
    CounterfactualViewScore,
    LlmInfo,
    Published,
    Record,
    RecordOrigin,
    RecordStatus,
    RelationRow,
    RunsScore,
    TrainingInfo,
    ViewScore,
)
from zhnerbench.document import Document
from zhnerbench.eval.bootstrap import Resampling, SentenceCounts
from zhnerbench.eval.score_json import SCHEMA_VERSION
from zhnerbench.views import VIEWS


class ArticleInfo(TypedDict):
    """What the systems were scored on."""

    document: str
    characters: int
    sentences: int


class BoardScoring(TypedDict, total=False):
    """The scoring settings every record agrees on, stated once."""

    zhnerbench: str
    gold: str
    bootstrap_samples: int
    seed: int


class SystemEntry(TypedDict):
    """What the board shows of one system's record (NER, or a relation system run here)."""

    name: str
    origin: RecordOrigin
    status: RecordStatus
    reason: str
    version: str
    requires: str
    views: list[str]
    scores: dict[str, ViewScore]
    legacy_scores: dict[str, ViewScore]
    counterfactual: dict[str, CounterfactualViewScore]
    training: TrainingInfo | None
    meta: dict[str, str]
    diagnostics: Diagnostics
    load_seconds: float | None
    chars_per_second: float | None
    #: The tie-aware rank in each view it ran in (:mod:`zhnerbench.board.ranks`).
    ranks: dict[str, int]
    #: A relation system: where its entities come from.
    entities: NotRequired[str]
    #: An LLM system: its manifest and price, its runs, the date it ran, this run's requests.
    llm: NotRequired[LlmInfo]
    runs: NotRequired[RunsScore | None]
    date: NotRequired[str | None]
    requests: NotRequired[dict[str, float | int | None]]


class Board(TypedDict):
    """The whole board (see the module doc)."""

    schema_version: int
    article: ArticleInfo
    scoring: BoardScoring | None
    #: Whether the taggers' input was normalised (``None``: the records differ).
    normalize_punctuation: bool | None
    views: dict[str, list[str]]
    systems: list[SystemEntry]
    relations: list[RelationRow]
    relation_systems: list[SystemEntry]


def training_entry(training: TrainingInfo | None, published: Published) -> TrainingInfo | None:
    """A trained system's model as the board shows it: with its training times, which the record
    keeps among its volatile timings when the model was trained on the machine that ran it.

    >>> training_entry({"curve": [{"step": "epoch 1"}]}, {"training_seconds": 9.0, "curve_seconds": [9.0]})
    {'curve': [{'step': 'epoch 1', 'training_seconds': 9.0}], 'training_seconds': 9.0}
    """
    if training is None:
        return None
    entry = TrainingInfo(**training)
    if "training_seconds" not in entry and "training_seconds" in published:
        entry["training_seconds"] = published["training_seconds"]
        curve, seconds = entry.get("curve", []), published.get("curve_seconds", [])
        if len(curve) == len(seconds):
            entry["curve"] = [{**point, "training_seconds": time} for point, time in zip(curve, seconds, strict=True)]
    return entry


def system_entry(record: Record) -> SystemEntry:
    """What the board shows of one record."""
    published = record.get("published", {})
    system = record.get("system", {})
    entry: SystemEntry = {
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
        "ranks": {},
    }
    if "entities" in system:
        entry["entities"] = system["entities"]
    if record.get("llm"):
        # An LLM's manifest, runs, and this run's requests (volatile: a rerun from the cache sends none).
        entry["llm"] = record["llm"]
        entry["runs"] = record.get("runs")
        entry["date"] = published.get("date")
        entry["requests"] = published.get("requests") or {}
    return entry


def agreed_scoring(records: Sequence[Record]) -> BoardScoring | None:
    """The scoring settings all ``records`` agree on (scorer, gold, bootstrap), or ``None`` when
    they differ (a record may add the fingerprint of the copies it was scored on).

    >>> agreed_scoring([{"name": "a", "kind": "ner", "scoring": {"gold": "g", "seed": 0, "counterfactual_gold": "c"}}])
    {'gold': 'g', 'seed': 0}
    """
    settings = [BoardScoring(**{key: value for key, value in record["scoring"].items()  # type: ignore[typeddict-item]
                                if key in BoardScoring.__annotations__}) for record in records if "scoring" in record]
    distinct = {repr(sorted(setting.items())): setting for setting in settings}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def agreed_normalization(records: Sequence[Record]) -> bool | None:
    """Whether the systems run here saw normalised input: ``None`` when they differ (or none ran)."""
    values = {record.get("system", {}).get("options", {}).get("normalize_punctuation") for record in records
              if record.get("origin") == "run" and "options" in record.get("system", {})}
    value = next(iter(values)) if len(values) == 1 else None
    return value if isinstance(value, bool) else None


def _counts(score: ViewScore) -> SentenceCounts | None:
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
    # Relation systems (an LLM's relation task, run here or submitted from lm-eval): their rows are
    # among the relations, their manifests and failures beside the systems.
    relation_systems = [system_entry(records[name]) for name in sorted(records)
                        if records[name].get("kind") == "relations" and records[name].get("origin") in ("run", "submitted")]
    relations = [row for name in sorted(records) for row in records[name].get("relations", [])]
    scoring = agreed_scoring(ner)
    systems = [system_entry(record) for record in ner]
    resampling = Resampling(scoring["bootstrap_samples"], scoring["seed"]) \
        if scoring and "bootstrap_samples" in scoring and "seed" in scoring else Resampling()
    for view in VIEWS:
        ran = {system["name"]: system for system in systems if system["status"] == "ran" and view in system["scores"]}
        ranks = rank_groups({name: (system["scores"][view]["micro"]["f1"], _counts(system["scores"][view]))
                             for name, system in ran.items()}, resampling.samples, resampling.seed)
        for name, rank in ranks.items():
            ran[name]["ranks"][view] = rank
    return {
        "schema_version": SCHEMA_VERSION,
        "article": {"document": gold.id, "characters": len(gold.text), "sentences": len(gold.sentences)},
        "scoring": scoring,
        "normalize_punctuation": agreed_normalization(ner),
        "views": {name: list(view.labels) for name, view in VIEWS.items()},
        "systems": systems,
        "relations": relations,
        "relation_systems": relation_systems,
    }
