"""The adapters for models users bring (hf:, spacy:, gliner:, stanza:, ltp:), on artefacts the tests make:
a tiny randomly initialised BERT saved with ``save_pretrained``, and a small spaCy pipeline."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from zhnerbench.baselines.base import BaselineUnavailable
from zhnerbench.baselines.specs import create_system
from zhnerbench.cli import main
from zhnerbench.board.records import read_records
from zhnerbench.document import Document, Span
from zhnerbench.tag_schemes import decode_native

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
WINDOW = 64  # the tiny model's positions: the article's long lines need several windows


def save_tiny_bert(folder: Path, text: str, person: str | None) -> Path:
    """A tiny BERT over ``text``'s characters, saved with ``save_pretrained``, whose answers are known:
    with ``person`` None, B-PER for every token (1 layer, the classifier's bias decides);
    with a two-character ``person``, no layer and only those characters' embeddings non-zero:
    B-PER for the first, I-PER for the second and O for every other character."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted({c for c in text if not c.isspace()})
    (folder / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    # transformers 5 names the vocabulary file `vocab`, 4.x `vocab_file`.
    vocab_argument = "vocab" if "vocab" in inspect.signature(transformers.BertTokenizerFast.__init__).parameters \
        else "vocab_file"
    tokenizer = transformers.BertTokenizerFast(**{vocab_argument: str(folder / "vocab.txt")}, do_lower_case=False,
                                               model_max_length=WINDOW)
    assert tokenizer(text[:20], add_special_tokens=False)["input_ids"].count(vocabulary.index("[UNK]")) == 0
    config = transformers.BertConfig(vocab_size=len(vocabulary), hidden_size=16, num_attention_heads=2,
                                     num_hidden_layers=1 if person is None else 0, intermediate_size=32,
                                     max_position_embeddings=WINDOW,
                                     id2label=dict(enumerate(TAGS)), label2id={t: i for i, t in enumerate(TAGS)})
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        if person is None:
            model.classifier.bias.copy_(torch.tensor([0.0, 5.0, 0, 0, 0, 0, 0]))
        else:
            embeddings = model.bert.embeddings
            for table in (embeddings.word_embeddings, embeddings.position_embeddings, embeddings.token_type_embeddings):
                table.weight.zero_()
            # After the embeddings' LayerNorm, dimension d of a one-hot 10·e_d is about 3.9: above O's bias of 1.
            for dimension, (character, tag) in enumerate(zip(person, ("B-PER", "I-PER"), strict=True)):
                embeddings.word_embeddings.weight[vocabulary.index(character), dimension] = 10.0
                model.classifier.weight[TAGS.index(tag), dimension] = 1.0
            model.classifier.bias.copy_(torch.tensor([1.0, 0, 0, 0, 0, 0, 0]))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory, gold: Document) -> Path:
    return save_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), gold.text, None)


@pytest.fixture(scope="module")
def zhang_bert(tmp_path_factory: pytest.TempPathFactory, gold: Document) -> Path:
    return save_tiny_bert(tmp_path_factory.mktemp("zhang-bert"), gold.text, "张为")


def _covered(spans: list[Span]) -> list[int]:
    return sorted(i for span in spans for i in range(span.start, span.end))


def test_hf_windows_cover_every_token_at_its_document_offsets(tiny_bert: Path, gold: Document) -> None:
    tagger = create_system(f"hf:{tiny_bert}", batch_size=3)
    tagger.load()
    assert tagger.label_map == {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"} and tagger.views == ("coarse",)
    spans = tagger.predict(gold.text)
    assert {span.label for span in spans} == {"PERSON"}
    assert _covered(spans) == [i for i, c in enumerate(gold.text) if not c.isspace()]
    longest_sentence = max(sentence.end - sentence.start for sentence in gold.sentences)
    assert longest_sentence > 3 * WINDOW  # so the windows and the stride were exercised


def test_hf_label_map_file_replaces_the_presets(tiny_bert: Path, tmp_path: Path, gold: Document) -> None:
    mapping = tmp_path / "labels.json"
    mapping.write_text(json.dumps({"PER": "TITLE", "ORG": "ORG"}), encoding="utf-8")
    tagger = create_system(f"hf:{tiny_bert}", label_map=str(mapping))
    tagger.load()
    assert {span.label for span in tagger.predict("张为出席")} == {"TITLE"} and tagger.views == ("full",)
    mapping.write_text(json.dumps({"PER": "PEOPLE"}), encoding="utf-8")
    with pytest.raises(Exception, match="not a schema label"):
        create_system(f"hf:{tiny_bert}", label_map=str(mapping))


def test_hf_on_the_board_and_an_absent_model_listed_as_unavailable(zhang_bert: Path, tmp_path: Path,
                                                                   gold: Document) -> None:
    pytest.importorskip("matplotlib")
    board = tmp_path / "board"
    assert main(["leaderboard", "--system", f"hf:{zhang_bert},hf:{tmp_path / 'absent'}", "--output", str(board),
                 "--start-empty", "--samples", "20"]) == 0
    records = read_records(board)
    ran = records[f"hf-{zhang_bert.parent.name}-{zhang_bert.name}"]
    assert ran["status"] == "ran" and ran["system"]["label_map"] == {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
    tags = ["B-PER" if c == "张" else "I-PER" if c == "为" else "O" for c in gold.text]
    assert ran["scores"]["coarse"]["micro"]["predicted"] == len(decode_native(tags))
    assert ran["scores"]["coarse"]["micro"]["correct"] == gold.text.count("张为") >= 3
    absent = records[f"hf-{tmp_path.name}-absent"]
    assert absent["status"] == "unavailable" and "cannot be loaded here" in absent["reason"]


PATTERNS = [("张为", "PERSON"), ("上海市", "GPE"), ("中国工程院", "ORG")]


def save_spacy_pipeline(folder: Path) -> Path:
    """A blank Chinese pipeline whose ``ner`` component is an entity ruler with three patterns."""
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": label, "pattern": text} for text, label in PATTERNS])
    nlp.to_disk(folder)
    return folder


@pytest.fixture(scope="module")
def spacy_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_spacy_pipeline(tmp_path_factory.mktemp("spacy") / "pipeline")


def test_spacy_loads_a_pipeline_directory(spacy_pipeline: Path, gold: Document) -> None:
    tagger = create_system(f"spacy:{spacy_pipeline}")
    tagger.load()
    assert tagger.views == ("coarse",) and set(tagger.label_map) == {"PERSON", "GPE", "ORG"}
    expected = sorted(Span(m.start(), m.end(), label) for text, label in PATTERNS for m in re.finditer(text, gold.text))
    assert sorted(tagger.predict(gold.text)) == expected


def test_spacy_tag_writes_documents_format(spacy_pipeline: Path, tmp_path: Path, gold: Document) -> None:
    out = tmp_path / "pred.jsonl"
    assert main(["tag", f"spacy:{spacy_pipeline}", str(out), "--counterfactual", "0"]) == 0
    mentions = json.loads(out.read_text(encoding="utf-8"))["mentions"]
    assert {(m["text"], m["label"]) for m in mentions} == set(PATTERNS)
    assert main(["evaluate", str(out), "--view", "coarse", "--samples", "20"]) == 0


@pytest.mark.parametrize("spec, needs", [
    ("stanza:zh", "stanza.download('zh')"),
    ("ltp:LTP/small", "ltp"),
    ("gliner:urchade/gliner_multi-v2.1", "zhnerbench[gliner]"),
    ("spacy:zh_core_web_sm", "python -m spacy download zh_core_web_sm"),
])
def test_a_model_that_is_not_here_says_how_to_get_it(spec: str, needs: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # never wait on the network in a test
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path))
    tagger = create_system(spec)
    with pytest.raises(BaselineUnavailable, match=re.escape(needs)) as raised:
        tagger.load()
    assert "\n" not in str(raised.value)


def test_ltp_entities_become_character_spans() -> None:
    from zhnerbench.baselines.ltp_ner import ltp_spans

    words = ["市委", "书记", "程向民", "在", "松江区", "出席"]
    assert ltp_spans("市委书记程向民在松江区出席", words, [("Nh", 2, 2), ("Ns", 4, 4), ("Ni", 9, 9)],
                     {"Nh": "PERSON", "Ns": "GPE"}, offset=100) == [Span(104, 107, "PERSON"), Span(108, 111, "GPE")]


def test_gliner_asks_for_every_schema_label() -> None:
    from zhnerbench.baselines.gliner_zero_shot import LABEL_DESCRIPTIONS
    from zhnerbench.schema import ENTITY_LABELS

    assert set(LABEL_DESCRIPTIONS) == set(ENTITY_LABELS)
    assert len(set(LABEL_DESCRIPTIONS.values())) == len(ENTITY_LABELS)
