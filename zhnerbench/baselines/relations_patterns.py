"""Relation baseline (b): generic patterns of Chinese news reports.

Each rule is a general construction of news Chinese, keyed on function words and
verbs (never on names of this benchmark's article), applied to the mentions it is
given:

============================  ==================================================  =============
construction                  rule                                                 relation
============================  ==================================================  =============
title–person apposition       ``TITLE[、TITLE…]PERSON`` or ``PERSON TITLE``,        ``has_title``
                              adjacent
organisation before titles    ``ORG TITLE… PERSON`` (or ``ORG PERSON TITLE``); the  ``member_of``
                              ORG scopes over the titled persons that follow, up
                              to the next clause break or ORG
``签署《…》``                  the clause's PERSONs (else ORGs) before 签署/签订    ``signs``
                              sign the LAW after it
``A与B签署/签约/…``            each member of side A with each member of side B     ``partner_of``
                              (PERSONs, else ORGs, on each side)
``发布《…》``                  the clause's ORGs/EVENTs before 发布 publish the     ``publishes``
                              LAW/WORK_OF_ART after it
``主办/承办/协办`` lists       every ORG of a clause holding the cue organizes the  ``organizes``
                              sentence's EVENT (else the document's first EVENT:
                              a report's bare "the event" is its main event)
``在…召开/举行``               the EVENT before 在 is held at the FAC/GPE between   ``held_at``
                              在 and the verb, and on the sentence's DATE/TIME     ``held_on``
``在EVENT上致辞/指出…``        the PERSON before 在 speaks at that EVENT; also a    ``speaks_at``
                              PERSON and an EVENT in a clause with 致辞/演讲/报告
============================  ==================================================  =============

Clauses are the parts of a sentence between ``，,；;`` (the colon does not break a
clause: it introduces lists of organisers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from zhnerbench.baselines.relations_common import Triple, mentions_by_sentence, unique
from zhnerbench.document import PredictedRelation, Sentence, Span

_CLAUSE_BREAK = re.compile(r"[，,；;]")
_SIGN = re.compile(r"签署|签订")
_PARTNER = re.compile(r"签署|签订|签约|组成|共建|合作")
_WITH = re.compile(r"与|同")
_PUBLISH = re.compile(r"发布")
_ORGANIZE = re.compile(r"主办|承办|协办")
_HELD = re.compile(r"召开|举行|举办|开幕")
_SPEECH = re.compile(r"致辞|讲话|发言|演讲|报告|指出")
_AT_EVENT = re.compile(r"在$")
_TITLE_JOINERS = {"", "、", "和", "兼"}

Rule = Iterator[Triple]


def clauses(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """Offsets of the clauses of a sentence.

    >>> clauses("甲，乙；丙", Sentence(0, 0, 5, 0))
    [(0, 1), (2, 3), (4, 5)]
    """
    bounds, start = [], sentence.start
    for match in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, sentence.end))
    return [(s, e) for s, e in bounds if e > s]


def _inside(mentions: Sequence[Span], start: int, end: int, labels: set[str] | None = None) -> list[Span]:
    return [m for m in mentions if start <= m.start and m.end <= end and (labels is None or m.label in labels)]


def _persons_else_orgs(mentions: Sequence[Span]) -> list[Span]:
    persons = [m for m in mentions if m.label == "PERSON"]
    return persons or [m for m in mentions if m.label == "ORG"]


def _title_chain_before(text: str, mentions: Sequence[Span], index: int) -> list[Span]:
    """TITLE mentions immediately before ``mentions[index]``, joined by nothing or 、/和/兼."""
    chain, cursor = [], mentions[index].start
    for previous in reversed(mentions[:index]):
        if previous.label != "TITLE" or previous.end > cursor or text[previous.end:cursor] not in _TITLE_JOINERS:
            break
        chain.append(previous)
        cursor = previous.start
    return chain


def titles(text: str, mentions: Sequence[Span]) -> Rule:
    """``has_title`` from apposition.

    >>> text = "副市长张三、李四院士"
    >>> m = [Span(0, 3, "TITLE"), Span(3, 5, "PERSON"), Span(6, 8, "PERSON"), Span(8, 10, "TITLE")]
    >>> [(text[r.head.start:r.head.end], text[r.tail.start:r.tail.end]) for r in titles(text, m)]
    [('张三', '副市长'), ('李四', '院士')]
    """
    for index, mention in enumerate(mentions):
        if mention.label != "PERSON":
            continue
        for title in _title_chain_before(text, mentions, index):
            yield Triple(mention, "has_title", title)
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if following is not None and following.label == "TITLE" and following.start == mention.end:
            yield Triple(mention, "has_title", following)


def memberships(text: str, mentions: Sequence[Span]) -> Rule:
    """``member_of``: an ORG directly followed by a title or a person scopes over titled persons.

    >>> text = "某某委主任张三、总工程师李四，王五"
    >>> m = [Span(0, 3, "ORG"), Span(3, 5, "TITLE"), Span(5, 7, "PERSON"), Span(8, 12, "TITLE"),
    ...      Span(12, 14, "PERSON"), Span(15, 17, "PERSON")]
    >>> [text[r.head.start:r.head.end] for r in memberships(text, m)]
    ['张三', '李四']
    """
    for index, org in enumerate(mentions):
        if org.label != "ORG" or index + 1 >= len(mentions):
            continue
        following = mentions[index + 1]
        if following.start != org.end or following.label not in ("TITLE", "PERSON"):
            continue
        for position in range(index + 1, len(mentions)):
            mention = mentions[position]
            if mention.label == "ORG" or _CLAUSE_BREAK.search(text, org.end, mention.start):
                break
            if mention.label != "PERSON":
                continue
            after = mentions[position + 1] if position + 1 < len(mentions) else None
            titled_after = after is not None and after.label == "TITLE" and after.start == mention.end
            if _title_chain_before(text, mentions, position) or titled_after:
                yield Triple(mention, "member_of", org)


def _cue_rules(text: str, mentions: Sequence[Span], start: int, end: int) -> Rule:
    clause = _inside(mentions, start, end)
    for cue in _SIGN.finditer(text, start, end):
        agents = _persons_else_orgs([m for m in clause if m.end <= cue.start()])
        for law in (m for m in clause if m.label == "LAW" and m.start >= cue.end()):
            for agent in agents:
                yield Triple(agent, "signs", law)
    for cue in _PARTNER.finditer(text, start, end):
        joint = [w for w in _WITH.finditer(text, start, cue.start())]
        if not joint:
            continue
        split = joint[0]
        side_a = _persons_else_orgs([m for m in clause if m.end <= split.start()])
        side_b = _persons_else_orgs([m for m in clause if m.start >= split.end() and m.end <= cue.start()])
        for a in side_a:
            for b in side_b:
                yield Triple(a, "partner_of", b)
        break  # one coordination per clause: later cues repeat the same sides
    for cue in _PUBLISH.finditer(text, start, end):
        publishers = [m for m in clause if m.end <= cue.start() and m.label in ("ORG", "EVENT")]
        for work in (m for m in clause if m.start >= cue.end() and m.label in ("LAW", "WORK_OF_ART")):
            for publisher in publishers:
                yield Triple(publisher, "publishes", work)


def _sentence_rules(text: str, sentence: Sentence, mentions: Sequence[Span], main_event: Span | None) -> Rule:
    events = [m for m in mentions if m.label == "EVENT"]
    for start, end in clauses(text, sentence):
        yield from _cue_rules(text, mentions, start, end)
        if _ORGANIZE.search(text, start, end):
            event = events[0] if events else main_event
            for org in _inside(mentions, start, end, {"ORG"}):
                if event is not None:
                    yield Triple(org, "organizes", event)
        speech = _SPEECH.search(text, start, end)
        if speech:
            clause = _inside(mentions, start, end)
            for person in (m for m in clause if m.label == "PERSON" and m.end <= speech.start()):
                for event in (m for m in clause if m.label == "EVENT"):
                    yield Triple(person, "speaks_at", event)
    for held in _HELD.finditer(text, sentence.start, sentence.end):
        at = text.rfind("在", sentence.start, held.start())
        if at < 0:
            continue
        before = [m for m in events if m.end <= at]
        if not before:
            continue
        event = before[-1]
        for place in _inside(mentions, at + 1, held.start(), {"FAC", "GPE"}):
            yield Triple(event, "held_at", place)
        for when in (m for m in mentions if m.label in ("DATE", "TIME") and m.end <= event.start):
            yield Triple(event, "held_on", when)
    for event in events:
        # 在EVENT上 + speech verb: the person before 在 speaks at the event.
        if not _AT_EVENT.search(text, sentence.start, event.start) or text[event.end:event.end + 1] != "上":
            continue
        if not _SPEECH.search(text, event.end, sentence.end):
            continue
        persons = [m for m in mentions if m.label == "PERSON" and m.end <= event.start - 1]
        if persons:
            yield Triple(persons[-1], "speaks_at", event)


def predict_patterns(text: str, sentences: Sequence[Sentence], mentions: Sequence[Span]) -> list[PredictedRelation]:
    """Relations found by the generic news patterns, one sentence at a time.

    >>> text = "甲公司与乙公司签署《合作协议》。"
    >>> m = [Span(0, 3, "ORG"), Span(4, 7, "ORG"), Span(10, 14, "LAW")]
    >>> [(r.relation, text[r.head.start:r.head.end], text[r.tail.start:r.tail.end])
    ...  for r in predict_patterns(text, (Sentence(0, 0, 16, 0),), m)]
    [('signs', '甲公司', '合作协议'), ('signs', '乙公司', '合作协议'), ('partner_of', '甲公司', '乙公司')]
    """
    all_events = sorted(m for m in mentions if m.label == "EVENT")
    main_event = all_events[0] if all_events else None
    predicted: list[Triple] = []
    for sentence, in_sentence in zip(sentences, mentions_by_sentence(sentences, mentions), strict=True):
        predicted.extend(titles(text, in_sentence))
        predicted.extend(memberships(text, in_sentence))
        predicted.extend(_sentence_rules(text, sentence, in_sentence, main_event))
    return unique(predicted)
