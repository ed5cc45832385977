"""Reading a chat model's answer as models really give it: one rule for every LLM task.

A model's message may carry its reasoning as well as its answer: in ``<think>…</think>`` (or
``<thinking>``, ``<reasoning>``) blocks inside the content, as DeepSeek-R1, Qwen3 and QwQ
write it unless the server strips it, with the opening tag sometimes in the prompt's template
rather than the answer (only ``</think>`` appears), or in a field of its own beside the content
(``reasoning_content``, DeepSeek's API and vLLM's; ``reasoning``, vLLM's newer one). The rule:

* **Reasoning is never read.** Think blocks are cut out of the content; a reasoning field is
  only noted. What is left is the *final answer*.
* **The last JSON value of the final answer that fits the task's schema is the answer**
  (:func:`last_fitting_value`): fences, prose and drafts around it are ignored, and a draft
  before it does not count.
* **Anything else is counted, never guessed**: an answer the server stopped at the token limit
  (``finish_reason: "length"``) is :data:`TRUNCATED`, whatever it holds; one whose final
  answer has no fitting JSON value (no JSON, a reasoning block that never closes, reasoning
  only) is :data:`UNPARSEABLE`.

:func:`read_answer` is a pure function of what the server sent (the content, the reasoning
field, the finish reason) and the schema: the NER and relation adapters use it, and so can
any other harness that asks a chat model for JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import NamedTuple

#: The answer was stopped by the token limit (``finish_reason == "length"``): never read.
TRUNCATED = "truncated"
#: The final answer holds no JSON value that fits the schema.
UNPARSEABLE = "unparseable"
#: How many places a JSON value may fail to be read at (each try may read far): prose with
#: more brackets than this that start no JSON value is unparseable.
MAX_FAILED_STARTS = 256

#: The tags reasoning models wrap their reasoning in (case-insensitive).
_TAG = re.compile(r"<(/?)(think|thinking|reasoning)>", re.IGNORECASE)
_STARTS = re.compile(r"[{\[]")
#: What follows a start nested deeper than Python's stack: more of the same depth, skipped at once.
_OPENERS = re.compile(r"[{\[\s]*")

#: Whether a decoded JSON value is an answer of the task.
Fits = Callable[[object], bool]


class Reading(NamedTuple):
    """What an answer says: its fitting value (``None`` when it has none) or why it has none,
    whether it carried reasoning, and its final answer (the content without reasoning)."""

    value: object
    failure: str | None
    reasoning: bool
    final: str


def split_reasoning(content: str) -> tuple[str, bool, bool]:
    """``(final answer, whether there was reasoning, whether a reasoning block never closed)``:
    the content without its think blocks. A closing tag before any opening one ends reasoning
    whose opening tag was in the prompt (Qwen3's and DeepSeek-R1's templates); an opening tag
    that never closes hides the rest of the content.

    >>> split_reasoning('<think>draft {"entities": []}</think>\\n{"entities": [1]}')
    ('\\n{"entities": [1]}', True, False)
    >>> split_reasoning('draft</think>answer'), split_reasoning('<THINKING>still thinking')
    (('answer', True, False), ('', True, True))
    >>> split_reasoning('{"entities": []}')
    ('{"entities": []}', False, False)
    """
    tags = list(_TAG.finditer(content))
    if not tags:
        return content, False, False
    kept: list[str] = []
    at = 0
    first_open = next((tag for tag in tags if not tag.group(1)), None)
    closes = [tag for tag in tags if tag.group(1) and (first_open is None or tag.start() < first_open.start())]
    if closes:  # reasoning opened by the prompt: everything up to its last closing tag
        at = closes[-1].end()
    open_tag: re.Match[str] | None = None
    for tag in tags:
        if tag.start() < at:
            continue
        if open_tag is None and not tag.group(1):
            kept.append(content[at:tag.start()])
            open_tag = tag
        elif open_tag is not None and tag.group(1) and tag.group(2).lower() == open_tag.group(2).lower():
            at, open_tag = tag.end(), None
    if open_tag is not None:
        return "".join(kept), True, True
    kept.append(content[at:])
    return "".join(kept), True, False


def last_fitting_value(text: str, fits: Fits) -> object:
    """The last JSON value in ``text`` that ``fits``; ``None`` when none does. Values are read
    where an object or array starts, left to right, each one read whole skipped over (its inner
    values are parts of it, not answers).

    >>> is_answer = lambda value: isinstance(value, dict) and "entities" in value
    >>> last_fitting_value('初稿 {"entities": []} 终稿：```json\\n{"entities": [1]}\\n```', is_answer)
    {'entities': [1]}
    >>> last_fitting_value('{"entities": [1], "note": "cut', is_answer) is None
    True
    """
    decoder = json.JSONDecoder()
    found: object = None
    failed = 0
    match = _STARTS.search(text)
    while match is not None and failed < MAX_FAILED_STARTS:  # each failed try may read far: a bounded number
        try:
            value, end = decoder.raw_decode(text, match.start())
        except ValueError:  # not JSON there
            failed += 1
            match = _STARTS.search(text, match.start() + 1)
            continue
        except RecursionError:  # nested deeper than Python's stack: so is every bracket after it
            failed += 1
            opened = _OPENERS.match(text, match.start())
            match = _STARTS.search(text, opened.end() if opened is not None else match.start() + 1)
            continue
        if fits(value):
            found = value
        match = _STARTS.search(text, end)
    return found


def read_answer(content: str | None, reasoning: str | None, finish_reason: str | None, fits: Fits) -> Reading:
    """An answer read by the rule of the module doc: its value, or :data:`TRUNCATED` or
    :data:`UNPARSEABLE`.

    >>> is_answer = lambda value: isinstance(value, dict) and "entities" in value
    >>> read_answer('<think>{"entities": []}</think>{"entities": [1]}', None, "stop", is_answer)
    Reading(value={'entities': [1]}, failure=None, reasoning=True, final='{"entities": [1]}')
    >>> read_answer('{"entities": [1]}', "先想一想", "length", is_answer)
    Reading(value=None, failure='truncated', reasoning=True, final='{"entities": [1]}')
    >>> read_answer('<think>{"entities": [1]}', None, "stop", is_answer).failure
    'unparseable'
    """
    final, in_content, _ = split_reasoning(content or "")
    carried = in_content or bool(reasoning and reasoning.strip())
    if finish_reason == "length":
        return Reading(None, TRUNCATED, carried, final)
    value = last_fitting_value(final, fits)
    return Reading(value, None if value is not None else UNPARSEABLE, carried, final)


def list_answer(key: str, item_key: str) -> Fits:
    """The schema of a list answer: an object whose ``key`` is a list, or a bare list of objects
    each with an ``item_key`` (``[]`` too: no items).

    >>> fits = list_answer("entities", "text")
    >>> fits({"entities": []}), fits([{"text": "张三", "label": "PERSON"}]), fits([]), fits([1]), fits({"entities": "无"})
    (True, True, True, False, False)
    """
    def fits(value: object) -> bool:
        if isinstance(value, dict):
            return isinstance(value.get(key), list)
        return isinstance(value, list) and all(isinstance(item, dict) and item_key in item for item in value)

    return fits


def list_items(value: object, key: str) -> list[object]:
    """The items of a value :func:`list_answer` accepted (``[]`` for anything else).

    >>> list_items({"entities": [1]}, "entities"), list_items([2], "entities"), list_items(None, "entities")
    ([1], [2], [])
    """
    if isinstance(value, dict):
        items = value.get(key)
        return list(items) if isinstance(items, list) else []
    return list(value) if isinstance(value, list) else []
