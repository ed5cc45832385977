"""The one interface every baseline tagger implements, and the helpers they share.

An adapter knows only its tagger: it turns text into :class:`~zhnerbench.model.Span`
mentions over the *input text's* offsets. It never reads the gold, never scores and
never writes into the repository (trained models are cached outside it, see
:mod:`zhnerbench.baselines.cache`).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Protocol, Sequence, runtime_checkable

from zhnerbench.baselines.normalize import tagger_input
from zhnerbench.errors import ZhNerBenchError
from zhnerbench.model import Span

#: The scoring views a tagger can be scored in (the leaderboard defines them).
VIEWS: tuple[str, ...] = ("full", "ontonotes", "coarse")


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


def one_line(error: BaseException, limit: int = 160) -> str:
    """A library error squeezed onto one short line, for ``BaselineUnavailable`` reasons.

    >>> one_line(ValueError("first line\\nsecond line"))
    'ValueError: first line second line'
    """
    text = " ".join(str(error).split())
    text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def align_tokens(text: str, tokens: Iterable[str]) -> list[tuple[int, int]]:
    """Character offsets ``(start, end)`` of each token of a segmenter's output in ``text``.

    Segmenters may drop whitespace or emit tokens that are not substrings of the
    input; such a token gets the empty span at the cursor and alignment goes on
    (a missed entity is better than an exception on odd input).

    >>> align_tokens("张三 在北京", ["张三", "在", "北京"])
    [(0, 2), (3, 4), (4, 6)]
    >>> align_tokens("ab", ["a", "?", "b"])
    [(0, 1), (1, 1), (1, 2)]
    """
    offsets: list[tuple[int, int]] = []
    cursor = 0
    for token in tokens:
        if not token:
            offsets.append((cursor, cursor))
            continue
        found = text.find(token, cursor)
        # Only skip ahead over characters the segmenter plausibly dropped.
        if found < 0 or text[cursor:found].strip():
            offsets.append((cursor, cursor))
            continue
        offsets.append((found, found + len(token)))
        cursor = found + len(token)
    return offsets


def spans_from_tagged_tokens(
    text: str, tagged: Sequence[tuple[str, str]], label_map: Mapping[str, str]
) -> list[Span]:
    """Spans of the tokens whose tag is in ``label_map``, relabelled by it.

    Consecutive tokens with the same tag stay separate mentions: the segmenter
    decided where words end.

    >>> spans_from_tagged_tokens("张三在北京", [("张三", "nr"), ("在", "p"), ("北京", "ns")],
    ...                          {"nr": "PERSON", "ns": "GPE"})
    [Span(start=0, end=2, label='PERSON'), Span(start=3, end=5, label='GPE')]
    """
    offsets = align_tokens(text, (token for token, _ in tagged))
    return [
        Span(start, end, label_map[tag])
        for (token, tag), (start, end) in zip(tagged, offsets)
        if tag in label_map and end > start
    ]


def chunks_from_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Chunks ``(start, end, type)`` of a BIO / BIOES / BMES tag sequence (end-exclusive).

    ``I``/``M``/``E`` that do not continue a chunk of the same type start a new one,
    as conlleval does.

    >>> chunks_from_tags(["B-PER", "E-PER", "O", "S-LOC", "B-ORG", "M-ORG", "I-ORG", "I-LOC"])
    [(0, 2, 'PER'), (3, 4, 'LOC'), (4, 7, 'ORG'), (7, 8, 'LOC')]
    """
    chunks: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for index, tag in enumerate(list(tags) + ["O"]):
        prefix, _, label = tag.partition("-")
        continues = prefix in ("I", "M", "E") and label == kind and start >= 0
        if not continues and start >= 0:
            chunks.append((start, index, kind))
            start, kind = -1, ""
        if prefix in ("B", "S") or (prefix in ("I", "M", "E") and not continues):
            start, kind = index, label
        if prefix in ("E", "S") and start >= 0:
            chunks.append((start, index + 1, kind))
            start, kind = -1, ""
    return chunks


def spans_from_tags(tags: Sequence[str], label_map: Mapping[str, str], offset: int = 0) -> list[Span]:
    """Spans of the chunks of a per-character tag sequence whose type ``label_map`` maps.

    >>> spans_from_tags(["B-PER", "I-PER", "O", "B-LOC"], {"PER": "PERSON", "LOC": "GPE"}, offset=10)
    [Span(start=10, end=12, label='PERSON'), Span(start=13, end=14, label='GPE')]
    """
    return [
        Span(offset + start, offset + end, label_map[kind])
        for start, end, kind in chunks_from_tags(tags)
        if kind in label_map
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


def run_timed(tagger: Tagger, text: str) -> TimedPrediction:
    """Load ``tagger`` (raises :class:`BaselineUnavailable`) and predict ``text``, timing both."""
    started = time.perf_counter()
    tagger.load()
    loaded = time.perf_counter()
    spans = tagger.predict(text)
    finished = time.perf_counter()
    return TimedPrediction(
        tagger.name, tagger.version, tuple(spans), loaded - started, finished - loaded, len(text)
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


#: A sentence-level tagger: texts -> chunks ``(start, end, native type)`` per text.
TagSentences = Callable[[Sequence[str]], list[list[tuple[int, int, str]]]]


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

    >>> spans_from_pieces("张三,北京。", True, lambda texts: [[(0, 2, "PER"), (3, 5, "LOC")] for _ in texts],
    ...                   {"PER": "PERSON"})
    [Span(start=0, end=2, label='PERSON')]
    """
    source = tagger_input(text, normalize_punctuation)
    pieces = split_for_tagging(source, max_chars)
    found = tag_sentences([source[start:end] for start, end in pieces])
    return [
        Span(start + begin, start + end, label_map[kind])
        for (start, _), chunks in zip(pieces, found)
        for begin, end, kind in chunks
        if kind in label_map
    ]
