"""The counterfactual copies (issue 24): one copy re-derived from hand-written expectations, the
invariants of every copy, and the checks that refuse a bad substitution."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from zhnerbench.errors import GoldDataError
from zhnerbench.gold.counterfactual import (
    PERSONS_FILE,
    Surrogates,
    counterfactual_documents,
    read_surrogates,
    substitute,
    substitution_plan,
    variant_problems,
)
from zhnerbench.model import Document


@pytest.fixture(scope="module")
def surrogates(root: Path) -> Surrogates:
    return read_surrogates(root)


@pytest.fixture(scope="module")
def copies(gold: Document, surrogates: Surrogates) -> tuple[Document, ...]:
    return counterfactual_documents(gold, surrogates)


def _mentions(document: Document) -> dict[str, str]:
    return {m.id: m.text for m in document.mentions + document.inner_mentions}


def test_the_first_copy_as_worked_out_by_hand(gold: Document, copies: tuple[Document, ...]) -> None:
    first = copies[0]
    assert first.id == f"{gold.id}-cf01"
    texts = _mentions(first)
    # 钟志华 and the surname-only 钟 of 钟院士 become one invented person and his surname.
    assert (texts["M012"], texts["M168"], texts["M180"]) == ("蔡新民", "蔡新民", "蔡")
    assert "蔡院士全面分析" in first.text
    # 上海 / 上海市 / 沪 become one province, form for form.
    assert (texts["M048"], texts["M152"], texts["M105"], texts["M114"]) == ("江西", "江西省", "赣", "赣")
    # An inner mention inside an EVENT changes the EVENT's name with it.
    assert (texts["M203"], texts["M001"]) == ("江西省", "江西省产业技术创新大会")
    assert first.title == "创新主引擎 发展新动能——江西省产业技术创新大会顺利召开"
    # 沪 inside 沪东中华造船集团 was never a mention of Shanghai: the company keeps its name.
    assert "江西省超导制造业创新中心,沪东中华造船集团" in first.text
    # 中国 (country), 松江区 (district), 长三角 (region) keep their kind.
    assert (texts["M205"], texts["M206"], texts["M146"]) == ("德国", "余杭区", "成渝")
    # Organisations keep their names; relations and evidence are kept, with the new names.
    assert texts["M010"] == _mentions(gold)["M010"].replace("中国", "德国")
    assert first.relations == gold.relations
    names = {e.id: e.name for e in first.entities}
    assert (names["E008"], names["E043"]) == ("朱琳", "江西省")


def test_every_copy_keeps_the_text_the_clusters_and_the_sentences(gold: Document, copies: tuple[Document, ...]) -> None:
    assert [c.id for c in copies] == [f"{gold.id}-cf{n:02d}" for n in range(1, 21)]
    originals = {m.text for m in gold.mentions + gold.inner_mentions if m.label in ("PERSON", "GPE", "LOC")}
    for copy in copies:
        assert len(copy.sentences) == len(gold.sentences)
        assert [(m.id, m.label, m.entity) for m in copy.mentions] == [(m.id, m.label, m.entity) for m in gold.mentions]
        assert all(copy.text[m.start:m.end] == m.text for m in copy.mentions + copy.inner_mentions)
        changed = {m.id for m in copy.mentions if m.label in ("PERSON", "GPE", "LOC")}
        assert all(m.text != _mentions(gold)[m.id] for m in copy.mentions if m.id in changed)
        left = {o for o in originals if o in copy.text}
        assert left <= {"沪"}, (copy.id, left)  # only inside 沪东中华造船集团
    assert len({c.text for c in copies}) == 20


def test_a_substitution_that_would_collide_with_another_name_is_reported(gold: Document) -> None:
    # 钟志华 -> 张强 would make one person two: 张强 is another mention of the article.
    plan = {"E011": {"钟志华": "张强X", "钟": "张"}}
    problems = variant_problems(gold, substitute(gold, plan, "bad"), plan)
    assert any("the surrogate 张" in p and "also occurs where it was not put" in p for p in problems)


def test_a_surrogate_that_occurs_in_the_article_is_never_picked(gold: Document, surrogates: Surrogates) -> None:
    in_text = Surrogates(persons=("张强", "程向民", *surrogates.persons), places=surrogates.places)
    for seed in range(10):
        plan = substitution_plan(gold, in_text, random.Random(seed))
        assert {"张强", "程向民"}.isdisjoint(v for forms in plan.values() for v in forms.values())


def test_a_list_without_a_free_name_is_one_clear_error(gold: Document, surrogates: Surrogates) -> None:
    short = Surrogates(persons=("王琦",), places=surrogates.places)
    with pytest.raises(GoldDataError, match=f"{PERSONS_FILE}: no free name of 3 characters"):
        substitution_plan(gold, short, random.Random(0))
