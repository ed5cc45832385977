"""``compute_metrics`` for ``transformers.Trainer``: the benchmark's strict scores, view by view, offline.

Fine-tuning a token classifier on the ``ner`` config, a user passes::

    from zhnerbench import trainer_metrics

    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=test,
                      compute_metrics=trainer_metrics(view="coarse", label_names=model.config.id2label))
    trainer.evaluate()   # eval_precision, eval_recall, eval_f1, eval_PER_f1, ...

instead of a ``compute_metrics`` built on ``evaluate.load("seqeval")``, which fetches its code
from the Hugging Face hub and knows nothing of the benchmark's views.

**What it reads.** The Trainer hands over an ``EvalPrediction``: the logits (or, with
``preprocess_logits_for_metrics``, the predicted ids) of every sub-word token of every row, and
the rows' label ids, ``-100`` where a token carries no label (special tokens, padding and, as
the token-classification examples label them, every sub-word token of a word but its first).
The rows are the ``ner`` config's, in their order: one per gold sentence, one word per
character. So the labelled positions of a row are the characters of its sentence that the
tokenizer kept: all of them, or all but the whitespace characters (which tokenizers drop), or,
for a sentence longer than the model's window, the first of those (the rest predicted ``O``).
Only *which* positions are labelled is read from the labels: the gold is the benchmark's own.
When the label names are the ``ner`` config's tags, every row's labels are also checked against
its sentence's gold, so that a shuffled or filtered evaluation set is an error, not a score.

**What it computes.** The predicted tags of a row (BIO, BIOES or BMES, read leniently as
``hf:`` reads them: an ``I-X`` after ``O`` or another type starts an entity) become chunks over
the kept characters, whose types are mapped to the schema's labels by the presets of ``hf:``
(:mod:`zhnerbench.baselines.label_presets`) or ``label_map``; types nothing maps are not
predicted. The chunks are written in the ``sentences`` prediction format
(:meth:`TrainerMetrics.prediction_lines`: saved as a file, ``zhnerbench evaluate`` and
``leaderboard --add`` read the same predictions), read back by the project's reader and scored
by :func:`zhnerbench.eval.evaluation.evaluate` in the view asked for. The numbers are those
``zhnerbench evaluate`` gives for that file: strict micro precision, recall and F1 (seqeval
strict IOB2, exact span and type), and per label of the view.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zhnerbench.baselines.label_presets import choose_label_map, entity_types, read_label_map
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.eval.evaluation import evaluate
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.formats.sentences import parse_sentences
from zhnerbench.document import Document, Sentence
from zhnerbench.schema import ENTITY_LABELS, iob2_tag_names
from zhnerbench.tag_schemes import decode_native, document_tags, sentence_id
from zhnerbench.views import View, prediction_labels, resolve_view

#: The label id of a token that carries no label (PyTorch's ``CrossEntropyLoss`` ignores it).
IGNORED = -100
#: The ``ner`` config's tags, in the order of its ``ClassLabel`` ids.
NER_CONFIG_TAGS: tuple[str, ...] = iob2_tag_names(ENTITY_LABELS)
#: How the predictions are named in messages and in the prediction format's errors.
SHOWN_AS = "the Trainer's predictions"
#: Bootstrap samples drawn by the scorer: its intervals are not reported here, only counts.
_SAMPLES = 1


class TrainerMetricsError(ZhNerBenchError):
    """The Trainer's predictions do not fit the gold (another dataset, another order, other labels)."""


def label_names_by_id(names: Sequence[str] | Mapping[int, str] | Mapping[str, str]) -> dict[int, str]:
    """A model's label names by id, from a list (``ClassLabel.names``) or an ``id2label`` mapping
    (whose keys are strings once a config has been through JSON).

    >>> label_names_by_id(["O", "B-PER"]), label_names_by_id({"0": "O", "1": "B-PER"})
    ({0: 'O', 1: 'B-PER'}, {0: 'O', 1: 'B-PER'})
    """
    if isinstance(names, Mapping):
        try:
            return {int(key): str(value) for key, value in names.items()}
        except (TypeError, ValueError):
            raise TrainerMetricsError(f"label_names: ids must be integers, found {list(names)[:5]}") from None
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise TrainerMetricsError("label_names must be the model's label names by id: a list of strings or id2label")
    return dict(enumerate(names))


def schema_tags(native: Sequence[str], label_map: Mapping[str, str]) -> list[str]:
    """IOB2 tags of the schema's labels for a model's own tags (read as ``hf:`` reads them);
    chunks of types ``label_map`` does not map become ``O``.

    >>> schema_tags(["B-PER", "I-PER", "O", "I-LOC", "S-ORG", "B-MISC"], {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"})
    ['B-PERSON', 'I-PERSON', 'O', 'B-GPE', 'B-ORG', 'O']
    """
    tags = ["O"] * len(native)
    for chunk in decode_native(native):
        if chunk.label in label_map:
            label = label_map[chunk.label]
            tags[chunk.start:chunk.end] = [f"B-{label}"] + [f"I-{label}"] * (chunk.end - chunk.start - 1)
    return tags


def kept_characters(sentence_text: str, labelled: int, where: str) -> list[int]:
    """The positions of the characters of a sentence that a row's ``labelled`` positions stand
    for: every character, or every non-whitespace one (tokenizers drop whitespace), or the first
    ``labelled`` non-whitespace ones (a sentence cut at the model's window).

    >>> kept_characters("上海 市", 4, "row 0"), kept_characters("上海 市", 3, "row 0"), kept_characters("上海 市", 1, "row 0")
    ([0, 1, 2, 3], [0, 1, 3], [0])
    """
    if labelled == len(sentence_text):
        return list(range(len(sentence_text)))
    visible = [position for position, character in enumerate(sentence_text) if not character.isspace()]
    if labelled > len(visible):
        raise TrainerMetricsError(
            f"{where}: {labelled} labelled tokens for the {len(sentence_text)} characters of its sentence: label "
            "only the first sub-token of each character (-100 on the others), as the token-classification "
            "examples do")
    return visible[:labelled]


def _arrays(eval_prediction: Any) -> tuple[np.ndarray, np.ndarray]:
    """The predicted label ids ``(rows, tokens)`` and the label ids of an ``EvalPrediction``
    (or a ``PredictionOutput``, or a ``(predictions, label_ids)`` pair)."""
    if hasattr(eval_prediction, "predictions") and hasattr(eval_prediction, "label_ids"):
        predictions, labels = eval_prediction.predictions, eval_prediction.label_ids
    else:
        predictions, labels = eval_prediction[0], eval_prediction[1]
    if isinstance(predictions, (tuple, list)) and predictions and not np.isscalar(predictions[0]):
        predictions = predictions[0]  # the logits, when the model returns more than them
    if labels is None:
        raise TrainerMetricsError(f"{SHOWN_AS} have no label ids: give the evaluation set its labels "
                                  "(they say which tokens stand for a character)")
    scores, label_ids = np.asarray(predictions), np.asarray(labels)
    ids = scores.argmax(-1) if scores.ndim == 3 else scores
    if ids.shape != label_ids.shape:
        raise TrainerMetricsError(f"{SHOWN_AS}: predictions of shape {tuple(scores.shape)} for labels of shape "
                                  f"{tuple(label_ids.shape)}")
    return ids, label_ids


@dataclass(frozen=True)
class TrainerMetrics:
    """A ``compute_metrics`` for ``transformers.Trainer`` (see the module doc): call it with the
    Trainer's ``EvalPrediction``."""

    view: View
    names: Mapping[int, str]
    label_map: Mapping[str, str]
    preset: str
    gold: tuple[Document, ...]

    def _rows(self) -> list[tuple[Document, Sentence]]:
        return [(document, sentence) for document in self.gold for sentence in document.sentences]

    def prediction_lines(self, eval_prediction: Any) -> str:
        """The predictions in the ``sentences`` format (JSON Lines, one gold sentence per line, the
        kept characters as ``tokens``, IOB2 tags of the schema's labels)."""
        ids, label_ids = _arrays(eval_prediction)
        rows = self._rows()
        if len(ids) != len(rows):
            raise TrainerMetricsError(
                f"{SHOWN_AS} have {len(ids)} rows; the gold has {len(rows)} sentences: evaluate on the ner config's "
                "split whose documents are the gold's (the article: split 'test'), every row, in order")
        # Only a model of the ner config's own tags has label ids that name the gold's tags.
        check = set(self.names.values()) == set(NER_CONFIG_TAGS)
        gold_tags = {document.id: document_tags(document, document.spans) for document in self.gold} if check else {}
        lines = []
        for index, ((document, sentence), row_ids, row_labels) in enumerate(zip(rows, ids, label_ids, strict=True)):
            where = f"{SHOWN_AS}, row {index} (sentence {sentence_id(document.id, sentence.index)})"
            labelled = row_labels != IGNORED
            text = document.text[sentence.start:sentence.end]
            kept = kept_characters(text, int(labelled.sum()), where)
            try:
                native = [self.names[int(i)] for i in row_ids[labelled]]
            except KeyError as error:
                raise TrainerMetricsError(f"{where}: the model predicted label id {error.args[0]}, which "
                                          "label_names does not name") from None
            if check:
                given = [self.names.get(int(i), "?") for i in row_labels[labelled]]
                expected = [gold_tags[document.id][sentence.index][position] for position in kept]
                if given != expected:
                    raise TrainerMetricsError(
                        f"{where}: its labels are not the gold tags of that sentence: evaluate on the ner config's "
                        "rows in their order (no shuffling, no filtering)")
            tags = schema_tags(native, self.label_map)
            line: dict[str, Any] = {"id": sentence_id(document.id, sentence.index)}
            if len(kept) < len(text):
                # Whitespace the tokenizer dropped is left out; characters past the model's window are O.
                tokens = kept + [p for p in range(kept[-1] + 1 if kept else 0, len(text)) if not text[p].isspace()]
                tags += ["O"] * (len(tokens) - len(kept))
                line["tokens"] = [text[p] for p in tokens]
            line["tags"] = tags
            lines.append(json.dumps(line, ensure_ascii=False))
        return "".join(f"{line}\n" for line in lines)

    def predictions(self, eval_prediction: Any) -> Predictions:
        """The predictions as the project's reader reads their ``sentences`` file."""
        return parse_sentences(self.prediction_lines(eval_prediction), SHOWN_AS, self.gold,
                               labels=prediction_labels(self.gold, [self.view]))

    def __call__(self, eval_prediction: Any) -> dict[str, float]:
        evaluation = evaluate(self.gold, self.predictions(eval_prediction), views=[self.view], samples=_SAMPLES)
        scores = evaluation.views[self.view.name].scores
        metrics = {"precision": scores.micro.precision, "recall": scores.micro.recall, "f1": scores.micro.f1}
        for label in self.view.labels:
            counts = scores.per_label.get(label)
            for name in ("precision", "recall", "f1"):
                metrics[f"{label}_{name}"] = getattr(counts, name) if counts is not None else 0.0
        return metrics


def _given_map(label_map: str | os.PathLike[str] | Mapping[str, str] | None) -> dict[str, str] | None:
    if label_map is None:
        return None
    if isinstance(label_map, Mapping):
        wrong = {key: value for key, value in label_map.items() if value not in ENTITY_LABELS}
        if wrong:
            raise TrainerMetricsError(f"label_map: {wrong} map to what is not a schema label ({' '.join(ENTITY_LABELS)})")
        return dict(label_map)
    return read_label_map(Path(label_map))


def trainer_metrics(
    view: str | View = "coarse",
    label_names: Sequence[str] | Mapping[int, str] | Mapping[str, str] | None = None,
    label_map: str | os.PathLike[str] | Mapping[str, str] | None = None,
    gold: Sequence[Document] | str | os.PathLike[str] | None = None,
) -> TrainerMetrics:
    """A ``compute_metrics`` for ``transformers.Trainer`` that scores in ``view`` (see the module doc).

    ``label_names``: the model's label names by id, a list or ``model.config.id2label`` (default:
    the ``ner`` config's tags, for a model fine-tuned on them); ``label_map``: a ``--label-map``
    file or a ``{model type: schema label}`` mapping instead of the presets; ``gold``: the
    documents whose sentences the evaluation rows are (default: the article, the ``test``
    split), or a path :func:`zhnerbench.load_gold` reads.

    >>> metrics = trainer_metrics("coarse", ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"])
    >>> metrics.preset, dict(metrics.label_map)
    ('msra', {'PER': 'PERSON', 'LOC': 'GPE', 'ORG': 'ORG'})
    """
    from zhnerbench.gold.loading import load_gold

    chosen = view if isinstance(view, View) else resolve_view(view)
    names = label_names_by_id(NER_CONFIG_TAGS if label_names is None else label_names)
    preset, mapping = choose_label_map(entity_types(names.values()), _given_map(label_map))
    documents = load_gold(gold) if gold is None or isinstance(gold, (str, Path, os.PathLike)) else tuple(gold)
    return TrainerMetrics(chosen, names, mapping, preset, tuple(documents))
