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

import datetime
import functools
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, cast

from zhnerbench import __version__
from zhnerbench.baselines.base import (
    BaselineUnavailable,
    Tagger,
    TaggerError,
    one_line,
    predict_document,
    predict_documents,
    run_timed,
    tagger_diagnostics,
)
from zhnerbench.baselines.llm_costs import Price
from zhnerbench.baselines.relations_cooccurrence import predict_cooccurrence
from zhnerbench.baselines.relations_patterns import predict_patterns
from zhnerbench.digests import tagged_sha256
from zhnerbench.errors import ZhNerBenchError
from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.eval.counterfactual import CounterfactualScore, counterfactual_scores, relation_counterfactual_score
from zhnerbench.eval.evaluation import ViewEvaluation, evaluate, select_views
from zhnerbench.eval.readers import Predictions, parse_documents
from zhnerbench.eval.relations import MODES, RelationScores, score_relations
from zhnerbench.formats.predictions import documents_jsonl
from zhnerbench.leaderboard.llm import majority_vote, price_json, span_agreement
from zhnerbench.leaderboard.records import (
    GOLD_ENTITIES,
    Record,
    CounterfactualViewScore,
    RecordStatus,
    RelationModeScore,
    RelationRow,
    RunsScore,
    ViewScore,
    copies_fingerprint,
    gold_fingerprint,
    predictions_name,
)
from zhnerbench.model import Document, PredictedRelation, Span
from zhnerbench.views import VIEWS

#: The views as 1.0.0 scored them: ``coarse`` kept the flat layer (no place inside an event).
LEGACY_VIEWS = {"coarse": replace(VIEWS["coarse"], convention="flat")}

#: Adapter diagnostics that change from run to run while the result does not (answers from a
#: cache, retries, the latency of this run's requests).
VOLATILE_DIAGNOSTICS = frozenset({"requests", "retries", "cached", "latency_p50", "latency_p95"})

#: name -> function(text, sentences, mentions) of the relation baselines.
RELATION_BASELINES: dict[str, Callable[..., list[PredictedRelation]]] = {
    "cooccurrence": predict_cooccurrence,
    "patterns": predict_patterns,
}


def _round(value: float) -> float:
    return round(value, 4)


def machine() -> str:
    """What ran the system, in a few words.

    >>> bool(machine())
    True
    """
    return f"{platform.machine()} {platform.system()}, Python {platform.python_version()}"


def today() -> str:
    return datetime.date.today().isoformat()


def view_scores_json(result: ViewEvaluation, with_sentence_counts: bool = True) -> ViewScore:
    """The leaderboard's view of one ``ViewEvaluation``: micro P/R/F1, the F1 CI, per-label F1,
    the partial-match F1s, and the per-sentence micro counts the board's ranks test."""
    micro, interval = result.scores.micro, result.intervals.micro.f1
    score: ViewScore = {
        "precision": _round(micro.precision),
        "recall": _round(micro.recall),
        "f1": _round(micro.f1),
        "f1_ci": [_round(interval.low), _round(interval.high)] if interval else None,
        "support": micro.gold,
        "predicted": micro.predicted,
        "correct": micro.correct,
        "per_label_f1": {label: _round(score.f1) for label, score in result.scores.per_label.items()},
        "partial_f1": {name: _round(score.f1) for name, score in result.partial.items()},
        "text_f1": _round(result.text_match.f1),
    }
    if with_sentence_counts:
        counts = result.counts
        score["sentence_counts"] = [[int(c), int(p), int(g)] for c, p, g in zip(
            counts.correct.sum(axis=1), counts.predicted.sum(axis=1), counts.gold.sum(axis=1), strict=True)]
    return score


def training_json(tagger: Tagger) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """What a record says of a trained system's model, and the timings among it that are volatile.

    The training time of shipped weights was recorded once, by the project's training run: it
    is part of the result. A model trained on this machine took what it took here, a timing
    like the load time, kept in the record's ``published`` part so that a retrain with the same
    result does not change the record.
    """
    info = getattr(tagger, "info", None)
    if info is None:
        return None, {}
    training = {
        "weights": info.weights,
        "msra_origin": info.msra_origin,
        "train_sentences": info.train_sentences,
        "dev_sentences": info.dev_sentences,
        "training_seconds": info.training_seconds,
        "selected": info.selected,
        "msra_dev_f1": _round(info.msra_dev_f1),
        "msra_test_precision": _round(info.msra_test_precision),
        "msra_test_recall": _round(info.msra_test_recall),
        "msra_test_f1": _round(info.msra_test_f1),
        "msra_test_sentences": info.msra_test_sentences,
        "curve": [asdict(point) for point in info.curve],
    }
    if info.weights == "shipped":
        return training, {}
    timings = {"training_seconds": training.pop("training_seconds"),
               "curve_seconds": [point.pop("training_seconds") for point in training["curve"]]}
    return training, timings


def unavailable_reason(error: BaseException, tagger: Any) -> str:
    """The reason a system did not run, without the install hint (shown apart) or the user's home path.

    >>> class T: requires = "pip install x"
    >>> unavailable_reason(BaselineUnavailable("model absent: pip install x"), T())  # type: ignore[arg-type]
    'model absent'
    """
    reason = str(error).replace(str(Path.home()), "~")
    return reason.removesuffix(f": {tagger.requires}")


def failure(error: BaseException, system: Any) -> tuple[RecordStatus, str]:
    """A system's record status and reason after ``error``: unavailable here (the reason without
    its install hint), or failed (its own message, or what crashed).

    >>> class T: requires = "pip install x"
    >>> failure(TaggerError("bad spans"), T()), failure(KeyError("k"), T())[1]
    (('failed', 'bad spans'), "crashed: KeyError: 'k'")
    """
    if isinstance(error, BaselineUnavailable):
        return "unavailable", unavailable_reason(error, system)
    return "failed", str(error) if isinstance(error, TaggerError) else f"crashed: {one_line(error)}"


def system_json(tagger: Tagger, spec: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """What the record says about a system: how to get it again, and what it predicts."""
    return {
        "spec": spec,
        "adapter": f"{type(tagger).__module__}.{type(tagger).__qualname__}",
        "version": tagger.version,
        "model": getattr(tagger, "model", None),
        "requires": tagger.requires,
        "native_labels": list(tagger.native_labels),
        "label_map": dict(tagger.label_map),
        "options": dict(options),
    }


def counterfactual_record(score: CounterfactualScore) -> CounterfactualViewScore:
    """What a record keeps of one view's counterfactual scores."""
    return {"copies": score.copies, "article_f1": _round(score.article_f1),
            "counterfactual_f1": _round(score.counterfactual_f1), "delta": _round(score.delta),
            "delta_ci": [_round(score.delta_ci.low), _round(score.delta_ci.high)]}


def relation_mode_score(scores: RelationScores) -> RelationModeScore:
    """What a record keeps of one relation mode's scores."""
    return {
        # What precision counts: predictions of the same triple through other mentions count once.
        "predicted": scores.micro.predicted,
        "precision": _round(scores.micro.precision),
        "recall": _round(scores.micro.recall),
        "f1": _round(scores.micro.f1),
        "per_type_f1": {name: _round(s.f1) for name, s in scores.per_type.items()},
        "intra_f1": _round(scores.intra.f1),
        "inter_f1": _round(scores.inter.f1),
        "evidence_f1": _round(scores.evidence.f1) if scores.evidence is not None else None,
    }


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


def run_relation_system(extractor: Any, spec: str, options: Mapping[str, Any], gold: Document,
                        resampling: Resampling, copies: Sequence[Document] = (), tagged_copies: int = 0,
                        price: Price | None = None) -> tuple[Record, dict[str, str]]:
    """Run one relation system (``openai-relations:``) over the article and the first
    ``tagged_copies`` copies, and score its triples; one that cannot run gets a record saying so."""
    base: Record = {"name": extractor.name, "kind": "relations", "origin": "run",
                    "system": {"spec": spec, "adapter": f"{type(extractor).__module__}.{type(extractor).__qualname__}",
                               "version": extractor.version, "model": getattr(extractor, "model", None),
                               "requires": extractor.requires, "entities": extractor.entities,
                               "options": dict(options)}}
    published: dict[str, Any] = {"date": today(), "machine": machine()}
    started = time.perf_counter()
    try:
        extractor.load()
        predicted = extractor.predict_relations([gold, *copies[:tagged_copies]])
    except (Exception, SystemExit) as error:
        published["load_seconds"] = round(time.perf_counter() - started, 3)
        status, reason = failure(error, extractor)
        return {**base, "status": status, "reason": reason, "published": published}, {}
    diagnostics = tagger_diagnostics(extractor)
    base["diagnostics"] = {k: v for k, v in diagnostics.items() if k not in VOLATILE_DIAGNOSTICS}
    llm = llm_json(extractor, price)
    if llm is not None:
        base["llm"] = llm
    base["published"] = {**published, "seconds": round(time.perf_counter() - started, 3),
                         "requests": {k: v for k, v in diagnostics.items() if k in VOLATILE_DIAGNOSTICS}}
    return relation_system_record(base, gold, copies, predicted, extractor.entities, resampling)


def gold_relations_record(gold: Document, copies: Sequence[Document] = (), resampling: Resampling = Resampling(),
                          scored_copies: int | None = None) -> tuple[Record, dict[str, str]]:
    """The relation baselines on the gold entities (of the article and of the first
    ``scored_copies`` of its ``copies``, default all): an upper bound for the entity step.
    Every run makes it; its rows are computed once per process (:func:`relation_baseline_rows`)."""
    scored = copies[:scored_copies] if scored_copies is not None else copies
    rows, files = relation_baseline_rows(gold, GOLD_ENTITIES, gold.spans, [(copy, copy.spans) for copy in scored],
                                         resampling)
    record: Record = {"name": GOLD_ENTITIES, "kind": "relations", "relations": rows,
                      "scoring": {"gold": gold_fingerprint(gold)},
                      "files": {path: tagged_sha256(text) for path, text in sorted(files.items())}}
    if scored:
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
            f1.setdefault(view, []).append(_round(result.scores.micro.f1))
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
        first_seed = int(((base.get("llm") or {}).get("manifest") or {}).get("seed") or 0)
        runs_score, run_files = runs_record(gold, name, [predictions, *runs], views, first_seed, resampling)
        files.update(run_files)
    record: Record = {
        **base,
        "status": "ran",
        "views": views,
        "scores": {view: view_scores_json(result) for view, result in evaluation.views.items()},
        "legacy_scores": {view: view_scores_json(result, False) for view, result in legacy_evaluation.views.items()}
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


def llm_json(tagger: Tagger, price: Price | None) -> dict[str, Any] | None:
    """What a record states of an LLM run (a tagger with a ``manifest()``): the manifest and the price given."""
    manifest = getattr(tagger, "manifest", None)
    if not callable(manifest):
        return None
    return {"manifest": manifest(), "price": price_json(price)}


def further_runs(tagger: Tagger, gold: Document, runs: int, timeout: float | None) -> list[tuple[list[Span], dict[str, Any]]]:
    """Runs 2..``runs`` of a sampling system (one with ``for_run``) on the article: spans and diagnostics of each."""
    make_run = getattr(tagger, "for_run", None)
    if runs <= 1 or not callable(make_run):
        return []
    found = []
    for index in range(1, runs):
        other = make_run(index)
        found.append((predict_document(other, gold, timeout), tagger_diagnostics(other)))
    return found


def run_system(tagger: Tagger, spec: str, options: Mapping[str, Any], gold: Document,
               resampling: Resampling, timeout: float | None = None, copies: Sequence[Document] = (),
               tagged_copies: int = 0, runs: int = 1, price: Price | None = None,
               report: Callable[[str], None] = lambda phrase: None) -> tuple[Record, dict[str, str]]:
    """Run one tagger over the article and the first ``tagged_copies`` of its counterfactual
    ``copies``, and score it; a tagger that cannot run, crashes or returns spans its views
    cannot score gets a record saying so, with no predictions. A sampling system (an LLM:
    ``for_run``) runs ``runs`` times on the article, the first run being the score of record;
    an LLM's record states its manifest and ``price``."""
    base: Record = {"name": tagger.name, "kind": "ner", "origin": "run", "system": system_json(tagger, spec, options),
                    "views": list(tagger.views)}
    published: dict[str, Any] = {"date": today(), "machine": machine()}
    started = time.perf_counter()
    try:
        timed = run_timed(tagger, gold, timeout, loaded=lambda: report("tagging the article"))
        # What the adapter reports of its run on the article (the score of record), before the
        # copies replace it.
        diagnostics = tagger_diagnostics(tagger)
        copies_started = time.perf_counter()
        copy_spans = predict_documents(tagger, copies[:tagged_copies], timeout,
                                       progress=lambda step: report(step.phrase("copy")))
        copies_seconds = time.perf_counter() - copies_started
        runs_started = time.perf_counter()
        other_runs = further_runs(tagger, gold, runs, timeout)
        runs_seconds = time.perf_counter() - runs_started
    except (Exception, SystemExit) as error:  # unavailable here, or a tagger's own bug: it must not end the leaderboard
        # The failed attempt is the system's own load time, not the harness's.
        published["load_seconds"] = round(time.perf_counter() - started, 3)
        status, reason = failure(error, tagger)
        return {**base, "status": status, "reason": reason, "published": published}, {}
    # Loading may find the real model version, its label set and so the views it is fair to score it in.
    base["system"] = system_json(tagger, spec, options)
    base["views"] = list(tagger.views)
    if diagnostics:
        # What the adapter could not use (unaligned strings, bad answers) is part of the result;
        # how many answers came from a cache is not.
        base["diagnostics"] = {k: v for k, v in diagnostics.items() if k not in VOLATILE_DIAGNOSTICS}
    llm = llm_json(tagger, price)
    if llm is not None:
        if other_runs:
            llm["runs"] = [{key: run_diagnostics.get(key, 0) for key in ("input_tokens", "output_tokens")}
                           for run_diagnostics in [diagnostics, *(d for _, d in other_runs)]]
        base["llm"] = llm
    base["published"] = {**published, "load_seconds": round(timed.load_seconds, 3),
                         "predict_seconds": round(timed.predict_seconds, 3),
                         "chars_per_second": round(timed.chars_per_second),
                         **({"counterfactual_seconds": round(copies_seconds, 3)} if copy_spans else {}),
                         **({"runs_seconds": round(runs_seconds, 3)} if other_runs else {})}
    volatile = {k: v for k, v in diagnostics.items() if k in VOLATILE_DIAGNOSTICS}
    if volatile:
        base["published"]["requests"] = volatile
    base["training"], training_timings = training_json(tagger)
    base["published"].update(training_timings)
    tagged = [gold, *copies[:tagged_copies]]
    spans = {gold.id: timed.spans, **{copy.id: tuple(s) for copy, s in zip(tagged[1:], copy_spans, strict=True)}}
    text = documents_jsonl(tagged, spans, with_relations=False)
    try:
        predictions = parse_documents(text, predictions_name(tagger.name), [gold], optional=copies)
        run_predictions = [parse_documents(documents_jsonl([gold], {gold.id: tuple(spans)}, with_relations=False),
                                           run_predictions_name(tagger.name, index), [gold])
                           for index, (spans, _) in enumerate(other_runs, 2)]
        for checked in (predictions, *run_predictions):
            select_views(checked, [VIEWS[name] for name in tagger.views])
    except ZhNerBenchError as error:  # e.g. overlapping spans in a view that cannot score them
        return {**base, "status": "failed", "reason": f"invalid output: {one_line(error, 300)}"}, {}
    return scored_record(gold, predictions, base, list(tagger.views), resampling, copies, run_predictions)


def submitted_record(name: str, predictions: Predictions, meta: Mapping[str, str], gold: Document,
                     resampling: Resampling, copies: Sequence[Document] = ()) -> tuple[Record, dict[str, str]]:
    """A prediction file made elsewhere, scored in every view it can be scored in (and on the
    counterfactual ``copies`` it covers)."""
    base: Record = {"name": name, "kind": "ner", "origin": "submitted", "meta": dict(meta),
                    "system": {"version": meta.get("version", ""), "model": meta.get("model")},
                    "published": {"date": today()}}
    return scored_record(gold, predictions, base, None, resampling, copies)


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
    (:func:`~zhnerbench.leaderboard.llm.majority_vote`), scored on the article as a system of
    its own, ``NAME-vote``; ``None`` for a record without several runs."""
    names = [predictions_name(record["name"]), *run_file_names(record)]
    if record.get("status") != "ran" or len(names) < 2 or not all(name in files for name in names):
        return None
    runs = [parse_documents(files[name], name, [gold]).spans[gold.id] for name in names]
    name = f"{record['name']}-vote"[:64]
    voted = majority_vote(runs)
    text = documents_jsonl([gold], {gold.id: tuple(voted)}, with_relations=False)
    llm = dict(record.get("llm") or {})
    runs_usage = llm.pop("runs", [])
    record_runs = record.get("runs")
    llm["vote"] = {"runs": len(runs), "seeds": record_runs["seeds"] if record_runs else []}
    version = f"{record.get('system', {}).get('version', '')} majority of {len(runs)} runs"
    system = {**record.get("system", {}), "version": version[-200:]}  # the declared-version bound, the vote kept
    base: Record = {"name": name, "kind": "ner", "origin": "run", "system": system, "views": record.get("views", []),
                    "llm": llm, "published": {"date": today()},
                    # What the vote cost: every run's tokens.
                    "diagnostics": {key: sum(int(run.get(key, 0)) for run in runs_usage)
                                    for key in ("input_tokens", "output_tokens")}}
    predictions = parse_documents(text, predictions_name(name), [gold])
    return scored_record(gold, predictions, base, record.get("views"), resampling)
