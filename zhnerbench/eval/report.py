"""The plain-text report ``zhnerbench evaluate`` prints.

>>> from zhnerbench.gold.article import example_document
>>> from zhnerbench.eval.evaluation import evaluate
>>> from zhnerbench.formats.prediction_files import Predictions
>>> from zhnerbench.document import Span
>>> doc = example_document()
>>> evaluation = evaluate([doc], Predictions("p.jsonl", "documents", {doc.id: (Span(15, 17, "GPE"),)}, None), ["full"], 50)
>>> format_report(evaluation).splitlines()[0]
'p.jsonl (documents format): 1 document(s), 2 sentences'
>>> format_view(evaluation.views["full"], evaluation)[-3:-1]
['  errors (1; first 1, all in --json/--html):', '    000_e491b11e84c79d89-001 wrong_type: predicted 张为 GPE; gold 张为 PERSON']
"""

from __future__ import annotations

from collections.abc import Mapping

from zhnerbench.counts import Average, Counts
from zhnerbench.eval.bootstrap import Interval, PairedTest
from zhnerbench.eval.error_analysis import (
    GOLD_OUTCOMES,
    PREDICTED_OUTCOMES,
    describe_error,
    error_records,
    outcome_counts,
)
from zhnerbench.eval.evaluation import Evaluation, SentenceLocator, ViewEvaluation
from zhnerbench.eval.relations import RelationScores


def format_interval(interval: Interval | None) -> str:
    """An interval as ``[0.912, 0.987]`` (blank when there is none).

    >>> format_interval(Interval(0.9123, 0.98749))
    '[0.912, 0.987]'
    """
    return "" if interval is None else f"[{interval.low:.3f}, {interval.high:.3f}]"


def format_score_row(name: str, counts: Counts, interval: Interval | None = None, width: int = 12) -> str:
    """One table row: name, P, R, F1, the F1 interval and the counts.

    >>> format_score_row("PER", Counts(1, 1, 2), Interval(0.4, 0.8))
    'PER           1.000  0.500  0.667  [0.400, 0.800]          2      1      1'
    """
    return (
        f"{name:<{width}} {counts.precision:6.3f} {counts.recall:6.3f} {counts.f1:6.3f}  {format_interval(interval):<18}"
        f" {counts.gold:6d} {counts.predicted:6d} {counts.correct:6d}"
    )


def format_average_row(name: str, average: Average, width: int = 12) -> str:
    """A row of averaged ratios (no counts: a macro average is not a ratio of counts).

    >>> format_average_row("macro", Average(0.5, 0.25, 1 / 3))
    'macro         0.500  0.250  0.333'
    """
    return f"{name:<{width}} {average.precision:6.3f} {average.recall:6.3f} {average.f1:6.3f}"


def _table_header(first: str, width: int = 12, interval: str = "F1 95% CI") -> str:
    return f"{first:<{width}} {'P':>6} {'R':>6} {'F1':>6}  {interval:<18} {'gold':>6} {'pred':>6} {'correct':>6}"


def format_view(result: ViewEvaluation, evaluation: Evaluation, max_errors: int = 10) -> list[str]:
    """The lines of one view's section: per-label table, averages, outcome counts, first errors."""
    intervals = result.intervals
    confidence = f"F1 {round(intervals.confidence * 100)}% CI"
    lines = [
        f"View {result.view.name} ({result.view.convention} convention; {result.scorer}): {result.view.description}",
        _table_header("label", interval=confidence),
    ]
    for label, counts in result.scores.per_label.items():
        lines.append(format_score_row(label, counts, intervals.per_label[label].f1 if label in intervals.per_label else None))
    lines.append(format_score_row("micro", result.scores.micro, intervals.micro.f1))
    lines.append(format_average_row("macro", result.scores.macro))
    lines.append(
        f"  micro P CI {format_interval(intervals.micro.precision)}, R CI {format_interval(intervals.micro.recall)}"
    )
    lines.append(f"  partial matches (SemEval-2013, nervaluate), F1: {result.partial_summary}")
    text = result.text_match
    lines.append(f"  text match (sentence, text, label; CLUENER/DuIE style): P {text.precision:.3f} "
                 f"R {text.recall:.3f} F1 {text.f1:.3f}")
    gold = outcome_counts(result.analysis.gold, GOLD_OUTCOMES)
    predicted = outcome_counts(result.analysis.predicted, PREDICTED_OUTCOMES)
    lines.append("  gold spans:      " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in gold.items()))
    lines.append("  predicted spans: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in predicted.items()))
    records = error_records(result.analysis)
    locate = SentenceLocator(evaluation.documents)
    if records and max_errors > 0:
        lines.append(f"  errors ({len(records)}; first {min(max_errors, len(records))}, all in --json/--html):")
        for record in records[:max_errors]:
            first = record.predicted if record.predicted is not None else record.gold[0]
            ref = evaluation.sentences[locate(record.document, first)]
            lines.append(f"    {ref.id} {describe_error(record, evaluation.documents[record.document].text)}")
            lines.append(f"        {ref.text}")
    return lines


def format_relations(relations: Mapping[str, RelationScores]) -> list[str]:
    """The relation section: micro scores per mode, evidence, then per type in each mode.

    >>> from zhnerbench.eval.relations import RelationScores
    >>> format_relations({"strict": RelationScores("strict", Counts(1, 1, 2), {}, None)})[2]
    'strict        1.000  0.500  0.667                          2      1      1'
    """
    lines = ["Relations: document-level triples (strict: argument span = a mention of the entity; text: any alias)"]
    lines.append(_table_header("mode", interval=""))
    for mode, scores in relations.items():
        lines.append(format_score_row(mode, scores.micro))
        lines.append(format_score_row("  intra", scores.intra))
        lines.append(format_score_row("  inter", scores.inter))
        if scores.evidence is not None:
            lines.append(format_score_row("  evidence", scores.evidence))
    for mode, scores in relations.items():
        lines.append(_table_header(f"{mode}: type", interval=""))
        for name, score in scores.per_type.items():
            lines.append(format_score_row(name, score))
    return lines


def format_report(
    evaluation: Evaluation,
    max_errors: int = 10,
    comparisons: Mapping[str, PairedTest] | None = None,
    compared_file: str | None = None,
) -> str:
    """The whole text report: a header, each view's section, relations and comparisons."""
    predictions = evaluation.predictions
    documents = {ref.document.id for ref in evaluation.sentences}
    first = next(iter(evaluation.views.values()), None)
    lines = [
        f"{predictions.file} ({predictions.format} format): {len(documents)} document(s), "
        f"{len(evaluation.sentences)} sentences",
    ]
    if first is not None:
        ci = first.intervals
        lines.append(
            f"bootstrap: {ci.samples} samples of sentences, seed {ci.seed}, {round(ci.confidence * 100)}% percentile intervals"
        )
    if predictions.lenient_readings:
        lines.append(
            f"lenient: {len(predictions.lenient_readings)} invalid IOB2 tag(s) read as conlleval does, e.g. "
            + "; ".join(predictions.lenient_readings[:3])
        )
    for result in evaluation.views.values():
        lines.append("")
        lines += format_view(result, evaluation, max_errors)
    if evaluation.relations is not None:
        lines.append("")
        lines += format_relations(evaluation.relations)
    if comparisons:
        lines.append("")
        lines.append(f"Paired bootstrap: A = {predictions.file}, B = {compared_file}")
        for name, test in comparisons.items():
            lines.append(
                f"  {name:<10} F1 A {test.f1_a:.3f}  B {test.f1_b:.3f}  A-B {test.difference:+.3f}  "
                f"p(A not better) = {test.p_value:.3f} ({test.samples} samples)"
            )
    return "\n".join(lines) + "\n"
