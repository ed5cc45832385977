"""The static web board, ``results/site/``: plain HTML, CSS and a little JavaScript, nothing
loaded from the network, readable from ``file://``.

* ``index.html``: one table per view, sortable by any column, with interval bars, rank groups
  and the counterfactual columns;
* ``systems/NAME.html``: a system's errors in its first view, by kind and filterable by label,
  each in its sentence with the gold and the predicted spans side by side;
* ``article.html``: the gold article with both layers of mentions, the clusters (hover) and the
  relations (click one to highlight its evidence sentences).

Every page is a pure function of the board, the gold and the prediction files, so a rerun
writes the same bytes. Whatever a user, a plugin or a model handed in is escaped.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import diagnostics_summary
from zhnerbench.eval.error_analysis import (
    MISSED,
    SPURIOUS,
    WRONG_BOTH,
    WRONG_BOUNDARY,
    WRONG_TYPE,
    ErrorRecord,
    error_records,
)
from zhnerbench.eval.evaluation import evaluate_view
from zhnerbench.eval.readers import parse_documents
from zhnerbench.reading import InputError, read_input_bytes
from zhnerbench.board.markdown import (
    COUNTERFACTUAL_NOTE,
    LLM_COLUMNS,
    LLM_NOTE,
    RANK_NOTE,
    USAGE_DIAGNOSTICS,
    llm_rows,
    llm_systems,
    manifest_parts,
    percent,
    signed_points,
)
from zhnerbench.document import Document, Mention, Span
from zhnerbench.offsets import sentence_at
from zhnerbench.views import VIEWS

SITE_DIR = "site"
#: Error kinds in the order a page lists them.
ERROR_KINDS = (SPURIOUS, MISSED, WRONG_TYPE, WRONG_BOUNDARY, WRONG_BOTH)

CSS = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:2em auto;max-width:78em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:right}
th{cursor:pointer;background:#f4f4f4;user-select:none}th.sorted-asc::after{content:" \\25B2"}th.sorted-desc::after{content:" \\25BC"}
td.name,th.name{text-align:left}.bar{position:relative;width:10em;height:.8em;background:#eee;display:inline-block}
.bar span{position:absolute;height:100%;background:#9bc}.bar b{position:absolute;width:2px;height:140%;top:-20%;background:#124}
mark{padding:0 .1em;border-radius:.2em}mark.gold{background:#cfe8cf}mark.pred{background:#f8d3c5}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em;border-bottom:1px solid #eee;padding:.5em 0}
.kind{font-weight:bold}.mention{border-bottom:2px solid #58a;padding:0 .05em}.mention.inner{border-bottom-color:#c83}
.mention:hover{background:#ffe9a8}.sentence.evidence{background:#fff3c4}.relations tr{cursor:pointer}
.relations tr.selected{background:#fff3c4}p.sentence{margin:.3em 0;line-height:1.9}
"""

JS = """function cellValue(row, index) {
  const cell = row.cells[index];
  const value = cell.getAttribute("data-value");
  return value === null ? cell.textContent : value;
}
function sortTable(header) {
  const table = header.closest("table");
  const index = Array.prototype.indexOf.call(header.parentNode.children, header);
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const numeric = header.getAttribute("data-type") === "number";
  const ascending = !header.classList.contains("sorted-asc");
  rows.sort(function (a, b) {
    let x = cellValue(a, index), y = cellValue(b, index);
    if (numeric) { x = x === "" ? -Infinity : parseFloat(x); y = y === "" ? -Infinity : parseFloat(y); }
    const order = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? order : -order;
  });
  rows.forEach(function (row) { body.appendChild(row); });
  table.querySelectorAll("th").forEach(function (th) { th.classList.remove("sorted-asc", "sorted-desc"); });
  header.classList.add(ascending ? "sorted-asc" : "sorted-desc");
}
function filterErrors(select) {
  const label = select.value;
  document.querySelectorAll(".pair").forEach(function (pair) {
    pair.hidden = label !== "" && pair.getAttribute("data-labels").split(" ").indexOf(label) < 0;
  });
}
function showEvidence(row) {
  document.querySelectorAll(".sentence.evidence").forEach(function (s) { s.classList.remove("evidence"); });
  document.querySelectorAll(".relations tr.selected").forEach(function (r) { r.classList.remove("selected"); });
  row.classList.add("selected");
  row.getAttribute("data-evidence").split(",").forEach(function (id) {
    const sentence = document.getElementById("s" + id);
    if (sentence) { sentence.classList.add("evidence"); }
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.sortable th").forEach(function (th) {
    th.addEventListener("click", function () { sortTable(th); });
  });
  document.querySelectorAll("select.label-filter").forEach(function (select) {
    select.addEventListener("change", function () { filterErrors(select); });
  });
  document.querySelectorAll(".relations tr[data-evidence]").forEach(function (row) {
    row.addEventListener("click", function () { showEvidence(row); });
  });
});
"""


def esc(value: object) -> str:
    """Text as HTML, quotes included (it may sit in an attribute).

    >>> esc('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return html.escape(str(value), quote=True)


def page(title: str, body: str, depth: int = 0) -> str:
    """A whole page; ``depth`` is how far below ``site/`` it is (for the shared CSS and script)."""
    up = "../" * depth
    return (f'<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n<title>{esc(title)}</title>\n'
            f'<link rel="stylesheet" href="{up}site.css">\n<script src="{up}site.js"></script>\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")


def _plain(markdown: str) -> str:
    """A Markdown sentence of the board as plain text (its code spans unquoted)."""
    return markdown.replace("`", "")


def interval_bar(f1: float, interval: Sequence[float] | None) -> str:
    """The F1 as a tick on a bar that spans its interval (both in percent of the bar's width)."""
    low, high = interval if interval else (f1, f1)
    return (f'<span class="bar" title="95% CI {percent(low)}–{percent(high)}"><span style="left:{100 * low:.1f}%;'
            f'width:{100 * (high - low):.1f}%"></span><b style="left:{100 * f1:.1f}%"></b></span>')


def view_table(board: Mapping[str, Any], view: str) -> str:
    """One view's sortable table."""
    ran = [s for s in board["systems"] if s["status"] == "ran" and view in s["scores"]]
    # What an adapter could not use (an LLM's unaligned strings, failed requests), where any has it.
    failures = any(system.get("diagnostics") for system in ran)
    header = [("rank", "number"), ("system", "text"), ("F1", "number"), ("95% CI", "number"), ("P", "number"),
              ("R", "number"), ("copies F1", "number"), ("Δ", "number"), ("copies", "number"),
              ("load (s)", "number"), ("chars/s", "number"), *([("could not use", "text")] if failures else [])]
    cells = "".join(f'<th data-type="{kind}"{" class=name" if name == "system" else ""}>{esc(name)}</th>'
                    for name, kind in header)
    rows = []
    for system in sorted(ran, key=lambda s: (-s["scores"][view]["f1"], s["name"])):
        score = system["scores"][view]
        copies = system.get("counterfactual", {}).get(view)
        name = system["name"]
        values = [
            (system.get("ranks", {}).get(view, ""), esc(system.get("ranks", {}).get(view, "–"))),
            (name, f'<a href="systems/{esc(name)}.html">{esc(name)}</a> {esc(system.get("version", ""))}'),
            (score["f1"], f"<b>{percent(score['f1'])}</b>"),
            (score["f1"], interval_bar(score["f1"], score.get("f1_ci"))),
            (score["precision"], percent(score["precision"])),
            (score["recall"], percent(score["recall"])),
            (copies["counterfactual_f1"] if copies else "", percent(copies["counterfactual_f1"]) if copies else "–"),
            (copies["delta"] if copies else "", signed_points(copies["delta"]) if copies else "–"),
            (copies["copies"] if copies else "", esc(copies["copies"]) if copies else "–"),
            (system.get("load_seconds") or "", f"{system['load_seconds']:.1f}" if system.get(
                "load_seconds") is not None else "–"),
            (system.get("chars_per_second") or "", f"{system['chars_per_second']:,.0f}" if system.get(
                "chars_per_second") is not None else "–"),
        ]
        if failures:
            summary = diagnostics_summary({key: value for key, value in (system.get("diagnostics") or {}).items()
                                           if key not in USAGE_DIAGNOSTICS})
            values.append((summary, esc(summary) or "–"))
        row = "".join(f'<td{" class=name" if index == 1 else ""} data-value="{esc(value)}">{shown}</td>'
                      for index, (value, shown) in enumerate(values))
        rows.append(f'<tr data-system="{esc(name)}">{row}</tr>')
    return (f'<table class="sortable" data-view="{esc(view)}">\n<thead><tr>{cells}</tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody>\n</table>")


def index_page(board: Mapping[str, Any]) -> str:
    """The board: one table per view the systems ran in."""
    parts = ["<h1>zhnerbench leaderboard</h1>",
             f"<p>Micro F1 on the {board['article']['characters']:,}-character article "
             f"({board['article']['sentences']} sentences), seqeval strict IOB2. Click a column to sort. "
             f"{esc(_plain(RANK_NOTE))} {esc(_plain(COUNTERFACTUAL_NOTE))}</p>",
             '<p><a href="article.html">The annotated article</a> (both layers, clusters, relations)</p>']
    for view, labels in board["views"].items():
        if any(view in s.get("scores", {}) for s in board["systems"]):
            parts.append(f"<h2>View <code>{esc(view)}</code> ({esc(', '.join(labels))})</h2>\n" + view_table(board, view))
    parts.append(llm_section(board))
    return page("zhnerbench leaderboard", "\n".join(part for part in parts if part))


def manifest_items(board: Mapping[str, Any]) -> str:
    """Each LLM system's run manifest as a list item."""
    return "".join(f"<li><b>{esc(system['name'])}</b>: {esc('; '.join(manifest_parts(system)))}</li>"
                   for system in llm_systems(board))


def llm_section(board: Mapping[str, Any]) -> str:
    """The LLM systems' cost, latency, variance and failures, and their run manifests ("" when none ran)."""
    rows = llm_rows(board)
    if not llm_systems(board):
        return ""
    if not rows:  # relation systems only: their usage is in their manifest lines
        return f"<h2>LLM systems</h2>\n<ul class=\"manifests\">{manifest_items(board)}</ul>"
    # The first three columns are text (system, view, served model), left-aligned like the names.
    header = "".join(f'<th data-type="{"text" if index < 3 else "number"}"{" class=name" if index < 3 else ""}>'
                     f'{esc(name)}</th>' for index, (name, _) in enumerate(LLM_COLUMNS))
    body = "\n".join("<tr>" + "".join(f'<td{" class=name" if index < 3 else ""} data-value="{esc(row[key])}">'
                                      f'{esc(row[key])}</td>' for index, (_, key) in enumerate(LLM_COLUMNS))
                     + "</tr>" for row in rows)
    manifests = manifest_items(board)
    return (f"<h2>LLM systems</h2>\n<p>{esc(_plain(LLM_NOTE))}</p>\n<table class=\"sortable llm\">\n<thead><tr>{header}"
            f"</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n<ul class=\"manifests\">{manifests}</ul>")


def marked(text: str, spans: Sequence[Span], css: str, offset: int) -> str:
    """``text`` with ``spans`` (document offsets, ``offset`` = where ``text`` starts) highlighted;
    overlapping spans are shown from the first."""
    out, at = [], 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = span.start - offset, span.end - offset
        if start < at or start < 0 or end > len(text):
            continue
        out += [esc(text[at:start]), f'<mark class="{css}" title="{esc(span.label)}">{esc(text[start:end])}'
                                     f"<sub>{esc(span.label)}</sub></mark>"]
        at = end
    return "".join(out) + esc(text[at:])


def error_pair(record: ErrorRecord, gold: Document) -> str:
    """One error: its sentence with the gold spans, and with the predicted one, side by side."""
    first = record.predicted if record.predicted is not None else record.gold[0]
    starts = [s.start for s in gold.sentences]
    sentence = gold.sentences[sentence_at(starts, first.start)]
    text = gold.text[sentence.start:sentence.end]
    predicted = [record.predicted] if record.predicted is not None else []
    labels = sorted({span.label for span in (*record.gold, *predicted)})
    return (f'<div class="pair" data-kind="{esc(record.kind)}" data-labels="{esc(" ".join(labels))}">'
            f'<div><span class="kind">{esc(record.kind)}</span> · gold: {marked(text, record.gold, "gold", sentence.start)}'
            f"</div><div>predicted: {marked(text, predicted, 'pred', sentence.start)}</div></div>")


def system_page(system: Mapping[str, Any], gold: Document, predictions_text: str) -> str:
    """A system's errors in its first view, by kind, filterable by label."""
    view_name = "coarse" if "coarse" in system["scores"] else next(iter(system["scores"]))
    view = VIEWS[view_name]
    predictions = parse_documents(predictions_text, f"{system['name']}.jsonl", [gold])
    result = evaluate_view([gold], predictions, view)
    records = error_records(result.analysis)
    by_kind = {kind: [r for r in records if r.kind == kind] for kind in ERROR_KINDS}
    options = "".join(f'<option value="{esc(label)}">{esc(label)}</option>' for label in view.labels)
    parts = [f'<p><a href="../index.html">← the board</a></p><h1>{esc(system["name"])} {esc(system.get("version", ""))}</h1>',
             f"<p>Errors in the <code>{esc(view_name)}</code> view (F1 {percent(system['scores'][view_name]['f1'])}): "
             + ", ".join(f"{len(errors)} {esc(kind.replace('_', ' '))}" for kind, errors in by_kind.items())
             + ". Gold spans are green, predicted ones red.</p>",
             f'<p>Label: <select class="label-filter"><option value="">all</option>{options}</select></p>']
    for kind, errors in by_kind.items():
        if errors:
            parts.append(f"<h2>{esc(kind.replace('_', ' '))} ({len(errors)})</h2>\n"
                         + "\n".join(error_pair(record, gold) for record in errors))
    return page(f"{system['name']}: errors", "\n".join(parts), depth=1)


def mention_markup(text: str, mentions: Sequence[Mention], offset: int, names: Mapping[str, str]) -> str:
    """``text`` with every mention (both layers, properly nested) as a span element."""
    out: list[str] = []

    def render(start: int, end: int, inside: list[Mention]) -> None:
        at = start
        while inside:
            mention = inside.pop(0)
            children = [m for m in inside if m.end <= mention.end]
            inside[:] = [m for m in inside if m.end > mention.end]
            out.append(esc(text[at - offset:mention.start - offset]))
            layer = "inner" if mention.parent else "flat"
            out.append(f'<span class="mention {layer} {esc(mention.label)}" data-id="{esc(mention.id)}" '
                       f'data-entity="{esc(mention.entity)}" title="{esc(mention.label)} {esc(mention.entity)} '
                       f'{esc(names.get(mention.entity, ""))}">')
            render(mention.start, mention.end, children)
            out.append("</span>")
            at = mention.end
        out.append(esc(text[at - offset:end - offset]))

    render(offset, offset + len(text), sorted(mentions, key=lambda m: (m.start, -m.end)))
    return "".join(out)


def article_page(gold: Document) -> str:
    """The gold article: sentences with both layers, and the relations with their evidence."""
    names = {entity.id: entity.name for entity in gold.entities}
    mentions = gold.mentions + gold.inner_mentions
    sentences = []
    for sentence in gold.sentences:
        inside = [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]
        text = gold.text[sentence.start:sentence.end]
        sentences.append(f'<p class="sentence" id="s{sentence.index}"><small>{sentence.index}</small> '
                         f"{mention_markup(text, inside, sentence.start, names)}</p>")
    relations = "\n".join(
        f'<tr data-evidence="{",".join(str(e) for e in relation.evidence)}"><td class="name">{esc(relation.id)}</td>'
        f'<td class="name">{esc(names.get(relation.head, relation.head))}</td><td class="name">{esc(relation.relation)}</td>'
        f'<td class="name">{esc(names.get(relation.tail, relation.tail))}</td>'
        f'<td>{esc(", ".join(str(e) for e in relation.evidence))}</td></tr>' for relation in gold.relations)
    body = ('<p><a href="index.html">← the board</a></p><h1>The annotated article</h1>'
            f"<p>{len(gold.mentions)} mentions (underlined blue) and {len(gold.inner_mentions)} inner mentions "
            "(orange) in both layers; hover a mention for its label and entity, click a relation to highlight "
            "its evidence sentences.</p>\n" + "\n".join(sentences)
            + '\n<h2>Relations</h2>\n<table class="relations"><thead><tr><th class="name">id</th><th class="name">head</th>'
            '<th class="name">relation</th><th class="name">tail</th><th>evidence</th></tr></thead>\n<tbody>\n'
            + relations + "\n</tbody></table>")
    return page("zhnerbench: the annotated article", body)


@functools.lru_cache(maxsize=64)
def _system_page(entry: str, gold: Document, predictions_text: str) -> str:
    """:func:`system_page` of a system's board entry (as JSON), once per process: every build and
    leaderboard run renders every page, and most are unchanged."""
    return system_page(json.loads(entry), gold, predictions_text)


def site_files(board: Mapping[str, Any], gold: Document, predictions: Mapping[str, str]) -> dict[str, bytes]:
    """Every file of the site, by path relative to the results directory; ``predictions`` maps a
    system's name to its prediction file's text."""
    files = {f"{SITE_DIR}/index.html": index_page(board), f"{SITE_DIR}/article.html": article_page(gold),
             f"{SITE_DIR}/site.css": CSS, f"{SITE_DIR}/site.js": JS}
    for system in board["systems"]:
        if system["status"] == "ran" and system["name"] in predictions:
            entry = json.dumps(system, ensure_ascii=False, sort_keys=True)
            files[f"{SITE_DIR}/systems/{system['name']}.html"] = _system_page(entry, gold, predictions[system["name"]])
    return {path: text.encode("utf-8") for path, text in sorted(files.items())}


def board_site(board: Mapping[str, Any], gold: Document, results: Path,
               pending: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """:func:`site_files` of a board whose prediction files are in ``results`` (or, for a run
    about to write them, in ``pending``, by path relative to ``results``)."""
    from zhnerbench.board.records import predictions_name

    texts = {}
    for system in board["systems"]:
        if system["status"] != "ran":
            continue
        path = predictions_name(system["name"])
        if pending is not None and path in pending:
            texts[system["name"]] = pending[path]
        else:
            try:
                texts[system["name"]] = read_input_bytes(results / path).decode("utf-8")
            except (InputError, UnicodeDecodeError):
                continue  # reported by the record checks; the page is left out
    return site_files(board, gold, texts)
