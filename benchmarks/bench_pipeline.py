"""Time the pipeline on the article and on a synthetic corpus N times larger (run by hand, not a test).

    python benchmarks/bench_pipeline.py [--scale 1000] [--samples 1000]

Measures ``load_dataset`` (first load into a fresh cache, then cached), ``validate``,
``build``, each export and ``evaluate`` with a bootstrap, once on the article and once
on a synthetic checkout whose article is the real one repeated ``--scale`` times
(mentions, entities and relations copied with shifted offsets and fresh ids), and
prints a table with the ratio of the two: a ratio near ``--scale`` is linear growth.

The synthetic checkout lives in a temporary directory. Its text has another SHA-256
than the one the schema records, so the benchmark swaps the recorded hash for the
synthetic one in this process only (the real gold is never touched).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Seconds one call takes, with the cyclic garbage collector off during it (as ``timeit`` does):
    with the large corpus's heap, a collection that happens to fall into a short step would
    dominate it and hide how the step itself scales."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        result = function()
        return time.perf_counter() - started, result
    finally:
        gc.enable()


def make_checkout(target: Path, scale: int) -> None:
    """A checkout whose article is the gold article repeated ``scale`` times, with the gold copied along."""
    from zhnerbench.annotations.gold import load_gold, render_mentions_tsv, render_relations_tsv
    from zhnerbench.annotations.gold import derive_entities
    from zhnerbench.corpus.store import SEED_NAME, document_from_text
    from zhnerbench.model import Document, Mention, Relation

    gold = load_gold(ROOT)
    for folder in ("annotations", "corpus", "data", "results", "seeds"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copy(ROOT / "README.md", target / "README.md")
    text = "\n".join([gold.text] * scale)
    stride = len(gold.text) + 1
    sentences_per_copy = len(gold.sentences)
    mentions, relations = [], []
    entities_per_copy = len(gold.entities)
    for copy in range(scale):
        shift = copy * stride
        for m in gold.mentions:
            entity = f"E{int(m.entity[1:]) + copy * entities_per_copy:06d}"
            mentions.append(Mention(f"M{int(m.id[1:]) + copy * len(gold.mentions):06d}", m.start + shift,
                                    m.end + shift, m.label, entity, m.text))
        for r in gold.relations:
            relations.append(Relation(
                f"R{int(r.id[1:]) + copy * len(gold.relations):06d}",
                f"E{int(r.head[1:]) + copy * entities_per_copy:06d}", r.relation,
                f"E{int(r.tail[1:]) + copy * entities_per_copy:06d}",
                tuple(e + copy * sentences_per_copy for e in r.evidence)))
    base = document_from_text(text)
    document = Document(base.id, base.title, base.date, base.language, text, base.lines, base.sentences,
                        tuple(mentions), derive_entities(mentions), tuple(relations))
    (target / "seeds" / SEED_NAME).write_text(text, encoding="utf-8")
    (target / "corpus" / "article.txt").write_text(text, encoding="utf-8")
    (target / "annotations" / "mentions.tsv").write_text(render_mentions_tsv(document), encoding="utf-8")
    (target / "annotations" / "relations.tsv").write_text(render_relations_tsv(document), encoding="utf-8")


def measure(root: Path, samples: int) -> dict[str, float]:
    """Seconds per step on the checkout at ``root`` (the process's zhnerbench points at it)."""
    import datasets

    from zhnerbench.annotations.gold import load_gold, read_gold
    from zhnerbench.build import generated_files, write_files
    from zhnerbench.eval.evaluation import evaluate
    from zhnerbench.eval.readers import read_predictions
    from zhnerbench.eval.writers import documents_jsonl
    from zhnerbench.formats.command import FORMATS, export_files

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    times: dict[str, float] = {}
    times["validate"], (document, problems) = timed(lambda: read_gold(root))
    assert not problems, problems[:3]
    times["build"], files = timed(lambda: generated_files(root))
    write_files(root, files)
    with tempfile.TemporaryDirectory() as cache:
        times["load_dataset (first, 3 configs)"], _ = timed(
            lambda: [datasets.load_dataset(str(root), c, cache_dir=cache) for c in ("ner", "documents", "relations")])
        times["load_dataset (cached, 3 configs)"], _ = timed(
            lambda: [datasets.load_dataset(str(root), c, cache_dir=cache) for c in ("ner", "documents", "relations")])
    gold = load_gold(root)
    with tempfile.TemporaryDirectory() as out:
        for format in FORMATS:
            target = Path(out) / format
            times[f"export {format}"], rendered = timed(
                lambda: export_files(gold, format, "full", "IOB2", "sentence", target))
            for path, content in rendered.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        # Predictions: the gold with every 7th mention dropped, so that the scores are not trivial.
        spans = [s for i, s in enumerate(gold.spans) if i % 7]
        predictions = Path(out) / "pred.jsonl"
        predictions.write_text(documents_jsonl([gold], {gold.id: spans}), encoding="utf-8")
        times[f"evaluate ({samples} bootstrap samples)"], _ = timed(
            lambda: evaluate([gold], read_predictions(predictions, [gold]), samples=samples))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--_measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._measure:
        # Child process: measure one checkout and print JSON (a fresh process per corpus,
        # so that imports and caches of one run do not flatter the other).
        root = Path(args._measure)
        import hashlib

        import zhnerbench.annotations.gold as gold_module

        text = (root / "corpus" / "article.txt").read_text(encoding="utf-8")
        gold_module.ARTICLE_SHA256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        os.environ["ZHNERBENCH_ROOT"] = str(root)
        print(json.dumps(measure(root, args.samples)))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        small, large = Path(folder) / "article", Path(folder) / f"x{args.scale}"
        make_checkout(small, 1)
        make_checkout(large, args.scale)
        results = []
        for root in (small, large):
            command = [sys.executable, __file__, "--samples", str(args.samples), "--_measure", str(root)]
            import subprocess

            finished = subprocess.run(command, capture_output=True, text=True)
            if finished.returncode != 0:
                sys.exit(f"measuring {root.name} failed:\n{finished.stderr}")
            output = finished.stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
    print(f"python {sys.version.split()[0]}; article: 4,268 characters; synthetic: x{args.scale}")
    print(f"{'step':40} {'article (s)':>12} {f'x{args.scale} (s)':>12} {'ratio':>8}")
    for step in results[0]:
        a, b = results[0][step], results[1][step]
        print(f"{step:40} {a:12.3f} {b:12.3f} {b / a:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
