"""The core conversions: spans <-> IOB2 / IOBES / BMES (strict and lenient), document <-> sentence
offsets, word tokens -> characters; checked against seqeval where seqeval has the same notion."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.scheme import IOB2, IOBES, Entities

from zhnerbench.gold.article import document_from_text
from zhnerbench.exceptions import AlignmentError, SpanError, TagSequenceError
from zhnerbench.document import Span
from zhnerbench.offsets import (
    align_tokens,
    sentence_index_of,
    spans_by_sentence,
    to_document_offsets,
    to_sentence_offsets,
    token_offsets,
    token_spans_to_char_spans,
)
from zhnerbench.tag_schemes import (
    SCHEMES,
    decode_lenient,
    decode_native,
    document_spans_from_tags,
    document_tags,
    scheme_named,
    sentence_id,
    spans_to_tags,
    split_tag,
    tags_to_spans,
)

BMES, IOBES_SCHEME = SCHEMES["BMES"], SCHEMES["IOBES"]

LABELS = ("PER", "ORG", "WORK_OF_ART")
# Line 0 has a space, like the gold's title sentence; line 1 has two sentences.
TEXT = "上海 大会 2022年07月22日\n张为出席。钟志华院士讲话。"


@st.composite
def spans_in(draw, length_max: int = 30) -> tuple[int, list[Span]]:
    """A sequence length and non-overlapping spans over it."""
    length = draw(st.integers(0, length_max))
    cuts = sorted(set(draw(st.lists(st.integers(0, length), max_size=12))))
    spans = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        if start < end:
            spans.append(Span(start, end, draw(st.sampled_from(LABELS))))
    return length, spans


iob2_tags = st.lists(st.sampled_from(["O"] + [f"{p}-{label}" for label in LABELS for p in "BI"]), max_size=25)
iobes_tags = st.lists(st.sampled_from(["O"] + [f"{p}-{label}" for label in LABELS[:2] for p in "BIES"]), max_size=25)


@given(spans_in())
def test_iob2_round_trip(case: tuple[int, list[Span]]) -> None:
    length, spans = case
    tags = spans_to_tags(spans, length)
    assert len(tags) == length
    assert decode_lenient(tags, SCHEMES["IOB2"])[1] == []
    assert tags_to_spans(tags) == sorted(spans)


@given(spans_in())
def test_iobes_and_bmes_round_trip(case: tuple[int, list[Span]]) -> None:
    length, spans = case
    iobes = spans_to_tags(spans, length, IOBES_SCHEME)
    assert tags_to_spans(iobes, IOBES_SCHEME) == sorted(spans)
    bmes = spans_to_tags(spans, length, BMES)
    assert bmes == [f"M-{tag[2:]}" if tag.startswith("I-") else tag for tag in iobes]
    assert tags_to_spans(bmes, BMES) == sorted(spans)
    assert decode_native(bmes) == decode_native(iobes) == sorted(spans)


def test_lenient_iob2_reads_like_conlleval() -> None:
    # seqeval's default (non-strict) mode is its port of conlleval's chunking. Imported here, not
    # at the top: seqeval.metrics imports scikit-learn, a second and a half for every test worker.
    from seqeval.metrics.sequence_labeling import get_entities

    @given(iob2_tags)
    @settings(max_examples=300)
    def reads_alike(tags: list[str]) -> None:
        expected = sorted(Span(start, end + 1, label) for label, start, end in get_entities(list(tags)))
        assert tags_to_spans(tags, lenient=True) == expected

    reads_alike()


def _seqeval_strict(tags: list[str], scheme: type) -> list[Span]:
    return sorted(Span(start, end, label) for _, label, start, end in
                  (entity.to_tuple() for entity in Entities([list(tags)], scheme).entities[0]))


@given(iob2_tags)
@settings(max_examples=300)
def test_strict_iob2_rejects_exactly_the_invalid_sequences(tags: list[str]) -> None:
    spans, departures = decode_lenient(tags, SCHEMES["IOB2"])
    if departures:
        with pytest.raises(TagSequenceError) as caught:
            tags_to_spans(tags)
        assert caught.value.position == departures[0]
    else:
        assert tags_to_spans(tags) == spans == _seqeval_strict(tags, IOB2)


@given(iobes_tags)
@settings(max_examples=300)
def test_strict_iobes_accepts_what_seqeval_reads_whole(tags: list[str]) -> None:
    # seqeval's strict IOBES keeps the well-formed entities and ignores the rest; ours rejects the
    # sequence instead. Where ours accepts, both must find the same entities.
    try:
        spans = tags_to_spans(tags, IOBES_SCHEME)
    except TagSequenceError as error:
        assert error.position in decode_lenient(tags, IOBES_SCHEME)[1]
        return
    assert spans == _seqeval_strict(tags, IOBES) == decode_lenient(tags, IOBES_SCHEME)[0]
    assert decode_lenient(tags, IOBES_SCHEME)[1] == []


def test_invalid_iob2_reports_the_position_and_the_reason() -> None:
    with pytest.raises(TagSequenceError) as caught:
        tags_to_spans(["B-PER", "I-PER", "I-ORG", "O"])
    assert caught.value.position == 2
    assert str(caught.value) == "position 2: I-ORG follows I-PER (strict IOB2: an entity starts with B-)"
    with pytest.raises(TagSequenceError, match="position 0: I-PER follows the start of the sentence"):
        tags_to_spans(["I-PER"])


@pytest.mark.parametrize("tag", ["E-PER", "B-", "PER", "b-PER", "B_PER", ""])
def test_malformed_tags_are_reported(tag: str) -> None:
    with pytest.raises(TagSequenceError, match="malformed IOB2 tag"):
        tags_to_spans(["O", tag])
    with pytest.raises(TagSequenceError) as caught:
        tags_to_spans(["O", tag])
    assert caught.value.position == 1


@pytest.mark.parametrize(
    ("tags", "position"),
    [
        (["B-PER", "O"], 1),
        (["I-PER", "E-PER"], 0),
        (["B-PER", "E-ORG"], 1),
        (["B-PER", "I-PER"], 2),
        (["S-PER", "E-PER"], 1),
        (["B-PER", "S-PER"], 1),
    ],
)
def test_invalid_iobes_is_reported(tags: list[str], position: int) -> None:
    with pytest.raises(TagSequenceError) as caught:
        tags_to_spans(tags, IOBES_SCHEME)
    assert caught.value.position == position
    # The lenient reading keeps going, and says where it departed from the strict one.
    assert position in decode_lenient(tags, IOBES_SCHEME)[1]


def test_bmes_rejects_i_prefix() -> None:
    with pytest.raises(TagSequenceError, match="malformed BMES tag 'I-PER'"):
        tags_to_spans(["B-PER", "I-PER", "E-PER"], BMES)


def test_lenient_bmes_reads_a_broken_entity() -> None:
    assert decode_lenient(["M-ORG", "E-ORG", "O", "B-PER", "O"], BMES) == (
        [Span(0, 2, "ORG"), Span(3, 4, "PER")], [0, 4])


def test_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(Exception, match="unknown tag scheme 'BIO' \\(known: IOB2, IOBES, BMES\\)"):
        scheme_named("BIO")


def test_split_tag_labels_may_contain_underscores() -> None:
    assert split_tag("I-WORK_OF_ART") == ("I", "WORK_OF_ART")
    assert split_tag("O") == ("O", None)


@pytest.mark.parametrize(
    "spans",
    [
        [Span(0, 3, "PER"), Span(2, 4, "ORG")],
        [Span(1, 1, "PER")],
        [Span(3, 1, "PER")],
        [Span(0, 9, "PER")],
        [Span(0, 2, "PER"), Span(0, 2, "PER")],
    ],
)
def test_spans_that_tags_cannot_represent_are_reported(spans: list[Span]) -> None:
    with pytest.raises(SpanError):
        spans_to_tags(spans, 5)
    with pytest.raises(SpanError):
        spans_to_tags(spans, 5, IOBES_SCHEME)


def test_sentence_ids_match_the_dataset_config() -> None:
    assert sentence_id("000_e491b11e84c79d89", 0) == "000_e491b11e84c79d89-000"
    assert sentence_id("000_e491b11e84c79d89", 63) == "000_e491b11e84c79d89-063"


# --- document level -----------------------------------------------------------------------------------


def test_document_spans_to_sentence_tags_and_back() -> None:
    document = document_from_text(TEXT)
    assert [document.sentence_text(i) for i in range(3)] == ["上海 大会 2022年07月22日", "张为出席。", "钟志华院士讲话。"]
    spans = [Span(0, 2, "GPE"), Span(3, 5, "EVENT"), Span(6, 17, "DATE"), Span(18, 20, "PERSON"),
             Span(23, 26, "PERSON"), Span(26, 28, "TITLE")]
    tags = document_tags(document, spans)
    assert tags[0][:6] == ["B-GPE", "I-GPE", "O", "B-EVENT", "I-EVENT", "O"]
    assert tags[1] == ["B-PERSON", "I-PERSON", "O", "O", "O"]
    assert document_spans_from_tags(document, tags) == sorted(spans)
    bmes = document_tags(document, spans, BMES)
    assert bmes[2][:5] == ["B-PERSON", "M-PERSON", "E-PERSON", "B-TITLE", "E-TITLE"]
    assert document_spans_from_tags(document, bmes, BMES) == sorted(spans)


def test_document_level_errors_name_the_sentence() -> None:
    document = document_from_text(TEXT)
    tags = document_tags(document, [])
    with pytest.raises(AlignmentError, match="2 tag sequences for the 3 sentences"):
        document_spans_from_tags(document, tags[:2])
    short = [tags[0], tags[1][:-1], tags[2]]
    with pytest.raises(AlignmentError) as caught:
        document_spans_from_tags(document, short)
    assert caught.value.sentence == 1 and str(caught.value) == "sentence 1: 4 tags for 5 characters"
    invalid = [tags[0], tags[1], ["O", "I-PERSON"] + tags[2][2:]]
    with pytest.raises(TagSequenceError) as invalid_caught:
        document_spans_from_tags(document, invalid)
    assert (invalid_caught.value.sentence, invalid_caught.value.position) == (2, 1)
    assert document_spans_from_tags(document, invalid, lenient=True) == [Span(24, 25, "PERSON")]


def test_spans_crossing_sentences_or_on_newlines_are_reported() -> None:
    document = document_from_text(TEXT)
    with pytest.raises(SpanError, match="not inside one sentence"):
        document_tags(document, [Span(20, 25, "PERSON")])
    with pytest.raises(SpanError, match="outside every sentence"):
        document_tags(document, [Span(17, 19, "PERSON")])


@given(st.data())
def test_sentence_offsets_round_trip(data: st.DataObject) -> None:
    document = document_from_text(TEXT)
    sentence = data.draw(st.sampled_from(document.sentences))
    start = data.draw(st.integers(sentence.start, sentence.end - 1))
    end = data.draw(st.integers(start + 1, sentence.end))
    span = Span(start, end, "ORG")
    index, local = to_sentence_offsets(document.sentences, span)
    assert index == sentence.index == sentence_index_of(document.sentences, span)
    assert document.sentence_text(index)[local.start:local.end] == document.text[start:end]
    assert to_document_offsets(sentence, local) == span
    assert spans_by_sentence(document.sentences, [span])[index] == [local]


def test_to_document_offsets_rejects_spans_outside_the_sentence() -> None:
    document = document_from_text(TEXT)
    with pytest.raises(SpanError):
        to_document_offsets(document.sentences[1], Span(3, 6, "ORG"))


# --- word-segmented taggers ----------------------------------------------------------------------------


def test_word_token_spans_become_character_spans() -> None:
    text = "市委常委、副市长张为 出席"
    tokens = ["市委", "常委", "、", "副市长", "张为", "出席"]  # the segmenter dropped the space
    offsets = token_offsets(tokens, text)
    assert offsets == [(0, 2), (2, 4), (4, 5), (5, 8), (8, 10), (11, 13)]
    char_spans = token_spans_to_char_spans([Span(0, 1, "ORG"), Span(3, 5, "PERSON")], offsets)
    assert char_spans == [Span(0, 2, "ORG"), Span(5, 10, "PERSON")]
    assert [text[s.start:s.end] for s in char_spans] == ["市委", "副市长张为"]


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (["市委", "常务"], "token '常务' does not match the text at character 2"),
        (["市委"], "the tokens end at character 2 but the text continues"),
        (["市委", "", "常委"], "empty token"),
        (["市委", "常委", "们"], "token '们' does not match the text at character 4 ('end of text')"),
    ],
)
def test_misaligned_tokens_are_reported(tokens: list[str], message: str) -> None:
    with pytest.raises(AlignmentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        token_offsets(tokens, "市委常委")


def test_lenient_alignment_reports_tokens_it_cannot_place() -> None:
    offsets, unmatched = align_tokens(["市委", "常务", "委员"], "市委常委委员")
    assert offsets == [(0, 2), None, (4, 6)] and unmatched == [1]


def test_token_spans_outside_the_tokens_are_reported() -> None:
    with pytest.raises(SpanError):
        token_spans_to_char_spans([Span(1, 3, "ORG")], [(0, 2), (2, 4)])
