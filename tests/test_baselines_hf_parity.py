"""``hf:`` agrees with transformers' own token-classification pipeline, span for span.

A tiny randomly initialised BERT (saved by the test over the article's characters) tags every
sentence of the article through the adapter, exactly as the leaderboard runs it (the gold's
sentences as units), and through ``transformers.pipeline("token-classification",
aggregation_strategy="simple")`` run on each sentence's text. The two decode invalid tag
sequences by the same rule: the pipeline's "simple" grouping starts a new entity at every
``B-`` and wherever the type changes, and continues one over ``I-`` of the same type, which is
the lenient reading of :func:`zhnerbench.tag_schemes.decode_native` (an ``I-X`` after ``O`` starts
an entity). A random model produces many such sequences, so that rule is exercised.

For a sentence longer than the model's window, the pipeline's ``stride`` mode resolves
overlapping windows at the entity level (it keeps the best-scoring entity of overlapping ones),
while the adapter gives each token the prediction of the window in which it has the most
context. Under that one rule, stated in the adapter's module doc, the reference is the
pipeline run (``aggregation_strategy="none"``) on each window's own text and grouped by the
pipeline's own ``group_entities``.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from zhnerbench.baselines.base import predict_document
from zhnerbench.baselines.specs import create_system
from zhnerbench.document import Document, Span

TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
TO_SCHEMA = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}  # the msra preset the adapter chooses
#: A window much shorter than the longest sentence (216 characters), for the windowed check.
SHORT_WINDOW, STRIDE = 24, 8


@pytest.fixture(scope="module")
def random_bert(tmp_path_factory: pytest.TempPathFactory, gold: Document) -> Path:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    folder = tmp_path_factory.mktemp("random-bert")
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted({c for c in gold.text if not c.isspace()})
    (folder / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    vocab_argument = "vocab" if "vocab" in inspect.signature(transformers.BertTokenizerFast.__init__).parameters \
        else "vocab_file"
    tokenizer = transformers.BertTokenizerFast(**{vocab_argument: str(folder / "vocab.txt")}, do_lower_case=False)
    config = transformers.BertConfig(vocab_size=len(vocabulary), hidden_size=32, num_attention_heads=2,
                                     num_hidden_layers=2, intermediate_size=64, max_position_embeddings=512,
                                     id2label=dict(enumerate(TAGS)), label2id={t: i for i, t in enumerate(TAGS)})
    torch.manual_seed(3)
    transformers.BertForTokenClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _pipeline(folder: Path, aggregation: str) -> Any:
    from transformers import pipeline

    return pipeline("token-classification", model=str(folder), tokenizer=str(folder),
                    aggregation_strategy=aggregation, device="cpu")


def _grouped(pipe: Any, tokens: list[dict[str, Any]], offset: int) -> set[Span]:
    """The pipeline's own "simple" grouping of token predictions, as document spans."""
    return {Span(offset + group["start"], offset + group["end"], TO_SCHEMA[group["entity_group"]])
            for group in pipe.group_entities(tokens) if group["entity_group"] != "O"}


def test_hf_spans_equal_the_pipelines_on_every_sentence_of_the_article(random_bert: Path, gold: Document) -> None:
    tagger = create_system(f"hf:{random_bert}", normalize_punctuation=False)
    tagger.load()
    ours = predict_document(tagger, gold)
    simple = _pipeline(random_bert, "simple")
    theirs: list[Span] = []
    for sentence in gold.sentences:
        text = gold.text[sentence.start:sentence.end]
        if text.strip():
            theirs += [Span(sentence.start + group["start"], sentence.start + group["end"],
                            TO_SCHEMA[group["entity_group"]]) for group in simple(text)]
    assert len(theirs) > 500 and {span.label for span in theirs} == {"PERSON", "ORG", "GPE"}
    assert sorted(ours) == sorted(theirs), f"{len(set(ours) ^ set(theirs))} differing spans"
    # A bare text is cut by the project's splitter into the same sentences.
    assert sorted(tagger.predict(gold.text)) == sorted(ours)


def test_hf_windows_of_a_long_sentence_equal_the_pipeline_on_each_window(random_bert: Path, gold: Document) -> None:
    longest = max(gold.sentences, key=lambda sentence: sentence.end - sentence.start)
    text = gold.text[longest.start:longest.end]
    assert len(text) > 4 * SHORT_WINDOW
    tagger = create_system(f"hf:{random_bert}", normalize_punctuation=False, max_length=SHORT_WINDOW, stride=STRIDE)
    tagger.load()
    ours = tagger.predict_sentences(gold.text, [(longest.start, longest.end)])  # type: ignore[attr-defined]
    # The same windows the tokenizer makes for the adapter, each run through the pipeline on its own text.
    tokenizer = _pipeline(random_bert, "none").tokenizer
    windows = tokenizer(text, truncation=True, max_length=SHORT_WINDOW, stride=STRIDE, return_overflowing_tokens=True,
                        return_offsets_mapping=True, return_special_tokens_mask=True)
    assert len(windows["input_ids"]) > 4
    none = _pipeline(random_bert, "none")
    best: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}
    for offsets, special in zip(windows["offset_mapping"], windows["special_tokens_mask"], strict=True):
        characters = [tuple(pair) for pair, is_special in zip(offsets, special, strict=True) if not is_special]
        first, last = characters[0][0], characters[-1][1]
        tokens = none(text[first:last], ignore_labels=[])
        assert [(first + t["start"], first + t["end"]) for t in tokens] == characters
        for position, token in enumerate(tokens):
            context = min(position, len(tokens) - 1 - position)
            where = (first + token["start"], first + token["end"])
            if where not in best or context > best[where][0]:
                best[where] = (context, {**token, "start": where[0], "end": where[1]})
    theirs = _grouped(none, [best[where][1] for where in sorted(best)], longest.start)
    assert theirs and sorted(ours) == sorted(theirs), f"{len(set(ours) ^ theirs)} differing spans"
