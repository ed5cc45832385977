"""The corpus files: rendering them from the seed text, and reading the document back."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from zhnerbench.digests import sha256_hex
from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.gold.segmentation import segment, split_title_line
from zhnerbench.reading import read_project_file
from zhnerbench.document import Document, Entity, Mention
from zhnerbench.paths import ARTICLE_FILE, LINES_FILE, METADATA_FILE, SEED_FILE, SEED_NAME, SENTENCES_FILE
from zhnerbench.tsv import format_tsv

DOCUMENT_ID = SEED_NAME.removesuffix(".txt")
LANGUAGE = "zh"


def document_from_text(text: str, document_id: str = DOCUMENT_ID) -> Document:
    """The unannotated document: metadata, lines and sentences derived from ``text``."""
    lines, sentences = segment(text)
    title, date = split_title_line(text[lines[0].start:lines[0].end])
    return Document(document_id, title, date, LANGUAGE, text, lines, sentences)


def example_document() -> Document:
    """A two-sentence document with one gold mention, 张为 (PERSON, [15,17)): the examples in
    the docstrings use it, and it is handy for trying the scorer by hand.

    >>> document = example_document()
    >>> document.sentence_text(1), [m.text for m in document.mentions]
    ('张为出席。', ['张为'])
    """
    document = document_from_text("标题 2022年07月22日\n张为出席。")
    mention = Mention("M001", 15, 17, "PERSON", "E001", "张为")
    return replace(document, mentions=(mention,), entities=(Entity("E001", "PERSON", "张为", ("M001",)),))


def render_corpus_files(seed_bytes: bytes) -> dict[str, bytes]:
    """Every file under ``corpus/``, keyed by repository-relative path."""
    text = seed_bytes.decode("utf-8")
    document = document_from_text(text)
    metadata = {
        "id": document.id,
        "title": document.title,
        "date": document.date,
        "language": document.language,
        "source": SEED_FILE,
        "sha256": sha256_hex(text),
        "characters": len(text),
        "lines": len(document.lines),
        "sentences": len(document.sentences),
    }
    lines_tsv = format_tsv(
        ["line", "start", "end", "role", "text"],
        ([ln.index, ln.start, ln.end, ln.role, text[ln.start:ln.end]] for ln in document.lines),
    )
    sentences_tsv = format_tsv(
        ["sentence", "line", "start", "end", "text"],
        ([s.index, s.line, s.start, s.end, text[s.start:s.end]] for s in document.sentences),
    )
    return {
        ARTICLE_FILE: seed_bytes,
        METADATA_FILE: (json.dumps(metadata, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        LINES_FILE: lines_tsv.encode("utf-8"),
        SENTENCES_FILE: sentences_tsv.encode("utf-8"),
    }


def read_article(root: Path) -> str:
    """The article text from ``corpus/article.txt``, decoded strictly."""
    try:
        return read_project_file(root / ARTICLE_FILE, ARTICLE_FILE).decode("utf-8")
    except UnicodeDecodeError:
        raise GoldDataError([Problem(ARTICLE_FILE, None, "not valid UTF-8")]) from None
