"""Running one system into a leaderboard record.

A tagger is loaded and run over the article (through its adapter, see
``zhnerbench.baselines``) and the counterfactual copies asked for; its mentions are written
as a prediction file in the ``documents`` format, and that file is read back and scored by
:mod:`zhnerbench.board.scoring`, exactly as ``zhnerbench evaluate`` would score it, in the
views the system declares. Nothing here writes a file: the record and the prediction texts go
back to the caller.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, cast

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    Tagger,
    Diagnostics,
    diagnostic_count,
    load_tagger,
    TaggerError,
    one_line,
    predict_document,
    predict_documents,
    tagger_diagnostics,
    within_deadline,
)
from zhnerbench.baselines.llm_costs import Price
from zhnerbench.baselines.openai_relations import ENTITY_SOURCE
from zhnerbench.board.llm import price_json
from zhnerbench.board.records import (
    CurvePoint,
    LlmInfo,
    Published,
    Record,
    RecordStatus,
    SystemInfo,
    TrainingInfo,
    machine,
    predictions_name,
    today,
)
from zhnerbench.board.scoring import (
    record_scoring,
    relation_system_record,
    run_predictions_name,
    scored_record,
    unchanged_record,
)
from zhnerbench.document import Document, PredictedRelation, Span
from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.eval.evaluation import select_views
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.formats.documents import parse_documents
from zhnerbench.eval.score_json import rounded
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.formats.documents import documents_jsonl
from zhnerbench.harness.lm_eval_samples import LmEvalRun, run_predictions
from zhnerbench.runner.prediction_cache import CachedDocument, CachedSystem, PredictionCache, system_key
from zhnerbench.secrets import without_home
from zhnerbench.views import VIEWS

#: Adapter diagnostics that change from run to run while the result does not (answers from a
#: cache, retries, the latency of this run's requests).
VOLATILE_DIAGNOSTICS = frozenset({"requests", "retries", "cached", "latency_p50", "latency_p95"})


def training_json(tagger: Tagger) -> tuple[TrainingInfo | None, Published]:
    """What a record says of a trained system's model, and the timings among it that are volatile.

    The training time of shipped weights was recorded once, by the project's training run: it
    is part of the result. A model trained on this machine took what it took here, a timing
    like the load time, kept in the record's ``published`` part so that a retrain with the same
    result does not change the record.
    """
    info = getattr(tagger, "info", None)
    if info is None:
        return None, {}
    training: TrainingInfo = {
        "weights": info.weights,
        "msra_origin": info.msra_origin,
        "train_sentences": info.train_sentences,
        "dev_sentences": info.dev_sentences,
        "training_seconds": info.training_seconds,
        "selected": info.selected,
        "msra_dev_f1": rounded(info.msra_dev_f1),
        "msra_test_precision": rounded(info.msra_test_precision),
        "msra_test_recall": rounded(info.msra_test_recall),
        "msra_test_f1": rounded(info.msra_test_f1),
        "msra_test_sentences": info.msra_test_sentences,
        "curve": [cast(CurvePoint, asdict(point)) for point in info.curve],
    }
    if info.weights == "shipped":
        return training, {}
    timings: Published = {"training_seconds": training.pop("training_seconds"),
                          "curve_seconds": [point.pop("training_seconds") for point in training["curve"]]}
    return training, timings


def unavailable_reason(error: BaseException, tagger: Any) -> str:
    """The reason a system did not run, without the install hint (shown apart) or the user's home path.

    >>> class T: requires = "pip install x"
    >>> unavailable_reason(BaselineUnavailable("model absent: pip install x"), T())  # type: ignore[arg-type]
    'model absent'
    """
    reason = without_home(str(error))
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


def system_json(tagger: Tagger, spec: str, options: Mapping[str, Any]) -> SystemInfo:
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


def run_relation_system(extractor: Any, spec: str, options: Mapping[str, Any], gold: Document,
                        resampling: Resampling, copies: Sequence[Document] = (), tagged_copies: int = 0,
                        price: Price | None = None, timeout: float | None = None) -> tuple[Record, dict[str, str]]:
    """Run one relation system (``openai-relations:``) over the article and the first
    ``tagged_copies`` copies, and score its triples; one that cannot run, or does not load
    within ``timeout`` seconds or extract within ``timeout`` per document, gets a record saying so."""
    base: Record = {"name": extractor.name, "kind": "relations", "origin": "run",
                    "system": {"spec": spec, "adapter": f"{type(extractor).__module__}.{type(extractor).__qualname__}",
                               "version": extractor.version, "model": getattr(extractor, "model", None),
                               "requires": extractor.requires, "entities": extractor.entities,
                               "options": dict(options)}}
    published: Published = {"date": today(), "machine": machine()}
    started = time.perf_counter()
    try:
        documents = [gold, *copies[:tagged_copies]]
        within_deadline(extractor, "load", extractor.load, timeout)
        predicted = cast(dict[str, list[PredictedRelation]], within_deadline(
            extractor, "predict_relations", lambda: extractor.predict_relations(documents),
            None if timeout is None else timeout * len(documents)))
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
                         "requests": volatile_diagnostics(diagnostics)}
    return relation_system_record(base, gold, copies, predicted, extractor.entities, resampling)


def volatile_diagnostics(diagnostics: Mapping[str, object]) -> dict[str, float | int | None]:
    """The diagnostics that change from run to run while the result does not (:data:`VOLATILE_DIAGNOSTICS`).

    >>> volatile_diagnostics({"chunks": 4, "requests": 5, "latency_p50": 0.2})
    {'requests': 5, 'latency_p50': 0.2}
    """
    return {key: value for key, value in diagnostics.items()
            if key in VOLATILE_DIAGNOSTICS and (value is None or isinstance(value, (int, float)))}


def llm_json(tagger: Tagger, price: Price | None) -> LlmInfo | None:
    """What a record states of an LLM run (a tagger with a ``manifest()``): the manifest and the price given."""
    manifest = getattr(tagger, "manifest", None)
    if not callable(manifest):
        return None
    return {"manifest": dict(manifest()), "price": price_json(price)}


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


#: Systems load one at a time (their tagging runs in parallel): two threads importing a library
#: whose modules import each other (HanLP's) can each hold a module the other needs, which Python
#: reports as a deadlock or a partly initialised module.
LOADING = threading.Lock()


@dataclass(frozen=True)
class TaggedRun:
    """A system's predictions on the article and the copies, with what loading told and cost: from
    a real run, or from the prediction cache (with the timings of the run that filled it)."""

    spans: dict[str, tuple[Span, ...]]
    system: SystemInfo
    views: list[str]
    diagnostics: Diagnostics
    training: TrainingInfo | None
    training_timings: Published
    load_seconds: float
    predict_seconds: float
    copies_seconds: float
    #: How many documents the cache answered.
    cached: int = 0


def tag_documents(tagger: Tagger, spec: str, options: Mapping[str, Any], documents: Sequence[Document],
                  timeout: float | None, cache: PredictionCache | None = None,
                  report: Callable[[str], None] = lambda phrase: None, loading: str = "loading") -> TaggedRun:
    """The tagger's predictions on ``documents`` (the article first, then copies): what the
    ``cache`` holds of them, and the others tagged now (loading the model only when one is
    missing), each new one stored in the cache; ``report`` is told what happens (a progress
    line's hook; ``loading`` says what loading the model does)."""
    key = system_key(tagger, spec, options) if cache is not None else None
    found = cache.documents(key, documents) if cache is not None and key is not None else {}
    from_cache = len(found)
    loaded = cache.system(key) if cache is not None and key is not None and found else None
    article = documents[0]
    if loaded is not None and len(found) == len(documents):
        report(f"all {len(documents)} documents from the prediction cache")
    else:
        report(loading)
        started = time.perf_counter()
        with LOADING:
            load_tagger(tagger, timeout)
        training, training_timings = training_json(tagger)
        loaded = CachedSystem(system_json(tagger, spec, options), list(tagger.views), training, training_timings,
                              round(time.perf_counter() - started, 3))
        if cache is not None and key is not None:
            cache.store_system(key, loaded)
        if article.id not in found:
            report("tagging the article")
            started = time.perf_counter()
            spans = predict_document(tagger, article, timeout)
            # What the adapter reports of its run on the article (the score of record), before the
            # copies replace it.
            found[article.id] = CachedDocument(tuple(spans), time.perf_counter() - started, tagger_diagnostics(tagger))
            if cache is not None and key is not None:
                cache.store_document(key, article, found[article.id])
        missing = [document for document in documents[1:] if document.id not in found]
        started = time.perf_counter()
        tagged = predict_documents(tagger, missing, timeout, progress=lambda step: report(step.phrase("copy")))
        seconds = time.perf_counter() - started
        characters = sum(len(document.text) for document in missing) or 1
        for document, spans in zip(missing, tagged, strict=True):
            # Tagged in one batch: each copy's share of the time is its share of the characters.
            found[document.id] = CachedDocument(tuple(spans), seconds * len(document.text) / characters)
            if cache is not None and key is not None:
                cache.store_document(key, document, found[document.id])
    return TaggedRun({document.id: found[document.id].spans for document in documents}, loaded.system, loaded.views,
                     found[article.id].diagnostics, loaded.training, loaded.training_timings, loaded.load_seconds,
                     found[article.id].seconds, sum(found[document.id].seconds for document in documents[1:]),
                     from_cache)


def run_system(tagger: Tagger, spec: str, options: Mapping[str, Any], gold: Document,
               resampling: Resampling, timeout: float | None = None, copies: Sequence[Document] = (),
               tagged_copies: int = 0, runs: int = 1, price: Price | None = None,
               cache: PredictionCache | None = None, previous: Record | None = None,
               stats: dict[str, object] | None = None, report: Callable[[str], None] = lambda phrase: None,
               loading: str = "loading") -> tuple[Record, dict[str, str]]:
    """Run one tagger over the article and the first ``tagged_copies`` of its counterfactual
    ``copies``, and score it; a tagger that cannot run, crashes or returns spans its views
    cannot score gets a record saying so, with no predictions. A sampling system (an LLM:
    ``for_run``) runs ``runs`` times on the article, the first run being the score of record;
    an LLM's record states its manifest and ``price``. What the prediction ``cache`` holds is
    not tagged again (see :mod:`zhnerbench.runner.prediction_cache`), and a ``previous`` record,
    checked against its files, that scoring the same predictions would give again is returned as
    it is, with no file to write. ``stats`` receives how many documents the cache answered
    (``cached_documents``; the record's timings are then those of the run that filled it)."""
    base: Record = {"name": tagger.name, "kind": "ner", "origin": "run", "system": system_json(tagger, spec, options),
                    "views": list(tagger.views)}
    published: Published = {"date": today(), "machine": machine()}
    started = time.perf_counter()
    tagged_documents = [gold, *copies[:tagged_copies]]
    try:
        run = tag_documents(tagger, spec, options, tagged_documents, timeout, cache if runs <= 1 else None, report,
                            loading)
        if stats is not None and run.cached:
            stats["cached_documents"] = run.cached
        runs_started = time.perf_counter()
        other_runs = further_runs(tagger, gold, runs, timeout)
        runs_seconds = time.perf_counter() - runs_started
    except (Exception, SystemExit) as error:  # unavailable here, or a tagger's own bug: it must not end the leaderboard
        # The failed attempt is the system's own load time, not the harness's.
        published["load_seconds"] = round(time.perf_counter() - started, 3)
        status, reason = failure(error, tagger)
        return {**base, "status": status, "reason": reason, "published": published}, {}
    # Loading may find the real model version, its label set and so the views it is fair to score it in.
    base["system"] = run.system
    base["views"] = run.views
    diagnostics = run.diagnostics
    if diagnostics:
        # What the adapter could not use (unaligned strings, bad answers) is part of the result;
        # how many answers came from a cache is not.
        base["diagnostics"] = {k: v for k, v in diagnostics.items() if k not in VOLATILE_DIAGNOSTICS}
    llm = llm_json(tagger, price)
    if llm is not None:
        if other_runs:
            llm["runs"] = [{"input_tokens": diagnostic_count(run_diagnostics, "input_tokens"),
                            "output_tokens": diagnostic_count(run_diagnostics, "output_tokens")}
                           for run_diagnostics in [diagnostics, *(d for _, d in other_runs)]]
        base["llm"] = llm
    characters = len(gold.text)
    published.update({"load_seconds": round(run.load_seconds, 3), "predict_seconds": round(run.predict_seconds, 3),
                      "chars_per_second": round(characters / run.predict_seconds if run.predict_seconds > 0
                                                else float("inf"))})
    if len(tagged_documents) > 1:
        published["counterfactual_seconds"] = round(run.copies_seconds, 3)
    if other_runs:
        published["runs_seconds"] = round(runs_seconds, 3)
    volatile = volatile_diagnostics(diagnostics)
    if volatile:
        published["requests"] = volatile
    base["published"] = published
    base["training"] = run.training
    base["published"].update(run.training_timings)
    text = documents_jsonl(tagged_documents, run.spans, with_relations=False)
    kept = unchanged_record(previous, base, text, record_scoring(gold, copies if tagged_copies else (), resampling))
    if kept is not None and not other_runs:
        return kept, {}
    try:
        predictions = parse_documents(text, predictions_name(tagger.name), [gold], optional=copies)
        run_predictions = [parse_documents(documents_jsonl([gold], {gold.id: tuple(spans)}, with_relations=False),
                                           run_predictions_name(tagger.name, index), [gold])
                           for index, (spans, _) in enumerate(other_runs, 2)]
        for checked in (predictions, *run_predictions):
            select_views(checked, [VIEWS[name] for name in run.views])
    except ZhNerBenchError as error:  # e.g. overlapping spans in a view that cannot score them
        return {**base, "status": "failed", "reason": f"invalid output: {one_line(error, 300)}"}, {}
    return scored_record(gold, predictions, base, run.views, resampling, copies, run_predictions)


def submitted_record(name: str, predictions: Predictions, meta: Mapping[str, str], gold: Document,
                     resampling: Resampling, copies: Sequence[Document] = ()) -> tuple[Record, dict[str, str]]:
    """A prediction file made elsewhere, scored in every view it can be scored in (and on the
    counterfactual ``copies`` it covers)."""
    base: Record = {"name": name, "kind": "ner", "origin": "submitted", "meta": dict(meta),
                    "system": {"version": meta.get("version", ""), "model": meta.get("model")},
                    "published": {"date": today()}}
    return scored_record(gold, predictions, base, None, resampling, copies)


def lm_eval_records(name: str, run: LmEvalRun, meta: Mapping[str, str], gold: Document, resampling: Resampling,
                    copies: Sequence[Document] = ()) -> list[tuple[Record, dict[str, str]]]:
    """The records of an lm-evaluation-harness run (:mod:`zhnerbench.harness.lm_eval_samples`),
    marked submitted: ``name``, its spans scored like any prediction file (on the copies it
    covers too), with the run's manifest and what its answers held that could not be used; and
    ``name-relations`` when the run has the relation task, scored like ``openai-relations:``."""
    system: SystemInfo = {"version": f"lm-eval {run.version}", "model": meta.get("model", run.model)}
    base: Record = {"name": name, "kind": "ner", "origin": "submitted", "meta": dict(meta), "system": system,
                    "llm": {"manifest": run.manifest, "price": None}, "diagnostics": run.diagnostics,
                    "published": {"date": today()}}
    # The relations go into a record of their own, as openai-relations:'s (scored on the gold's entities).
    predictions = replace(run_predictions(run), relations=None)
    records = [scored_record(gold, predictions, base, None, resampling, copies)]
    if run.relations is not None and run.relation_manifest is not None:
        relation_base: Record = {
            "name": relation_record_name(name), "kind": "relations", "origin": "submitted", "meta": dict(meta),
            "system": {**system, "entities": ENTITY_SOURCE}, "llm": {"manifest": run.relation_manifest, "price": None},
            "diagnostics": run.relation_diagnostics or {}, "published": {"date": today()}}
        records.append(relation_system_record(relation_base, gold, copies, run.relations, ENTITY_SOURCE, resampling))
    return records


def relation_record_name(name: str) -> str:
    """The name of the relation record of a submitted run called ``name`` (64 characters at most).

    >>> relation_record_name("qwen2.5-7b")
    'qwen2.5-7b-relations'
    """
    return f"{name[:54]}-relations"
