"""The prediction formats, found once: every module of :mod:`zhnerbench.formats` that defines a
``FORMAT`` (:class:`~zhnerbench.formats.prediction_files.PredictionFormat`). ``--format``'s
choices, format detection, :func:`read_predictions`, :func:`prediction_text` and the manual's
table of formats all come from here.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
from collections.abc import Iterable, Mapping, Sequence

import zhnerbench.formats
from zhnerbench.document import Document, PredictedRelation, Span
from zhnerbench.exceptions import ConversionError, PredictionFormatError
from zhnerbench.formats.prediction_files import PredictionFormat, Predictions, ReadOptions, decode_prediction_file
from zhnerbench.gold.codec import file_lines
from zhnerbench.reading import InputError, read_input_bytes, shown_path
from zhnerbench.tag_schemes import scheme_named
from zhnerbench.views import prediction_labels

#: The modules that define formats, in the order the manual lists them (others come after, by name).
LISTED = ("documents", "conll", "sentences", "docred")


@functools.cache
def prediction_formats() -> Mapping[str, PredictionFormat]:
    """Every format, by name, in the manual's order.

    >>> list(prediction_formats())
    ['documents', 'conll', 'sentences', 'docred']
    """
    found = {}
    for module in pkgutil.iter_modules(zhnerbench.formats.__path__):
        spec = getattr(importlib.import_module(f"zhnerbench.formats.{module.name}"), "FORMAT", None)
        if isinstance(spec, PredictionFormat):
            found[spec.name] = spec
    order = {name: index for index, name in enumerate(LISTED)}
    return {name: found[name] for name in sorted(found, key=lambda name: (order.get(name, len(order)), name))}


def format_names(mentions_only: bool = False) -> tuple[str, ...]:
    """The formats' names (``mentions_only``: those that hold entity mentions).

    >>> format_names(mentions_only=True)
    ('documents', 'conll', 'sentences')
    """
    return tuple(name for name, spec in prediction_formats().items() if spec.mentions or not mentions_only)


def detect_format(text: str) -> str:
    """The format of a file, from its first non-blank line: each format is asked in its
    detection order, the first that claims the line wins.

    >>> detect_format('{"id": "d", "mentions": []}\\n'), detect_format('{"id": "d-000", "tags": ["O"]}')
    ('documents', 'sentences')
    >>> detect_format("上\\tB-GPE\\n海\\tI-GPE\\n"), detect_format("[\\tO\\n"), detect_format('[{"h_idx": 0}]')
    ('conll', 'conll', 'docred')
    """
    first = next((line for line in file_lines(text) if line.strip()), "")
    for spec in sorted(prediction_formats().values(), key=lambda spec: spec.detection_order):
        if spec.detect(first):
            return spec.name
    raise AssertionError("the last format claims every line")


def read_predictions(
    path: str | os.PathLike[str],
    gold: Sequence[Document],
    format: str | None = None,
    lenient: bool = False,
    scheme: str = "IOB2",
    shown_as: str | None = None,
    labels: frozenset[str] | None = None,
    optional: Sequence[Document] | None = None,
) -> Predictions:
    """Read and check a prediction file (a path, or ``-`` for standard input) against the gold
    documents; the format is detected when ``None``.

    ``optional`` are documents a file of the ``documents`` format may also cover, or not;
    ``None``: the counterfactual copies of the article, when ``gold`` is the article. The other
    formats cover ``gold`` only.

    ``shown_as`` is how errors name the file (default: the path as given);
    ``labels`` are the labels a prediction may use (default: those of the gold's default
    views; pass :func:`~zhnerbench.views.prediction_labels` of the gold and your views).

    >>> import tempfile
    >>> from zhnerbench.gold.article import document_from_text
    >>> doc = document_from_text("标题 2022年07月22日\\n张为出席。")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = f"{folder}/pred.jsonl"
    ...     _ = open(path, "w").write('{"id": "000_e491b11e84c79d89", "mentions": [{"start": 15, "end": 17, "label": "PERSON"}]}')
    ...     read_predictions(path, [doc]).spans
    {'000_e491b11e84c79d89': (Span(start=15, end=17, label='PERSON'),)}
    """
    shown = shown_as if shown_as is not None else shown_path(path)
    formats = prediction_formats()
    if format is not None and format not in formats:
        raise PredictionFormatError(shown, None, f"unknown format {format!r} (formats: {', '.join(formats)})")
    try:
        chosen_scheme = scheme_named(scheme)
    except ConversionError as error:
        raise PredictionFormatError(shown, None, str(error)) from None
    try:
        data = read_input_bytes(path)
    except InputError as error:
        raise PredictionFormatError(shown, None, str(error).removeprefix(f"{os.fspath(path)}: ")) from None
    text = decode_prediction_file(data, shown)
    options = ReadOptions(lenient, chosen_scheme, labels if labels is not None else prediction_labels(gold), optional)
    return formats[format or detect_format(text)].read(text, shown, gold, options)


def prediction_text(
    format: str,
    documents: Sequence[Document],
    spans: Mapping[str, Iterable[Span]] | None = None,
    relations: Mapping[str, Iterable[PredictedRelation]] | None = None,
) -> str:
    """A prediction file in ``format`` (by default of the gold's spans and relations).

    >>> from zhnerbench.gold.article import document_from_text
    >>> prediction_text("conll", [document_from_text("标题 2022年07月22日")]).count("\\n")  # 14 characters and a blank line
    15
    """
    formats = prediction_formats()
    if format not in formats:
        raise ValueError(f"unknown prediction format {format!r} (formats: {', '.join(formats)})")
    return formats[format].write(documents, spans, relations)


def formats_list() -> str:
    """The README's list of formats (its generated block ``prediction-formats``)."""
    return "\n".join(f"- `{name}`: {spec.summary}" for name, spec in prediction_formats().items())


def formats_table() -> str:
    """The manual's table of formats (its generated block ``prediction-formats``)."""
    rows = ["| format | layout |", "|---|---|"]
    for name, spec in prediction_formats().items():
        rows.append(f"| `{name}`{f' ({spec.file_kind})' if spec.file_kind else ''} | {spec.description} |")
    return "\n".join(rows)
