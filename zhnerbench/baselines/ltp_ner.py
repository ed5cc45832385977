"""``ltp:MODEL``: HIT-SCIR's LTP (``LTP/small``, ``LTP/base``, ``LTP/tiny``, ``LTP/legacy`` or a local
directory): word segmentation, then NER over the words.

LTP tags ``Nh`` (person), ``Ns`` (place) and ``Ni`` (organisation), mapped to PERSON,
GPE and ORG; scored in ``coarse``. Its NER output names words by index (first and last,
inclusive), so the words are aligned to the text to give character offsets. Neural
models come from the Hugging Face hub (or a local directory); the legacy perceptron
model also needs part-of-speech tags first, which this adapter asks for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    ModelTagger,
    install_extra,
    model_not_loadable,
    split_for_tagging,
    system_name,
)
from zhnerbench.document import Span
from zhnerbench.offsets import align_tokens

REQUIRES = install_extra("ltp") + " (then a model the hub serves, e.g. LTP/small, or a local directory)"


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


class LtpTagger(ModelTagger):
    library = "ltp"
    modules = ("ltp",)
    requires = REQUIRES
    native_labels: tuple[str, ...] = ("Nh", "Ns", "Ni")
    label_map: Mapping[str, str] = {"Nh": "PERSON", "Ns": "GPE", "Ni": "ORG"}
    views: tuple[str, ...] = ("coarse",)

    def __init__(self, model: str = "LTP/small", device: str | None = None, normalize_punctuation: bool = True) -> None:
        super().__init__(normalize_punctuation)
        self.model = model
        self.name = system_name("ltp", model)
        self.device = device

    def _load_model(self) -> Any:
        from ltp import LTP

        try:
            model = LTP(self.model)
        except Exception as error:  # offline hub or missing files
            if "use_auth_token" in str(error):  # LTP 4.2 calls hf_hub_download the pre-1.0 way
                raise BaselineUnavailable(f"LTP {self.model}: ltp {self.version} cannot download with huggingface_hub "
                                          ">= 1.0; get the model folder elsewhere (git clone "
                                          f"https://huggingface.co/{self.model}) and give its path: ltp:PATH") from None
            raise model_not_loadable("LTP", self.model, error, REQUIRES) from None
        if self.device and hasattr(model, "to"):
            model.to(self.device)
        self.tasks = ["cws", "pos", "ner"] if "legacy" in self.model.lower() else ["cws", "ner"]
        self.version = f"{self.model} (ltp {self.version})"
        return model

    def _predict(self, text: str) -> list[Span]:
        source = self.source(text)
        pieces = split_for_tagging(source, max_chars=250)
        output = self._model.pipeline([source[a:b] for a, b in pieces], tasks=self.tasks)
        spans: list[Span] = []
        for (start, end), words, entities in zip(pieces, output.cws, output.ner, strict=True):
            spans.extend(ltp_spans(source[start:end], words, entities, self.label_map, start))
        return spans


def create(model: str, **options: Any) -> LtpTagger:
    """The ``ltp:`` spec's factory."""
    accepted = {k: v for k, v in options.items() if k in ("device", "normalize_punctuation") and v is not None}
    return LtpTagger(model, **accepted)
