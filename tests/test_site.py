"""The static web board (issue 20) in a real browser: Debian's headless Chromium driven by
Playwright, the pages opened from ``file://``.

The README's picture, ``docs/site.png``, is taken by the index test whenever the board it shows
changed: ``docs/site.png.sha256`` holds the digest of the site's index and style sheet it was
taken from. Set ``ZHNERBENCH_SCREENSHOT=PATH`` to save a screenshot elsewhere (the LLM table's
picture is taken beside it)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from zhnerbench.board.assemble import Board
from zhnerbench.board.site import esc

INSTALL = "apt-get install chromium fonts-noto-cjk && pip install playwright"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip(f"no Chromium here: {INSTALL}")
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"no Playwright here: {INSTALL}")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Any, root: Path) -> Iterator[Any]:
    """A function that opens a page of the committed site; every JavaScript error is collected."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    errors: list[str] = []

    def opened(path: str) -> Any:
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((root / "results" / "site" / path).as_uri())
        return page

    yield opened
    context.close()
    assert errors == [], errors


def _board(root: Path) -> Board:
    return cast(Board, json.loads((root / "results" / "leaderboard.json").read_text(encoding="utf-8")))


def _keys(table: Any) -> list[str]:
    return table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.key)")


def test_the_index_lists_every_system_that_ran_and_sorts_on_a_click(open_page: Any, root: Path) -> None:
    page = open_page("index.html")
    table = page.locator('table[data-section="ner-coarse"]')
    listed = _keys(table)
    ran = {s["name"] for s in _board(root)["systems"] if s["status"] == "ran" and "coarse" in s["scores"]}
    assert set(listed) == ran and len(listed) == len(ran)
    table.locator("th", has_text="system").click()
    by_name = _keys(table)
    assert by_name == sorted(ran) and by_name != listed
    table.locator("th", has_text="F1").first.click()
    table.locator("th", has_text="F1").first.click()  # twice: highest first
    assert _keys(table) == listed
    # Names link to the system pages; each F1 interval is drawn as a bar.
    assert table.locator("tbody a").count() == len(ran) and table.locator(".bar").count() == len(ran)
    shown = hashlib.sha256(b"".join((root / "results" / "site" / name).read_bytes()
                                     for name in ("index.html", "site.css"))).hexdigest() + "\n"
    picture, taken_from = root / "docs" / "site.png", root / "docs" / "site.png.sha256"
    if os.environ.get("ZHNERBENCH_SCREENSHOT"):
        picture = Path(os.environ["ZHNERBENCH_SCREENSHOT"])
    elif taken_from.is_file() and taken_from.read_text(encoding="utf-8") == shown:
        return
    page.reload()
    page.screenshot(path=str(picture))
    if picture.parent == root / "docs":
        taken_from.write_text(shown, encoding="utf-8")


def test_the_index_has_every_table_of_the_readme_each_sortable(open_page: Any, root: Path) -> None:
    """The trained baselines, the relations and the systems that did not run, as in the README."""
    page = open_page("index.html")
    board = _board(root)
    trained = page.locator('table[data-section="trained"]')
    by_test_f1 = _keys(trained)
    assert len(by_test_f1) == sum(1 for s in board["systems"] if s["status"] == "ran" and s.get("training"))
    trained.locator("th", has_text="trained system").click()
    assert _keys(trained) == sorted(by_test_f1)
    relations = page.locator('table[data-section="relations"]')
    assert relations.locator("tbody tr").count() == len(board["relations"])
    relations.locator("th", has_text="predicted (strict)").click()
    predicted = [int(text) for text in relations.locator("tbody tr td:nth-child(3)").all_inner_texts()]
    assert predicted == sorted(predicted)
    missing = page.locator('table[data-section="did-not-run"]')
    assert missing.locator("tbody tr").count() == sum(1 for s in board["systems"] if s["status"] != "ran")
    assert missing.locator("tbody code").count() == missing.locator("tbody tr").count()  # how to enable each


def test_a_system_page_highlights_its_errors_and_filters_by_label(open_page: Any) -> None:
    page = open_page("systems/jieba-posseg.html")
    assert page.locator("mark.pred").count() >= 1 and page.locator("mark.gold").count() >= 1
    pairs = page.locator(".pair")
    everything = pairs.count()
    page.select_option("select.label-filter", "PER")
    shown = page.locator(".pair:not([hidden])")
    assert 0 < shown.count() < everything
    assert all("PER" in labels.split() for labels in shown.evaluate_all("ps => ps.map(p => p.dataset.labels)"))


def test_the_article_shows_every_mention_of_both_layers_and_a_relations_evidence(open_page: Any, gold) -> None:
    page = open_page("article.html")
    assert page.locator(".mention.flat").count() == len(gold.mentions) == 202
    assert page.locator(".mention.inner").count() == len(gold.inner_mentions) == 40
    relation = next(r for r in gold.relations if len(r.evidence) > 2)
    page.locator(f'.relations tr[data-evidence="{",".join(map(str, relation.evidence))}"]').first.click()
    highlighted = page.locator(".sentence.evidence").evaluate_all("ss => ss.map(s => s.id)")
    assert highlighted == [f"s{index}" for index in relation.evidence]


def test_what_a_submitter_names_is_escaped_in_the_pages() -> None:
    assert esc('x"><script>alert(1)</script>') == "x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


def test_what_an_adapter_could_not_use_is_listed_where_any_system_says(root: Path) -> None:
    from zhnerbench.board.site import index_page

    board = _board(root)
    assert 'id="diagnostics"' not in index_page(board)  # no system on the board reports any
    system = next(s for s in board["systems"] if s["status"] == "ran" and "coarse" in s["scores"])
    system["diagnostics"] = {"chunks": 9, "failed": 1, "unaligned": 2, "unaligned_examples": [["<script>", "ORG"]]}
    page = index_page(board)
    assert 'id="diagnostics"' in page and "9 chunks, 1 failed, 2 unaligned" in page and "<script>" not in page


def test_the_llm_table_and_manifests_on_a_board_with_llm_runs(browser: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openai")
    from tests.openai_stub_server import Canned, StubServer
    from zhnerbench.cli import main

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    answers = {seed: json.dumps({"entities": [{"text": "张为", "label": "PERSON"}, {"text": "<b>x</b>", "label": "ORG"}]
                                 [:2 - seed]}, ensure_ascii=False) for seed in range(2)}
    with StubServer({"张为出席": Canned(answers[0], by_seed=answers)}) as stub:
        assert main(["leaderboard", "--systems", "openai:stub-model", "--base-url", stub.base_url, "--runs", "2",
                     "--price-input", "1", "--price-output", "2", "--output", str(tmp_path / "board"),
                     "--start-empty", "--samples", "20", "--counterfactual", "0"]) == 0
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((tmp_path / "board" / "site" / "index.html").as_uri())
    table = page.locator('table[data-section="llm"]')
    cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
    headers = table.locator("th").all_inner_texts()
    row = dict(zip(headers, cells))
    assert row["system"] == "openai-stub-model" and row["model served"] == "stub-model-2026-01-01"
    assert row["cost"] != "–" and " ± " in row["F1 mean ± sd (runs)"] and row["unaligned %"] == "50.0"
    manifest = page.locator("#llm ul.items li").first.inner_text()
    assert "temperature 0" in manifest and "runs: seeds 0–1" in manifest and "price 1 / 2" in manifest
    assert page.locator("b:text-is('x')").count() == 0  # the model's "<b>x</b>" never becomes markup
    if os.environ.get("ZHNERBENCH_SCREENSHOT"):
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(Path(os.environ["ZHNERBENCH_SCREENSHOT"]).with_name("site-llm.png")), full_page=True)
    context.close()
    assert errors == []
