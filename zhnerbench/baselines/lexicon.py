"""Word-level knowledge for the character taggers trained here: jieba's segmentation and POS tags.

A character tagger sees characters; where a word begins and ends, and whether jieba's
dictionary (which ships inside the ``jieba`` package, so nothing is downloaded) calls it a
person (``nr``), a place (``ns``) or an organisation (``nt``), is what it cannot learn from
48,000 sentences alone. These "softword" features (the "char + softword" baselines of Zhang
and Yang 2018, "Chinese NER Using Lattice LSTM") are the standard remedy. The tokenizer is
built without writing ``jieba.cache``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def jieba_pos_tokenizer() -> Any:
    """jieba's POS tokenizer over its bundled dictionary, with no cache file written (jieba's own
    ``initialize()`` writes ``jieba.cache`` into the temp directory)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)  # its "Building prefix dict" lines go to stderr otherwise
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True
    return jieba.posseg.POSTokenizer(tokenizer)


def softword_tags(words: Sequence[tuple[str, str]]) -> list[str]:
    """Each character's place in its word (``B``, ``M``, ``E``, or ``S`` for a one-character
    word) joined to the word's POS tag.

    >>> softword_tags([("上海", "ns"), ("的", "uj"), ("交通大学", "nt")])
    ['B-ns', 'E-ns', 'S-uj', 'B-nt', 'M-nt', 'M-nt', 'E-nt']
    """
    tags = []
    for word, flag in words:
        if len(word) == 1:
            tags.append(f"S-{flag}")
        else:
            tags += [f"B-{flag}", *[f"M-{flag}"] * (len(word) - 2), f"E-{flag}"]
    return tags


def jieba_words(text: str) -> list[tuple[str, str]]:
    """``text`` cut by jieba (dictionary plus HMM) into ``(word, POS tag)`` pairs that cover it
    exactly; an empty list for an empty text.

    >>> jieba_words("上海市经信委")[0]
    ('上海市', 'ns')
    """
    words = [(pair.word, pair.flag) for pair in jieba_pos_tokenizer().cut(text)]
    if "".join(word for word, _ in words) != text:  # jieba never drops characters; a new version might
        raise ValueError(f"jieba's words do not cover the text {text[:40]!r}")
    return words
