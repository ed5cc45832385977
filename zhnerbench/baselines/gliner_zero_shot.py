"""``gliner:MODEL``: zero-shot NER with GLiNER, asked for the schema's types by description.

GLiNER scores spans against free-text type descriptions, so the schema's labels are
given as short Chinese + English descriptions (``LABEL_DESCRIPTIONS``); a span is kept
when its score reaches ``--threshold`` (default 0.5), and GLiNER's flat decoding keeps
spans from overlapping. Multilingual checkpoints (``urchade/gliner_multi-v2.1`` and the
like) read Chinese.

**Unit.** The model reads one sentence at a time: the document's own sentences (the gold's
segmentation, the ``ner`` config's rows, or the ``sentences`` of a ``--gold`` corpus; a bare
text is cut by the project's sentence splitter), ``--batch-size`` sentences per forward pass
(default 8). A sentence longer than ``MODEL_CHARS`` characters is read clause by clause
(GLiNER reads at most 384 words). Predicted spans carry character offsets into their
sentence, shifted back into the document.

**Words.** GLiNER proposes spans over *words* (at most ``max_width`` of them, 12 for the
released models), which a words splitter finds in the text. The released checkpoints name
the ``whitespace`` splitter, whose pattern ``\\w+`` takes a whole run of Chinese characters
as one word: no entity inside a clause could ever be proposed (GLiNER issue #202, "the
performance is nearly zero"). For such a model the adapter installs
:class:`ChineseCharacterSplitter`, the same pattern with each Chinese character a word of
its own (as Chinese NER is read, character by character); a model that names another
splitter (``jieba``, ``hanlp``...) keeps its own. ``tests/test_baselines_gliner.py`` proves
the spans equal those of GLiNER's own ``predict_entities`` on every sentence of the article,
for a tiny GLiNER the test builds with GLiNER's classes and ``save_pretrained``.

Tested with gliner 0.2.29 (transformers 5.16); GLiNER caps transformers below 5.17, and
0.2.24, the last release without a cap, fails with transformers 5.25.

Weights come from the Hugging Face hub (or a local directory saved by GLiNER's
``save_pretrained``); where neither is at hand, ``load()`` says how to get them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import (
    SentenceModelTagger,
    batches,
    install_extra,
    model_not_loadable,
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
MODEL_CHARS = 300  # GLiNER reads at most 384 words; a Chinese character is one word here
REQUIRES = install_extra("gliner") + " (then a model the hub serves, or a local GLiNER directory)"
#: The words splitter of the released checkpoints, which this adapter replaces for Chinese.
WHITESPACE_SPLITTER = "whitespace"


class ChineseCharacterSplitter:
    """GLiNER's ``whitespace`` words splitter with every Chinese character a word of its own:
    runs of other letters and digits stay one word, any other non-space character is one.
    Called as GLiNER calls a splitter: ``(word, start, end)`` for each word of a text.

    >>> list(ChineseCharacterSplitter()("在G60科创"))
    [('在', 0, 1), ('G60', 1, 4), ('科', 4, 5), ('创', 5, 6)]
    """

    #: CJK Unified Ideographs, Extension A, the compatibility block and the supplementary planes' ideographs.
    HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    #: A Chinese character; else GLiNER's ``\w+(?:[-_]\w+)*|\S`` with word characters other than Chinese ones.
    PATTERN = re.compile(rf"[{HAN}]|[^\W{HAN}]+(?:[-_][^\W{HAN}]+)*|\S")

    def __call__(self, text: str) -> Iterator[tuple[str, int, int]]:
        for match in self.PATTERN.finditer(text):
            yield match.group(), match.start(), match.end()


class GlinerTagger(SentenceModelTagger):
    library = "gliner"
    modules = ("gliner",)
    requires = REQUIRES
    native_labels: tuple[str, ...] = tuple(LABEL_DESCRIPTIONS.values())
    label_map: Mapping[str, str] = {description: label for label, description in LABEL_DESCRIPTIONS.items()}
    views: tuple[str, ...] = ("full", "ontonotes", "coarse")
    max_chars = MODEL_CHARS

    def __init__(self, model: str, threshold: float | None = None, device: str | None = None, batch_size: int = 8,
                 normalize_punctuation: bool = True) -> None:
        super().__init__(normalize_punctuation)
        self.model = model
        self.name = system_name("gliner", model)
        self.threshold = 0.5 if threshold is None else float(threshold)
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"a GLiNER threshold is between 0 and 1, not {self.threshold}")
        self.device = device or "cpu"
        self.batch_size = max(int(batch_size), 1)

    def _load_model(self) -> Any:
        from gliner import GLiNER

        try:
            model = GLiNER.from_pretrained(self.model, map_location=self.device)
        except Exception as error:  # offline hub, missing files, incompatible checkpoint: the library's many errors
            raise model_not_loadable("GLiNER", self.model, error, REQUIRES) from None
        splitter = getattr(model.config, "words_splitter_type", WHITESPACE_SPLITTER)
        if splitter == WHITESPACE_SPLITTER:
            model.data_processor.words_splitter = ChineseCharacterSplitter()
            splitter = "Chinese characters"
        shown = Path(self.model).name if Path(self.model).exists() else self.model
        self.version = f"{shown} threshold {self.threshold}, words: {splitter} (gliner {self.version})"
        return model

    def _tag_pieces(self, pieces: Sequence[str]) -> list[list[Span]]:
        labels = list(self.native_labels)
        found: list[list[Span]] = []
        for batch in batches(pieces, self.batch_size):
            entities = self._model.inference(list(batch), labels, threshold=self.threshold, flat_ner=True,
                                             batch_size=self.batch_size)
            for piece, piece_entities in zip(batch, entities, strict=True):
                found.append([Span(entity["start"], entity["end"], self.label_map[entity["label"]])
                              for entity in piece_entities
                              if entity["label"] in self.label_map and 0 <= entity["start"] < entity["end"] <= len(piece)])
        return found


def create(model: str, **options: Any) -> GlinerTagger:
    """The ``gliner:`` spec's factory."""
    accepted = {k: v for k, v in options.items()
                if k in ("threshold", "device", "batch_size", "normalize_punctuation") and v is not None}
    return GlinerTagger(model, **accepted)
