"""The leaderboard's prediction cache: what a system predicted for a document, kept under
``$ZHNERBENCH_CACHE/predictions/`` and used again while nothing that could change it changed.

An entry is named by two digests:

* the **system's key** (:func:`system_key`): its spec, its adapter's class and the source of the
  adapter's module with every module of the package it imports (:func:`source_digest`), what the
  adapter says decides its output besides (``cache_identity()``: library versions, a digest of
  its weights or model directory, its own settings), and the options a record keeps (input
  normalisation among them). A tagger without a ``cache_identity`` (an LLM, whose answers have a
  cache of their own, or your own ``py:`` code) or whose identity cannot be known before it loads
  (a model on a hub, one trained on request) is never cached;
* the **document's key** (:func:`document_key`): its text and its sentence and line boundaries.

A system entry keeps what loading told (the version, labels and views the record states, the
trained model's description) and how long loading took; a document entry keeps the spans, how
long tagging took and the adapter's diagnostics. A rerun in which nothing changed loads no model
and tags nothing; a changed system misses only its own entries; a changed copy only its own.
The timings a record gets from the cache are those of the run that filled it: a cache hit never
invents a speed.

Entries are data: each carries its keys and a digest of its content, and one that does not match
(damaged, edited, another system's) is reported in one line and ignored, never trusted. A cache
folder that cannot be written (read-only, full) is reported once, naming it, and the run goes on
without caching.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, cast

from zhnerbench.baselines.base import Diagnostics
from zhnerbench.board.records import Published, SystemInfo, TrainingInfo
from zhnerbench.digests import tagged_sha256
from zhnerbench.document import Document, Span
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.reading import RepeatedKey, loads_unique
from zhnerbench.writing import write_atomically

CACHE_DIR = "predictions"
#: The layout of an entry: another layout is another name, never misread.
FORMAT = 1


@functools.cache
def source_digest(module: str) -> str:
    """A digest of the source of ``module`` and of every module of the package it imports, at any
    depth and in functions too: a change to the adapter's code, or to the code it tags with, is
    another key.

    >>> source_digest("zhnerbench.baselines.jieba_posseg") == source_digest("zhnerbench.baselines.jieba_posseg")
    True
    """
    seen: dict[str, bytes] = {}
    pending = [module]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            seen[name] = b""
            continue
        source = Path(spec.origin).read_bytes()
        seen[name] = source
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zhnerbench"):
                pending.append(node.module)
            elif isinstance(node, ast.Import):
                pending += [alias.name for alias in node.names if alias.name.startswith("zhnerbench")]
    digest = hashlib.sha256()
    for name in sorted(seen):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(seen[name]).digest())
    return digest.hexdigest()


def system_key(tagger: object, spec: str, options: Mapping[str, Any]) -> str | None:
    """The key of a system's entries (see the module doc), or ``None`` when it is not cached."""
    identity = getattr(tagger, "cache_identity", None)
    value = identity() if callable(identity) else None
    if value is None:
        return None
    kind = type(tagger)
    payload = {"format": FORMAT, "spec": spec, "adapter": f"{kind.__module__}.{kind.__qualname__}",
               "source": source_digest(kind.__module__), "identity": value, "options": dict(options)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def document_key(document: Document) -> str:
    """What a tagger reads of a document: its text and its sentence and line boundaries.

    >>> from zhnerbench.gold.article import example_document
    >>> document_key(example_document()) == document_key(example_document())
    True
    """
    content = [document.text, [(s.start, s.end) for s in document.sentences], [(l.start, l.end) for l in document.lines]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedSystem:
    """What loading a system told, and what loading it cost."""

    system: SystemInfo
    views: list[str]
    training: TrainingInfo | None
    training_timings: Published
    load_seconds: float


@dataclass(frozen=True)
class CachedDocument:
    """A system's predictions on one document, what tagging it cost, and what the adapter said."""

    spans: tuple[Span, ...]
    seconds: float
    diagnostics: Diagnostics = field(default_factory=dict)


class _Entry(TypedDict):
    format: int
    system: str
    document: str | None
    content: dict[str, Any]
    digest: str


def _sealed(system: str, document: str | None, content: Mapping[str, Any]) -> bytes:
    entry = {"format": FORMAT, "system": system, "document": document, "content": dict(content)}
    digest = tagged_sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False))
    return (json.dumps({**entry, "digest": digest}, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


class PredictionCache:
    """The cache in ``root`` (``<cache>/predictions``); ``say`` prints its one-line notes."""

    def __init__(self, root: Path, say: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> None:
        self.root = root
        self.say = say
        self.writable = True

    def _path(self, system: str, document: str | None) -> Path:
        return self.root / system[:2] / system / f"{document or 'system'}.json"

    def _read(self, system: str, document: str | None) -> dict[str, Any] | None:
        path = self._path(system, document)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            self.say(f"the cached prediction {path} cannot be read ({error.strerror or error}); tagging anew")
            return None
        try:
            entry = loads_unique(data.decode("utf-8"))
            sealed = {key: entry[key] for key in ("format", "system", "document", "content")}
            intact = entry.get("digest") == tagged_sha256(json.dumps(sealed, sort_keys=True, ensure_ascii=False))
        except (UnicodeDecodeError, ValueError, RepeatedKey, RecursionError, KeyError, TypeError, AttributeError):
            intact = False
        if not intact or (entry["format"], entry["system"], entry["document"]) != (FORMAT, system, document) \
                or not isinstance(entry["content"], dict):
            self.say(f"the cached prediction {path} is damaged or not this system's; ignored, tagging anew")
            return None
        return cast(dict[str, Any], entry["content"])

    def _write(self, system: str, document: str | None, content: Mapping[str, Any]) -> None:
        if not self.writable:
            return
        try:
            write_atomically(self._path(system, document), _sealed(system, document, content))
        except (OSError, ZhNerBenchError) as error:
            self.writable = False
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            self.say(f"the prediction cache in {self.root} cannot be written ({reason[:160]}); this run goes on "
                     "without caching (set $ZHNERBENCH_CACHE to a writable folder, or --no-cache)")

    def system(self, key: str) -> CachedSystem | None:
        content = self._read(key, None)
        if content is None:
            return None
        try:
            return CachedSystem(cast(SystemInfo, content["system"]), list(content["views"]),
                                cast(TrainingInfo | None, content["training"]),
                                cast(Published, content["training_timings"]), float(content["load_seconds"]))
        except (KeyError, TypeError, ValueError):
            self.say(f"the cached prediction {self._path(key, None)} is damaged or not this system's; ignored")
            return None

    def document(self, key: str, document: Document) -> CachedDocument | None:
        path, content = self._path(key, document_key(document)), self._read(key, document_key(document))
        if content is None:
            return None
        try:
            spans = tuple(Span(int(start), int(end), str(label)) for start, end, label in content["spans"])
            if any(not 0 <= span.start < span.end <= len(document.text) for span in spans):
                raise ValueError("a span outside the document")
            return CachedDocument(spans, float(content["seconds"]), dict(content["diagnostics"]))
        except (KeyError, TypeError, ValueError):
            self.say(f"the cached prediction {path} is damaged or not this system's; ignored, tagging anew")
            return None

    def store_system(self, key: str, entry: CachedSystem) -> None:
        self._write(key, None, {"system": entry.system, "views": entry.views, "training": entry.training,
                                "training_timings": entry.training_timings, "load_seconds": entry.load_seconds})

    def store_document(self, key: str, document: Document, entry: CachedDocument) -> None:
        self._write(key, document_key(document), {"spans": [list(span) for span in entry.spans],
                                                  "seconds": entry.seconds, "diagnostics": entry.diagnostics})

    def documents(self, key: str, documents: Sequence[Document]) -> dict[str, CachedDocument]:
        """The entries found of ``documents``, by document id."""
        found = {}
        for document in documents:
            entry = self.document(key, document)
            if entry is not None:
                found[document.id] = entry
        return found
