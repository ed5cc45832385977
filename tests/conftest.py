"""Shared fixtures: the real checkout, disposable copies of it to corrupt, and tiny models of the
libraries behind gliner:, stanza: and ltp: (built once per session, see `tests/tiny_models.py`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.tiny_models import build_gliner, build_ltp, build_stanza, built_once
from zhnerbench.gold.annotation_files import load_article_gold
from zhnerbench.document import Document

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def gold() -> Document:
    return load_article_gold(ROOT)


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the files the gold tools read, which a test may corrupt freely."""
    copy = tmp_path / "checkout"
    for folder in ("seeds", "corpus", "annotations", "data", "results"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for name in ("README.md", "CHANGELOG.md", "eval.yaml", "docs/usage.md"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, copy / name)
    monkeypatch.setenv("ZHNERBENCH_ROOT", str(copy))
    return copy


@pytest.fixture(scope="session")
def tiny_gliner(tmp_path_factory: pytest.TempPathFactory, gold: Document) -> Path:
    sentences = [gold.text[s.start:s.end] for s in gold.sentences[:8]]
    return built_once(tmp_path_factory, "gliner", lambda folder: build_gliner(folder, gold.text, sentences)) / "model"


@pytest.fixture(scope="session")
def tiny_ltp(tmp_path_factory: pytest.TempPathFactory, gold: Document) -> Path:
    return built_once(tmp_path_factory, "ltp", lambda folder: build_ltp(folder, gold.text))


@pytest.fixture(scope="session")
def tiny_stanza(tmp_path_factory: pytest.TempPathFactory, gold: Document) -> Path:
    return built_once(tmp_path_factory, "stanza", lambda folder: build_stanza(folder, gold))
