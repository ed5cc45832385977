"""``stanza:`` runs for real: a tiny Chinese pipeline trained by Stanza's own tokenizer and NER
trainers (``tests/tiny_models.py``), laid out as a Stanza model directory, is loaded through the
adapter by directory (``stanza:DIR``) and by language from ``$STANZA_RESOURCES_DIR``
(``stanza:zh``), tags the article through ``zhnerbench tag`` and ``leaderboard --system``, and its
spans equal those of Stanza's own ``Pipeline(...)(sentence).ents`` on every sentence of the
article, 0 differing.

The reference builds ``stanza.Pipeline("zh", dir=DIR, processors="tokenize,ner")`` and runs it
on one sentence at a time (the text the adapter is fed: punctuation normalised, the default).
The adapter gives the pipeline all sentences at once, as Stanza documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_models import assert_runs_like_the_library
from zhnerbench.baselines.base import BaselineUnavailable, sentence_pieces, system_name
from zhnerbench.baselines.normalize import tagger_input
from zhnerbench.baselines.specs import create_system
from zhnerbench.document import Document, Span
from zhnerbench.schema import ENTITY_LABELS


def stanza_reference(folder: Path, gold: Document) -> list[Span]:
    """Stanza's own pipeline on each sentence of the article, as document spans (its tiny model
    was trained on the schema's labels, which the ontonotes preset keeps as they are)."""
    import stanza

    pipeline = stanza.Pipeline("zh", dir=str(folder), processors="tokenize,ner", download_method=None,
                               verbose=False, device="cpu")
    source = tagger_input(gold.text, True)
    return [Span(start + entity.start_char, start + entity.end_char, entity.type)
            for start, end in sentence_pieces(source, [(s.start, s.end) for s in gold.sentences])
            for entity in pipeline(source[start:end]).ents]


def test_stanza_tags_and_joins_a_board_with_its_pipelines_spans(tiny_stanza: Path, gold: Document,
                                                                tmp_path: Path) -> None:
    reference = stanza_reference(tiny_stanza, gold)
    assert len({span.label for span in reference}) >= 3
    record = assert_runs_like_the_library(f"stanza:{tiny_stanza}", system_name("stanza", str(tiny_stanza)), reference,
                                          tmp_path)
    assert record["system"]["version"].startswith(f"{tiny_stanza.name} (ontonotes labels; stanza ")
    assert record["scores"] and set(record["scores"]) <= {"full", "ontonotes", "coarse"}


def test_stanza_by_language_reads_stanza_resources_dir(tiny_stanza: Path, gold: Document,
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tiny_stanza))
    tagger = create_system("stanza:zh")
    tagger.load()
    assert tagger.name == "stanza-zh" and set(tagger.native_labels) <= set(ENTITY_LABELS)
    first = gold.sentences[1]
    by_directory = create_system(f"stanza:{tiny_stanza}")
    by_directory.load()
    sentences = [(first.start, first.end)]
    assert tagger.predict_sentences(gold.text, sentences) == by_directory.predict_sentences(gold.text, sentences)  # type: ignore[attr-defined]
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path))  # no models there
    with pytest.raises(BaselineUnavailable, match=r"stanza\.download\('zh'\)") as raised:
        create_system("stanza:zh").load()
    assert "\n" not in str(raised.value)


def test_a_directory_without_stanza_models_says_how_to_get_them(tmp_path: Path) -> None:
    pytest.importorskip("stanza")
    tagger = create_system(f"stanza:{tmp_path}")
    with pytest.raises(BaselineUnavailable, match="model_dir=") as raised:
        tagger.load()
    assert str(tmp_path) in str(raised.value) and "\n" not in str(raised.value)
