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
import logging
from pathlib import Path
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from zhnerbench.baselines.base import BaselineUnavailable, package_version, require_module
from zhnerbench.baselines.msra import TaggedSentence, to_bio
from zhnerbench.baselines.training import MsraTrainedTagger, Progress
from zhnerbench.model import Span

REQUIRES = "pip install torch==2.13.0 'zhnerbench[hanlp]' (hanlp==2.1.5)"


def _patched_recognizer_class() -> type:
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    class BatchFirstCRFRecognizer(RNNNamedEntityRecognizer):  # type: ignore[misc]  # hanlp is untyped
        """HanLP's recogniser with its CRF told that emissions are batch-first (see module doc),
        calling ``after_epoch`` (when set) once each epoch's dev evaluation is done."""

        after_epoch: Callable[[], None] | None = None

        def build_model(self, **kwargs: Any):  # type: ignore[no-untyped-def]
            model = super().build_model(**kwargs)
            if getattr(model, "crf", None) is not None:
                model.crf.batch_first = True
            return model

        def evaluate_dataloader(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
            # HanLP's training loop evaluates dev once per epoch, then saves the model if dev improved.
            result = super().evaluate_dataloader(*args, **kwargs)
            if self.after_epoch is not None:
                self.after_epoch()
            return result

    return BatchFirstCRFRecognizer


@contextlib.contextmanager
def hanlp_silenced() -> Iterator[None]:
    """Keep HanLP's progress output off the terminal (the leaderboard shows its own progress).

    Besides ``print``, HanLP "flashes" status lines through a printer that holds the
    stream it found at import time, so redirecting ``sys.stdout``/``sys.stderr``
    alone does not catch them.
    """
    from hanlp.utils import log_util, time_util

    printer = log_util._printer
    stream = printer.out
    printer.out = io.StringIO()
    # The training loop's timers are printers too, whose default stream (sys.stdout or
    # sys.stderr) was bound when HanLP was imported: their erasing (backspaces and blanks) must
    # not reach the terminal either.
    printers = (log_util.ErasablePrinter.__init__, time_util.CountdownTimer.__init__)
    defaults = [function.__defaults__ for function in printers]
    for function in printers:
        function.__defaults__ = (io.StringIO(),)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        printer.out = stream
        for function, default in zip(printers, defaults, strict=True):
            function.__defaults__ = default


class HanlpRnnMsraTagger(MsraTrainedTagger):
    """HanLP BiLSTM-CRF over characters, trained on a bounded MSRA subset and cached."""

    name = "hanlp-bilstm-crf-msra"
    requires = REQUIRES
    library = "hanlp"

    model_defaults: ClassVar[Mapping[str, Any]] = {"embed": 100, "rnn_hidden": 128, "batch_size": 32, "lr": 0.005}

    def _check(self) -> None:
        require_module("hanlp", REQUIRES)
        if not self.version.startswith("2."):
            raise BaselineUnavailable(f"hanlp {self.version} found, 2.x needed: {REQUIRES}")

    def _extra_settings(self) -> dict[str, Any]:
        # "recipe" names the training code's version: bump it when training changes, so that
        # models trained the old way are not reused (2: HanLP's own seed is passed; 3: the
        # whole training split, one thread; 4: the curve tagged in evaluation mode).
        return {**super()._extra_settings(), "recipe": 4}

    def _versions(self) -> dict[str, str]:
        return {**super()._versions(), "torch": package_version("torch")}

    def _fit(self, train: Sequence[TaggedSentence], dev: Sequence[TaggedSentence], directory: Path,
             progress: Progress) -> None:
        import torch

        recognizer = _patched_recognizer_class()()
        epochs = iter(range(1, self.settings.epochs + 1))

        def after_epoch() -> None:
            def tag(texts: Sequence[str]) -> list[list[Span]]:
                # predict() does not switch dropout off itself (HanLP's evaluation did, before the
                # first call): without eval() the second set would be tagged with dropout on.
                recognizer.model.eval()
                try:
                    return _predict_spans(recognizer, texts)
                finally:
                    recognizer.model.train()

            progress.checkpoint(f"epoch {next(epochs)}", tag)

        recognizer.after_epoch = after_epoch
        # One thread: the published weights were trained so, and the result does not depend on
        # how many cores the machine that retrains them has.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with hanlp_silenced():
                recognizer.fit(
                    _as_samples(train), _as_samples(dev), str(directory),
                    epochs=self.settings.epochs, tagging_scheme="BIO", patience=self.settings.epochs,
                    crf=True, devices=[], logger=_quiet_logger(), verbose=False, seed=self.settings.seed,
                    **self.model_settings,
                )
        finally:
            torch.set_num_threads(threads)

    def _restore(self, directory: Path) -> Any:
        recognizer = _patched_recognizer_class()()
        with hanlp_silenced():
            recognizer.load(str(directory), devices=[])
        return recognizer

    def _tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        return _predict_spans(self._model, texts)


def _predict_spans(recognizer: Any, texts: Sequence[str]) -> list[list[Span]]:
    if not texts:
        return []
    # A list of token lists is a batch to HanLP, so one result list per text comes back.
    with hanlp_silenced():
        outputs = recognizer.predict([list(text) for text in texts], batch_size=64)
    return [[Span(begin, end, kind) for _, kind, begin, end in entities] for entities in outputs]


def _as_samples(sentences: Sequence[TaggedSentence]) -> list[dict[str, list[str]]]:
    return [{"token": list(sentence.chars), "tag": list(to_bio(sentence.tags))} for sentence in sentences]


def _quiet_logger() -> logging.Logger:
    logger = logging.getLogger("zhnerbench.baselines.hanlp_rnn")
    logger.setLevel(logging.WARNING)
    return logger
