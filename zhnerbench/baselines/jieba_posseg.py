"""jieba ``posseg``: dictionary segmentation plus an HMM for unknown words, with POS tags.

jieba has no NER; its POS tags for proper nouns stand in for it:

==========  ===========================================  ==========
jieba tag   meaning                                      label
==========  ===========================================  ==========
``nr``      person name                                  PERSON
``nrfg``    person name (dictionary entries, often full)  PERSON
``nrt``     transliterated person name                   PERSON
``ns``      place name                                   GPE
``nt``      organisation name                            ORG
``t``       time word (今年, 上午, …)                     DATE
==========  ===========================================  ==========

``ns`` mixes GPE and LOC, and ``t`` mixes DATE and TIME, so the system is scored in
the coarse view only (where PERSON, GPE/LOC/FAC and ORG are compared); DATE
mentions are kept in the output for inspection but that view ignores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhnerbench.baselines.base import ModelTagger, install_extra, spans_from_tagged_tokens
from zhnerbench.baselines.lexicon import jieba_pos_tokenizer
from zhnerbench.document import Span

JIEBA_LABEL_MAP: Mapping[str, str] = {
    "nr": "PERSON", "nrfg": "PERSON", "nrt": "PERSON", "ns": "GPE", "nt": "ORG", "t": "DATE",
}


class JiebaPossegTagger(ModelTagger):
    name, library, modules = "jieba-posseg", "jieba", ("jieba",)
    requires = install_extra("jieba")
    native_labels, label_map = tuple(JIEBA_LABEL_MAP), JIEBA_LABEL_MAP

    def __init__(self, normalize_punctuation: bool = True, hmm: bool = True) -> None:
        super().__init__(normalize_punctuation)
        self.hmm = hmm

    def _load_model(self) -> Any:
        return jieba_pos_tokenizer()

    def _predict(self, text: str) -> list[Span]:
        source = self.source(text)
        tagged = [(pair.word, pair.flag) for pair in self._model.cut(source, HMM=self.hmm)]
        return spans_from_tagged_tokens(source, tagged, self.label_map)
