"""The static web board, ``results/site/``: plain HTML, CSS and a little JavaScript, nothing
loaded from the network, readable from ``file://``.

* ``index.html``: every table of the README's board, in its order and with its cells (the
  column specs of :mod:`zhnerbench.board.tables`), sortable by any column, with interval bars
  on the F1 intervals and links from the names to the system pages;
* ``systems/NAME.html``: a system's errors in its first view, by kind and filterable by label,
  each in its sentence with the gold and the predicted spans side by side;
* ``article.html``: the gold article with both layers of mentions, the clusters (hover) and the
  relations (click one to highlight its evidence sentences).

Every page is a pure function of the board, the gold and the prediction files, so a rerun
writes the same bytes. Whatever a user, a plugin or a model handed in is escaped. The style sheet
and the script are ordinary files of the package (``zhnerbench/board/assets/``), copied as they are.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import json
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from zhnerbench.board.assemble import Board, SystemEntry
from zhnerbench.board.records import predictions_name
from zhnerbench.board.tables import Cell, Head, Section, Table, board_sections, introduction, percent
from zhnerbench.document import Document, Mention, Span
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
from zhnerbench.formats.documents import parse_documents
from zhnerbench.offsets import sentence_at
from zhnerbench.printable import printable
from zhnerbench.reading import InputError, read_input_bytes
from zhnerbench.views import VIEWS

SITE_DIR = "site"
#: Error kinds in the order a page lists them.
ERROR_KINDS = (SPURIOUS, MISSED, WRONG_TYPE, WRONG_BOUNDARY, WRONG_BOTH)

#: The site's style sheet and script: ordinary files of the package, copied into the site.
ASSETS = ("site.css", "site.js")


def esc(value: object) -> str:
    """Text as HTML, quotes included (it may sit in an attribute), control and bidirectional
    characters shown as escapes.

    >>> esc('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return html.escape(printable(str(value), lines=True), quote=True)


def page(title: str, body: str, depth: int = 0) -> str:
    """A whole page; ``depth`` is how far below ``site/`` it is (for the shared CSS and script)."""
    up = "../" * depth
    return (f'<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n<title>{esc(title)}</title>\n'
            f'<link rel="stylesheet" href="{up}site.css">\n<script src="{up}site.js"></script>\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")


def _plain(markdown: str) -> str:
    """A Markdown sentence of the board as plain text (its code spans unquoted)."""
    return markdown.replace("`", "")


def interval_bar(interval: tuple[float, float, float]) -> str:
    """An F1 as a tick on a bar that spans its interval (both in percent of the bar's width)."""
    f1, low, high = interval
    return (f'<span class="bar" title="95% CI {percent(low)}–{percent(high)}"><span style="left:{100 * low:.1f}%;'
            f'width:{100 * (high - low):.1f}%"></span><b style="left:{100 * f1:.1f}%"></b></span>')


def inline_html(markdown: str) -> str:
    """The project's own Markdown phrases (titles, notes: code spans and text) as HTML, escaped.

    >>> inline_html("view `coarse` <b>")
    'view <code>coarse</code> &lt;b&gt;'
    """
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", esc(markdown))


def cell_html(head: Head, cell: Cell, linked: bool) -> str:
    """One cell: its text (bold for the score of record, code for a command), its link and interval
    bar, and the value the table sorts it by."""
    text = esc(cell.text)
    if head.strong:
        text = f"<b>{text}</b>"
    if head.code:
        text = f"<code>{text}</code>"
    if cell.link is not None and linked:
        text = f'<a href="{esc(cell.link)}">{text}</a>'
    if cell.interval is not None:
        text += interval_bar(cell.interval)
    sort = "" if cell.sort is None else cell.sort
    return f'<td class="{head.align}" data-value="{esc(sort)}">{text}</td>'


def table_html(section: Section, table: Table, pages: Collection[str]) -> str:
    """A section's table, sortable by any column; a cell links where its target page exists."""
    heads = "".join(f'<th class="{head.align}" data-type="{"number" if head.numeric else "text"}">{esc(head.header)}</th>'
                    for head in table.heads)
    rows = "\n".join(f'<tr data-key="{esc(key)}">'
                     + "".join(cell_html(head, cell, cell.link in pages) for head, cell in zip(table.heads, cells, strict=True))
                     + "</tr>" for key, cells in table.rows)
    return (f'<table class="sortable" data-section="{esc(section.name)}">\n<thead><tr>{heads}</tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody>\n</table>")


def section_html(section: Section, pages: Collection[str]) -> str:
    """One section of the board, as the README shows it: its title, note, table, list or sentence."""
    parts = [f'<section id="{esc(section.name)}">\n<h2>{inline_html(section.title)}</h2>']
    if section.note:
        parts.append(f'<p class="note">{inline_html(section.note)}</p>')
    if section.table is not None:
        parts.append(table_html(section, section.table, pages))
    if section.items:
        parts.append(f'<ul class="items">{"".join(f"<li><b>{esc(item.lead)}</b>: {esc(item.text)}</li>" for item in section.items)}</ul>')
    if section.sentence:
        parts.append(f"<p>{esc(section.sentence)}</p>")
    return "\n".join(parts) + "\n</section>"


def index_page(board: Board, pages: Collection[str] = ()) -> str:
    """The board: every table of the README's board, in its order, sortable; ``pages`` are the
    system pages that exist (the names' links)."""
    parts = ["<h1>zhnerbench leaderboard</h1>",
             f'<p class="note">{inline_html(introduction(board))} Click a column to sort it.</p>',
             '<p><a href="article.html">The annotated article</a> (both layers, clusters, relations)</p>',
             *(section_html(section, pages) for section in board_sections(board))]
    return page("zhnerbench leaderboard", "\n".join(parts))


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


def system_page(system: SystemEntry, gold: Document, predictions_text: str) -> str:
    """A system's errors in its first view, by kind, filterable by label."""
    view_name = "coarse" if "coarse" in system["scores"] else next(iter(system["scores"]))
    view = VIEWS[view_name]
    predictions = parse_documents(predictions_text, f"{system['name']}.jsonl", [gold])
    result = evaluate_view([gold], predictions, view)
    records = error_records(result.analysis)
    by_kind = {kind: [r for r in records if r.kind == kind] for kind in ERROR_KINDS}
    options = "".join(f'<option value="{esc(label)}">{esc(label)}</option>' for label in view.labels)
    parts = [f'<p><a href="../index.html">← the board</a></p><h1>{esc(system["name"])} {esc(system.get("version", ""))}</h1>',
             f"<p>Errors in the <code>{esc(view_name)}</code> view (F1 {percent(system['scores'][view_name]['micro']['f1'])}): "
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


def asset(name: str) -> str:
    """One of the site's :data:`ASSETS`, as the package ships it."""
    return importlib.resources.files("zhnerbench.board").joinpath("assets", name).read_text(encoding="utf-8")


def site_files(board: Board, gold: Document, predictions: Mapping[str, str]) -> dict[str, bytes]:
    """Every file of the site, by path relative to the results directory; ``predictions`` maps a
    system's name to its prediction file's text."""
    pages = {}
    for system in board["systems"]:
        if system["status"] == "ran" and system["name"] in predictions:
            entry = json.dumps(system, ensure_ascii=False, sort_keys=True)
            pages[f"systems/{system['name']}.html"] = _system_page(entry, gold, predictions[system["name"]])
    files = {f"{SITE_DIR}/index.html": index_page(board, pages), f"{SITE_DIR}/article.html": article_page(gold),
             **{f"{SITE_DIR}/{name}": asset(name) for name in ASSETS},
             **{f"{SITE_DIR}/{path}": text for path, text in pages.items()}}
    return {path: text.encode("utf-8") for path, text in sorted(files.items())}


def board_site(board: Board, gold: Document, results: Path,
               pending: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """:func:`site_files` of a board whose prediction files are in ``results`` (or, for a run
    about to write them, in ``pending``, by path relative to ``results``)."""
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
