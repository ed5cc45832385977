"""A spaCy component that gives a character-token Chinese pipeline the inputs the literature gives
a character tagger: each token's bigram (as its ``NORM``) and its jieba softword (as its ``TAG``).

spaCy's ``MultiHashEmbed`` embeds token attributes; over single characters, ``PREFIX``,
``SUFFIX`` and ``SHAPE`` say nothing that ``ORTH`` does not. This component fills two
attributes that the pipeline's ``tok2vec`` can then embed (``attrs = ["ORTH", "NORM", "TAG"]``):

* ``NORM``: the character and the next one (``上海`` for ``上`` in ``上海市``; the last
  character of a text gets ``市</s>``), the bigram feature of character NER models;
* ``TAG``: the character's place in the word jieba cuts, joined to the word's POS tag
  (``B-ns``), the "softword" feature (see :mod:`zhnerbench.baselines.lexicon`).

It is registered as ``zhnerbench_char_features`` through the ``spacy_factories`` entry point,
so ``spacy.load`` finds it wherever zhnerbench is installed: a pipeline that uses it needs no
import of its own. Importing this module imports spaCy.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from zhnerbench.baselines.spacy_msra import char_features

FACTORY = "zhnerbench_char_features"

@Language.component(FACTORY)
def set_char_features(doc: Doc) -> Doc:
    """Set each token's ``norm_`` to its first character's bigram and its ``tag_`` to that
    character's softword tag (a character tokenizer gives one character per token)."""
    bigrams, softwords = char_features(doc.text)
    for token in doc:
        token.norm_ = bigrams[token.idx]
        token.tag_ = softwords[token.idx]
    return doc
