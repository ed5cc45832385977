"""The ``validate`` and ``build`` subcommands."""

from __future__ import annotations

import argparse
import sys

from zhnerbench.paths import repository_root
from zhnerbench.printable import printable


def run_validate(args: argparse.Namespace) -> int:
    from zhnerbench.exceptions import GoldDataError, Problem
    from zhnerbench.gold.annotation_files import read_gold
    from zhnerbench.gold.counterfactual import counterfactual_documents, read_surrogates
    from zhnerbench.document import Document
    from zhnerbench.reading import read_project_file
    from zhnerbench.paths import ARTICLE_FILE, SEED_FILE

    root = repository_root()
    document, problems = read_gold(root)
    if (root / SEED_FILE).exists() and (root / ARTICLE_FILE).exists() and read_project_file(root / SEED_FILE, SEED_FILE) != read_project_file(root / ARTICLE_FILE, ARTICLE_FILE):
        problems.append(Problem(ARTICLE_FILE, None, f"differs from {SEED_FILE}; run `zhnerbench build`"))
    copies: tuple[Document, ...] = ()
    if not problems:  # the copies are derived from a gold that passes
        try:
            copies = counterfactual_documents(document, read_surrogates(root))
        except GoldDataError as error:
            problems.extend(error.problems)
    for problem in problems:
        print(printable(str(problem)))
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(
        f"ok: {len(document.mentions)} mentions, {len(document.inner_mentions)} inner mentions, "
        f"{len(document.entities)} entities, {len(document.relations)} relations over {len(document.sentences)} sentences; "
        f"{len(copies)} counterfactual copies pass the same checks"
    )
    return 0


def run_build(args: argparse.Namespace) -> int:
    from zhnerbench.commands.build import (  # imports `datasets`
        generated_files,
        results_problems,
        stale_files,
        write_files,
    )

    root = repository_root()
    files = generated_files(root)
    if args.check:
        from zhnerbench.writing import JOURNAL_NAME, journal_problem

        if (root / JOURNAL_NAME).is_file():
            problem = journal_problem(root / JOURNAL_NAME)
            print(problem if problem is not None else
                  f"{JOURNAL_NAME}: an interrupted write is pending; `zhnerbench build` completes it")
            return 1
        stale = stale_files(root, files)
        for path in stale:
            print(f"{path}: out of date; run `zhnerbench build`")
        problems = results_problems(root)
        for problem in problems:
            print(f"results: {problem}")
        return 1 if stale or problems else 0
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
        help="regenerate corpus/, data/, the board and the generated parts of README.md and CHANGELOG.md",
        description="Regenerate every generated file from seeds/, annotations/ and results/records/. "
        "Writes nothing if the gold does not validate.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 listing the files that are out of date and the records that "
                        "no longer match their prediction files or the gold")
    parser.set_defaults(func=run_build)
