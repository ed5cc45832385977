"""Reading a user's input file: a regular file or ``-`` (standard input), of bounded size.

A prediction file, a view file or a label map is read whole into memory, so its
size is bounded (:data:`MAX_INPUT_BYTES`); a FIFO, a device or a directory is
refused before anything is read from it, so ``/dev/zero`` or a named pipe with
no writer cannot hang or exhaust memory. Problems are
:class:`~zhnerbench.exceptions.ZhNerBenchError` s naming the file.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

from zhnerbench.exceptions import GoldDataError, Problem, ZhNerBenchError, excerpt

#: The largest input file read (bytes). The article's gold as a prediction file is 40 kB.
MAX_INPUT_BYTES = 64 * 1024 * 1024
#: The largest configuration file read (a view file, a label map: a few hundred bytes).
MAX_CONFIG_BYTES = 1024 * 1024
STDIN = "-"


class RepeatedKey(ValueError):
    """A key given twice in one JSON object (``key`` is the key)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise RepeatedKey(key)
        value[key] = item
    return value


def loads_unique(text: str | bytes) -> Any:
    """``json.loads``, refusing an object that gives a key twice (JSON readers would keep the
    last one silently: a second ``"mentions"`` or ``"coarse"`` must not replace the first).

    >>> loads_unique('{"a": 1, "b": {"c": 2}}')
    {'a': 1, 'b': {'c': 2}}
    >>> loads_unique('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    ...
    zhnerbench.reading.RepeatedKey: a
    """
    return json.loads(text, object_pairs_hook=_unique_keys)


class InputError(ZhNerBenchError):
    """An input that is not a readable regular file of acceptable size."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def describe_size(size: int) -> str:
    """
    >>> describe_size(64 * 1024 * 1024), describe_size(1500)
    ('64 MiB', '1500 bytes')
    """
    return f"{size // (1024 * 1024)} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def read_input_bytes(path: str | os.PathLike[str], limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file (or of standard input for ``-``), at most ``limit`` of them.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     read_input_bytes(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    zhnerbench.reading.InputError: ... is a directory, not a regular file ...
    """
    shown = os.fspath(path)
    if shown == STDIN:
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise InputError(f"larger than the {describe_size(limit)} input limit")
        return data
    try:
        # O_NONBLOCK: opening a FIFO without a writer must not block before we can refuse it.
        descriptor = os.open(shown, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise InputError(f"{shown}: cannot read: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise InputError(f"{shown}: is {_kind(status.st_mode)}, not a regular file "
                             "(give a file, or - for standard input)")
        if status.st_size > limit:
            raise InputError(f"{shown}: {describe_size(status.st_size)} is larger than the "
                             f"{describe_size(limit)} input limit")
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise InputError(f"{shown}: cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise InputError(f"{shown}: larger than the {describe_size(limit)} input limit")
    return data


def shown_path(path: str | os.PathLike[str]) -> str:
    """How an input is named in messages.

    >>> shown_path("-"), shown_path(Path("a/b.jsonl"))
    ('standard input', 'a/b.jsonl')
    """
    return "standard input" if os.fspath(path) == STDIN else os.fspath(path)


def read_project_file(path: Path, shown_as: str) -> bytes:
    """A file of the checkout (the gold, a record, the README): read like any input, so that a
    device, a FIFO or a huge file put in its place is one :class:`GoldDataError` naming
    ``shown_as``, not a hang.

    >>> read_project_file(Path("/dev/zero"), "annotations/mentions.tsv")
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.GoldDataError: annotations/mentions.tsv: is a device, not a regular file
    """
    if not os.path.lexists(path):
        raise GoldDataError([Problem(shown_as, None, "missing; restore it with `git checkout`")])
    try:
        return read_input_bytes(path)
    except InputError as error:
        message = str(error).removeprefix(f"{path}: ").replace(" (give a file, or - for standard input)", "")
        raise GoldDataError([Problem(shown_as, None, message)]) from None


def read_config_json(path: str | os.PathLike[str], what: str,
                     error: type[ZhNerBenchError] = ZhNerBenchError) -> Any:
    """The JSON value of a small configuration file (a view file, a label map), read like any
    input; problems are one-line ``error`` s naming the file and saying it is not a JSON ``what``.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
    ...     _ = file.write("{"); file.flush()
    ...     read_config_json(file.name, "label map")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.ZhNerBenchError: ...json: not a JSON label map: 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'
    """
    try:
        return loads_unique(read_input_bytes(path, limit=MAX_CONFIG_BYTES).decode("utf-8"))
    except InputError as problem:
        raise error(str(problem)) from None
    except RepeatedKey as repeated:
        raise error(f"{os.fspath(path)}: the key {excerpt(repeated.key, 40)} is given twice in one object "
                    f"(a JSON {what} keeps each key once)") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as problem:
        raise error(f"{os.fspath(path)}: not a JSON {what}: {excerpt(str(problem), 120)}") from None
