"""brat standoff export: valid standoff, and a lossless round trip of the gold."""

from __future__ import annotations

import re

import pytest

from zhnerbench.formats.brat import BratFormatError, annotation_conf, ann_to_document, document_to_ann
from zhnerbench.document import Document
from zhnerbench.schema import ENTITY_LABELS, RELATION_TYPES

# The standoff line forms of brat's documentation (brat.nlplab.org/standoff.html).
STANDOFF = {
    "T": re.compile(r"T\d+\t[\w-]+ \d+ \d+(;\d+ \d+)*\t[^\n]*"),
    "R": re.compile(r"R\d+\t[\w-]+ Arg1:T\d+ Arg2:T\d+"),
    "*": re.compile(r"\*\t[\w-]+( T\d+)+"),
    "#": re.compile(r"#\d+\tAnnotatorNotes [TR]\d+\t[^\n]*"),
}


def test_every_line_is_standoff_and_offsets_match(gold: Document):
    ann = document_to_ann(gold)
    ids = set()
    for line in ann.rstrip("\n").split("\n"):
        assert STANDOFF[line[0]].fullmatch(line), line
        if line[0] == "T":
            identifier, middle, text = line.split("\t")
            _, start, end = middle.split(" ")
            assert gold.text[int(start):int(end)] == text
            ids.add(identifier)
        if line[0] in "R*":
            assert set(re.findall(r"T\d+", line)) <= ids  # T lines come first
    assert ann.count("\nT") + 1 == len(gold.mentions) + len(gold.inner_mentions)
    assert sum(line.startswith("R") for line in ann.split("\n")) == len(gold.relations)
    # Each inner mention says which mention it lies in; brat shows the nesting as it is.
    parents = [line for line in ann.split("\n") if "parent M" in line]
    assert len(parents) == len(gold.inner_mentions)


def test_relations_are_anchored_on_flat_mentions(gold: Document):
    inner = {f"T{int(m.id[1:])}" for m in gold.inner_mentions}
    for line in document_to_ann(gold).split("\n"):
        if line.startswith("R"):
            assert not set(re.findall(r"T\d+", line)) & inner, line


def test_round_trip_is_exact(gold: Document):
    assert ann_to_document(document_to_ann(gold), gold) == gold


def test_relation_anchors_sit_in_the_first_evidence_sentence(gold: Document):
    ann = document_to_ann(gold)
    spans = {}
    for line in ann.split("\n"):
        if line.startswith("T"):
            identifier, middle, _ = line.split("\t")
            spans[identifier] = int(middle.split(" ")[1])
    relations = {r.id: r for r in gold.relations}
    for line in ann.split("\n"):
        if line.startswith("R"):
            identifier, body = line.split("\t")
            _, head, tail = body.split(" ")
            first = gold.sentences[relations[f"R{int(identifier[1:]):03d}"].evidence[0]]
            head_start = spans[head.split(":")[1]]
            # has_title's head is in its evidence sentence by construction of the gold
            if relations[f"R{int(identifier[1:]):03d}"].relation == "has_title":
                assert first.start <= head_start < first.end


def test_conf_declares_the_schema():
    conf = annotation_conf()
    sections = re.findall(r"^\[(\w+)\]$", conf, re.MULTILINE)
    assert sections == ["entities", "relations", "events", "attributes"]
    for label in ENTITY_LABELS:
        assert re.search(rf"^{label}$", conf, re.MULTILINE)
    for relation in RELATION_TYPES:
        assert re.search(rf"^{relation}\tArg1:", conf, re.MULTILINE)
    assert "partner_of\tArg1:ORG|PERSON, Arg2:ORG|PERSON, <REL-TYPE>:symmetric" in conf


def test_edited_ann_without_notes_gets_fresh_ids_and_sentence_evidence(gold: Document):
    ann = "T1\tGPE 361 363\t上海\nT2\tGPE 1457 1458\t沪\n*\tEquiv T1 T2\n"
    document = ann_to_document(ann, gold)
    assert [m.entity for m in document.mentions] == ["E001", "E001"]
    assert document.entities[0].name == "上海"


@pytest.mark.parametrize(
    "ann, message",
    [
        ("T1\tGPE 361 363\t上海市\n", "article.ann:1: T1 text '上海市' does not match"),
        ("T1\tGPEX 361 363\t上海\n", "article.ann:1: unknown entity type 'GPEX'"),
        ("T1\tGPE 361 9999\t上海\n", "offsets 361 9999 out of range"),
        ("T1\tGPE 361 363\t上海\nR1\tknows Arg1:T1 Arg2:T1\n", "article.ann:2: unknown relation type 'knows'"),
        ("T1\tGPE 361 363\t上海\nR1\thas_title Arg1:T1 Arg2:T9\n", "R1 refers to unknown annotation T9"),
        ("E1\tSign:T1\n", "article.ann:1: not a standoff line this schema uses"),
        ("T1\tGPE 361 363\t上海\nT1\tGPE 361 363\t上海\n", "article.ann:2: duplicate id T1"),
        ("T1\tGPE 3" + "6" * 5000 + " 363\t上海\n", "article.ann:1: not a standoff line this schema uses"),
        ("T1\tGPE 361 363\t上海\n#1\tAnnotatorNotes T1\tentity Exx\n", "article.ann:0: T1: entity note 'Exx'"),
        ("T1\tGPE 361 363\t上海\nR1\thas_title Arg1:T1 Arg2:T1\n#1\tAnnotatorNotes R1\tevidence one\n",
         "article.ann:2: R1: evidence note 'one' is not comma-separated sentence ids"),
    ],
)
def test_bad_ann_is_reported_with_file_and_line(gold: Document, ann, message):
    with pytest.raises(BratFormatError, match=re.escape(message)):
        ann_to_document(ann, gold)
