"""Deadlines that end the process (issue 32): ``--timeout``, Ctrl-C and SIGTERM end ``tag`` and
``leaderboard`` within seconds, with their one line and exit status, whatever the system is
doing: waiting on a server that never answers or trickles a byte every 2 s, or stuck in its own
``load`` or ``predict``. Each case runs the command as a process (signals and exit are the
process's), against a stub server in this process or a ``py:`` tagger written here."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.openai_stub_server import Canned, StubServer
from zhnerbench.baselines.base import split_for_tagging
from zhnerbench.baselines.openai_chat import OpenAIChatTagger

pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 3
#: Loading an ``openai:`` system imports the ``openai`` client, within the deadline too (2-3 s on
#: a loaded machine): its runs get a deadline its load fits in, so that the one that passes is
#: the document's, while a request is in flight.
SERVER_TIMEOUT = 6
#: On the board the four systems load at once, two of them importing the client: more time.
BOARD_TIMEOUT = 10
#: Generous bounds for a loaded machine (the guarantee is 2 s after a signal, and the deadline
#: plus the command's own work after it): a process that waits for its threads takes minutes.
AFTER_SIGNAL, AFTER_DEADLINE_LINE, WHOLE_RUN = 5.0, 5.0, 45.0
TRICKLE_SECONDS = 2.0

#: A ``py:`` system stuck in its own code: ``load`` sleeps in the main thread (or the thread
#: that loads it); ``predict`` waits forever on a worker of its own, as a library with a thread
#: pool does (the worker is not a daemon: Python would wait for it at exit).
HANGING = textwrap.dedent('''
    import concurrent.futures, os, pathlib, time

    class Hanging:
        version, requires, native_labels, label_map, views = "1", "nothing", ("PERSON",), {"PERSON": "PERSON"}, ("coarse",)

        def __init__(self, name, step):
            self.name, self.step = name, step

        def _stuck(self):
            pathlib.Path(os.environ["HANG_MARKER"]).write_text(self.step)
            if self.step == "load":
                while True:
                    time.sleep(3600)
            concurrent.futures.ThreadPoolExecutor(1).submit(time.sleep, 10**6).result()

        def load(self):
            if self.step == "load":
                self._stuck()

        def predict(self, text):
            self._stuck()

    def in_predict(**options):
        return Hanging("hang-predict", "predict")

    def in_predict_too(**options):
        return Hanging("hang-predict-too", "predict")

    def in_load(**options):
        return Hanging("hang-load", "load")

    def in_load_too(**options):
        return Hanging("hang-load-too", "load")
''')


@pytest.fixture
def places(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "hanging_tagger.py").write_text(HANGING, encoding="utf-8")
    yield tmp_path


def _command(command: str, system: str, base_url: str | None, out: Path, board: Path, jobs: int = 2) -> list[str]:
    head = [sys.executable, "-m", "zhnerbench.cli"]
    url = ["--base-url", base_url] if base_url else []
    if command == "tag":
        return [*head, "tag", system, str(out), "--counterfactual", "0", *url]
    return [*head, "leaderboard", "--systems", system, "--output", str(board), "--start-empty", "--samples", "20",
            "--counterfactual", "0", "--jobs", str(jobs), *url]


def _deliverable_signals() -> None:
    """In the child: SIGINT and SIGTERM neither blocked nor ignored, as at a terminal."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


SCENARIOS = ["silent server", "trickling server", "stuck in predict", "stuck in load"]


def _start(scenario: str, command: str, places: Path, extra: list[str]) -> tuple[subprocess.Popen[str], StubServer | None]:
    stub = None
    if scenario.endswith("server"):
        stub = StubServer({}, Canned(silent=True) if scenario == "silent server" else Canned(trickle=TRICKLE_SECONDS))
        stub.__enter__()
        system = "openai:stub-model"
    else:  # on the board, two at once: the main thread waits for the threads they run in
        factory = "py:hanging_tagger:in_load" if scenario == "stuck in load" else "py:hanging_tagger:in_predict"
        system = factory + (f",{factory}_too" if command == "leaderboard" else "")
    environment = {**os.environ, "ZHNERBENCH_CACHE": str(places / "cache"), "PYTHONPATH": f"{places}:{ROOT}",
                   "HANG_MARKER": str(places / "marker")}
    environment.pop("OPENAI_API_KEY", None)
    arguments = _command(command, system, stub.base_url if stub else None, places / "pred.jsonl", places / "board")
    # The board goes to stdout: not read by the test, not left to fill a pipe.
    process = subprocess.Popen([*arguments, *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=environment, preexec_fn=_deliverable_signals)
    return process, stub


def _nothing_half_written(places: Path) -> None:
    leftovers = [path.name for path in places.rglob("*")
                 if path.name.endswith((".tmp", ".zhnerbench-pending")) or path.name.startswith(".pred.jsonl.")
                 or path.name == ".zhnerbench-transaction.json"]
    assert not leftovers and not (places / "pred.jsonl").exists(), leftovers


def timeout_of(scenario: str) -> int:
    return SERVER_TIMEOUT if scenario.endswith("server") else TIMEOUT


def run_to_end(process: subprocess.Popen[str], stub: StubServer | None) -> tuple[int, float, list[tuple[float, str]]]:
    """The process's status, when it ended and its stderr lines with the time each came (read as
    they come), waiting at most :data:`WHOLE_RUN`; then the process is killed and the stub stopped."""
    lines: list[tuple[float, str]] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append((time.monotonic(), line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        status = process.wait(timeout=WHOLE_RUN)
        ended = time.monotonic()
        reader.join(5)
    finally:
        process.kill()
        if stub is not None:
            stub.__exit__()
    return status, ended, lines


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_timeout_ends_tag(scenario: str, places: Path) -> None:
    started = time.monotonic()
    timeout = timeout_of(scenario)
    process, stub = _start(scenario, "tag", places, ["--timeout", str(timeout)])
    status, ended, lines = run_to_end(process, stub)
    err = "".join(line for _, line in lines)
    deadline_line_at = next((at for at, line in lines if "(--timeout)" in line), None)
    assert ended - started < WHOLE_RUN, err
    step = "load" if scenario == "stuck in load" else "predict"
    assert status == 2 and deadline_line_at is not None, err
    assert err.startswith("zhnerbench tag: error: system ") and err.count("\n") == 1, err
    assert f"{step} took more than {timeout} s" in err
    assert stub is None or sum(stub.calls.values()) > 0  # the deadline passed while requests were in flight
    assert ended - deadline_line_at < AFTER_DEADLINE_LINE, err
    _nothing_half_written(places)


def test_the_timeout_ends_the_leaderboard(places: Path) -> None:
    """Every scenario at once, a system each: each fails on the board at its deadline, the board
    is written, and the process ends without waiting for what they left running."""
    by_model = {"silent": Canned(silent=True), "trickling": Canned(trickle=TRICKLE_SECONDS)}
    with StubServer({}, responder=lambda body: by_model.get(str(body.get("model")))) as stub:
        systems = "openai:silent,openai:trickling,py:hanging_tagger:in_predict,py:hanging_tagger:in_load"
        arguments = _command("leaderboard", systems, stub.base_url, places / "pred.jsonl", places / "board", jobs=4)
        started = time.monotonic()
        process = subprocess.Popen([*arguments, "--timeout", str(BOARD_TIMEOUT)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, preexec_fn=_deliverable_signals,
                                   env={**os.environ, "ZHNERBENCH_CACHE": str(places / "cache"),
                                        "PYTHONPATH": f"{places}:{ROOT}", "HANG_MARKER": str(places / "marker")})
        status, ended, lines = run_to_end(process, None)
    err = "".join(line for _, line in lines)
    assert status == 0 and ended - started < WHOLE_RUN, err  # the systems fail on the board, which is written
    assert stub.calls[""] > 0  # the servers' systems had requests in flight
    records = places / "board" / "records"
    for name, step in [("openai-silent", "predict"), ("openai-trickling", "predict"), ("hang-predict", "predict"),
                       ("hang-load", "load")]:
        record = json.loads((records / f"{name}.json").read_text(encoding="utf-8"))
        assert (record["status"], record["reason"]) == ("failed", f"system {name}: {step} took more than {BOARD_TIMEOUT} s"
                                                        + (" on document 000_e491b11e84c79d89" if step == "predict"
                                                           else "") + " (--timeout)"), record
    _nothing_half_written(places / "board")


#: The signal each case gets: each command sees both, each scenario both.
SIGNALS = {("silent server", "tag"): signal.SIGINT, ("silent server", "leaderboard"): signal.SIGTERM,
           ("trickling server", "tag"): signal.SIGTERM, ("trickling server", "leaderboard"): signal.SIGINT,
           ("stuck in predict", "tag"): signal.SIGTERM, ("stuck in predict", "leaderboard"): signal.SIGINT,
           ("stuck in load", "tag"): signal.SIGINT, ("stuck in load", "leaderboard"): signal.SIGTERM}


@pytest.mark.parametrize("command", ["tag", "leaderboard"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ctrl_c_and_sigterm_end_the_process(scenario: str, command: str, places: Path) -> None:
    number = SIGNALS[scenario, command]
    process, stub = _start(scenario, command, places, [])
    try:
        waited = time.monotonic() + WHOLE_RUN
        # Inside the request or the tagger's own code, then a little longer.
        while process.poll() is None and time.monotonic() < waited and \
                not (sum(stub.calls.values()) if stub else (places / "marker").exists()):
            time.sleep(0.05)
        assert process.poll() is None, process.communicate()
        time.sleep(0.3)
        signalled = time.monotonic()
        process.send_signal(number)
        out, err = process.communicate(timeout=WHOLE_RUN)
        ended = time.monotonic()
    finally:
        process.kill()
        if stub is not None:
            stub.__exit__()
    status, word = (130, "interrupted") if number == signal.SIGINT else (143, "terminated")
    assert (process.returncode, err.splitlines()[-1]) == (
        status, f"zhnerbench {command}: {word}; files are written whole or not at all"), err[-500:]
    assert "Traceback" not in err
    assert ended - signalled < AFTER_SIGNAL, err[-500:]
    _nothing_half_written(places)
    assert not (places / "board" / "records").exists()


def test_a_trickling_server_cannot_outlast_the_request_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's timeout bounds each request as a whole: httpx's per-read timeouts alone never
    end a request whose bytes keep coming."""
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    text = "张为出席。钟志华致辞。"
    with StubServer({"张为": Canned(trickle=0.2)}, Canned('{"entities": [{"text": "钟志华", "label": "PERSON"}]}')) as stub:
        tagger = OpenAIChatTagger(model="m", base_url=stub.base_url, timeout=1.0, max_retries=1)
        tagger.load()
        started = time.monotonic()
        spans = tagger.predict(text)
        elapsed = time.monotonic() - started
    assert len(split_for_tagging(text, 300)) == 2 and [text[s.start:s.end] for s in spans] == ["钟志华"]
    assert tagger.diagnostics["failed"] == 1 and "timed out" in tagger.diagnostics["failed_examples"][0][1]
    assert stub.calls[""] + stub.calls["张为"] >= 3 and 2.0 <= elapsed < 10  # two attempts of 1 s each, and no more


def test_a_deadline_cancels_the_conversations_not_yet_sent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhnerbench.baselines.base import TaggerError, predict_document
    from zhnerbench.gold.article import document_from_text

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    document = document_from_text("标题 2022年07月22日\n" + "".join(f"第{index}句。" for index in range(40)))
    with StubServer({}, Canned(delay=0.5)) as stub:
        tagger = OpenAIChatTagger(model="m", base_url=stub.base_url, concurrency=2, max_retries=0)
        tagger.load()
        with pytest.raises(TaggerError, match=r"predict took more than 0\.2 s"):
            predict_document(tagger, document, 0.2)
        time.sleep(1.0)  # the two requests in flight end; none is sent after them
        sent = sum(stub.calls.values())
    assert sent <= 4


def test_a_relation_system_has_the_same_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhnerbench.baselines.openai_relations import OpenAIRelationExtractor
    from zhnerbench.eval.bootstrap import Resampling
    from zhnerbench.gold import load_gold
    from zhnerbench.runner.run import run_relation_system

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    with StubServer({}, Canned(silent=True)) as stub:
        extractor = OpenAIRelationExtractor(model="m", base_url=stub.base_url)
        started = time.monotonic()
        record, files = run_relation_system(extractor, "openai-relations:m", {}, load_gold(None)[0], Resampling(20, 0),
                                            timeout=0.5)
        elapsed = time.monotonic() - started
    assert (record["status"], files) == ("failed", {}) and elapsed < 5
    assert record["reason"] == "system openai-m-relations: predict_relations took more than 0.5 s (--timeout)"
