"""The ``zhnerbench`` command line: one entry point, one subcommand per job."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from typing import TYPE_CHECKING, Sequence

from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.printable import printable
from zhnerbench.version import __version__

if TYPE_CHECKING:
    from zhnerbench.process import CommandProcess


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhnerbench", description=__doc__)
    parser.add_argument("--traceback", action="store_true",
                        help="on an error, print the whole Python traceback after the one-line message")
    # The scorer's version, which every record and score file names: what a bug report needs first.
    parser.add_argument("--version", action="version", version=f"zhnerbench {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from zhnerbench.commands import gold
    from zhnerbench.commands.tag import add_tag_parser
    from zhnerbench.commands.evaluate import add_evaluate_parser
    from zhnerbench.commands.export import add_export_parser
    from zhnerbench.commands.leaderboard import add_leaderboard_parser
    from zhnerbench.commands.harness import add_harness_path_parser

    gold.add_validate_parser(subparsers)
    gold.add_build_parser(subparsers)
    add_evaluate_parser(subparsers)
    add_export_parser(subparsers)
    add_leaderboard_parser(subparsers)
    add_tag_parser(subparsers)
    add_harness_path_parser(subparsers)
    return parser


#: Exit statuses: a user error, and the shell's conventions for SIGINT (Ctrl-C), SIGPIPE and SIGTERM.
USER_ERROR, INTERRUPTED, CLOSED_OUTPUT, TERMINATED = 2, 130, 141, 143


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; the project's own errors become one line and exit status 2,
    Ctrl-C one line and 130, SIGTERM one line and 143, a closed standard output (``| head``)
    silence and 141.

    Without ``argv`` (the ``zhnerbench`` script, ``python -m zhnerbench.cli``) the command is
    the process's whole job (:mod:`zhnerbench.process`): signals and deadlines end it within
    about a second, whatever its threads are doing. With ``argv`` (a caller's own process,
    the tests) nothing is installed and it returns the status."""
    if argv is not None:
        return run_command(list(argv))
    from zhnerbench.process import run_as_process

    return run_as_process(lambda process: run_command(sys.argv[1:], process))


def run_command(arguments: list[str], process: CommandProcess | None = None) -> int:
    """Parse ``arguments`` and run the subcommand (see :func:`main`)."""
    try:
        return _run_command(arguments, process)
    except KeyboardInterrupt as error:  # before a subcommand was known (parsing, imports)
        return _interrupted(process, "", error)


def _interrupted(process: CommandProcess | None, command: str, error: KeyboardInterrupt) -> int:
    from zhnerbench.process import ending, interruption_line

    line = interruption_line(command, error) if command else f"zhnerbench: {ending(error)[1]}"
    if process is not None:
        process.say(line)
    else:
        print(line, file=sys.stderr)
    return ending(error)[0]


def _run_command(arguments: list[str], process: CommandProcess | None) -> int:
    parser = build_parser()
    for argument in arguments:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 (Python keeps them as surrogates)
            shown = argument.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")[:80]
            print(f"zhnerbench: error: the argument {shown} is not valid UTF-8", file=sys.stderr)
            return USER_ERROR
    args = parser.parse_args(arguments)
    if process is not None:
        process.command = args.command
    try:
        status = int(args.func(args) or 0)
        if sys.stdout is not None:  # None when started with stdout closed (`>&-`): print() then writes nothing
            sys.stdout.flush()  # here, not at interpreter exit, so that a closed pipe is caught below
        return status
    except ZhNerBenchError as error:
        print(f"zhnerbench {args.command}: error: {printable(str(error))}", file=sys.stderr)
        if args.traceback:  # where it came from: a tagger's own code, say
            traceback.print_exception(error.__cause__ or error, file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt as error:  # Ctrl-C, or SIGTERM in a process (zhnerbench.process.Terminated)
        return _interrupted(process, args.command, error)
    except BrokenPipeError:
        # Whoever reads our output has stopped reading: nothing to report, and nothing more to
        # flush (Python would otherwise complain about stdout at exit).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return CLOSED_OUTPUT
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EIO, errno.EBADF) and error.filename is None:
            # Standard output or error cannot take what we print (a full disk, /dev/full): say so
            # once, where it can still be read, and stop writing to that stream.
            _silence_stdout()
            print(f"zhnerbench {args.command}: error: cannot write the output: {error.strerror}", file=sys.stderr)
            return USER_ERROR
        # The machine refused a file (a name too long, a read-only folder, a directory where a
        # file must go, no permission): one line naming it.
        where = f"{str(error.filename)[:120]}: " if error.filename is not None else ""
        print(f"zhnerbench {args.command}: error: {printable(f'{where}{error.strerror or error}')}", file=sys.stderr)
        return USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
