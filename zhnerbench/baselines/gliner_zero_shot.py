"""``gliner:MODEL``: zero-shot NER with GLiNER, asked for the schema's types by description.

GLiNER scores spans against free-text type descriptions, so the schema's labels are
given as short Chinese + English descriptions (``LABEL_DESCRIPTIONS``); a span is kept
when its score reaches ``--threshold`` (default 0.5). Multilingual checkpoints
(``urchade/gliner_multi-v2.1`` and the like) read Chinese. The text goes in lines and
sentences (the model reads about 384 words at a time); predicted spans carry character
offsets into their piece, shifted back into the document; GLiNER's flat decoding keeps
spans from overlapping.

Weights come from the Hugging Face hub (or a local directory saved by GLiNER's
``save_pretrained``); where neither is at hand, ``load()`` says how to get them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhnerbench.baselines.base import (
    ModelTagger,
    install_extra,
    model_not_loadable,
    split_for_tagging,
    system_name,
)
from zhnerbench.document import Span

#: What GLiNER is asked for, per schema label: a Chinese name and an English description.
LABEL_DESCRIPTIONS: Mapping[str, str] = {
    "PERSON": "人名 person",
    "NORP": "民族、宗教或政治团体 nationality, religious or political group",
    "FAC": "建筑设施 building, airport, highway or bridge",
    "ORG": "组织机构 organization, company, agency or institution",
    "GPE": "国家、城市或行政区 country, city, state or district",
    "LOC": "地理位置 non-political location, mountain, river or region",
    "PRODUCT": "产品 product, vehicle or device",
    "EVENT": "事件 named event, conference, war or festival",
    "WORK_OF_ART": "作品 title of a book, report, song or work of art",
    "LAW": "法律法规 law, regulation or policy document",
    "LANGUAGE": "语言 language",
    "DATE": "日期 date or period",
    "TIME": "时间 time of day",
    "PERCENT": "百分比 percentage",
    "MONEY": "金额 monetary value",
    "QUANTITY": "数量 measurement with a unit",
    "ORDINAL": "序数 ordinal number",
    "CARDINAL": "基数 cardinal number",
    "TITLE": "职务 job title or position",
}
MODEL_CHARS = 300  # GLiNER reads about 384 subword tokens; Chinese is about one token per character
REQUIRES = install_extra("gliner") + " (then a model the hub serves, or a local GLiNER directory)"


class GlinerTagger(ModelTagger):
    library = "gliner"
    modules = ("gliner",)
    requires = REQUIRES
    native_labels: tuple[str, ...] = tuple(LABEL_DESCRIPTIONS.values())
    label_map: Mapping[str, str] = {description: label for label, description in LABEL_DESCRIPTIONS.items()}
    views: tuple[str, ...] = ("full", "ontonotes", "coarse")

    def __init__(self, model: str, threshold: float | None = None, device: str | None = None,
                 normalize_punctuation: bool = True) -> None:
        super().__init__(normalize_punctuation)
        self.model = model
        self.name = system_name("gliner", model)
        self.threshold = 0.5 if threshold is None else float(threshold)
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"a GLiNER threshold is between 0 and 1, not {self.threshold}")
        self.device = device or "cpu"

    def _load_model(self) -> Any:
        from gliner import GLiNER

        try:
            model = GLiNER.from_pretrained(self.model, map_location=self.device)
        except Exception as error:  # offline hub, missing files, incompatible checkpoint: the library's many errors
            raise model_not_loadable("GLiNER", self.model, error, REQUIRES) from None
        self.version = f"{self.model} threshold {self.threshold} (gliner {self.version})"
        return model

    def _predict(self, text: str) -> list[Span]:
        source = self.source(text)
        spans = []
        for start, end in split_for_tagging(source, max_chars=MODEL_CHARS):
            found = self._model.predict_entities(source[start:end], list(self.native_labels), threshold=self.threshold)
            for entity in found:
                label = self.label_map.get(entity["label"])
                if label is not None and 0 <= entity["start"] < entity["end"] <= end - start:
                    spans.append(Span(start + entity["start"], start + entity["end"], label))
        return spans


def create(model: str, **options: Any) -> GlinerTagger:
    """The ``gliner:`` spec's factory."""
    accepted = {k: v for k, v in options.items() if k in ("threshold", "device", "normalize_punctuation") and v is not None}
    return GlinerTagger(model, **accepted)

