"""``ltp:`` runs for real: a tiny LTP model built from a random configuration and saved in LTP's
format (``tests/tiny_models.py``) is loaded by directory, tags the article through ``zhnerbench tag``
and ``leaderboard --system``, and its spans equal LTP's own ``pipeline(..., tasks=["cws", "ner"])``
output mapped by the documented tag map, every sentence of the article, 0 differing.

The reference loads the directory with ``ltp.LTP`` (its tokenizer given back the
``batch_encode_plus`` that LTP 4.2 calls and transformers 5 removed, as the adapter does), runs the pipeline on one sentence at a time
(the text the adapter is fed: punctuation normalised, the default) and reads its formatted
output: the words, and each entity as ``(tag, text, first word, last word)``. The words are found
in the sentence one after the other, an entity runs from its first word's first character to its
last word's last, and its text must be LTP's. The adapter batches sentences and decodes LTP's raw
word tags with LTP's own ``get_entities``.
"""

from __future__ import annotations

from pathlib import Path

from tests.tiny_models import assert_runs_like_the_library
from zhnerbench.baselines.base import sentence_pieces, system_name
from zhnerbench.baselines.ltp_ner import MODEL_CHARS, TAG_MAP, with_transformers_5_tokenizer
from zhnerbench.baselines.normalize import tagger_input
from zhnerbench.baselines.specs import create_system
from zhnerbench.document import Document, Span


def word_places(words: list[str], text: str) -> list[tuple[int, int]]:
    """Where each word is, found in ``text`` one after the other."""
    places, position = [], 0
    for word in words:
        start = text.index(word, position)
        places.append((start, start + len(word)))
        position = start + len(word)
    return places


def ltp_reference(model: Path, gold: Document) -> list[Span]:
    """LTP's own pipeline on each sentence of the article, as document spans of the schema's labels."""
    from ltp import LTP

    network = with_transformers_5_tokenizer(LTP(str(model)))
    source = tagger_input(gold.text, True)
    spans = []
    for start, end in sentence_pieces(source, [(s.start, s.end) for s in gold.sentences], MODEL_CHARS):
        piece = source[start:end]
        output = network.pipeline([piece], tasks=["cws", "ner"])
        places = word_places(output.cws[0], piece)
        for tag, text, first, last in output.ner[0]:
            assert piece[places[first][0]:places[last][1]] == text
            if tag in TAG_MAP:
                spans.append(Span(start + places[first][0], start + places[last][1], TAG_MAP[tag]))
    return spans


def test_ltp_tags_and_joins_a_board_with_its_pipelines_spans(tiny_ltp: Path, gold: Document, tmp_path: Path) -> None:
    reference = ltp_reference(tiny_ltp, gold)
    assert {span.label for span in reference} == {"PERSON", "GPE", "ORG"}
    record = assert_runs_like_the_library(f"ltp:{tiny_ltp}", system_name("ltp", str(tiny_ltp)), reference, tmp_path)
    assert set(record["scores"]) == {"coarse"} and record["system"]["native_labels"] == list(TAG_MAP)


def test_ltp_reads_a_long_sentence_clause_by_clause(tiny_ltp: Path) -> None:
    tagger = create_system(f"ltp:{tiny_ltp}", batch_size=2)
    tagger.load()
    long_sentence = "上海市经济和信息化委员会主任吴金城出席会议；" * 20  # 440 characters, clauses of 22
    assert len(long_sentence) > MODEL_CHARS
    spans = tagger.predict_sentences(long_sentence, [(0, len(long_sentence))])  # type: ignore[attr-defined]
    # No clause is cut off at LTP's 512 tokens, and no entity crosses a clause.
    assert spans and all(span.start // 22 == (span.end - 1) // 22 for span in spans)
    assert max(span.end for span in spans) > MODEL_CHARS
