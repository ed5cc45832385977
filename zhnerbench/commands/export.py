"""``zhnerbench export``: the gold in the formats other tools read.

| format    | OUT       | what                                                        |
|-----------|-----------|-------------------------------------------------------------|
| brat      | directory | article.txt, article.ann, annotation.conf (full schema)     |
| conll     | file      | character<TAB>tag, blank line between sentences (--scheme)  |
| spacy     | file      | DocBin (.spacy), one Doc per sentence or document (--unit)   |
| cluener   | file      | CLUENER2020-style JSONL, one sentence per line               |
| jsonl     | file      | the ``documents`` prediction format ``evaluate`` reads        |
| docred    | file      | DocRED's JSON (sentences as characters, vertexSet, labels)   |

Every file is rendered in memory first and written atomically (brat's three in one
transaction); a brat folder that is not empty needs ``--force``. Nothing is written
over a file git tracks, under ``.git``, ``annotations/``, ``data/``, ``corpus/`` or ``seeds/``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal, cast, get_args

from zhnerbench.exceptions import SpanError, ZhNerBenchError
from zhnerbench.formats import brat
from zhnerbench.formats.spacy_docbin import UNITS
from zhnerbench.document import Document
from zhnerbench.writing import check_output
from zhnerbench.paths import gold_root
from zhnerbench.tag_schemes import SCHEMES
from zhnerbench.views import VIEWS, View, gold_spans, read_view_file, resolve_view

#: What ``export`` writes: the whole gold for brat, or one view's spans in the others.
ExportFormat = Literal["brat", "conll", "spacy", "cluener", "jsonl", "docred"]
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
#: What a brat export writes into its folder.
BRAT_FILES = (brat.TEXT_NAME, brat.ANN_NAME, brat.CONF_NAME)


def _brat(document: Document, view: View, scheme: str, unit: str, out: Path) -> dict[Path, bytes]:
    if view.name != "full":
        raise ZhNerBenchError("brat exports the whole gold (both layers, clusters and relations); drop --view")
    return {
        out / brat.TEXT_NAME: document.text.encode("utf-8"),
        out / brat.ANN_NAME: brat.document_to_ann(document).encode("utf-8"),
        out / brat.CONF_NAME: brat.annotation_conf().encode("utf-8"),
    }


def _conll(document: Document, view: View, scheme: str, unit: str, out: Path) -> dict[Path, bytes]:
    from zhnerbench.formats.conll import conll_text

    try:
        return {out: conll_text([document], {document.id: gold_spans(document, view)}, SCHEMES[scheme]).encode("utf-8")}
    except SpanError as error:
        raise ZhNerBenchError(f"conll cannot hold the view {view.name!r}: {error}; "
                              "use --format jsonl, cluener or spacy for overlapping spans") from None


def _jsonl(document: Document, view: View, scheme: str, unit: str, out: Path) -> dict[Path, bytes]:
    from zhnerbench.formats.documents import documents_jsonl

    return {out: documents_jsonl([document], {document.id: gold_spans(document, view)}).encode("utf-8")}


def _cluener(document: Document, view: View, scheme: str, unit: str, out: Path) -> dict[Path, bytes]:
    from zhnerbench.formats import cluener

    return {out: cluener.document_to_cluener(document, list(gold_spans(document, view))).encode("utf-8")}


def _spacy(document: Document, view: View, scheme: str, unit: str, out: Path) -> dict[Path, bytes]:
    from zhnerbench.formats.spacy_docbin import spans_to_docbin

    return {out: spans_to_docbin(document, list(gold_spans(document, view)), unit).to_bytes()}


def _docred(document: Document, view: View, scheme: str, unit: str, out: Path) -> dict[Path, bytes]:
    from zhnerbench.formats.docred import docred_json

    if view.name != "full":
        raise ZhNerBenchError("docred exports the whole gold (every mention of both layers, entities, relations); "
                              "drop --view")
    return {out: docred_json([document]).encode("utf-8")}


Exporter = Callable[[Document, View, str, str, Path], dict[Path, bytes]]
#: Each format's exporter: (document, view, tag scheme, spaCy unit, output path) -> files.
EXPORTERS: Mapping[ExportFormat, Exporter] = {
    "brat": _brat, "conll": _conll, "spacy": _spacy, "cluener": _cluener, "jsonl": _jsonl, "docred": _docred,
}


def export_files(document: Document, format: str, view: View, scheme: str, unit: str, out: Path) -> dict[Path, bytes]:
    """The files an export writes, keyed by path (rendered, not yet written)."""
    if format not in EXPORTERS:
        raise ZhNerBenchError(f"unknown format {format!r} (formats: {', '.join(FORMATS)})")
    return EXPORTERS[cast(ExportFormat, format)](document, view, scheme, unit, out)


def run_export(args: argparse.Namespace) -> int:
    from zhnerbench.gold.annotation_files import load_article_gold
    from zhnerbench.writing import JOURNAL_NAME, recover, write_all, write_atomically

    root = gold_root()
    brat_folder = args.format == "brat"
    check_output(args.out, root, command="export", directory=brat_folder)
    if brat_folder:
        recover(args.out / JOURNAL_NAME)  # an export killed while it wrote: finish or undo it first
        if args.out.is_dir() and any(args.out.iterdir()) and not args.force:
            raise ZhNerBenchError(f"{args.out}: the folder is not empty; brat would replace its "
                                  f"{', '.join(BRAT_FILES)}: give --force, or a new or empty folder")
    view = read_view_file(args.view_file) if args.view_file is not None else resolve_view(args.view)
    files = export_files(load_article_gold(root), args.format, view, args.scheme, args.unit, args.out)
    if brat_folder:
        write_all(dict(files), args.out / JOURNAL_NAME)  # the three files whole, or none of them
    else:
        (path, content), = files.items()
        write_atomically(path, content, make_parents=False)
    print("\n".join(f"wrote {path}" for path in files))
    return 0


def add_export_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the gold as brat, CoNLL, spaCy DocBin, CLUENER or evaluate's JSONL",
        description=__doc__.split("\n\n")[0] + " Formats: " + ", ".join(FORMATS) + ".",
    )
    parser.add_argument("out", type=Path, metavar="OUT", help="output file (a directory for brat)")
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--view", default="full", help=f"label view: {', '.join(VIEWS)} (default: full)")
    parser.add_argument("--view-file", type=Path, metavar="FILE", help="a JSON view file instead of a built-in view")
    parser.add_argument("--scheme", default="IOB2", choices=tuple(SCHEMES),
                        help="tag scheme for conll (default: IOB2)")
    parser.add_argument("--unit", default="sentence", choices=UNITS, help="one spaCy Doc per sentence or document")
    parser.add_argument("--force", action="store_true", help="brat: write into a folder that is not empty")
    parser.set_defaults(func=run_export)
