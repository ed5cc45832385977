"""What the trained baselines share: settings, the train-or-reuse cache step, the MSRA test score.

A trained adapter provides ``_fit(train, dev, directory)`` (train and save into
``directory``) and ``_restore(directory)`` / ``_tag_sentences(texts)``; this module
decides whether to train, times it, scores the result on the MSRA test split and
records both in the model's ``metadata.json`` so the leaderboard can show them.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from zhnerbench.baselines.base import BaselineUnavailable, TagSentences, chunks_from_tags, package_version, spans_from_pieces
from zhnerbench.baselines.cache import model_dir, read_metadata, write_metadata
from zhnerbench.baselines.msra import MsraCorpus, TaggedSentence, locate_msra, span_f1, training_slices
from zhnerbench.model import Span


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




def evaluate_on(sentences: Sequence[TaggedSentence], tag_sentences: TagSentences) -> tuple[float, float, float]:
    """Exact-span P/R/F1 of ``tag_sentences`` (texts -> chunks per text) on tagged sentences."""
    gold = [chunks_from_tags(sentence.tags) for sentence in sentences]
    predicted = tag_sentences([sentence.text for sentence in sentences])
    score = span_f1(gold, predicted)
    return score.precision, score.recall, score.f1


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
    metadata = None if retrain else read_metadata(directory)
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
        precision, recall, f1 = evaluate_on(test, tag_sentences)
        metadata = asdict(
            TrainedModelInfo(
                str(directory), corpus.origin, len(train), round(training_seconds, 1),
                round(precision, 4), round(recall, 4), round(f1, 4), len(test), all_settings,
            )
        )
        write_metadata(directory, metadata)
    else:
        restore(directory)
    return TrainedModelInfo(**metadata)


#: MSRA's three types as the project's labels (its LOC are places, mostly GPEs).
MSRA_LABEL_MAP: Mapping[str, str] = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}


class MsraTrainedTagger:
    """What the adapters trained here on MSRA share: their options, ``load()`` (find MSRA,
    then train into the cache or reuse it) and ``predict()``.

    A subclass names its ``library`` (whose version is the adapter's) and provides
    ``_check()`` (raise :class:`BaselineUnavailable` when it cannot run), ``_fit``,
    ``_restore``, ``_tag_sentences`` and ``_ready``; ``_extra_settings()`` adds what,
    besides :class:`TrainingSettings`, must key the cached model.
    """

    library: str
    native_labels: tuple[str, ...] = ("PER", "LOC", "ORG")
    label_map: Mapping[str, str] = MSRA_LABEL_MAP
    views: tuple[str, ...] = ("coarse",)

    def __init__(
        self,
        settings: TrainingSettings | None,
        msra: str | os.PathLike[str] | None,
        retrain: bool,
        normalize_punctuation: bool,
        model_settings: dict[str, Any],
    ) -> None:
        self.settings = settings or TrainingSettings()
        self.msra = msra
        self.retrain = retrain
        self.normalize_punctuation = normalize_punctuation
        self.model_settings = model_settings
        self.version = package_version(self.library)
        self.info: TrainedModelInfo | None = None

    def _extra_settings(self) -> dict[str, Any]:
        return {**self.model_settings, self.library: self.version}

    def load(self) -> None:
        self._check()
        corpus = locate_msra(self.msra)
        self.info = train_or_reuse(
            self.name, self.settings, self._extra_settings(), corpus,  # type: ignore[attr-defined]
            self._fit, self._restore, self._tag_sentences, self.retrain,
        )

    def predict(self, text: str) -> list[Span]:
        if not self._ready():
            raise BaselineUnavailable(f"{self.name}: call load() first")  # type: ignore[attr-defined]
        return spans_from_pieces(text, self.normalize_punctuation, self._tag_sentences, self.label_map)
