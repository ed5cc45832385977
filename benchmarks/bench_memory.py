"""Peak memory and time of ``zhnerbench evaluate`` on hostile inputs up to the size limit (run by hand).

    python benchmarks/bench_memory.py [--sizes 4,16,64]

For each kind of input and size (MiB; 64 is the input limit) it writes the file,
runs ``zhnerbench evaluate FILE --samples 10`` in a fresh process, and reports the
process's peak resident memory (``VmHWM``) and wall time. The reference is the
same command on a one-byte file (an empty prediction file: the same imports, the same
early error), measured in the same run; the published jieba-posseg predictions are
measured too, for the memory of a whole scoring run. The figure of merit is the
*extra* peak memory per input byte,
(peak - reference peak) / size, which the limit keeps at about 10 or less, and the
time per MiB, which should not grow with the size (linear-time parsing).

Kinds: ``blank`` (only newlines), ``conll`` (one character and a tag per line: a
CoNLL file with far too many lines), ``long-line`` (one CoNLL line of one huge
tag), ``mentions`` (one documents-format line with a huge mention list), ``json-lines``
(many JSON lines with unknown document ids).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "results" / "predictions" / "jieba-posseg.jsonl"
DOCUMENT = "000_e491b11e84c79d89"
MIB = 1 << 20

# VmHWM, not ru_maxrss: a forked child's ru_maxrss counts the parent's memory before exec.
MEASURE = """
import sys
from zhnerbench.cli import main
status = main(sys.argv[1:])
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(peak, status, file=sys.stderr)
"""


def write_input(kind: str, path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as stream:
        if kind == "blank":
            stream.write("\n" * size)
        elif kind == "conll":
            stream.write("上\tB-GPE\n" * (size // 10))
        elif kind == "long-line":
            stream.write("上\tB-" + "X" * (size - 6) + "\n")
        elif kind == "mentions":
            mention = '{"start": 13, "end": 24, "label": "EVENT"}, '
            count = (size - 100) // len(mention)
            stream.write(f'{{"id": "{DOCUMENT}", "mentions": [' + mention * (count - 1) + mention[:-2] + "]}\n")
        elif kind == "json-lines":
            line = json.dumps({"id": "unknown-document", "mentions": []}) + "\n"
            stream.write(line * (size // len(line)))
        else:
            raise ValueError(kind)


def measure_command(arguments: list[str]) -> tuple[float, float, int, str]:
    """Peak RSS (MiB), wall seconds, exit status and standard output of ``zhnerbench ARGUMENTS``
    in a new process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, *arguments], capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    last = done.stderr.strip().splitlines()[-1].split()
    return int(last[0]) / 1024, seconds, int(last[1]), done.stdout


def measure(path: Path) -> tuple[float, float, int]:
    """Peak RSS (MiB), wall seconds and exit status of ``evaluate path`` in a new process."""
    return measure_command(["evaluate", str(path), "--samples", "10"])[:3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="4,16,64", help="input sizes in MiB (default 4,16,64; 64 is the limit)")
    parser.add_argument("--kinds", default="blank,conll,long-line,mentions,json-lines")
    args = parser.parse_args()
    scoring_rss, scoring_seconds, status = measure(REFERENCE)
    print(f"a whole scoring run, {REFERENCE.name} ({REFERENCE.stat().st_size / 1024:.0f} kB): peak {scoring_rss:.0f} MiB, "
          f"{scoring_seconds:.2f} s, exit {status}")
    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder) / "tiny.jsonl"
        tiny.write_text("\n", encoding="utf-8")
        reference_rss, reference_seconds, status = measure(tiny)
    print(f"reference, a one-byte file: peak {reference_rss:.0f} MiB, {reference_seconds:.2f} s, exit {status}")
    print(f"{'kind':<11} {'MiB':>5} {'peak MiB':>9} {'extra/input':>12} {'seconds':>8} {'s/MiB':>7} exit")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.kinds.split(","):
            for mib in (int(size) for size in args.sizes.split(",")):
                path = Path(folder) / f"{kind}.txt"
                size = min(mib * MIB, 64 * MIB)  # at the limit exactly, not over it
                write_input(kind, path, size)
                actual = path.stat().st_size
                rss, seconds, status = measure(path)
                ratio = max(rss - reference_rss, 0) * MIB / actual
                worst = max(worst, ratio)
                print(f"{kind:<11} {actual / MIB:>5.0f} {rss:>9.0f} {ratio:>11.1f}x {seconds:>8.2f} "
                      f"{(seconds - reference_seconds) / (actual / MIB):>7.3f} {status}")
                path.unlink()
    print(f"worst extra peak memory per input byte: {worst:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
