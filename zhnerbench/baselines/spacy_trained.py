"""spaCy: a blank ``zh`` pipeline (character tokens) with an ``ner`` component trained here on MSRA NER.

Training is ``spacy train`` itself (``spacy.cli.train.train``) on a config generated
by ``spacy init config --lang zh --pipeline ner --optimize efficiency`` (CPU,
hash-embedding CNN tok2vec), with the epoch count and evaluation frequency bounded
so that it fits the leaderboard's budget. The ``.spacy`` training files, the config
and the model live in the model's cache directory, never in the repository.

Label map: ``PER -> PERSON``, ``LOC -> GPE``, ``ORG -> ORG`` (as for the other
MSRA-trained baselines); scored in the coarse view.
"""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from zhnerbench.baselines.base import BaselineUnavailable, require_module
from zhnerbench.baselines.msra import TaggedSentence
from zhnerbench.baselines.training import MsraTrainedTagger, Progress
from zhnerbench.model import Span
from zhnerbench.schemes import decode_native

REQUIRES = "pip install 'zhnerbench[spacy]'"


def training_config(epochs: int, eval_frequency: int, seed: int, batch_words: int) -> Any:
    """The generated CPU/efficiency NER config for blank Chinese, bounded for the budget."""
    from spacy.cli.init_config import init_config

    config = init_config(lang="zh", pipeline=["ner"], optimize="efficiency", gpu=False, silent=True)
    config["nlp"]["tokenizer"]["segmenter"] = "char"  # one token per MSRA character
    config["training"]["max_epochs"] = epochs
    config["training"]["max_steps"] = 0
    config["training"]["eval_frequency"] = eval_frequency
    config["training"]["patience"] = 0
    config["training"]["seed"] = seed
    batcher = config["training"]["batcher"]
    if "size" in batcher and isinstance(batcher["size"], dict):
        batcher["size"]["stop"] = batch_words
    return config


def write_docbin(sentences: Sequence[TaggedSentence], path: Path) -> None:
    """MSRA sentences as a ``.spacy`` file: one character per token, entities from the tags."""
    import spacy
    from spacy.tokens import Doc, DocBin, Span as SpacySpan

    vocab = spacy.blank("zh").vocab
    docbin = DocBin()
    for sentence in sentences:
        doc = Doc(vocab, words=list(sentence.chars), spaces=[False] * len(sentence.chars))
        doc.ents = [SpacySpan(doc, c.start, c.end, label=c.label) for c in decode_native(sentence.tags)]
        docbin.add(doc)
    docbin.to_disk(path)


class SpacyMsraTagger(MsraTrainedTagger):
    """spaCy NER trained on a bounded MSRA subset, cached."""

    name = "spacy-blank-zh-msra"
    requires = REQUIRES
    library = "spacy"

    model_defaults: ClassVar[Mapping[str, Any]] = {"eval_frequency": 400, "batch_words": 1000}

    def _check(self) -> None:
        require_module("spacy", REQUIRES)

    def _fit(self, train: Sequence[TaggedSentence], dev: Sequence[TaggedSentence], directory: Path,
             progress: Progress) -> None:
        from spacy.cli.train import train as spacy_train

        write_docbin(train, directory / "train.spacy")
        write_docbin(dev, directory / "dev.spacy")
        config = training_config(
            self.settings.epochs, self.model_settings["eval_frequency"], self.settings.seed,
            self.model_settings["batch_words"],
        )
        config.to_disk(directory / "config.cfg")
        overrides = {"paths.train": str(directory / "train.spacy"), "paths.dev": str(directory / "dev.spacy")}
        quiet = io.StringIO()
        previous = logging.getLogger("spacy").level
        logging.getLogger("spacy").setLevel(logging.WARNING)
        try:
            with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
                spacy_train(directory / "config.cfg", directory / "output", use_gpu=-1, overrides=overrides)
        except SystemExit as error:  # spaCy's CLI helpers exit instead of raising
            raise BaselineUnavailable(f"spacy train failed: {quiet.getvalue()[-300:].strip()}") from error
        finally:
            logging.getLogger("spacy").setLevel(previous)
        # spaCy keeps the model that scored best on dev; its curve is that one point.
        seconds = progress.elapsed()
        model = self._restore(directory)
        progress.checkpoint(f"{self.settings.epochs} epochs", lambda texts: _spans(model, texts), seconds)

    def _restore(self, directory: Path) -> Any:
        import spacy

        best = directory / "output" / "model-best"
        return spacy.load(best if best.is_dir() else directory / "output" / "model-last")

    def _tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        return _spans(self._model, texts)


def _spans(nlp: Any, texts: Sequence[str]) -> list[list[Span]]:
    return [[Span(entity.start_char, entity.end_char, entity.label_) for entity in doc.ents]
            for doc in nlp.pipe(texts, batch_size=256)]
