"""Views: label mappings plus a convention (flat, outermost, nested) over the nested gold."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from zhnerbench.exceptions import SpanError, ViewError
from zhnerbench.document import Document, Span
from zhnerbench.schema import ENTITY_LABELS, ONTONOTES_LABELS
from zhnerbench.views import (
    VIEWS,
    can_read_label,
    crossing_pair,
    gold_spans,
    keep_by_convention,
    known_labels,
    outermost_mapped,
    read_predicted_label,
    read_view_file,
    scorable_views,
    view_from_dict,
)

COARSE = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG"}


def test_the_built_in_views_are_the_documented_ones() -> None:
    assert list(VIEWS) == ["full", "ontonotes", "coarse", "nested"]
    assert VIEWS["full"].labels == ENTITY_LABELS and VIEWS["full"].convention == "flat"
    assert VIEWS["ontonotes"].labels == ONTONOTES_LABELS and VIEWS["ontonotes"].convention == "flat"
    assert dict(VIEWS["coarse"].mapping) == COARSE and VIEWS["coarse"].convention == "outermost"
    assert VIEWS["nested"].labels == ENTITY_LABELS and VIEWS["nested"].convention == "nested"


def test_flat_views_score_the_flat_layer_relabelled(gold: Document) -> None:
    assert gold_spans(gold, VIEWS["full"]) == tuple(sorted(gold.spans))
    ontonotes = gold_spans(gold, VIEWS["ontonotes"])
    assert len(ontonotes) == len(gold.mentions) - sum(m.label == "TITLE" for m in gold.mentions)


def test_nested_view_scores_both_layers(gold: Document) -> None:
    spans = gold_spans(gold, VIEWS["nested"])
    assert len(spans) == len(gold.mentions) + len(gold.inner_mentions) == 242
    assert set(spans) == {m.span for m in gold.all_mentions}


def test_outermost_walk_on_the_gold(gold: Document) -> None:
    coarse = set(gold_spans(gold, VIEWS["coarse"]))
    text = gold.text
    # The place inside the conference's name, three times; not the 上海 inside that 上海市.
    event = [m for m in gold.mentions if m.text == "上海市产业技术创新大会"]
    assert len(event) == 3
    for mention in event:
        assert Span(mention.start, mention.start + 3, "LOC") in coarse
        assert Span(mention.start, mention.start + 2, "LOC") not in coarse
    # A company stays one ORG: the 上海 inside it is not kept.
    company = next(m for m in gold.mentions if m.text == "上海航天电子有限公司")
    assert Span(company.start, company.end, "ORG") in coarse
    assert not any(s.start == company.start and s.end < company.end for s in coarse)
    # Inside the EVENT 中国工程院第十六次院士大会: the inner ORG, not the 中国 inside it.
    assembly = next(m for m in gold.mentions if m.text == "中国工程院第十六次院士大会")
    kept = [s for s in coarse if assembly.start <= s.start and s.end <= assembly.end]
    assert kept == [Span(assembly.start, assembly.start + 5, "ORG")]
    # A report title (WORK_OF_ART) gives its place; a LAW too.
    report = next(m for m in gold.mentions if m.text == "2021上海产业技术创新发展报告")
    assert [text[s.start:s.end] for s in coarse if report.start <= s.start and s.end <= report.end] == ["上海"]
    # Nothing kept overlaps: the coarse gold is flat again.
    assert crossing_pair(coarse) is None and len(coarse) == len(gold_spans(gold, VIEWS["coarse"]))
    ordered = sorted(coarse)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))


def test_outermost_walk_keeps_the_first_mapped_span_from_the_outside() -> None:
    spans = [Span(0, 20, "EVENT"), Span(0, 10, "ORG"), Span(0, 2, "GPE"), Span(12, 15, "LAW"), Span(12, 14, "GPE")]
    assert outermost_mapped(spans, COARSE) == (Span(0, 10, "ORG"), Span(12, 14, "LOC"))
    # An unmapped span with nothing mapped inside it contributes nothing.
    assert outermost_mapped([Span(0, 5, "DATE")], COARSE) == ()
    # Without nesting the walk is the flat relabelling.
    flat = [Span(0, 2, "PERSON"), Span(3, 5, "DATE"), Span(6, 9, "FAC")]
    assert outermost_mapped(flat, COARSE) == (Span(0, 2, "PER"), Span(6, 9, "LOC"))


def test_crossing_spans_cannot_be_walked() -> None:
    with pytest.raises(SpanError, match="crosses"):
        outermost_mapped([Span(0, 5, "ORG"), Span(3, 8, "GPE")], COARSE)
    with pytest.raises(SpanError, match="crosses"):  # the same extent twice is no tree either
        outermost_mapped([Span(0, 5, "ORG"), Span(0, 5, "GPE")], COARSE)


def test_flat_convention_rejects_overlaps_nested_keeps_them() -> None:
    spans = [Span(0, 5, "ORG"), Span(0, 2, "GPE")]
    with pytest.raises(SpanError, match="overlaps"):
        keep_by_convention(spans, {"ORG": "ORG", "GPE": "GPE"}, "flat")
    assert keep_by_convention(spans, {"ORG": "ORG", "GPE": "GPE"}, "nested") == (Span(0, 2, "GPE"), Span(0, 5, "ORG"))


def test_a_gold_without_inner_mentions_scores_the_same_in_outermost_and_flat(gold: Document) -> None:
    flat_only = replace(gold, inner_mentions=())
    legacy = replace(VIEWS["coarse"], convention="flat")
    assert gold_spans(flat_only, VIEWS["coarse"]) == gold_spans(flat_only, legacy)


def test_predicted_labels_are_read_like_the_gold_or_as_view_labels() -> None:
    assert read_predicted_label("PER", VIEWS["coarse"]) == "PER"
    assert read_predicted_label("GPE", VIEWS["coarse"]) == "LOC"
    assert read_predicted_label("DATE", VIEWS["coarse"]) is None
    assert not can_read_label("PER", VIEWS["full"])
    with pytest.raises(ViewError, match="'PER' cannot be scored in view 'ontonotes'"):
        read_predicted_label("PER", VIEWS["ontonotes"])


@pytest.mark.parametrize(
    ("labels", "views"),
    [
        (ENTITY_LABELS, ("full", "ontonotes", "coarse", "nested")),
        (("PERSON", "ORG"), ("full", "ontonotes", "coarse", "nested")),
        (("PER", "LOC", "ORG"), ("coarse",)),
        (("PER", "PERSON"), ("coarse",)),
        ((), ("full", "ontonotes", "coarse", "nested")),
        (("MISC",), ()),
    ],
)
def test_scorable_views(labels: tuple[str, ...], views: tuple[str, ...]) -> None:
    assert scorable_views(labels) == views


def test_known_labels_are_the_schema_and_every_view_label() -> None:
    assert known_labels() == frozenset(ENTITY_LABELS) | {"PER"}


CLUENER = {
    "name": "cluener",
    "description": "CLUENER 2020 types the gold can express",
    "convention": "outermost",
    "labels": {"PERSON": "name", "ORG": "organization", "GPE": "address", "LOC": "address", "FAC": "address",
               "TITLE": "position", "WORK_OF_ART": "book"},
    "predicted_labels": {"company": "organization", "government": "organization"},
}


def test_a_view_file_scores_another_tag_set_without_code(tmp_path: Path) -> None:
    path = tmp_path / "cluener.json"
    path.write_text(json.dumps(CLUENER), encoding="utf-8")
    view = read_view_file(path)
    views = {**VIEWS, view.name: view}
    assert view.labels == ("name", "organization", "address", "position", "book")
    assert scorable_views(["name", "company", "position"], views) == ("cluener",)
    assert read_predicted_label("government", view) == "organization"
    assert "company" in known_labels(views.values())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"convention": "innermost"}, "'convention' must be one of flat, outermost, nested"),
        ({"labels": {"PEOPLE": "name"}}, "'labels' maps 'PEOPLE', which is not a gold label"),
        ({"labels": {}}, "'labels' must be a non-empty object"),
        ({"labels": {"PERSON": ""}}, "a view label is a non-empty string"),
        ({"predicted_labels": {"company": "firm"}}, "which is not a label of the view"),
        ({"predicted_labels": {"ORG": "organization"}}, "already read as a gold or view label"),
        ({"colour": "red"}, "unknown key(s) colour"),
    ],
)
def test_bad_view_files_are_one_clear_error(tmp_path: Path, change: dict, message: str) -> None:
    path = tmp_path / "view.json"
    path.write_text(json.dumps({**CLUENER, **change}), encoding="utf-8")
    with pytest.raises(ViewError) as caught:
        read_view_file(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


def test_unreadable_view_files_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ViewError, match="cannot read"):
        read_view_file(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(ViewError, match="not a JSON view file"):
        read_view_file(tmp_path / "bad.json")
    with pytest.raises(ViewError, match="one JSON object"):
        view_from_dict([], "list.json")


def test_the_built_in_views_are_the_view_files_in_eval_which_read_as_user_views() -> None:
    from zhnerbench.paths import BUILTIN_VIEW_NAMES, VIEWS_DIR, install_root

    files = sorted(path.stem for path in (install_root() / VIEWS_DIR).glob("*.json"))
    assert files == sorted(BUILTIN_VIEW_NAMES) and list(VIEWS) == list(BUILTIN_VIEW_NAMES)
    for name in BUILTIN_VIEW_NAMES:
        template = read_view_file(install_root() / VIEWS_DIR / f"{name}.json")  # as --view-file reads it
        assert template == VIEWS[name]
