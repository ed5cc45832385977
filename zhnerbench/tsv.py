"""Tab-separated files with a header row: the diff-friendly format of the gold and corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.reading import read_project_file


def format_tsv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Render a header and rows; a field may not contain a tab or a newline.

    >>> format_tsv(["id", "text"], [["M1", "上海"]])
    'id\\ttext\\nM1\\t上海\\n'
    """
    out = ["\t".join(columns)]
    for row in rows:
        fields = [str(value) for value in row]
        if len(fields) != len(columns):
            raise ValueError(f"row {fields!r} does not have the {len(columns)} columns {list(columns)}")
        for field in fields:
            if "\t" in field or "\n" in field:
                raise ValueError(f"field {field!r} contains a tab or a newline")
        out.append("\t".join(fields))
    return "\n".join(out) + "\n"


def read_tsv(path: Path, columns: Sequence[str], shown_as: str,
             comments: bool = False) -> list[tuple[int, dict[str, str]]]:
    """Rows of a TSV file as ``(file line number, {column: value})``: :func:`parse_tsv` of its bytes."""
    return parse_tsv(read_project_file(path, shown_as), columns, shown_as, comments)


def parse_tsv(raw: bytes, columns: Sequence[str], shown_as: str,
              comments: bool = False) -> list[tuple[int, dict[str, str]]]:
    """Rows of a TSV file's bytes as ``(file line number, {column: value})``.

    With ``comments``, the lines starting with ``#`` before the header are a comment (data
    files that say where they come from). The header must be exactly ``columns``. Every row with the wrong number of
    fields is reported, all at once, as a :class:`GoldDataError` naming
    ``shown_as`` (the path as the user should see it) and the line.

    >>> parse_tsv("id\\ttext\\nM1\\t上海\\n".encode(), ["id", "text"], "m.tsv")
    [(2, {'id': 'M1', 'text': '上海'})]
    """
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise GoldDataError([Problem(shown_as, line, "not valid UTF-8")]) from None
    if content.startswith("\ufeff"):
        raise GoldDataError([Problem(shown_as, 1, "starts with a byte-order mark; save as UTF-8 without BOM")])
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    skipped = 0
    while comments and skipped < len(lines) and lines[skipped].startswith("#"):
        skipped += 1
    if len(lines) <= skipped or lines[skipped].split("\t") != list(columns):
        found = lines[skipped].split("\t") if len(lines) > skipped else []
        raise GoldDataError([Problem(shown_as, skipped + 1, f"header must be {list(columns)}, found {found}")])
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    for number, row in enumerate(lines[skipped + 1:], start=skipped + 2):
        if not row.strip():
            problems.append(Problem(shown_as, number, "empty line"))
            continue
        fields = row.split("\t")
        if len(fields) != len(columns):
            problems.append(
                Problem(shown_as, number, f"expected {len(columns)} tab-separated fields, found {len(fields)}")
            )
            continue
        rows.append((number, dict(zip(columns, fields))))
    if problems:
        raise GoldDataError(problems)
    return rows
