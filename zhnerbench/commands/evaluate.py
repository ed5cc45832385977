"""The ``zhnerbench evaluate`` subcommand.

Usage::

    zhnerbench evaluate PRED [--gold PATH] [--view NAME ...] [--view-file FILE ...]
                             [--format {auto,documents,conll,sentences}] [--scheme {IOB2,IOBES,BMES}] [--lenient]
                             [--json OUT] [--html OUT] [--compare PRED_B] [--samples N] [--seed S] [--max-errors N]

It scores PRED (a file, or ``-`` for standard input) against the benchmark's gold
(``$ZHNERBENCH_ROOT``, the checkout, or the copy inside the installed package) or
against ``--gold PATH`` (any corpus, see :mod:`zhnerbench.gold.loading`), prints the
report, and writes the JSON and HTML outputs when asked. It writes nothing else,
and refuses output paths that are inputs, special files, symbolic links, files git
tracks, or inside the checkout's ``annotations/``, ``data/``, ``corpus/`` or
``seeds/``. Every user error is a :class:`ZhNerBenchError`, which the CLI prints as
one line with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zhnerbench.commands.argtypes import non_negative_int, samples_argument
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.printable import printable
from zhnerbench.eval.bootstrap import DEFAULT_SAMPLES, DEFAULT_SEED
from zhnerbench.formats.registry import format_names
from zhnerbench.writing import check_output, write_atomically
from zhnerbench.board.hub import add_hub_options, check_eval_results_target
from zhnerbench.document import Document
from zhnerbench.schema import ENTITY_LABELS
from zhnerbench.tag_schemes import SCHEMES
from zhnerbench.views import VIEWS, View, corpus_labels, default_views, read_view_file


def add_evaluate_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add the ``evaluate`` subcommand to ``subparsers`` (from ``add_subparsers``), ``func=run_evaluate``.

    >>> parser = argparse.ArgumentParser(prog="zhnerbench")
    >>> _ = add_evaluate_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["evaluate", "p.jsonl", "--view", "coarse"])
    >>> args.view, args.format, args.samples, args.func.__name__
    (['coarse'], 'auto', 1000, 'run_evaluate')
    """
    parser = subparsers.add_parser(
        "evaluate",
        help="score a prediction file against the gold (NER in label views, relations)",
        description=(
            "Score predictions against the gold: NER in views (seqeval strict IOB2 in the flat and outermost "
            "views, exact span matching in the nested view), with bootstrap confidence intervals, "
            "partial-match scores and an error analysis; relations (when the file has them) in strict and "
            "text modes."
        ),
    )
    parser.add_argument("predictions", metavar="PRED",
                        help="the prediction file, or - for standard input; or a file of an lm-evaluation-harness run of "
                             "the zhnerbench tasks (--log_samples), whose answers are read as the tasks read them")
    parser.add_argument(
        "--gold", metavar="PATH", type=Path,
        help="score against this gold instead of the benchmark's: a JSONL file in the documents format or a "
             "dataset directory load_dataset reads, any number of documents",
    )
    parser.add_argument(
        "--view", action="append", metavar="NAME",
        help=f"a view to score in ({', '.join(VIEWS)}, or the name of a --view-file); repeat for several "
             "(default: every view the file can be scored in)",
    )
    parser.add_argument(
        "--view-file", action="append", metavar="FILE", type=Path,
        help="a JSON view file (labels mapping and convention); the file is scored in it (repeatable)",
    )
    parser.add_argument(
        "--format", choices=("auto",) + format_names(), default="auto",
        help="documents: JSONL per document with offsets; conll: character and tag per line; "
             "sentences: JSONL per sentence with id and tags (default: detected)",
    )
    parser.add_argument("--scheme", choices=tuple(SCHEMES), default="IOB2", help="tag scheme of conll/sentences files (default IOB2)")
    parser.add_argument(
        "--lenient", action="store_true",
        help="read invalid tag sequences as conlleval reads IOB2 (an I- that starts an entity) instead of rejecting the file",
    )
    parser.add_argument("--json", metavar="OUT", type=Path, help="write the full results (all errors) as JSON")
    parser.add_argument("--html", metavar="OUT", type=Path, help="write a page with gold and predictions side by side (needs spaCy)")
    parser.add_argument("--compare", metavar="PRED_B", help="paired bootstrap test: is PRED better than PRED_B?")
    parser.add_argument("--samples", type=samples_argument, default=DEFAULT_SAMPLES, help="bootstrap samples (default 1000)")
    parser.add_argument("--seed", type=non_negative_int, default=DEFAULT_SEED, help="bootstrap seed (default 0)")
    parser.add_argument("--max-errors", type=non_negative_int, default=10, help="errors listed per view in the printed report")
    add_hub_options(parser)
    parser.set_defaults(func=run_evaluate)
    return parser


def requested_views(names: list[str] | None, files: list[Path] | None,
                    gold: Sequence[Document] | None = None) -> list[View] | None:
    """The views asked for on the command line: ``--view`` names (a view of the gold, see
    :func:`~zhnerbench.views.default_views`, or a view file's name), else the ``--view-file``
    views, else ``None`` (every view the file can be scored in).

    >>> [view.name for view in requested_views(["coarse", "nested"], None)]
    ['coarse', 'nested']
    >>> requested_views(None, None) is None
    True
    """
    labels = corpus_labels(gold) if gold is not None else ENTITY_LABELS
    from_files = [read_view_file(path, labels) for path in files or ()]
    builtin = default_views(gold) if gold is not None else VIEWS
    for path, view in zip(files or (), from_files, strict=True):
        if view.name in builtin or view.name == "all":
            raise ZhNerBenchError(f"{path}: the view name {view.name!r} is a built-in view's; give yours a name of its own")
    available = {**builtin, **{view.name: view for view in from_files}}
    if names is None:
        return from_files or None
    unknown = [name for name in names if name not in available and name != "all"]
    if unknown:
        raise ZhNerBenchError(f"unknown view(s) {', '.join(unknown)} (views: {', '.join(available)})")
    if "all" in names:
        return None
    return [available[name] for name in dict.fromkeys(names)]


def _write(path: Path, text: str) -> None:
    # A mistyped directory is an error, not a reason to create one.
    write_atomically(path, text.encode("utf-8"), make_parents=False)


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``zhnerbench evaluate`` with parsed arguments (prints the report); returns the exit status."""
    from zhnerbench.gold import load_gold
    from zhnerbench.eval.bootstrap import Resampling
    from zhnerbench.eval.counterfactual import counterfactual_json, counterfactual_report, counterfactual_scores
    from zhnerbench.eval.evaluation import compare_evaluations, evaluate
    from zhnerbench.eval.score_json import evaluation_to_json
    from zhnerbench.gold.counterfactual import article_copies
    from zhnerbench.formats.registry import read_predictions
    from zhnerbench.harness.lm_eval_samples import is_lm_eval_run, read_lm_eval_run, run_predictions
    from zhnerbench.eval.report import format_report
    from zhnerbench.paths import gold_root
    from zhnerbench.views import prediction_labels

    root = gold_root()
    inputs = [Path(p) for p in (args.predictions, args.compare) if p is not None and p != "-"]
    inputs += [args.gold] if args.gold is not None else []
    outputs = [path for path in (args.json, args.html) if path is not None]
    for path in outputs:
        check_output(path, root, inputs)
    if args.json is not None and args.html is not None and args.json.resolve() == args.html.resolve():
        raise ZhNerBenchError("--json and --html must be different files")
    if args.predictions == "-" and args.compare == "-":
        raise ZhNerBenchError("only one of PRED and --compare can be standard input")
    if args.eval_results is not None and args.gold is not None:
        raise ZhNerBenchError("--eval-results publishes scores on this benchmark's article; not with --gold")
    check_eval_results_target(args, root)
    if args.html is not None:
        from zhnerbench.eval.html_page import require_displacy

        require_displacy()  # fail before scoring, not after

    gold = load_gold(args.gold)
    # The article's counterfactual copies: a file of the documents format may cover them too.
    copies = article_copies(root) if args.gold is None else ()
    views = requested_views(args.view, args.view_file, gold)
    labels = prediction_labels(gold, views or ())
    file_format = None if args.format == "auto" else args.format

    def scored(path: str) -> Any:
        if file_format is None and is_lm_eval_run(path):
            # A run of the lm-evaluation-harness tasks: its answers read as the tasks read them.
            if args.gold is not None:
                raise ZhNerBenchError(f"{path}: an lm-eval run of the zhnerbench tasks is scored against the "
                                      "benchmark's article; not with --gold")
            predictions = run_predictions(read_lm_eval_run(path, gold[0], copies))
        else:
            predictions = read_predictions(path, gold, file_format, args.lenient, args.scheme, labels=labels,
                                           optional=copies)
        return evaluate(gold, predictions, views, args.samples, args.seed)

    evaluation = scored(args.predictions)
    counterfactual = counterfactual_scores(evaluation, copies, Resampling(args.samples, args.seed))
    comparisons = None
    if args.compare is not None:
        other = scored(args.compare)
        comparisons = compare_evaluations(evaluation, other, args.samples, args.seed)
        if not comparisons:
            raise ZhNerBenchError(f"{args.predictions} and {args.compare} share no view to compare in")
    compared = str(args.compare) if args.compare is not None else None
    print(printable(format_report(evaluation, args.max_errors, comparisons, compared)
                    + counterfactual_report(counterfactual), lines=True), end="")
    page = None
    if args.html is not None:
        from zhnerbench.eval.html_page import render_html

        page = render_html(evaluation)
    if args.json is not None:
        data = evaluation_to_json(evaluation, comparisons, compared)
        if counterfactual:
            data["counterfactual"] = {view: counterfactual_json(score) for view, score in counterfactual.items()}
        _write(args.json, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if page is not None:
        _write(args.html, page)
    if args.eval_results is not None:
        from zhnerbench.version import __version__
        from zhnerbench.board.hub import TaskResult, write_eval_results
        from zhnerbench.eval.score_json import view_scores_json
        from zhnerbench.gold.fingerprint import gold_fingerprint

        results = [TaskResult.of_view(name, view_scores_json(result, with_sentence_counts=False))
                   for name, result in evaluation.views.items()]
        written = write_eval_results(args.eval_results, results, args, root, __version__, gold_fingerprint(gold[0]))
        print(f"wrote {written}", file=sys.stderr)
    return 0
