"""The counterfactual copies (issue 24): one copy re-derived from hand-written expectations, the
invariants of every copy, and the checks that refuse a bad substitution."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from zhnerbench.cli import main
from zhnerbench.formats.documents import documents_jsonl
from zhnerbench.views import VIEWS, gold_spans

from zhnerbench.exceptions import GoldDataError
from zhnerbench.gold.counterfactual import (
    PERSONS_FILE,
    Surrogates,
    counterfactual_documents,
    read_surrogates,
    substitute,
    substitution_plan,
    variant_problems,
)
from zhnerbench.document import Document


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


# --- scoring the copies -------------------------------------------------------------------------


def _gold_file(documents: Sequence[Document], path: Path, drop_copy_persons: bool = False) -> Path:
    """A documents-format file of each document's gold spans in the coarse view; with
    ``drop_copy_persons``, the copies lose their persons (a system that knows only the
    article's people)."""
    spans = {d.id: [s for s in gold_spans(d, VIEWS["coarse"])
                    if not (drop_copy_persons and d is not documents[0] and s.label == "PER")] for d in documents}
    path.write_text(documents_jsonl(documents, spans, with_relations=False), encoding="utf-8")
    return path


def test_a_file_with_copies_gets_the_copies_f1_and_a_delta_with_its_interval(
        gold: Document, copies: tuple[Document, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    perfect = _gold_file([gold, *copies[:5]], tmp_path / "perfect.jsonl")
    assert main(["evaluate", str(perfect), "--view", "coarse", "--samples", "200", "--json", str(tmp_path / "p.json")]) == 0
    assert "coarse     F1 article 1.000  copies 1.000  Δ +0.000 [+0.000, +0.000]" in capsys.readouterr().out
    assert json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))["counterfactual"]["coarse"]["copies"] == 5
    # Knowing the article's people only: the article is perfect, the copies miss every person.
    forgetful = _gold_file([gold, *copies], tmp_path / "forgetful.jsonl", drop_copy_persons=True)
    assert main(["evaluate", str(forgetful), "--view", "coarse", "--samples", "200", "--json", str(tmp_path / "f.json")]) == 0
    score = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["counterfactual"]["coarse"]
    spans = gold_spans(gold, VIEWS["coarse"])
    persons, kept = sum(s.label == "PER" for s in spans), sum(s.label != "PER" for s in spans)
    assert score["copies"] == 20 and score["article_f1"] == 1.0
    assert score["counterfactual_f1"] == pytest.approx(2 * kept / (kept + kept + persons))
    low, high = score["delta_ci"]
    assert 0 < low < score["delta"] < high


def test_a_file_without_copies_is_scored_as_before(gold: Document, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    plain = _gold_file([gold], tmp_path / "plain.jsonl")
    assert main(["evaluate", str(plain), "--view", "coarse", "--samples", "50", "--json", str(tmp_path / "p.json")]) == 0
    assert "Counterfactual" not in capsys.readouterr().out
    assert "counterfactual" not in json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))


def test_tag_writes_the_copies_it_is_asked_for(tmp_path: Path, gold: Document, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("jieba")
    out = tmp_path / "pred.jsonl"
    assert main(["tag", "jieba-posseg", str(out), "--counterfactual", "3"]) == 0
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [gold.id] + [f"{gold.id}-cf{n:02d}" for n in (1, 2, 3)]
    assert main(["tag", "jieba-posseg", str(out), "--counterfactual", "0"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    with pytest.raises(SystemExit) as stop:  # argparse's refusal: usage, then one line
        main(["tag", "jieba-posseg", str(out), "--counterfactual", "21"])
    assert stop.value.code == 2 and "expected an integer between 0 and 20" in capsys.readouterr().err


def test_a_batch_of_documents_is_tagged_as_each_alone(gold: Document, copies: tuple[Document, ...]) -> None:
    """The line-wise taggers tag the copies in one call: the spans must be those of one call each."""
    from zhnerbench.baselines.base import TaggingStep, load_tagger, predict_document, predict_documents
    from zhnerbench.baselines.specs import create_system

    tagger = create_system("crf-char-msra")
    load_tagger(tagger)
    assert getattr(tagger, "tags_lines_independently", False)
    documents = [gold, *copies[:4]]
    steps: list[TaggingStep] = []
    assert predict_documents(tagger, documents, progress=steps.append) == [predict_document(tagger, d) for d in documents]
    assert steps == [TaggingStep(0, 5, 5), TaggingStep(5, 5, 0)]  # one call, and the progress line says so
    assert steps[0].phrase("copy") == "tagging 5 copies in one batch"


def test_the_board_says_on_how_many_copies_each_row_was_scored(gold: Document, copies: tuple[Document, ...],
                                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("jieba")
    pytest.importorskip("matplotlib")
    from zhnerbench.board.records import read_records

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))  # jieba tags: no prediction cached yet

    board = tmp_path / "board"
    with_copies = _gold_file([gold, *copies[:3]], tmp_path / "with.jsonl")
    without = _gold_file([gold], tmp_path / "without.jsonl")
    assert main(["leaderboard", "--output", str(board), "--start-empty", "--samples", "50", "--systems", "jieba-posseg",
                 "--counterfactual", "2", "--add", f"with-copies={with_copies}", "--add", f"without-copies={without}"]) == 0
    records = read_records(board)
    assert records["jieba-posseg"]["counterfactual"]["coarse"]["copies"] == 2
    assert records["with-copies"]["counterfactual"]["coarse"]["copies"] == 3
    assert "counterfactual" not in records["without-copies"]
    rows = {line.split(" | ")[1]: line for line in (board / "leaderboard.md").read_text(encoding="utf-8")
            .split("**NER, view `coarse`**")[1].split("\n\n")[1].splitlines()[2:]}
    assert " | 100.0 (3) | +0.0 (+0.0 to +0.0) | " in rows["with-copies (submitted)"]
    assert " | 100.0 | – | – | " in rows["without-copies (submitted)"]
    (jieba_row,) = [row for name, row in rows.items() if name.startswith("jieba-posseg ")]
    assert " (2) | " in jieba_row
    # The progress line said what happened, step by step (jieba tags one document a call).
    said = capsys.readouterr().err
    steps = ["jieba-posseg: loading", "jieba-posseg: tagging the article", "jieba-posseg: tagging copy 1/2",
             "jieba-posseg: tagging copy 2/2", "jieba-posseg: tagged 2 copies"]
    assert all(step in said for step in steps), said[-500:]
    assert [said.index(step) for step in steps] == sorted(said.index(step) for step in steps)


def test_relation_counts_per_sentence_add_up_to_the_relation_scores(gold: Document, copies: tuple[Document, ...]) -> None:
    """The relation Δ's bootstrap splits the strict counts over sentences: the totals must be
    the scores of record, on the article as on a copy."""
    from zhnerbench.baselines.relations_cooccurrence import predict_cooccurrence
    from zhnerbench.baselines.relations_patterns import predict_patterns
    from zhnerbench.eval.relations import relation_sentence_counts, score_relations

    for document in (gold, copies[0]):
        for predict in (predict_patterns, predict_cooccurrence):
            predicted = predict(document.text, document.sentences, list(document.spans))
            assert relation_sentence_counts(document, predicted).total() == score_relations([(document, predicted)]).micro
