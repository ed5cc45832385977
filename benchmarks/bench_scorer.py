"""The scorer against its reference, and at scale (run by hand, not a test).

    python benchmarks/bench_scorer.py [--pairs 7] [--copies 1000]

1. **The article.** A perturbed copy of the gold (missed, relabelled, shifted and spurious
   mentions) is written as a prediction file. In alternating pairs, the benchmark times a
   fresh ``zhnerbench evaluate FILE --json OUT`` process (every default view, 1,000-sample
   bootstrap, error analysis, partial-match schemes) and a fresh bare seqeval process that
   reads the same spans as IOB2 tag sequences of the ``full`` view (one per document, as
   evaluate builds them) and prints ``classification_report(mode="strict", scheme=IOB2)``.
   It reports the median of each, their ratio (goal: at most 0.5), and whether the two
   processes give the same micro precision, recall and F1.
2. **At scale.** ``--copies`` copies of the article (the gold given with ``--gold`` as a
   ``documents`` JSONL corpus, each copy with its own perturbed predictions) are scored by
   one ``zhnerbench evaluate`` process; it reports wall time and peak resident memory
   (goals: at most 60 s and 1 GiB for 1,000 copies), and which scorer ran.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_evaluate import perturbed
from benchmarks.bench_memory import measure_command
from zhnerbench.gold import load_gold
from zhnerbench.formats.registry import prediction_text
from zhnerbench.paths import data_file, repository_root
from zhnerbench.tag_schemes import spans_to_tags
from zhnerbench.views import VIEWS, gold_spans, keep_by_convention, predicted_mapping

SPEED_GOAL, SCALE_SECONDS, SCALE_MIB = 0.5, 60.0, 1024.0

SEQEVAL = """
import json, sys
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
gold, predicted = json.load(open(sys.argv[1], encoding="utf-8"))
report = classification_report(gold, predicted, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
print(json.dumps({key: float(value) for key, value in report["micro avg"].items()}))
"""


def timed_process(arguments: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(arguments, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def article(folder: Path, pairs: int) -> bool:
    gold = load_gold()[0]
    spans, _ = perturbed(gold)
    predictions = folder / "article.jsonl"
    predictions.write_text(prediction_text("documents", [gold], {gold.id: spans}, {}), encoding="utf-8")
    view = VIEWS["full"]
    kept = keep_by_convention(spans, predicted_mapping(frozenset(s.label for s in spans), view), view.convention)
    tags = folder / "tags.json"
    tags.write_text(json.dumps([[spans_to_tags(gold_spans(gold, view), len(gold.text))],
                                [spans_to_tags(kept, len(gold.text))]]), encoding="utf-8")
    ours, theirs = [], []
    output = folder / "evaluation.json"
    evaluate = [sys.executable, "-m", "zhnerbench.cli", "evaluate", str(predictions), "--json", str(output)]
    reference = [sys.executable, "-c", SEQEVAL, str(tags)]
    for _ in range(pairs):
        seconds, _ = timed_process(evaluate)
        ours.append(seconds)
        seconds, printed = timed_process(reference)
        theirs.append(seconds)
    micro = json.loads(output.read_text(encoding="utf-8"))["views"]["full"]["micro"]
    report = json.loads(printed)
    same = all(abs(micro[ours_name] - report[name]) < 1e-12
               for ours_name, name in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")))
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"article ({len(gold.text)} characters, {len(spans)} predicted mentions), median of {pairs} pairs:")
    print(f"  zhnerbench evaluate (4 views, bootstrap, errors, partial): {statistics.median(ours):.3f} s")
    print(f"  bare seqeval classification_report process:               {statistics.median(theirs):.3f} s")
    print(f"  ratio {ratio:.2f} (goal <= {SPEED_GOAL}); same micro P/R/F1 in the full view: {same} "
          f"(F1 {micro['f1']:.6f} vs {report['f1-score']:.6f})")
    return ratio <= SPEED_GOAL and same


def at_scale(folder: Path, copies: int) -> bool:
    document = json.loads((repository_root() / data_file("documents")).read_text(encoding="utf-8").splitlines()[0])
    gold = load_gold()[0]
    corpus, predictions = folder / "corpus.jsonl", folder / "predictions.jsonl"
    mentions = 0
    with corpus.open("w", encoding="utf-8") as gold_file, predictions.open("w", encoding="utf-8") as prediction_file:
        for copy in range(copies):
            identifier = f"copy-{copy:05d}"
            gold_file.write(json.dumps({**document, "id": identifier}, ensure_ascii=False) + "\n")
            spans, _ = perturbed(gold, seed=copy % 20)
            mentions += len(document["mentions"])
            prediction_file.write(json.dumps({"id": identifier, "mentions": [
                {"start": s.start, "end": s.end, "label": s.label} for s in spans]}) + "\n")
    # The text report (what a user sees first): writing every error of 1,000 copies as JSON is
    # the cost of --json, not of scoring. Its view headers name the scorer.
    rss, seconds, status, printed = measure_command(["evaluate", "--gold", str(corpus), str(predictions)])
    scorers = sorted({line.split("; ", 1)[1].split("):", 1)[0] for line in printed.splitlines()
                      if line.startswith("View ")})
    print(f"{copies} copies ({copies * len(gold.text):,} characters, {mentions:,} gold mentions): "
          f"{seconds:.1f} s (goal <= {SCALE_SECONDS:.0f}), peak {rss:.0f} MiB (goal <= {SCALE_MIB:.0f}), exit {status}")
    print(f"  scorers: {'; '.join(scorers)}")
    return status == 0 and seconds <= SCALE_SECONDS and rss <= SCALE_MIB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--copies", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        fast = article(Path(directory), args.pairs)
        scales = at_scale(Path(directory), args.copies) if args.copies else True
    print(f"speed goal {'met' if fast else 'NOT met'}; scale goal {'met' if scales else 'NOT met'}")
    return 0 if fast and scales else 1


if __name__ == "__main__":
    sys.exit(main())
