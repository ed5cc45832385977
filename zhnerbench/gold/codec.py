"""The ``documents`` format's lines: the one reader of JSON Lines for gold corpora and prediction files.

A ``documents`` file is UTF-8 text (no byte-order mark), one JSON object per line; blank lines
are skipped. Lines end at ``\\n`` (a ``\\r`` before it is dropped) and nowhere else: the other
characters Python's ``str.splitlines`` breaks at (U+2028, U+0085, form feed...) may stand inside
a JSON string, and a document's text may hold them. A key given twice in one object is an
error, not a silent "last one wins". Every problem is a :class:`LineProblem` (a line number,
or ``None`` for the whole file, and a message); a caller turns it into its own error, naming
its file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from zhnerbench.exceptions import excerpt
from zhnerbench.reading import RepeatedKey, loads_unique


class LineProblem(Exception):
    """A problem with one line of a ``documents`` file (``line`` is ``None`` for the whole file)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def decode_text(data: bytes) -> str:
    """The text of a JSON Lines (or CoNLL) file: strict UTF-8, no BOM, not empty.

    >>> decode_text("上\\tO\\n".encode())
    '上\\tO\\n'
    >>> decode_text(b"\\xef\\xbb\\xbf{}")
    Traceback (most recent call last):
    ...
    zhnerbench.gold.codec.LineProblem: starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise LineProblem(1, "starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise LineProblem(line, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
                                "save the file as UTF-8") from None
    if not text.strip():
        raise LineProblem(None, "empty file")
    return text


def file_lines(text: str) -> Iterator[str]:
    """The lines of a file, without ``\\n`` or a Windows ``\\r\\n`` ending, one at a time
    (a list of every line of a large file would take ten times its size).

    >>> list(file_lines("a\\r\\nb\\n")), list(file_lines('{"text": "甲\\u2028乙"}\\n'))
    (['a', 'b'], ['{"text": "甲\\u2028乙"}'])
    """
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        line = text[start:end]
        yield line[:-1] if line.endswith("\r") else line
        start = end + 1


def _describe(value: object) -> str:
    return "null" if value is None else type(value).__name__


def json_objects(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line, one JSON object each.

    >>> list(json_objects('{"id": "a"}\\n\\n{"id": "b", "text": "甲\\u2028乙"}\\n'))
    [(1, {'id': 'a'}), (3, {'id': 'b', 'text': '甲\\u2028乙'})]
    >>> list(json_objects('{"id": "a", "id": "b"}'))
    Traceback (most recent call last):
    ...
    zhnerbench.gold.codec.LineProblem: the key 'id' appears twice in one object (JSON readers would keep only the last one)
    """
    for number, line in enumerate(file_lines(text), start=1):
        if not line.strip():
            continue
        try:
            value = loads_unique(line)
        except RepeatedKey as error:
            raise LineProblem(number, f"the key {excerpt(error.key, 40)} appears twice in one object "
                                      "(JSON readers would keep only the last one)") from None
        except json.JSONDecodeError as error:
            raise LineProblem(number, f"invalid JSON: {error.msg} (column {error.colno})") from None
        except (ValueError, RecursionError) as error:
            raise LineProblem(number, f"invalid JSON: {excerpt(str(error))}") from None
        if not isinstance(value, dict):
            raise LineProblem(number, f"expected a JSON object on each line, found {_describe(value)}")
        yield number, value
