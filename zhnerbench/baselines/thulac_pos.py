"""THULAC (Tsinghua): joint segmentation and POS tagging; its proper-noun tags stand in for NER.

==========  =====================  ==========
THULAC tag  meaning                label
==========  =====================  ==========
``np``      person name            PERSON
``ns``      place name             GPE
``ni``      organisation name      ORG
``t``       time word              DATE
==========  =====================  ==========

Scored in the coarse view only (``ns`` mixes GPE/LOC/FAC, ``t`` mixes DATE/TIME).
Slow: a pure-Python perceptron, about 2.5k characters per second here.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping
from typing import Any

from zhnerbench.baselines.base import ModelTagger, install_extra, spans_from_tagged_tokens
from zhnerbench.document import Span

THULAC_LABEL_MAP: Mapping[str, str] = {"np": "PERSON", "ns": "GPE", "ni": "ORG", "t": "DATE"}


class ThulacTagger(ModelTagger):
    name, library, modules = "thulac", "thulac", ("thulac",)
    weights_in_library = True
    requires = install_extra("thulac")
    native_labels, label_map = tuple(THULAC_LABEL_MAP), THULAC_LABEL_MAP

    def _load_model(self) -> Any:
        import thulac

        # THULAC prints "Model loaded succeed" on stdout, which would corrupt
        # any machine-readable output of the caller.
        with contextlib.redirect_stdout(io.StringIO()):
            return thulac.thulac()

    def _predict(self, text: str) -> list[Span]:
        source = self.source(text)
        tagged = [(word, tag) for word, tag in self._model.cut(source)]
        return spans_from_tagged_tokens(source, tagged, self.label_map)
