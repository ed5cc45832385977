"""Relation scores over document-level triples ``(head entity, relation, tail entity)``.

Gold relations link entities (clusters of mentions); a system predicts
relations between argument spans. Two modes decide which gold entities an
argument can stand for:

* ``strict``: the argument's span equals one of the entity's mentions
  (start and end; the label plays no part).
* ``text`` (DuIE-style): the argument's text, normalised by
  :func:`normalize_argument_text`, equals the normalised text of any mention
  of the entity (any alias counts).

An argument that stands for no gold entity makes its relation a false
positive. Predicted relations are deduplicated (the same entity pair and type
predicted through different mentions counts once); ``partner_of`` (and any
relation in ``SYMMETRIC_RELATIONS``) matches in either direction. Predicted and
gold triples are then matched one to one (a maximum bipartite matching, which
only matters when an alias is shared by two entities): ``correct`` is the
number of matched pairs.

Evidence (DocRED-style), when predictions carry it: precision is the number
of gold evidence sentences that matched relations also cite, over the number
of evidence sentences of all predicted relations; recall is the same number
over the evidence sentences of all gold relations.

Intra- and inter-sentence scores (as Re-DocRED reports them): a gold relation is
intra-sentence when some sentence names both its entities (by mentions of either
layer), inter-sentence otherwise. A predicted triple falls on the side of the gold
relation it matches; an unmatched one on the side of its arguments: intra when some
sentence holds both (a mention of each argument's entity, or the argument span itself).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from zhnerbench.counts import Counts, total
from zhnerbench.document import Argument, Document, PredictedRelation, Relation
from zhnerbench.schema import RELATION_TYPES, SYMMETRIC_RELATIONS

if TYPE_CHECKING:
    from zhnerbench.eval.bootstrap import SentenceCounts

MODES: tuple[str, ...] = ("strict", "text")
_BRACKETS = "《》"
_QUOTE_PAIRS = (("“", "”"), ("‘", "’"), ('"', '"'), ("'", "'"), ("「", "」"), ("『", "』"))


def normalize_argument_text(text: str) -> str:
    """The text compared in ``text`` mode: no surrounding whitespace, ``《》`` or quote pair.

    Brackets are stripped one by one (gold mentions never include them);
    quotes only as a surrounding pair, so ``“十四五”规划纲要`` keeps its quotes.

    >>> normalize_argument_text(" 《2021上海产业技术创新发展报告》")
    '2021上海产业技术创新发展报告'
    >>> normalize_argument_text("“创新主引擎”"), normalize_argument_text("“十四五”规划纲要")
    ('创新主引擎', '“十四五”规划纲要')
    """
    previous = None
    while previous != text:
        previous = text
        text = text.strip().strip(_BRACKETS)
        for opening, closing in _QUOTE_PAIRS:
            if len(text) >= 2 and text[0] == opening and text[-1] == closing:
                text = text[1:-1]
    return text


def entity_aliases(document: Document) -> dict[str, frozenset[str]]:
    """Normalised texts of the mentions (of both layers) of each gold entity.

    >>> from zhnerbench.gold.article import document_from_text
    >>> from zhnerbench.document import Mention, Entity
    >>> doc = document_from_text("标题 2022年07月22日\\n钟志华院士，钟院士。")
    >>> doc = Document(doc.id, doc.title, doc.date, doc.language, doc.text, doc.lines, doc.sentences,
    ...                (Mention("M001", 16, 19, "PERSON", "E001", "钟志华"), Mention("M002", 22, 23, "PERSON", "E001", "钟")),
    ...                (Entity("E001", "PERSON", "钟志华", ("M001", "M002")),))
    >>> sorted(entity_aliases(doc)["E001"])
    ['钟', '钟志华']
    """
    texts = {m.id: normalize_argument_text(m.text) for m in document.mentions + document.inner_mentions}
    return {entity.id: frozenset(texts[m] for m in entity.mentions) for entity in document.entities}


ArgumentKey = tuple[str, ...]


def _resolve(document: Document, mode: str) -> Callable[[Argument], ArgumentKey]:
    by_span: dict[tuple[int, int], str] = {(m.start, m.end): m.entity for m in document.mentions + document.inner_mentions}
    by_text: dict[str, set[str]] = {}
    for entity_id, aliases in entity_aliases(document).items():
        for alias in aliases:
            by_text.setdefault(alias, set()).add(entity_id)

    def resolve(argument: Argument) -> ArgumentKey:
        if mode == "strict":
            entity = by_span.get((argument.start, argument.end))
            return ("entity", entity) if entity else ("span", str(argument.start), str(argument.end))
        text = normalize_argument_text(document.text[argument.start:argument.end])
        entities = sorted(by_text.get(text, ()))
        return ("entity", *entities) if entities else ("text", text)

    return resolve


def _max_matching(candidates: Sequence[Sequence[int]]) -> dict[int, int]:
    """Maximum bipartite matching (Kuhn's algorithm): left index -> right index."""
    owner: dict[int, int] = {}

    def augment(left: int, seen: set[int]) -> bool:
        for right in candidates[left]:
            if right in seen:
                continue
            seen.add(right)
            if right not in owner or augment(owner[right], seen):
                owner[right] = left
                return True
        return False

    for left in range(len(candidates)):
        augment(left, set())
    return {left: right for right, left in owner.items()}


@dataclass(frozen=True)
class RelationScores:
    """Micro and per-type scores of one mode, and evidence scores when predictions carry evidence."""

    mode: str
    micro: Counts
    per_type: Mapping[str, Counts]
    evidence: Counts | None
    intra: Counts = Counts()
    inter: Counts = Counts()


def _canonical(relation: str, head: ArgumentKey, tail: ArgumentKey) -> tuple[ArgumentKey, str, ArgumentKey]:
    if relation in SYMMETRIC_RELATIONS and tail < head:
        head, tail = tail, head
    return head, relation, tail


def _compatible(key: tuple[ArgumentKey, str, ArgumentKey], gold: Relation) -> bool:
    head, relation, tail = key
    if relation != gold.relation:
        return False

    def stands_for(argument: ArgumentKey, entity: str) -> bool:
        return argument[0] == "entity" and entity in argument[1:]

    if stands_for(head, gold.head) and stands_for(tail, gold.tail):
        return True
    return relation in SYMMETRIC_RELATIONS and stands_for(head, gold.tail) and stands_for(tail, gold.head)


def _gold_index(gold: Sequence[Relation]) -> dict[tuple[str, str], list[int]]:
    """Positions of the gold relations by (type, head entity); symmetric ones under both arguments."""
    index: dict[tuple[str, str], list[int]] = {}
    for position, relation in enumerate(gold):
        index.setdefault((relation.relation, relation.head), []).append(position)
        if relation.relation in SYMMETRIC_RELATIONS:
            index.setdefault((relation.relation, relation.tail), []).append(position)
    return index


def _candidates(
    key: tuple[ArgumentKey, str, ArgumentKey], gold: Sequence[Relation], index: Mapping[tuple[str, str], list[int]]
) -> list[int]:
    """The gold relations a predicted triple may match, looked up instead of scanned (linear in the
    number of predictions, not quadratic)."""
    head, relation, tail = key
    found: set[int] = set()
    for argument in (head, tail) if relation in SYMMETRIC_RELATIONS else (head,):
        if argument[0] == "entity":
            for entity in argument[1:]:
                found.update(index.get((relation, entity), ()))
    return sorted(position for position in found if _compatible(key, gold[position]))


def _sentences_of(document: Document) -> Callable[..., frozenset[int]]:
    """The sentences that name an argument: those of its entity's mentions, else of its own span."""
    from zhnerbench.gold.annotation_files import naming_sentences
    from zhnerbench.offsets import sentence_at

    naming = naming_sentences(document)
    starts = [sentence.start for sentence in document.sentences]

    def sentences(argument: ArgumentKey | str, span: Argument | None = None) -> frozenset[int]:
        # An entity id (a gold argument), or a resolved predicted argument with its span.
        if isinstance(argument, str):
            return frozenset(naming.get(argument, ()))
        if argument[0] == "entity":
            return frozenset(sentence for entity in argument[1:] for sentence in naming.get(entity, ()))
        return frozenset({sentence_at(starts, span.start)}) if span is not None else frozenset()

    return sentences


@dataclass(frozen=True)
class DocumentMatching:
    """One document's predicted triples (deduplicated keys, in first-seen order) matched to its
    gold relations: what every relation score counts."""

    keys: list[tuple[ArgumentKey, str, ArgumentKey]]
    #: The first prediction of each key (its arguments' spans).
    first: list[PredictedRelation]
    #: Each key's cited evidence sentences (``None``: the prediction cites none).
    evidence: dict[tuple[ArgumentKey, str, ArgumentKey], set[int] | None]
    #: Whether some sentence names both arguments of a key.
    cooccur: dict[tuple[ArgumentKey, str, ArgumentKey], bool]
    gold: list[Relation]
    #: Key position -> the position of the gold relation it matches.
    matching: dict[int, int]
    any_evidence: bool


def _match_document(document: Document, predictions: Sequence[PredictedRelation], mode: str,
                    cooccurrence: bool = True) -> DocumentMatching:
    """The matching of one document (``cooccurrence``: also whether some sentence names both
    arguments of each key, which only the intra/inter split needs)."""
    resolve = _resolve(document, mode)
    sentences = _sentences_of(document) if cooccurrence else None
    predicted: dict[tuple[ArgumentKey, str, ArgumentKey], set[int] | None] = {}
    cooccur: dict[tuple[ArgumentKey, str, ArgumentKey], bool] = {}
    first: dict[tuple[ArgumentKey, str, ArgumentKey], PredictedRelation] = {}
    any_evidence = False
    for prediction in predictions:
        head, tail = resolve(prediction.head), resolve(prediction.tail)
        key = _canonical(prediction.relation, head, tail)
        first.setdefault(key, prediction)
        if sentences is not None:
            together = bool(sentences(head, prediction.head) & sentences(tail, prediction.tail))
            cooccur[key] = cooccur.get(key, False) or together
        if prediction.evidence is not None:
            any_evidence = True
            predicted[key] = (predicted.get(key) or set()) | set(prediction.evidence)
        else:
            predicted.setdefault(key, None)
    keys = list(predicted)
    gold = list(document.relations)
    index = _gold_index(gold)
    matching = _max_matching([_candidates(key, gold, index) for key in keys])
    return DocumentMatching(keys, [first[key] for key in keys], predicted, cooccur, gold, matching, any_evidence)


def relation_sentence_counts(document: Document, predictions: Sequence[PredictedRelation],
                             mode: str = "strict") -> SentenceCounts:
    """The micro counts of ``mode`` split over the document's sentences, for a bootstrap over
    sentences (one label, ``relation``): a gold relation, and the prediction that matches it,
    count in the gold's first evidence sentence; an unmatched prediction in the sentence its
    head argument starts in. The totals are the micro counts of :func:`score_relations`.

    >>> from zhnerbench.gold.article import document_from_text
    >>> relation_sentence_counts(document_from_text("标题 2022年07月22日\\n甲。"), ()).total()
    Counts(correct=0, predicted=0, gold=0)
    """
    from zhnerbench.eval.bootstrap import SentenceCounts
    from zhnerbench.offsets import sentence_at

    matched = _match_document(document, predictions, mode, cooccurrence=False)
    starts = [sentence.start for sentence in document.sentences]
    arrays = {name: np.zeros((len(document.sentences), 1), dtype=np.int64) for name in ("correct", "predicted", "gold")}

    def home(relation: Relation) -> int:
        # The benchmark's relations all have evidence; another corpus's may not.
        return relation.evidence[0] if relation.evidence else 0

    for relation in matched.gold:
        arrays["gold"][home(relation), 0] += 1
    for left, prediction in enumerate(matched.first):
        right = matched.matching.get(left)
        sentence = home(matched.gold[right]) if right is not None else sentence_at(starts, prediction.head.start)
        arrays["predicted"][sentence, 0] += 1
        arrays["correct"][sentence, 0] += right is not None
    return SentenceCounts(("relation",), arrays["correct"], arrays["predicted"], arrays["gold"])


def score_relations(
    pairs: Sequence[tuple[Document, Sequence[PredictedRelation]]], mode: str = "strict"
) -> RelationScores:
    """Score predicted relations against each gold document's relations in ``mode``.

    >>> from zhnerbench.gold.article import document_from_text
    >>> score_relations([(document_from_text("标题 2022年07月22日"), ())]).micro.f1
    0.0
    """
    if mode not in MODES:
        raise ValueError(f"unknown relation mode {mode!r} (known: {', '.join(MODES)})")
    per_type: dict[str, Counts] = defaultdict(Counts)
    evidence = Counts()
    intra, inter = Counts(), Counts()
    any_evidence = False
    for document, predictions in pairs:
        sentences = _sentences_of(document)
        matched = _match_document(document, predictions, mode)
        keys, predicted, cooccur, gold, matching = (matched.keys, matched.evidence, matched.cooccur, matched.gold,
                                                   matched.matching)
        any_evidence = any_evidence or matched.any_evidence
        for relation_type in {k[1] for k in keys} | {r.relation for r in gold}:
            per_type[relation_type] += Counts(
                sum(1 for left in matching if keys[left][1] == relation_type),
                sum(1 for key in keys if key[1] == relation_type),
                sum(1 for relation in gold if relation.relation == relation_type),
            )
        evidence += Counts(
            sum(len((predicted[keys[left]] or set()) & set(gold[right].evidence)) for left, right in matching.items()),
            sum(len(cited or ()) for cited in predicted.values()),
            sum(len(relation.evidence) for relation in gold),
        )
        gold_intra = [bool(sentences(relation.head) & sentences(relation.tail)) for relation in gold]
        predicted_intra = [gold_intra[matching[left]] if left in matching else cooccur[key] for left, key in enumerate(keys)]

        def side(wanted: bool) -> Counts:
            return Counts(sum(1 for right in matching.values() if gold_intra[right] is wanted),
                          sum(1 for flag in predicted_intra if flag is wanted),
                          sum(1 for flag in gold_intra if flag is wanted))

        intra, inter = intra + side(True), inter + side(False)
    order = {name: index for index, name in enumerate(RELATION_TYPES)}
    ordered = {name: per_type[name] for name in sorted(per_type, key=lambda n: (order.get(n, len(order)), n))}
    return RelationScores(mode, total(ordered.values()), ordered, evidence if any_evidence else None, intra, inter)
