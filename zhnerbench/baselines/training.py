"""What the trained baselines share: settings, where a model comes from (shipped weights, the
cache, or training now), the learning curve, and the MSRA dev and test scores.

A trained adapter provides ``_fit(train, dev, directory, progress)`` (train, keep the model
dev selects, and call ``progress.checkpoint`` along the way) and ``_restore(directory)`` /
``_tag_sentences(texts)``; this module decides whether to train, times it, scores the result
on MSRA dev and test and records all of it in the model's ``metadata.json`` so the
leaderboard can show it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    ModelTagger,
    TagSentences,
    one_line,
    package_version,
    spans_from_pieces,
)
from zhnerbench.baselines.cache import METADATA, model_dir, read_metadata, write_metadata
from zhnerbench.baselines.msra import MsraCorpus, TaggedSentence, chunk_counts, locate_msra, training_slices
from zhnerbench.counts import Counts
from zhnerbench.document import Span
from zhnerbench.paths import WEIGHTS_DIR, install_root
from zhnerbench.tag_schemes import decode_native


@dataclass(frozen=True)
class TrainingSettings:
    """What a trained model learns from: how many MSRA training sentences (evenly spaced, all by
    default), how many of the last ones are held out as the dev set that selects the model,
    the epochs (or what a library counts instead), and the seed.

    ``test_sentences`` bounds the MSRA test evaluation (``None``: the whole split).
    """

    train_sentences: int = 1_000_000
    dev_sentences: int = 2000
    epochs: int = 3
    seed: int = 1
    test_sentences: int | None = None


@dataclass(frozen=True)
class CurvePoint:
    """One point of a learning curve: the model as it was after ``step``, its training time so
    far (evaluation excluded) and its exact-span F1 on MSRA dev and test."""

    step: str
    training_seconds: float
    dev_f1: float
    test_f1: float


class Progress:
    """The clock of one training run and the learning curve it records.

    An adapter calls :meth:`checkpoint` whenever its model can tag (after an epoch, after a
    run of so many iterations) with a function that tags with the model as it is then; the
    clock stops while dev and test are scored, so ``elapsed()`` is training time only. The
    test score is recorded for the curve and never used to select anything.

    >>> progress = Progress([], [])
    >>> progress.checkpoint("epoch 1", lambda texts: [[] for _ in texts], seconds=2.0)
    CurvePoint(step='epoch 1', training_seconds=2.0, dev_f1=0.0, test_f1=0.0)
    """

    def __init__(self, dev: Sequence[TaggedSentence], test: Sequence[TaggedSentence]) -> None:
        self.dev, self.test = dev, test
        self.points: list[CurvePoint] = []
        self._started = time.perf_counter()
        self._paused = 0.0

    def elapsed(self) -> float:
        return time.perf_counter() - self._started - self._paused

    def checkpoint(self, step: str, tag_sentences: TagSentences, seconds: float | None = None) -> CurvePoint:
        """Score the model as it is now; ``seconds`` overrides the clock (for runs timed apart)."""
        training_seconds = self.elapsed() if seconds is None else seconds
        paused = time.perf_counter()
        point = CurvePoint(step, round(training_seconds, 1), round(evaluate_on(self.dev, tag_sentences).f1, 4),
                           round(evaluate_on(self.test, tag_sentences).f1, 4))
        self._paused += time.perf_counter() - paused
        self.points.append(point)
        return point


@dataclass(frozen=True)
class TrainedModelInfo:
    """What the leaderboard shows next to a trained baseline's article scores.

    ``weights`` says where the model came from: ``shipped`` (trained by the project's seeded
    training run and installed with the package) or ``trained here`` (now, or earlier into
    the cache). ``selected`` is the curve step the dev set chose.
    """

    directory: str
    msra_origin: str
    train_sentences: int
    dev_sentences: int
    training_seconds: float
    msra_dev_f1: float
    msra_test_precision: float
    msra_test_recall: float
    msra_test_f1: float
    msra_test_sentences: int
    selected: str
    curve: tuple[CurvePoint, ...]
    settings: dict[str, Any]
    weights: str = "trained here"


def info_from_metadata(metadata: Mapping[str, Any], weights: str) -> TrainedModelInfo:
    """The model's info as its ``metadata.json`` records it (digests aside)."""
    fields = {key: value for key, value in metadata.items() if key not in ("files", "weights", "versions", "digest")}
    fields["curve"] = tuple(CurvePoint(**point) for point in metadata.get("curve", ()))
    return TrainedModelInfo(**fields, weights=weights)


def metadata_of(info: TrainedModelInfo, versions: Mapping[str, str]) -> dict[str, Any]:
    """What ``metadata.json`` records of a model (the inverse of :func:`info_from_metadata`)."""
    metadata = asdict(info)
    del metadata["weights"]
    metadata["versions"] = dict(versions)
    return metadata


def evaluate_on(sentences: Sequence[TaggedSentence], tag_sentences: TagSentences) -> Counts:
    """Exact-span counts of ``tag_sentences`` (texts -> chunks per text) on tagged sentences."""
    gold = [decode_native(sentence.tags) for sentence in sentences]
    return chunk_counts(gold, tag_sentences([sentence.text for sentence in sentences]))


Fit = Callable[[Sequence[TaggedSentence], Sequence[TaggedSentence], Path, Progress], None]


def shipped_metadata(shipped: Path | None, settings: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The metadata of the weights shipped in ``shipped`` when they were trained with ``settings``
    (library versions aside: the weights load under newer ones), else ``None``; and why the
    shipped weights cannot be used when they are damaged."""
    if shipped is None:
        return None, None
    metadata, problem = read_metadata(shipped)
    if problem is not None:
        return None, problem
    if metadata is None or metadata.get("settings") != dict(settings):
        return None, None
    return metadata, None


def expected_training(shipped: Path | None) -> str:
    """How long training takes, as the shipped weights' metadata records it (for messages).

    >>> expected_training(None)
    'about an hour on one CPU thread'
    """
    fallback = "about an hour on one CPU thread"
    if shipped is None:
        return fallback
    try:
        seconds = float(json.loads((shipped / METADATA).read_text(encoding="utf-8"))["training_seconds"])
    except (TypeError, OSError, ValueError, KeyError):
        return fallback
    return f"about {max(round(seconds / 60), 1)} min on one CPU thread"


def train_model(
    system: str,
    settings: TrainingSettings,
    corpus: MsraCorpus,
    fit: Fit,
    restore: Callable[[Path], None],
    tag_sentences: TagSentences,
    directory: Path,
    all_settings: Mapping[str, Any],
    versions: Mapping[str, str],
) -> TrainedModelInfo:
    """Train into the empty ``directory``, restore the model the dev set selected, score it on
    MSRA test, and write its metadata (last, so that its presence means the model is complete)."""
    train, dev = training_slices(corpus, settings.train_sentences, settings.dev_sentences)
    test = corpus.test if settings.test_sentences is None else corpus.test[: settings.test_sentences]
    progress = Progress(dev, test)
    fit(train, dev, directory, progress)
    training_seconds = progress.elapsed()
    restore(directory)
    dev_counts, counts = evaluate_on(dev, tag_sentences), evaluate_on(test, tag_sentences)
    selected = next((point.step for point in progress.points if point.dev_f1 == round(dev_counts.f1, 4)), "last")
    info = TrainedModelInfo(
        str(directory), corpus.origin, len(train), len(dev), round(training_seconds, 1), round(dev_counts.f1, 4),
        round(counts.precision, 4), round(counts.recall, 4), round(counts.f1, 4), len(test), selected,
        tuple(progress.points), dict(all_settings),
    )
    write_metadata(directory, metadata_of(info, versions))
    return info


def train_or_reuse(
    system: str,
    settings: TrainingSettings,
    extra_settings: dict[str, Any],
    corpus: Callable[[], MsraCorpus],
    fit: Fit,
    restore: Callable[[Path], None],
    tag_sentences: TagSentences,
    retrain: bool = False,
    versions: Mapping[str, str] | None = None,
    shipped: Path | None = None,
    may_train: bool = True,
) -> TrainedModelInfo:
    """The model to use: the shipped weights when they match the settings (no training, no MSRA
    needed), else the cached model trained here with the same settings, library versions and
    data, else one trained now into the cache. ``retrain`` always trains anew.

    Without ``may_train`` no training starts unasked: damaged shipped weights, a damaged cache
    entry, or no model for these settings raise :class:`BaselineUnavailable` at once, in one
    line saying which file and how to get a model (reinstall, or ``--retrain`` and how long it
    takes), instead of an hour of training that looks like a hang."""
    all_settings = {**asdict(settings), **extra_settings}
    versions = dict(versions or {})
    remedy = f"reinstall zhnerbench, or train it anew with --retrain ({expected_training(shipped)})"
    if not retrain:
        metadata, problem = shipped_metadata(shipped, all_settings)
        if metadata is not None and shipped is not None:
            restore(shipped)
            return info_from_metadata(metadata, "shipped")
        if problem is not None:
            if not may_train:
                raise BaselineUnavailable(f"the shipped model in {shipped} is damaged ({problem}): {remedy}")
            print(f"the shipped model in {shipped} is damaged ({problem}); training one instead", file=sys.stderr)
    data = corpus()
    directory = model_dir(system, {**all_settings, **versions}, data.checksum)
    metadata, problem = (None, None) if retrain else read_metadata(directory)
    if metadata is not None:
        try:
            restore(directory)
            info = info_from_metadata(metadata, "trained here")
        except Exception as error:  # a damaged file the digests could not catch, or an entry of an older layout
            metadata, problem = None, f"it does not load ({one_line(error, 120)})"
        else:
            if "files" not in metadata:  # an entry from before the digests: record them now that it loaded
                write_metadata(directory, metadata)
            return info
    if problem is not None:
        if not may_train:
            raise BaselineUnavailable(f"the cached model in {directory} is corrupt ({problem}): delete it, or train it "
                                      f"anew with --retrain ({expected_training(shipped)})")
        print(f"{system}: the cached model in {directory} is corrupt: {problem}; training it again "
              "(what --retrain does on purpose)", file=sys.stderr)
    elif not may_train and not retrain:
        where = "no shipped weights for these settings" if shipped is not None else f"no shipped weights ({WEIGHTS_DIR}/{system} is missing)"
        raise BaselineUnavailable(f"{where} and no model trained here: {remedy}")
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return train_model(system, settings, data, fit, restore, tag_sentences, directory, all_settings, versions)


def weights_dir() -> Path:
    """The weights the project's own training run produced: ``baselines/weights/`` of the checkout,
    or of the copy an installed package carries."""
    return install_root() / WEIGHTS_DIR


def shipped_dir(system: str) -> Path | None:
    """Where ``system``'s shipped weights are, if the package has them."""
    directory = weights_dir() / system
    return directory if directory.is_dir() else None


#: MSRA's three types as the project's labels (its LOC are places, mostly GPEs).
MSRA_LABEL_MAP: Mapping[str, str] = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}


class MsraTrainedTagger(ModelTagger):
    """What the adapters trained here on MSRA share: their options, loading (the shipped
    weights, else the cache, else train: see :func:`train_or_reuse`) and prediction over the
    pieces of a text.

    A subclass names itself and its ``library``, lists its ``model_defaults`` (the model's
    own settings, which key the model along with :class:`TrainingSettings`), its ``recipe``
    and ``versioned_libraries``, and implements the abstract methods; ``_extra_settings()``
    may add what else determines the model.
    """

    native_labels: tuple[str, ...] = ("PER", "LOC", "ORG")
    label_map: Mapping[str, str] = MSRA_LABEL_MAP
    views: tuple[str, ...] = ("coarse",)
    #: The model tags the pieces of each line apart (:func:`spans_from_pieces`), so documents
    #: can be tagged in one batch (:func:`~zhnerbench.baselines.base.predict_documents`).
    tags_lines_independently: ClassVar[bool] = True
    model_defaults: ClassVar[Mapping[str, Any]] = {}
    #: The training code's version, one of the model's settings: bump it when training changes,
    #: so that a model trained the old way is neither reused from the cache nor taken as shipped.
    recipe: ClassVar[int | None] = None
    #: Libraries besides ``library`` whose versions key the cache.
    versioned_libraries: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        settings: TrainingSettings | None = None,
        msra: str | os.PathLike[str] | None = None,
        retrain: bool = False,
        normalize_punctuation: bool = True,
        train: bool = False,
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
        #: Train when no shipped or cached model fits (``python -m zhnerbench.baselines train``);
        #: otherwise loading never starts a training that was not asked for.
        self.train = train
        self.model_settings = {**self.model_defaults, **model_settings}
        self.info: TrainedModelInfo | None = None

    @abstractmethod
    def _check(self) -> None:
        """Raise :class:`BaselineUnavailable` when the library cannot run here."""

    @abstractmethod
    def _fit(self, train: Sequence[TaggedSentence], dev: Sequence[TaggedSentence], directory: Path,
             progress: Progress) -> None:
        """Train on ``train``, save into ``directory`` the model that scores best on ``dev``,
        and call ``progress.checkpoint`` wherever the model in training can tag (the curve)."""

    @abstractmethod
    def _restore(self, directory: Path) -> Any:
        """The model saved in ``directory``."""

    @abstractmethod
    def _tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        """Native chunks of each text (``self._model`` is loaded)."""

    def _extra_settings(self) -> dict[str, Any]:
        settings = dict(self.model_settings)
        if self.recipe is not None:
            settings["recipe"] = self.recipe
        return settings

    def _versions(self) -> dict[str, str]:
        return {self.library: self.version, **{name: package_version(name) for name in self.versioned_libraries}}

    def _load_model(self) -> Any:
        self._check()

        def restore(directory: Path) -> None:
            # The MSRA test score is taken right after restoring, so the model must be in place.
            self._model = self._restore(directory)

        self.info = train_or_reuse(
            self.name, self.settings, self._extra_settings(), lambda: locate_msra(self.msra),
            self._fit, restore, self._tag_sentences, self.retrain, self._versions(), shipped_dir(self.name),
            may_train=self.train,
        )
        return self._model

    def _predict(self, text: str) -> list[Span]:
        return spans_from_pieces(text, self.normalize_punctuation, self._tag_sentences, self.label_map)
