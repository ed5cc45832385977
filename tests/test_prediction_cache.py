"""The leaderboard's prediction cache (issue 34): a rerun in which nothing changed tags nothing and
writes byte-identical records; a change of weights, options, library version or document misses;
a damaged entry is ignored in one line; a cache folder that cannot be written is named once."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zhnerbench.cli import main
from zhnerbench.document import Document, Span
from zhnerbench.gold.article import example_document
from zhnerbench.runner.prediction_cache import CachedDocument, PredictionCache, document_key

#: A tagger that counts its calls in a file and names its "weights" (a file) in its cache identity.
COUNTING_TAGGER = '''
import os
from pathlib import Path
from zhnerbench import Span

HERE = Path(os.environ["COUNTING_DIR"])

class Counting:
    name, version, requires = "counting", "1", "nothing"
    native_labels, label_map, views = ("P",), {"P": "PERSON"}, ("coarse",)

    def __init__(self, normalize_punctuation=True):
        self.normalize = normalize_punctuation

    def cache_identity(self):
        return {"weights": (HERE / "weights.txt").read_text()}

    def load(self):
        pass

    def predict(self, text):
        with open(HERE / "calls.txt", "a") as calls:
            calls.write("x")
        return [Span(i, i + 1, "PERSON") for i, c in enumerate(text) if c == "钟"]

def make(normalize_punctuation=True):
    return Counting(normalize_punctuation)
'''


@pytest.fixture
def counting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A place for the counting tagger: its module, its weights, its count of predict calls."""
    (tmp_path / "counting_tagger.py").write_text(COUNTING_TAGGER, encoding="utf-8")
    (tmp_path / "weights.txt").write_text("v1", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("COUNTING_DIR", str(tmp_path))
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    yield tmp_path
    sys.modules.pop("counting_tagger", None)


def _calls(folder: Path) -> int:
    path = folder / "calls.txt"
    return len(path.read_text()) if path.exists() else 0


def _run(board: Path, *options: str) -> int:
    return main(["leaderboard", "--systems", "py:counting_tagger:make", "--output", str(board), "--start-empty",
                 "--samples", "20", "--counterfactual", "2", *options])


def _result(record: bytes) -> dict[str, object]:
    """A record but its volatile part (timings) and its digest."""
    return {key: value for key, value in json.loads(record).items() if key not in ("published", "digest")}


def _files(board: Path) -> dict[str, bytes]:
    return {str(path.relative_to(board)): path.read_bytes()
            for folder in ("records", "predictions") for path in sorted((board / folder).glob("*"))}


def test_a_rerun_tags_nothing_and_writes_byte_identical_records(counting: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(counting / "first") == 0
    assert _calls(counting) == 3  # the article and two copies
    capsys.readouterr()
    assert _run(counting / "second") == 0
    assert _calls(counting) == 3  # nothing tagged: every document from the cache
    assert "counting: all 3 documents from the prediction cache" in capsys.readouterr().err  # the progress line
    assert _files(counting / "first") == _files(counting / "second")
    last_run = json.loads((counting / "second" / "last-run.json").read_text(encoding="utf-8"))
    assert last_run["systems"]["counting"]["cached_documents"] == 3
    assert _run(counting / "first") == 0 and _calls(counting) == 3
    assert "no file changed" in capsys.readouterr().err
    assert _run(counting / "third", "--no-cache") == 0 and _calls(counting) == 6  # --no-cache tags anew


def test_new_weights_options_or_documents_miss(counting: Path) -> None:
    assert _run(counting / "board") == 0 and _calls(counting) == 3
    (counting / "weights.txt").write_text("v2", encoding="utf-8")
    assert _run(counting / "board") == 0 and _calls(counting) == 6  # other weights: tagged anew
    assert _run(counting / "board", "--no-normalize") == 0 and _calls(counting) == 9  # another option
    assert main(["leaderboard", "--systems", "py:counting_tagger:make", "--output", str(counting / "board"),
                 "--samples", "20", "--counterfactual", "3", "--no-normalize"]) == 0
    assert _calls(counting) == 10  # only the third copy is new


def test_another_library_version_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zhnerbench.baselines.base as base

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    arguments = ["leaderboard", "--systems", "jieba-posseg", "--output", str(tmp_path / "board"), "--start-empty",
                 "--samples", "20", "--counterfactual", "0"]
    assert main(arguments) == 0
    entries = set((tmp_path / "cache" / "predictions").rglob("*.json"))
    assert main(arguments) == 0 and set((tmp_path / "cache" / "predictions").rglob("*.json")) == entries
    real = base.package_version
    monkeypatch.setattr(base, "package_version", lambda name: real(name) + ".post1" if name == "numpy" else real(name))
    assert main(arguments) == 0
    assert len(set((tmp_path / "cache" / "predictions").rglob("*.json")) - entries) == 2  # a new system entry, article


def test_a_damaged_or_foreign_entry_is_ignored_in_one_line(counting: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(counting / "first") == 0 and _calls(counting) == 3
    entries = sorted(path for path in (counting / "cache" / "predictions").rglob("*.json") if path.name != "system.json")
    damaged = json.loads(entries[0].read_text(encoding="utf-8"))
    damaged["content"]["spans"] = [[0, 2, "PERSON"]]  # an edit that does not recompute the digest
    entries[0].write_text(json.dumps(damaged), encoding="utf-8")
    entries[1].write_text(entries[2].read_text(encoding="utf-8"), encoding="utf-8")  # another document's entry
    capsys.readouterr()
    assert _run(counting / "second") == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "cached prediction" in line]
    assert len(notes) == 2 and all("is damaged or not this system's; ignored" in note for note in notes)
    assert _calls(counting) == 5  # those two documents tagged anew, to the same predictions and scores
    first, second = _files(counting / "first"), _files(counting / "second")
    assert {path: text for path, text in first.items() if path.startswith("predictions/")} == \
        {path: text for path, text in second.items() if path.startswith("predictions/")}
    assert _result(first["records/counting.json"]) == _result(second["records/counting.json"])


def test_a_cache_folder_that_cannot_be_written_is_named_once(counting: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    blocked = counting / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(blocked))
    assert _run(counting / "board") == 0 and _calls(counting) == 3
    notes = [line for line in capsys.readouterr().err.splitlines() if "prediction cache" in line]
    assert len(notes) == 1 and str(blocked / "predictions") in notes[0] and "cannot be written" in notes[0]


def test_an_entry_is_keyed_by_the_documents_text_and_boundaries(tmp_path: Path) -> None:
    article = example_document()
    other = Document(article.id, article.title, article.date, article.language, article.text.replace("张", "李"),
                     article.lines, article.sentences)
    assert document_key(article) != document_key(other)
    cache = PredictionCache(tmp_path, say=lambda line: None)
    cache.store_document("k" * 64, article, CachedDocument((Span(15, 17, "PERSON"),), 0.5))
    assert cache.document("k" * 64, article) == CachedDocument((Span(15, 17, "PERSON"),), 0.5, {})
    assert cache.document("k" * 64, other) is None and cache.document("j" * 64, article) is None
