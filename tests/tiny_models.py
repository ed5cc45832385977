"""Tiny models of the libraries behind gliner:, stanza: and ltp:, built here with each library's own
classes and trainers and saved in its own format, so that the adapters' prediction paths run for real
with no hub. Each is built once per test session, whichever xdist worker needs it first
(:func:`built_once`); their answers are random, which is what a parity test wants: many spans of
many labels, decided by the library's own code."""

from __future__ import annotations

import inspect
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from zhnerbench.document import Document, Span

#: The sentences of the article a tiny Stanza pipeline is trained on ("a handful").
STANZA_TRAINING_SENTENCES = range(1, 9)


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder built once per test session and shared by the xdist workers: the first to ask
    builds it under a lock, the others wait and reuse it (a failed build leaves no marker, so the
    next one tries again and fails the same way)."""
    base = factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / f"built-{name}"
    with FileLock(str(folder) + ".lock"):
        if not (folder / ".built").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


def save_character_tokenizer(folder: Path, text: str) -> int:
    """A BERT word-piece tokenizer whose vocabulary is the characters of ``text``, saved in ``folder``;
    returns the vocabulary's size."""
    transformers = pytest.importorskip("transformers")
    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted({c for c in text if not c.isspace()})
    (folder / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    # transformers 5 names the vocabulary file `vocab`, 4.x `vocab_file`.
    vocab_argument = "vocab" if "vocab" in inspect.signature(transformers.BertTokenizerFast.__init__).parameters \
        else "vocab_file"
    tokenizer = transformers.BertTokenizerFast(**{vocab_argument: str(folder / "vocab.txt")}, do_lower_case=False)
    tokenizer.save_pretrained(folder)
    return len(vocabulary)


def build_gliner(folder: Path, text: str, sentences: list[str]) -> None:
    """A GLiNER over a tiny random BERT, made with GLiNER's own ``GLiNERConfig``, ``from_config``
    and ``save_pretrained``; the model directory is ``folder/model``.

    Drawn as it comes, such a model scores every span near 0.5 for every type, and GLiNER's greedy
    decoding then wades through most of them. So the last layers of the span and type projections
    are drawn wide (their scores differ, many types win somewhere), and one dimension of both is
    made constant, which moves every score by the same amount: it is set so that, on ``sentences``
    read as the adapter reads them, :data:`GLINER_PASSING` of the span-type pairs pass 0.5 (a
    logit of 0)."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    gliner = pytest.importorskip("gliner")
    from zhnerbench.baselines.gliner_zero_shot import LABEL_DESCRIPTIONS, ChineseCharacterSplitter

    backbone = folder / "backbone"
    size = save_character_tokenizer(backbone, text)
    config = transformers.BertConfig(vocab_size=size, hidden_size=16, num_attention_heads=2, num_hidden_layers=1,
                                     intermediate_size=32, max_position_embeddings=512, initializer_range=1.0)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(backbone)
    model = gliner.GLiNER.from_config(gliner.GLiNERConfig(model_name=str(backbone), hidden_size=16, max_width=8,
                                                          dropout=0.0, num_rnn_layers=0),
                                      backbone_from_pretrained=False)
    spans, types = model.model.span_rep_layer.span_rep_layer.out_project[-1], model.model.prompt_rep_layer[-1]
    with torch.no_grad():
        for layer in (spans, types):
            layer.weight.normal_(0.0, 1.0)
            layer.weight[0].zero_()
            layer.bias[0] = 0.0
        spans.bias[0] = 1.0
        # GLiNER's own inference steps, up to the scores: the pipeline of predict_entities.
        model.data_processor.words_splitter = ChineseCharacterSplitter()
        prepared = model.prepare_batch(sentences, list(LABEL_DESCRIPTIONS.values()))
        scores = model.run_batch(model.collate_batch(prepared["input_x"], prepared["entity_types"])).logits
        types.bias[0] = -float(torch.quantile(scores[torch.isfinite(scores)].flatten(), 1 - GLINER_PASSING))
    model.save_pretrained(folder / "model")
    shutil.rmtree(backbone)  # the saved GLiNER holds the encoder's configuration (and its weights)


#: The share of span-type pairs the tiny GLiNER scores above 0.5.
GLINER_PASSING = 0.03


#: An LTP model's NER tags: BIOES over LTP's person, place and organisation types.
LTP_NER_TAGS = ["O"] + [f"{prefix}-{kind}" for kind in ("Nh", "Ni", "Ns") for prefix in "BIES"]


def ltp_configuration(vocabulary_size: int, hidden: int = 16) -> dict[str, object]:
    """The ``config.json`` of a neural LTP model (what ``ltp.LTP(path)`` instantiates): a tiny
    random BERT backbone, word segmentation over characters and NER over the words, as LTP's
    published models and its multi-task training configuration lay them out."""
    def target(name: str, **arguments: object) -> dict[str, object]:
        return {"_ltp_target_": name, **arguments}

    return {
        "nerual": True,  # sic: the key LTP reads
        "model": target(
            "ltp_core.models.ltp_model.LTPModule",
            backbone=target("ltp_core.models.utils.load_transformers", config={
                "model_type": "bert", "vocab_size": vocabulary_size, "hidden_size": hidden, "num_hidden_layers": 1,
                "num_attention_heads": 2, "intermediate_size": 2 * hidden, "max_position_embeddings": 512}),
            processor={"cws": target("ltp_core.models.processor.TokenOnly"),
                       "ner": target("ltp_core.models.processor.WordsOnly")},
            heads={"cws": target("ltp_core.models.components.token.MLPTokenClassifier", input_size=hidden,
                                 num_labels=2),
                   "ner": target("ltp_core.models.components.token.MLPTokenClassifier", input_size=hidden,
                                 num_labels=len(LTP_NER_TAGS))}),
        "vocabs": {"cws": ["I-W", "B-W"], "ner": LTP_NER_TAGS},
    }


def build_ltp(folder: Path, text: str) -> None:
    """An LTP model from a random configuration, saved in LTP's format: ``config.json``,
    ``pytorch_model.bin`` (the state of LTP's own ``LTPModule``) and the tokenizer's files."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("ltp")
    from ltp.nerual import LTP as NeuralLTP

    size = save_character_tokenizer(folder, text)
    configuration = ltp_configuration(size)
    torch.manual_seed(0)
    model = NeuralLTP(config=configuration)
    torch.save(model.model.state_dict(), folder / "pytorch_model.bin")
    (folder / "config.json").write_text(json.dumps(configuration, indent=2), encoding="utf-8")


def _stanza_characters(gold: Document, index: int) -> list[tuple[str, str]]:
    """A sentence of the article as Stanza training data: its characters as words, tagged BIOES by
    the gold mentions (flat layer)."""
    sentence = gold.sentence_text(index)
    tags = ["O"] * len(sentence)
    offset = gold.sentences[index].start
    for mention in gold.mentions:
        if offset <= mention.start and mention.end <= offset + len(sentence):
            first, last = mention.start - offset, mention.end - offset - 1
            tags[first:last + 1] = ([f"S-{mention.label}"] if first == last else
                                    [f"B-{mention.label}"] + [f"I-{mention.label}"] * (last - first - 1) + [f"E-{mention.label}"])
    return [(character, tag) for character, tag in zip(sentence, tags, strict=True) if not character.isspace()]


def _entity_heavy(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Training words with most of the ``O`` ones left out (one kept before each entity): a barely
    trained model then finds entities of several types, which is what a parity test needs."""
    return [word for k, word in enumerate(words)
            if word[1] != "O" or (k + 1 < len(words) and word[1] == "O" and words[k + 1][1][:1] in "BS")]


def build_stanza(folder: Path, gold: Document) -> None:
    """A Chinese Stanza pipeline trained by Stanza's own tokenizer and NER trainers on a handful of
    the article's sentences (a few steps each), with a tiny pretrain file, laid out as
    ``stanza.download("zh", model_dir=folder)`` lays out a model directory: ``resources.json`` and
    ``zh-hans/{tokenize,ner,pretrain}/tiny.pt``."""
    pytest.importorskip("stanza")
    import numpy as np
    from stanza.models import ner_tagger, tokenizer
    from stanza.models.common.pretrain import Pretrain

    work, models = folder / "work", folder / "zh-hans"
    work.mkdir()
    data = [_stanza_characters(gold, index) for index in STANZA_TRAINING_SENTENCES]
    # The tokenizer's data: the text, and per character 0 (inside a word), 1 (ends one), 2 (ends the sentence).
    (work / "tokenize.txt").write_text("\n\n".join("".join(w for w, _ in words) for words in data), encoding="utf-8")
    (work / "tokenize.labels").write_text("\n\n".join(
        "".join("0" * (len(w) - 1) + ("2" if k == len(words) - 1 else "1") for k, (w, _) in enumerate(words))
        for words in data), encoding="utf-8")
    (work / "mwt.json").write_text("[]", encoding="utf-8")  # no multi-word tokens in Chinese
    quiet = ["--dropout", "0", "--cpu", "--batch_size", "4", "--save_name", "tiny.pt"]
    tokenizer.main(["--txt_file", str(work / "tokenize.txt"), "--label_file", str(work / "tokenize.labels"),
                    "--dev_txt_file", str(work / "tokenize.txt"), "--dev_label_file", str(work / "tokenize.labels"),
                    "--mwt_json_file", str(work / "mwt.json"), "--no_use_mwt", "--lang", "zh-hans",
                    "--shorthand", "zh-hans_tiny", "--emb_dim", "8", "--hidden_dim", "8", "--steps", "30",
                    "--eval_steps", "30", "--lr0", "0.02", "--unit_dropout", "0", "--tok_noise", "0",
                    "--save_dir", str(models / "tokenize"), *quiet])
    vocabulary = sorted({w for words in data for w, _ in words})
    rng = np.random.default_rng(0)
    vectors = [f"{len(vocabulary)} 8"] + [" ".join([w, *(f"{x:.4f}" for x in rng.normal(size=8))]) for w in vocabulary]
    (work / "vectors.txt").write_text("\n".join(vectors) + "\n", encoding="utf-8")
    (models / "pretrain").mkdir(parents=True)
    Pretrain(str(models / "pretrain" / "tiny.pt"), str(work / "vectors.txt")).load()  # writes the .pt file
    (work / "ner.json").write_text(json.dumps([[{"text": w, "ner": tag} for w, tag in _entity_heavy(words)]
                                               for words in data], ensure_ascii=False), encoding="utf-8")
    ner_tagger.main(["--train_file", str(work / "ner.json"), "--eval_file", str(work / "ner.json"),
                     "--wordvec_pretrain_file", str(models / "pretrain" / "tiny.pt"), "--shorthand", "zh-hans_tiny",
                     "--hidden_dim", "8", "--char_hidden_dim", "8", "--word_emb_dim", "8", "--char_emb_dim", "8",
                     "--max_steps", "20", "--eval_interval", "20", "--lr", "0.5", "--word_dropout", "0",
                     "--save_dir", str(models / "ner"), *quiet])
    # What stanza.download writes: each processor's packages (with the NER's dependency on its
    # word vectors), the default ones, and `zh` as an alias of `zh-hans`.
    resources = {"zh": {"alias": "zh-hans"}, "zh-hans": {
        "lang_name": "Simplified_Chinese",
        "tokenize": {"tiny": {}}, "pretrain": {"tiny": {}},
        "ner": {"tiny": {"dependencies": [{"model": "pretrain", "package": "tiny"}]}},
        "default_processors": {"tokenize": "tiny", "ner": "tiny"},
        "packages": {"default": {"tokenize": "tiny", "ner": "tiny"}},
    }}
    (folder / "resources.json").write_text(json.dumps(resources, indent=2), encoding="utf-8")
    shutil.rmtree(work)



def file_spans(path: Path) -> list[Span]:
    """The article's mentions in a ``documents`` prediction file, sorted."""
    article = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    return sorted(Span(m["start"], m["end"], m["label"]) for m in article["mentions"])


def tag_article(spec: str, folder: Path) -> list[Span]:
    """``zhnerbench tag SPEC`` on the article (no counterfactual copies): the spans it wrote."""
    from zhnerbench.cli import main

    predictions = folder / "pred.jsonl"
    assert main(["tag", spec, str(predictions), "--counterfactual", "0"]) == 0
    return file_spans(predictions)


def run_on_private_board(spec: str, name: str, folder: Path) -> tuple[Any, list[Span]]:
    """``zhnerbench leaderboard --system SPEC --output DIR`` on a board of its own: the system's record
    and the article's spans in its prediction file."""
    pytest.importorskip("matplotlib")
    from zhnerbench.cli import main
    from zhnerbench.board.records import read_records

    board = folder / "board"
    assert main(["leaderboard", "--system", spec, "--output", str(board), "--start-empty", "--samples", "20",
                 "--counterfactual", "0"]) == 0
    record = read_records(board)[name]
    assert record["status"] == "ran" and record["system"]["spec"] == spec, record
    return record, file_spans(board / "predictions" / f"{name}.jsonl")


def assert_runs_like_the_library(spec: str, name: str, reference: list[Span], folder: Path) -> Any:
    """``zhnerbench tag SPEC`` and ``leaderboard --system SPEC`` (on a private board in ``folder``)
    both predict exactly ``reference``, the library's own spans, which are many: the record."""
    theirs = sorted(reference)
    assert len(theirs) > 200, "the tiny model should say much"
    ours = tag_article(spec, folder)
    assert ours == theirs, f"tag: {len(set(ours) ^ set(theirs))} differing spans"
    record, on_board = run_on_private_board(spec, name, folder)
    assert on_board == theirs, f"leaderboard: {len(set(on_board) ^ set(theirs))} differing spans"
    return record
