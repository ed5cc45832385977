"""``gliner:`` runs for real: a tiny GLiNER that the tests build with GLiNER's own classes and
``save_pretrained`` (``tests/tiny_models.py``) tags the article through ``zhnerbench tag`` and
``leaderboard --system``, and its spans equal those of GLiNER's own ``predict_entities`` on the
same pieces, every sentence of the article, 0 differing.

The reference loads the directory with ``GLiNER.from_pretrained``, gives it the words splitter
the adapter gives a ``whitespace`` model (the adapter's module doc says why), and asks
``predict_entities`` for the schema's descriptions, one sentence at a time, on the text the
adapter is fed (punctuation normalised, the default); GLiNER's own labels are mapped back by
``LABEL_DESCRIPTIONS``. The adapter batches sentences through ``GLiNER.inference``.
"""

from __future__ import annotations

from pathlib import Path

from tests.tiny_models import assert_runs_like_the_library
from zhnerbench.baselines.base import sentence_pieces, system_name
from zhnerbench.baselines.gliner_zero_shot import LABEL_DESCRIPTIONS, MODEL_CHARS, ChineseCharacterSplitter
from zhnerbench.baselines.normalize import tagger_input
from zhnerbench.document import Document, Span


def gliner_reference(model: Path, gold: Document, threshold: float = 0.5) -> list[Span]:
    """GLiNER's own ``predict_entities`` on each sentence of the article, as document spans."""
    from gliner import GLiNER

    network = GLiNER.from_pretrained(str(model))
    assert network.config.words_splitter_type == "whitespace"  # the released models' splitter
    network.data_processor.words_splitter = ChineseCharacterSplitter()
    source = tagger_input(gold.text, True)
    labels = {description: label for label, description in LABEL_DESCRIPTIONS.items()}
    spans = []
    for start, end in sentence_pieces(source, [(s.start, s.end) for s in gold.sentences], MODEL_CHARS):
        for entity in network.predict_entities(source[start:end], list(labels), threshold=threshold):
            spans.append(Span(start + entity["start"], start + entity["end"], labels[entity["label"]]))
    return spans


def test_gliner_tags_and_joins_a_board_with_predict_entities_spans(tiny_gliner: Path, gold: Document,
                                                                   tmp_path: Path) -> None:
    reference = gliner_reference(tiny_gliner, gold)
    assert len({span.label for span in reference}) >= 4
    record = assert_runs_like_the_library(f"gliner:{tiny_gliner}", system_name("gliner", str(tiny_gliner)), reference,
                                          tmp_path)
    assert set(record["scores"]) == {"full", "ontonotes", "coarse"}
    assert "words: Chinese characters (gliner " in record["system"]["version"]


def test_the_splitter_reads_chinese_character_by_character() -> None:
    words = list(ChineseCharacterSplitter()("在G60科创大厦, 2022年"))
    assert [w for w, _, _ in words] == ["在", "G60", "科", "创", "大", "厦", ",", "2022", "年"]
    assert all("在G60科创大厦, 2022年"[start:end] == word for word, start, end in words)
