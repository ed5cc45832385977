"""The LLM tasks' prompts and few-shot pools: versioned data files in ``baselines/prompts/``.

A prompt template is a Markdown file with one ``{text}`` placeholder; its version is its file
name (``ner-v1``) and its SHA-256 goes into every record made with it. A few-shot pool is a
JSONL file of invented sentences, each with an ``id`` and its answer; a run with ``shots=N``
uses the first N, in the file's order, so the examples of a run are named by the pool's
version and their ids. No pool sentence comes from the article (a test checks it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import BaselineUnavailable, one_line
from zhnerbench.digests import sha256_hex
from zhnerbench.paths import PROMPTS_DIR, install_root

PLACEHOLDER = "{text}"


class PromptError(BaselineUnavailable):
    """A prompt template or few-shot pool that cannot be used (missing file, no ``{text}``, bad line)."""


@dataclass(frozen=True)
class Prompt:
    """A prompt template: its version (the file's stem), its text and the text's SHA-256."""

    name: str
    text: str

    @property
    def sha256(self) -> str:
        return sha256_hex(self.text)

    def fill(self, text: str) -> str:
        """The template with ``text`` in place of ``{text}`` (plain replacement: JSON braces need no escaping).

        >>> Prompt("t", 'Text: {text} -> {"entities": []}').fill("张三")
        'Text: 张三 -> {"entities": []}'
        """
        return self.text.replace(PLACEHOLDER, text)


def prompt_version(path: str | None, default: str) -> str:
    """The version a prompt is named by, without reading it: its file's stem.

    >>> prompt_version(None, "re-v1.md"), prompt_version("/x/mine-v2.md", "re-v1.md")
    ('re-v1', 'mine-v2')
    """
    return Path(path or default).stem


def load_prompt(path: str | None, default: str) -> Prompt:
    """The packaged template ``default`` (``path`` is ``None``) or the file ``path``.

    >>> prompt = load_prompt(None, "ner-v1.md")
    >>> prompt.name, prompt.text.count(PLACEHOLDER), len(prompt.sha256)
    ('ner-v1', 1, 64)
    """
    try:
        if path is None:
            text, name = (install_root() / PROMPTS_DIR / default).read_text(encoding="utf-8"), Path(default).stem
        else:
            text, name = Path(path).read_text(encoding="utf-8"), Path(path).stem
    except (OSError, UnicodeDecodeError) as error:
        raise PromptError(f"cannot read the prompt template {path or default}: {one_line(error)}") from None
    if PLACEHOLDER not in text:
        raise PromptError(f"the prompt template {path or default} has no {PLACEHOLDER} placeholder")
    return Prompt(name, text)


@dataclass(frozen=True)
class Shot:
    """One invented example: its id, its text, and the answer the task expects (as JSON text)."""

    id: str
    text: str
    answer: str


@dataclass(frozen=True)
class ShotPool:
    """A versioned pool of examples (the file's stem) and its SHA-256."""

    name: str
    sha256: str
    shots: tuple[Shot, ...]

    def first(self, count: int) -> tuple[Shot, ...]:
        """The first ``count`` examples; more than the pool holds is an error."""
        if count > len(self.shots):
            raise PromptError(f"--shots {count}: the pool {self.name} holds {len(self.shots)} examples")
        return self.shots[:count]


def _shot(line: str, answer_key: str) -> Shot:
    item: Any = json.loads(line)
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("text"), str) \
            or not item["id"] or not item["text"] or not isinstance(item.get(answer_key), list):
        raise ValueError(f'expected {{"id": ..., "text": ..., "{answer_key}": [...]}}')
    return Shot(item["id"], item["text"], json.dumps({answer_key: item[answer_key]}, ensure_ascii=False))


def read_shot_pool(path: str | None, default: str, answer_key: str) -> ShotPool:
    """The pool in ``path`` (default: the packaged ``default``); a bad line is named by number.

    >>> pool = read_shot_pool(None, "ner-shots-v1.jsonl", "entities")
    >>> pool.name, [shot.id for shot in pool.first(2)]
    ('ner-shots-v1', ['s01', 's02'])
    """
    file = Path(path) if path is not None else install_root() / PROMPTS_DIR / default
    try:
        content = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PromptError(f"cannot read the few-shot pool {path or default}: {one_line(error)}") from None
    shots = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            shots.append(_shot(line, answer_key))
        except (ValueError, RecursionError) as error:
            raise PromptError(f"{path or default}:{number}: not a few-shot example ({one_line(error, 100)})") from None
    ids = [shot.id for shot in shots]
    if len(set(ids)) != len(ids):
        raise PromptError(f"{path or default}: example ids repeat")
    return ShotPool(file.stem, sha256_hex(content), tuple(shots))


#: The user turn after the first in a few-shot conversation: the instructions came once, with the first example.
FOLLOW_UP = "同样抽取下面文本中的实体，用同样的 JSON 格式回答。Same task, same JSON format.\n\n# 文本 Text\n\n{text}"


def conversation(system: str, prompt: Prompt, shots: Sequence[Shot], text: str) -> list[dict[str, str]]:
    """The messages for ``text``: the system message, then the instructions with the first
    example and its answer, each further example and its answer, and ``text`` last (without
    examples: the instructions with ``text``).

    >>> [m["role"] for m in conversation("s", Prompt("p", "做 {text}"), [Shot("a", "甲", "{}"), Shot("b", "乙", "{}")], "丙")]
    ['system', 'user', 'assistant', 'user', 'assistant', 'user']
    >>> conversation("s", Prompt("p", "做 {text}"), [], "丙")[-1]["content"]
    '做 丙'
    """
    messages = [{"role": "system", "content": system}]
    for index, shot in enumerate(shots):
        question = prompt.fill(shot.text) if index == 0 else FOLLOW_UP.replace(PLACEHOLDER, shot.text)
        messages += [{"role": "user", "content": question}, {"role": "assistant", "content": shot.answer}]
    messages.append({"role": "user", "content": FOLLOW_UP.replace(PLACEHOLDER, text) if shots else prompt.fill(text)})
    return messages
