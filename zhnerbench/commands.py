"""The ``validate`` and ``build`` subcommands."""

from __future__ import annotations

import argparse
import sys

from zhnerbench.paths import repository_root


def run_validate(args: argparse.Namespace) -> int:
    from zhnerbench.annotations.gold import read_gold
    from zhnerbench.errors import Problem
    from zhnerbench.paths import ARTICLE_FILE, SEED_FILE

    root = repository_root()
    document, problems = read_gold(root)
    seed = root / SEED_FILE
    if seed.is_file() and (root / ARTICLE_FILE).is_file() and seed.read_bytes() != (root / ARTICLE_FILE).read_bytes():
        problems.append(Problem(ARTICLE_FILE, None, f"differs from {SEED_FILE}; run `zhnerbench build`"))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(
        f"ok: {len(document.mentions)} mentions, {len(document.inner_mentions)} inner mentions, "
        f"{len(document.entities)} entities, {len(document.relations)} relations over {len(document.sentences)} sentences"
    )
    return 0


def run_build(args: argparse.Namespace) -> int:
    from zhnerbench.build import generated_files, stale_files, write_files  # imports `datasets`: only here

    root = repository_root()
    files = generated_files(root)
    if args.check:
        stale = stale_files(root, files)
        for path in stale:
            print(f"{path}: out of date; run `zhnerbench build`")
        return 1 if stale else 0
    changed = write_files(root, files)
    print(f"built {len(files)} files, {len(changed)} changed" + "".join(f"\n  {p}" for p in changed))
    return 0


def add_validate_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check the gold annotations against the schema",
        description="Check the gold: offsets and text, labels, overlaps, sentence boundaries, the nesting "
        "rules of the inner layer, entity clusters, relation argument types, evidence ids, duplicates, "
        "the article's SHA-256. "
        "Prints one line per problem and exits 1 if there is any.",
    )
    parser.set_defaults(func=run_validate)


def add_build_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "build",
        help="regenerate corpus/, data/ and the generated parts of README.md and CHANGELOG.md",
        description="Regenerate every generated file from seeds/ and annotations/. "
        "Writes nothing if the gold does not validate.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 listing the files that are out of date")
    parser.set_defaults(func=run_build)
