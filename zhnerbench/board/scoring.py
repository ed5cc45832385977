"""Running one system, or reading one submitted prediction file, into a leaderboard record.

A tagger is loaded and run over the article (through its adapter, see
``zhnerbench.baselines``); its mentions are written as a prediction file in the
``documents`` format, and that file is read back and scored with ``zhnerbench.eval``
exactly as ``zhnerbench evaluate`` would score it, in the views the system declares.
A submitted file is read and scored the same way, in every view it can be scored in.
The relation baselines then run on the system's entities. Nothing here writes a file:
the record and the prediction texts go back to the caller.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from dataclasses import replace
from typing import cast

from zhnerbench.baselines.relations_cooccurrence import predict_cooccurrence
from zhnerbench.baselines.relations_patterns import predict_patterns
from zhnerbench.board.llm import majority_vote, span_agreement
from zhnerbench.board.records import (
    GOLD_ENTITIES,
    CounterfactualViewScore,
    LlmInfo,
    SystemInfo,
    Record,
    RelationModeScore,
    RelationRow,
    RunsScore,
    ViewScore,
    predictions_name,
    today,
)
from zhnerbench.digests import tagged_sha256
from zhnerbench.document import Document, PredictedRelation, Span
from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.eval.counterfactual import (
    CounterfactualScore,
    counterfactual_json,
    counterfactual_scores,
    relation_counterfactual_score,
)
from zhnerbench.eval.evaluation import ViewEvaluation, evaluate
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.formats.documents import parse_documents
from zhnerbench.eval.relations import MODES, RelationScores, score_relations
from zhnerbench.eval.score_json import relation_scores_json, rounded, view_scores_json
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.formats.documents import documents_jsonl
from zhnerbench.gold.fingerprint import copies_fingerprint, gold_fingerprint
from zhnerbench.version import __version__
from zhnerbench.views import VIEWS

#: The views as 1.0.0 scored them: ``coarse`` kept the flat layer (no place inside an event).
LEGACY_VIEWS = {"coarse": replace(VIEWS["coarse"], convention="flat")}


#: name -> function(text, sentences, mentions) of the relation baselines.
RELATION_BASELINES: dict[str, Callable[..., list[PredictedRelation]]] = {
    "cooccurrence": predict_cooccurrence,
    "patterns": predict_patterns,
}


def counterfactual_record(score: CounterfactualScore) -> CounterfactualViewScore:
    """What a record keeps of one view's counterfactual scores (``evaluate --json``'s, rounded)."""
    return cast(CounterfactualViewScore, rounded(counterfactual_json(score)))


def relation_mode_score(scores: RelationScores) -> RelationModeScore:
    """What a record keeps of one relation mode's scores (``evaluate --json``'s, rounded).
    ``micro.predicted`` counts what precision counts: predictions of the same triple through
    other mentions count once."""
    return rounded(relation_scores_json(scores))


def record_view_scores(result: ViewEvaluation, with_sentence_counts: bool = True) -> ViewScore:
    """What a record keeps of one view's scores (``evaluate --json``'s, rounded), with the
    per-sentence micro counts the board's ranks test."""
    return rounded(view_scores_json(result, with_sentence_counts))


def relation_row(gold: Document, copies: Sequence[Document], predicted: Mapping[str, Sequence[PredictedRelation]],
                 baseline: str, source: str, resampling: Resampling) -> RelationRow:
    """One relation system's row: strict and text scores on the article, and the strict scores
    on the ``copies`` it predicted for."""
    modes = {mode: relation_mode_score(score_relations([(gold, predicted[gold.id])], mode)) for mode in MODES}
    row: RelationRow = {"baseline": baseline, "entities": source, "strict": modes["strict"], "text": modes["text"]}
    counterfactual = relation_counterfactual_score(gold, [copy for copy in copies if copy.id in predicted],
                                                   predicted, resampling)
    if counterfactual is not None:
        row["counterfactual"] = counterfactual_record(counterfactual)
    return row


def relation_baseline_rows(gold: Document, source: str, spans: Sequence[Span],
                           copies: Sequence[tuple[Document, Sequence[Span]]] = (),
                           resampling: Resampling = Resampling()) -> tuple[list[RelationRow], dict[str, str]]:
    """Every relation baseline on one entity source: the board's rows and the prediction files;
    on the counterfactual ``copies`` too (each with the source's entities in it), when given."""
    rows, files = _relation_baseline_rows(gold, source, tuple(spans),
                                          tuple((document, tuple(entities)) for document, entities in copies), resampling)
    return deepcopy(rows), dict(files)


@functools.lru_cache(maxsize=16)
def _relation_baseline_rows(gold: Document, source: str, spans: tuple[Span, ...],
                            copies: tuple[tuple[Document, tuple[Span, ...]], ...],
                            resampling: Resampling) -> tuple[list[RelationRow], dict[str, str]]:
    """Once per distinct input in a process: checking a record scores its relation rows again
    from the same spans, and the co-occurrence baseline's thousands of pairs on 21 documents
    take a quarter of a second. At most 16 sources' files (about 2 MB each) are kept."""
    rows: list[RelationRow] = []
    files: dict[str, str] = {}
    documents = [(gold, spans), *copies]
    for baseline, predict in RELATION_BASELINES.items():
        predicted = {document.id: predict(document.text, document.sentences, list(entities))
                     for document, entities in documents}
        text = documents_jsonl([d for d, _ in documents], {d.id: e for d, e in documents}, predicted)
        files[predictions_name(f"relations-{baseline}-on-{source}")] = text
        # Scored as written (tests read the files back and find the same scores).
        rows.append(relation_row(gold, [d for d, _ in copies], predicted, baseline, source, resampling))
    return rows, files


def relation_system_record(base: Record, gold: Document, copies: Sequence[Document],
                           predicted: Mapping[str, Sequence[PredictedRelation]], source: str,
                           resampling: Resampling) -> tuple[Record, dict[str, str]]:
    """``base`` completed with a relation system's row and its prediction file (the documents it
    predicted for, with the gold mentions its arguments were aligned to)."""
    documents = [gold, *[copy for copy in copies if copy.id in predicted]]
    text = documents_jsonl(documents, {d.id: tuple(sorted(m.span for m in d.all_mentions)) for d in documents},
                           {d.id: tuple(predicted[d.id]) for d in documents})
    files = {predictions_name(base["name"]): text}
    record: Record = {**base, "status": "ran",
                      "relations": [relation_row(gold, copies, predicted, base["name"], source, resampling)],
                      "scoring": {"zhnerbench": __version__, "gold": gold_fingerprint(gold),
                                  "bootstrap_samples": resampling.samples, "seed": resampling.seed},
                      "files": {path: tagged_sha256(content) for path, content in files.items()}}
    if len(documents) > 1:
        record["scoring"]["counterfactual_gold"] = copies_fingerprint(copies)
    return record, files


def gold_relations_record(gold: Document, copies: Sequence[Document] = (),
                          resampling: Resampling = Resampling()) -> tuple[Record, dict[str, str]]:
    """The relation baselines on the gold entities of the article and of its ``copies``: an upper
    bound for the entity step. Every run makes it; its rows are computed once per process
    (:func:`relation_baseline_rows`)."""
    rows, files = relation_baseline_rows(gold, GOLD_ENTITIES, gold.spans, [(copy, copy.spans) for copy in copies],
                                         resampling)
    record: Record = {"name": GOLD_ENTITIES, "kind": "relations", "relations": rows,
                      "scoring": {"gold": gold_fingerprint(gold)},
                      "files": {path: tagged_sha256(text) for path, text in sorted(files.items())}}
    if copies:
        record["scoring"]["counterfactual_gold"] = copies_fingerprint(copies)
    return record, files


def run_predictions_name(name: str, run: int) -> str:
    """The prediction file of the ``run``-th (from 2) of a system's ``--runs``.

    >>> run_predictions_name("openai-m", 2)
    'predictions/openai-m.run-2.jsonl'
    """
    return predictions_name(f"{name}.run-{run}")


def runs_record(gold: Document, name: str, runs: Sequence[Predictions], views: Sequence[str], first_seed: int,
                resampling: Resampling) -> tuple[RunsScore, dict[str, str]]:
    """The F1 of every run in each view (the first is the score of record), their seeds and
    span agreement, and the prediction files of the runs after the first (the article only)."""
    chosen = [VIEWS[view] for view in views]
    f1: dict[str, list[float]] = {}
    for run in runs:
        for view, result in evaluate([gold], run, chosen, 1, resampling.seed).views.items():  # F1 only: no interval
            f1.setdefault(view, []).append(rounded(result.scores.micro.f1))
    files = {run_predictions_name(name, index): documents_jsonl([gold], {gold.id: tuple(sorted(run.spans[gold.id]))},
                                                                with_relations=False)
             for index, run in enumerate(runs[1:], 2)}
    score: RunsScore = {"seeds": list(range(first_seed, first_seed + len(runs))), "f1": f1,
                        "agreement": span_agreement([run.spans[gold.id] for run in runs])}
    return score, files


def scored_record(
    gold: Document, predictions: Predictions, base: Record, views: Sequence[str] | None, resampling: Resampling,
    copies: Sequence[Document] = (), runs: Sequence[Predictions] = (),
) -> tuple[Record, dict[str, str]]:
    """``base`` completed with the scores of ``predictions`` and the relation baselines on its
    entities, its scores on the counterfactual ``copies`` the predictions cover, and the F1 of
    the further ``runs`` of the same system (``--runs``) with their agreement."""
    chosen = [VIEWS[name] for name in views] if views is not None else None
    evaluation = evaluate([gold], predictions, chosen, resampling.samples, resampling.seed)
    covered = [copy for copy in copies if copy.id in predictions.spans]
    counterfactual = counterfactual_scores(evaluation, covered, resampling)
    legacy = [view for name, view in LEGACY_VIEWS.items() if name in evaluation.views]
    legacy_evaluation = evaluate([gold], predictions, legacy, resampling.samples, resampling.seed) if legacy else None
    name = base["name"]
    documents = [gold, *covered]
    all_spans = {document.id: tuple(sorted(predictions.spans[document.id])) for document in documents}
    files = {predictions_name(name): documents_jsonl(documents, all_spans, predictions.relations)
             if predictions.relations is not None else documents_jsonl(documents, all_spans, with_relations=False)}
    rows, relation_files = relation_baseline_rows(gold, name, all_spans[gold.id],
                                                  [(copy, all_spans[copy.id]) for copy in covered],
                                                  resampling)
    files.update(relation_files)
    views = list(evaluation.views)
    if runs:
        seed = base["llm"]["manifest"].get("seed") if "llm" in base else None
        first_seed = seed if isinstance(seed, int) else 0
        runs_score, run_files = runs_record(gold, name, [predictions, *runs], views, first_seed, resampling)
        files.update(run_files)
    record: Record = {
        **base,
        "status": "ran",
        "views": views,
        "scores": {view: record_view_scores(result) for view, result in evaluation.views.items()},
        "legacy_scores": {view: record_view_scores(result, False) for view, result in legacy_evaluation.views.items()}
        if legacy_evaluation is not None else {},
        "relations": rows,
        "own_relations": {mode: relation_mode_score(s) for mode, s in evaluation.relations.items()}
        if evaluation.relations is not None else None,
        "scoring": {"zhnerbench": __version__, "gold": gold_fingerprint(gold), "bootstrap_samples": resampling.samples,
                    "seed": resampling.seed},
        # The files the record owns, with their digests: the board checks them, --remove deletes them.
        "files": {path: tagged_sha256(text) for path, text in sorted(files.items())},
    }
    if counterfactual:
        record["counterfactual"] = {view: counterfactual_record(score) for view, score in counterfactual.items()}
        record["scoring"]["counterfactual_gold"] = copies_fingerprint(copies)
    if runs:
        record["runs"] = runs_score
    return record, files


#: What a record keeps when it is scored again: who made it, not how it scored.
IDENTITY_KEYS = ("name", "kind", "origin", "system", "meta", "views", "training", "diagnostics", "llm", "published")


#: What scoring a record's predictions determines: a record whose values differ from a fresh
#: scoring of its own prediction file was edited (the record digest alone cannot tell, since
#: whoever edits the scores can recompute it).
SCORED_KEYS = ("status", "views", "scores", "legacy_scores", "relations", "own_relations", "counterfactual", "runs",
               "files")


def run_file_names(record: Record) -> list[str]:
    """The prediction files of a record's runs after the first (``--runs``), in run order."""
    runs = record.get("runs")
    seeds = runs["seeds"] if runs else []
    return [run_predictions_name(record["name"], index) for index in range(2, len(seeds) + 1)]


def scores_problem(record: Record, predictions_text: str, gold: Document,
                   copies: Sequence[Document], run_texts: Sequence[str] = ()) -> str | None:
    """Why ``record``'s scores are not those of its prediction files, or ``None``.

    The files are scored again with the record's own bootstrap settings; ``predictions_text``
    and ``run_texts`` must be the files the record's digests name (checked by the caller)."""
    scoring = record.get("scoring", {})
    resampling = Resampling(scoring.get("bootstrap_samples", Resampling.samples), scoring.get("seed", Resampling.seed))
    try:
        fresh, _ = rescored_relation_record(record, predictions_text, gold, resampling, copies) \
            if record.get("kind") == "relations" else \
            rescored_record(record, predictions_text, gold, resampling, copies, run_texts)
    except ZhNerBenchError as error:
        return f"its prediction file cannot be scored ({error})"
    differing = [key for key in SCORED_KEYS if record.get(key) != fresh.get(key)]
    if differing:
        return (f"its {', '.join(differing)} differ from a scoring of its own prediction file (edited by hand, "
                "or scored by another version of the scorer); run `zhnerbench leaderboard --rescore`")
    return None


def rescored_record(record: Record, predictions_text: str, gold: Document, resampling: Resampling,
                    copies: Sequence[Document], run_texts: Sequence[str] = ()) -> tuple[Record, dict[str, str]]:
    """A record scored again from its stored prediction files (after the gold or the scorer
    changed), on the counterfactual ``copies`` the file covers too, with its further runs."""
    predictions = parse_documents(predictions_text, predictions_name(record["name"]), [gold], optional=copies)
    runs = [parse_documents(text, path, [gold]) for path, text in zip(run_file_names(record), run_texts, strict=True)]
    base = cast(Record, {key: value for key, value in record.items() if key in IDENTITY_KEYS})
    views = record.get("views") if record.get("origin") == "run" else None
    return scored_record(gold, predictions, base, views, resampling, copies, runs)


def rescored_relation_record(record: Record, predictions_text: str, gold: Document, resampling: Resampling,
                             copies: Sequence[Document]) -> tuple[Record, dict[str, str]]:
    """A relation system's record scored again from its stored prediction file."""
    predictions = parse_documents(predictions_text, predictions_name(record["name"]), [gold], optional=copies)
    base = cast(Record, {key: value for key, value in record.items() if key in IDENTITY_KEYS})
    predicted = dict(predictions.relations or {})
    source = (record.get("system") or {}).get("entities", "")
    return relation_system_record(base, gold, copies, predicted, source, resampling)


def voted_record(record: Record, files: Mapping[str, str], gold: Document,
                 resampling: Resampling) -> tuple[Record, dict[str, str]] | None:
    """``--vote``: the system whose spans are those most of a record's runs predicted
    (:func:`~zhnerbench.board.llm.majority_vote`), scored on the article as a system of
    its own, ``NAME-vote``; ``None`` for a record without several runs."""
    names = [predictions_name(record["name"]), *run_file_names(record)]
    if record.get("status") != "ran" or len(names) < 2 or not all(name in files for name in names):
        return None
    runs = [parse_documents(files[name], name, [gold]).spans[gold.id] for name in names]
    name = f"{record['name']}-vote"[:64]
    voted = majority_vote(runs)
    text = documents_jsonl([gold], {gold.id: tuple(voted)}, with_relations=False)
    llm = LlmInfo(**record["llm"]) if "llm" in record else LlmInfo(manifest={})
    runs_usage = llm.pop("runs", [])
    record_runs = record.get("runs")
    llm["vote"] = {"runs": len(runs), "seeds": record_runs["seeds"] if record_runs else []}
    version = f"{record.get('system', {}).get('version', '')} majority of {len(runs)} runs"
    system = SystemInfo(**record.get("system", {}))
    system["version"] = version[-200:]  # the declared-version bound, the vote kept
    base: Record = {"name": name, "kind": "ner", "origin": "run", "system": system, "views": record.get("views", []),
                    "llm": llm, "published": {"date": today()},
                    # What the vote cost: every run's tokens.
                    "diagnostics": {"input_tokens": sum(run.get("input_tokens", 0) for run in runs_usage),
                                    "output_tokens": sum(run.get("output_tokens", 0) for run in runs_usage)}}
    predictions = parse_documents(text, predictions_name(name), [gold])
    return scored_record(gold, predictions, base, record.get("views"), resampling)
