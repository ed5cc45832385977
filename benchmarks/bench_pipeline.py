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
from collections.abc import Callable
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent


T = TypeVar("T")


def timed(function: Callable[[], T]) -> tuple[float, T]:
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
    from dataclasses import replace

    from zhnerbench.gold.annotation_files import (
        derive_entities,
        load_article_gold,
        render_inner_mentions_tsv,
        render_mentions_tsv,
        render_relations_tsv,
    )
    from zhnerbench.gold.article import document_from_text
    from zhnerbench.document import Mention, Relation
    from zhnerbench.paths import INNER_MENTIONS_FILE, MENTIONS_FILE, RELATIONS_FILE, SEED_NAME
    from zhnerbench.schema import VALUE_LABELS

    gold = load_article_gold(ROOT)
    for folder in ("annotations", "corpus", "data", "results", "seeds"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for name in ("README.md", "CHANGELOG.md", "docs/usage.md"):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, target / name)
    text = "\n".join([gold.text] * scale)
    stride = len(gold.text) + 1
    sentences_per_copy = len(gold.sentences)
    mentions: list[Mention] = []
    inner: list[Mention] = []
    relations: list[Relation] = []
    entities_per_copy = max(int(e.id[1:]) for e in gold.entities)
    mentions_per_copy = max(int(m.id[1:]) for m in gold.all_mentions)

    value_entities = {e.id for e in gold.entities if e.label in VALUE_LABELS}

    def mention_id(identifier: str, copy: int) -> str:
        return f"M{int(identifier[1:]) + copy * mentions_per_copy:07d}"

    def entity_id(identifier: str, copy: int) -> str:
        # A value (date, number, title) is one entity per distinct text across the whole document.
        return f"E{int(identifier[1:]) + (0 if identifier in value_entities else copy) * entities_per_copy:07d}"

    for copy in range(scale):
        shift = copy * stride
        for layer, target_list in ((gold.mentions, mentions), (gold.inner_mentions, inner)):
            for m in layer:
                entity = entity_id(m.entity, copy)
                target_list.append(Mention(mention_id(m.id, copy), m.start + shift, m.end + shift, m.label, entity, m.text,
                                           mention_id(m.parent, copy) if m.parent else None))
        for r in gold.relations:
            relations.append(Relation(
                f"R{int(r.id[1:]) + copy * len(gold.relations):07d}",
                entity_id(r.head, copy), r.relation, entity_id(r.tail, copy),
                tuple(e + copy * sentences_per_copy for e in r.evidence)))
    document = replace(document_from_text(text), mentions=tuple(mentions), inner_mentions=tuple(inner),
                       entities=derive_entities(mentions + inner), relations=tuple(relations))
    (target / "seeds" / SEED_NAME).write_text(text, encoding="utf-8")
    (target / "corpus" / "article.txt").write_text(text, encoding="utf-8")
    (target / MENTIONS_FILE).write_text(render_mentions_tsv(document.mentions), encoding="utf-8")
    (target / INNER_MENTIONS_FILE).write_text(render_inner_mentions_tsv(document.inner_mentions), encoding="utf-8")
    (target / RELATIONS_FILE).write_text(render_relations_tsv(document), encoding="utf-8")


def measure(root: Path, samples: int) -> dict[str, float]:
    """Seconds per step on the checkout at ``root`` (the process's zhnerbench points at it)."""
    import datasets

    from zhnerbench.gold.annotation_files import load_article_gold, read_gold
    from zhnerbench.commands.build import generated_files, write_files
    from zhnerbench.eval.evaluation import evaluate
    from zhnerbench.formats.registry import read_predictions
    from zhnerbench.commands.export import FORMATS, export_files
    from zhnerbench.formats.documents import documents_jsonl
    from zhnerbench.views import VIEWS

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    times: dict[str, float] = {}
    times["validate"], checked = timed(lambda: read_gold(root))
    assert not checked[1], checked[1][:3]
    times["build"], files = timed(lambda: generated_files(root))
    write_files(root, files)
    configs = ("ner", "nested", "documents", "relations")
    with tempfile.TemporaryDirectory() as cache:
        times["load_dataset (first, 4 configs)"], _ = timed(
            lambda: [datasets.load_dataset(str(root), c, cache_dir=cache) for c in configs])
        times["load_dataset (cached, 4 configs)"], _ = timed(
            lambda: [datasets.load_dataset(str(root), c, cache_dir=cache) for c in configs])
    gold = load_article_gold(root)
    with tempfile.TemporaryDirectory() as out:
        for format in FORMATS:
            target = Path(out) / format
            times[f"export {format}"], rendered = timed(
                lambda: export_files(gold, format, VIEWS["full"], "IOB2", "sentence", target))
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

        import zhnerbench.gold.annotation_files as gold_module

        text = (root / "corpus" / "article.txt").read_text(encoding="utf-8")
        setattr(gold_module, "ARTICLE_SHA256", hashlib.sha256(text.encode("utf-8")).hexdigest())  # noqa: B010
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
