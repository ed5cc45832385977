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
from typing import Any, Mapping

from zhnerbench.baselines.base import BaselineUnavailable, package_version, require_module, spans_from_tagged_tokens
from zhnerbench.baselines.normalize import tagger_input
from zhnerbench.model import Span

REQUIRES = "pip install 'zhnerbench[thulac]'"
THULAC_LABEL_MAP: Mapping[str, str] = {"np": "PERSON", "ns": "GPE", "ni": "ORG", "t": "DATE"}


class ThulacTagger:
    name = "thulac"
    requires = REQUIRES
    native_labels: tuple[str, ...] = tuple(THULAC_LABEL_MAP)
    label_map: Mapping[str, str] = THULAC_LABEL_MAP
    views: tuple[str, ...] = ("coarse",)

    def __init__(self, normalize_punctuation: bool = True) -> None:
        self.normalize_punctuation = normalize_punctuation
        self.version = package_version("thulac")
        self._thulac: Any = None

    def load(self) -> None:
        require_module("thulac", REQUIRES)
        import thulac

        # THULAC prints "Model loaded succeed" on stdout, which would corrupt
        # any machine-readable output of the caller.
        with contextlib.redirect_stdout(io.StringIO()):
            self._thulac = thulac.thulac()

    def predict(self, text: str) -> list[Span]:
        if self._thulac is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        source = tagger_input(text, self.normalize_punctuation)
        tagged = [(word, tag) for word, tag in self._thulac.cut(source)]
        return spans_from_tagged_tokens(source, tagged, self.label_map)
