"""NER scores: seqeval (strict, IOB2) equals an independent span-set computation.

The independent side decodes tags with its own few lines (an entity is a B-X
followed by I-X tokens; any other I-X belongs to no entity, as in seqeval's
strict mode) and counts set intersections, without seqeval.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhnerbench.counts import Average, Counts
from zhnerbench.exceptions import TagSequenceError
from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.eval.evaluation import evaluate_view
from zhnerbench.eval.ner import NerScores, seqeval_scores, span_set_scores
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.document import Document, Span
from zhnerbench.offsets import spans_by_sentence
from zhnerbench.tag_schemes import spans_to_tags
from zhnerbench.views import VIEWS, gold_spans, keep_by_convention

#: The views whose spans do not overlap, where seqeval applies.
TAGGED_VIEWS = [name for name, view in VIEWS.items() if view.convention != "nested"]


def independent_entities(sequences: list[list[str]]) -> set[tuple[int, str, int, int]]:
    entities = set()
    for sentence, tags in enumerate(sequences):
        position = 0
        while position < len(tags):
            if tags[position].startswith("B-"):
                label = tags[position][2:]
                end = position + 1
                while end < len(tags) and tags[end] == f"I-{label}":
                    end += 1
                entities.add((sentence, label, position, end))
                position = end
            else:
                position += 1
    return entities


def assert_same_scores(actual: NerScores, expected: NerScores) -> None:
    assert actual.micro == expected.micro
    assert (actual.macro.precision, actual.macro.recall, actual.macro.f1) == pytest.approx(
        (expected.macro.precision, expected.macro.recall, expected.macro.f1), abs=1e-12)
    assert dict(actual.per_label) == dict(expected.per_label)
    assert list(actual.per_label) == list(expected.per_label)


def gold_tags(document: Document, view: str) -> list[list[str]]:
    groups = spans_by_sentence(document.sentences, gold_spans(document, VIEWS[view]))
    return [spans_to_tags(g, s.end - s.start) for g, s in zip(groups, document.sentences, strict=True)]


def perturb(tag_sequences: list[list[str]], rng: random.Random, labels: tuple[str, ...]) -> list[list[str]]:
    """Random edits of a tag sequence, including ones that make it invalid IOB2."""
    result = []
    for tags in tag_sequences:
        tags = list(tags)
        for _ in range(rng.randrange(4)):
            if not tags:
                break
            position = rng.randrange(len(tags))
            choice = rng.random()
            if choice < 0.3:
                tags[position] = "O"
            elif choice < 0.55:
                tags[position] = f"B-{rng.choice(labels)}"
            elif choice < 0.8:
                tags[position] = f"I-{rng.choice(labels)}"  # often invalid
            elif tags[position].startswith("B-"):
                tags[position] = "I-" + tags[position][2:]  # a B turned into a stray I
        result.append(tags)
    return result


@pytest.mark.parametrize("view", TAGGED_VIEWS)
def test_gold_against_itself(gold: Document, view: str) -> None:
    tags = gold_tags(gold, view)
    scores = seqeval_scores(tags, tags)
    support = len(gold_spans(gold, VIEWS[view]))
    assert scores.micro == Counts(support, support, support) and scores.micro.f1 == 1.0
    # 202 flat mentions; 28 of them TITLE; coarse: 118 flat PER/LOC/ORG-like spans and 12 places or
    # organisations inside events, laws and report titles.
    assert {"full": 202, "ontonotes": 174, "coarse": 130}[view] == support
    assert_same_scores(scores, span_set_scores(independent_entities(tags), independent_entities(tags)))


@pytest.mark.parametrize("view", TAGGED_VIEWS)
@pytest.mark.parametrize("seed", range(8))
def test_seqeval_equals_span_sets_on_randomized_gold(gold: Document, view: str, seed: int) -> None:
    rng = random.Random(seed)
    gold_sequences = gold_tags(gold, view)
    predicted = perturb(gold_sequences, rng, VIEWS[view].labels + ("MISC",))
    assert any(tag.startswith("I-") for tags in predicted for tag in tags)
    expected = span_set_scores(independent_entities(gold_sequences), independent_entities(predicted))
    assert_same_scores(seqeval_scores(gold_sequences, predicted), expected)


tag_alphabet = st.sampled_from(["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-WORK_OF_ART", "I-WORK_OF_ART"])


@st.composite
def paired_sequences(draw) -> tuple[list[list[str]], list[list[str]]]:
    lengths = draw(st.lists(st.integers(0, 12), min_size=1, max_size=6))
    gold = [draw(st.lists(tag_alphabet, min_size=n, max_size=n)) for n in lengths]
    predicted = [draw(st.lists(tag_alphabet, min_size=n, max_size=n)) for n in lengths]
    return gold, predicted


@given(paired_sequences())
@settings(max_examples=150, deadline=None)
def test_seqeval_equals_span_sets_on_random_sequences(case: tuple[list[list[str]], list[list[str]]]) -> None:
    gold, predicted = case
    expected = span_set_scores(independent_entities(gold), independent_entities(predicted))
    assert_same_scores(seqeval_scores(gold, predicted), expected)


def as_entities(spans: set[Span]) -> set[tuple[int, str, int, int]]:
    return {(0, label, start, end) for start, end, label in spans}


def test_evaluate_view_equals_span_sets_from_document_offsets(gold: Document) -> None:
    # A different path: document spans compared directly, no tags, no sentences.
    rng = random.Random(7)
    predicted = [s for s in gold.spans if rng.random() > 0.2]
    predicted = [Span(s.start, s.end, rng.choice(["ORG", "GPE", s.label])) for s in predicted]
    predictions = Predictions("p", "documents", {gold.id: tuple(predicted)}, None)
    for view in VIEWS.values():
        result = evaluate_view([gold], predictions, view, Resampling(samples=10))
        gold_set = set(gold_spans(gold, view))
        predicted_set = set(keep_by_convention(predicted, view.mapping, view.convention))
        assert_same_scores(result.scores, span_set_scores(as_entities(gold_set), as_entities(predicted_set)))
        assert result.scorer.startswith("exact span-set" if view.convention == "nested" else "seqeval")


def test_nested_predictions_score_in_the_nested_view(gold: Document) -> None:
    every = tuple(m.span for m in gold.all_mentions)
    predictions = Predictions("p", "documents", {gold.id: every}, None)
    result = evaluate_view([gold], predictions, VIEWS["nested"], Resampling(samples=10))
    assert result.scores.micro == Counts(242, 242, 242)
    flat_only = Predictions("p", "documents", {gold.id: gold.spans}, None)
    assert evaluate_view([gold], flat_only, VIEWS["nested"], Resampling(samples=10)).scores.micro == Counts(202, 202, 242)
    # The outermost walk over the nested predictions is the coarse gold.
    assert evaluate_view([gold], predictions, VIEWS["coarse"], Resampling(samples=10)).scores.micro == Counts(130, 130, 130)


def test_results_are_plain_python_numbers(gold: Document) -> None:
    tags = gold_tags(gold, "coarse")
    scores = seqeval_scores(tags, perturb(tags, random.Random(1), ("PER", "LOC", "ORG")))
    for score in [scores.micro, *scores.per_label.values()]:
        for value in (score.precision, score.recall, score.f1):
            assert type(value) is float  # not a numpy float, which JSON would refuse
        for value in (score.gold, score.predicted, score.correct):
            assert type(value) is int
    assert all(type(value) is float for value in (scores.macro.precision, scores.macro.recall, scores.macro.f1))


def test_all_o_input_scores_zero_instead_of_raising() -> None:
    scores = seqeval_scores([["O", "O"], []], [["O", "O"], []])
    assert scores.micro == Counts(0, 0, 0) and scores.micro.f1 == 0.0
    assert scores.per_label == {} and scores.macro == Average(0.0, 0.0, 0.0)
    only_gold = seqeval_scores([["B-PER"]], [["O"]])
    assert only_gold.micro == Counts(0, 0, 1) and only_gold.micro.f1 == 0.0
    only_predicted = seqeval_scores([["O"]], [["B-PER"]])
    assert only_predicted.micro == Counts(0, 1, 0) and only_predicted.micro.precision == 0.0


def test_macro_averages_over_labels_in_gold_or_predictions() -> None:
    scores = seqeval_scores([["B-PER", "O"]], [["B-PER", "B-ORG"]])
    assert scores.per_label["ORG"] == Counts(0, 1, 0)
    assert scores.macro.f1 == 0.5 and scores.micro.f1 == pytest.approx(2 / 3)


def test_bad_input_is_reported_not_passed_to_seqeval() -> None:
    with pytest.raises(ValueError, match="1 gold sequences but 2 predicted"):
        seqeval_scores([["O"]], [["O"], ["O"]])
    with pytest.raises(ValueError, match="sequence 0: 2 gold tags but 1 predicted"):
        seqeval_scores([["O", "O"]], [["O"]])
    with pytest.raises(TagSequenceError) as caught:
        seqeval_scores([["O", "O"]], [["O", "X-PER"]])
    assert (caught.value.sentence, caught.value.position) == (0, 1)


def test_counts_conventions() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (0.0, 0.0, 0.0)
    assert Counts(3, 4, 6).f1 == pytest.approx(2 * 3 / (4 + 6))
    assert Counts(1, 2, 3) + Counts(2, 2, 2) == Counts(3, 4, 5)
    with pytest.raises(ValueError, match="inconsistent counts"):
        Counts(3, 2, 5)


# --- parity with seqeval's classification_report, the reference the scorer no longer imports ----


def assert_equals_classification_report(gold: list[list[str]], predicted: list[list[str]]) -> None:
    """Our scores equal every row of seqeval's strict IOB2 report (micro, per label, macro)."""
    import warnings

    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    scores = seqeval_scores(gold, predicted)
    if not scores.per_label:  # seqeval's report raises on input without any entity
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = classification_report(gold, predicted, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    rows = {"micro avg": scores.micro, **scores.per_label}
    assert set(report) - {"micro avg", "macro avg", "weighted avg"} == set(scores.per_label)
    for name, counts in rows.items():
        row = report[name]
        assert (row["precision"], row["recall"], row["f1-score"], row["support"]) == pytest.approx(
            (counts.precision, counts.recall, counts.f1, counts.gold), abs=1e-12), name
    macro = report["macro avg"]
    assert (macro["precision"], macro["recall"], macro["f1-score"]) == pytest.approx(
        (scores.macro.precision, scores.macro.recall, scores.macro.f1), abs=1e-12)


@given(paired_sequences())
@settings(max_examples=300, deadline=None)
def test_scores_equal_seqeval_classification_report_on_random_sequences(
        case: tuple[list[list[str]], list[list[str]]]) -> None:
    assert_equals_classification_report(*case)


@pytest.mark.parametrize("view", TAGGED_VIEWS)
@pytest.mark.parametrize("seed", range(6))
def test_scores_equal_seqeval_classification_report_on_the_article(gold: Document, view: str, seed: int) -> None:
    gold_sequences = gold_tags(gold, view)
    predicted = perturb(gold_sequences, random.Random(seed), VIEWS[view].labels + ("MISC",))
    assert_equals_classification_report(gold_sequences, predicted)
    assert_equals_classification_report(gold_sequences, gold_sequences)


@pytest.mark.parametrize("seed", range(4))
def test_the_span_set_scorer_that_stands_in_at_scale_equals_seqeval(gold: Document, seed: int,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The at-scale path scores span-derived tags from the spans themselves: for every view
    # without overlaps it must give exactly what seqeval gives on the same spans' IOB2 tags.
    import zhnerbench.eval.evaluation as evaluation

    rng = random.Random(seed)
    predicted = [Span(s.start, s.end - (rng.random() < 0.2 and s.end - s.start > 1), rng.choice(["ORG", "GPE", s.label]))
                 for s in gold.spans if rng.random() > 0.15]
    predictions = Predictions("p", "documents", {gold.id: tuple(predicted)}, None)
    for view in (VIEWS[name] for name in TAGGED_VIEWS):
        by_seqeval = evaluate_view([gold], predictions, view, Resampling(samples=10))
        monkeypatch.setattr(evaluation, "SEQEVAL_MAX_CHARACTERS", 0)
        at_scale = evaluate_view([gold], predictions, view, Resampling(samples=10))
        monkeypatch.undo()
        assert by_seqeval.scorer == evaluation.SEQEVAL and at_scale.scorer == evaluation.SPAN_SET_AT_SCALE
        assert_same_scores(at_scale.scores, by_seqeval.scores)
        assert at_scale.intervals == by_seqeval.intervals and at_scale.analysis == by_seqeval.analysis
        assert at_scale.partial == {} and at_scale.partial_summary == evaluation.PARTIAL_SKIPPED


def test_scoring_never_imports_scikit_learn() -> None:
    import subprocess
    import sys

    code = ("import sys; from zhnerbench.cli import main; main(['evaluate', 'results/predictions/jieba-posseg.jsonl']); "
            "sys.stdout.flush(); print('sklearn' in sys.modules, 'seqeval.metrics' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.split()[-2:] == ["False", "False"], done.stderr
