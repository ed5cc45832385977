"""A character BiLSTM-CRF with bigram and jieba softword embeddings, trained here on MSRA NER.

The network is :mod:`~zhnerbench.baselines.bilstm_crf_net` (PyTorch and ``pytorch-crf``);
this adapter trains it with Adam on the training split in length-sorted batches, scores
MSRA dev (and test, for the curve) after every epoch, and keeps the epoch dev likes best.
Training runs on one CPU thread with a fixed seed, so that a retrain reproduces the
shipped weights; the weights are stored in half precision (the score recorded with them is
the one those half-precision weights give).

Label map: ``PER -> PERSON``, ``LOC -> GPE``, ``ORG -> ORG``, as for the other
MSRA-trained baselines; scored in the coarse view.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from zhnerbench.baselines.base import require_module
from zhnerbench.baselines.lexicon import jieba_words, softword_tags
from zhnerbench.baselines.msra import TaggedSentence
from zhnerbench.baselines.training import MsraTrainedTagger, Progress
from zhnerbench.document import Span
from zhnerbench.tag_schemes import decode_native

REQUIRES = "pip install torch 'zhnerbench[bilstm]' (torch, pytorch-crf, jieba)"
WEIGHTS_FILE, VOCABULARY_FILE = "model.pt", "vocabulary.json"
#: Texts tagged per batch at prediction time.
TAG_BATCH = 256

PAD, UNKNOWN = 0, 1


@dataclass(frozen=True)
class Vocabulary:
    """The ids of the model's inputs and outputs (0 pads, 1 is an unknown input)."""

    chars: Mapping[str, int]
    bigrams: Mapping[str, int]
    softwords: Mapping[str, int]
    tags: Sequence[str]


def char_bigrams(text: str) -> list[str]:
    """The bigram each character starts (the last one with an end mark).

    >>> char_bigrams("上海市")
    ['上海', '海市', '市</s>']
    """
    return [text[i:i + 2] if i + 1 < len(text) else text[i] + "</s>" for i in range(len(text))]


def encode(vocabulary: Vocabulary, text: str, softwords: Sequence[str]) -> tuple[list[int], list[int], list[int]]:
    """The three input id sequences of one text."""
    return ([vocabulary.chars.get(char, UNKNOWN) for char in text],
            [vocabulary.bigrams.get(bigram, UNKNOWN) for bigram in char_bigrams(text)],
            [vocabulary.softwords.get(tag, UNKNOWN) for tag in softwords])


class BilstmCrfMsraTagger(MsraTrainedTagger):
    """Character BiLSTM-CRF (char, bigram and softword embeddings), trained on MSRA NER."""

    name = "bilstm-crf-msra"
    requires = REQUIRES
    library = "pytorch-crf"
    recipe = 1  # bump when training changes
    versioned_libraries = ("torch", "jieba")

    #: Dimensions, dropout, Adam's learning rate, sentences per batch, and the fewest
    #: occurrences in training that give a bigram an embedding of its own.
    model_defaults: ClassVar[Mapping[str, Any]] = {
        "char_dim": 100, "bigram_dim": 50, "softword_dim": 30, "hidden": 200, "dropout": 0.5,
        "lr": 0.002, "batch_size": 32, "bigram_min_count": 3,
    }

    def _check(self) -> None:
        require_module("torch", REQUIRES)
        require_module("torchcrf", REQUIRES)
        require_module("jieba", REQUIRES)

    def _fit(self, train: Sequence[TaggedSentence], dev: Sequence[TaggedSentence], directory: Path,
             progress: Progress) -> None:
        import torch

        from zhnerbench.baselines.bilstm_crf_net import batch_tensors, padded

        settings = self.model_settings
        sentences = [sentence for sentence in train if sentence.chars]
        texts = [sentence.text for sentence in sentences]
        lengths = [len(text) for text in texts]
        softwords = [softword_tags(jieba_words(text)) for text in texts]
        vocabulary = build_vocabulary(texts, softwords, [sentence.tags for sentence in sentences],
                                      settings["bigram_min_count"])
        tag_ids = {tag: index for index, tag in enumerate(vocabulary.tags)}
        encoded = [encode(vocabulary, text, tags) for text, tags in zip(texts, softwords, strict=True)]
        gold = [[tag_ids[tag] for tag in sentence.tags] for sentence in sentences]
        threads = torch.get_num_threads()
        # One thread: the shipped weights were trained so, and a retrain on a machine with more
        # cores then goes through the same arithmetic.
        torch.set_num_threads(1)
        try:
            torch.manual_seed(self.settings.seed)
            shuffle = random.Random(self.settings.seed)
            model = new_model(vocabulary, settings)
            optimizer = torch.optim.Adam(model.parameters(), lr=settings["lr"])
            best: tuple[float, dict[str, Any]] | None = None
            for epoch in range(1, self.settings.epochs + 1):
                model.train()
                for batch in length_sorted_batches(lengths, settings["batch_size"], shuffle):
                    inputs, batch_lengths = batch_tensors([encoded[i] for i in batch])
                    loss = model.loss(inputs, batch_lengths, padded([gold[i] for i in batch]))
                    optimizer.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                    optimizer.step()
                # The curve scores the model as it would be saved (half precision), so that the
                # epoch dev selects scores, restored, exactly what its curve point says.
                state = half_precision(model.state_dict())
                saved = new_model(vocabulary, settings)
                saved.load_state_dict(full_precision(state))
                saved.eval()
                point = progress.checkpoint(f"epoch {epoch}", lambda texts: tag_texts(saved, vocabulary, texts))
                if best is None or point.dev_f1 > best[0]:
                    best = (point.dev_f1, state)
        finally:
            torch.set_num_threads(threads)
        assert best is not None, "at least one epoch"
        save_model(directory, vocabulary, settings, best[1])

    def _restore(self, directory: Path) -> Any:
        import torch

        vocabulary, settings = read_vocabulary(directory / VOCABULARY_FILE)
        model = new_model(vocabulary, settings)
        state = torch.load(directory / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        model.load_state_dict(full_precision(state))
        model.eval()
        return model, vocabulary

    def _tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        model, vocabulary = self._model
        return tag_texts(model, vocabulary, texts)


def build_vocabulary(texts: Sequence[str], softwords: Sequence[Sequence[str]], tags: Sequence[Sequence[str]],
                     bigram_min_count: int) -> Vocabulary:
    """The ids of every training character, every bigram seen ``bigram_min_count`` times or
    more, every softword tag and every output tag (sorted, so the ids do not depend on order)."""
    bigram_counts = Counter(bigram for text in texts for bigram in char_bigrams(text))

    def ids(items: set[str]) -> dict[str, int]:
        return {item: index + 2 for index, item in enumerate(sorted(items))}

    return Vocabulary(
        ids({char for text in texts for char in text}),
        ids({bigram for bigram, count in bigram_counts.items() if count >= bigram_min_count}),
        ids({tag for sentence in softwords for tag in sentence}),
        tuple(sorted({tag for sentence in tags for tag in sentence})),
    )


def length_sorted_batches(lengths: Sequence[int], batch_size: int, shuffle: random.Random) -> list[list[int]]:
    """Batches of indexes in random order, each of texts of similar length (sorted within
    runs of 50 batches, so that padding stays small and the order still varies by epoch).

    >>> length_sorted_batches([3, 1, 2, 5], 2, random.Random(0))
    [[1, 2], [0, 3]]
    """
    order = list(range(len(lengths)))
    shuffle.shuffle(order)
    batches = []
    run = batch_size * 50
    for start in range(0, len(order), run):
        chunk = sorted(order[start:start + run], key=lambda index: lengths[index])
        batches += [chunk[k:k + batch_size] for k in range(0, len(chunk), batch_size)]
    shuffle.shuffle(batches)
    return batches


def new_model(vocabulary: Vocabulary, settings: Mapping[str, Any]) -> Any:
    from zhnerbench.baselines.bilstm_crf_net import BilstmCrf

    return BilstmCrf(vocabulary, settings["char_dim"], settings["bigram_dim"], settings["softword_dim"],
                     settings["hidden"], settings["dropout"])


def tag_texts(model: Any, vocabulary: Vocabulary, texts: Sequence[str]) -> list[list[Span]]:
    """Native chunks of each text, tagged in batches of similar length (empty texts: none)."""
    import torch

    from zhnerbench.baselines.bilstm_crf_net import batch_tensors

    spans: list[list[Span]] = [[] for _ in texts]
    order = sorted((index for index, text in enumerate(texts) if text), key=lambda index: len(texts[index]))
    with torch.no_grad():
        for start in range(0, len(order), TAG_BATCH):
            batch = order[start:start + TAG_BATCH]
            encoded = [encode(vocabulary, texts[i], softword_tags(jieba_words(texts[i]))) for i in batch]
            for index, path in zip(batch, model.decode(*batch_tensors(encoded)), strict=True):
                spans[index] = decode_native([vocabulary.tags[tag] for tag in path])
    return spans


def half_precision(state: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the weights in half precision (half the size to ship)."""
    return {key: value.detach().half() if value.is_floating_point() else value.detach().clone()
            for key, value in state.items()}


def full_precision(state: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value.float() if value.is_floating_point() else value for key, value in state.items()}


def save_model(directory: Path, vocabulary: Vocabulary, settings: Mapping[str, Any], state: Mapping[str, Any]) -> None:
    """The weights (as :func:`half_precision` made them) and the vocabulary with the settings
    the network is built from."""
    import torch

    torch.save(dict(state), directory / WEIGHTS_FILE)
    (directory / VOCABULARY_FILE).write_text(json.dumps({
        "chars": vocabulary.chars, "bigrams": vocabulary.bigrams, "softwords": vocabulary.softwords,
        "tags": list(vocabulary.tags), "settings": dict(settings),
    }, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def read_vocabulary(path: Path) -> tuple[Vocabulary, dict[str, Any]]:
    """The vocabulary and network settings :func:`save_model` wrote."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Vocabulary(data["chars"], data["bigrams"], data["softwords"], tuple(data["tags"])), data["settings"]
