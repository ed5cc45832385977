"""`zhnerbench validate` passes on the gold and catches every kind of corruption."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from zhnerbench.gold.annotation_files import read_gold
from zhnerbench.cli import main
from zhnerbench.paths import INNER_MENTIONS_FILE, MENTIONS_FILE, RELATIONS_FILE

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The gold's folders alone (the conftest's checkout also copies the 17 MB of results/, which
    validation never reads): these tests corrupt them freely."""
    copy = tmp_path / "checkout"
    for folder in ("seeds", "corpus", "annotations"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    monkeypatch.setenv("ZHNERBENCH_ROOT", str(copy))
    return copy


def problems_of(checkout: Path) -> list[str]:
    return [str(p) for p in read_gold(checkout)[1]]


def only_problem(checkout: Path) -> str:
    problems = problems_of(checkout)
    assert len(problems) == 1, problems
    return problems[0]


def test_gold_is_valid(root, capsys, monkeypatch):
    monkeypatch.setenv("ZHNERBENCH_ROOT", str(root))
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == ("ok: 202 mentions, 40 inner mentions, 117 entities, 86 relations over 64 sentences; "
                                         "20 counterfactual copies pass the same checks\n")


def test_the_gold_read_again_after_an_edit_is_the_edited_gold(checkout):
    # A process reads the gold's files each time; only their parse is remembered, by content.
    before, problems = read_gold(checkout)
    assert not problems
    edit_row(checkout / MENTIONS_FILE, "M003", label="TIMEX")
    assert "unknown label 'TIMEX'" in str(read_gold(checkout)[1])
    edit_row(checkout / MENTIONS_FILE, "M003", label="TIME")
    after, problems = read_gold(checkout)
    assert not problems and after == before


def test_wrong_offset(checkout):
    # M003 is 7月21日上午 at [85,92); shift it by one character.
    edit_row(checkout / MENTIONS_FILE, "M003", start="86", end="93")
    problem = only_problem(checkout)
    assert problem == f"{MENTIONS_FILE}:4: mention M003 '7月21日上午' [86,93): text does not match article[86:93]='月21日上午,'"


def test_overlap(checkout):
    append_row(checkout / MENTIONS_FILE, "M999\t16\t20\tDATE\tE999\t产业技术")
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


@pytest.mark.parametrize(
    ("file", "row", "changes", "message"),
    [
        (RELATIONS_FILE, "R001", {"evidence": "2,64"}, "evidence sentence id(s) 64 do not exist (0..63)"),
        # M004 is the second mention of the conference (EVENT).
        (MENTIONS_FILE, "M004", {"label": "ORG"}, "entity E001 '上海市产业技术创新大会' mixes labels ['EVENT', 'ORG']"),
        (RELATIONS_FILE, "R001", {"head_name": "张伟"}, "head_name/tail_name must be the entities' names '张为' / '常委'"),
        (RELATIONS_FILE, "R001", {"head": "E777"}, "unknown entity id(s) E777"),
    ],
)
def test_one_edit_one_problem(checkout, file: str, row: str, changes: dict[str, str], message: str):
    edit_row(checkout / file, row, **changes)
    assert message in only_problem(checkout)


def test_unsorted_or_malformed_evidence(checkout):
    edit_row(checkout / RELATIONS_FILE, "R003", evidence="45,2,44")
    assert "evidence ids must be sorted and distinct" in only_problem(checkout)
    edit_row(checkout / RELATIONS_FILE, "R003", evidence="2;44")
    assert "evidence must be comma-separated sentence ids, found '2;44'" in only_problem(checkout)


def test_evidence_follows_the_rules_of_section_4_2(checkout, gold):
    # R039 庄松林 speaks_at the conference: s53/s54 name the speaker, s43 bridges to the event.
    assert next(r for r in gold.relations if r.id == "R039").evidence == (43, 53, 54)
    edit_row(checkout / RELATIONS_FILE, "R039", evidence="43")
    assert only_problem(checkout).endswith(
        "relation R039 庄松林 -speaks_at-> 上海市产业技术创新大会: evidence 43 holds no statement: no sentence of it "
        "names the head or the tail (a bridge never stands alone)")
    edit_row(checkout / RELATIONS_FILE, "R039", evidence="53,54,60")
    assert "evidence sentence 60 names neither argument and comes after every statement" in only_problem(checkout)


def test_changed_text(checkout, gold):
    article = checkout / "corpus" / "article.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("张为", "张伟", 1), encoding="utf-8")
    problems = problems_of(checkout)
    assert any("SHA-256" in p and "the text changed" in p for p in problems)
    first = next(m for m in gold.mentions if m.text == "张为")
    assert any(f"{first.id} '张为'" in p and "text does not match" in p for p in problems)


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
        ("id\tstart\tend\tlabel\tentity\ttext\nM001\t１３\t24\tEVENT\tE001\ta\n".encode(), "start and end must be non-negative integers"),
        (f"id\tstart\tend\tlabel\tentity\ttext\nM001\t{'9' * 5000}\t24\tEVENT\tE001\ta\n".encode(), ":2: mention M001"),
        (b"id\tstart\tend\tlabel\tentity\ttext\n", "mentions.tsv: has no rows: the gold is empty"),
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
    assert err == ["zhnerbench validate: error: corpus/article.txt: missing; restore it with `git checkout`"]


@pytest.mark.parametrize("replacement", ["device", "fifo"])
def test_a_gold_file_replaced_by_a_device_or_fifo_is_one_line_not_a_hang(checkout, capsys, replacement):
    # Reading /dev/zero whole took 8.6 GB of memory before gold files were read as bounded inputs.
    target = checkout / MENTIONS_FILE
    target.unlink()
    if replacement == "device":
        target.symlink_to("/dev/zero")
    else:
        os.mkfifo(target)
    assert main(["validate"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    kind = "a device" if replacement == "device" else "a FIFO"
    assert out[0] == f"{MENTIONS_FILE}: is {kind}, not a regular file"


# --- the inner layer (guidelines §5) ---------------------------------------------------------------


def inner_row(gold, text: str, parent_text: str, label: str = "GPE", entity: str = "E043", identifier: str = "M999",
              occurrence: int = 0) -> str:
    """An inner-mention row for ``text`` inside the ``occurrence``-th flat mention ``parent_text``."""
    parent = [m for m in gold.mentions if m.text == parent_text][occurrence]
    start = gold.text.index(text, parent.start)
    return f"{identifier}\t{start}\t{start + len(text)}\t{label}\t{entity}\t{parent.id}\t{text}"


def inner_problems(checkout) -> list[str]:
    return [p for p in problems_of(checkout) if p.startswith(INNER_MENTIONS_FILE)]


def test_the_inner_layer_is_complete_and_its_removal_is_noticed(checkout, gold):
    # Rule 3 is checked for completeness: drop the 中国 inside the first 中国工程院 and it is missed.
    first = next(m for m in gold.inner_mentions if m.text == "中国")
    lines = (checkout / INNER_MENTIONS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    (checkout / INNER_MENTIONS_FILE).write_text("".join(l for l in lines if not l.startswith(first.id + "\t")), encoding="utf-8")
    problem = only_problem(checkout)
    assert problem == (f"{INNER_MENTIONS_FILE}: '中国' at [{first.start},{first.end}) inside mention {first.parent} '中国工程院' "
                       "is a name of E116 but no inner mention covers it (guidelines §5, rule 3)")


def test_an_inner_mention_lies_strictly_inside_its_parent(checkout, gold):
    parent = next(m for m in gold.mentions if m.text == "临港集团")
    append_row(checkout / INNER_MENTIONS_FILE, f"M999\t{parent.start}\t{parent.end}\tORG\tE038\t{parent.id}\t临港集团")
    assert any("M999" in p and "does not lie strictly inside its parent" in p for p in inner_problems(checkout))


def test_an_inner_mention_names_the_smallest_mention_containing_it(checkout, gold):
    inner = next(m for m in gold.inner_mentions if m.text == "中国" and m.parent and m.parent > "M202")
    flat_parent = next(m for m in gold.mentions if m.start <= inner.start and inner.end <= m.end)
    edit_row(checkout / INNER_MENTIONS_FILE, inner.id, parent=flat_parent.id)
    problems = problems_of(checkout)
    assert any(f"its parent must be the smallest mention containing it: {inner.parent}" in p for p in problems)
    # ... and seen from the smallest mention, its 中国 is now missing.
    assert any(f"inside mention {inner.parent} '中国工程院' is a name of E116" in p for p in problems) and len(problems) == 2


def test_inner_mentions_nest_properly(checkout, gold):
    # 上海华 crosses nothing flat but crosses the inner 上海 of 上海华力微电子有限公司.
    append_row(checkout / INNER_MENTIONS_FILE, inner_row(gold, "海华力", "上海华力微电子有限公司", "ORG", "E900"))
    problems = inner_problems(checkout)
    assert any("M999" in p and "crosses the inner mention" in p for p in problems), problems


def test_inner_mentions_have_named_types_only(checkout, gold):
    append_row(checkout / INNER_MENTIONS_FILE, inner_row(gold, "2022", "2022上海硬核科技企业TOP100榜单", "DATE", "E900"))
    assert any("M999" in p and "label DATE is not a named type" in p for p in inner_problems(checkout))


def test_inner_mentions_have_two_characters_at_least(checkout, gold):
    append_row(checkout / INNER_MENTIONS_FILE, inner_row(gold, "沪", "沪东中华造船集团"))
    assert any("M999" in p and "has fewer than 2 characters" in p for p in inner_problems(checkout))


def test_an_inner_mention_is_never_the_entity_it_lies_in(checkout, gold):
    inner = next(m for m in gold.inner_mentions if m.text == "上海市")
    append_row(checkout / INNER_MENTIONS_FILE, f"M999\t{inner.start}\t{inner.start + 2}\tGPE\tE043\t{inner.id}\t上海")
    assert any("M999" in p and f"is the same entity (E043) as the mention {inner.id}" in p for p in inner_problems(checkout))


def test_inner_text_must_equal_the_offsets(checkout, gold):
    inner = gold.inner_mentions[0]
    edit_row(checkout / INNER_MENTIONS_FILE, inner.id, text="上海")
    assert f"mention {inner.id} '上海' [{inner.start},{inner.end}): text does not match" in only_problem(checkout)


def test_a_non_place_inner_mention_repeats_a_flat_mention_of_its_entity(checkout, gold):
    # 中国航发 would be an ORG, but it is no flat mention of this article.
    append_row(checkout / INNER_MENTIONS_FILE, inner_row(gold, "中国航发", "中国航发商发", "ORG", "E900"))
    problems = inner_problems(checkout)
    assert any("M999" in p and "is neither a place name (GPE) nor the text of a flat mention of its entity E900" in p
               for p in problems), problems


def test_a_missing_parent_is_reported(checkout, gold):
    edit_row(checkout / INNER_MENTIONS_FILE, gold.inner_mentions[0].id, parent="M777")
    assert any("parent M777 is not a mention id of either layer" in p for p in problems_of(checkout))


def test_ids_are_unique_across_layers_with_every_line_named(checkout, gold):
    inner = gold.inner_mentions[0]
    edit_row(checkout / INNER_MENTIONS_FILE, inner.id, id="M001")
    problem = next(p for p in problems_of(checkout) if "is used" in p)
    assert problem == f"{INNER_MENTIONS_FILE}:2: mention id M001 is used 2 times ({MENTIONS_FILE}:2, {INNER_MENTIONS_FILE}:2)"


def test_identical_values_form_one_entity(checkout, gold):
    second = [m for m in gold.mentions if m.text == "2021年"][1]
    edit_row(checkout / MENTIONS_FILE, second.id, entity="E950")
    assert "DATE value '2021年' is split over entities E044, E950" in only_problem(checkout)
