"""DocRED interop: the gold exported in DocRED's layout, and DocRED-style predictions scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhnerbench import evaluate, read_predictions
from zhnerbench.cli import main
from zhnerbench.formats.docred import DOCRED_TYPES, document_to_docred
from zhnerbench.document import Document
from zhnerbench.schema import ENTITY_LABELS


def test_the_export_holds_every_mention_entity_and_relation(gold: Document) -> None:
    row = document_to_docred(gold)
    assert row["title"] == gold.title and row["id"] == gold.id
    assert ["".join(chars) for chars in row["sents"]] == [gold.sentence_text(i) for i in range(len(gold.sentences))]
    assert len(row["vertexSet"]) == len(gold.entities) == 117
    mentions = [vertex for entity in row["vertexSet"] for vertex in entity]
    assert len(mentions) == len(gold.mentions) + len(gold.inner_mentions) == 242
    for vertex in mentions:
        start, end = vertex["pos"]
        assert "".join(row["sents"][vertex["sent_id"]][start:end]) == vertex["name"]
        assert vertex["type"] == DOCRED_TYPES[vertex["ontonotes_type"]]
    assert set(DOCRED_TYPES) == set(ENTITY_LABELS) and set(DOCRED_TYPES.values()) == {"PER", "ORG", "LOC", "TIME", "NUM", "MISC"}
    by_entity = {entity.id: index for index, entity in enumerate(gold.entities)}
    assert row["labels"] == [{"h": by_entity[r.head], "t": by_entity[r.tail], "r": r.relation, "evidence": list(r.evidence)}
                             for r in gold.relations]


def _gold_as_predictions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    exported = tmp_path / "gold.docred.json"
    assert main(["export", "--format", "docred", str(exported)]) == 0
    capsys.readouterr()
    documents = json.loads(exported.read_text(encoding="utf-8"))
    predictions = tmp_path / "pred.json"
    predictions.write_text(json.dumps([{"title": d["title"], "h_idx": label["h"], "t_idx": label["t"], "r": label["r"],
                                        "evidence": label["evidence"]} for d in documents for label in d["labels"]],
                                      ensure_ascii=False), encoding="utf-8")
    return predictions


def test_the_exported_gold_scored_as_docred_predictions_is_one_everywhere(gold: Document, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    predictions = read_predictions(_gold_as_predictions(tmp_path, capsys), [gold])  # the format is detected
    assert predictions.format == "docred"
    result = evaluate([gold], predictions)
    assert result.views == {} and result.relations is not None
    for scores in result.relations.values():
        assert scores.micro.f1 == scores.intra.f1 == scores.inter.f1 == 1.0
        assert scores.evidence is not None and scores.evidence.f1 == 1.0
        assert (scores.intra.gold, scores.inter.gold, scores.evidence.gold) == (69, 17, 127)


def test_evaluate_json_carries_evidence_and_the_intra_inter_breakdown(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "result.json"
    assert main(["evaluate", str(_gold_as_predictions(tmp_path, capsys)), "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["format"] == "docred" and result["views"] == {}
    strict = result["relations"]["strict"]
    assert (strict["evidence"]["f1"], strict["intra_sentence"]["support"], strict["inter_sentence"]["support"]) == (1.0, 69, 17)


TITLED = "the gold title"  # stands for the gold document's title in the cases below


@pytest.mark.parametrize(("prediction", "message"), [
    ({"title": "nope", "h_idx": 0, "t_idx": 1, "r": "has_title"}, "prediction 0: unknown title 'nope'"),
    ({"h_idx": 0, "t_idx": 1, "r": "has_title"}, "prediction 0: unknown title 'None'"),
    ({"title": TITLED, "h_idx": 0, "t_idx": 117, "r": "has_title"}, "prediction 0: h_idx and t_idx must be vertex indices 0..116"),
    ({"title": TITLED, "h_idx": True, "t_idx": 1, "r": "has_title"}, "prediction 0: h_idx and t_idx must be vertex indices"),
    ({"title": TITLED, "h_idx": 0, "t_idx": 1, "r": "P17"}, "prediction 0: unknown relation 'P17'"),
    ({"title": TITLED, "h_idx": 0, "t_idx": 1, "r": "has_title", "evidence": [64]},
     "prediction 0: 'evidence' must be a list of sentence ids 0..63"),
])
def test_a_bad_docred_prediction_is_one_line_and_exit_2(gold: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        prediction: dict, message: str) -> None:
    if prediction.get("title") == TITLED:
        prediction = {**prediction, "title": gold.title}
    path = tmp_path / "pred.json"
    path.write_text(json.dumps([prediction], ensure_ascii=False), encoding="utf-8")
    assert main(["evaluate", str(path), "--format", "docred"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"zhnerbench evaluate: error: {path}: {message}") and err.count("\n") == 1, err


def test_a_docred_file_has_no_view(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions = _gold_as_predictions(tmp_path, capsys)
    assert main(["evaluate", str(predictions), "--view", "coarse"]) == 2
    assert "a DocRED file holds relations only; it has no view to score in" in capsys.readouterr().err
