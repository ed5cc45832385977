"""The leaderboard: its committed results re-score to what they claim, and the README shows them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import pytest

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.cli import main
from zhnerbench.eval.evaluation import evaluate
from zhnerbench.eval.readers import read_predictions
from zhnerbench.eval.relations import score_relations
from zhnerbench.leaderboard.render import leaderboard_markdown
from zhnerbench.leaderboard.run import run_system
from zhnerbench.model import Document, Span
from zhnerbench.views import VIEWS, gold_spans


@pytest.fixture(scope="module")
def board(root) -> dict:
    return json.loads((root / "results" / "leaderboard.json").read_text(encoding="utf-8"))


def test_readme_table_is_generated_from_the_json(root, board):
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- generated:leaderboard -->\n(.*)\n<!-- /generated:leaderboard -->", readme, re.DOTALL)
    assert block is not None
    assert block.group(1) == leaderboard_markdown(board)
    assert (root / "results" / "leaderboard.md").read_text(encoding="utf-8") == (
        "# zhnerbench leaderboard\n\n" + leaderboard_markdown(board) + "\n")


def test_committed_predictions_rescore_to_the_published_numbers(root, board, gold: Document):
    ran = [s for s in board["systems"] if s["status"] == "ran"]
    assert len(ran) >= 5
    for system in ran:
        predictions = read_predictions(root / "results" / "predictions" / f"{system['name']}.jsonl", [gold])
        evaluation = evaluate([gold], predictions, views=system["views"], samples=board["run"]["bootstrap_samples"],
                              seed=board["run"]["seed"])
        for view, published in system["scores"].items():
            micro = evaluation.views[view].scores.micro
            assert round(micro.f1, 4) == published["f1"], (system["name"], view)
            assert micro.correct == published["correct"] and micro.predicted == published["predicted"]
            interval = evaluation.views[view].intervals.micro.f1
            assert interval is not None
            assert [round(interval.low, 4), round(interval.high, 4)] == published["f1_ci"]


def test_committed_relation_predictions_rescore(root, board, gold: Document):
    assert {row["baseline"] for row in board["relations"]} == {"cooccurrence", "patterns"}
    for row in board["relations"]:
        path = root / "results" / "predictions" / f"relations-{row['baseline']}-on-{row['entities']}.jsonl"
        read_back = read_predictions(path, [gold]).relations
        assert read_back is not None
        relations = read_back[gold.id]
        assert len(relations) == row["predicted"]
        for mode in ("strict", "text"):
            assert round(score_relations([(gold, relations)], mode).micro.f1, 4) == row[mode]["f1"]


def test_unavailable_systems_say_why_and_how(board):
    for system in board["systems"]:
        if system["status"] != "ran":
            assert system["reason"] and system["requires"]
            assert "/root" not in system["reason"] and "/home/" not in system["reason"]


class _Tagger:
    """The attributes the Tagger protocol asks for, typed as it types them."""

    name: str = "tagger"
    version: str = "1"
    requires: str = ""
    native_labels: tuple[str, ...] = ()
    label_map: Mapping[str, str] = {}
    views: tuple[str, ...] = ("coarse",)


class _Absent(_Tagger):
    name, version, requires = "absent", "0", "pip install absent"

    def load(self) -> None:
        raise BaselineUnavailable("model not found: pip install absent")

    def predict(self, text: str) -> list[Span]:
        raise AssertionError("never called")


class _Echo(_Tagger):
    """A tagger that finds every 上海 (a GPE): real spans, known answer."""

    name = "echo"
    native_labels: tuple[str, ...] = ("GPE",)
    label_map: Mapping[str, str] = {"GPE": "GPE"}

    def load(self) -> None:
        pass

    def predict(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), "GPE") for m in re.finditer("上海(?!市)", text)]


def test_run_system_scores_what_it_writes(tmp_path, gold: Document):
    run = run_system(_Echo(), gold, tmp_path, samples=50, seed=0)
    assert run.status == "ran" and (tmp_path / "echo.jsonl").is_file()
    # In the coarse view the gold's 上海 are the flat ones and those inside events and titles.
    expected = {(s.start, s.end) for s in gold_spans(gold, VIEWS["coarse"]) if gold.text[s.start:s.end] == "上海"}
    assert len(expected) == 10  # six flat ones, four inside report titles
    found = {(s.start, s.end) for s in run.spans}
    correct = len(found & expected)
    assert run.scores["coarse"]["correct"] == correct and run.scores["coarse"]["predicted"] == len(found)


def test_unavailable_system_is_listed_not_scored(tmp_path, gold: Document):
    run = run_system(_Absent(), gold, tmp_path, samples=50, seed=0)
    assert run.status == "unavailable" and run.reason == "model not found" and run.requires == "pip install absent"
    assert not list(tmp_path.iterdir())


class _Crashing(_Echo):
    name = "crashing"

    def predict(self, text: str) -> list[Span]:
        raise RuntimeError("library bug\nwith a second line")


class _Overlapping(_Echo):
    name = "overlapping"

    def predict(self, text: str) -> list[Span]:
        return [Span(0, 4, "GPE"), Span(2, 6, "ORG")]


def test_a_crashing_tagger_is_listed_as_failed(tmp_path, gold: Document):
    run = run_system(_Crashing(), gold, tmp_path, samples=50, seed=0)
    assert run.status == "failed" and run.reason == "crashed: RuntimeError: library bug with a second line"


def test_invalid_tagger_output_is_listed_as_failed_and_not_kept(tmp_path, gold: Document):
    run = run_system(_Overlapping(), gold, tmp_path, samples=50, seed=0)
    assert run.status == "failed" and run.reason.startswith("invalid output: ") and "overlap" in run.reason
    assert not list(tmp_path.iterdir())


def test_leaderboard_command_end_to_end(checkout, capsys):
    pytest.importorskip("jieba")
    pytest.importorskip("matplotlib")
    assert main(["leaderboard", "--systems", "jieba-posseg", "--samples", "100"]) == 0
    board = json.loads((checkout / "results" / "leaderboard.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in board["systems"]] == ["jieba-posseg"]
    assert (checkout / "results" / "leaderboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    predictions = sorted(p.name for p in (checkout / "results" / "predictions").iterdir())
    assert predictions == ["jieba-posseg.jsonl", "relations-cooccurrence-on-gold.jsonl",
                           "relations-cooccurrence-on-jieba-posseg.jsonl", "relations-patterns-on-gold.jsonl",
                           "relations-patterns-on-jieba-posseg.jsonl"]
    readme = (checkout / "README.md").read_text(encoding="utf-8")
    assert leaderboard_markdown(board) in readme
    assert main(["leaderboard", "--systems", "nope"]) == 2
    assert "unknown system(s) nope" in capsys.readouterr().err
