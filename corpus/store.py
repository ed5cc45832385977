"""The corpus files: rendering them from the seed text, and reading the document back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from zhnerbench.corpus.segment import segment, split_title_line
from zhnerbench.errors import GoldDataError, Problem
from zhnerbench.model import Document
from zhnerbench.tsv import format_tsv

SEED_NAME = "000_e491b11e84c79d89.txt"
DOCUMENT_ID = SEED_NAME.removesuffix(".txt")
LANGUAGE = "zh"

ARTICLE_FILE = "corpus/article.txt"
METADATA_FILE = "corpus/metadata.json"
LINES_FILE = "corpus/lines.tsv"
SENTENCES_FILE = "corpus/sentences.tsv"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_from_text(text: str, document_id: str = DOCUMENT_ID) -> Document:
    """The unannotated document: metadata, lines and sentences derived from ``text``."""
    lines, sentences = segment(text)
    title, date = split_title_line(text[lines[0].start:lines[0].end])
    return Document(document_id, title, date, LANGUAGE, text, lines, sentences)


def render_corpus_files(seed_bytes: bytes) -> dict[str, bytes]:
    """Every file under ``corpus/``, keyed by repository-relative path."""
    text = seed_bytes.decode("utf-8")
    document = document_from_text(text)
    metadata = {
        "id": document.id,
        "title": document.title,
        "date": document.date,
        "language": document.language,
        "source": f"seeds/{SEED_NAME}",
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
    path = root / ARTICLE_FILE
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as error:
        raise GoldDataError([Problem(ARTICLE_FILE, None, f"cannot read: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise GoldDataError([Problem(ARTICLE_FILE, None, "not valid UTF-8")]) from None
