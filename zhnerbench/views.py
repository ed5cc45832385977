"""Scoring views: a mapping of the 19 gold labels to a view's labels, plus a convention that
says which spans of the nested gold the view keeps.

Conventions (``annotations/GUIDELINES.md`` §6):

* ``flat``: the flat layer, relabelled (``full``, ``ontonotes``);
* ``outermost``: walk the nested tree from the outside in and keep the first span
  whose label the view maps (``coarse``, the MSRA / People's Daily convention:
  ``上海市`` inside the EVENT ``上海市产业技术创新大会`` is kept as ``LOC``, while
  ``上海航天电子有限公司`` stays one ``ORG``);
* ``nested``: every span of both layers whose label the view maps (``nested``).

Predictions get the same treatment as the gold: a flat view needs predicted spans
that do not overlap, an outermost view walks nested predictions the same way
(crossing spans are an error there), a nested view takes every span.

How a predicted label is read in a view (:func:`read_predicted_label`):

1. a label of the 19-label schema is projected exactly like the gold (so a
   fine-grained system is scored in every view);
2. otherwise a label of the view (``PER`` in ``coarse``) is taken as is;
3. otherwise a label the view's ``predicted_labels`` maps (a CLUENER system's
   ``company`` in a CLUENER view) is read through that mapping;
4. otherwise the prediction cannot be scored in that view.

Views are data: the built-in ones are view files in ``eval/views/`` (read by
:func:`builtin_views`), and a user's own view is a JSON file in that format
(:func:`read_view_file`, :func:`view_from_dict`), for example::

    {"name": "cluener", "description": "CLUENER 2020 types the gold can express",
     "convention": "outermost",
     "labels": {"PERSON": "name", "ORG": "organization", "GPE": "address", "TITLE": "position"},
     "predicted_labels": {"company": "organization", "government": "organization"}}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal, get_args

from zhnerbench.printable import printable
from zhnerbench.exceptions import SpanError, ViewError
from zhnerbench.document import Document, Span
from zhnerbench.schema import ENTITY_LABELS

#: Which spans of a nested span set a view keeps: the flat layer, the outermost span its labels
#: map on each nested path, or every span (see the module doc).
Convention = Literal["flat", "outermost", "nested"]
CONVENTIONS: tuple[Convention, ...] = get_args(Convention)


@dataclass(frozen=True)
class View:
    """One projection of the gold: ``mapping`` sends each kept gold label to a view label,
    ``convention`` says which spans are kept, ``predicted_labels`` reads other tag sets."""

    name: str
    description: str
    mapping: Mapping[str, str]
    convention: Convention = "flat"
    predicted_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def labels(self) -> tuple[str, ...]:
        """The view's labels, in the order in which the mapping first uses them.

        >>> VIEWS["coarse"].labels
        ('PER', 'LOC', 'ORG')
        """
        return tuple(dict.fromkeys(self.mapping.values()))


def _problem(source: str, message: str) -> ViewError:
    return ViewError(f"{source}: {message}")


def view_from_dict(data: object, source: str, default_name: str | None = None,
                   gold_labels: Sequence[str] = ENTITY_LABELS) -> View:
    """A view from its JSON form; every problem raises :class:`ViewError` naming ``source``.

    ``gold_labels`` are the labels its ``labels`` may map: the schema's, or those of a
    corpus of your own (:func:`corpus_labels`).

    >>> view_from_dict({"convention": "flat", "labels": {"PERSON": "PER"}}, "v.json", "v").labels
    ('PER',)
    >>> view_from_dict({"convention": "flat", "labels": {"PEOPLE": "PER"}}, "v.json", "v")
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.ViewError: v.json: 'labels' maps 'PEOPLE', which is not a gold label (gold labels: PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE DATE TIME PERCENT MONEY QUANTITY ORDINAL CARDINAL TITLE)
    """
    if not isinstance(data, dict):
        raise _problem(source, "a view file holds one JSON object")
    unknown = sorted(set(data) - {"name", "description", "convention", "labels", "predicted_labels"})
    if unknown:
        raise _problem(source, f"unknown key(s) {', '.join(unknown)} (keys: name, description, convention, labels, "
                               "predicted_labels)")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        raise _problem(source, "'name' must be a non-empty string")
    mapping_values = list(data["labels"].values()) if isinstance(data.get("labels"), dict) else []
    predicted_keys = list(data["predicted_labels"]) if isinstance(data.get("predicted_labels"), dict) else []
    unprintable = next((text for text in (name, *mapping_values, *predicted_keys)
                        if isinstance(text, str) and printable(text) != text), None)
    if unprintable is not None:
        raise _problem(source, f"{printable(unprintable)[:80]!r} holds a control or bidirectional character; names "
                               "and labels are plain text")
    convention = data.get("convention")
    if convention not in CONVENTIONS:
        raise _problem(source, f"'convention' must be one of {', '.join(CONVENTIONS)}, found {convention!r}")
    description = data.get("description", f"user view {name}")
    if not isinstance(description, str):
        raise _problem(source, "'description' must be a string")
    mapping = data.get("labels")
    if not isinstance(mapping, dict) or not mapping:
        raise _problem(source, "'labels' must be a non-empty object {gold label: view label}")
    for gold, label in mapping.items():
        if gold not in gold_labels:
            raise _problem(source, f"'labels' maps {gold!r}, which is not a gold label "
                                   f"(gold labels: {' '.join(gold_labels)})")
        if not isinstance(label, str) or not label or label != label.strip():
            raise _problem(source, f"'labels' maps {gold} to {label!r}; a view label is a non-empty string")
    predicted = data.get("predicted_labels", {})
    if not isinstance(predicted, dict):
        raise _problem(source, "'predicted_labels' must be an object {system label: view label}")
    view_labels = set(mapping.values())
    for system_label, label in predicted.items():
        if system_label in ENTITY_LABELS or system_label in view_labels:
            raise _problem(source, f"'predicted_labels' maps {system_label!r}, which is already read as a "
                                   "gold or view label")
        if label not in view_labels:
            raise _problem(source, f"'predicted_labels' maps {system_label!r} to {label!r}, which is not a "
                                   f"label of the view ({', '.join(sorted(view_labels))})")
    return View(name, description, MappingProxyType(dict(mapping)), convention, MappingProxyType(dict(predicted)))


def read_view_file(path: str | Path, gold_labels: Sequence[str] = ENTITY_LABELS) -> View:
    """The view defined in a JSON file (its name defaults to the file's stem)."""
    from zhnerbench.reading import read_config_json

    path = Path(path)
    return view_from_dict(read_config_json(path, "view file", ViewError), str(path), path.stem, gold_labels)


def builtin_views() -> Mapping[str, View]:
    """The built-in views, read from their view files in ``eval/views/`` (which double as
    templates for a view of your own)."""
    from zhnerbench.reading import read_config_json
    from zhnerbench.paths import BUILTIN_VIEW_NAMES, VIEWS_DIR, install_root

    views = {}
    for name in BUILTIN_VIEW_NAMES:
        path = install_root() / VIEWS_DIR / f"{name}.json"
        views[name] = view_from_dict(read_config_json(path, "view file", ViewError), f"{VIEWS_DIR}/{name}.json")
    return MappingProxyType(views)


VIEWS: Mapping[str, View] = builtin_views()
_COARSE = VIEWS["coarse"].mapping


def corpus_labels(gold: Iterable[Document]) -> tuple[str, ...]:
    """The labels a gold corpus uses: the schema's 19 when it keeps to them, else its own, sorted.

    >>> from zhnerbench.gold.article import example_document
    >>> len(corpus_labels([example_document()]))
    19
    """
    used = {mention.label for document in gold for mention in document.all_mentions}
    return ENTITY_LABELS if used <= set(ENTITY_LABELS) else tuple(sorted(used))


def default_views(gold: Sequence[Document]) -> Mapping[str, View]:
    """The views predictions against ``gold`` are scored in by default: the built-in ones for a
    corpus of the schema's labels; for a corpus with labels of its own, its labels as they are
    (``labels``, flat layer) and, when it has inner mentions, with every span (``labels-nested``).
    """
    labels = corpus_labels(gold)
    if labels == ENTITY_LABELS:
        return VIEWS
    identity = MappingProxyType({label: label for label in labels})
    views = {"labels": View("labels", "the corpus's own labels, flat layer", identity, "flat")}
    if any(document.inner_mentions for document in gold):
        views["labels-nested"] = View("labels-nested", "the corpus's own labels, every span", identity, "nested")
    return MappingProxyType(views)


def prediction_labels(gold: Sequence[Document], views: Iterable[View] = ()) -> frozenset[str]:
    """Every label a prediction against ``gold`` may use: for the benchmark's labels those of
    :func:`known_labels`; for a corpus of its own labels, those and the labels of ``views``
    (a label the corpus never uses would otherwise be dropped unseen, not counted wrong)."""
    chosen = [*default_views(gold).values(), *views]
    if corpus_labels(gold) == ENTITY_LABELS:
        return known_labels(chosen)
    return frozenset(label for view in chosen for label in (*view.labels, *view.predicted_labels))


def resolve_view(name: str, extra: Mapping[str, View] | None = None) -> View:
    """A built-in view (or one of ``extra``) by name; an unknown name raises :class:`ViewError`.

    >>> resolve_view("coarse").convention
    'outermost'
    """
    views = {**VIEWS, **(extra or {})}
    if name not in views:
        raise ViewError(f"unknown view {name!r} (views: {', '.join(views)})")
    return views[name]


# --- which spans a convention keeps -------------------------------------------------------------


def crossing_pair(spans: Iterable[Span]) -> tuple[Span, Span] | None:
    """Two spans that overlap without one containing the other (or that share both ends), if any.

    >>> crossing_pair([Span(0, 4, "EVENT"), Span(0, 2, "GPE")]) is None
    True
    >>> crossing_pair([Span(0, 3, "ORG"), Span(2, 5, "GPE")])
    (Span(start=0, end=3, label='ORG'), Span(start=2, end=5, label='GPE'))
    """
    stack: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (s.start, -s.end, s.label)):
        while stack and stack[-1].end <= span.start:
            stack.pop()
        if stack and ((stack[-1].start, stack[-1].end) == (span.start, span.end) or span.end > stack[-1].end):
            return stack[-1], span
        stack.append(span)
    return None


def overlapping_pair(spans: Iterable[Span]) -> tuple[Span, Span] | None:
    """Two spans that share a character, if any.

    >>> overlapping_pair([Span(0, 4, "EVENT"), Span(0, 2, "GPE")])
    (Span(start=0, end=4, label='EVENT'), Span(start=0, end=2, label='GPE'))
    """
    widest: Span | None = None
    for span in sorted(set(spans), key=lambda s: (s.start, -s.end, s.label)):
        if widest is not None and span.start < widest.end:
            return widest, span
        if widest is None or span.end > widest.end:
            widest = span
    return None


def outermost_mapped(spans: Iterable[Span], mapping: Mapping[str, str]) -> tuple[Span, ...]:
    """The outermost spans whose label ``mapping`` maps, relabelled; spans must nest properly.

    Walks each tree from its root: a mapped span is kept and nothing inside it is
    looked at; an unmapped span is passed through to what lies inside it.

    >>> outermost_mapped([Span(0, 11, "EVENT"), Span(0, 3, "GPE"), Span(20, 30, "ORG"), Span(20, 22, "GPE")], _COARSE)
    (Span(start=0, end=3, label='LOC'), Span(start=20, end=30, label='ORG'))
    """
    pair = crossing_pair(spans)
    if pair is not None:
        first, second = pair
        raise SpanError(f"span [{second.start},{second.end}) {second.label} crosses "
                        f"[{first.start},{first.end}) {first.label}: the spans do not nest", position=second.start)
    kept: list[Span] = []
    covered_until = -1  # end of the last kept span: everything before it lies inside a kept span
    for span in sorted(set(spans), key=lambda s: (s.start, -s.end)):
        if span.start < covered_until:
            continue
        label = mapping.get(span.label)
        if label is not None:
            kept.append(Span(span.start, span.end, label))
            covered_until = span.end
    return tuple(kept)


def relabel(spans: Iterable[Span], mapping: Mapping[str, str]) -> tuple[Span, ...]:
    """Spans whose label ``mapping`` maps, relabelled; the others are dropped.

    >>> relabel([Span(0, 2, "GPE"), Span(3, 5, "DATE")], _COARSE)
    (Span(start=0, end=2, label='LOC'),)
    """
    return tuple(Span(s.start, s.end, mapping[s.label]) for s in spans if s.label in mapping)


def keep_by_convention(spans: Sequence[Span], mapping: Mapping[str, str], convention: Convention) -> tuple[Span, ...]:
    """The spans a convention keeps from a set of spans (one document's), relabelled by ``mapping``.

    ``flat`` needs spans that do not overlap (:class:`SpanError` otherwise),
    ``outermost`` spans that nest properly; ``nested`` takes them all.

    >>> keep_by_convention([Span(0, 11, "EVENT"), Span(0, 3, "GPE")], {"GPE": "GPE"}, "nested")
    (Span(start=0, end=3, label='GPE'),)
    """
    if convention == "outermost":
        return outermost_mapped(spans, mapping)
    if convention == "flat":
        pair = overlapping_pair(spans)
        if pair is not None:
            first, second = pair
            raise SpanError(f"span [{second.start},{second.end}) {second.label} overlaps "
                            f"[{first.start},{first.end}) {first.label}", position=second.start)
    return tuple(sorted(relabel(spans, mapping)))


def gold_spans(document: Document, view: View) -> tuple[Span, ...]:
    """The gold spans of ``document`` that ``view`` scores, in its labels, sorted.

    >>> from zhnerbench.gold.article import document_from_text
    >>> from zhnerbench.document import Mention
    >>> from dataclasses import replace
    >>> doc = replace(document_from_text("上海市大会 2022年07月22日"),
    ...               mentions=(Mention("M001", 0, 5, "EVENT", "E001", "上海市大会"),),
    ...               inner_mentions=(Mention("M002", 0, 3, "GPE", "E002", "上海市", "M001"),))
    >>> gold_spans(doc, VIEWS["full"]), gold_spans(doc, VIEWS["coarse"]), len(gold_spans(doc, VIEWS["nested"]))
    ((Span(start=0, end=5, label='EVENT'),), (Span(start=0, end=3, label='LOC'),), 2)
    """
    if view.convention == "flat":
        return tuple(sorted(relabel(document.spans, view.mapping)))
    spans = [m.span for m in document.all_mentions]
    return keep_by_convention(spans, view.mapping, view.convention)


# --- how predicted labels are read --------------------------------------------------------------


def read_predicted_label(label: str, view: View) -> str | None:
    """The view label of a predicted label, ``None`` when the view drops it (see the module doc).

    Raises :class:`ViewError` when the label cannot be read in the view (check
    :func:`scorable_views` first).

    >>> read_predicted_label("PER", VIEWS["coarse"]), read_predicted_label("FAC", VIEWS["coarse"])
    ('PER', 'LOC')
    """
    if label in ENTITY_LABELS:
        return view.mapping.get(label)
    if label in view.labels:
        return label
    if label in view.predicted_labels:
        return view.predicted_labels[label]
    raise ViewError(f"label {label!r} cannot be scored in view {view.name!r}")


def can_read_label(label: str, view: View) -> bool:
    """Whether a predicted ``label`` has a meaning in ``view``.

    >>> can_read_label("TITLE", VIEWS["ontonotes"]), can_read_label("PER", VIEWS["full"])
    (True, False)
    """
    return label in ENTITY_LABELS or label in view.labels or label in view.predicted_labels


def predicted_mapping(labels: Iterable[str], view: View) -> dict[str, str]:
    """``{predicted label: view label}`` for the labels the view keeps (``read_predicted_label``).

    >>> predicted_mapping(["PER", "DATE", "GPE"], VIEWS["coarse"])
    {'PER': 'PER', 'GPE': 'LOC'}
    """
    mapping = {}
    for label in labels:
        read = read_predicted_label(label, view)
        if read is not None:
            mapping[label] = read
    return mapping


def known_labels(views: Iterable[View] = VIEWS.values()) -> frozenset[str]:
    """Every label a prediction may use: the 19 schema labels and every view's labels.

    >>> sorted(known_labels() - set(ENTITY_LABELS))
    ['PER']
    """
    known = set(ENTITY_LABELS)
    for view in views:
        known.update(view.labels)
        known.update(view.predicted_labels)
    return frozenset(known)


def scorable_views(labels: Iterable[str], views: Mapping[str, View] = VIEWS) -> tuple[str, ...]:
    """Names of the views whose labels can read every one of ``labels``.

    >>> scorable_views(["PERSON", "TITLE"])
    ('full', 'ontonotes', 'coarse', 'nested')
    >>> scorable_views(["PER", "ORG"])
    ('coarse',)
    """
    wanted = set(labels)
    return tuple(name for name, view in views.items() if all(can_read_label(label, view) for label in wanted))
