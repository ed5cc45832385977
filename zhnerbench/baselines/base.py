"""The one interface every baseline tagger implements, and the helpers they share.

An adapter knows only its tagger: it turns text into :class:`~zhnerbench.document.Span`
mentions over the *input text's* offsets. It never reads the gold, never scores and
never writes into the repository (trained models are cached outside it, see
:mod:`zhnerbench.baselines.cache`).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from zhnerbench.baselines.normalize import tagger_input
from zhnerbench.exceptions import ZhNerBenchError, excerpt
from zhnerbench.document import Document, Span
from zhnerbench.offsets import align_tokens
from zhnerbench.tag_schemes import decode_native


class BaselineUnavailable(ZhNerBenchError):
    """A baseline cannot run here; the message is one line saying why and how to enable it."""


@runtime_checkable
class Tagger(Protocol):
    """What the leaderboard calls: metadata, ``load()`` once, then ``predict(text)``."""

    name: str
    version: str
    requires: str
    native_labels: tuple[str, ...]
    label_map: Mapping[str, str]
    views: tuple[str, ...]

    def load(self) -> None:
        """Load the model; raise :class:`BaselineUnavailable` when it cannot run here."""

    def predict(self, text: str) -> list[Span]:
        """Mentions of ``text`` with offsets into ``text``, labels from ``label_map``."""


@runtime_checkable
class SentenceTagger(Protocol):
    """A tagger whose model reads one sentence at a time: it takes the document's own sentences
    (the gold's segmentation, or a ``--gold`` corpus's ``sentences``) as its units."""

    def predict_sentences(self, text: str, sentences: Sequence[tuple[int, int]]) -> list[Span]:
        """Mentions of ``text``, the model run on each ``(start, end)`` sentence of it."""


def max_spans(text: str) -> int:
    """The most spans a tagger may return for ``text``: two per character is already no answer.

    >>> max_spans("张三")
    104
    """
    return 2 * len(text) + 100


class TaggerError(ZhNerBenchError):
    """A tagger's own code failed, overran its deadline, or returned something that is not spans
    of the text: one line naming the system (``--traceback`` shows where)."""


@contextlib.contextmanager
def taggers_own_code(tagger: object, step: str) -> Iterator[None]:
    """Run a step of a tagger's own code (``load``, ``predict``): an exception of it (``SystemExit``
    too, not the project's own errors) becomes one :class:`TaggerError` line naming the system."""
    try:
        yield
    except ZhNerBenchError:
        raise
    except (Exception, SystemExit) as error:  # its bug, reported as its own
        raise TaggerError(f"system {getattr(tagger, 'name', '?')}: {step} raised {one_line(error, 160)}") from error


def checked_spans(tagger: Tagger, text: str, returned: object) -> list[Span]:
    """What a tagger returned, checked where it enters: a list of spans (``(start, end, label)``)
    with integer offsets inside ``text``, ``start < end``, labels of the schema its
    ``label_map`` maps to, and not more than :func:`max_spans`. The first bad item is named.

    >>> class T: name, label_map = "t", {"PER": "PERSON"}
    >>> checked_spans(T(), "张三", [(0, 2, "PERSON")])  # type: ignore[arg-type]
    [Span(start=0, end=2, label='PERSON')]
    >>> checked_spans(T(), "张三", [Span(0, 2, "PERSON"), Span(1, 9, "PERSON")])  # type: ignore[arg-type]
    Traceback (most recent call last):
    ...
    zhnerbench.baselines.base.TaggerError: system t: predict returned spans[1] = Span(start=1, end=9, label='PERSON'): offsets must be integers with 0 <= start < end <= 2
    """
    name = getattr(tagger, "name", "?")
    if not isinstance(returned, (list, tuple)):
        raise TaggerError(f"system {name}: predict returned {type(returned).__name__}, not a list of spans")
    if len(returned) > max_spans(text):
        raise TaggerError(f"system {name}: predict returned {len(returned)} spans for {len(text)} characters")
    allowed = set(getattr(tagger, "label_map", {}).values())
    spans = []
    for index, item in enumerate(returned):
        shown = f"spans[{index}] = {repr(item)[:80]}"
        if not isinstance(item, tuple) or len(item) != 3:
            raise TaggerError(f"system {name}: predict returned {shown}: not a (start, end, label) span")
        start, end, label = item
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)) or not 0 <= start < end <= len(text):
            raise TaggerError(f"system {name}: predict returned {shown}: offsets must be integers with "
                              f"0 <= start < end <= {len(text)}")
        if label not in allowed:
            raise TaggerError(f"system {name}: predict returned {shown}: label {excerpt(str(label), 30)} is not one "
                              f"its label_map gives ({', '.join(sorted(allowed)) or 'none'})")
        spans.append(Span(start, end, label))
    return spans


@dataclass(frozen=True)
class TaggingStep:
    """Where :func:`predict_documents` is: ``done`` of ``total`` documents tagged, and ``now`` in
    the call that starts (1 one document a call; all that are left where they go in one batch;
    0 once all are done)."""

    done: int
    total: int
    now: int

    def phrase(self, noun: str = "document") -> str:
        """What the step says on a progress line (``noun``: what the documents are to the reader).

        >>> TaggingStep(2, 20, 1).phrase("copy"), TaggingStep(0, 20, 20).phrase("copy")
        ('tagging copy 3/20', 'tagging 20 copies in one batch')
        >>> TaggingStep(20, 20, 0).phrase("copy")
        'tagged 20 copies'
        """
        plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
        if self.now == 0:
            return f"tagged {self.total} {plural if self.total != 1 else noun}"
        if self.now == 1:
            return f"tagging {noun} {self.done + 1}/{self.total}"
        if self.now == self.total:
            return f"tagging {self.total} {plural} in one batch"
        return f"tagging {plural} {self.done + 1}-{self.done + self.now}/{self.total} in one batch"


#: Told of each :class:`TaggingStep` as it starts (and once at the end): a progress line's hook.
TaggingProgress = Callable[[TaggingStep], None]


def predict_documents(tagger: Tagger, documents: Sequence[Document], timeout: float | None = None,
                      progress: TaggingProgress | None = None) -> list[list[Span]]:
    """Each document's mentions (:func:`predict_document`), in one call of the tagger where its
    predictions on a line never depend on another line (``tags_lines_independently``, true of
    the taggers that run a sentence model over the lines' pieces): the documents are joined by
    newlines and the spans split back, so a batching model sees one batch. ``timeout`` bounds
    each document, as if it were tagged alone; ``progress`` hears of each call as it starts.

    >>> class Lines:
    ...     name, label_map, tags_lines_independently = "lines", {"X": "PERSON"}, True
    ...     def predict(self, text): return [Span(i, i + 1, "PERSON") for i, c in enumerate(text) if c == "张"]
    >>> from zhnerbench.gold.article import example_document
    >>> doc = example_document()
    >>> steps = []
    >>> predict_documents(Lines(), [doc, doc], progress=steps.append) == [predict_document(Lines(), doc)] * 2  # type: ignore[arg-type]
    True
    >>> steps
    [TaggingStep(done=0, total=2, now=2), TaggingStep(done=2, total=2, now=0)]
    """
    total = len(documents)
    if (total < 2 or isinstance(tagger, SentenceTagger)
            or not getattr(tagger, "tags_lines_independently", False)):
        found = []
        for done, document in enumerate(documents):
            if progress is not None:
                progress(TaggingStep(done, total, 1))
            found.append(predict_document(tagger, document, timeout))
        if progress is not None and total:
            progress(TaggingStep(total, total, 0))
        return found
    if progress is not None:
        progress(TaggingStep(0, total, total))
    starts, pieces, at = [], [], 0
    for document in documents:
        starts.append(at)
        pieces.append(document.text)
        at += len(document.text) + 1
    joined = Document("batch", "", "", "", "\n".join(pieces), (), ())
    spans = predict_document(tagger, joined, None if timeout is None else timeout * len(documents))
    split: list[list[Span]] = [[] for _ in documents]
    for span in spans:
        index = bisect.bisect_right(starts, span.start) - 1
        start, end = span.start - starts[index], span.end - starts[index]
        if end > len(documents[index].text):
            raise TaggerError(f"system {getattr(tagger, 'name', '?')}: a span {span} crosses the line between "
                              f"documents {documents[index].id} and the next one, yet the tagger says its "
                              "lines are tagged independently")
        split[index].append(Span(start, end, span.label))
    if progress is not None:
        progress(TaggingStep(total, total, 0))
    return split


def predict_document(tagger: Tagger, document: Document, timeout: float | None = None) -> list[Span]:
    """A document's mentions, checked (:func:`checked_spans`): a :class:`SentenceTagger` gets the
    document's own sentences, any other tagger its whole text. An exception from the tagger's
    own code (``SystemExit`` too) becomes one :class:`TaggerError` line; ``timeout`` is a
    wall-clock deadline for the document, whatever the tagger waits for (:func:`within_deadline`).

    >>> class Whole:
    ...     name, label_map = "whole", {"X": "PERSON"}
    ...     def predict(self, text): return [Span(0, len(text), "PERSON")]
    >>> from zhnerbench.gold.article import example_document
    >>> predict_document(Whole(), example_document())  # type: ignore[arg-type]
    [Span(start=0, end=20, label='PERSON')]
    """
    def call() -> object:
        if isinstance(tagger, SentenceTagger):
            return tagger.predict_sentences(document.text, [(s.start, s.end) for s in document.sentences])
        return tagger.predict(document.text)

    returned = within_deadline(tagger, "predict", call, timeout, f" on document {document.id}")
    return checked_spans(tagger, document.text, returned)


def within_deadline(tagger: object, step: str, call: Callable[[], object], timeout: float | None,
                    where: str = "") -> object:
    """``call()``, a step of a tagger's own code (:func:`taggers_own_code`), within ``timeout``
    seconds of wall-clock time (``None``: no deadline). Past the deadline the tagger's optional
    ``cancel()`` is called (an LLM adapter then sends no more requests) and the step is
    abandoned, not waited for: it runs in a daemon thread, which cannot keep the process alive.

    >>> class Slow:
    ...     name = "slow"
    ...     def load(self): __import__("time").sleep(1)
    >>> within_deadline(Slow(), "load", Slow().load, 0.01)
    Traceback (most recent call last):
    ...
    zhnerbench.baselines.base.TaggerError: system slow: load took more than 0.01 s (--timeout)
    """
    name = getattr(tagger, "name", "?")

    def guarded() -> object:
        with taggers_own_code(tagger, step):
            return call()

    if timeout is None:
        return guarded()
    result: list[object] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(guarded())
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    worker = threading.Thread(target=run, name=f"{step} {name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        cancel = getattr(tagger, "cancel", None)
        if callable(cancel):
            with contextlib.suppress(Exception):  # its own code: a failing cancel changes nothing here
                cancel()
        raise TaggerError(f"system {name}: {step} took more than {timeout:g} s{where} (--timeout)")
    if failure:
        raise failure[0]
    return result[0]


#: Libraries whose version may change any model's numbers (kernels, tokenizers, runtimes): the
#: key of every cached prediction holds their versions.
RUNTIME_LIBRARIES = ("numpy", "torch", "onnxruntime", "thinc", "spacy", "transformers")


def directory_digest(directory: Path) -> str:
    """A digest of every file under ``directory`` (names and contents): a model folder's identity.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()); _ = (folder / "w.bin").write_bytes(b"1")
    >>> before = directory_digest(folder); _ = (folder / "w.bin").write_bytes(b"2")
    >>> before == directory_digest(folder)
    False
    """
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(directory).as_posix().encode("utf-8") + b"\0")
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()


class ModelTagger(Tagger, ABC):
    """What every adapter of one loaded model shares: the input-normalisation option, the
    library version, ``load()`` once, and ``predict()`` only after it.

    A subclass sets ``name``, ``library`` (the distribution whose version it reports),
    ``modules`` (what must be importable before loading), ``requires``, ``native_labels``,
    ``label_map`` and, when not only ``coarse``, ``views``; it implements
    :meth:`_load_model` (raise :class:`BaselineUnavailable` where it cannot run) and
    :meth:`_predict`, which receives the text as the caller gave it.
    """

    library: str
    modules: tuple[str, ...] = ()
    #: Most adapters predict PER/LOC/ORG-like types, which only the coarse view compares.
    views: tuple[str, ...] = ("coarse",)
    #: The model comes inside the library (jieba's dictionary, THULAC's model...): the library's
    #: version identifies it, and its predictions may be cached (:meth:`cache_identity`).
    weights_in_library: ClassVar[bool] = False

    def __init__(self, normalize_punctuation: bool = True) -> None:
        self.normalize_punctuation = normalize_punctuation
        self.version = package_version(self.library)
        self._model: Any = None

    @abstractmethod
    def _load_model(self) -> Any:
        """The loaded model (or tokenizer, pipeline, ...)."""

    @abstractmethod
    def _predict(self, text: str) -> list[Span]:
        """Mentions of ``text`` with offsets into it (``self._model`` is loaded)."""

    def load(self) -> None:
        for module in self.modules:
            require_module(module, self.requires)
        self._model = self._load_model()

    def predict(self, text: str) -> list[Span]:
        if self._model is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        return self._predict(text)

    def source(self, text: str) -> str:
        """The text the tagger is fed: ``text`` normalised unless switched off (offsets unchanged)."""
        return tagger_input(text, self.normalize_punctuation)

    def library_versions(self) -> dict[str, str]:
        """The versions of the adapter's library and of :data:`RUNTIME_LIBRARIES`."""
        return {name: package_version(name) for name in dict.fromkeys((self.library, *RUNTIME_LIBRARIES))}

    def cache_identity(self) -> dict[str, object] | None:
        """What decides this tagger's output besides its code and options, known before it loads
        (library versions, a digest of its weights); ``None`` when it cannot be known here (a
        model on a hub, one trained on request), and then its predictions are never cached.
        The leaderboard's prediction cache keys each document's predictions by it."""
        return {"libraries": self.library_versions()} if self.weights_in_library else None


def system_name(prefix: str, model: str) -> str:
    """A system name from a model id or path: the prefix and the last two path parts, sanitised.

    >>> system_name("hf", "ckiplab/bert-base-chinese-ner"), system_name("hf", "/tmp/x/my model/")
    ('hf-ckiplab-bert-base-chinese-ner', 'hf-x-my-model')
    """
    parts = [part for part in re.split(r"[\\/]+", model.strip()) if part not in ("", ".", "..")][-2:]
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", "-".join(parts).lower()).strip("-.") or "model"
    return f"{prefix}-{cleaned}"[:64].rstrip("-.")


def model_not_loadable(library: str, model: str, error: BaseException, requires: str) -> BaselineUnavailable:
    """The one-line reason a hub model or a model directory did not load (offline hub, missing files...).

    >>> print(model_not_loadable("GLiNER", "org/m", OSError("offline"), "pip install x"))
    GLiNER hub model org/m cannot be loaded here (OSError: offline); pip install x
    """
    where = "directory" if Path(model).exists() else "hub model"
    return BaselineUnavailable(f"{library} {where} {model} cannot be loaded here ({one_line(error, 120)}); {requires}")


def install_extra(extra: str) -> str:
    """The command that installs one of the project's extras.

    >>> install_extra("jieba")
    "pip install 'zhnerbench[jieba]'"
    """
    return f"pip install 'zhnerbench[{extra}]'"


def package_version(distribution: str) -> str:
    """Installed version of ``distribution``, or ``"not installed"``.

    >>> package_version("surely-not-an-installed-distribution")
    'not installed'
    """
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def require_module(module: str, requires: str) -> None:
    """Raise :class:`BaselineUnavailable` unless ``module`` is importable.

    >>> try:
    ...     require_module("surely_not_a_module", "pip install 'zhnerbench[x]'")
    ... except BaselineUnavailable as error:
    ...     print(error)
    Python module 'surely_not_a_module' is not installed: pip install 'zhnerbench[x]'
    """
    if importlib.util.find_spec(module) is None:
        raise BaselineUnavailable(f"Python module {module!r} is not installed: {requires}")


#: What an adapter reports of its run (``diagnostics`` after ``predict``): counts by kind (chunks,
#: failed, malformed, unaligned, tokens...) and a few examples (lists of strings).
Diagnostics = dict[str, object]


def diagnostic_count(diagnostics: Mapping[str, object], key: str) -> int:
    """A count among ``diagnostics`` (0 when absent or not a count).

    >>> diagnostic_count({"chunks": 3, "unaligned_examples": []}, "chunks"), diagnostic_count({}, "failed")
    (3, 0)
    """
    value = diagnostics.get(key, 0)
    return value if isinstance(value, int) else 0


def tagger_diagnostics(tagger: object) -> dict[str, Any]:
    """A copy of what an adapter reports of its last call (``diagnostics``; empty when it reports
    nothing): taken before the tagger's next call replaces it.

    >>> class T: diagnostics = {"chunks": 2}
    >>> tagger_diagnostics(T()), tagger_diagnostics(object())
    ({'chunks': 2}, {})
    """
    diagnostics = getattr(tagger, "diagnostics", None)
    return dict(diagnostics) if isinstance(diagnostics, Mapping) else {}


def diagnostics_summary(diagnostics: Mapping[str, Any]) -> str:
    """The counts of a run's diagnostics in one phrase (what ``tag`` prints and errors quote).

    >>> diagnostics_summary({"chunks": 9, "requests": 11, "cached": 0, "failed": 1, "malformed": 0, "unaligned": 2,
    ...                      "unaligned_examples": []})
    '9 chunks, 11 requests, 1 failed, 2 unaligned'
    """
    return ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in diagnostics.items()
                     if isinstance(value, int) and (value or key == "chunks"))


def one_line(error: BaseException, limit: int = 160) -> str:
    """A library error squeezed onto one short line, for ``BaselineUnavailable`` reasons.

    >>> one_line(ValueError("first line\\nsecond line"))
    'ValueError: first line second line'
    """
    text = " ".join(str(error).split())
    text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def spans_from_tagged_tokens(
    text: str, tagged: Sequence[tuple[str, str]], label_map: Mapping[str, str]
) -> list[Span]:
    """Spans of the tokens whose tag is in ``label_map``, relabelled by it.

    Consecutive tokens with the same tag stay separate mentions: the segmenter
    decided where words end. A token that is not a substring of the text where
    expected (:func:`~zhnerbench.offsets.align_tokens`) yields no span.

    >>> spans_from_tagged_tokens("张三在北京", [("张三", "nr"), ("在", "p"), ("北京", "ns")],
    ...                          {"nr": "PERSON", "ns": "GPE"})
    [Span(start=0, end=2, label='PERSON'), Span(start=3, end=5, label='GPE')]
    """
    offsets, _ = align_tokens([token for token, _ in tagged], text)
    return [
        Span(where[0], where[1], label_map[tag])
        for (_, tag), where in zip(tagged, offsets, strict=True)
        if tag in label_map and where is not None
    ]


def spans_from_tags(tags: Sequence[str], label_map: Mapping[str, str], offset: int = 0) -> list[Span]:
    """Spans of the chunks of a per-character native tag sequence whose type ``label_map`` maps.

    >>> spans_from_tags(["B-PER", "I-PER", "O", "B-LOC"], {"PER": "PERSON", "LOC": "GPE"}, offset=10)
    [Span(start=10, end=12, label='PERSON'), Span(start=13, end=14, label='GPE')]
    """
    return [
        Span(offset + chunk.start, offset + chunk.end, label_map[chunk.label])
        for chunk in decode_native(tags)
        if chunk.label in label_map
    ]


@dataclass(frozen=True)
class TimedPrediction:
    """What one leaderboard run of a tagger produced, with its costs."""

    name: str
    version: str
    spans: tuple[Span, ...]
    load_seconds: float
    predict_seconds: float
    characters: int

    @property
    def chars_per_second(self) -> float:
        """Prediction speed (load time excluded).

        >>> TimedPrediction("x", "1", (), 0.0, 2.0, 100).chars_per_second
        50.0
        """
        return self.characters / self.predict_seconds if self.predict_seconds > 0 else float("inf")


#: Bounds on what a tagger declares about itself (it is stored in records and rendered).
MAX_NATIVE_LABELS = 1_000
MAX_DECLARED_CHARS = 200


def interface_problem(tagger: object) -> str | None:
    """What is wrong with the metadata a tagger declares (checked where it enters, before it runs).

    >>> class T: name, label_map, views = "t", {"PER": "PERSON"}, ("coarse",)
    >>> interface_problem(T()) is None
    True
    >>> T.views = ("bogus",); interface_problem(T())
    "its views ('bogus',) must be names of views (full, ontonotes, coarse, nested)"
    """
    from zhnerbench.schema import ENTITY_LABELS
    from zhnerbench.views import VIEWS  # reads the view files: only when a tagger is checked

    label_map, views = getattr(tagger, "label_map", None), getattr(tagger, "views", None)
    if not isinstance(label_map, Mapping) or len(label_map) > MAX_NATIVE_LABELS or not all(
            isinstance(key, str) and 0 < len(key) <= MAX_DECLARED_CHARS and value in ENTITY_LABELS
            for key, value in label_map.items()):
        return (f"its label_map {str(label_map)[:80]} must map at most {MAX_NATIVE_LABELS} labels of at most "
                f"{MAX_DECLARED_CHARS} characters to the schema's ({' '.join(ENTITY_LABELS)})")
    version = getattr(tagger, "version", "")
    if not isinstance(version, str) or len(version) > MAX_DECLARED_CHARS:
        return f"its version {str(version)[:80]!r} must be a string of at most {MAX_DECLARED_CHARS} characters"
    if not isinstance(views, (tuple, list)) or not views or not all(view in VIEWS for view in views):
        return f"its views {str(views)[:80]} must be names of views ({', '.join(VIEWS)})"
    return None


def load_tagger(tagger: Tagger, timeout: float | None = None) -> None:
    """``tagger.load()``, within ``timeout`` seconds (:func:`within_deadline`); an exception of
    the tagger's own code (not :class:`BaselineUnavailable`, which says why it cannot run here),
    or labels and views it cannot be scored in, become one :class:`TaggerError` line."""
    within_deadline(tagger, "load", tagger.load, timeout)
    problem = interface_problem(tagger)  # loading may set the labels and views a model has
    if problem is not None:
        raise TaggerError(f"system {getattr(tagger, 'name', '?')}: after load, {problem}")


def run_timed(tagger: Tagger, document: Document, timeout: float | None = None) -> TimedPrediction:
    """Load ``tagger`` (raises :class:`BaselineUnavailable`) and predict ``document``, each
    within ``timeout`` seconds, timing both."""
    started = time.perf_counter()
    load_tagger(tagger, timeout)
    loaded_at = time.perf_counter()
    spans = predict_document(tagger, document, timeout)
    finished = time.perf_counter()
    return TimedPrediction(
        tagger.name, tagger.version, tuple(spans), loaded_at - started, finished - loaded_at, len(document.text)
    )


_PIECE_ENDS = frozenset("。！？；!?;")


def split_for_tagging(text: str, max_chars: int = 100) -> list[tuple[int, int]]:
    """Offsets of the pieces a sentence-level model is run on: lines, cut after ``。！？；``.

    Pieces are at most ``max_chars`` long (the MSRA training sentences are at most 100
    characters) and never empty or pure whitespace.

    >>> split_for_tagging("甲。乙\\n\\n丙丁戊", max_chars=2)
    [(0, 2), (2, 3), (5, 7), (7, 8)]
    """
    pieces: list[tuple[int, int]] = []
    start = 0
    for index, char in enumerate(text + "\n"):
        at_line_end = char == "\n"
        if at_line_end or char in _PIECE_ENDS or index + 1 - start >= max_chars:
            end = index if at_line_end else index + 1
            if text[start:end].strip():
                pieces.append((start, end))
            start = index + 1
    return pieces


def sentence_pieces(text: str, sentences: Sequence[tuple[int, int]], max_chars: int | None = None
                    ) -> list[tuple[int, int]]:
    """The pieces a sentence model reads: each non-blank ``(start, end)`` sentence of ``text`` whole,
    or, when it is longer than ``max_chars``, its clauses (:func:`split_for_tagging`).

    >>> sentence_pieces("甲乙。丙丁；戊。 ", [(0, 3), (3, 8), (8, 9)], max_chars=4)
    [(0, 3), (3, 6), (6, 8)]
    """
    pieces: list[tuple[int, int]] = []
    for start, end in sentences:
        if not text[start:end].strip():
            continue
        if max_chars is None or end - start <= max_chars:
            pieces.append((start, end))
        else:
            pieces.extend((start + a, start + b) for a, b in split_for_tagging(text[start:end], max_chars))
    return pieces


class SentenceModelTagger(ModelTagger):
    """A model that reads one sentence at a time (a :class:`SentenceTagger`): a document's own
    sentences (the gold's segmentation, the ``ner`` config's rows, or the ``sentences`` of a
    ``--gold`` corpus), or, given a bare text, the sentences the project's splitter finds in it,
    as the gold's were found. A sentence longer than ``max_chars`` is read clause by clause.

    A subclass implements :meth:`_tag_pieces`: schema-labelled spans with offsets into each piece,
    all pieces of a call given to the model together (so that it can batch them).
    """

    #: The longest text the model reads whole, in characters (``None``: no limit).
    max_chars: int | None = None

    @abstractmethod
    def _tag_pieces(self, pieces: Sequence[str]) -> list[list[Span]]:
        """Mentions of each piece, offsets into it, labels of the schema (``self._model`` is loaded)."""

    def predict_sentences(self, text: str, sentences: Sequence[tuple[int, int]]) -> list[Span]:
        """Mentions of ``text``, the model run on each ``(start, end)`` sentence of it."""
        if self._model is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        source = self.source(text)
        pieces = sentence_pieces(source, sentences, self.max_chars)
        found = self._tag_pieces([source[start:end] for start, end in pieces]) if pieces else []
        if len(found) != len(pieces):  # a model that drops a piece would silently lose its mentions
            raise ZhNerBenchError(f"{self.name}: {len(found)} results for {len(pieces)} sentences")
        return [Span(start + span.start, start + span.end, span.label)
                for (start, _), spans in zip(pieces, found, strict=True) for span in spans]

    def _predict(self, text: str) -> list[Span]:
        from zhnerbench.gold.segmentation import segment

        _, sentences = segment(text)
        return self.predict_sentences(text, [(sentence.start, sentence.end) for sentence in sentences])


def batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """``items`` in consecutive batches of at most ``size``.

    >>> list(batches("abcde", 2))
    ['ab', 'cd', 'e']
    """
    for first in range(0, len(items), max(size, 1)):
        yield items[first:first + size]


#: A sentence-level tagger: texts -> chunks (spans with native labels) per text, one list per text.
TagSentences = Callable[[Sequence[str]], Sequence[Sequence[Span]]]


def spans_from_pieces(
    text: str,
    normalize_punctuation: bool,
    tag_sentences: TagSentences,
    label_map: Mapping[str, str],
    max_chars: int = 100,
) -> list[Span]:
    """Run a sentence-level tagger over the pieces of ``text`` (:func:`split_for_tagging`, at most ``max_chars``).

    The input is normalised first when asked (offsets do not move), and the chunks
    come back as spans over ``text``, relabelled by ``label_map`` (unmapped types dropped).

    >>> spans_from_pieces("张三,北京。", True, lambda texts: [[Span(0, 2, "PER"), Span(3, 5, "LOC")] for _ in texts],
    ...                   {"PER": "PERSON"})
    [Span(start=0, end=2, label='PERSON')]
    """
    source = tagger_input(text, normalize_punctuation)
    pieces = split_for_tagging(source, max_chars)
    found = tag_sentences([source[start:end] for start, end in pieces])
    if len(found) != len(pieces):  # a tagger that drops a piece would silently lose its mentions
        raise ZhNerBenchError(f"the tagger returned {len(found)} results for {len(pieces)} pieces of text")
    return [
        Span(start + chunk.start, start + chunk.end, label_map[chunk.label])
        for (start, _), chunks in zip(pieces, found, strict=True)
        for chunk in chunks
        if chunk.label in label_map
    ]
