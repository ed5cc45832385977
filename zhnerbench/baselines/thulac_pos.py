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
THULAC is a pure-Python perceptron (about 1,000 characters a second here); its feature sums
and its Viterbi decoder are replaced by NumPy ones that compute the same integers and make the
same choices (:mod:`~zhnerbench.baselines.thulac_viterbi`): every tag is THULAC's own, several
times faster (``benchmarks/bench_tagging_speed.py``).
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

    def __init__(self, normalize_punctuation: bool = True, vectorised: bool = True) -> None:
        super().__init__(normalize_punctuation)
        #: NumPy in place of THULAC's own feature sums and decoder (same tags); after load(),
        #: whether it is.
        self.vectorised = vectorised

    def _load_model(self) -> Any:
        import thulac

        from zhnerbench.baselines.thulac_viterbi import use_vectorised_decoder

        # THULAC prints "Model loaded succeed" on stdout, which would corrupt
        # any machine-readable output of the caller.
        with contextlib.redirect_stdout(io.StringIO()):
            model = thulac.thulac()
        # Where THULAC's internals are not those of 0.2.x, its own (slower) decoder stays.
        self.vectorised = use_vectorised_decoder(model) if self.vectorised else False
        return model

    def _predict(self, text: str) -> list[Span]:
        source = self.source(text)
        tagged = [(word, tag) for word, tag in self._model.cut(source)]
        return spans_from_tagged_tokens(source, tagged, self.label_map)
