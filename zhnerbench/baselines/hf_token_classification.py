"""``hf:MODEL_OR_PATH``: any Hugging Face token-classification model (BERT, RoBERTa, MacBERT...).

The model is loaded with ``AutoTokenizer`` (a fast tokenizer: it gives character
offsets) and ``AutoModelForTokenClassification`` from a hub id (where the hub is
reachable, or already in the Hugging Face cache) or a local directory written by
``save_pretrained``. The model reads one sentence at a time: the document's own sentences
(the gold's segmentation, the ``ner`` config's rows; or the ``sentences`` of a ``--gold``
corpus), the unit a user feeds a model evaluated on ``load_dataset(path, "ner")``; given a
bare text, the project's sentence splitter cuts it the same way. A sentence longer than the
model's window is cut into windows of ``max_length`` tokens that overlap by ``stride``
tokens, and each token takes the prediction of the window in which it lies farthest from
an edge (the one with the most context). Token tags in any of BIO, BIOES or BMES are
decoded into chunks over tokens (leniently: an ``I-X`` after ``O`` or another type starts
an entity, as transformers' ``aggregation_strategy="simple"`` groups it), and a chunk
becomes the characters from its first token's start to its last token's end, in document
offsets. ``tests/test_baselines_hf_parity.py`` proves the spans equal those of
transformers' own token-classification pipeline on every sentence of the article.

The model's types (``config.id2label``) are mapped to the schema's labels by a preset
or a ``--label-map`` file (:mod:`zhnerbench.baselines.label_presets`); types that
nothing maps are not predicted, and the system is scored in the views whose every label
it can predict. ``--device`` (``cpu``, ``cuda``, ``cuda:1``, ``mps``) and
``--batch-size`` (windows per forward pass) let the same command run on a GPU machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    ModelTagger,
    install_extra,
    model_not_loadable,
    one_line,
    system_name,
)
from zhnerbench.baselines.label_presets import choose_label_map, entity_types, read_label_map, views_for
from zhnerbench.gold.segmentation import segment
from zhnerbench.document import Span
from zhnerbench.tag_schemes import decode_native

REQUIRES = install_extra("hf") + " (then a model id the hub serves, or a save_pretrained directory)"


def best_predictions(windows: Sequence[Sequence[tuple[tuple[int, int], str]]]) -> list[tuple[tuple[int, int], str]]:
    """One tag per token over overlapping windows of ``(character offsets, tag)``: each token's
    from the window in which it lies farthest from an edge (the one with the most context),
    in text order.

    >>> a, b, c, d = (0, 1), (1, 2), (2, 3), (3, 4)
    >>> best_predictions([[(a, "B-X"), (b, "I-X"), (c, "O")], [(b, "O"), (c, "B-Y"), (d, "I-Y")]])
    [((0, 1), 'B-X'), ((1, 2), 'I-X'), ((2, 3), 'B-Y'), ((3, 4), 'I-Y')]
    """
    best: dict[tuple[int, int], tuple[int, str]] = {}
    for window in windows:
        for position, (offsets, tag) in enumerate(window):
            context = min(position, len(window) - 1 - position)
            if offsets not in best or context > best[offsets][0]:
                best[offsets] = (context, tag)
    return [(offsets, best[offsets][1]) for offsets in sorted(best)]


class HfTokenClassificationTagger(ModelTagger):
    """A transformers token-classification model (see the module doc)."""

    library = "transformers"
    modules = ("transformers", "torch")
    requires = REQUIRES

    def __init__(self, model: str, label_map: str | None = None, device: str | None = None, batch_size: int = 8,
                 max_length: int | None = None, stride: int = 32, normalize_punctuation: bool = True) -> None:
        super().__init__(normalize_punctuation)
        self.model = model
        self.name = system_name("hf", model)
        self.device = device or "cpu"
        self.batch_size = max(int(batch_size), 1)
        self.max_length = max_length
        self.stride = max(int(stride), 0)
        self.given_map = read_label_map(label_map) if label_map else None
        self.native_labels: tuple[str, ...] = ()
        self.label_map: Mapping[str, str] = {}
        self.views: tuple[str, ...] = ("coarse",)
        self.unmapped: tuple[str, ...] = ()

    def _load_model(self) -> Any:
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(self.model)
            network = AutoModelForTokenClassification.from_pretrained(self.model)
        except Exception as error:  # absent files, an offline hub, or a damaged model file (safetensors, pickle)
            raise model_not_loadable("transformers", self.model, error, "give a save_pretrained directory, or run "
                                     f"where the Hugging Face hub is reachable once; {REQUIRES}") from None
        if not tokenizer.is_fast:
            raise BaselineUnavailable(f"{self.model}: its tokenizer has no fast (Rust) version, which gives the "
                                      "character offsets this adapter needs")
        try:
            network.to(torch.device(self.device)).eval()
        except (RuntimeError, AssertionError) as error:
            raise BaselineUnavailable(f"device {self.device!r} is not usable here ({one_line(error, 100)})") from None
        id2label = {int(k): str(v) for k, v in network.config.id2label.items()}
        types = entity_types(id2label.values())
        preset, mapping = choose_label_map(types, self.given_map)
        self.native_labels, self.label_map = types, mapping
        self.unmapped = tuple(t for t in types if t not in mapping)
        self.views = views_for(mapping.values())
        self.version = f"{Path(self.model).name if Path(self.model).exists() else self.model} " \
                       f"({preset} labels; transformers {self.version})"
        limit = self.max_length or min(int(getattr(tokenizer, "model_max_length", 512) or 512),
                                       int(getattr(network.config, "max_position_embeddings", 512) or 512), 512)
        self.window = max(limit, 8)
        self.id2label = id2label
        return (tokenizer, network)

    def _encode(self, piece: str) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """The piece cut into overlapping windows: each window's token ids (special tokens
        included) and, per token, its character offsets (``None`` for special tokens)."""
        tokenizer, _ = self._model
        encoded = tokenizer(piece, truncation=True, max_length=self.window, stride=min(self.stride, self.window // 2),
                            return_overflowing_tokens=True, return_offsets_mapping=True,
                            return_special_tokens_mask=True)
        return [(ids, [(int(a), int(b)) if not special else (0, 0) for special, (a, b) in zip(mask, offsets, strict=True)])
                for ids, mask, offsets in zip(encoded["input_ids"], encoded["special_tokens_mask"],
                                              encoded["offset_mapping"], strict=True)]

    def _tag(self, windows: Sequence[list[int]]) -> list[list[str]]:
        """A tag per token of each window, ``batch_size`` windows per forward pass."""
        import torch

        tokenizer, network = self._model
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        tags: list[list[str]] = []
        for first in range(0, len(windows), self.batch_size):
            rows = windows[first:first + self.batch_size]
            longest = max(len(row) for row in rows)
            input_ids = torch.tensor([row + [pad] * (longest - len(row)) for row in rows], device=self.device)
            mask = torch.tensor([[1] * len(row) + [0] * (longest - len(row)) for row in rows], device=self.device)
            with torch.no_grad():
                predicted = network(input_ids=input_ids, attention_mask=mask).logits.argmax(-1).tolist()
            tags.extend([self.id2label.get(label, "O") for label in labels[:len(row)]]
                        for labels, row in zip(predicted, rows, strict=True))
        return tags

    def predict_sentences(self, text: str, sentences: Sequence[tuple[int, int]]) -> list[Span]:
        """Mentions of ``text``, the model run on each ``(start, end)`` sentence of it."""
        if self._model is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        source = self.source(text)
        units = [(start, end) for start, end in sentences if source[start:end].strip()]
        encoded = [self._encode(source[start:end]) for start, end in units]
        # Windows of every sentence go through the model together: full batches, also on a GPU.
        tags = iter(self._tag([ids for windows in encoded for ids, _ in windows]))
        spans: list[Span] = []
        for (start, _), windows in zip(units, encoded, strict=True):
            tagged = [[(where, tag) for where, tag in zip(offsets, next(tags), strict=True) if where[1] > where[0]]
                      for _, offsets in windows]
            tokens = best_predictions(tagged)
            for chunk in decode_native([tag for _, tag in tokens]):
                if chunk.label in self.label_map:
                    spans.append(Span(start + tokens[chunk.start][0][0], start + tokens[chunk.end - 1][0][1],
                                      self.label_map[chunk.label]))
        return spans

    def _predict(self, text: str) -> list[Span]:
        # A bare text: the sentences the project's splitter finds, as the gold's were found.
        _, sentences = segment(text)
        return self.predict_sentences(text, [(sentence.start, sentence.end) for sentence in sentences])


def create(model: str, **options: Any) -> HfTokenClassificationTagger:
    """The ``hf:`` spec's factory."""
    accepted = {k: v for k, v in options.items()
                if k in ("label_map", "device", "batch_size", "max_length", "stride", "normalize_punctuation")
                and v is not None}
    return HfTokenClassificationTagger(model, **accepted)
