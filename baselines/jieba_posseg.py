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

from typing import Any, Mapping

from zhnerbench.baselines.base import BaselineUnavailable, package_version, require_module, spans_from_tagged_tokens
from zhnerbench.baselines.normalize import tagger_input
from zhnerbench.model import Span

REQUIRES = "pip install 'zhnerbench[jieba]'"
JIEBA_LABEL_MAP: Mapping[str, str] = {
    "nr": "PERSON", "nrfg": "PERSON", "nrt": "PERSON", "ns": "GPE", "nt": "ORG", "t": "DATE",
}


class JiebaPossegTagger:
    name = "jieba-posseg"
    requires = REQUIRES
    native_labels: tuple[str, ...] = tuple(JIEBA_LABEL_MAP)
    label_map: Mapping[str, str] = JIEBA_LABEL_MAP
    views: tuple[str, ...] = ("coarse",)

    def __init__(self, normalize_punctuation: bool = True, hmm: bool = True) -> None:
        self.normalize_punctuation = normalize_punctuation
        self.hmm = hmm
        self.version = package_version("jieba")
        self._tokenizer: Any = None

    def load(self) -> None:
        require_module("jieba", REQUIRES)
        import jieba
        import jieba.posseg

        tokenizer = jieba.Tokenizer()
        # Built directly rather than through initialize(), which writes jieba.cache
        # into the temp directory: adapters write no files.
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
        tokenizer.initialized = True
        self._tokenizer = jieba.posseg.POSTokenizer(tokenizer)

    def predict(self, text: str) -> list[Span]:
        if self._tokenizer is None:
            raise BaselineUnavailable(f"{self.name}: call load() first")
        source = tagger_input(text, self.normalize_punctuation)
        tagged = [(pair.word, pair.flag) for pair in self._tokenizer.cut(source, HMM=self.hmm)]
        return spans_from_tagged_tokens(source, tagged, self.label_map)
