"""Fingerprints of the gold: a digest of everything scoring reads from a document.

A record, a verdict or a Hub result names the fingerprint of the gold it was scored against;
another fingerprint means the gold changed since.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from zhnerbench.digests import tagged_sha256
from zhnerbench.document import Document

def gold_fingerprint(gold: Document) -> str:
    """A digest of everything scoring reads from the gold: text, sentences, mentions, relations.
    A record scored against another fingerprint is out of date (``--rescore`` fixes it)."""
    known = _FINGERPRINTS.get(id(gold))
    if known is not None and known[0] is gold:
        return known[1]
    content = [
        gold.id, gold.text, [(s.start, s.end) for s in gold.sentences],
        sorted((m.start, m.end, m.label, m.entity, m.parent or "") for m in gold.all_mentions),
        [(r.head, r.relation, r.tail, list(r.evidence)) for r in gold.relations],
    ]
    fingerprint = tagged_sha256(json.dumps(content, ensure_ascii=False))[:23]
    if len(_FINGERPRINTS) >= MAX_FINGERPRINTS:
        _FINGERPRINTS.clear()
    _FINGERPRINTS[id(gold)] = (gold, fingerprint)
    return fingerprint


#: Fingerprints by document object (documents are immutable; a board asks for those of the same
#: article and copies hundreds of times), each with its document so that a reused id never matches.
_FINGERPRINTS: dict[int, tuple[Document, str]] = {}
MAX_FINGERPRINTS = 128


def copies_fingerprint(copies: Sequence[Document]) -> str:
    """:func:`gold_fingerprint` of a sequence of documents (the counterfactual copies a record
    was scored on)."""
    return tagged_sha256(json.dumps([gold_fingerprint(copy) for copy in copies]))[:23]
