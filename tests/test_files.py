"""Writing results: a transaction killed at any step leaves its files all old or all new."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.writing import JOURNAL_NAME, LOCK_NAME, PENDING_SUFFIX, check_output, exclusive, recover, write_all

OLD = {"records/a.json": b"old a", "records/b.json": b"old b", "board.json": b"old board", "gone.jsonl": b"old"}
NEW: dict[str, bytes | None] = {"records/a.json": b"new a", "records/b.json": b"new b", "board.json": b"new board",
                                "gone.jsonl": None, "records/c.json": b"new c"}

# Runs one transaction in a child process that SIGKILLs itself at the N-th file-system step
# (a pending file written, the journal written, a rename, a deletion): a real kill, no cleanup.
CHILD = textwrap.dedent("""
    import json, os, signal, sys
    from pathlib import Path
    import zhnerbench.writing as files

    folder, kill_at = Path(sys.argv[1]), int(sys.argv[2])
    steps = 0

    def step(function):
        def wrapped(*args, **kwargs):
            global steps
            steps += 1
            if steps == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)
        return wrapped

    files._write_new = step(files._write_new)
    files.os.replace = step(os.replace)
    Path.unlink = step(Path.unlink)
    new = {folder / name: (content.encode() if content is not None else None)
           for name, content in json.loads(sys.argv[3]).items()}
    files.write_all(new, folder / files.JOURNAL_NAME)
    print(steps)
""")


def _state(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _run_killed(folder: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    plan = json.dumps({name: content.decode() if content is not None else None for name, content in NEW.items()})
    return subprocess.run([sys.executable, "-c", CHILD, str(folder), str(kill_at), plan],
                          capture_output=True, text=True, timeout=60)


def test_a_kill_at_any_step_leaves_all_old_or_all_new(tmp_path: Path) -> None:
    old_state = {name: content for name, content in OLD.items()}
    new_state = {name: content for name, content in NEW.items() if content is not None}
    outcomes = []
    kill_at = 1
    while True:
        folder = tmp_path / f"kill-{kill_at}"
        for name, content in OLD.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        finished = _run_killed(folder, kill_at)
        recover(folder / JOURNAL_NAME)  # what the next command does first
        state = _state(folder)
        assert state in (old_state, new_state), (kill_at, state)
        outcomes.append("new" if state == new_state else "old")
        if finished.returncode == 0:  # the kill point is past the last step: the whole run
            break
        assert finished.returncode == -signal.SIGKILL
        kill_at += 1
    # Killed before the commit point: old; after it: new (completed by recover).
    assert outcomes[0] == "old" and outcomes[-1] == "new" and "old" in outcomes[:-1] and "new" in outcomes[:-1]
    assert outcomes == sorted(outcomes, key=["old", "new"].index)


def test_an_os_error_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"old")
    blocker = tmp_path / "sub"
    blocker.write_bytes(b"a file where a folder should be")
    with pytest.raises(ZhNerBenchError, match="nothing was changed"):
        write_all({tmp_path / "a.txt": b"new", blocker / "b.txt": b"new"}, tmp_path / JOURNAL_NAME)
    assert _state(tmp_path) == {"a.txt": b"old", "sub": b"a file where a folder should be"}
    assert not list(tmp_path.rglob(f"*{PENDING_SUFFIX}"))


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from zhnerbench.writing import exclusive
        with exclusive(Path({str(tmp_path / LOCK_NAME)!r}), "x"):
            print("holding", flush=True)
            time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(ZhNerBenchError, match="another zhnerbench command is writing the board"):
            with exclusive(tmp_path / LOCK_NAME, "the board"):
                pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive(tmp_path / LOCK_NAME, "the board"):  # released when its holder died
        pass


@pytest.mark.parametrize("make, message", [
    (lambda p: p.symlink_to(p.parent / "elsewhere"), "symbolic link"),
    (lambda p: os.mkfifo(p), "FIFO"),
    (lambda p: p.mkdir(), "a directory"),
])
def test_outputs_that_are_not_regular_files_are_refused(tmp_path: Path, make, message: str) -> None:
    target = tmp_path / "out.json"
    make(target)
    with pytest.raises(ZhNerBenchError, match=message):
        check_output(target, None)


def test_files_git_tracks_are_refused(root: Path) -> None:
    with pytest.raises(ZhNerBenchError, match="git tracks it"):
        check_output(root / "README.md", root)
    with pytest.raises(ZhNerBenchError, match="never writes under annotations/"):
        check_output(root / "annotations" / "new.json", root)
