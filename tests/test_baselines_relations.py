"""The relation baselines: co-occurrence and generic news patterns."""

from __future__ import annotations

from zhnerbench.baselines.relations_cooccurrence import predict_cooccurrence
from zhnerbench.baselines.relations_patterns import predict_patterns
from zhnerbench.document import Document, Sentence, Span
from zhnerbench.schema import RELATION_SIGNATURES, SYMMETRIC_RELATIONS


def _mark(text: str, *pieces: tuple[str, str]) -> list[Span]:
    """Spans of the first occurrence of each ``(surface, label)`` after the previous one."""
    spans, cursor = [], 0
    for surface, label in pieces:
        start = text.index(surface, cursor)
        spans.append(Span(start, start + len(surface), label))
        cursor = start + len(surface)
    return spans


def _sentences(text: str) -> tuple[Sentence, ...]:
    bounds: list[Sentence] = []
    start = 0
    for index, char in enumerate(text):
        if char == "。":
            bounds.append(Sentence(len(bounds), start, index + 1, 0))
            start = index + 1
    return tuple(bounds)


def _readable(text: str, relations) -> set[tuple[str, str, str]]:
    return {(text[r.head.start:r.head.end], r.relation, text[r.tail.start:r.tail.end]) for r in relations}


def _assert_well_typed(relations, mentions) -> None:
    label = {(m.start, m.end): m.label for m in mentions}
    for relation in relations:
        heads, tails = RELATION_SIGNATURES[relation.relation]
        assert label[tuple(relation.head)] in heads and label[tuple(relation.tail)] in tails
        if relation.relation in SYMMETRIC_RELATIONS:
            assert relation.head < relation.tail


def test_cooccurrence_pairs_only_within_a_sentence() -> None:
    text = "甲集团与乙公司签约。丙总裁出席。"
    mentions = _mark(text, ("甲集团", "ORG"), ("乙公司", "ORG"), ("丙", "PERSON"))
    predicted = predict_cooccurrence(text, _sentences(text), mentions)
    assert _readable(text, predicted) == {("甲集团", "partner_of", "乙公司")}
    _assert_well_typed(predicted, mentions)


def test_cooccurrence_predicts_every_type_the_arguments_allow() -> None:
    # No preference among types: nothing is learned, and nothing is taken from the gold.
    text = "某委员会印发《管理办法》。王五是某委员会的。"
    mentions = _mark(text, ("某委员会", "ORG"), ("管理办法", "LAW"), ("王五", "PERSON"), ("某委员会", "ORG"))
    found = _readable(text, predict_cooccurrence(text, _sentences(text), mentions))
    assert found == {("某委员会", "signs", "管理办法"), ("某委员会", "publishes", "管理办法"),
                     ("王五", "member_of", "某委员会"), ("王五", "partner_of", "某委员会")}


def test_title_and_membership_patterns() -> None:
    text = "省科技厅厅长刘一、副厅长陈二，某大学校长周三教授出席。"
    mentions = _mark(
        text, ("省科技厅", "ORG"), ("厅长", "TITLE"), ("刘一", "PERSON"), ("副厅长", "TITLE"), ("陈二", "PERSON"),
        ("某大学", "ORG"), ("校长", "TITLE"), ("周三", "PERSON"), ("教授", "TITLE"),
    )
    found = _readable(text, predict_patterns(text, _sentences(text), mentions))
    assert {("刘一", "has_title", "厅长"), ("陈二", "has_title", "副厅长"), ("周三", "has_title", "校长"),
            ("周三", "has_title", "教授")} <= found
    assert {("刘一", "member_of", "省科技厅"), ("陈二", "member_of", "省科技厅"), ("周三", "member_of", "某大学")} <= found
    assert ("周三", "member_of", "省科技厅") not in found


def test_signing_and_partnership_patterns() -> None:
    text = "甲局局长赵甲与乙集团总经理钱乙签署《战略合作协议》。"
    mentions = _mark(
        text, ("甲局", "ORG"), ("局长", "TITLE"), ("赵甲", "PERSON"), ("乙集团", "ORG"), ("总经理", "TITLE"),
        ("钱乙", "PERSON"), ("战略合作协议", "LAW"),
    )
    predicted = predict_patterns(text, _sentences(text), mentions)
    found = _readable(text, predicted)
    assert {("赵甲", "signs", "战略合作协议"), ("钱乙", "signs", "战略合作协议"), ("赵甲", "partner_of", "钱乙")} <= found
    # Persons sign for their organisations: the organisations are members' ORGs only.
    assert ("甲局", "signs", "战略合作协议") not in found
    _assert_well_typed(predicted, mentions)


def test_organiser_venue_date_and_publication_patterns() -> None:
    text = ("3月5日，第五届创新论坛在国际会议中心召开。论坛由甲协会、乙学会主办，丙公司承办。"
            "论坛发布了《创新白皮书》。王某在创新论坛上指出，要加强合作。")
    mentions = _mark(
        text, ("3月5日", "DATE"), ("第五届创新论坛", "EVENT"), ("国际会议中心", "FAC"), ("甲协会", "ORG"),
        ("乙学会", "ORG"), ("丙公司", "ORG"), ("论坛", "EVENT"), ("创新白皮书", "WORK_OF_ART"), ("王某", "PERSON"),
        ("创新论坛", "EVENT"),
    )
    predicted = predict_patterns(text, _sentences(text), mentions)
    found = _readable(text, predicted)
    assert {("第五届创新论坛", "held_at", "国际会议中心"), ("第五届创新论坛", "held_on", "3月5日")} <= found
    assert {("甲协会", "organizes", "第五届创新论坛"), ("丙公司", "organizes", "第五届创新论坛")} <= found
    assert ("论坛", "publishes", "创新白皮书") in found
    assert ("王某", "speaks_at", "创新论坛") in found
    _assert_well_typed(predicted, mentions)


def test_relation_baselines_on_the_gold_mentions(gold: Document) -> None:
    for predict in (predict_cooccurrence, predict_patterns):
        predicted = predict(gold.text, gold.sentences, gold.spans)
        assert predicted
        _assert_well_typed(predicted, gold.spans)
        assert len(set(predicted)) == len(predicted)
