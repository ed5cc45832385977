"""Answers as models really give them (issue 33): every shape of ``tests/answer_shapes.py``,
served by the local stub for the whole article, through ``tag`` and the leaderboard, for NER
and relations. A shape with a readable final answer gives exactly the plain answer's
predictions and F1; the others are counted as unparseable or truncated, never read; the
reasoning is counted in the diagnostics and the manifest, and a rebuild from the answer cache
reports the same."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.answer_shapes import BY_NAME, READ, SHAPES, TRUNCATED, UNPARSEABLE, VERSION, Payload, Shape
from tests.openai_stub_server import Canned, StubServer, token_count
from zhnerbench.baselines.base import split_for_tagging
from zhnerbench.baselines.llm_prompts import load_prompt
from zhnerbench.baselines.openai_chat import CHUNK_CHARS
from zhnerbench.cli import main
from zhnerbench.gold import load_gold
from zhnerbench.board.records import read_records
from zhnerbench.document import Document

pytest.importorskip("openai")
pytest.importorskip("matplotlib")

MODEL_PREFIX = "shape-"
PREFIX, SUFFIX = load_prompt(None, "ner-v1.md").text.split("{text}")


@cache
def article() -> Document:
    return load_gold(None)[0]


def chunks() -> list[str]:
    """The article's chunks as the NER adapter sends them."""
    text = article().text
    return [text[start:end] for start, end in split_for_tagging(text, CHUNK_CHARS)]


def affected(chunk: str) -> bool:
    """Whether a shape that cannot be read is served for ``chunk`` (the others get the plain
    answer, so that the system still runs and its rate is a share)."""
    return len(chunk) % 2 == 0


def ner_payload(chunk: str) -> Payload:
    """The right answer for ``chunk``: the gold mentions of the flat layer inside it."""
    document = article()
    start = document.text.index(chunk)
    return {"entities": [{"text": document.text[span.start:span.end], "label": span.label}
                         for span in document.spans if start <= span.start and span.end <= start + len(chunk)]}


def relation_payload() -> Payload:
    """The gold relations of the article, their arguments named by the text of one of their mentions."""
    document = article()
    texts = {mention.entity: mention.text for mention in reversed(document.all_mentions)}
    return {"relations": [{"head": texts[relation.head], "type": relation.relation, "tail": texts[relation.tail],
                           "evidence": list(relation.evidence)} for relation in document.relations]}


def reply(shape: Shape, user: str) -> Canned:
    """What the stub answers a model called ``shape-NAME``."""
    if "[0] " in user:  # the relation prompt numbers the sentences
        return shape.reply(relation_payload())
    chunk = user[len(PREFIX):len(user) - len(SUFFIX)]
    payload = ner_payload(chunk)
    return shape.reply(payload) if shape.expected == READ or affected(chunk) else BY_NAME["plain"].reply(payload)


def responder(body: Mapping[str, Any]) -> Canned | None:
    model = str(body.get("model", ""))
    if not model.startswith(MODEL_PREFIX):
        return None
    user = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
    return reply(BY_NAME[model[len(MODEL_PREFIX):]], user)


def expected_counts(shape: Shape) -> dict[str, Any]:
    """What the NER diagnostics must count of the article's answers in ``shape``."""
    served = [(chunk, reply(shape, PREFIX + chunk + SUFFIX)) for chunk in chunks()]
    shaped = [canned for chunk, canned in served if shape.expected == READ or affected(chunk)]
    thought = [token_count(canned.reasoning) for canned in shaped if canned.reasoning and canned.reasoning_tokens]
    return {"malformed": len(shaped) if shape.expected == UNPARSEABLE else 0,
            "truncated": len(shaped) if shape.expected == TRUNCATED else 0,
            "with_reasoning": len(shaped) if shape.reasoning else 0,
            "reasoning_tokens": sum(thought) if thought else None}


@pytest.fixture
def stub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StubServer]:
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with StubServer({}, responder=responder) as server:
        yield server


def test_the_shapes_are_versioned_and_cover_what_models_send() -> None:
    assert VERSION == "answer-shapes-v1" and len(BY_NAME) == len(SHAPES)
    assert {shape.expected for shape in SHAPES} == {READ, UNPARSEABLE, TRUNCATED}
    fields = {shape.reply({"entities": []}).reasoning_field for shape in SHAPES if shape.reply({"entities": []}).reasoning}
    assert fields == {"reasoning_content", "reasoning"}
    contents = " ".join(shape.reply({"entities": []}).content for shape in SHAPES)
    assert all(tag in contents for tag in ("<think>", "<thinking>", "</think>", "```json"))
    # Half of the article's chunks, near enough, get the shapes that cannot be read.
    assert 0.3 < sum(map(affected, chunks())) / len(chunks()) < 0.7


def _tag(shape: str, out: Path, stub: StubServer, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["tag", f"openai:{MODEL_PREFIX}{shape}", str(out), "--base-url", stub.base_url, "--counterfactual", "0"])
    return code, capsys.readouterr().err


def _summary(err: str, shape: str) -> str:
    return next(line for line in err.splitlines() if line.startswith(f"openai-shape-{shape} on "))


def _mentions(path: Path) -> list[dict[str, Any]]:
    mentions: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["mentions"]
    return mentions


def test_tag_reads_every_readable_shape_as_the_plain_answer_and_counts_the_others(
        stub: StubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs, summaries = {}, {}
    for shape in SHAPES:
        out = tmp_path / f"{shape.name}.jsonl"
        code, err = _tag(shape.name, out, stub, capsys)
        assert code == 0, err
        outputs[shape.name], summaries[shape.name] = out, _summary(err, shape.name)
    plain = outputs["plain"].read_bytes()
    assert len(_mentions(outputs["plain"])) > 100
    answers = len(chunks())
    for shape in SHAPES:
        counts = expected_counts(shape)
        summary = summaries[shape.name]
        assert f"unparseable {100 * counts['malformed'] / answers:.1f}%, truncated {100 * counts['truncated'] / answers:.1f}%" \
            in summary, (shape.name, summary)
        tokens = counts["reasoning_tokens"]
        assert f"reasoning in {counts['with_reasoning']} of {answers} answers" + (
            f" ({tokens:,} reasoning tokens)" if tokens is not None else ",") in summary, (shape.name, summary)
        if shape.expected == READ:
            assert outputs[shape.name].read_bytes() == plain, shape.name
        else:  # the plain answer's mentions, less those of the chunks answered in the shape
            text = article().text
            kept = [(start, end) for start, end in split_for_tagging(text, CHUNK_CHARS) if not affected(text[start:end])]
            wanted = [m for m in _mentions(outputs["plain"]) if any(start <= m["start"] < end for start, end in kept)]
            assert _mentions(outputs[shape.name]) == wanted, shape.name

    # A rebuild from the answer cache sends nothing and reports the same rates, reasoning and latency.
    sent = sum(stub.calls.values())
    for name in ("truncated-in-reasoning", "reasoning-content-field", "think-never-closed"):
        code, err = _tag(name, tmp_path / f"again-{name}.jsonl", stub, capsys)
        assert code == 0 and _summary(err, name) == summaries[name], err
        assert (tmp_path / f"again-{name}.jsonl").read_bytes() == outputs[name].read_bytes()
    assert sum(stub.calls.values()) == sent


@pytest.mark.parametrize(("shape", "counted"), [("truncated", "66 truncated"), ("prose-only", "66 malformed")])
def test_a_run_whose_every_answer_cannot_be_read_fails_with_its_count(
        shape: str, counted: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    payload = {"entities": [{"text": "张为", "label": "PERSON"}]}
    with StubServer({}, BY_NAME[shape].reply(payload)) as stub:
        code = main(["tag", "openai:m", str(tmp_path / "p.jsonl"), "--base-url", stub.base_url, "--counterfactual", "0"])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "p.jsonl").exists()
    assert err.startswith("zhnerbench tag: error: system openai-m: nothing usable in 66 answers (") and counted in err


def test_the_board_scores_every_readable_shape_as_the_plain_answer_ner_and_relations(
        stub: StubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    systems = [f"openai:{MODEL_PREFIX}{shape.name}" for shape in SHAPES] + \
        [f"openai-relations:{MODEL_PREFIX}{shape.name}" for shape in SHAPES]
    board = tmp_path / "board"
    assert main(["leaderboard", "--systems", ",".join(systems), "--base-url", stub.base_url, "--output", str(board),
                 "--start-empty", "--samples", "20", "--counterfactual", "0"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    records = read_records(board)
    plain = records["openai-shape-plain"]
    plain_relations = records["openai-shape-plain-relations"]["relations"][0]["strict"]
    assert 0.9 < plain["scores"]["full"]["micro"]["f1"] and plain_relations["micro"]["f1"] > 0.5
    answers = len(chunks())
    for shape in SHAPES:
        record = records[f"openai-shape-{shape.name}"]
        counts = expected_counts(shape)
        assert record["status"] == "ran", record.get("reason")
        diagnostics = record["diagnostics"]
        assert {key: diagnostics[key] for key in counts} == counts, shape.name
        manifest = record["llm"]["manifest"]
        assert manifest["reasoning"] == {"answers": answers, "with_reasoning": counts["with_reasoning"],
                                         "reasoning_tokens": counts["reasoning_tokens"]}, shape.name
        row = next(line for line in out.splitlines() if line.startswith(f"| openai-shape-{shape.name} | full |"))
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[11:13] == [f"{100 * counts['malformed'] / answers:.1f}",
                                f"{100 * counts['truncated'] / answers:.1f}"], (shape.name, cells)
        relations = records[f"openai-shape-{shape.name}-relations"]
        if shape.expected == READ:
            assert record["scores"] == plain["scores"], shape.name
            assert relations["status"] == "ran" and relations["relations"][0]["strict"] == plain_relations, shape.name
            assert relations["llm"]["manifest"]["reasoning"] == {"answers": 1, "with_reasoning": int(shape.reasoning),
                                                                 "reasoning_tokens": relations["diagnostics"]["reasoning_tokens"]}
            assert relations["diagnostics"]["malformed"] == relations["diagnostics"]["truncated"] == 0
        else:
            assert record["scores"]["full"]["micro"]["f1"] < plain["scores"]["full"]["micro"]["f1"], shape.name
            counted = "1 truncated" if shape.expected == TRUNCATED else "1 malformed"
            assert relations["status"] == "failed" and counted in relations["reason"], (shape.name, relations)
    reasoning_line = next(line for line in out.splitlines() if line.startswith("- openai-shape-reasoning-field: "))
    tokens = expected_counts(BY_NAME["reasoning-field"])["reasoning_tokens"]
    assert re.search(rf"; reasoning in {answers} of {answers} answers \({tokens:,} reasoning tokens\) on the article;",
                     reasoning_line), reasoning_line
