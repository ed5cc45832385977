"""NER scores: seqeval (strict, IOB2) equals an independent span-set computation.

The independent side decodes tags with its own few lines (an entity is a B-X
followed by I-X tokens; any other I-X belongs to no entity, as in seqeval's
strict mode) and counts set intersections, without seqeval.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhnerbench.eval.evaluation import evaluate_view
from zhnerbench.eval.exceptions import TagSequenceError
from zhnerbench.eval.ner import NerScores, Score, score_from_counts, seqeval_scores, span_set_scores
from zhnerbench.eval.offsets import spans_by_sentence
from zhnerbench.eval.readers import Predictions
from zhnerbench.eval.tags import spans_to_iob2
from zhnerbench.eval.views import VIEWS, project_spans
from zhnerbench.model import Document, Span




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
    def same(a: Score, b: Score) -> None:
        assert (a.support, a.predicted, a.correct) == (b.support, b.predicted, b.correct)
        assert (a.precision, a.recall, a.f1) == pytest.approx((b.precision, b.recall, b.f1), abs=1e-12)

    same(actual.micro, expected.micro)
    same(actual.macro, expected.macro)
    assert list(actual.per_label) == list(expected.per_label)
    for label in expected.per_label:
        same(actual.per_label[label], expected.per_label[label])


def gold_tags(document: Document, view: str, spans: list[Span] | None = None) -> list[list[str]]:
    projected = project_spans(document.spans if spans is None else spans, VIEWS[view])
    groups = spans_by_sentence(document.sentences, projected)
    return [spans_to_iob2(g, s.end - s.start) for g, s in zip(groups, document.sentences)]


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


@pytest.mark.parametrize("view", list(VIEWS))
def test_gold_against_itself(gold: Document, view: str) -> None:
    tags = gold_tags(gold, view)
    scores = seqeval_scores(tags, tags)
    expected_support = len(project_spans(gold.spans, VIEWS[view]))
    assert scores.micro == Score(1.0, 1.0, 1.0, expected_support, expected_support, expected_support)
    assert {202: "full", 174: "ontonotes", 118: "coarse"}[expected_support] == view
    assert_same_scores(scores, span_set_scores(independent_entities(tags), independent_entities(tags)))


@pytest.mark.parametrize("view", list(VIEWS))
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


def test_evaluate_view_equals_span_sets_from_document_offsets(gold: Document) -> None:
    # A different path: document spans compared directly, no tags, no sentences.
    rng = random.Random(7)
    predicted = [s for s in gold.spans if rng.random() > 0.2]
    predicted = [Span(s.start, s.end, rng.choice(["ORG", "GPE", s.label])) for s in predicted]
    predictions = Predictions("p", "documents", {gold.id: tuple(predicted)}, None)
    for name, view in VIEWS.items():
        result = evaluate_view([gold], predictions, view, samples=10)
        gold_set = {(s.start, s.end, s.label) for s in project_spans(gold.spans, view)}
        predicted_set = {(s.start, s.end, s.label) for s in project_spans(predicted, view)}
        as_entities = lambda spans: {(0, label, start, end) for start, end, label in spans}  # noqa: E731
        assert_same_scores(result.scores, span_set_scores(as_entities(gold_set), as_entities(predicted_set)))


def test_results_are_plain_python_numbers(gold: Document) -> None:
    tags = gold_tags(gold, "coarse")
    scores = seqeval_scores(tags, perturb(tags, random.Random(1), ("PER", "LOC", "ORG")))
    for score in [scores.micro, scores.macro, *scores.per_label.values()]:
        for value in (score.precision, score.recall, score.f1):
            assert type(value) is float and not isinstance(value, np.floating)
        for value in (score.support, score.predicted, score.correct):
            assert type(value) is int


def test_all_o_input_scores_zero_instead_of_raising() -> None:
    scores = seqeval_scores([["O", "O"], []], [["O", "O"], []])
    assert scores.micro == Score(0.0, 0.0, 0.0, 0, 0, 0)
    assert scores.per_label == {}
    only_gold = seqeval_scores([["B-PER"]], [["O"]])
    assert only_gold.micro == Score(0.0, 0.0, 0.0, 1, 0, 0)
    only_predicted = seqeval_scores([["O"]], [["B-PER"]])
    assert only_predicted.micro == Score(0.0, 0.0, 0.0, 0, 1, 0)


def test_macro_averages_over_labels_in_gold_or_predictions() -> None:
    scores = seqeval_scores([["B-PER", "O"]], [["B-PER", "B-ORG"]])
    assert scores.per_label["ORG"] == Score(0.0, 0.0, 0.0, 0, 1, 0)
    assert scores.macro.f1 == 0.5 and scores.micro.f1 == pytest.approx(2 / 3)


def test_bad_input_is_reported_not_passed_to_seqeval() -> None:
    with pytest.raises(ValueError, match="1 gold sentences but 2 predicted"):
        seqeval_scores([["O"]], [["O"], ["O"]])
    with pytest.raises(ValueError, match="sentence 0: 2 gold tags but 1 predicted"):
        seqeval_scores([["O", "O"]], [["O"]])
    with pytest.raises(TagSequenceError) as caught:
        seqeval_scores([["O", "O"]], [["O", "X-PER"]])
    assert (caught.value.sentence, caught.value.position) == (0, 1)


def test_score_from_counts_conventions() -> None:
    assert score_from_counts(0, 0, 0) == Score(0.0, 0.0, 0.0, 0, 0, 0)
    assert score_from_counts(3, 4, 6).f1 == pytest.approx(2 * 3 / (4 + 6))
