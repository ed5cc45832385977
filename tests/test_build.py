"""The committed generated files are exactly what `zhnerbench build` produces."""

from __future__ import annotations

from zhnerbench.paths import MENTIONS_FILE
from zhnerbench.commands.build import generated_files, stale_files
from zhnerbench.cli import main


def test_committed_files_equal_a_fresh_build(root):
    files = generated_files(root)
    assert {"corpus/article.txt", "corpus/lines.tsv", "data/ner/test.jsonl", "README.md"} <= set(files)
    assert stale_files(root, files) == []


def test_build_rewrites_an_edited_file_and_check_reports_it(checkout, capsys):
    (checkout / "data" / "ner" / "test.jsonl").write_text("{}\n", encoding="utf-8")
    assert main(["build", "--check"]) == 1
    assert "data/ner/test.jsonl: out of date" in capsys.readouterr().out
    assert main(["build"]) == 0
    assert main(["build", "--check"]) == 0


def test_build_writes_nothing_when_the_gold_is_invalid(checkout, capsys):
    before = {p: p.read_bytes() for p in checkout.rglob("*") if p.is_file()}
    (checkout / "data" / "ner" / "test.jsonl").write_text("stale\n", encoding="utf-8")
    before[checkout / "data" / "ner" / "test.jsonl"] = b"stale\n"
    mentions = checkout / MENTIONS_FILE
    mentions.write_text(mentions.read_text(encoding="utf-8").replace("\tTIME\t", "\tTIMEX\t"), encoding="utf-8")
    before[mentions] = mentions.read_bytes()
    assert main(["build"]) == 2
    assert "unknown label 'TIMEX'" in capsys.readouterr().err
    after = {p: p.read_bytes() for p in checkout.rglob("*") if p.is_file()}
    assert after == before


def test_readme_generated_blocks_must_exist(checkout, capsys):
    readme = checkout / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("<!-- generated:examples -->\n", ""), encoding="utf-8")
    assert main(["build"]) == 2
    assert "README.md: missing the block <!-- generated:examples -->" in capsys.readouterr().err
