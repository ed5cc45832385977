"""spaCy's released Chinese pipelines ``zh_core_web_{sm,md,lg,trf}`` (OntoNotes 5 NER, 18 types).

The pipelines are distributed as wheels on GitHub releases, not on PyPI, so they
cannot be installed on a machine that reaches only PyPI. The PyPI name
``zh-core-web-sm`` (version 999.9.9) is a placeholder that fails on install: never
depend on it. Where a pipeline is installed this adapter loads it; elsewhere
``load()`` says how to install it. ``zh_core_web_trf`` also needs
``spacy-transformers``; all of them need ``spacy-pkuseg`` for segmentation.

Label map: identity (spaCy uses the OntoNotes names); scored in the ``ontonotes``
and ``coarse`` views.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

from zhnerbench.baselines.base import BaselineUnavailable, ModelTagger, one_line, package_version, require_module
from zhnerbench.model import Span
from zhnerbench.schema import ONTONOTES_LABELS

PIPELINES: tuple[str, ...] = ("zh_core_web_sm", "zh_core_web_md", "zh_core_web_lg", "zh_core_web_trf")
ONTONOTES_IDENTITY: Mapping[str, str] = {label: label for label in ONTONOTES_LABELS}


def install_command(pipeline: str) -> str:
    """How to install a released pipeline (from GitHub, so not on a PyPI-only machine).

    >>> install_command("zh_core_web_sm")
    "pip install 'zhnerbench[spacy]' && python -m spacy download zh_core_web_sm"
    """
    return f"pip install 'zhnerbench[spacy]' && python -m spacy download {pipeline}"


class SpacyPretrainedTagger(ModelTagger):
    native_labels: tuple[str, ...] = ONTONOTES_LABELS
    label_map: Mapping[str, str] = ONTONOTES_IDENTITY
    views: tuple[str, ...] = ("ontonotes", "coarse")

    def __init__(self, pipeline: str = "zh_core_web_sm", normalize_punctuation: bool = True) -> None:
        if pipeline not in PIPELINES:
            raise ValueError(f"unknown spaCy Chinese pipeline {pipeline!r}; one of {PIPELINES}")
        self.pipeline = pipeline
        self.name = f"spacy-{pipeline}"
        self.requires = install_command(pipeline)
        self.library = pipeline.replace("_", "-")
        super().__init__(normalize_punctuation)

    def _load_model(self) -> Any:
        require_module("spacy", self.requires)
        if importlib.util.find_spec(self.pipeline) is None:
            raise BaselineUnavailable(
                f"spaCy pipeline {self.pipeline} is not installed (released on GitHub, not PyPI): {self.requires}"
            )
        import spacy

        try:
            nlp = spacy.load(self.pipeline, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler"])
        except Exception as error:  # e.g. spacy-pkuseg or spacy-transformers missing, version mismatch
            raise BaselineUnavailable(f"spaCy pipeline {self.pipeline} failed to load ({one_line(error, 100)}): {self.requires}") from error
        self.version = f"{nlp.meta.get('version', self.version)} (spaCy {package_version('spacy')})"
        return nlp

    def _predict(self, text: str) -> list[Span]:
        doc = self._model(self.source(text))
        return [
            Span(entity.start_char, entity.end_char, self.label_map[entity.label_])
            for entity in doc.ents
            if entity.label_ in self.label_map
        ]
