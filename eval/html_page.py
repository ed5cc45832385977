"""The ``--html`` page: gold and predicted entities side by side for every sentence.

Entities are drawn by spaCy's displaCy in manual mode (``style="ent"``), with
a compact template (displaCy's default puts spaces around the entity text,
which Chinese text does not have) whose per-entity ``params`` mark errors: an
entity whose outcome is not ``correct`` gets a red outline, a ✗ after its label
and its outcome as a tooltip. The page is one file: inline CSS, no script, no
external resource.

spaCy is imported only here and only when a page is asked for (it is the
optional ``html`` extra); without it, :func:`render_html` raises a
:class:`ZhNerBenchError` saying what to install.
"""

from __future__ import annotations

import html
from typing import Any, Callable

from zhnerbench.errors import ZhNerBenchError
from zhnerbench.eval.errors_analysis import CORRECT, Classified, error_records
from zhnerbench.eval.evaluation import Evaluation, ViewEvaluation
from zhnerbench.eval.ner import Score
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
    """spaCy's ``displacy`` module, or a :class:`ZhNerBenchError` saying how to install it.

    >>> require_displacy().render  # doctest: +SKIP
    <function render at ...>
    """
    try:
        from spacy import displacy
    except ImportError:
        raise ZhNerBenchError(
            "--html needs spaCy's displaCy: pip install 'zhnerbench[html]' (or pip install 'spacy>=3.8')"
        ) from None
    return displacy


def outcome_note(item: Classified, side: str, text: str) -> str:
    """The tooltip of a span: its outcome and the other side's overlapping spans, quoted from ``text``.

    >>> from zhnerbench.model import Span
    >>> outcome_note(Classified(0, Span(0, 2, "GPE"), "wrong_type", (Span(0, 2, "ORG"),)), "predicted", "市委常委")
    'wrong type (gold: 市委 ORG)'
    """
    if item.outcome == CORRECT:
        return "correct"
    other = "gold" if side == "predicted" else "predicted"
    shown = ", ".join(f"{text[s.start:s.end]} {s.label}" for s in item.overlapping)
    return item.outcome.replace("_", " ") + (f" ({other}: {shown})" if shown else "")


def entity_dicts(items: list[Classified], side: str, text: str) -> list[dict[str, Any]]:
    """displaCy manual-mode entities for one sentence's classified spans, errors marked in ``params``.

    >>> from zhnerbench.model import Span
    >>> entity_dicts([Classified(0, Span(0, 2, "PER"), "spurious", ())], "predicted", "张为")[0]["params"]["status"]
    'error'
    """
    result = []
    for item in items:
        error = item.outcome != CORRECT
        result.append(
            {
                "start": item.span.start,
                "end": item.span.end,
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
    def row(name: str, score: Score, interval: Any) -> str:
        cells = [f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", html.escape(format_interval(interval)),
                 str(score.support), str(score.predicted), str(score.correct)]
        return f"<tr><th>{html.escape(name)}</th>" + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>"

    intervals = result.intervals
    header = "<tr><th>label</th><th>P</th><th>R</th><th>F1</th><th>F1 CI</th><th>gold</th><th>pred</th><th>correct</th></tr>"
    rows = [row(label, score, intervals.per_label[label].f1 if label in intervals.per_label else None)
            for label, score in result.scores.per_label.items()]
    rows.append(row("micro", result.scores.micro, intervals.micro.f1))
    rows.append(row("macro", result.scores.macro, None))
    return f"<table>{header}{''.join(rows)}</table>"


def _view_section(result: ViewEvaluation, evaluation: Evaluation, render: Callable[[str, list[dict[str, Any]]], str]) -> str:
    name = result.view.name
    gold_by_sentence: dict[int, list[Classified]] = {}
    predicted_by_sentence: dict[int, list[Classified]] = {}
    for item in result.analysis.gold:
        gold_by_sentence.setdefault(item.sentence, []).append(item)
    for item in result.analysis.predicted:
        predicted_by_sentence.setdefault(item.sentence, []).append(item)
    with_errors = sorted({record.sentence for record in error_records(result.analysis)})
    links = " ".join(
        f'<a href="#{name}-{html.escape(evaluation.sentences[i].id)}">{html.escape(evaluation.sentences[i].id)}</a>'
        for i in with_errors
    )
    rows = []
    for index, ref in enumerate(evaluation.sentences):
        gold = render(ref.text, entity_dicts(gold_by_sentence.get(index, []), "gold", ref.text))
        predicted = render(ref.text, entity_dicts(predicted_by_sentence.get(index, []), "predicted", ref.text))
        css = ' class="has-errors"' if index in with_errors else ""
        rows.append(
            f'<tr id="{name}-{html.escape(ref.id)}"{css}><td class="id">{html.escape(ref.id)}</td>'
            f"<td>{gold}</td><td>{predicted}</td></tr>"
        )
    return (
        f'<section id="view-{name}"><h2>View {html.escape(name)}</h2><p>{html.escape(result.view.description)}</p>'
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
                     str(score.support), str(score.predicted), str(score.correct)]
            rows.append(f"<tr><th>{mode}</th><th>{html.escape(name)}</th>"
                        + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
    header = "<tr><th>mode</th><th>type</th><th>P</th><th>R</th><th>F1</th><th>gold</th><th>pred</th><th>correct</th></tr>"
    return f"<section><h2>Relations</h2><table>{header}{''.join(rows)}</table></section>"


def render_html(evaluation: Evaluation) -> str:
    """The whole self-contained page for an evaluation (every view it was scored in); needs spaCy.

    >>> render_html(evaluation)[:15]  # doctest: +SKIP
    '<!DOCTYPE html>'
    """
    displacy = require_displacy()
    from spacy.displacy.render import DEFAULT_LABEL_COLORS

    options = {"colors": {**DEFAULT_LABEL_COLORS, **EXTRA_COLORS}, "template": ENTITY_TEMPLATE}

    def render(text: str, ents: list[dict[str, Any]]) -> str:
        return displacy.render({"text": text, "ents": ents, "title": None}, style="ent", manual=True,
                               jupyter=False, options=options)

    predictions = evaluation.predictions
    title = f"zhnerbench evaluate: {predictions.file}"
    legend = (
        '<p class="legend">Left: gold; right: predictions. '
        '<mark class="entity error" style="background: #eee; padding: 0.2em 0.35em;">error ✗</mark>'
        "outlined entities are not correct (hover for the outcome: wrong type, wrong boundary, "
        "wrong boundary and type, missed, spurious).</p>"
    )
    nav = " · ".join(f'<a href="#view-{name}">{html.escape(name)}</a>' for name in evaluation.views)
    sections = "".join(_view_section(result, evaluation, render) for result in evaluation.views.values())
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(predictions.format)} format; "
        f"{len(evaluation.sentences)} sentences; views: {nav}</p>{legend}"
        f"{sections}{_relations_section(evaluation)}</body></html>\n"
    )
