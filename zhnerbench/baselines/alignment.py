"""Where in a text are the entity strings a model returned? Pure string-to-offset alignment.

A generative model (an LLM) answers with entity *strings*, not offsets. This module places
them in the chunk of text they were extracted from, with one documented policy, so that
every adapter that needs it aligns the same way:

1. Items are aligned **left to right in the order given** (the prompt asks for order of
   appearance).
2. Each string is cleaned first: surrounding whitespace is stripped, and surrounding
   ``《》`` are removed (the guidelines never include them in a span). If the cleaned string
   does not occur in the text at all, surrounding quotes (``“”``, ``""``, ``‘’``, ``''``,
   ``「」``, ``『』``) are removed too; otherwise the string is kept as given.
3. An **occurrence** is a (start, end) position of that exact string; each one is used at
   most once. An item takes the first unused occurrence that starts at or after the end of
   the previous aligned item's match, else the first unused occurrence anywhere (a model
   that lists a mention out of order still finds it).
4. An item found nowhere, or whose occurrences are all used (a third ``南京`` where the
   text has two), is returned in ``unaligned``: nothing is dropped silently.

Spans are returned in item order, as found: two different strings may overlap (``上海市``
and ``上海`` at the same place). Choosing among overlapping spans is the caller's decision
(a flat output keeps the first, see :func:`drop_overlapping`).
"""

from __future__ import annotations

from collections.abc import Sequence

from zhnerbench.document import Span

#: Quote pairs removed from around an entity string only when the quoted string is absent.
QUOTE_PAIRS: tuple[tuple[str, str], ...] = (
    ("“", "”"), ('"', '"'), ("‘", "’"), ("'", "'"), ("「", "」"), ("『", "』"),
)


def _unwrap(string: str, pairs: Sequence[tuple[str, str]]) -> str:
    """``string`` without the surrounding pairs of ``pairs`` (repeatedly), stripped of whitespace.

    >>> _unwrap(" 《“数据法”》 ", [("《", "》"), ("“", "”")])
    '数据法'
    """
    string = string.strip()
    changed = True
    while changed:
        changed = False
        for opening, closing in pairs:
            if len(string) > len(opening) + len(closing) and string.startswith(opening) and string.endswith(closing):
                string = string[len(opening):-len(closing)].strip()
                changed = True
    return string


def clean_entity_string(string: str, text: str) -> str:
    """The form of a model's entity string that is looked up in ``text`` (policy point 2).

    >>> clean_entity_string(" 《数据安全法》", "通过《数据安全法》")
    '数据安全法'
    >>> clean_entity_string("“十四五”", "“十四五”期间")  # present with its quotes: kept
    '“十四五”'
    >>> clean_entity_string("“浦东”", "浦东新区")
    '浦东'
    """
    string = _unwrap(string, [("《", "》")])
    if string and string not in text:
        string = _unwrap(string, QUOTE_PAIRS)
    return string


def occurrences(text: str, string: str) -> list[int]:
    """Start offsets of every occurrence of ``string`` in ``text``, overlapping ones included.

    >>> occurrences("哈哈哈", "哈哈")
    [0, 1]
    >>> occurrences("abc", "")
    []
    """
    if not string:
        return []
    found: list[int] = []
    start = text.find(string)
    while start >= 0:
        found.append(start)
        start = text.find(string, start + 1)
    return found


def align_strings(
    text: str, items: Sequence[tuple[str, str]]
) -> tuple[list[Span], list[tuple[str, str]]]:
    """Spans of the ``(entity string, label)`` items in ``text``, and the items that found no place.

    See the module documentation for the policy. A string that occurs twice can be used
    twice; a third mention of it is unaligned, and so is a string that is not in the text:

    >>> spans, unaligned = align_strings("南京和苏州,南京", [("南京", "GPE"), ("苏州", "GPE"), ("南京", "GPE"),
    ...                                                ("南京", "GPE"), ("杭州", "GPE")])
    >>> spans
    [Span(start=0, end=2, label='GPE'), Span(start=3, end=5, label='GPE'), Span(start=6, end=8, label='GPE')]
    >>> unaligned
    [('南京', 'GPE'), ('杭州', 'GPE')]

    An item listed out of order still finds its first unused occurrence:

    >>> align_strings("张三见李四", [("李四", "PERSON"), ("张三", "PERSON")])[0]
    [Span(start=3, end=5, label='PERSON'), Span(start=0, end=2, label='PERSON')]
    """
    spans: list[Span] = []
    unaligned: list[tuple[str, str]] = []
    used: dict[str, set[int]] = {}
    previous_end = 0
    for raw, label in items:
        string = clean_entity_string(raw, text)
        taken = used.setdefault(string, set())
        free = [start for start in occurrences(text, string) if start not in taken]
        if not free:
            unaligned.append((raw, label))
            continue
        start = next((start for start in free if start >= previous_end), free[0])
        taken.add(start)
        previous_end = start + len(string)
        spans.append(Span(start, previous_end, label))
    return spans, unaligned


def drop_overlapping(spans: Sequence[Span]) -> tuple[list[Span], list[Span]]:
    """``spans`` split into those kept for a flat output and those overlapping an earlier kept one.

    >>> drop_overlapping([Span(0, 3, "ORG"), Span(0, 2, "GPE"), Span(3, 5, "PERSON")])
    ([Span(start=0, end=3, label='ORG'), Span(start=3, end=5, label='PERSON')], [Span(start=0, end=2, label='GPE')])
    """
    kept: list[Span] = []
    dropped: list[Span] = []
    for span in spans:
        if any(span.start < other.end and other.start < span.end for other in kept):
            dropped.append(span)
        else:
            kept.append(span)
    return kept, dropped
