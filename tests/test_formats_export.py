"""`zhnerbench export`: every format round-trips or opens in its target tool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhnerbench.cli import main
from zhnerbench.formats.registry import read_predictions
from zhnerbench.formats.brat import ann_to_document
from zhnerbench.formats.prediction_files import gold_relations_as_predictions
from zhnerbench.document import Document
from zhnerbench.views import VIEWS, gold_spans


def export(tmp_path: Path, format: str, *options: str, name: str = "out") -> Path:
    out = tmp_path / name
    assert main(["export", "--format", format, *options, str(out)]) == 0
    return out


@pytest.mark.parametrize("scheme", ["IOB2", "IOBES", "BMES"])
def test_conll_round_trip(tmp_path, gold: Document, scheme):
    out = export(tmp_path, "conll", "--scheme", scheme)
    lines = out.read_text(encoding="utf-8").split("\n")
    assert sum(1 for line in lines if line == "") == len(gold.sentences) + 1  # one blank per sentence, final newline
    back = read_predictions(out, [gold], format="conll", scheme=scheme)
    assert back.spans[gold.id] == gold.spans


@pytest.mark.parametrize("view", list(VIEWS))
def test_jsonl_round_trip_in_every_view(tmp_path, gold: Document, view):
    out = export(tmp_path, "jsonl", "--view", view)
    back = read_predictions(out, [gold])
    assert back.spans[gold.id] == gold_spans(gold, VIEWS[view])
    assert back.relations is not None and set(back.relations[gold.id]) == set(gold_relations_as_predictions(gold))


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_exported_gold_of_a_view_scores_one_in_it(tmp_path, gold: Document, capsys, view):
    out = export(tmp_path, "jsonl", "--view", view)
    assert main(["evaluate", str(out), "--view", view, "--samples", "50", "--json", str(tmp_path / "scores.json")]) == 0
    scores = json.loads((tmp_path / "scores.json").read_text(encoding="utf-8"))
    assert scores["views"][view]["micro"]["f1"] == 1.0
    assert scores["relations"]["strict"]["micro"]["f1"] == 1.0


def test_the_default_export_is_the_flat_layer_and_scores_one_in_the_flat_views(tmp_path, gold: Document, capsys):
    out = export(tmp_path, "jsonl")
    assert main(["evaluate", str(out), "--samples", "50", "--json", str(tmp_path / "scores.json")]) == 0
    scores = json.loads((tmp_path / "scores.json").read_text(encoding="utf-8"))
    assert {view: scores["views"][view]["micro"]["f1"] == 1.0 for view in scores["views"]} == {
        "full": True, "ontonotes": True, "coarse": False, "nested": False}


def test_nested_spans_need_a_format_that_holds_them(tmp_path, capsys):
    assert main(["export", "--format", "conll", "--view", "nested", str(tmp_path / "n.conll")]) == 2
    assert "conll cannot hold the view 'nested'" in capsys.readouterr().err
    assert not (tmp_path / "n.conll").exists()


def test_brat_round_trip_through_files(tmp_path, gold: Document):
    out = export(tmp_path, "brat")
    assert sorted(p.name for p in out.iterdir()) == ["annotation.conf", "article.ann", "article.txt"]
    assert (out / "article.txt").read_text(encoding="utf-8") == gold.text
    assert ann_to_document((out / "article.ann").read_text(encoding="utf-8"), gold) == gold


def test_cluener_layout(tmp_path, gold: Document):
    out = export(tmp_path, "cluener", "--view", "coarse")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(gold.sentences)
    found = set()
    for sentence, record in zip(gold.sentences, records, strict=True):
        assert set(record) == {"text", "label"}
        assert record["text"] == gold.text[sentence.start:sentence.end]
        for label, mentions in record["label"].items():
            assert label in VIEWS["coarse"].labels
            for surface, positions in mentions.items():
                for start, end_inclusive in positions:
                    assert record["text"][start:end_inclusive + 1] == surface
                    found.add((sentence.start + start, sentence.start + end_inclusive + 1, label))
    assert found == set(gold_spans(gold, VIEWS["coarse"]))


def test_export_refuses_protected_folders_and_bad_options(root, tmp_path, capsys):
    assert main(["export", "--format", "conll", str(root / "data" / "x.conll")]) == 2
    assert "export never writes under data/" in capsys.readouterr().err
    assert not (root / "data" / "x.conll").exists()
    assert main(["export", "--format", "brat", "--view", "coarse", str(tmp_path / "b")]) == 2
    assert "brat exports the whole gold" in capsys.readouterr().err
    assert main(["export", "--format", "conll", "--view", "nope", str(tmp_path / "c")]) == 2
    assert "unknown view 'nope'" in capsys.readouterr().err


def test_spacy_docbin_has_the_gold_entities(tmp_path, gold: Document):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = export(tmp_path, "spacy", "--unit", "sentence", name="gold.spacy")
    docs = list(DocBin().from_bytes(out.read_bytes()).get_docs(spacy.blank("zh").vocab))
    assert len(docs) == len(gold.sentences)
    entities = {
        (sentence.start + e.start_char, sentence.start + e.end_char, e.label_)
        for sentence, doc in zip(gold.sentences, docs, strict=True)
        for e in doc.ents
    }
    assert entities == set(gold.spans)
    whole = export(tmp_path, "spacy", "--unit", "document", name="doc.spacy")
    (doc,) = DocBin().from_bytes(whole.read_bytes()).get_docs(spacy.blank("zh").vocab)
    assert doc.text == gold.text and len(doc.ents) == len(gold.mentions)
    nested = export(tmp_path, "spacy", "--view", "nested", "--unit", "document", name="nested.spacy")
    (doc,) = DocBin().from_bytes(nested.read_bytes()).get_docs(spacy.blank("zh").vocab)
    assert not doc.ents and {(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]} == {
        m.span for m in gold.all_mentions}


def test_spacy_train_runs_one_step_on_the_export(tmp_path):
    pytest.importorskip("spacy")
    from spacy.cli.init_config import init_config
    from spacy.cli.train import train

    data = export(tmp_path, "spacy", name="gold.spacy")
    config = init_config(lang="zh", pipeline=["ner"], optimize="efficiency")
    config_path = tmp_path / "config.cfg"
    config.to_disk(config_path)
    train(
        config_path,
        tmp_path / "model",
        overrides={
            "paths.train": str(data),
            "paths.dev": str(data),
            "training.max_steps": 1,
            "training.eval_frequency": 1,
            "nlp.batch_size": 8,
        },
    )
    assert (tmp_path / "model" / "model-last" / "ner").is_dir()


def test_unwritable_destination_is_one_clean_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    assert main(["export", "--format", "conll", str(blocker / "gold.conll")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"zhnerbench export: error: cannot write {blocker / 'gold.conll'}")
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]
