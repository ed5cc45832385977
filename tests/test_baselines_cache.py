"""The trained-model cache: a damaged entry is found by its digests (or by failing to load)
and trained again with a warning; never used, never silently dropped. Shipped weights are
used when they were trained with the same settings, and never when ``retrain`` is asked."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.baselines.msra import MsraCorpus, TaggedSentence
from zhnerbench.baselines.cache import write_metadata
from zhnerbench.baselines.training import Progress, TrainedModelInfo, TrainingSettings, train_or_reuse

WEIGHTS = b"weights" * 100
SENTENCE = TaggedSentence(tuple("张三在上海"), ("B-PER", "I-PER", "O", "B-LOC", "I-LOC"))
CORPUS = MsraCorpus((SENTENCE,) * 6, (SENTENCE,) * 2, "a test corpus", "checksum")


class Toy:
    """fit/restore of a model that is one weights file; restore refuses damaged weights."""

    def __init__(self) -> None:
        self.fits = 0
        self.shipped: Path | None = None
        self.restored: list[Path] = []

    def fit(self, train: object, dev: object, directory: Path, progress: Progress) -> None:
        self.fits += 1
        (directory / "weights.bin").write_bytes(WEIGHTS)
        progress.checkpoint("epoch 1", lambda texts: [[] for _ in texts])

    def restore(self, directory: Path) -> None:
        if (directory / "weights.bin").read_bytes() != WEIGHTS:
            raise ValueError("weights are damaged")
        self.restored.append(directory)

    def info(self, retrain: bool = False, settings: TrainingSettings = TrainingSettings(3, 1)) -> TrainedModelInfo:
        return train_or_reuse("toy", settings, {"size": 1}, lambda: CORPUS, self.fit, self.restore,
                              lambda texts: [[] for _ in texts], retrain, {"toylib": "1.0"}, self.shipped)

    def load(self) -> Path:
        return Path(self.info().directory)


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Toy:
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path))
    return Toy()


def test_an_intact_model_is_reused_silently(toy: Toy, capsys) -> None:
    toy.load()
    toy.load()
    assert toy.fits == 1 and capsys.readouterr().err == ""


@pytest.mark.parametrize("damage, reported", [
    (lambda d: (d / "weights.bin").write_bytes(WEIGHTS[:10]), "weights.bin changed"),
    (lambda d: (d / "weights.bin").write_bytes(b"\0" * len(WEIGHTS)), "weights.bin changed"),
    (lambda d: (d / "weights.bin").unlink(), "weights.bin is missing"),
    (lambda d: (d / "metadata.json").write_bytes(b"\0" * 64), "metadata.json is unreadable"),
])
def test_a_damaged_model_is_trained_again_with_a_warning(toy: Toy, capsys, damage, reported: str) -> None:
    directory = toy.load()
    damage(directory)
    assert toy.load() == directory
    assert toy.fits == 2
    err = capsys.readouterr().err
    assert f"toy: the cached model in {directory} is corrupt: {reported}" in err and "; training it again" in err
    assert err.count("\n") == 1
    toy.load()
    assert toy.fits == 2  # the retrained model is reused


def test_an_entry_from_before_the_digests_is_checked_by_loading_it(toy: Toy, capsys) -> None:
    directory = toy.load()
    metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    del metadata["files"], metadata["digest"]  # an entry from before either digest
    (directory / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    toy.load()  # it loads: its digests are recorded now
    assert toy.fits == 1 and "files" in json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    (directory / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    (directory / "weights.bin").write_bytes(b"")
    toy.load()
    assert toy.fits == 2 and "it does not load (ValueError: weights are damaged)" in capsys.readouterr().err


def ship(toy: Toy, where: Path) -> Path:
    """Train once and copy the model where shipped weights live."""
    trained = toy.load()
    where.mkdir()
    (where / "weights.bin").write_bytes((trained / "weights.bin").read_bytes())
    metadata = json.loads((trained / "metadata.json").read_text(encoding="utf-8"))
    del metadata["files"]
    write_metadata(where, metadata)
    return where


def test_shipped_weights_are_used_without_training_or_data(toy: Toy, tmp_path: Path) -> None:
    toy.shipped = ship(toy, tmp_path / "shipped")
    trained = toy.fits
    info = toy.info()
    assert toy.fits == trained and toy.restored[-1] == toy.shipped
    assert info.weights == "shipped" and info.settings == {"train_sentences": 3, "dev_sentences": 1, "epochs": 3,
                                                            "seed": 1, "test_sentences": None, "size": 1}
    assert [point.step for point in info.curve] == ["epoch 1"] and info.selected == "epoch 1"


def test_retrain_and_other_settings_never_use_the_shipped_weights(toy: Toy, tmp_path: Path) -> None:
    toy.shipped = ship(toy, tmp_path / "shipped")
    assert toy.info(retrain=True).weights == "trained here"
    assert toy.info(settings=TrainingSettings(4, 1)).weights == "trained here"
    assert toy.fits == 3


def test_damaged_shipped_weights_are_not_used(toy: Toy, tmp_path: Path, capsys) -> None:
    toy.shipped = ship(toy, tmp_path / "shipped")
    (toy.shipped / "weights.bin").write_bytes(b"x")
    assert toy.info().weights == "trained here"
    assert "the shipped model in" in capsys.readouterr().err


# -- no training starts unasked (what the leaderboard does: may_train=False) ----------------------


def _unasked(toy: Toy, retrain: bool = False) -> TrainedModelInfo:
    return train_or_reuse("toy", TrainingSettings(3, 1), {"size": 1}, lambda: CORPUS, toy.fit, toy.restore,
                          lambda texts: [[] for _ in texts], retrain, {"toylib": "1.0"}, toy.shipped, may_train=False)


def test_damaged_shipped_weights_are_reported_not_trained_around(toy: Toy, tmp_path: Path) -> None:
    toy.shipped = ship(toy, tmp_path / "shipped")
    (toy.shipped / "weights.bin").write_bytes(b"x")
    trained = toy.fits
    started = time.perf_counter()
    with pytest.raises(BaselineUnavailable) as caught:
        _unasked(toy)
    assert time.perf_counter() - started < 5 and toy.fits == trained
    message = str(caught.value)
    assert message.startswith(f"the shipped model in {toy.shipped} is damaged (weights.bin changed): reinstall "
                              "zhnerbench, or train it anew with --retrain (about ") and "\n" not in message
    assert _unasked(toy, retrain=True).weights == "trained here"  # asked for: trained
    assert toy.fits == trained + 1


def test_a_damaged_cache_entry_or_no_model_at_all_is_reported_not_trained(toy: Toy) -> None:
    with pytest.raises(BaselineUnavailable, match="no shipped weights .* and no model trained here: reinstall"):
        _unasked(toy)
    assert toy.fits == 0
    directory = toy.load()  # trained on purpose
    (directory / "weights.bin").write_bytes(b"x")
    with pytest.raises(BaselineUnavailable, match=f"the cached model in {directory} is corrupt "
                                                  r"\(weights.bin changed\): delete it, or train it anew"):
        _unasked(toy)
    assert toy.fits == 1


def test_a_hand_edited_score_in_the_shipped_metadata_is_reported(toy: Toy, tmp_path: Path) -> None:
    toy.shipped = ship(toy, tmp_path / "shipped")
    metadata = json.loads((toy.shipped / "metadata.json").read_text(encoding="utf-8"))
    metadata["msra_test_f1"] = 0.99
    (toy.shipped / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(BaselineUnavailable, match="metadata.json changed since the model was trained"):
        _unasked(toy)


def test_every_shipped_metadata_is_sealed() -> None:
    from zhnerbench.baselines.cache import read_metadata
    from zhnerbench.baselines.training import weights_dir

    shipped = sorted(path for path in weights_dir().iterdir() if path.is_dir())
    assert shipped
    for directory in shipped:
        metadata, problem = read_metadata(directory)
        assert problem is None and metadata is not None and "digest" in metadata, directory
