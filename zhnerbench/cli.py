"""The ``zhnerbench`` command line: one entry point, one subcommand per job."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from zhnerbench.errors import ZhNerBenchError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhnerbench", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from zhnerbench import commands

    from zhnerbench.baselines.command import add_tag_parser
    from zhnerbench.eval.command import add_evaluate_parser
    from zhnerbench.formats.command import add_export_parser
    from zhnerbench.leaderboard.command import add_leaderboard_parser

    commands.add_validate_parser(subparsers)
    commands.add_build_parser(subparsers)
    add_evaluate_parser(subparsers)
    add_export_parser(subparsers)
    add_leaderboard_parser(subparsers)
    add_tag_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; the project's own errors become one line and exit status 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ZhNerBenchError as error:
        print(f"zhnerbench {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
