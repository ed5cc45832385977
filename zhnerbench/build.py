"""``zhnerbench build``: every generated file, computed in memory from the source of truth.

Generated: ``corpus/`` (from ``seeds/``), ``data/`` (the dataset configs, from the
gold) and the generated parts of ``README.md``. Nothing is written unless the
whole build succeeded, and each file is replaced atomically.
"""

from __future__ import annotations

from pathlib import Path

from zhnerbench.annotations.gold import load_gold
from zhnerbench.card import README_FILE, render_readme
from zhnerbench.corpus.store import SEED_NAME, render_corpus_files
from zhnerbench.dataset import CONFIGS, config_rows, data_file, render_jsonl
from zhnerbench.errors import GoldDataError, Problem
from zhnerbench.files import write_atomically


def generated_files(root: Path) -> dict[str, bytes]:
    """Every generated file's expected content, keyed by repository-relative path."""
    seed = f"seeds/{SEED_NAME}"
    try:
        seed_bytes = (root / seed).read_bytes()
    except OSError as error:
        raise GoldDataError([Problem(seed, None, f"cannot read: {error.strerror}")]) from None
    files = render_corpus_files(seed_bytes)
    document = load_gold(root, text=seed_bytes.decode("utf-8"))
    rows = {config: config_rows(config, document) for config in CONFIGS}
    for config in CONFIGS:
        files[data_file(config)] = render_jsonl(rows[config]).encode("utf-8")
    readme = (root / README_FILE).read_text(encoding="utf-8")
    files[README_FILE] = render_readme(readme, document, root, rows).encode("utf-8")
    return files


def stale_files(root: Path, files: dict[str, bytes]) -> list[str]:
    """The paths whose committed content differs from ``files`` (or that are missing)."""
    stale = []
    for path, content in files.items():
        target = root / path
        if not target.is_file() or target.read_bytes() != content:
            stale.append(path)
    return stale


def write_files(root: Path, files: dict[str, bytes]) -> list[str]:
    """Write the files that changed; returns their paths."""
    changed = stale_files(root, files)
    for path in changed:
        write_atomically(root / path, files[path])
    return changed
