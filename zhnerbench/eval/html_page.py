"""The ``--html`` page: gold and predicted entities side by side for every sentence.

Entities are drawn by spaCy's displaCy in manual mode (``style="ent"``), with
a compact template (displaCy's default puts spaces around the entity text,
which Chinese text does not have) whose per-entity ``params`` mark errors: an
entity whose outcome is not ``correct`` gets a red outline, a ✗ after its label
and its outcome as a tooltip. The ``nested`` view's spans overlap, which the
``ent`` style cannot draw: it uses displaCy's ``span`` style (one token per
character) and marks errors with a ✗ in the label. A predicted span that crosses
a sentence boundary is drawn in the sentence it starts in, cut at its end. The
page is one file: inline CSS, no script, no external resource.

spaCy is imported only here and only when a page is asked for (it is the
optional ``html`` extra); without it, :func:`render_html` raises a
:class:`ZhNerBenchError` saying what to install.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from zhnerbench.counts import Counts
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.eval.error_analysis import CORRECT, Classified, error_records
from zhnerbench.eval.evaluation import Evaluation, SentenceLocator, SentenceRef, ViewEvaluation
from zhnerbench.eval.report import format_interval

#: displaCy's colours cover the OntoNotes labels; these are the others.
EXTRA_COLORS = {"TITLE": "#d6c6a8", "PER": "#aa9cfc"}

ENTITY_TEMPLATE = (
    '<mark class="entity {status}" title="{note}" style="background: {bg}; padding: 0.2em 0.35em; '
    'margin: 0 0.1em; line-height: 1; border-radius: 0.35em;">{text}<span style="font-size: 0.7em; '
    'font-weight: bold; line-height: 1; vertical-align: middle; margin-left: 0.3rem">{label}{marker}{kb_link}</span></mark>'
)

_CSS = """
body { font-family: -apple-system, "Segoe UI", "Noto Sans CJK SC", "PingFang SC", sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sentences td { width: 45%; }
table.sentences td.id { width: 10%; font-family: monospace; font-size: 0.8em; white-space: nowrap; }
tr.has-errors td.id { background: #fde8e8; }
mark.entity.error { outline: 2px solid #c00; outline-offset: 1px; }
.entities { line-height: 2.3 !important; }
.legend mark { margin-right: 1rem; }
"""


def require_displacy() -> Any:
    """spaCy's ``displacy`` module, or a :class:`ZhNerBenchError` saying how to install it."""
    try:
        from spacy import displacy
    except ImportError:
        raise ZhNerBenchError(
            "--html needs spaCy's displaCy: pip install 'zhnerbench[html]' (or pip install 'spacy>=3.8')"
        ) from None
    return displacy


def outcome_note(item: Classified, side: str, text: str) -> str:
    """The tooltip of a span: its outcome and the other side's overlapping spans, quoted from ``text``.

    >>> from zhnerbench.document import Span
    >>> outcome_note(Classified(0, Span(0, 2, "GPE"), "wrong_type", (Span(0, 2, "ORG"),)), "predicted", "市委常委")
    'wrong type (gold: 市委 ORG)'
    """
    if item.outcome == CORRECT:
        return "correct"
    other = "gold" if side == "predicted" else "predicted"
    shown = ", ".join(f"{text[s.start:s.end]} {s.label}" for s in item.overlapping)
    return item.outcome.replace("_", " ") + (f" ({other}: {shown})" if shown else "")


def entity_dicts(items: list[Classified], side: str, text: str, offset: int = 0, length: int | None = None) -> list[dict[str, Any]]:
    """displaCy manual-mode entities for one sentence's classified spans, errors marked in ``params``;
    spans are document offsets into ``text``, shown relative to the sentence at ``offset`` (cut at ``length``).

    >>> from zhnerbench.document import Span
    >>> entity_dicts([Classified(0, Span(0, 2, "PER"), "spurious", ())], "predicted", "张为")[0]["params"]["status"]
    'error'
    """
    result = []
    for item in items:
        error = item.outcome != CORRECT
        end = item.span.end - offset if length is None else min(item.span.end - offset, length)
        result.append(
            {
                "start": item.span.start - offset,
                "end": end,
                "label": item.span.label,
                "params": {
                    "status": "error" if error else "ok",
                    "marker": " ✗" if error else "",
                    "note": html.escape(outcome_note(item, side, text), quote=True),
                },
            }
        )
    return result


def _score_table(result: ViewEvaluation) -> str:
    def row(name: str, counts: Counts, interval: Any) -> str:
        cells = [f"{counts.precision:.3f}", f"{counts.recall:.3f}", f"{counts.f1:.3f}", html.escape(format_interval(interval)),
                 str(counts.gold), str(counts.predicted), str(counts.correct)]
        return f"<tr><th>{html.escape(name)}</th>" + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>"

    intervals = result.intervals
    header = "<tr><th>label</th><th>P</th><th>R</th><th>F1</th><th>F1 CI</th><th>gold</th><th>pred</th><th>correct</th></tr>"
    rows = [row(label, counts, intervals.per_label[label].f1 if label in intervals.per_label else None)
            for label, counts in result.scores.per_label.items()]
    rows.append(row("micro", result.scores.micro, intervals.micro.f1))
    macro = result.scores.macro
    rows.append(f"<tr><th>macro</th><td class=\"num\">{macro.precision:.3f}</td><td class=\"num\">{macro.recall:.3f}</td>"
                f"<td class=\"num\">{macro.f1:.3f}</td><td></td><td></td><td></td><td></td></tr>")
    return (f"<table>{header}{''.join(rows)}</table><p>Partial-match F1 (SemEval-2013, nervaluate): "
            f"{html.escape(result.partial_summary)}</p>")


Renderer = Callable[[SentenceRef, list[dict[str, Any]]], str]


def _view_section(result: ViewEvaluation, evaluation: Evaluation, render: Renderer) -> str:
    name = result.view.name
    locate = SentenceLocator(evaluation.documents)
    gold_by_sentence: dict[int, list[Classified]] = {}
    predicted_by_sentence: dict[int, list[Classified]] = {}
    for items, target in ((result.analysis.gold, gold_by_sentence), (result.analysis.predicted, predicted_by_sentence)):
        for item in items:
            target.setdefault(locate(item.document, item.span), []).append(item)
    with_errors = sorted({
        locate(record.document, record.predicted if record.predicted is not None else record.gold[0])
        for record in error_records(result.analysis)
    })
    links = " ".join(
        f'<a href="#{name}-{html.escape(evaluation.sentences[i].id)}">{html.escape(evaluation.sentences[i].id)}</a>'
        for i in with_errors
    )
    rows = []
    for index, ref in enumerate(evaluation.sentences):
        start, length, text = ref.sentence.start, ref.sentence.end - ref.sentence.start, ref.document.text
        gold = render(ref, entity_dicts(gold_by_sentence.get(index, []), "gold", text, start, length))
        predicted = render(ref, entity_dicts(predicted_by_sentence.get(index, []), "predicted", text, start, length))
        css = ' class="has-errors"' if index in with_errors else ""
        rows.append(
            f'<tr id="{name}-{html.escape(ref.id)}"{css}><td class="id">{html.escape(ref.id)}</td>'
            f"<td>{gold}</td><td>{predicted}</td></tr>"
        )
    return (
        f'<section id="view-{name}"><h2>View {html.escape(name)}</h2><p>{html.escape(result.view.description)} '
        f"({html.escape(result.view.convention)} convention; {html.escape(result.scorer)})</p>"
        f"{_score_table(result)}"
        f"<p>{len(with_errors)} sentence(s) with errors: {links or 'none'}</p>"
        '<table class="sentences"><tr><th>sentence</th><th>gold</th><th>predicted</th></tr>'
        f"{''.join(rows)}</table></section>"
    )


def _relations_section(evaluation: Evaluation) -> str:
    if evaluation.relations is None:
        return ""
    rows = []
    for mode, scores in evaluation.relations.items():
        for name, score in [("micro", scores.micro)] + list(scores.per_type.items()) + (
            [("evidence", scores.evidence)] if scores.evidence is not None else []
        ):
            cells = [f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}",
                     str(score.gold), str(score.predicted), str(score.correct)]
            rows.append(f"<tr><th>{mode}</th><th>{html.escape(name)}</th>"
                        + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
    header = "<tr><th>mode</th><th>type</th><th>P</th><th>R</th><th>F1</th><th>gold</th><th>pred</th><th>correct</th></tr>"
    return f"<section><h2>Relations</h2><table>{header}{''.join(rows)}</table></section>"


def render_html(evaluation: Evaluation) -> str:
    """The whole self-contained page for an evaluation (every view it was scored in); needs spaCy."""
    displacy = require_displacy()
    from spacy.displacy.render import DEFAULT_LABEL_COLORS

    colors = {**DEFAULT_LABEL_COLORS, **EXTRA_COLORS}
    options = {"colors": colors, "template": ENTITY_TEMPLATE}

    def render_flat(ref: SentenceRef, ents: list[dict[str, Any]]) -> str:
        return str(displacy.render({"text": ref.text, "ents": ents, "title": None}, style="ent", manual=True,
                                   jupyter=False, options=options))

    def render_nested(ref: SentenceRef, ents: list[dict[str, Any]]) -> str:
        spans = [{"start_token": e["start"], "end_token": e["end"], "label": e["label"] + e["params"]["marker"]}
                 for e in ents]
        return str(displacy.render({"text": ref.text, "tokens": list(ref.text), "spans": spans},
                                   style="span", manual=True, jupyter=False,
                                   options={"colors": {**colors, **{f"{k} ✗": v for k, v in colors.items()}}}))

    predictions = evaluation.predictions
    title = f"zhnerbench evaluate: {predictions.file}"
    legend = (
        '<p class="legend">Left: gold; right: predictions. '
        '<mark class="entity error" style="background: #eee; padding: 0.2em 0.35em;">error ✗</mark>'
        "outlined entities are not correct (hover for the outcome: wrong type, wrong boundary, "
        "wrong boundary and type, missed, spurious).</p>"
    )
    nav = " · ".join(f'<a href="#view-{name}">{html.escape(name)}</a>' for name in evaluation.views)
    sections = "".join(
        _view_section(result, evaluation, render_nested if result.view.convention == "nested" else render_flat)
        for result in evaluation.views.values()
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(predictions.format)} format; "
        f"{len(evaluation.sentences)} sentences; views: {nav}</p>{legend}"
        f"{sections}{_relations_section(evaluation)}</body></html>\n"
    )
