"""One board, many renderings: the README's board, ``leaderboard.md``, the site's index and
``leaderboard.json`` show the same sections, tables, rows, cells and list items (formatting aside),
because every one of them is rendered from the same column specs (``zhnerbench.board.tables``).

The renderings are parsed back here with parsers of their own (Markdown tables, HTML), not with
the code that wrote them."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from zhnerbench.cli import main

#: A section as parsed: its title, its table (headers, then rows of cells) and its list items.
Parsed = dict[str, Any]

_TITLE = re.compile(r"^\*\*(?P<title>.+?)(?::\*\*|\*\* \((?P<note>.*)\):)$")
_ESCAPED = re.compile(r"\\([\\|`*\[\]])")


def _markdown_text(cell: str) -> str:
    """A Markdown cell or item as plain text: bold and code marks dropped, escapes undone."""
    cell = cell.strip()
    if cell.startswith("**") and cell.endswith("**"):
        cell = cell[2:-2]
    if cell.startswith("`") and cell.endswith("`"):
        cell = cell[1:-1]
    return html.unescape(_ESCAPED.sub(r"\1", cell))


def _markdown_cells(line: str) -> list[str]:
    """The cells of a Markdown table row, split at the pipes that are not escaped."""
    return [_markdown_text(cell) for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])]


def parse_markdown_board(text: str) -> list[Parsed]:
    """The sections of a Markdown board: a bold title line starts each one."""
    sections: list[Parsed] = []
    for line in text.splitlines():
        title = _TITLE.match(line)
        if title:
            sections.append({"title": title["title"].replace("`", ""), "headers": [], "rows": [], "items": []})
        elif sections and line.startswith("|") and not re.fullmatch(r"\|(-+:?\|)+", line):
            cells = _markdown_cells(line)
            if not sections[-1]["headers"]:
                sections[-1]["headers"] = cells
            else:
                sections[-1]["rows"].append(cells)
        elif sections and line.startswith("- "):
            sections[-1]["items"].append(_markdown_text(line[2:]))
    return sections


class _IndexParser(HTMLParser):
    """The sections of the site's index: each ``<section>``'s heading, table cells and list items."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[Parsed] = []
        self.text: list[str] | None = None
        self.row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.sections.append({"title": "", "headers": [], "rows": [], "items": []})
        elif tag == "tr" and self.sections:
            self.row = []
        elif tag in ("h2", "th", "td", "li") and self.sections:
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if not self.sections:
            return
        section = self.sections[-1]
        text = "".join(self.text or [])
        if tag == "h2":
            section["title"] = text
        elif tag in ("th", "td") and self.row is not None:
            self.row.append(text)
        elif tag == "tr" and self.row is not None:
            (section["rows"] if section["headers"] else section["headers"]).extend(
                [self.row] if section["headers"] else self.row)
            self.row = None
        elif tag == "li":
            section["items"].append(text)
        if tag in ("h2", "th", "td", "li"):
            self.text = None

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def parse_site_index(text: str) -> list[Parsed]:
    parser = _IndexParser()
    parser.feed(text)
    return parser.sections


def parse_board_json(data: dict[str, Any]) -> list[Parsed]:
    return [{"title": section["title"].replace("`", ""), "headers": [c["header"] for c in section["columns"]],
             "rows": section["rows"], "items": [f"{lead}: {text}" for lead, text in section["items"]]}
            for section in data["tables"]]


def readme_board(root: Path) -> str:
    text = (root / "README.md").read_text(encoding="utf-8")
    return text.split("<!-- generated:leaderboard -->")[1].split("<!-- /generated:leaderboard -->")[0]


def assert_same_board(*renderings: list[Parsed]) -> None:
    first, *others = renderings
    assert first, "no section parsed"
    for other in others:
        assert [s["title"] for s in other] == [s["title"] for s in first]
        for mine, theirs in zip(first, other, strict=True):
            assert mine == theirs, mine["title"]


def test_the_readme_board_the_site_and_the_json_show_the_same_tables(root: Path) -> None:
    markdown = parse_markdown_board(readme_board(root))
    titles = [section["title"] for section in markdown]
    # Every kind of table the published board has, the trained baselines and the relations included.
    assert {"NER, view coarse", "Trained baselines on MSRA NER", "Relations", "Systems that did not run here"} \
        <= set(titles)
    assert_same_board(markdown,
                      parse_markdown_board((root / "results" / "leaderboard.md").read_text(encoding="utf-8")),
                      parse_site_index((root / "results" / "site" / "index.html").read_text(encoding="utf-8")),
                      parse_board_json(json.loads((root / "results" / "leaderboard.json").read_text(encoding="utf-8"))))
    coarse = markdown[titles.index("NER, view coarse")]
    assert coarse["headers"][:5] == ["rank", "system", "P", "R", "F1"] and len(coarse["rows"]) >= 5


def test_a_board_with_llm_runs_failures_and_absent_systems_is_the_same_everywhere(tmp_path: Path, monkeypatch:
                                                                                pytest.MonkeyPatch) -> None:
    """The LLM table and its manifests, what adapters could not use, and the systems that did not
    run: in ``leaderboard.md``, the site and the JSON alike, a model's markup escaped in each."""
    pytest.importorskip("openai")
    from tests.openai_stub_server import Canned, StubServer

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    answer = json.dumps({"entities": [{"text": "张为", "label": "PERSON"}, {"text": "<b>不|在</b>", "label": "ORG"}]},
                        ensure_ascii=False)
    board = tmp_path / "board"
    with StubServer({"张为出席": Canned(answer)}) as stub:
        assert main(["leaderboard", "--systems", f"openai:stub-model,hf:{tmp_path / 'absent-model'}",
                     "--base-url", stub.base_url, "--price-input", "1", "--price-output", "2", "--output", str(board),
                     "--start-empty", "--samples", "20", "--counterfactual", "0"]) == 0
    markdown = parse_markdown_board((board / "leaderboard.md").read_text(encoding="utf-8"))
    titles = [section["title"] for section in markdown]
    assert titles[-4:] == ["LLM systems: cost, latency, variance and failures", "What adapters could not use",
                           "Relations", "Systems that did not run here"]
    llm = markdown[titles.index("LLM systems: cost, latency, variance and failures")]
    assert llm["rows"][0][0] == "openai-stub-model" and len(llm["items"]) == 1
    assert "<b>不|在</b>" in markdown[titles.index("What adapters could not use")]["items"][0]
    assert [row[1] for row in markdown[-1]["rows"]] == ["unavailable"]  # the hf: model that is not there
    index = (board / "site" / "index.html").read_text(encoding="utf-8")
    assert "<b>不" not in index  # the model's markup is text on the page
    assert_same_board(markdown, parse_site_index(index),
                      parse_board_json(json.loads((board / "leaderboard.json").read_text(encoding="utf-8"))))
