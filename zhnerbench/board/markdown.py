"""The board as Markdown (``results/leaderboard.md``, the README's leaderboard block).

A pure function of the board: the introduction, then each section of
:func:`~zhnerbench.board.tables.board_sections` (its title, its table and its list). Every cell
and item is escaped here, so that nothing a user, a plugin or a model handed in can add a row, a
heading, a link, a script or a generated-block marker.
"""

from __future__ import annotations

from zhnerbench.board.assemble import Board
from zhnerbench.printable import printable
from zhnerbench.board.tables import Item, Section, Table, board_sections, introduction

_MARKDOWN_SPECIAL = str.maketrans({"\\": "\\\\", "|": "\\|", "`": "\\`", "<": "&lt;", ">": "&gt;", "*": "\\*",
                                   "[": "\\[", "]": "\\]", "\n": " ", "\r": " ", "\t": " "})


def md(value: object) -> str:
    """Text a user, a plugin or a model handed in, safe in a Markdown table cell or line: one line,
    with Markdown and HTML characters escaped, and control and bidirectional characters shown as
    escapes (:func:`~zhnerbench.printable.printable`).

    >>> md("x | y\\n## z <!-- /generated:leaderboard --> <script>")
    'x \\\\| y ## z &lt;!-- /generated:leaderboard --&gt; &lt;script&gt;'
    """
    return printable(str(value).translate(_MARKDOWN_SPECIAL))


def md_code(value: object) -> str:
    """Text shown as inline code in a table cell (a command): one line, no backtick to close the
    span early, pipes escaped as GitHub's tables need inside code.

    >>> md_code("pip install 'x[y]' | sh `rm`")
    "`pip install 'x[y]' \\\\| sh 'rm'`"
    """
    text = printable(" ".join(str(value).split())).replace("`", "'").replace("|", "\\|")
    return f"`{text}`"


def markdown_table(table: Table) -> str:
    """A table with its alignment row; strong cells in bold, code cells as code."""
    lines = ["| " + " | ".join(head.header for head in table.heads) + " |",
             "|" + "".join("---:|" if head.align == "right" else "---|" for head in table.heads)]
    for _, cells in table.rows:
        shown = [md_code(cell.text) if head.code else f"**{md(cell.text)}**" if head.strong else md(cell.text)
                 for head, cell in zip(table.heads, cells, strict=True)]
        lines.append("| " + " | ".join(shown) + " |")
    return "\n".join(lines)


def markdown_item(item: Item) -> str:
    return f"- {md(item.lead)}: {md(item.text)}"


def section_markdown(section: Section) -> str:
    """One section: its title in bold with its note, then its table, list or sentence."""
    title = f"**{section.title}** ({section.note}):" if section.note else f"**{section.title}:**"
    parts = [title]
    if section.table is not None:
        parts.append(markdown_table(section.table))
    if section.items:
        parts.append("\n".join(markdown_item(item) for item in section.items))
    if section.sentence:
        parts.append(section.sentence)
    return "\n\n".join(parts)


def leaderboard_markdown(board: Board) -> str:
    """The whole leaderboard: settings, one NER table per view, trained baselines, LLMs, relations,
    systems that did not run."""
    return "\n\n".join([introduction(board), *(section_markdown(section) for section in board_sections(board))])
