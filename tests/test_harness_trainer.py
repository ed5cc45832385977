"""``trainer_metrics``: the README's fine-tuning example runs (a tiny random BERT for a few steps of
``transformers.Trainer`` on the ``ner`` config), and the F1 its ``compute_metrics`` reports equals
``zhnerbench evaluate`` on the model's predictions written as a file, view by view and label by label.

The file is written here independently of the harness: from ``Trainer.predict``'s logits, each
character's tag is the argmax at its first sub-token, found with the tokenizer's own ``word_ids``
(characters the tokenizer dropped, the spaces, are left out of ``tokens``), in the ``sentences``
format, read with ``--lenient`` (a barely trained model's tags are not valid IOB2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.test_readme_examples import ROOT, readme_block
from tests.tiny_models import save_character_tokenizer
from zhnerbench.cli import main
from zhnerbench.harness.trainer import NER_CONFIG_TAGS, TrainerMetricsError, kept_characters, trainer_metrics
from zhnerbench.document import Document
from zhnerbench.tag_schemes import document_tags

TRAINING_ROWS = 16  # of the counterfactual split: the user's "train.jsonl" in the example
STEPS = 4


def save_tiny_bert(folder: Path, text: str) -> None:
    """A tiny random BERT over ``text``'s characters, with no classifier yet: the example gives it
    one for its labels, as it does to ``bert-base-chinese``."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    size = save_character_tokenizer(folder, text)
    config = transformers.BertConfig(vocab_size=size, hidden_size=16, num_attention_heads=2, num_hidden_layers=1,
                                     intermediate_size=32, max_position_embeddings=256)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(folder)


@pytest.fixture(scope="module")
def fine_tuned(tmp_path_factory: pytest.TempPathFactory, gold: Document) -> dict[str, Any]:
    """The README's example, run with a tiny BERT, a few training rows and a few steps: its namespace."""
    pytest.importorskip("accelerate")
    import datasets

    folder = tmp_path_factory.mktemp("fine-tune")
    save_tiny_bert(folder / "bert", gold.text)
    copies = datasets.load_dataset(str(ROOT), "ner", split="counterfactual", cache_dir=str(folder / "cache"))
    names = copies.features["ner_tags"].feature.names
    (folder / "train.jsonl").write_text("".join(
        json.dumps({"tokens": row["tokens"], "ner_tags": [names[tag] for tag in row["ner_tags"]]}, ensure_ascii=False)
        + "\n" for row in copies.select(range(TRAINING_ROWS))), encoding="utf-8")
    source = (readme_block("python", "# fine_tune.py")
              .replace('os.path.abspath("path/to/zhnerbench"), "ner"', f'{str(ROOT)!r}, "ner", cache_dir={str(folder / "cache")!r}')
              .replace('"path/to/train.jsonl")', f'{str(folder / "train.jsonl")!r}, cache_dir={str(folder / "cache")!r})')
              .replace('"bert-base-chinese"', repr(str(folder / "bert")))
              .replace('"runs/bert-zh"', repr(str(folder / "runs")))
              .replace("max_steps=1000", f"max_steps={STEPS}").replace("eval_steps=200", "eval_steps=2"))
    assert str(folder / "bert") in source and f"max_steps={STEPS}" in source
    namespace: dict[str, Any] = {"__name__": "fine_tune"}
    exec(compile(source, "README.md: fine_tune.py", "exec"), namespace)
    return namespace


def predictions_file(namespace: dict[str, Any], path: Path) -> None:
    """The fine-tuned model's predictions on the ner config's test split, in the ``sentences``
    format: each character's tag is the argmax at its first sub-token (``word_ids``)."""
    trainer, tokenizer, ner, names = (namespace[key] for key in ("trainer", "tokenizer", "ner", "names"))
    test = ner["test"]
    logits = trainer.predict(test.map(namespace["encode"], remove_columns=test.column_names)).predictions
    lines = []
    for index, row in enumerate(test):
        first: dict[int, int] = {}
        for position, word in enumerate(tokenizer(row["tokens"], is_split_into_words=True, truncation=True).word_ids()):
            if word is not None and word not in first:
                first[word] = position
        words = sorted(first)
        lines.append(json.dumps({"id": row["id"], "tokens": [row["tokens"][w] for w in words],
                                 "tags": [names[int(np.argmax(logits[index, first[w]]))] for w in words]},
                                ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_compute_metrics_equals_evaluate_on_the_predictions_written_as_a_file(fine_tuned: dict[str, Any],
                                                                              tmp_path: Path) -> None:
    trainer = fine_tuned["trainer"]
    reported = trainer.evaluate()
    assert {"eval_f1", "eval_precision", "eval_recall", "eval_PER_f1", "eval_LOC_f1", "eval_ORG_f1"} <= set(reported)
    logged = [entry for entry in trainer.state.log_history if "eval_f1" in entry]
    assert logged and logged[0]["step"] == 2  # called by the training loop too
    predictions, scores = tmp_path / "pred.jsonl", tmp_path / "scores.json"
    predictions_file(fine_tuned, predictions)
    assert main(["evaluate", str(predictions), "--lenient", "--json", str(scores), "--samples", "20"]) == 0
    views = json.loads(scores.read_text(encoding="utf-8"))["views"]
    coarse = views["coarse"]["micro"]
    assert reported["eval_f1"] == coarse["f1"] and coarse["predicted"] > 0, "a tiny model still finds something"
    assert (reported["eval_precision"], reported["eval_recall"]) == (coarse["precision"], coarse["recall"])
    assert {label: reported[f"eval_{label}_f1"] for label in ("PER", "LOC", "ORG")} == \
        {label: views["coarse"]["per_label"].get(label, {"f1": 0.0})["f1"] for label in ("PER", "LOC", "ORG")}
    # Every other view, from the same predictions.
    output = trainer.predict(fine_tuned["ner"]["test"].map(fine_tuned["encode"], remove_columns=fine_tuned["ner"]["test"].column_names))
    for view in ("full", "ontonotes", "nested"):
        metrics = trainer_metrics(view=view, label_names=fine_tuned["model"].config.id2label)(output)
        assert metrics["f1"] == views[view]["micro"]["f1"], view
    # The harness's own file is the same predictions.
    own = tmp_path / "own.jsonl"
    own.write_text(fine_tuned["metrics"].prediction_lines(output), encoding="utf-8")
    assert main(["evaluate", str(own), "--view", "coarse", "--json", str(scores), "--samples", "20"]) == 0
    assert json.loads(scores.read_text(encoding="utf-8"))["views"]["coarse"]["micro"]["f1"] == reported["eval_f1"]
