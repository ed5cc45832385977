"""How long ``tag`` and ``leaderboard`` take to end after a deadline or a signal.

    python benchmarks/bench_deadlines.py

Runs each command as a process, as ``tests/test_deadlines.py`` does, against a local server
that never answers, one that sends a byte every 2 s, and ``py:`` taggers stuck in ``predict``
(on a worker thread of their own) or in ``load``. With ``--timeout 3`` (6 against a server:
loading ``openai:`` imports its client within the deadline) it reports the seconds
from the start to the exit, and for ``tag`` from the deadline's line to the exit; with SIGINT
and SIGTERM, sent once the request or the tagger's code is under way, the seconds from the
signal to the exit. The guarantee is 2 s after a signal or the deadline's line; a process
that waited for what it left running would take minutes (``tag`` on zhnerbench 1.4.1: until
the server closed).
"""

from __future__ import annotations

import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' stub server and helpers

from tests.test_deadlines import HANGING, SCENARIOS, WHOLE_RUN, _start, run_to_end, timeout_of  # noqa: E402


def timed_out(scenario: str, command: str, places: Path) -> tuple[float, float | None, int]:
    started = time.monotonic()
    process, stub = _start(scenario, command, places, ["--timeout", str(timeout_of(scenario))])
    status, ended, lines = run_to_end(process, stub)
    line_at = next((at for at, line in lines if "(--timeout)" in line), None)
    return ended - started, (ended - line_at if line_at is not None else None), status


def signalled(scenario: str, command: str, places: Path, number: int) -> tuple[float, int]:
    process, stub = _start(scenario, command, places, [])
    try:
        while process.poll() is None and not (sum(stub.calls.values()) if stub else (places / "marker").exists()):
            time.sleep(0.05)
        time.sleep(0.3)
        sent = time.monotonic()
        process.send_signal(number)
        process.communicate(timeout=WHOLE_RUN)
        return time.monotonic() - sent, process.returncode
    finally:
        process.kill()
        if stub is not None:
            stub.__exit__()


def main() -> None:
    print("| command | system | --timeout | start to exit (s) | deadline line to exit (s) | status "
          "| SIGINT to exit (s) | SIGTERM to exit (s) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for command in ("tag", "leaderboard"):
        for scenario in SCENARIOS:
            cells = []
            with tempfile.TemporaryDirectory() as folder:
                places = Path(folder)
                (places / "hanging_tagger.py").write_text(HANGING, encoding="utf-8")
                whole, after_line, status = timed_out(scenario, command, places)
                cells += [str(timeout_of(scenario)), f"{whole:.2f}", "–" if after_line is None else f"{after_line:.2f}",
                          str(status)]
            for number in (signal.SIGINT, signal.SIGTERM):
                with tempfile.TemporaryDirectory() as folder:
                    places = Path(folder)
                    (places / "hanging_tagger.py").write_text(HANGING, encoding="utf-8")
                    seconds, code = signalled(scenario, command, places, number)
                    cells.append(f"{seconds:.2f} ({code})")
            print(f"| {command} | {scenario} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
