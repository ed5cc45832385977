"""HanLP 2.x BiLSTM-CRF (``RNNNamedEntityRecognizer``) trained here on MSRA NER.

Needs ``hanlp==2.1.5`` (2.1.7 requires ``hanlp-common>=0.0.24``, which PyPI does
not have) and the CPU build of PyTorch (``pip install torch==2.13.0`` first, or pip
pulls a multi-GB CUDA build).

**Patch.** ``RNNTaggingModel`` builds its CRF as ``CRF(n_out, crf_constraints)``:
the second positional parameter of HanLP's CRF is ``batch_first``, so it receives
``None`` and the CRF reads the batch-first emissions as time-first. Loss and
Viterbi then run over the wrong axis and dev F1 stays at 0. The adapter's
subclass sets ``crf.batch_first = True`` after HanLP builds the model, both when
training and when loading; the test ``tests/test_baselines_trained.py`` checks that
training actually learns.

Label map: MSRA ``PER -> PERSON``, ``LOC -> GPE`` (MSRA's LOC is mostly
countries, provinces and cities; it is scored in the coarse view, where
GPE/LOC/FAC are one class anyway), ``ORG -> ORG``.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from zhnerbench.baselines.base import BaselineUnavailable, package_version, require_module, spans_from_pieces
from zhnerbench.baselines.msra import TaggedSentence, locate_msra, to_bio
from zhnerbench.baselines.training import TrainedModelInfo, TrainingSettings, train_or_reuse
from zhnerbench.model import Span

REQUIRES = "pip install torch==2.13.0 'zhnerbench[hanlp]' (hanlp==2.1.5)"
MSRA_LABEL_MAP: Mapping[str, str] = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}


def _patched_recognizer_class() -> type:
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    class BatchFirstCRFRecognizer(RNNNamedEntityRecognizer):
        """HanLP's recogniser with its CRF told that emissions are batch-first (see module doc)."""

        def build_model(self, **kwargs: Any):  # type: ignore[no-untyped-def]
            model = super().build_model(**kwargs)
            if getattr(model, "crf", None) is not None:
                model.crf.batch_first = True
            return model

    return BatchFirstCRFRecognizer


@contextlib.contextmanager
def hanlp_silenced() -> Iterator[None]:
    """Keep HanLP's progress output off the terminal (the leaderboard shows its own progress).

    Besides ``print``, HanLP "flashes" status lines through a printer that holds the
    stream it found at import time, so redirecting ``sys.stdout``/``sys.stderr``
    alone does not catch them.
    """
    from hanlp.utils import log_util

    printer = log_util._printer
    stream = printer.out
    printer.out = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        printer.out = stream


class HanlpRnnMsraTagger:
    """HanLP BiLSTM-CRF over characters, trained on a bounded MSRA subset and cached."""

    name = "hanlp-bilstm-crf-msra"
    requires = REQUIRES
    native_labels: tuple[str, ...] = ("PER", "LOC", "ORG")
    label_map: Mapping[str, str] = MSRA_LABEL_MAP
    views: tuple[str, ...] = ("coarse",)

    def __init__(
        self,
        settings: TrainingSettings | None = None,
        msra: str | os.PathLike[str] | None = None,
        retrain: bool = False,
        normalize_punctuation: bool = True,
        embed: int = 100,
        rnn_hidden: int = 128,
        batch_size: int = 32,
        lr: float = 0.001,
    ) -> None:
        self.settings = settings or TrainingSettings()
        self.msra = msra
        self.retrain = retrain
        self.normalize_punctuation = normalize_punctuation
        self.model_settings = {"embed": embed, "rnn_hidden": rnn_hidden, "batch_size": batch_size, "lr": lr}
        self.version = package_version("hanlp")
        self.info: TrainedModelInfo | None = None
        self._recognizer: Any = None

    def load(self) -> None:
        require_module("hanlp", REQUIRES)
        if not self.version.startswith("2."):
            raise BaselineUnavailable(f"hanlp {self.version} found, 2.x needed: {REQUIRES}")
        corpus = locate_msra(self.msra)
        import torch

        torch.manual_seed(self.settings.seed)
        # "recipe" names the training code's version: bump it when training changes, so that
        # cached models trained the old way are not reused (2: HanLP's own seed is passed).
        extra = {**self.model_settings, "hanlp": self.version, "torch": package_version("torch"), "recipe": 2}
        self.info = train_or_reuse(
            self.name, self.settings, extra, corpus, self._fit, self._restore, self._tag_sentences, self.retrain
        )

    def _fit(self, train: Sequence[TaggedSentence], dev: Sequence[TaggedSentence], directory: Path) -> None:
        recognizer = _patched_recognizer_class()()
        with hanlp_silenced():
            recognizer.fit(
                _as_samples(train), _as_samples(dev), str(directory),
                epochs=self.settings.epochs, tagging_scheme="BIO", patience=self.settings.epochs,
                crf=True, devices=[], logger=_quiet_logger(), verbose=False, seed=self.settings.seed,
                **self.model_settings,
            )
        self._recognizer = recognizer

    def _restore(self, directory: Path) -> None:
        recognizer = _patched_recognizer_class()()
        with hanlp_silenced():
            recognizer.load(str(directory), devices=[])
        self._recognizer = recognizer

    def _tag_sentences(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        if not texts:
            return []
        # A list of token lists is a batch to HanLP, so one result list per text comes back.
        with hanlp_silenced():
            outputs = self._recognizer.predict([list(text) for text in texts], batch_size=64)
        return [[(begin, end, kind) for _, kind, begin, end in entities] for entities in outputs]

    def predict(self, text: str) -> list[Span]:
        if self._recognizer is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        return spans_from_pieces(text, self.normalize_punctuation, self._tag_sentences, self.label_map)


def _as_samples(sentences: Sequence[TaggedSentence]) -> list[dict[str, list[str]]]:
    return [{"token": list(sentence.chars), "tag": list(to_bio(sentence.tags))} for sentence in sentences]


def _quiet_logger():  # type: ignore[no-untyped-def]
    import logging

    logger = logging.getLogger("zhnerbench.baselines.hanlp_rnn")
    logger.setLevel(logging.WARNING)
    return logger
