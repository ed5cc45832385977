"""spaCy ``DocBin`` (``.spacy``) export, ready for ``spacy train``.

Tokens are single characters (the unit the gold and the ``ner`` config use), so
every gold span is a token span and ``doc.char_span`` never fails to align;
``spacy train`` with a blank ``zh`` pipeline (character segmentation, its
default) tokenizes raw text the same way. Each ``Doc`` is one sentence or one
whole document (``unit``); document ``Doc``s keep the newlines as tokens.
Overlapping spans (the ``nested`` view) cannot be ``doc.ents``: they go to the
span group ``doc.spans["sc"]``, which spaCy's ``spancat`` trains on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.document import Document, Span
from zhnerbench.offsets import sentence_at
from zhnerbench.views import overlapping_pair

if TYPE_CHECKING:
    from spacy.tokens import DocBin

UNITS = ("sentence", "document")


def _require_spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise ZhNerBenchError("the spacy export needs spaCy: pip install 'zhnerbench[spacy]'") from None
    return spacy


def spans_to_docbin(document: Document, spans: list[Span], unit: str = "sentence") -> DocBin:
    """A ``DocBin`` of character-tokenized ``Doc``s with ``spans`` as ``doc.ents`` (or, when
    they overlap, as the span group ``doc.spans["sc"]``)."""
    spacy = _require_spacy()
    from spacy.tokens import Doc, DocBin

    if unit not in UNITS:
        raise ZhNerBenchError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
    vocab = spacy.blank("zh").vocab
    nested = overlapping_pair(spans) is not None
    if unit == "sentence":
        pieces = [(s.start, s.end) for s in document.sentences]
        starts = [s.start for s in document.sentences]
        groups: list[list[Span]] = [[] for _ in pieces]
        for span in spans:
            index = sentence_at(starts, span.start)
            groups[index].append(Span(span.start - starts[index], span.end - starts[index], span.label))
    else:
        pieces, groups = [(0, len(document.text))], [sorted(spans)]
    docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=True)
    for (start, end), local in zip(pieces, groups, strict=True):
        characters = list(document.text[start:end])
        doc = Doc(vocab, words=characters, spaces=[False] * len(characters))
        entities = []
        for span in sorted(local):
            entity = doc.char_span(span.start, span.end, label=span.label)
            if entity is None:  # cannot happen with one token per character; guard the invariant
                raise ZhNerBenchError(f"span [{span.start},{span.end}) does not align with the tokens")
            entities.append(entity)
        if nested:
            doc.spans["sc"] = entities
        else:
            doc.ents = entities
        doc.user_data["zhnerbench"] = {"doc_id": document.id, "start": start}
        docbin.add(doc)
    return docbin
