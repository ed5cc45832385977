"""`zhnerbench validate` passes on the gold and catches every kind of corruption."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhnerbench.annotations.gold import MENTIONS_FILE, RELATIONS_FILE, read_gold
from zhnerbench.cli import main


def edit_row(path: Path, row_id: str, **changes: str) -> None:
    """Change fields of the TSV row whose first field is ``row_id``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    for index, line in enumerate(lines):
        fields = line.split("\t")
        if fields[0] == row_id:
            for column, value in changes.items():
                fields[header.index(column)] = value
            lines[index] = "\t".join(fields)
            path.write_text("\n".join(lines), encoding="utf-8")
            return
    raise AssertionError(f"no row {row_id}")


def append_row(path: Path, row: str) -> None:
    with path.open("a", encoding="utf-8") as stream:
        stream.write(row + "\n")


def problems_of(checkout: Path) -> list[str]:
    return [str(p) for p in read_gold(checkout)[1]]


def only_problem(checkout: Path) -> str:
    problems = problems_of(checkout)
    assert len(problems) == 1, problems
    return problems[0]


def test_gold_is_valid(root, capsys, monkeypatch):
    monkeypatch.setenv("ZHNERBENCH_ROOT", str(root))
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("ok: 202 mentions, 115 entities, 86 relations")


def test_wrong_offset(checkout):
    # M003 is 7月21日上午 at [85,92); shift it by one character.
    edit_row(checkout / MENTIONS_FILE, "M003", start="86", end="93")
    problem = only_problem(checkout)
    assert problem == f"{MENTIONS_FILE}:4: mention M003 '7月21日上午' [86,93): text does not match article[86:93]='月21日上午,'"


def test_overlap(checkout):
    append_row(checkout / MENTIONS_FILE, "M999\t16\t20\tGPE\tE999\t产业技术")
    problem = only_problem(checkout)
    assert "mention M999 '产业技术' [16,20): overlaps mention M001 '上海市产业技术创新大会' [13,24)" in problem


def test_cross_sentence_span(checkout, gold):
    boundary = gold.sentences[2].start  # sentence 1 ends with 。 right before it
    text = gold.text[boundary - 2:boundary + 2]
    append_row(checkout / MENTIONS_FILE, f"M999\t{boundary - 2}\t{boundary + 2}\tORG\tE999\t{text}")
    assert any("crosses a sentence boundary" in p and "M999" in p for p in problems_of(checkout))


def test_unknown_label(checkout):
    edit_row(checkout / MENTIONS_FILE, "M003", label="TIMEX")
    problem = only_problem(checkout)
    assert "mention M003 '7月21日上午' [85,92): unknown label 'TIMEX'" in problem


def test_relation_with_disallowed_argument_types(checkout):
    # R001 is 张为 has_title 常委; make the tail an ORG (市委, E005).
    edit_row(checkout / RELATIONS_FILE, "R001", tail="E005", tail_name="市委")
    problem = only_problem(checkout)
    assert problem.startswith(f"{RELATIONS_FILE}:2: relation R001 张为 -has_title-> 市委: argument types PERSON -> ORG are not allowed")


def test_duplicate_relation(checkout):
    append_row(checkout / RELATIONS_FILE, "R999\tE008\thas_title\tE006\t2\t张为\t常委")
    assert "relation R999 张为 -has_title-> 常委: duplicates relation R001" in only_problem(checkout)


def test_symmetric_relation_stored_twice_or_reversed(checkout):
    lines = (checkout / RELATIONS_FILE).read_text(encoding="utf-8").splitlines()
    partner = next(line.split("\t") for line in lines if "\tpartner_of\t" in line)
    identifier, head, relation, tail, evidence, head_name, tail_name = partner
    append_row(checkout / RELATIONS_FILE, "\t".join(["R999", tail, relation, head, evidence, tail_name, head_name]))
    problems = problems_of(checkout)
    assert len(problems) == 2
    assert any("symmetric: store it once with head id < tail id" in p for p in problems)
    assert any(f"duplicates relation {identifier}" in p for p in problems)


def test_bad_evidence_id(checkout):
    edit_row(checkout / RELATIONS_FILE, "R001", evidence="2,64")
    assert "evidence sentence id(s) 64 do not exist (0..63)" in only_problem(checkout)


def test_unsorted_or_malformed_evidence(checkout):
    edit_row(checkout / RELATIONS_FILE, "R003", evidence="45,2,44")
    assert "evidence ids must be sorted and distinct" in only_problem(checkout)
    edit_row(checkout / RELATIONS_FILE, "R003", evidence="2;44")
    assert "evidence must be comma-separated sentence ids, found '2;44'" in only_problem(checkout)


def test_changed_text(checkout, gold):
    article = checkout / "corpus" / "article.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("张为", "张伟", 1), encoding="utf-8")
    problems = problems_of(checkout)
    assert any("SHA-256" in p and "the text changed" in p for p in problems)
    first = next(m for m in gold.mentions if m.text == "张为")
    assert any(f"{first.id} '张为'" in p and "text does not match" in p for p in problems)


def test_entity_with_mixed_labels(checkout):
    edit_row(checkout / MENTIONS_FILE, "M004", label="ORG")  # second mention of the conference (EVENT)
    assert "entity E001 '上海市产业技术创新大会' mixes labels ['EVENT', 'ORG']" in only_problem(checkout)


def test_names_in_relations_must_match_entities(checkout):
    edit_row(checkout / RELATIONS_FILE, "R001", head_name="张伟")
    assert "head_name/tail_name must be the entities' names '张为' / '常委'" in only_problem(checkout)


def test_unknown_entity_in_relation(checkout):
    edit_row(checkout / RELATIONS_FILE, "R001", head="E777")
    assert "unknown entity id(s) E777" in only_problem(checkout)


def test_brackets_and_whitespace_excluded(checkout, gold):
    law = next(m for m in gold.mentions if m.label == "LAW")
    edit_row(checkout / MENTIONS_FILE, law.id, start=str(law.start - 1), text=gold.text[law.start - 1:law.end])
    assert any(f"mention {law.id} '《" in p and "a 《》 bracket (brackets are excluded)" in p for p in problems_of(checkout))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"id\tstart\n", "header must be"),
        (b"\xef\xbb\xbfid\tstart\tend\tlabel\tentity\ttext\n", "byte-order mark"),
        (b"id\tstart\tend\tlabel\tentity\ttext\nM001\t13\t24\n", ":2: expected 6 tab-separated fields, found 3"),
        (b"id\tstart\tend\tlabel\tentity\ttext\nM001\t\xff\n", ":2: not valid UTF-8"),
        (b"id\tstart\tend\tlabel\tentity\ttext\nM001\tx\t24\tEVENT\tE001\ta\n", "start and end must be non-negative integers"),
    ],
)
def test_malformed_tsv(checkout, content, message):
    (checkout / MENTIONS_FILE).write_bytes(content)
    assert any(message in p for p in problems_of(checkout)), problems_of(checkout)


def test_cli_prints_one_line_per_problem_and_exits_1(checkout, capsys):
    edit_row(checkout / MENTIONS_FILE, "M003", start="86", end="93")
    edit_row(checkout / RELATIONS_FILE, "R001", evidence="99")
    assert main(["validate"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"{MENTIONS_FILE}:4: mention M003")
    assert out[1].startswith(f"{RELATIONS_FILE}:2: relation R001")


def test_cli_reports_missing_files_in_one_line(checkout, capsys):
    (checkout / "corpus" / "article.txt").unlink()
    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["zhnerbench validate: error: corpus/article.txt: cannot read: No such file or directory"]
