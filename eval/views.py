"""Label views: named, documented projections of the 19 gold labels.

A view is a mapping table from gold labels to the view's labels; a gold label
that the table does not map is dropped (neither the gold nor the predictions
keep it in that view). Adding a view is adding one entry to :data:`VIEW_TABLE`.

How predicted labels are read in a view (:func:`project_predicted_label`):

1. a label of the 19-label schema is projected exactly like the gold (so a
   fine-grained system is scored in every view: its ``TITLE`` is dropped in
   ``ontonotes``, its ``GPE`` becomes ``LOC`` in ``coarse``);
2. otherwise a label that is one of the view's own labels (``PER`` in
   ``coarse``) is taken as is;
3. otherwise the prediction cannot be scored in that view.

A prediction file can be scored in the views where every predicted label is
read by rule 1 or 2 (:func:`scorable_views`): a 19-label system in all views, a
PER/LOC/ORG system in ``coarse`` only. A label that no view knows is an error.
The labels alone decide: ``LOC`` and ``ORG`` are also schema labels, so a
coarse system that never predicts ``PER`` reads as a fine-grained one; score it
with ``--view coarse``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping

from zhnerbench.model import Span
from zhnerbench.schema import ENTITY_LABELS, ONTONOTES_LABELS


@dataclass(frozen=True)
class View:
    """One projection of the gold labels: ``mapping`` sends each kept gold label to a view label."""

    name: str
    description: str
    mapping: Mapping[str, str]

    @property
    def labels(self) -> tuple[str, ...]:
        """The view's labels, in the order in which the mapping table first uses them.

        >>> VIEWS["coarse"].labels
        ('PER', 'LOC', 'ORG')
        """
        return tuple(dict.fromkeys(self.mapping.values()))


#: name -> (description, {gold label: view label}). Unmapped gold labels are dropped.
VIEW_TABLE: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "full": ("all 19 labels of the schema (the 18 OntoNotes types and TITLE)", {label: label for label in ENTITY_LABELS}),
    "ontonotes": ("the 18 OntoNotes 5.0 types; TITLE is dropped", {label: label for label in ONTONOTES_LABELS}),
    "coarse": (
        "MSRA / People's Daily: PER = PERSON; LOC = GPE + LOC + FAC; ORG = ORG; everything else dropped",
        {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG"},
    ),
}

VIEWS: Mapping[str, View] = MappingProxyType(
    {name: View(name, description, MappingProxyType(dict(mapping))) for name, (description, mapping) in VIEW_TABLE.items()}
)


def project_label(label: str, view: View) -> str | None:
    """The view label of a gold label, or ``None`` when the view drops it.

    >>> project_label("GPE", VIEWS["coarse"]), project_label("DATE", VIEWS["coarse"])
    ('LOC', None)
    """
    return view.mapping.get(label)


def project_spans(spans: Iterable[Span], view: View) -> tuple[Span, ...]:
    """Gold spans relabelled into ``view``; spans of dropped labels are left out.

    >>> project_spans([Span(0, 2, "GPE"), Span(3, 5, "DATE")], VIEWS["coarse"])
    (Span(start=0, end=2, label='LOC'),)
    """
    projected = []
    for span in spans:
        label = view.mapping.get(span.label)
        if label is not None:
            projected.append(Span(span.start, span.end, label))
    return tuple(projected)


def can_read_label(label: str, view: View) -> bool:
    """Whether a predicted ``label`` has a meaning in ``view`` (rules 1 and 2 of the module doc).

    >>> can_read_label("TITLE", VIEWS["ontonotes"]), can_read_label("PER", VIEWS["full"])
    (True, False)
    """
    return label in ENTITY_LABELS or label in view.labels


def project_predicted_label(label: str, view: View) -> str | None:
    """The view label of a predicted label, ``None`` if the view drops it.

    Raises ``ValueError`` when the label cannot be read in the view (check
    :func:`scorable_views` first).

    >>> project_predicted_label("PER", VIEWS["coarse"]), project_predicted_label("FAC", VIEWS["coarse"])
    ('PER', 'LOC')
    """
    if label in ENTITY_LABELS:
        return view.mapping.get(label)
    if label in view.labels:
        return label
    raise ValueError(f"label {label!r} cannot be scored in view {view.name!r}")


def project_predicted_spans(spans: Iterable[Span], view: View) -> tuple[Span, ...]:
    """Predicted spans relabelled into ``view`` (see :func:`project_predicted_label`).

    >>> project_predicted_spans([Span(0, 2, "PER"), Span(3, 5, "GPE")], VIEWS["coarse"])
    (Span(start=0, end=2, label='PER'), Span(start=3, end=5, label='LOC'))
    """
    projected = []
    for span in spans:
        label = project_predicted_label(span.label, view)
        if label is not None:
            projected.append(Span(span.start, span.end, label))
    return tuple(projected)


def known_labels(views: Mapping[str, View] = VIEWS) -> frozenset[str]:
    """Every label a prediction may use: the 19 schema labels and every view's labels.

    >>> sorted(known_labels() - set(ENTITY_LABELS))
    ['PER']
    """
    return frozenset(ENTITY_LABELS).union(*(view.labels for view in views.values()))


def scorable_views(labels: Iterable[str], views: Mapping[str, View] = VIEWS) -> tuple[str, ...]:
    """Names of the views in which predictions with these labels can be scored.

    >>> scorable_views(["PERSON", "TITLE"])
    ('full', 'ontonotes', 'coarse')
    >>> scorable_views(["PER", "ORG"])
    ('coarse',)
    """
    wanted = set(labels)
    return tuple(name for name, view in views.items() if all(can_read_label(label, view) for label in wanted))
