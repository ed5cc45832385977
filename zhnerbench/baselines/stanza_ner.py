"""``stanza:zh`` (or ``stanza:zh-hans``): Stanford Stanza's Chinese NER, OntoNotes 18 types.

Stanza downloads its models from its own server into ``$STANZA_RESOURCES_DIR``
(default ``~/stanza_resources``) with ``stanza.download("zh")``; this adapter never
downloads (``download_method=None``): where the models are absent, ``load()`` says
which command fetches them. Entities come with character offsets into the text and
OntoNotes type names, mapped as they are; scored in ``ontonotes`` and ``coarse``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhnerbench.baselines.base import BaselineUnavailable, ModelTagger, install_extra, one_line
from zhnerbench.document import Span
from zhnerbench.schema import ONTONOTES_LABELS


def download_command(language: str) -> str:
    """
    >>> download_command("zh")
    'pip install \\'zhnerbench[stanza]\\' && python -c "import stanza; stanza.download(\\'zh\\')"'
    """
    return f"{install_extra('stanza')} && python -c \"import stanza; stanza.download('{language}')\""


class StanzaTagger(ModelTagger):
    library = "stanza"
    modules = ("stanza",)
    native_labels: tuple[str, ...] = ONTONOTES_LABELS
    label_map: Mapping[str, str] = {label: label for label in ONTONOTES_LABELS}
    views: tuple[str, ...] = ("ontonotes", "coarse")

    def __init__(self, language: str = "zh", device: str | None = None, normalize_punctuation: bool = True) -> None:
        super().__init__(normalize_punctuation)
        self.language = language
        self.model = f"stanza {language}"
        self.name = f"stanza-{language}"
        self.requires = download_command(language)
        self.device = device

    def _load_model(self) -> Any:
        import stanza

        try:
            return stanza.Pipeline(self.language, processors="tokenize,ner", download_method=None, verbose=False,
                                   **({"device": self.device} if self.device else {}))
        except Exception as error:  # stanza raises bare Exceptions and FileNotFoundErrors for missing models
            raise BaselineUnavailable(f"Stanza's {self.language} models are not installed ({one_line(error, 100)}): "
                                      f"{self.requires}") from None

    def _predict(self, text: str) -> list[Span]:
        document = self._model(self.source(text))
        return [Span(entity.start_char, entity.end_char, self.label_map[entity.type])
                for entity in document.ents if entity.type in self.label_map]


def create(language: str, **options: Any) -> StanzaTagger:
    """The ``stanza:`` spec's factory."""
    accepted = {k: v for k, v in options.items() if k in ("device", "normalize_punctuation") and v is not None}
    return StanzaTagger(language, **accepted)
