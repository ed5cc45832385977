"""Running one system into a leaderboard record.

A tagger is loaded and run over the article (through its adapter, see
``zhnerbench.baselines``) and the counterfactual copies asked for; its mentions are written
as a prediction file in the ``documents`` format, and that file is read back and scored by
:mod:`zhnerbench.board.scoring`, exactly as ``zhnerbench evaluate`` would score it, in the
views the system declares. Nothing here writes a file: the record and the prediction texts go
back to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    Tagger,
    diagnostic_count,
    TaggerError,
    one_line,
    predict_document,
    predict_documents,
    run_timed,
    tagger_diagnostics,
)
from zhnerbench.baselines.llm_costs import Price
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
from zhnerbench.board.scoring import relation_system_record, run_predictions_name, scored_record
from zhnerbench.document import Document, Span
from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.eval.evaluation import select_views
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.formats.documents import parse_documents
from zhnerbench.eval.score_json import rounded
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.formats.documents import documents_jsonl
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
                        price: Price | None = None) -> tuple[Record, dict[str, str]]:
    """Run one relation system (``openai-relations:``) over the article and the first
    ``tagged_copies`` copies, and score its triples; one that cannot run gets a record saying so."""
    base: Record = {"name": extractor.name, "kind": "relations", "origin": "run",
                    "system": {"spec": spec, "adapter": f"{type(extractor).__module__}.{type(extractor).__qualname__}",
                               "version": extractor.version, "model": getattr(extractor, "model", None),
                               "requires": extractor.requires, "entities": extractor.entities,
                               "options": dict(options)}}
    published: Published = {"date": today(), "machine": machine()}
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
    published: Published = {"date": today(), "machine": machine()}
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
            llm["runs"] = [{"input_tokens": diagnostic_count(run_diagnostics, "input_tokens"),
                            "output_tokens": diagnostic_count(run_diagnostics, "output_tokens")}
                           for run_diagnostics in [diagnostics, *(d for _, d in other_runs)]]
        base["llm"] = llm
    published.update({"load_seconds": round(timed.load_seconds, 3), "predict_seconds": round(timed.predict_seconds, 3),
                      "chars_per_second": round(timed.chars_per_second)})
    if copy_spans:
        published["counterfactual_seconds"] = round(copies_seconds, 3)
    if other_runs:
        published["runs_seconds"] = round(runs_seconds, 3)
    volatile = volatile_diagnostics(diagnostics)
    if volatile:
        published["requests"] = volatile
    base["published"] = published
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
