"""`datasets.load_dataset` on the checkout returns the declared features and the right rows."""

from __future__ import annotations

import datetime

import datasets
import pytest

from zhnerbench.gold.dataset import FEATURES, NER_TAGS
from zhnerbench.document import Document, Span
from zhnerbench.schema import ENTITY_LABELS, RELATION_TYPES


@pytest.fixture(scope="module")
def loaded(root, tmp_path_factory):
    # A fresh cache_dir: with `configs` declared, the cache key ignores data-file contents.
    cache = tmp_path_factory.mktemp("hf-cache")
    datasets.disable_progress_bars()
    return {config: datasets.load_dataset(str(root), config, cache_dir=str(cache)) for config in FEATURES}


@pytest.mark.parametrize("config, rows", [("ner", 64), ("nested", 64), ("documents", 1), ("relations", 86)])
def test_configs_have_the_article_and_its_copies_with_declared_features(loaded, config, rows):
    dataset = loaded[config]
    assert isinstance(dataset, datasets.DatasetDict)
    assert list(dataset) == ["test", "counterfactual"]
    assert dataset["test"].num_rows == rows
    assert dataset["counterfactual"].num_rows == 20 * rows  # every copy keeps every sentence and relation
    assert dataset["test"].features == dataset["counterfactual"].features == FEATURES[config]


def test_the_copies_are_one_document_each(loaded, gold: Document):
    documents = loaded["documents"]["counterfactual"]
    assert documents["id"] == [f"{gold.id}-cf{n:02d}" for n in range(1, 21)]
    assert {row["doc_id"] for row in loaded["ner"]["counterfactual"]} == set(documents["id"])


def test_default_config_is_ner(root, tmp_path):
    dataset = datasets.load_dataset(str(root), cache_dir=str(tmp_path))
    assert dataset["test"].features == FEATURES["ner"]


def test_ner_rows_decode_to_the_gold_spans(loaded, gold: Document):
    tag_names = loaded["ner"]["test"].features["ner_tags"].feature
    assert tag_names.names[0] == "O" and tuple(tag_names.names) == NER_TAGS
    spans = set()
    for row in loaded["ner"]["test"]:
        sentence = gold.sentences[row["sentence"]]
        assert row["start"] == sentence.start
        assert "".join(row["tokens"]) == gold.text[sentence.start:sentence.end]
        assert all(len(token) == 1 for token in row["tokens"])
        tags = tag_names.int2str(row["ner_tags"])
        start = None
        for offset, tag in enumerate(tags + ["O"]):
            if start is not None and not tag.startswith("I-"):
                spans.add(Span(row["start"] + start, row["start"] + offset, tags[start][2:]))
                start = None
            if tag.startswith("B-"):
                start = offset
    assert spans == set(gold.spans)


def test_documents_row_is_the_gold(loaded, gold: Document):
    row = loaded["documents"]["test"][0]
    features = loaded["documents"]["test"].features
    label = features["mentions"].feature["label"]
    assert row["id"] == gold.id and row["text"] == gold.text
    assert row["date"] == datetime.date(2022, 7, 22)
    assert len(row["lines"]) == 31 and len(row["sentences"]) == 64
    assert [(m["start"], m["end"], label.int2str(m["label"])) for m in row["mentions"]] == [tuple(s) for s in gold.spans]
    assert [m["text"] for m in row["mentions"]] == [m.text for m in gold.mentions]
    inner = [(m["start"], m["end"], label.int2str(m["label"]), m["parent"]) for m in row["inner_mentions"]]
    assert inner == [(m.start, m.end, m.label, m.parent) for m in gold.inner_mentions] and len(inner) == 40
    assert len(row["entities"]) == len(gold.entities) == 117
    every_id = {m["id"] for m in row["mentions"] + row["inner_mentions"]}
    assert sorted(i for e in row["entities"] for i in e["mentions"]) == sorted(every_id)
    assert len(row["relations"]) == 86


def test_nested_rows_hold_every_span_of_both_layers(loaded, gold: Document):
    rows = loaded["nested"]["test"]
    label, layer = rows.features["spans"].feature["label"], rows.features["spans"].feature["layer"]
    assert layer.names == ["flat", "inner"]
    found = set()
    for row in rows:
        sentence = gold.sentences[row["sentence"]]
        assert "".join(row["tokens"]) == gold.text[sentence.start:sentence.end]
        starts = [(s["start"], -s["end"]) for s in row["spans"]]
        assert starts == sorted(starts)  # an outer span before the spans inside it
        for span in row["spans"]:
            assert "".join(row["tokens"][span["start"]:span["end"]]) == span["text"]
            assert (layer.int2str(span["layer"]) == "inner") == (span["parent"] is not None)
            found.add(Span(row["start"] + span["start"], row["start"] + span["end"], label.int2str(span["label"])))
    assert found == {m.span for m in gold.all_mentions} and len(found) == 242


def test_relations_rows(loaded, gold: Document):
    rows = loaded["relations"]["test"]
    relation = rows.features["relation"]
    assert tuple(relation.names) == RELATION_TYPES
    assert tuple(rows.features["head_label"].names) == ENTITY_LABELS
    for row in rows:
        assert row["evidence_text"] == [gold.sentence_text(i) for i in row["evidence"]]
        assert gold.entity(row["head"]).name == row["head_name"]
