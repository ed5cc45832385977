"""What the trained baselines share: settings, the train-or-reuse cache step, the MSRA test score.

A trained adapter provides ``_fit(train, dev, directory)`` (train and save into
``directory``) and ``_restore(directory)`` / ``_tag_sentences(texts)``; this module
decides whether to train, times it, scores the result on the MSRA test split and
records both in the model's ``metadata.json`` so the leaderboard can show them.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from zhnerbench.baselines.base import ModelTagger, TagSentences, one_line, spans_from_pieces
from zhnerbench.baselines.cache import model_dir, read_metadata, write_metadata
from zhnerbench.baselines.msra import MsraCorpus, TaggedSentence, chunk_counts, locate_msra, training_slices
from zhnerbench.counts import Counts
from zhnerbench.model import Span
from zhnerbench.schemes import decode_native


@dataclass(frozen=True)
class TrainingSettings:
    """Bounded so that training fits the leaderboard's budget (2 cores, 10 minutes for everything).

    ``test_sentences`` bounds the MSRA test evaluation (``None``: the whole split).
    """

    train_sentences: int = 8000
    dev_sentences: int = 500
    epochs: int = 3
    seed: int = 1
    test_sentences: int | None = None


@dataclass(frozen=True)
class TrainedModelInfo:
    """What the leaderboard shows next to a trained baseline's article scores."""

    directory: str
    msra_origin: str
    train_sentences: int
    training_seconds: float
    msra_test_precision: float
    msra_test_recall: float
    msra_test_f1: float
    msra_test_sentences: int
    settings: dict[str, Any]


def evaluate_on(sentences: Sequence[TaggedSentence], tag_sentences: TagSentences) -> Counts:
    """Exact-span counts of ``tag_sentences`` (texts -> chunks per text) on tagged sentences."""
    gold = [decode_native(sentence.tags) for sentence in sentences]
    return chunk_counts(gold, tag_sentences([sentence.text for sentence in sentences]))


def train_or_reuse(
    system: str,
    settings: TrainingSettings,
    extra_settings: dict[str, Any],
    corpus: MsraCorpus,
    fit: Callable[[Sequence[TaggedSentence], Sequence[TaggedSentence], Path], None],
    restore: Callable[[Path], None],
    tag_sentences: TagSentences,
    retrain: bool = False,
) -> TrainedModelInfo:
    """Train into the cache (or reuse what is there), restore it, and return its MSRA scores."""
    all_settings = {**asdict(settings), **extra_settings}
    directory = model_dir(system, all_settings, corpus.checksum)
    metadata, problem = (None, None) if retrain else read_metadata(directory)
    if metadata is not None:
        try:
            restore(directory)
        except Exception as error:  # a damaged file the digests could not catch (an entry from before them)
            metadata, problem = None, f"it does not load ({one_line(error, 120)})"
        else:
            if "files" not in metadata:  # an entry from before the digests: record them now that it loaded
                write_metadata(directory, metadata)
    if problem is not None:
        print(f"{system}: the cached model in {directory} is corrupt: {problem}; training it again "
              "(what --retrain does on purpose)", file=sys.stderr)
    if metadata is None:
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        train, dev = training_slices(corpus, settings.train_sentences, settings.dev_sentences)
        started = time.perf_counter()
        fit(train, dev, directory)
        training_seconds = time.perf_counter() - started
        restore(directory)
        test = corpus.test if settings.test_sentences is None else corpus.test[: settings.test_sentences]
        counts = evaluate_on(test, tag_sentences)
        metadata = asdict(
            TrainedModelInfo(
                str(directory), corpus.origin, len(train), round(training_seconds, 1),
                round(counts.precision, 4), round(counts.recall, 4), round(counts.f1, 4), len(test), all_settings,
            )
        )
        write_metadata(directory, metadata)
    return TrainedModelInfo(**{key: value for key, value in metadata.items() if key != "files"})


#: MSRA's three types as the project's labels (its LOC are places, mostly GPEs).
MSRA_LABEL_MAP: Mapping[str, str] = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}


class MsraTrainedTagger(ModelTagger):
    """What the adapters trained here on MSRA share: their options, loading (find MSRA, then
    train into the cache or reuse it) and prediction over the pieces of a text.

    A subclass names itself and its ``library``, lists its ``model_defaults`` (the model's
    own settings, which key the cached model along with :class:`TrainingSettings`), and
    implements the abstract methods; ``_extra_settings()`` adds what else keys the cache.
    """

    native_labels: tuple[str, ...] = ("PER", "LOC", "ORG")
    label_map: Mapping[str, str] = MSRA_LABEL_MAP
    views: tuple[str, ...] = ("coarse",)
    model_defaults: ClassVar[Mapping[str, Any]] = {}

    def __init__(
        self,
        settings: TrainingSettings | None = None,
        msra: str | os.PathLike[str] | None = None,
        retrain: bool = False,
        normalize_punctuation: bool = True,
        **model_settings: Any,
    ) -> None:
        super().__init__(normalize_punctuation)
        unknown = sorted(set(model_settings) - set(self.model_defaults))
        if unknown:
            raise TypeError(f"{self.name} has no model setting(s) {', '.join(unknown)} "
                            f"(settings: {', '.join(self.model_defaults)})")
        self.settings = settings or TrainingSettings()
        self.msra = msra
        self.retrain = retrain
        self.model_settings = {**self.model_defaults, **model_settings}
        self.info: TrainedModelInfo | None = None

    @abstractmethod
    def _check(self) -> None:
        """Raise :class:`BaselineUnavailable` when the library cannot run here."""

    @abstractmethod
    def _fit(self, train: Sequence[TaggedSentence], dev: Sequence[TaggedSentence], directory: Path) -> None:
        """Train on ``train`` (selecting on ``dev``) and save the model into ``directory``."""

    @abstractmethod
    def _restore(self, directory: Path) -> Any:
        """The model saved in ``directory``."""

    @abstractmethod
    def _tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        """Native chunks of each text (``self._model`` is loaded)."""

    def _extra_settings(self) -> dict[str, Any]:
        return {**self.model_settings, self.library: self.version}

    def _load_model(self) -> Any:
        self._check()
        corpus = locate_msra(self.msra)

        def restore(directory: Path) -> None:
            # The MSRA test score is taken right after restoring, so the model must be in place.
            self._model = self._restore(directory)

        self.info = train_or_reuse(
            self.name, self.settings, self._extra_settings(), corpus,
            self._fit, restore, self._tag_sentences, self.retrain,
        )
        return self._model

    def _predict(self, text: str) -> list[Span]:
        return spans_from_pieces(text, self.normalize_punctuation, self._tag_sentences, self.label_map)
