"""The errors the scorer raises on purpose, all subclasses of :class:`ZhNerBenchError`.

Two families:

* :class:`ConversionError` and its subclasses come from the pure conversion
  functions (``tags``, ``offsets``); they say *where in a sequence* the problem
  is (sentence, position) but know nothing about files.
* :class:`PredictionFormatError` is what a user sees: the readers catch
  conversion errors and re-raise them with the file and line (or document /
  sentence id), printed as ``FILE:LINE: problem`` by the CLI (exit status 2).
"""

from __future__ import annotations

from zhnerbench.errors import Problem, ZhNerBenchError


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

    def in_sentence(self, sentence: int) -> "ConversionError":
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
