"""HanLP 2.1's own BiLSTM-CRF (``RNNNamedEntityRecognizer``) trained here on MSRA NER, with the
inputs the literature gives a character tagger: character, bigram and jieba softword embeddings.

Everything is HanLP's: its trainer (``fit``: Adam, its learning-rate annealing, its dev
evaluation after every epoch, which keeps the best epoch), its model (``RNNTaggingModel``),
its embedding builders (an ``EmbeddingList`` of three ``Word2VecEmbedding``, one per input
field) and its save format (``config.json``, ``vocabs.json``, ``model.pt``). The one thing
added is :class:`MsraInputFields`, an embedding builder with no module whose transform adds
the ``bigram`` and ``softword`` fields to each sample (HanLP's embeddings read named fields
of a sample, so that is where extra inputs go). The model is loaded with ``hanlp.load(DIR)``
by the same code that loads HanLP's pretrained models
(:func:`zhnerbench.baselines.hanlp_pretrained.load_hanlp`).

**Patches.** ``RNNTaggingModel`` builds its CRF as ``CRF(n_out, crf_constraints)``: the second
positional parameter of HanLP's CRF is ``batch_first``, so it receives ``None`` and the CRF
reads the batch-first emissions as time-first; loss and Viterbi then run over the wrong axis
and dev F1 stays at 0. :class:`BatchFirstCrfRecognizer` sets ``crf.batch_first = True`` after
HanLP builds the model, when training and when loading (its class path is in the saved
``config.json``, so ``hanlp.load`` builds it). Its ``fit_dataloader`` is HanLP's without the
running training F1, which decodes every training batch twice and takes half an epoch's time.

Label map: ``PER -> PERSON``, ``LOC -> GPE``, ``ORG -> ORG``, as for the other MSRA-trained
baselines; scored in the coarse view.

**Reproduction.** A retrain with the registered settings on one thread
(``python benchmarks/bench_retrain.py hanlp-msra``, measured for 1.4.0) gave MSRA test F1 88.70
and dev F1 82.79, the shipped weights' figures to the second decimal, in 892 s of training
against the shipped run's 980 s.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from zhnerbench.baselines.base import BaselineUnavailable, require_module
from zhnerbench.baselines.bilstm_crf import char_bigrams
from zhnerbench.baselines.hanlp_pretrained import hanlp_entities, hanlp_silenced, load_hanlp
from zhnerbench.baselines.lexicon import jieba_words, softword_tags
from zhnerbench.baselines.msra import TaggedSentence, to_bio
from zhnerbench.baselines.training import MsraTrainedTagger, Progress
from zhnerbench.document import Span

REQUIRES = "pip install torch==2.13.0 'zhnerbench[hanlp,jieba]' (hanlp==2.1.5)"
#: HanLP's names for a vocabulary's padding and unknown entries.
PAD, UNKNOWN = "<pad>", "<unk>"


def frequent_bigrams(texts: Sequence[str], min_count: int) -> list[str]:
    """The bigrams (as :func:`char_bigrams` forms them) seen at least ``min_count`` times, sorted.

    >>> frequent_bigrams(["上海市", "上海"], 2)
    ['上海']
    """
    counts = Counter(bigram for text in texts for bigram in char_bigrams(text))
    return sorted(bigram for bigram, count in counts.items() if count >= min_count)


def _input_fields_class() -> type:
    """:class:`MsraInputFields`, built on HanLP's ``Embedding`` (imported only when HanLP is)."""
    from hanlp.layers.embeddings.embedding import Embedding

    class InputFields(Embedding):  # type: ignore[misc]  # hanlp is untyped
        """An embedding builder without a module: its transform adds the ``bigram`` field (rare
        bigrams as ``<unk>``) and, unless the sample has it already, the ``softword`` field."""

        def __init__(self, bigrams: Sequence[str] = ()) -> None:
            super().__init__()
            # AutoConfigurable saves what __init__ was given into config.json: the frequent bigrams.
            self.bigrams = list(bigrams)
            self._known = frozenset(self.bigrams)

        def transform(self, **kwargs: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
            return self._add_fields

        def _add_fields(self, sample: dict[str, Any]) -> dict[str, Any]:
            text = "".join(sample["token"])
            sample["bigram"] = [bigram if bigram in self._known else UNKNOWN for bigram in char_bigrams(text)]
            if "softword" not in sample:
                sample["softword"] = softword_tags(jieba_words(text))
            return sample

    # HanLP saves a builder's class path as module + __name__ and imports it back on load.
    InputFields.__module__, InputFields.__name__, InputFields.__qualname__ = __name__, "MsraInputFields", "MsraInputFields"
    return InputFields


def _recognizer_class() -> type:
    import torch
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    class BatchFirstCrfRecognizer(RNNNamedEntityRecognizer):  # type: ignore[misc]  # hanlp is untyped
        """HanLP's recogniser with its CRF told that emissions are batch-first (see the module
        doc), calling ``after_epoch`` (when set) once each epoch's dev evaluation is done."""

        after_epoch: Callable[[], None] | None = None

        def build_model(self, **kwargs: Any):  # type: ignore[no-untyped-def]
            model = super().build_model(**kwargs)
            if getattr(model, "crf", None) is not None:
                model.crf.batch_first = True
            return model

        def fit_dataloader(self, trn: Any, criterion: Any, optimizer: Any, metric: Any, logger: Any,  # type: ignore[no-untyped-def]
                           ratio_width: Any = None, **kwargs: Any):
            # HanLP's own loop, less its running training F1: it Viterbi-decodes every training
            # batch twice (for the metric and its log line), which doubles an epoch's time and
            # changes nothing that is trained or selected (dev is evaluated apart).
            self.model.train()
            for batch in trn:
                optimizer.zero_grad()
                out, mask = self.feed_batch(batch)
                loss = self.compute_loss(criterion, out, batch["tag_id"], mask)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
                optimizer.step()

        def evaluate_dataloader(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
            # HanLP's loop evaluates dev once per epoch, then saves the model if dev improved.
            result = super().evaluate_dataloader(*args, **kwargs)
            if self.after_epoch is not None:
                self.after_epoch()
            return result

    BatchFirstCrfRecognizer.__module__ = __name__
    BatchFirstCrfRecognizer.__qualname__ = "BatchFirstCrfRecognizer"
    return BatchFirstCrfRecognizer


def __getattr__(name: str) -> type:
    # hanlp.load() imports the class paths saved in config.json: build the HanLP-based classes
    # on that first access, so that importing this module never imports HanLP.
    builders = {"MsraInputFields": _input_fields_class, "BatchFirstCrfRecognizer": _recognizer_class}
    if name not in builders:
        raise AttributeError(name)
    built = builders[name]()
    globals()[name] = built
    return built


class HanlpMsraTagger(MsraTrainedTagger):
    """HanLP's BiLSTM-CRF over characters, bigrams and softwords, trained on MSRA NER."""

    name = "hanlp-msra"
    requires = REQUIRES
    library = "hanlp"
    recipe = 1  # bump when training changes
    versioned_libraries = ("torch", "jieba")

    #: Embedding sizes, HanLP's ``rnn_hidden``, ``drop``, ``lr``, ``batch_size``, and the fewest
    #: occurrences in training that give a bigram an embedding of its own.
    model_defaults: ClassVar[Mapping[str, Any]] = {
        "char_dim": 100, "bigram_dim": 50, "softword_dim": 30, "rnn_hidden": 200, "drop": 0.5, "lr": 0.002,
        "batch_size": 32, "bigram_min_count": 3,
    }

    def _check(self) -> None:
        require_module("hanlp", REQUIRES)
        require_module("jieba", REQUIRES)
        if not self.version.startswith("2."):
            raise BaselineUnavailable(f"hanlp {self.version} found, 2.x needed: {REQUIRES}")

    def _fit(self, train: Sequence[TaggedSentence], dev: Sequence[TaggedSentence], directory: Path,
             progress: Progress) -> None:
        import torch
        from hanlp.layers.embeddings.embedding import EmbeddingList
        from hanlp.layers.embeddings.word2vec import Word2VecEmbedding

        settings = self.model_settings
        train = [sentence for sentence in train if sentence.chars]
        fields = __getattr__("MsraInputFields")(frequent_bigrams([s.text for s in train], settings["bigram_min_count"]))
        embed = EmbeddingList(
            fields,
            Word2VecEmbedding("token", settings["char_dim"], pad=PAD, unk=UNKNOWN, trainable=True),
            Word2VecEmbedding("bigram", settings["bigram_dim"], pad=PAD, unk=UNKNOWN, trainable=True),
            Word2VecEmbedding("softword", settings["softword_dim"], pad=PAD, unk=UNKNOWN, trainable=True),
        )
        recognizer = __getattr__("BatchFirstCrfRecognizer")()
        epochs = iter(range(1, self.settings.epochs + 1))

        def after_epoch() -> None:
            def tag(texts: Sequence[str]) -> list[list[Span]]:
                # predict() does not switch dropout off itself (HanLP's evaluation did, before the
                # first call): without eval() the second set would be tagged with dropout on.
                recognizer.model.eval()
                try:
                    return hanlp_entities(recognizer, texts)
                finally:
                    recognizer.model.train()

            progress.checkpoint(f"epoch {next(epochs)}", tag)

        recognizer.after_epoch = after_epoch
        threads = torch.get_num_threads()
        # One thread: the shipped weights were trained so, and a retrain on a machine with more
        # cores then goes through the same arithmetic.
        torch.set_num_threads(1)
        try:
            with hanlp_silenced():
                recognizer.fit(
                    _as_samples(train), _as_samples(dev), str(directory), epochs=self.settings.epochs,
                    embed=embed, rnn_hidden=settings["rnn_hidden"], drop=settings["drop"], lr=settings["lr"],
                    batch_size=settings["batch_size"], tagging_scheme="BIO", patience=self.settings.epochs, crf=True,
                    devices=[], logger=_quiet_logger(), verbose=False, seed=self.settings.seed,
                )
        finally:
            torch.set_num_threads(threads)

    def _restore(self, directory: Path) -> Any:
        return load_hanlp(str(directory))

    def _tag_sentences(self, texts: Sequence[str]) -> list[list[Span]]:
        return hanlp_entities(self._model, texts)


def _as_samples(sentences: Sequence[TaggedSentence]) -> list[dict[str, list[str]]]:
    # The softwords are computed once here; the transform computes them only where a sample
    # lacks them (at prediction time), instead of running jieba over the corpus every epoch.
    return [{"token": list(sentence.chars), "tag": list(to_bio(sentence.tags)),
             "softword": softword_tags(jieba_words(sentence.text))} for sentence in sentences]


def _quiet_logger() -> logging.Logger:
    logger = logging.getLogger("zhnerbench.baselines.hanlp_msra")
    logger.setLevel(logging.WARNING)
    return logger
