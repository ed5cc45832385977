"""Shared fixtures: the real checkout, and disposable copies of it to corrupt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
