"""The Hub's evaluation results (issue 20): the benchmark's eval.yaml and a system's
.eval_results file, checked against the documented fields; tie-aware ranks on the board."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from zhnerbench.board import hub
from zhnerbench.gold import dataset
from zhnerbench.cli import main
from zhnerbench.board.hub import EVAL_RESULTS_DIR, EVAL_RESULTS_FILE, eval_results_problems
from zhnerbench.document import Document
from zhnerbench.views import VIEWS, gold_spans

pytest.importorskip("matplotlib")


def _front_matter(root: Path) -> dict:
    readme = (root / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(readme.split("---\n")[1])


def test_every_task_of_eval_yaml_is_a_config_and_split_of_the_card(root: Path) -> None:
    benchmark = yaml.safe_load((root / "eval.yaml").read_text(encoding="utf-8"))
    assert set(benchmark) == {"name", "description", "evaluation_framework", "tasks"}
    assert benchmark["evaluation_framework"] == "zhnerbench" and hub.SPLIT == dataset.SPLIT
    splits = {config["config_name"]: {f["split"] for f in config["data_files"]} for config in _front_matter(root)["configs"]}
    assert [task["id"] for task in benchmark["tasks"]] == list(VIEWS)
    for task in benchmark["tasks"]:
        assert task["split"] in splits[task["config"]], task
        assert task["description"].startswith("Micro F1")


def _gold_file(gold: Document, path: Path) -> Path:
    spans = [{"start": s.start, "end": s.end, "label": s.label} for s in gold_spans(gold, VIEWS["coarse"])]
    path.write_text(json.dumps({"id": gold.id, "mentions": spans}) + "\n", encoding="utf-8")
    return path


def test_evaluate_writes_a_results_file_the_documented_format_accepts(gold: Document, root: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    model_repo = tmp_path / "my-model"
    model_repo.mkdir()
    predictions = _gold_file(gold, tmp_path / "pred.jsonl")
    assert main(["evaluate", str(predictions), "--view", "coarse", "--samples", "50", "--eval-results", str(model_repo),
                 "--hub-id", "me/zhnerbench", "--source-url", "https://me:s3cret@example.org/logs?token=k"]) == 0
    written = model_repo / EVAL_RESULTS_DIR / EVAL_RESULTS_FILE
    text = written.read_text(encoding="utf-8")
    assert "s3cret" not in text and "token" not in text
    entries = yaml.safe_load(text)
    tasks = [task["id"] for task in yaml.safe_load((root / "eval.yaml").read_text(encoding="utf-8"))["tasks"]]
    assert eval_results_problems(entries, tasks) == []
    (entry,) = entries
    assert entry["dataset"] == {"id": "me/zhnerbench", "task_id": "coarse", **({"revision": entry["dataset"]["revision"]}
                                                                                if "revision" in entry["dataset"] else {})}
    assert entry["value"] == 100.0 and entry["source"] == {"url": "https://example.org/logs"}
    assert "95% bootstrap interval" in entry["notes"] and isinstance(entry["date"], str)
    assert f"wrote {written}" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--hub-id", "not an id"], "--hub-id 'not an id': expected NAMESPACE/NAME"),
    (["--eval-results", "/nonexistent-folder"], "--eval-results /nonexistent-folder: no such folder"),
])
def test_bad_hub_options_are_one_line_before_anything_is_scored(gold: Document, tmp_path: Path, argv: list[str],
                                                                 message: str, capsys: pytest.CaptureFixture[str]) -> None:
    predictions = _gold_file(gold, tmp_path / "pred.jsonl")
    argv = ["--eval-results", str(tmp_path), *argv] if "--eval-results" not in argv else argv
    assert main(["evaluate", str(predictions), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_the_validator_refuses_what_the_documentation_does_not_allow() -> None:
    good = {"dataset": {"id": "a/b", "task_id": "coarse"}, "value": 87.9}
    assert eval_results_problems([good], ["coarse"]) == []
    assert eval_results_problems({"value": 1}, ["coarse"]) == ["the file must be a non-empty YAML list"]
    cases = {
        "task_id 'x' is not a task of eval.yaml": {**good, "dataset": {"id": "a/b", "task_id": "x"}},
        "date must be an ISO-8601 string": {**good, "date": "yesterday"},
        "source must be a mapping with a url": {**good, "source": {"name": "logs"}},
        "unknown key 'score'": {**good, "score": 1},
    }
    for message, entry in cases.items():
        assert any(message in problem for problem in eval_results_problems([entry], ["coarse"])), message


def test_the_leaderboard_writes_one_systems_results_as_the_board_shows_them(gold: Document, tmp_path: Path) -> None:
    from zhnerbench.board.records import read_records

    model_repo = tmp_path / "my-model"
    model_repo.mkdir()
    board = tmp_path / "board"
    predictions = _gold_file(gold, tmp_path / "pred.jsonl")
    assert main(["leaderboard", "--output", str(board), "--start-empty", "--samples", "50", "--counterfactual", "0",
                 "--add", f"mine={predictions}", "--eval-results", str(model_repo)]) == 0
    entries = yaml.safe_load((model_repo / EVAL_RESULTS_DIR / EVAL_RESULTS_FILE).read_text(encoding="utf-8"))
    record = read_records(board)["mine"]
    assert {e["dataset"]["task_id"]: e["value"] for e in entries} == {
        view: round(100 * score["micro"]["f1"], 1) for view, score in record["scores"].items()}
    assert all(e["dataset"]["id"] == hub.PLACEHOLDER_HUB_ID for e in entries)
    assert main(["leaderboard", "--output", str(board), "--systems", "jieba-posseg,thulac",
                 "--eval-results", str(model_repo)]) == 2


def test_ranks_are_shared_where_the_paired_test_cannot_separate(root: Path) -> None:
    board = json.loads((root / "results" / "leaderboard.json").read_text(encoding="utf-8"))
    ran = [system for system in board["systems"] if system["status"] == "ran" and "coarse" in system["scores"]]
    ordered = sorted(ran, key=lambda s: (-s["scores"]["coarse"]["micro"]["f1"], s["name"]))
    ranks = [system["ranks"]["coarse"] for system in ordered]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    assert all(rank in (previous, position + 1) for position, (previous, rank) in enumerate(zip([1, *ranks], ranks)))
    assert len(set(ranks)) < len(ranks)  # on 64 sentences, some neighbours cannot be told apart
    table = (root / "results" / "leaderboard.md").read_text(encoding="utf-8").split("**NER, view `coarse`**")[1]
    rows = [line for line in table.split("\n\n")[1].splitlines()[2:]]
    assert [int(row.split(" | ")[0].lstrip("| ")) for row in rows] == ranks
