"""``ltp:MODEL``: HIT-SCIR's LTP (``LTP/small``, ``LTP/base``, ``LTP/tiny``, ``LTP/legacy`` or a local
directory): word segmentation, then NER over the words.

LTP tags ``Nh`` (person), ``Ns`` (place) and ``Ni`` (organisation), mapped to PERSON,
GPE and ORG (``TAG_MAP``); scored in ``coarse``. Its NER names words by index (first and
last, inclusive), decoded from its BIOES word tags by LTP's own ``get_entities``, so the
words are aligned to the text to give character offsets. Neural models (``config.json``
with ``"nerual": true``, ``pytorch_model.bin`` and the tokenizer's files, as LTP publishes
them) come from the Hugging Face hub or a local directory; the legacy perceptron model also
needs part-of-speech tags first, which this adapter asks for.

**Unit.** The model reads one sentence at a time: the document's own sentences (the gold's
segmentation, the ``ner`` config's rows, or the ``sentences`` of a ``--gold`` corpus; a bare
text is cut by the project's sentence splitter), ``--batch-size`` sentences per call
(default 8). A sentence longer than ``MODEL_CHARS`` characters is read clause by clause (LTP
truncates its input at 512 tokens). ``tests/test_baselines_ltp.py`` proves the spans equal
LTP's own ``pipeline(..., tasks=["cws", "ner"])`` output mapped by ``TAG_MAP``, on every
sentence of the article, for a tiny LTP model the test builds from a random configuration
and saves in LTP's format.

Tested with ltp 4.2.14 (ltp-core 0.1.4, ltp-extension 0.1.13) and transformers 5.16. LTP 4.2
encodes with the tokenizer's ``batch_encode_plus``, which transformers 5 removed: the adapter
gives it a tokenizer that has it (:func:`with_transformers_5_tokenizer`; calling the tokenizer
does the same). LTP 4.2 downloads with ``huggingface_hub``'s pre-1.0 arguments, which 1.0
removed: give a local model folder.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    SentenceModelTagger,
    batches,
    install_extra,
    model_not_loadable,
    system_name,
)
from zhnerbench.document import Span
from zhnerbench.offsets import align_tokens

REQUIRES = install_extra("ltp") + " (then a model the hub serves, e.g. LTP/small, or a local directory)"
#: LTP's NER types and the schema labels they are scored as.
TAG_MAP: Mapping[str, str] = {"Nh": "PERSON", "Ns": "GPE", "Ni": "ORG"}
MODEL_CHARS = 250  # LTP truncates at 512 tokens; a Chinese character is about one


def ltp_spans(text: str, words: Sequence[str], entities: Sequence[Sequence[Any]], label_map: Mapping[str, str],
              offset: int = 0) -> list[Span]:
    """Character spans of LTP's ``(tag, first word, last word)`` entities over ``words`` of ``text``.

    >>> ltp_spans("他叫汤姆去拿外衣。", ["他", "叫", "汤姆", "去", "拿", "外衣", "。"], [("Nh", 2, 2)], {"Nh": "PERSON"})
    [Span(start=2, end=4, label='PERSON')]
    """
    places, _ = align_tokens(list(words), text)
    spans = []
    for tag, first, last in entities:
        if tag not in label_map or not 0 <= first <= last < len(places):
            continue
        first_place, last_place = places[first], places[last]
        if first_place is not None and last_place is not None:  # a word LTP changed is not in the text
            spans.append(Span(offset + first_place[0], offset + last_place[1], label_map[tag]))
    return spans


class _BatchEncodePlus:
    """A tokenizer with ``batch_encode_plus``, which LTP 4.2 calls and transformers 5 removed:
    calling the tokenizer takes the same arguments and returns the same encodings."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def batch_encode_plus(self, *args: Any, **kwargs: Any) -> Any:
        return self._tokenizer(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


def with_transformers_5_tokenizer(model: Any) -> Any:
    """An LTP model whose tokenizer LTP 4.2's pipeline can call under transformers 5 (the legacy
    model has no tokenizer and is returned as it is)."""
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is not None and not hasattr(tokenizer, "batch_encode_plus"):
        model.tokenizer = _BatchEncodePlus(tokenizer)
    return model


class LtpTagger(SentenceModelTagger):
    library = "ltp"
    modules = ("ltp",)
    requires = REQUIRES
    native_labels: tuple[str, ...] = tuple(TAG_MAP)
    label_map: Mapping[str, str] = TAG_MAP
    views: tuple[str, ...] = ("coarse",)
    max_chars = MODEL_CHARS

    def __init__(self, model: str = "LTP/small", device: str | None = None, batch_size: int = 8,
                 normalize_punctuation: bool = True) -> None:
        super().__init__(normalize_punctuation)
        self.model = model
        self.name = system_name("ltp", model)
        self.device = device
        self.batch_size = max(int(batch_size), 1)
        self.tasks = ["cws", "ner"]

    def _load_model(self) -> Any:
        from ltp import LTP

        try:
            # LTP prints where it loads from on standard output, which `tag -` writes predictions to.
            with contextlib.redirect_stdout(sys.stderr):
                model = LTP(self.model)
        except Exception as error:  # offline hub or missing files
            if "use_auth_token" in str(error):  # LTP 4.2 calls hf_hub_download the pre-1.0 way
                raise BaselineUnavailable(f"LTP {self.model}: ltp {self.version} cannot download with huggingface_hub "
                                          ">= 1.0; get the model folder elsewhere (git clone "
                                          f"https://huggingface.co/{self.model}) and give its path: ltp:PATH") from None
            raise model_not_loadable("LTP", self.model, error, REQUIRES) from None
        model = with_transformers_5_tokenizer(model)
        if self.device and hasattr(model, "to"):
            model.to(self.device)
        # The legacy (perceptron) model tags named entities over part-of-speech tags.
        self.tasks = ["cws", "pos", "ner"] if type(model).__module__.endswith("legacy") else ["cws", "ner"]
        shown = Path(self.model).name if Path(self.model).exists() else self.model
        self.version = f"{shown} (ltp {self.version})"
        return model

    def _tag_pieces(self, pieces: Sequence[str]) -> list[list[Span]]:
        from ltp_extension.algorithms import get_entities

        found: list[list[Span]] = []
        for batch in batches(pieces, self.batch_size):
            # Word tags as they are, decoded by LTP's own get_entities: its formatted output names
            # the words by index for neural models only (the legacy model's gives text alone).
            output = self._model.pipeline(list(batch), tasks=self.tasks, raw_format=True)
            for piece, words, tags in zip(batch, output.cws, output.ner, strict=True):
                found.append(ltp_spans(piece, words, get_entities(list(tags)), self.label_map))
        return found


def create(model: str, **options: Any) -> LtpTagger:
    """The ``ltp:`` spec's factory."""
    accepted = {k: v for k, v in options.items()
                if k in ("device", "batch_size", "normalize_punctuation") and v is not None}
    return LtpTagger(model, **accepted)
