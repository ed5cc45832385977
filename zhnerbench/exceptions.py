"""The project's exception types: every error a user can cause is one of these.

Three families, all subclasses of :class:`ZhNerBenchError` (which the command line
prints as one line, exit status 2):

* :class:`GoldDataError` lists :class:`Problem` s found in the gold files
  (``FILE:LINE: message``, all at once).
* :class:`ConversionError` and its subclasses come from the pure conversion
  functions (``schemes``, ``offsets``, ``views``): they say *where in a sequence*
  the problem is (sentence, position) but know nothing about files.
* :class:`PredictionFormatError` is what a user sees about a prediction file: the
  readers catch conversion errors and re-raise them with the file and the line.

Any other exception is a bug of this project, not a problem of the input.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest excerpt of user input quoted in a message: a 20 MB line must not flood the terminal.
EXCERPT_CHARS = 60


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` as ``repr``, cut to about ``limit`` characters, saying how much was cut.

    >>> excerpt("上海")
    "'上海'"
    >>> excerpt("x" * 100, limit=5)
    "'xxxxx'…(+95 chars)"
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}…(+{len(text) - limit} chars)"


class ZhNerBenchError(Exception):
    """Base class of every error this project raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a file, printed as ``file:line: message``."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class GoldDataError(ZhNerBenchError):
    """The gold corpus or annotations are malformed or inconsistent."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            super().__init__(str(self.problems[0]))
        else:
            shown = "\n".join(str(p) for p in self.problems)
            super().__init__(f"{len(self.problems)} problems in the gold data:\n{shown}")


class ConversionError(ZhNerBenchError):
    """A span or tag sequence that cannot be converted faithfully.

    ``position`` is the 0-based index (token, character or span) at fault and
    ``sentence`` the sentence index when the conversion worked on a document.

    >>> str(ConversionError("I-PER follows O", position=3, sentence=2))
    'sentence 2, position 3: I-PER follows O'
    """

    def __init__(self, reason: str, position: int | None = None, sentence: int | None = None) -> None:
        self.reason = reason
        self.position = position
        self.sentence = sentence
        where = []
        if sentence is not None:
            where.append(f"sentence {sentence}")
        if position is not None:
            where.append(f"position {position}")
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)

    def in_sentence(self, sentence: int) -> ConversionError:
        """The same error, located in ``sentence`` (used when a document-level caller adds context).

        >>> str(TagSequenceError("bad", position=1).in_sentence(4))
        'sentence 4, position 1: bad'
        """
        return type(self)(self.reason, self.position, sentence)


class TagSequenceError(ConversionError):
    """An invalid tag sequence (e.g. ``I-PER`` after ``O`` in strict IOB2), or a malformed tag."""


class SpanError(ConversionError):
    """Spans that cannot be encoded: out of range, empty, reversed, overlapping or crossing sentences."""


class AlignmentError(ConversionError):
    """Tokens or tags that do not line up with the text they claim to cover."""


class PredictionFormatError(ZhNerBenchError):
    """A malformed prediction file: one clear problem naming the file and the line.

    >>> str(PredictionFormatError("pred.jsonl", 3, "invalid JSON"))
    'pred.jsonl:3: invalid JSON'
    >>> str(PredictionFormatError("pred.conll", None, "empty file"))
    'pred.conll: empty file'
    """

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.problem = Problem(file, line, message)
        super().__init__(str(self.problem))


class ViewError(ZhNerBenchError):
    """An unknown view, or a view file that does not define a valid view."""
