"""The trained-model cache: a damaged entry is found by its digests (or by failing to load)
and trained again with a warning; never used, never silently dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhnerbench.baselines.msra import MsraCorpus, TaggedSentence
from zhnerbench.baselines.training import TrainingSettings, train_or_reuse

WEIGHTS = b"weights" * 100
SENTENCE = TaggedSentence(tuple("张三在上海"), ("B-PER", "I-PER", "O", "B-LOC", "I-LOC"))
CORPUS = MsraCorpus((SENTENCE,) * 6, (SENTENCE,) * 2, "a test corpus", "checksum")


class Toy:
    """fit/restore of a model that is one weights file; restore refuses damaged weights."""

    def __init__(self) -> None:
        self.fits = 0

    def fit(self, train: object, dev: object, directory: Path) -> None:
        self.fits += 1
        (directory / "weights.bin").write_bytes(WEIGHTS)

    def restore(self, directory: Path) -> None:
        if (directory / "weights.bin").read_bytes() != WEIGHTS:
            raise ValueError("weights are damaged")

    def load(self) -> Path:
        info = train_or_reuse("toy", TrainingSettings(train_sentences=3, dev_sentences=1), {}, CORPUS, self.fit,
                              self.restore, lambda texts: [[] for _ in texts])
        return Path(info.directory)


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
    del metadata["files"]
    (directory / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    toy.load()  # it loads: its digests are recorded now
    assert toy.fits == 1 and "files" in json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    (directory / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    (directory / "weights.bin").write_bytes(b"")
    toy.load()
    assert toy.fits == 2 and "it does not load (ValueError: weights are damaged)" in capsys.readouterr().err
