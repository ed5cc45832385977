"""The shapes chat models and their servers give one answer in: a versioned set of test data.

Each :class:`Shape` wraps the same answer (a JSON object such as ``{"entities": [...]}``) the
way a model or a server really returns it: fenced, in prose, after a ``<think>`` block that
holds a draft, with the reasoning in a field of its own (vLLM's and DeepSeek's
``reasoning_content``, vLLM's newer ``reasoning``), as a bare list, cut off at the token limit,
or inside reasoning that never closes. ``expected`` says what the rule of
:mod:`zhnerbench.baselines.llm_answers` makes of it: the answer read (:data:`READ`, the very
F1 of the plain answer) or an answer counted as :data:`UNPARSEABLE` or :data:`TRUNCATED`; and
``reasoning`` whether the answer carries reasoning (what the manifest counts). The drafts in
the reasoning are empty answers, and the answer inside reasoning that never closes is the
full one: reading the reasoning would show.

A new shape goes at the end and bumps :data:`VERSION`; a shape is never changed in place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.openai_stub_server import Canned

VERSION = "answer-shapes-v1"
READ, UNPARSEABLE, TRUNCATED = "read", "unparseable", "truncated"

#: An answer: ``{key: [item, ...]}``.
Payload = Mapping[str, list[Any]]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _key(payload: Payload) -> str:
    return next(iter(payload))


def _draft(payload: Payload) -> str:
    return _json({_key(payload): []})


def _fenced(payload: Payload) -> str:
    return f"```json\n{_json(payload)}\n```"


@dataclass(frozen=True)
class Shape:
    """One way of giving an answer: its name, what the rule makes of it, and the reply."""

    name: str
    expected: str
    reasoning: bool
    reply: Callable[[Payload], Canned]


SHAPES: tuple[Shape, ...] = (
    Shape("plain", READ, False, lambda p: Canned(_json(p))),
    Shape("fenced", READ, False, lambda p: Canned(_fenced(p))),
    Shape("prose", READ, False,
          lambda p: Canned(f"好的，以下是抽取结果：\n\n{_json(p)}\n\n以上共 {len(p[_key(p)])} 项。Hope this helps!")),
    Shape("think-draft", READ, True,
          lambda p: Canned(f"<think>\n先写个草稿：{_draft(p)}\n不对，还要逐句检查……\n</think>\n\n{_fenced(p)}")),
    Shape("thinking-draft", READ, True,
          lambda p: Canned(f"<thinking>Draft: {_draft(p)} -- let me check again.</thinking>\n{_json(p)}")),
    # The template opened the block (Qwen3, DeepSeek-R1 distills): only the closing tag is in the answer.
    Shape("think-opened-by-template", READ, True,
          lambda p: Canned(f"让我想想。草稿：{_draft(p)}\n</think>\n\n{_json(p)}")),
    Shape("reasoning-content-field", READ, True,
          lambda p: Canned(_json(p), reasoning=f"草稿：{_draft(p)}，再检查一遍。", reasoning_tokens=True)),
    Shape("reasoning-field", READ, True,
          lambda p: Canned(_fenced(p), reasoning=f"Draft {_draft(p)}; now the final answer.",
                           reasoning_field="reasoning", reasoning_tokens=True)),
    Shape("bare-list", READ, False, lambda p: Canned(_json(p[_key(p)]))),
    Shape("draft-then-final-in-prose", READ, False,
          lambda p: Canned(f"初稿：{_draft(p)}\n检查后，最终答案：\n{_json(p)}")),
    Shape("truncated", TRUNCATED, False,
          lambda p: Canned(_json(p)[:len(_json(p)) // 2], finish_reason="length")),
    Shape("truncated-in-reasoning", TRUNCATED, True,
          lambda p: Canned("", reasoning=f"思考中……{_json(p)} 再想想", reasoning_tokens=True, finish_reason="length",
                           null_content=True)),
    Shape("think-never-closed", UNPARSEABLE, True,
          lambda p: Canned(f"<think>\n答案大概是 {_json(p)}\n还要再想想")),
    Shape("answer-in-reasoning-only", UNPARSEABLE, True,
          lambda p: Canned("", reasoning=f"答案：{_json(p)}", reasoning_tokens=True)),
    Shape("prose-only", UNPARSEABLE, False, lambda p: Canned("文中提到了若干人名和机构名。")),
)

BY_NAME: Mapping[str, Shape] = {shape.name: shape for shape in SHAPES}
