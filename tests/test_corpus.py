"""The corpus: the text is the seed, and lines, roles and sentences follow the guidelines §1."""

from __future__ import annotations

import hashlib
import json

from zhnerbench.gold.segmentation import line_roles, sentence_bounds, split_lines
from zhnerbench.document import Document
from zhnerbench.schema import ARTICLE_SHA256


def test_article_is_the_seed_byte_for_byte(root):
    seed = (root / "seeds" / "000_e491b11e84c79d89.txt").read_bytes()
    assert (root / "corpus" / "article.txt").read_bytes() == seed
    assert hashlib.sha256(seed).hexdigest() == ARTICLE_SHA256


def test_metadata(root, gold: Document):
    metadata = json.loads((root / "corpus" / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["date"] == "2022-07-22"
    assert metadata["title"] == "创新主引擎 发展新动能——上海市产业技术创新大会顺利召开"
    assert metadata["characters"] == 4268 == len(gold.text)
    assert metadata["lines"] == 31 and metadata["sentences"] == 64
    assert metadata["sha256"] == ARTICLE_SHA256
    assert metadata["language"] == "zh"


def test_line_roles_match_the_schema_examples(gold: Document):
    roles = [line.role for line in gold.lines]
    assert len(roles) == 31
    assert roles[0] == "title"
    assert roles[6] == "heading" and gold.text[gold.lines[6].start:gold.lines[6].end] == "融通创新,促进产业高质量发展"
    assert roles[2] == "caption" and roles[29] == "caption"
    assert [i for i, r in enumerate(roles) if r == "heading"] == [6, 16, 23]
    assert roles.count("caption") == 12


def test_every_line_character_is_in_exactly_one_sentence(gold: Document):
    covered = [0] * len(gold.text)
    for sentence in gold.sentences:
        line = gold.lines[sentence.line]
        assert line.start <= sentence.start < sentence.end <= line.end
        for offset in range(sentence.start, sentence.end):
            covered[offset] += 1
    newlines = {i for i, c in enumerate(gold.text) if c == "\n"}
    assert all(covered[i] == (0 if i in newlines else 1) for i in range(len(gold.text)))
    assert [s.index for s in gold.sentences] == list(range(64))


def test_sentences_end_only_at_final_punctuation(gold: Document):
    for sentence in gold.sentences:
        body = gold.text[sentence.start:sentence.end - 1]
        assert not set(body) & set("。！？")
        line = gold.lines[sentence.line]
        assert gold.text[sentence.end - 1] in "。！？" or sentence.end == line.end


def test_semicolons_do_not_split():
    assert sentence_bounds("甲;乙；丙。") == ((0, 6),)
    assert sentence_bounds("") == ((0, 0),)


def test_split_lines_and_roles_on_small_text():
    assert split_lines("a\n\nb") == ((0, 1), (2, 2), (3, 4))
    assert line_roles(("t", "正文。", "说明", "正文。", "说明", "标题", "正文。")) == (
        "title", "body", "caption", "body", "caption", "heading", "body")
