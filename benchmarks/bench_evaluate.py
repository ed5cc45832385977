"""Time ``zhnerbench evaluate`` on the article with a 1,000-sample bootstrap (run by hand, not a test).

    python benchmarks/bench_evaluate.py [--samples 1000] [--repeats 5]

It writes a perturbed copy of the gold (missed, relabelled, shifted and
spurious mentions; a few wrong relations) in the three prediction formats to a
temporary directory, then times, per format:

* ``score``: reading and checking the file, scoring every view with seqeval,
  the bootstrap intervals, the error analysis, relations, the text report and
  the JSON document: everything ``evaluate`` does after start-up and imports;
* ``command``: the whole ``run_evaluate`` (gold loading and validation too,
  output to /dev/null);
* ``html``: rendering the ``--html`` page (spaCy already imported).

Imports are timed once, separately. The target is ``score`` < 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TARGET_SECONDS = 2.0

started = time.perf_counter()
import seqeval.metrics  # noqa: E402,F401  (sklearn comes with it: most of the import time)

from zhnerbench.gold.annotation_files import load_article_gold  # noqa: E402
from zhnerbench.gold.article import render_corpus_files  # noqa: E402
from zhnerbench.commands.evaluate import add_evaluate_parser  # noqa: E402
from zhnerbench.eval.evaluation import evaluate, select_views
from zhnerbench.eval.score_json import evaluation_to_json
from zhnerbench.formats.registry import read_predictions  # noqa: E402
from zhnerbench.eval.report import format_report  # noqa: E402
from zhnerbench.formats.prediction_files import gold_relations_as_predictions  # noqa: E402
from zhnerbench.formats.registry import prediction_text  # noqa: E402
from zhnerbench.document import Document, PredictedRelation, Span  # noqa: E402
from zhnerbench.paths import SEED_NAME, repository_root  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - started


def checkout(scratch: Path) -> Path:
    """The checkout, or a scratch copy with the corpus files built from the seed if they are not built yet."""
    root = repository_root()
    if (root / "corpus" / "article.txt").is_file():
        return root
    shutil.copytree(root / "seeds", scratch / "seeds")
    shutil.copytree(root / "annotations", scratch / "annotations", ignore=shutil.ignore_patterns("__pycache__"))
    for relative, data in render_corpus_files((root / "seeds" / SEED_NAME).read_bytes()).items():
        (scratch / relative).parent.mkdir(parents=True, exist_ok=True)
        (scratch / relative).write_bytes(data)
    return scratch


def perturbed(gold: Document, seed: int = 0) -> tuple[list[Span], list[PredictedRelation]]:
    """A plausible system output: about 10% missed, 5% relabelled, 5% shifted, some spurious mentions."""
    rng = random.Random(seed)
    labels = sorted({m.label for m in gold.mentions})
    spans = []
    for span in gold.spans:
        roll = rng.random()
        if roll < 0.10:
            continue
        if roll < 0.15:
            span = span._replace(label=rng.choice(labels))
        elif roll < 0.20 and span.end - span.start > 1:
            span = span._replace(end=span.end - 1)
        spans.append(span)
    taken = {offset for span in spans for offset in range(span.start, span.end)}
    for sentence in rng.sample(gold.sentences, 8):
        start = sentence.start + 1
        if sentence.end - sentence.start > 3 and not taken & {start, start + 1}:
            spans.append(Span(start, start + 2, rng.choice(labels)))
    relations = [r for r in gold_relations_as_predictions(gold) if rng.random() > 0.15]
    relations += [PredictedRelation(r.tail, r.relation, r.head, None) for r in relations[:5]]
    return sorted(spans), relations


def timed(function: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--samples", type=int, default=1000)
    options.add_argument("--repeats", type=int, default=5)
    args = options.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        root = checkout(scratch / "checkout")
        os.environ["ZHNERBENCH_ROOT"] = str(root)
        gold = load_article_gold(root)
        spans, relations = perturbed(gold)
        files = {}
        for file_format in ("documents", "conll", "sentences"):
            path = scratch / f"predictions.{file_format}"
            path.write_text(prediction_text(file_format, [gold], {gold.id: spans}, {gold.id: relations}), encoding="utf-8")
            files[file_format] = path

        print(f"python {sys.version.split()[0]}; gold: {len(gold.sentences)} sentences, {len(gold.mentions)} mentions, "
              f"{len(gold.relations)} relations; predictions: {len(spans)} mentions, {len(relations)} relations")
        print(f"imports (seqeval/scikit-learn/numpy + zhnerbench.eval): {IMPORT_SECONDS:.3f} s (once, not in the numbers below)")
        print(f"bootstrap: {args.samples} samples; {args.repeats} repeats; seconds as min / median / max\n")

        parser = argparse.ArgumentParser(prog="zhnerbench")
        add_evaluate_parser(parser.add_subparsers(dest="command"))
        worst = 0.0
        for file_format, path in files.items():
            def score() -> None:
                predictions = read_predictions(path, [gold])
                evaluation = evaluate([gold], predictions, select_views(predictions), args.samples)
                format_report(evaluation)
                evaluation_to_json(evaluation)

            def command() -> None:
                namespace = parser.parse_args(["evaluate", str(path), "--samples", str(args.samples)])
                with contextlib.redirect_stdout(io.StringIO()):
                    namespace.func(namespace)

            for name, function in (("score", score), ("command", command)):
                times = timed(function, args.repeats)
                if name == "score":
                    worst = max(worst, statistics.median(times))
                print(f"{file_format:<10} {name:<8} {min(times):.3f} / {statistics.median(times):.3f} / {max(times):.3f}")

        try:
            started = time.perf_counter()
            from zhnerbench.eval.html_page import render_html, require_displacy

            require_displacy()
            spacy_import = time.perf_counter() - started
            predictions = read_predictions(files["documents"], [gold])
            evaluation = evaluate([gold], predictions, select_views(predictions), args.samples)
            times = timed(lambda: render_html(evaluation), args.repeats)
            print(f"{'documents':<10} {'html':<8} {min(times):.3f} / {statistics.median(times):.3f} / {max(times):.3f}"
                  f"  (spaCy import {spacy_import:.3f} s, once)")
        except Exception as error:  # noqa: BLE001 - the html extra is optional
            print(f"html: skipped ({error})")

    verdict = "within" if worst < TARGET_SECONDS else "OVER"
    print(f"\nslowest median score time {worst:.3f} s: {verdict} the {TARGET_SECONDS:.0f} s target")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
