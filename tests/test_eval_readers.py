"""Reading prediction files: the three formats, detection, and one clear error per malformed file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zhnerbench.gold.article import DOCUMENT_ID, document_from_text
from zhnerbench.exceptions import PredictionFormatError
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.formats.registry import detect_format, read_predictions
from zhnerbench.formats.conll import split_conll_line
from zhnerbench.formats.conll import conll_text
from zhnerbench.formats.documents import documents_jsonl
from zhnerbench.formats.sentences import sentences_jsonl
from zhnerbench.document import Argument, PredictedRelation, Span
from zhnerbench.tag_schemes import SCHEMES

# Sentence 0 has spaces (like the gold's title); line 1 holds sentences 1 and 2.
TEXT = "上海 大会 2022年07月22日\n张为出席。钟志华院士讲话。"
DOC = document_from_text(TEXT)
GOLD = [DOC]
SPANS = [Span(0, 2, "GPE"), Span(3, 5, "EVENT"), Span(6, 17, "DATE"), Span(18, 20, "PERSON"),
         Span(23, 26, "PERSON"), Span(26, 28, "TITLE")]
S1, S2 = f"{DOCUMENT_ID}-001", f"{DOCUMENT_ID}-002"


def test_the_test_document() -> None:
    assert [DOC.sentence_text(i) for i in range(3)] == ["上海 大会 2022年07月22日", "张为出席。", "钟志华院士讲话。"]
    assert [TEXT[s.start:s.end] for s in SPANS] == ["上海", "大会", "2022年07月22日", "张为", "钟志华", "院士"]


def write(tmp_path: Path, content: str | bytes, name: str = "pred") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read(tmp_path: Path, content: str | bytes, **options: Any) -> Predictions:
    return read_predictions(write(tmp_path, content), GOLD, shown_as="pred", **options)


def error(tmp_path: Path, content: str | bytes, **options: Any) -> PredictionFormatError:
    with pytest.raises(PredictionFormatError) as caught:
        read(tmp_path, content, **options)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("pred")
    return caught.value


def doc_line(mentions: Any = (), relations: Any = None, identifier: Any = DOCUMENT_ID, **extra: Any) -> str:
    record: dict[str, Any] = {"id": identifier, "mentions": list(mentions), **extra}
    if relations is not None:
        record["relations"] = list(relations)
    return json.dumps(record, ensure_ascii=False)


def m(start: Any, end: Any, label: Any = "PERSON", **extra: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label, **extra}


# --- the three formats read the same spans --------------------------------------------------------


@pytest.mark.parametrize("writer", [documents_jsonl, conll_text, sentences_jsonl])
def test_every_format_round_trips(tmp_path: Path, writer: Any) -> None:
    predictions = read(tmp_path, writer(GOLD, {DOC.id: SPANS}))
    assert predictions.spans == {DOC.id: tuple(SPANS)}
    assert predictions.format == {"documents_jsonl": "documents", "conll_text": "conll", "sentences_jsonl": "sentences"}[writer.__name__]
    assert predictions.labels == {"GPE", "EVENT", "DATE", "PERSON", "TITLE"}


def test_documents_format_reads_relations_and_evidence(tmp_path: Path) -> None:
    line = doc_line([m(18, 20, text="张为"), m(26, 28, "TITLE")],
                    [{"head": {"start": 18, "end": 20, "text": "张为"}, "relation": "has_title",
                      "tail": {"start": 26, "end": 28}, "evidence": [2, 1, 2]}])
    predictions = read(tmp_path, line + "\n")
    assert predictions.relations == {
        DOC.id: (PredictedRelation(Argument(18, 20), "has_title", Argument(26, 28), (1, 2)),)
    }
    assert read(tmp_path, doc_line([m(18, 20)])).relations is None


def test_conll_space_tokens_crlf_and_blank_line_runs(tmp_path: Path) -> None:
    text = conll_text(GOLD, {DOC.id: SPANS})
    assert "\n \tO\n" in text
    variants = [
        text.replace("\n \tO\n", "\n  O\n"),  # a space token written with a space separator
        text.replace("\n", "\r\n"),
        text.replace("\n\n", "\n\n\n"),
        text.replace("\t", "   "),
    ]
    for variant in variants:
        assert read(tmp_path, variant, format="conll").spans == {DOC.id: tuple(SPANS)}


def test_conll_line_splitting() -> None:
    assert split_conll_line("上\tB-GPE") == ("上", "B-GPE")
    assert split_conll_line("上 \t B-GPE \t") == ("上", "B-GPE")
    assert split_conll_line("\u3000\tO") == ("\u3000", "O")
    assert split_conll_line("B-GPE") is None


def test_sentences_format_with_word_tokens(tmp_path: Path) -> None:
    lines = [json.loads(line) for line in sentences_jsonl(GOLD, {DOC.id: SPANS}).splitlines()]
    lines[0] = {"id": lines[0]["id"], "tokens": ["上海", "大会", "2022年07月22日"], "tags": ["B-GPE", "B-EVENT", "B-DATE"]}
    lines[2] = {"id": lines[2]["id"], "tokens": ["钟志华", "院士", "讲话", "。"], "tags": ["B-PERSON", "B-TITLE", "O", "O"],
                "text": "钟志华院士讲话。"}
    content = "\n".join(json.dumps(line, ensure_ascii=False) for line in reversed(lines))  # any order
    assert read(tmp_path, content).spans == {DOC.id: tuple(SPANS)}


def test_bmes_scheme(tmp_path: Path) -> None:
    content = sentences_jsonl(GOLD, {DOC.id: SPANS}, scheme=SCHEMES["BMES"])
    assert "M-DATE" in content
    assert read(tmp_path, content, scheme="BMES").spans == {DOC.id: tuple(SPANS)}
    assert "tags[1]: malformed IOB2 tag 'E-GPE'" in str(error(tmp_path, content))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (doc_line([m(18, 20)]), "documents"),
        (doc_line([]), "documents"),
        (json.dumps({"id": S1, "tags": ["O"] * 5}), "sentences"),
        ("上\tB-GPE\n海\tI-GPE\n", "conll"),
        ("{\tO\n", "conll"),
        ("\n\n" + doc_line([]), "documents"),
        ('{"id": "x", "mentions": [}', "documents"),
    ],
)
def test_format_detection(content: str, expected: str) -> None:
    assert detect_format(content) == expected


# --- one clear error per malformed file ----------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    assert str(error(tmp_path, content)) == "pred: empty file"


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PredictionFormatError, match=r"nope\.jsonl: cannot read"):
        read_predictions(tmp_path / "nope.jsonl", GOLD)


def test_error_names_the_path_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, b"", "given.jsonl")
    with pytest.raises(PredictionFormatError, match=f"^{path}: empty file$"):
        read_predictions(path, GOLD)


def test_non_utf8(tmp_path: Path) -> None:
    content = (doc_line([]) + "\n").encode() + "上海".encode("gb18030") + b"\tO\n"
    problem = error(tmp_path, content).problem
    assert problem.line == 2 and "not valid UTF-8" in problem.message


def test_byte_order_mark(tmp_path: Path) -> None:
    problem = error(tmp_path, b"\xef\xbb\xbf" + doc_line([]).encode()).problem
    assert problem.line == 1 and "byte-order mark" in problem.message


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        ([doc_line([]), '{"id": "x", "mentions": [}'], 2, "invalid JSON: Expecting value (column 26)"),
        ([doc_line([]), "[1, 2]"], 2, "expected a JSON object on each line, found list"),
        ([doc_line([]), "null"], 2, "found null"),
        ([doc_line([]), "[" * 100000], 2, "invalid JSON"),
        ([doc_line([], identifier=None)], 1, "'id' must be the document id (a string), found null"),
        ([doc_line([], identifier="001_other")], 1, "unknown document id '001_other'"),
        ([doc_line([]), doc_line([])], 2, f"duplicate document id '{DOCUMENT_ID}' (already on line 1)"),
        ([json.dumps({"id": DOCUMENT_ID, "relations": []})], 1, "no 'mentions' (give [] for none)"),
        ([json.dumps({"id": DOCUMENT_ID, "mentions": {}})], 1, "'mentions' must be a list"),
        ([doc_line([{"start": 1, "label": "GPE"}])], 1, "mentions[0] has no 'end'"),
        ([doc_line([m("18", 20)])], 1, "mentions[0]: 'start' must be an integer, found \"18\""),
        ([doc_line([m(18, 20.0)])], 1, "mentions[0]: 'end' must be an integer, found 20.0"),
        ([doc_line([m(True, 20)])], 1, "'start' must be an integer, found true"),
        ([doc_line([m(0, 2, "GPE"), m(20, 18)])], 1, "mentions[1]: reversed offsets, start 20 > end 18"),
        ([doc_line([m(18, 18)])], 1, "mentions[0]: empty span [18,18)"),
        ([doc_line([m(-1, 2)])], 1, "mentions[0]: offsets [-1,2) out of range (document 000_e491b11e84c79d89 has 31 characters)"),
        ([doc_line([m(29, 32)])], 1, "offsets [29,32) out of range"),
        ([doc_line([m(18, 20, "MISC")])], 1, "mentions[0]: unknown label 'MISC' (known labels: CARDINAL"),
        ([doc_line([m(18, 20, None)])], 1, "mentions[0]: 'label' must be a string, found null"),
        ([doc_line([m(18, 20, text="张伟")])], 1, "mentions[0]: text \"张伟\" does not match the document's [18,20) '张为'"),
        ([doc_line([m(23, 28), m(18, 20), m(23, 28)])], 1, "mentions[2] [23,28) PERSON repeats mentions[0]"),
        ([doc_line([], relations=[{"head": {"start": 18, "end": 20}, "relation": "likes", "tail": {"start": 23, "end": 26}}])],
         1, "relations[0]: unknown relation \"likes\""),
        ([doc_line([], relations=[{"head": {"start": 18, "end": 99}, "relation": "partner_of", "tail": {"start": 23, "end": 26}}])],
         1, "relations[0].head: offsets [18,99) out of range"),
        ([doc_line([], relations=[{"head": {"start": 18, "end": 20}, "relation": "partner_of"}])],
         1, "relations[0].tail must be an object with start and end, found null"),
        ([doc_line([], relations=[{"head": {"start": 18, "end": 20, "text": "张"}, "relation": "partner_of",
                                   "tail": {"start": 23, "end": 26}}])], 1, "relations[0].head: text \"张\" does not match"),
        ([doc_line([], relations=[{"head": {"start": 18, "end": 20}, "relation": "partner_of", "tail": {"start": 23, "end": 26},
                                   "evidence": [3]}])], 1, "relations[0]: 'evidence' must be a list of sentence indices 0..2, found [3]"),
        ([json.dumps({"id": DOCUMENT_ID, "mentions": [], "relations": {}})], 1, "'relations' must be a list"),
    ],
)
def test_malformed_documents_file(tmp_path: Path, lines: list[str], line: int, message: str) -> None:
    problem = error(tmp_path, "\n".join(lines) + "\n", format="documents").problem
    assert problem.line == line
    assert message in problem.message, problem.message
    if "mentions" in message or "relations" in message:
        assert problem.message.startswith(f"document {DOCUMENT_ID}: ")


def test_missing_document(tmp_path: Path) -> None:
    other = document_from_text("标题 2022年07月22日", "001_other")
    path = write(tmp_path, doc_line([]))
    with pytest.raises(PredictionFormatError) as caught:
        read_predictions(path, [DOC, other], shown_as="pred")
    assert str(caught.value) == ("pred: no line for document 001_other (every gold document needs one; the file of "
                                 "one `tag --shard I/N` holds only its shard: concatenate the N files, in shard order)")


def test_nested_mentions_are_read_and_their_first_pair_kept(tmp_path: Path) -> None:
    nested = read(tmp_path, doc_line([m(23, 28, "ORG"), m(23, 26), m(18, 20)]) + "\n")
    assert nested.spans[DOC.id] == (Span(18, 20, "PERSON"), Span(23, 26, "PERSON"), Span(23, 28, "ORG"))
    assert nested.overlaps is not None
    overlap = nested.overlaps[DOC.id]
    assert overlap.line == 1
    assert overlap.message == "mentions[1] [23,26) PERSON lies inside mentions[0] [23,28) ORG"
    assert read(tmp_path, doc_line([m(18, 20)]) + "\n").overlaps == {}


def test_crossing_mentions_are_refused_naming_both_spans(tmp_path: Path) -> None:
    with pytest.raises(PredictionFormatError) as caught:
        read(tmp_path, doc_line([m(18, 20), m(19, 21, "ORG"), m(23, 28), m(23, 25, "GPE")]) + "\n")
    assert str(caught.value) == (
        f"pred:1: document {DOC.id}: mentions[1] [19,21) ORG crosses mentions[0] [18,20) PERSON: "
        "crossing spans cannot be scored in any view (spans that nest can, in outermost and nested views)")


def test_mentions_across_sentence_boundaries_are_read_for_scoring(tmp_path: Path) -> None:
    predictions = read(tmp_path, doc_line([m(19, 25), m(17, 19)]) + "\n")
    assert predictions.spans[DOC.id] == (Span(17, 19, "PERSON"), Span(19, 25, "PERSON"))


def conll_lines() -> list[str]:
    return conll_text(GOLD, {DOC.id: SPANS}).splitlines()


def test_the_conll_lines() -> None:
    lines = conll_lines()
    assert len(lines) == 17 + 1 + 5 + 1 + 8 + 1
    assert lines[18] == "张\tB-PERSON" and lines[24:27] == ["钟\tB-PERSON", "志\tI-PERSON", "华\tI-PERSON"]


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (lambda ls: ls[:24], None, f"has 2 sentences but the gold has 3: sentence {S2} and later are missing"),
        (lambda ls: ls + ["甲\tO", ""], 34, "sentence 4 is one too many: the gold has 3 sentences"),
        (lambda ls: ls[:18] + ls[19:], 19, f"sentence {S1} has 4 characters here but 5 in the gold"),
        (lambda ls: ls[:23] + ls[24:], 19, f"sentence {S1} has 13 characters here but 5 in the gold"),
        (lambda ls: ls[:19] + ["伟\tI-PERSON"] + ls[20:], 20, f"sentence {S1}, position 1: character '伟' does not match the gold '为'"),
        (lambda ls: ls[:2] + ["大\tO"] + ls[3:], 3, "position 2: character '大' does not match the gold ' '"),
        (lambda ls: ls[:18] + ["张\tB-MISC"] + ls[19:], 19, "position 0: unknown label 'MISC' in tag 'B-MISC'"),
        (lambda ls: ls[:18] + ["张\tS-PERSON"] + ls[19:], 19, "malformed IOB2 tag 'S-PERSON'"),
        (lambda ls: ls[:18] + ["张\tO"] + ls[19:], 20,
         f"sentence {S1}, position 1: I-PERSON follows O (strict IOB2: an entity starts with B-); use --lenient"),
        (lambda ls: ls[:18] + ["张"] + ls[19:], 19, "expected a character and a tag separated by whitespace, found '张'"),
        (lambda ls: ls[:18] + ["张为\tB-PERSON"] + ls[19:], 19, "expected one character before the tag, found '张为'"),
    ],
)
def test_malformed_conll_file(tmp_path: Path, edit: Any, line: int | None, message: str) -> None:
    problem = error(tmp_path, "\n".join(edit(conll_lines())) + "\n", format="conll").problem
    assert problem.line == line
    assert message in problem.message, problem.message


def test_lenient_conll_reads_like_conlleval_and_says_where(tmp_path: Path) -> None:
    lines = conll_lines()
    lines[18] = "张\tO"  # 为 keeps I-PERSON
    predictions = read(tmp_path, "\n".join(lines) + "\n", lenient=True)
    assert Span(19, 20, "PERSON") in predictions.spans[DOC.id]
    assert predictions.lenient_readings == ("line 20: I-PERSON read as the start of an entity",)


def sentence_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in sentences_jsonl(GOLD, {DOC.id: SPANS}).splitlines()]


def dump(records: list[Any]) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (lambda rs: rs[:2], None, f"no line for sentence {S2} (every gold sentence needs one, all-O if it has no entity)"),
        (lambda rs: rs + [rs[1]], 4, f"duplicate sentence id '{S1}' (already on line 2)"),
        (lambda rs: rs[:1] + [{**rs[1], "id": "s1"}] + rs[2:], 2, "unknown sentence id 's1' (ids look like '000_e491b11e84c79d89-000')"),
        (lambda rs: rs[:1] + [{**rs[1], "id": 1}] + rs[2:], 2, "'id' must be a sentence id"),
        (lambda rs: rs[:1] + [{**rs[1], "tags": rs[1]["tags"][:-1]}] + rs[2:], 2,
         f"sentence {S1}: 4 tags for the 5 characters of the sentence"),
        (lambda rs: rs[:1] + [{**rs[1], "tags": "B-PERSON I-PERSON O O O"}] + rs[2:], 2, "'tags' must be a list of strings"),
        (lambda rs: rs[:1] + [{**rs[1], "tags": ["B-PER", "I-PER", "O", "O", "O"]}] + rs[2:], None, None),
        (lambda rs: rs[:1] + [{**rs[1], "tags": ["B-MISC", "I-MISC", "O", "O", "O"]}] + rs[2:], 2,
         "tags[0]: unknown label 'MISC' in tag 'B-MISC'"),
        (lambda rs: rs[:1] + [{**rs[1], "tags": ["O", "I-PERSON", "O", "O", "O"]}] + rs[2:], 2,
         "tags: position 1: I-PERSON follows O (strict IOB2: an entity starts with B-); use --lenient"),
        (lambda rs: rs[:1] + [{**rs[1], "text": "张伟出席。"}] + rs[2:], 2, "'text' \"张伟出席。\" does not match the gold sentence '张为出席。'"),
        (lambda rs: rs[:1] + [{**rs[1], "tokens": ["张为", "出席"], "tags": ["B-PERSON", "O"]}] + rs[2:], 2,
         "tokens: position 2: the tokens end at character 4 but the text continues with '。'"),
        (lambda rs: rs[:1] + [{**rs[1], "tokens": ["张为", "出席", "。"], "tags": ["B-PERSON"]}] + rs[2:], 2, "1 tags for 3 tokens"),
        (lambda rs: rs[:1] + ['{"id": 1,'] + rs[2:], 2, "invalid JSON"),
    ],
)
def test_malformed_sentences_file(tmp_path: Path, edit: Any, line: int | None, message: str | None) -> None:
    content = dump(edit(sentence_lines()))
    if message is None:  # coarse labels are fine when reading; views decide where they can be scored
        assert Span(18, 20, "PER") in read(tmp_path, content).spans[DOC.id]
        return
    problem = error(tmp_path, content, format="sentences").problem
    assert problem.line == line
    assert message in problem.message, problem.message


def test_lenient_sentences(tmp_path: Path) -> None:
    records = sentence_lines()
    records[1]["tags"] = ["O", "I-PERSON", "O", "O", "O"]
    predictions = read(tmp_path, dump(records), lenient=True)
    assert Span(19, 20, "PERSON") in predictions.spans[DOC.id]
    assert predictions.lenient_readings == ("line 2, tags[1]: I-PERSON read as the start of an entity",)


def test_wrong_format_option_gives_a_clear_error(tmp_path: Path) -> None:
    problem = error(tmp_path, doc_line([]) + "\n", format="conll").problem
    assert problem.line == 1 and "expected one character before the tag" in problem.message
    problem = error(tmp_path, "\n".join(conll_lines()) + "\n", format="sentences").problem
    assert problem.line == 1 and "invalid JSON" in problem.message


def test_bad_options_are_clear_errors(tmp_path: Path) -> None:
    path = write(tmp_path, doc_line([]))
    with pytest.raises(PredictionFormatError, match="unknown format 'xml'"):
        read_predictions(path, GOLD, format="xml")  # what a user may pass
    with pytest.raises(PredictionFormatError, match="unknown tag scheme 'BIO'"):
        read_predictions(path, GOLD, scheme="BIO")


def test_lenient_bmes_says_where_it_departed(tmp_path: Path) -> None:
    records = [json.loads(line) for line in sentences_jsonl(GOLD, {DOC.id: SPANS}, scheme=SCHEMES["BMES"]).splitlines()]
    records[1]["tags"] = ["M-PERSON", "E-PERSON", "O", "O", "O"]
    predictions = read(tmp_path, dump(records), lenient=True, scheme="BMES")
    assert Span(18, 20, "PERSON") in predictions.spans[DOC.id]
    assert predictions.lenient_readings == ("line 2, tags[0]: M-PERSON read as the start of an entity",)
