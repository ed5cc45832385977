"""spaCy pipelines: the released Chinese ones (``spacy-zh_core_web_{sm,md,lg,trf}``), and
any pipeline by package name or directory (``spacy:NAME_OR_PATH``).

The released pipelines are distributed as wheels on GitHub releases, not on PyPI, so
they cannot be installed on a machine that reaches only PyPI. The PyPI name
``zh-core-web-sm`` (version 999.9.9) is a placeholder that fails on install: never
depend on it. Where a pipeline is installed (or its directory given) this adapter
loads it; elsewhere ``load()`` says how to get it. ``zh_core_web_trf`` also needs
``spacy-transformers``; all of them need ``spacy-pkuseg`` for segmentation.

Labels: the pipeline's NER labels mapped by a preset (OntoNotes names as they are,
MSRA ``PER/LOC/ORG``, CLUENER types...) or a ``--label-map`` file; scored in the views
whose every label it predicts (the released pipelines: ``ontonotes`` and ``coarse``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    ModelTagger,
    one_line,
    package_version,
    require_module,
    system_name,
)
from zhnerbench.baselines.label_presets import choose_label_map, read_label_map, views_for
from zhnerbench.document import Span
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

    def __init__(self, pipeline: str = "zh_core_web_sm", label_map: str | None = None,
                 normalize_punctuation: bool = True) -> None:
        self.pipeline = pipeline
        self.model = pipeline
        self.released = pipeline in PIPELINES
        self.name = f"spacy-{pipeline}" if self.released else system_name("spacy", pipeline)
        self.requires = install_command(pipeline) if self.released else (
            "pip install 'zhnerbench[spacy]' and the pipeline's package, or give its directory")
        self.library = pipeline.replace("_", "-") if self.released else "spacy"
        self.given_map = read_label_map(label_map) if label_map else None
        super().__init__(normalize_punctuation)

    def _load_model(self) -> Any:
        require_module("spacy", self.requires)
        is_directory = Path(self.pipeline).is_dir()
        if not is_directory and importlib.util.find_spec(self.pipeline.replace("-", "_")) is None:
            where = "released on GitHub, not PyPI" if self.released else "no such package or directory"
            raise BaselineUnavailable(f"spaCy pipeline {self.pipeline} is not installed ({where}): {self.requires}")
        import spacy

        try:
            nlp = spacy.load(self.pipeline, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler"])
        except Exception as error:  # e.g. spacy-pkuseg or spacy-transformers missing, version mismatch
            raise BaselineUnavailable(f"spaCy pipeline {self.pipeline} failed to load ({one_line(error, 100)}): {self.requires}") from error
        if "ner" not in nlp.pipe_names:
            raise BaselineUnavailable(f"spaCy pipeline {self.pipeline} has no ner component (it has "
                                      f"{', '.join(nlp.pipe_names) or 'none'})")
        types = tuple(getattr(nlp.get_pipe("ner"), "labels", ()))
        preset, mapping = choose_label_map(types, self.given_map)
        self.native_labels, self.label_map = types, mapping
        self.views = views_for(mapping.values())
        name = nlp.meta.get("name", "pipeline")
        self.version = f"{nlp.meta.get('version', '?')} (spaCy {package_version('spacy')})" if self.released \
            else f"{nlp.meta.get('lang', '?')}_{name} {nlp.meta.get('version', '?')} ({preset} labels; spaCy {package_version('spacy')})"
        return nlp

    def _predict(self, text: str) -> list[Span]:
        doc = self._model(self.source(text))
        return [
            Span(entity.start_char, entity.end_char, self.label_map[entity.label_])
            for entity in doc.ents
            if entity.label_ in self.label_map
        ]


def create(pipeline: str, **options: Any) -> SpacyPretrainedTagger:
    """The ``spacy:`` spec's factory."""
    accepted = {k: v for k, v in options.items() if k in ("label_map", "normalize_punctuation") and v is not None}
    return SpacyPretrainedTagger(pipeline, **accepted)
