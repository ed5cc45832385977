"""The ``zhnerbench evaluate`` subcommand.

Usage::

    zhnerbench evaluate PRED [--view {all,full,ontonotes,coarse}] [--format {auto,documents,conll,sentences}]
                             [--scheme {IOB2,IOBES,BMES}] [--lenient] [--json OUT] [--html OUT]
                             [--compare PRED_B] [--samples N] [--seed S] [--max-errors N]

It scores PRED against the gold of the checkout (``$ZHNERBENCH_ROOT`` or the
one the package lives in), prints the report, and writes the JSON and HTML
outputs when asked. It writes nothing else, and refuses output paths inside
the checkout's ``annotations/``, ``data/``, ``corpus/`` or ``seeds/`` (or the
prediction files themselves). Every user error is a :class:`ZhNerBenchError`,
which the CLI prints as one line with exit status 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from zhnerbench.errors import ZhNerBenchError
from zhnerbench.eval.bootstrap import DEFAULT_SAMPLES, DEFAULT_SEED
from zhnerbench.eval.evaluation import compare_evaluations, evaluate, evaluation_to_json, select_views
from zhnerbench.eval.readers import FORMATS, read_predictions
from zhnerbench.eval.report import format_report
from zhnerbench.eval.tags import SCHEMES
from zhnerbench.eval.views import VIEWS
from zhnerbench.files import write_atomically
from zhnerbench.paths import check_output_path

#: The resampling weights take 8 bytes per sample and sentence (51 MB for the article at this bound).
MAX_SAMPLES = 100_000


def _integer(value: str, low: int, high: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        bounds = f"between {low} and {high:,}" if high is not None else f">= {low}"
        raise argparse.ArgumentTypeError(f"expected an integer {bounds}, found {value!r}")
    return number


def samples_argument(value: str) -> int:
    """argparse type of a bootstrap sample count: an integer from 1 to MAX_SAMPLES."""
    return _integer(value, 1, MAX_SAMPLES)


def non_negative_int(value: str) -> int:
    """argparse type of a non-negative integer (seeds, counts)."""
    return _integer(value, 0)


def add_evaluate_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``evaluate`` subcommand to ``subparsers`` (from ``add_subparsers``), ``func=run_evaluate``.

    >>> parser = argparse.ArgumentParser(prog="zhnerbench")
    >>> _ = add_evaluate_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["evaluate", "p.jsonl", "--view", "coarse"])
    >>> args.view, args.format, args.samples, args.func.__name__
    ('coarse', 'auto', 1000, 'run_evaluate')
    """
    parser = subparsers.add_parser(
        "evaluate",
        help="score a prediction file against the gold (NER in label views, relations)",
        description=(
            "Score predictions against the gold: NER with seqeval (strict IOB2, exact match) in label views, "
            "with bootstrap confidence intervals and an error analysis; relations (when the file has them) in "
            "strict and text modes."
        ),
    )
    parser.add_argument("predictions", metavar="PRED", type=Path, help="the prediction file")
    parser.add_argument(
        "--view", choices=("all",) + tuple(VIEWS), default="all",
        help="label view to score in (default: every view the file's labels can be scored in)",
    )
    parser.add_argument(
        "--format", choices=("auto",) + FORMATS, default="auto",
        help="documents: JSONL per document with offsets; conll: character and tag per line; "
             "sentences: JSONL per sentence with id and tags (default: detected)",
    )
    parser.add_argument("--scheme", choices=SCHEMES, default="IOB2", help="tag scheme of conll/sentences files (default IOB2)")
    parser.add_argument(
        "--lenient", action="store_true",
        help="read invalid IOB2 (I-X not continuing an X entity) as conlleval does instead of rejecting the file",
    )
    parser.add_argument("--json", metavar="OUT", type=Path, help="write the full results (all errors) as JSON")
    parser.add_argument("--html", metavar="OUT", type=Path, help="write a page with gold and predictions side by side (needs spaCy)")
    parser.add_argument("--compare", metavar="PRED_B", type=Path, help="paired bootstrap test: is PRED better than PRED_B?")
    parser.add_argument("--samples", type=samples_argument, default=DEFAULT_SAMPLES, help="bootstrap samples (default 1000)")
    parser.add_argument("--seed", type=non_negative_int, default=DEFAULT_SEED, help="bootstrap seed (default 0)")
    parser.add_argument("--max-errors", type=non_negative_int, default=10, help="errors listed per view in the printed report")
    parser.set_defaults(func=run_evaluate)
    return parser


def _write(path: Path, text: str) -> None:
    # A mistyped directory is an error, not a reason to create one.
    write_atomically(path, text.encode("utf-8"), make_parents=False)


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``zhnerbench evaluate`` with parsed arguments (prints the report); returns the exit status.

    >>> parser = argparse.ArgumentParser(prog="zhnerbench")
    >>> _ = add_evaluate_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["evaluate", "predictions.jsonl", "--json", "out.json"])
    >>> run_evaluate(args)  # doctest: +SKIP
    0
    """
    from zhnerbench.annotations.gold import load_gold
    from zhnerbench.paths import repository_root

    root = repository_root()
    inputs = [args.predictions] + ([args.compare] if args.compare else [])
    outputs = [path for path in (args.json, args.html) if path is not None]
    for path in outputs:
        check_output_path(path, root, inputs)
    if args.json is not None and args.html is not None and args.json.resolve() == args.html.resolve():
        raise ZhNerBenchError("--json and --html must be different files")
    if args.lenient and args.scheme != "IOB2":
        raise ZhNerBenchError("--lenient applies to IOB2 only (it is conlleval's reading of invalid IOB2)")
    if args.html is not None:
        from zhnerbench.eval.html_page import require_displacy

        require_displacy()  # fail before scoring, not after

    gold = (load_gold(root),)
    file_format = None if args.format == "auto" else args.format
    requested = None if args.view == "all" else args.view

    def scored(path: Path) -> Any:
        predictions = read_predictions(path, gold, file_format, args.lenient, args.scheme)
        return evaluate(gold, predictions, select_views(predictions, requested), args.samples, args.seed)

    evaluation = scored(args.predictions)
    comparisons = None
    if args.compare is not None:
        other = scored(args.compare)
        comparisons = compare_evaluations(evaluation, other, args.samples, args.seed)
        if not comparisons:
            raise ZhNerBenchError(f"{args.predictions} and {args.compare} share no view to compare in")
    compared = str(args.compare) if args.compare is not None else None
    print(format_report(evaluation, args.max_errors, comparisons, compared), end="")
    page = None
    if args.html is not None:
        from zhnerbench.eval.html_page import render_html

        page = render_html(evaluation)
    if args.json is not None:
        data = evaluation_to_json(evaluation, comparisons, compared)
        _write(args.json, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if page is not None:
        _write(args.html, page)
    return 0
