"""``stanza:zh`` (or ``stanza:zh-hans``, or ``stanza:DIR``): Stanford Stanza's Chinese NER.

Stanza downloads its models from its own server with ``stanza.download("zh")``, into
``$STANZA_RESOURCES_DIR`` (default ``~/stanza_resources``) or the ``model_dir`` it is given.
``stanza:LANG`` loads the models of that language from ``$STANZA_RESOURCES_DIR``;
``stanza:DIR`` loads the Chinese models of a Stanza model directory (the ``resources.json``
and ``zh-hans/...`` that ``stanza.download("zh", model_dir=DIR)`` writes, or your own models
listed in such a file). This adapter never downloads (``download_method=None``): where the
models are absent, ``load()`` says which command fetches them.

The pipeline is ``tokenize,ner``: Stanza's own tokenizer cuts the text into words (and, if
it sees one, into sentences), and its NER tags the words. Entities come with character
offsets into the text and the NER model's own type names, mapped to the schema's labels by
the same presets as ``hf:`` (:mod:`zhnerbench.baselines.label_presets`; Stanza's released
Chinese model tags the 18 OntoNotes types, kept as they are) or by ``--label-map FILE``; the
system is scored in the views whose every label it predicts (``ontonotes`` and ``coarse``
for the released model).

**Unit.** The pipeline reads one sentence at a time: the document's own sentences (the
gold's segmentation, the ``ner`` config's rows, or the ``sentences`` of a ``--gold`` corpus;
a bare text is cut by the project's sentence splitter), each a Stanza document of its own,
all of them through the pipeline in one call (Stanza batches them). ``tests/test_baselines_stanza.py``
proves the spans equal those of Stanza's own ``Pipeline(...)(sentence).ents`` on every
sentence of the article, for a tiny Chinese pipeline the test trains with Stanza's own
tokenizer and NER trainers.

Tested with stanza 1.15.0.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    SentenceModelTagger,
    install_extra,
    one_line,
    system_name,
)
from zhnerbench.baselines.label_presets import choose_label_map, entity_types, read_label_map, views_for
from zhnerbench.document import Span

#: The language a model directory is read for (Stanza resolves ``zh`` to ``zh-hans``).
DIRECTORY_LANGUAGE = "zh"


def download_command(language: str) -> str:
    """
    >>> download_command("zh")
    'pip install \\'zhnerbench[stanza]\\' && python -c "import stanza; stanza.download(\\'zh\\')"'
    """
    return f"{install_extra('stanza')} && python -c \"import stanza; stanza.download('{language}')\""


def is_model_directory(target: str) -> bool:
    """Whether a ``stanza:`` target names a model directory rather than a language code.

    >>> is_model_directory("zh"), is_model_directory("zh-hans"), is_model_directory("models/stanza")
    (False, False, True)
    """
    return "/" in target or os.sep in target or Path(target).is_dir()


class StanzaTagger(SentenceModelTagger):
    library = "stanza"
    modules = ("stanza",)

    def __init__(self, language: str = "zh", label_map: str | None = None, device: str | None = None,
                 normalize_punctuation: bool = True) -> None:
        super().__init__(normalize_punctuation)
        self.directory = language if is_model_directory(language) else None
        self.language = DIRECTORY_LANGUAGE if self.directory else language
        self.model = self.directory or f"stanza {language}"
        self.name = system_name("stanza", self.directory) if self.directory else f"stanza-{language}"
        self.requires = (f"{install_extra('stanza')} (then a Stanza model directory: "
                         f"python -c \"import stanza; stanza.download('zh', model_dir='{self.directory}')\")"
                         if self.directory else download_command(language))
        self.device = device
        self.given_map = read_label_map(label_map) if label_map else None
        self.native_labels: tuple[str, ...] = ()
        self.label_map: Mapping[str, str] = {}
        self.views: tuple[str, ...] = ("ontonotes", "coarse")

    def _load_model(self) -> Any:
        import stanza
        from stanza.resources.common import DEFAULT_MODEL_DIR

        # Read now, not when stanza was imported: its default is fixed at import time.
        folder = self.directory or os.environ.get("STANZA_RESOURCES_DIR") or DEFAULT_MODEL_DIR
        where = f"in {folder}" if self.directory else f"for {self.language}"
        try:
            pipeline = stanza.Pipeline(self.language, dir=folder, processors="tokenize,ner", download_method=None,
                                       verbose=False, **({"device": self.device} if self.device else {}))
        except Exception as error:  # stanza raises bare Exceptions and FileNotFoundErrors for missing models
            raise BaselineUnavailable(f"Stanza's Chinese models are not installed {where} ({one_line(error, 100)}): "
                                      f"{self.requires}") from None
        types = entity_types(sorted(pipeline.processors["ner"].get_known_tags()))
        preset, mapping = choose_label_map(types, self.given_map)
        self.native_labels, self.label_map = types, mapping
        self.views = views_for(mapping.values())
        self.version = f"{Path(self.directory).name if self.directory else self.language} ({preset} labels; " \
                       f"stanza {self.version})"
        return pipeline

    def _tag_pieces(self, pieces: Sequence[str]) -> list[list[Span]]:
        from stanza import Document

        documents = self._model([Document([], text=piece) for piece in pieces])
        return [[Span(entity.start_char, entity.end_char, self.label_map[entity.type])
                 for entity in document.ents if entity.type in self.label_map]
                for document in documents]


def create(language: str, **options: Any) -> StanzaTagger:
    """The ``stanza:`` spec's factory."""
    accepted = {k: v for k, v in options.items()
                if k in ("label_map", "device", "normalize_punctuation") and v is not None}
    return StanzaTagger(language, **accepted)
