"""Label views: the projections are data, and decide where a prediction file can be scored."""

from __future__ import annotations

import pytest

from zhnerbench.eval.views import (
    VIEW_TABLE,
    VIEWS,
    View,
    can_read_label,
    known_labels,
    project_predicted_label,
    project_predicted_spans,
    project_spans,
    scorable_views,
)
from zhnerbench.model import Span
from zhnerbench.schema import ENTITY_LABELS, ONTONOTES_LABELS


def test_the_three_views_are_the_documented_projections() -> None:
    assert list(VIEWS) == ["full", "ontonotes", "coarse"]
    assert VIEWS["full"].labels == ENTITY_LABELS and len(ENTITY_LABELS) == 19
    assert VIEWS["ontonotes"].labels == ONTONOTES_LABELS and "TITLE" not in VIEWS["ontonotes"].labels
    assert dict(VIEWS["coarse"].mapping) == {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG"}
    for name, view in VIEWS.items():
        assert view.name == name and view.description == VIEW_TABLE[name][0]
        assert set(view.mapping) <= set(ENTITY_LABELS)


def test_gold_projection_relabels_and_drops() -> None:
    spans = [Span(0, 2, "PERSON"), Span(2, 4, "TITLE"), Span(5, 7, "FAC"), Span(8, 9, "CARDINAL")]
    assert project_spans(spans, VIEWS["full"]) == tuple(spans)
    assert project_spans(spans, VIEWS["ontonotes"]) == (Span(0, 2, "PERSON"), Span(5, 7, "FAC"), Span(8, 9, "CARDINAL"))
    assert project_spans(spans, VIEWS["coarse"]) == (Span(0, 2, "PER"), Span(5, 7, "LOC"))


def test_fine_predictions_are_projected_like_the_gold() -> None:
    spans = [Span(0, 2, "PERSON"), Span(2, 4, "TITLE"), Span(5, 7, "GPE")]
    for view in VIEWS.values():
        assert project_predicted_spans(spans, view) == project_spans(spans, view)


def test_coarse_labels_are_read_in_the_coarse_view_only() -> None:
    assert project_predicted_label("PER", VIEWS["coarse"]) == "PER"
    assert project_predicted_label("LOC", VIEWS["coarse"]) == "LOC"
    assert not can_read_label("PER", VIEWS["full"])
    with pytest.raises(ValueError, match="'PER' cannot be scored in view 'ontonotes'"):
        project_predicted_label("PER", VIEWS["ontonotes"])


@pytest.mark.parametrize(
    ("labels", "views"),
    [
        (ENTITY_LABELS, ("full", "ontonotes", "coarse")),
        (("PERSON", "ORG"), ("full", "ontonotes", "coarse")),
        (("PER", "LOC", "ORG"), ("coarse",)),
        (("PER", "PERSON"), ("coarse",)),
        ((), ("full", "ontonotes", "coarse")),
        (("MISC",), ()),
    ],
)
def test_scorable_views(labels: tuple[str, ...], views: tuple[str, ...]) -> None:
    assert scorable_views(labels) == views


def test_known_labels_are_the_schema_and_every_view_label() -> None:
    assert known_labels() == frozenset(ENTITY_LABELS) | {"PER"}


def test_adding_a_view_is_one_table_entry() -> None:
    # A CLUENER-style view, declared the way VIEW_TABLE declares views.
    table = dict(VIEW_TABLE)
    table["cluener"] = (
        "CLUENER 2020 (subset): name, organization, address, government, position",
        {"PERSON": "name", "ORG": "organization", "GPE": "address", "LOC": "address", "FAC": "address", "TITLE": "position"},
    )
    views = {name: View(name, description, mapping) for name, (description, mapping) in table.items()}
    assert views["cluener"].labels == ("name", "organization", "address", "position")
    assert scorable_views(["PERSON", "TITLE"], views) == ("full", "ontonotes", "coarse", "cluener")
    assert scorable_views(["name", "position"], views) == ("cluener",)
    assert "organization" in known_labels(views)
    assert project_spans([Span(0, 2, "TITLE")], views["cluener"]) == (Span(0, 2, "position"),)
