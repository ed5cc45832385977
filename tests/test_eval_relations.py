"""Relation scores: strict and text modes, symmetric relations, deduplication, evidence."""

from __future__ import annotations

from dataclasses import replace

import pytest

from zhnerbench.gold.annotation_files import derive_entities
from zhnerbench.gold.article import document_from_text
from zhnerbench.counts import Counts
from zhnerbench.eval.relations import (
    entity_aliases,
    normalize_argument_text,
    score_relations,
)
from zhnerbench.formats.prediction_files import gold_relations_as_predictions
from zhnerbench.document import Argument, Document, Mention, PredictedRelation, Relation


def argument(document: Document, start: int, end: int) -> Argument:
    return Argument(start, end)


def mention(document: Document, mention_id: str) -> Argument:
    m = next(m for m in document.mentions if m.id == mention_id)
    return argument(document, m.start, m.end)


def relation(document: Document, relation_id: str) -> Relation:
    return next(r for r in document.relations if r.id == relation_id)


@pytest.mark.parametrize("mode", ["strict", "text"])
def test_gold_scores_one(gold: Document, mode: str) -> None:
    scores = score_relations([(gold, gold_relations_as_predictions(gold))], mode)
    assert scores.micro == Counts(86, 86, 86)
    assert sum(s.gold for s in scores.per_type.values()) == 86
    assert all(s.f1 == 1.0 for s in scores.per_type.values())
    assert scores.evidence == Counts(127, 127, 127)  # 125 until v1.2 added the bridge s43 to R037 and R039


def test_known_perturbation(gold: Document) -> None:
    by_id = dict(zip((r.id for r in gold.relations), gold_relations_as_predictions(gold)))
    text = gold.text
    # 1. R001 and R002 are missed.
    del by_id["R001"], by_id["R002"]
    # 2. partner_of given tail-first still matches.
    r078 = by_id["R078"]
    by_id["R078"] = replace(r078, head=r078.tail, tail=r078.head)
    # 3. R036's head is a span that is no mention (张 of 张为): a false positive, and R036 is missed.
    by_id["R036"] = replace(by_id["R036"], head=argument(gold, 141, 142))
    # 4. R041's tail includes the 《》 brackets: wrong in strict mode, right in text mode.
    assert text[911] == "《" and text[935] == "》"
    by_id["R041"] = replace(by_id["R041"], tail=argument(gold, 911, 936))
    # 5. R003 again through other mentions of the same entities: counted once.
    extra = [PredictedRelation(mention(gold, "M168"), "has_title", mention(gold, "M167"), None)]
    # 6. A wrong relation: 张为 member_of 中国工程院.
    extra.append(PredictedRelation(mention(gold, "M009"), "member_of", mention(gold, "M010"), (2,)))
    predicted = list(by_id.values()) + extra

    strict = score_relations([(gold, predicted)], "strict")
    assert (strict.micro.gold, strict.micro.predicted, strict.micro.correct) == (86, 85, 82)
    assert strict.micro.precision == 82 / 85 and strict.micro.recall == 82 / 86
    has_title = strict.per_type["has_title"]
    assert (has_title.gold, has_title.predicted, has_title.correct) == (20, 18, 18)
    assert (has_title.precision, has_title.recall, has_title.f1) == pytest.approx((1.0, 18 / 20, 36 / 38))
    assert strict.per_type["member_of"].predicted == 16 and strict.per_type["member_of"].correct == 15
    assert strict.per_type["partner_of"].f1 == 1.0
    assert strict.per_type["signs"].correct == 9 and strict.per_type["speaks_at"].correct == 3

    text_mode = score_relations([(gold, predicted)], "text")
    assert (text_mode.micro.gold, text_mode.micro.predicted, text_mode.micro.correct) == (86, 85, 83)
    assert text_mode.per_type["signs"].f1 == 1.0


def test_same_triple_through_different_mentions_counts_once(gold: Document) -> None:
    r003 = relation(gold, "R003")  # 钟志华 has_title 副院长
    entity = gold.entity(r003.head)
    heads = [m for m in gold.mentions if m.entity == entity.id]
    assert len(heads) >= 3
    tail = gold.entity(r003.tail)
    tail_mention = next(m for m in gold.mentions if m.id == tail.mentions[0])
    predicted = [
        PredictedRelation(argument(gold, h.start, h.end), "has_title", argument(gold, tail_mention.start, tail_mention.end))
        for h in heads
    ]
    for mode in ("strict", "text"):
        assert score_relations([(gold, predicted)], mode).micro.predicted == 1


# --- small synthetic documents -------------------------------------------------------------------


def at(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def small_document(text: str, mentions: list[tuple[str, str, str, int]], relations: list[tuple[str, str, str]]) -> Document:
    """A document whose mentions are given as (text, label, entity, occurrence)."""
    base = document_from_text(text)
    ms = []
    for number, (needle, label, entity, occurrence) in enumerate(mentions, 1):
        start, end = at(text, needle, occurrence)
        ms.append(Mention(f"M{number:03d}", start, end, label, entity, needle))
    ms.sort(key=lambda m: (m.start, m.end))
    rs = tuple(Relation(f"R{n:03d}", h, r, t, (1,)) for n, (h, r, t) in enumerate(relations, 1))
    return replace(base, mentions=tuple(ms), entities=derive_entities(ms), relations=rs)


def arg(document: Document, needle: str, occurrence: int = 0) -> Argument:
    return argument(document, *at(document.text, needle, occurrence))


TEXT = "标题 2022年07月22日\n吴金城与芮文彪签署《合作协议》。吴主任出席。"


def test_text_mode_accepts_aliases_brackets_and_quotes() -> None:
    doc = small_document(
        TEXT,
        [("吴金城", "PERSON", "E001", 0), ("芮文彪", "PERSON", "E002", 0), ("合作协议", "LAW", "E003", 0),
         ("吴", "PERSON", "E001", 1)],
        [("E001", "signs", "E003"), ("E001", "partner_of", "E002")],
    )
    assert entity_aliases(doc)["E001"] == frozenset({"吴金城", "吴"})
    alias_head = PredictedRelation(arg(doc, "吴", 1), "signs", arg(doc, "《合作协议》"))
    partner = PredictedRelation(arg(doc, "芮文彪"), "partner_of", arg(doc, "吴金城"))
    strict = score_relations([(doc, [alias_head, partner])], "strict")
    text = score_relations([(doc, [alias_head, partner])], "text")
    assert strict.micro.correct == 1  # the bracketed tail is no mention
    assert text.micro.correct == 2
    assert strict.evidence is None


def test_unmatched_arguments_are_false_positives_and_types_must_match() -> None:
    doc = small_document(TEXT, [("吴金城", "PERSON", "E001", 0), ("合作协议", "LAW", "E002", 0)], [("E001", "signs", "E002")])
    wrong_type = PredictedRelation(arg(doc, "吴金城"), "publishes", arg(doc, "合作协议"))
    no_entity = PredictedRelation(arg(doc, "芮文彪"), "signs", arg(doc, "合作协议"))
    reversed_ = PredictedRelation(arg(doc, "合作协议"), "signs", arg(doc, "吴金城"))
    scores = score_relations([(doc, [wrong_type, no_entity, reversed_])], "text")
    assert scores.micro == Counts(0, 3, 1)
    assert list(scores.per_type) == ["signs", "publishes"]


def test_an_alias_shared_by_two_entities_matches_each_gold_triple_once() -> None:
    # 吴 is an alias of two people: predictions through 吴 match both gold triples, not one twice.
    text = "标题 2022年07月22日\n吴金城、吴敏签署《合作协议》。吴出席，吴致辞。"
    doc = small_document(
        text,
        [("吴金城", "PERSON", "E001", 0), ("吴敏", "PERSON", "E002", 0), ("合作协议", "LAW", "E003", 0),
         ("吴", "PERSON", "E001", 2), ("吴", "PERSON", "E002", 3)],
        [("E001", "signs", "E003"), ("E002", "signs", "E003")],
    )
    one = PredictedRelation(arg(doc, "吴", 2), "signs", arg(doc, "合作协议"))
    scores = score_relations([(doc, [one])], "text")
    assert (scores.micro.predicted, scores.micro.correct) == (1, 1)
    two = [one, PredictedRelation(arg(doc, "吴金城"), "signs", arg(doc, "合作协议"))]
    scores = score_relations([(doc, two)], "text")
    assert (scores.micro.predicted, scores.micro.correct) == (2, 2)


def test_evidence_scores() -> None:
    doc = small_document(TEXT, [("吴金城", "PERSON", "E001", 0), ("合作协议", "LAW", "E002", 0)], [("E001", "signs", "E002")])
    right = PredictedRelation(arg(doc, "吴金城"), "signs", arg(doc, "合作协议"), (1, 2))  # gold evidence: (1,)
    wrong = PredictedRelation(arg(doc, "吴金城"), "publishes", arg(doc, "合作协议"), (2,))
    scores = score_relations([(doc, [right, wrong])], "strict")
    assert scores.evidence == Counts(1, 3, 1)
    assert (scores.evidence.precision, scores.evidence.recall, scores.evidence.f1) == pytest.approx((1 / 3, 1.0, 0.5))


def test_normalize_argument_text() -> None:
    assert normalize_argument_text("《创新型企业专项金融服务支持方案》") == "创新型企业专项金融服务支持方案"
    assert normalize_argument_text("「临港集团」") == "临港集团"
    assert normalize_argument_text(" “《报告》” ") == "报告"
    assert normalize_argument_text("“十四五”期间") == "“十四五”期间"


def test_unknown_mode() -> None:
    with pytest.raises(ValueError):
        score_relations([], "fuzzy")
