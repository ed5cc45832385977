"""The OpenAI-compatible chat adapter, its string alignment and its prompt, against a local stub server."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.openai_stub_server import SERVED_SUFFIX, Canned, StubServer, token_count
from zhnerbench.baselines.alignment import align_strings, clean_entity_string, drop_overlapping
from zhnerbench.baselines.base import BaselineUnavailable, Tagger
from zhnerbench.baselines.openai_chat import OpenAIChatTagger, load_template, parse_entities, schema_label
from zhnerbench.document import Span
from zhnerbench.schema import ENTITY_LABELS

ROOT = Path(__file__).resolve().parent.parent


def answer(*items: tuple[str, str]) -> str:
    return json.dumps({"entities": [{"text": text, "label": label} for text, label in items]}, ensure_ascii=False)


# -- alignment ------------------------------------------------------------------------------


def test_a_string_occurring_twice_is_used_twice_and_a_third_mention_is_unaligned() -> None:
    text = "南京和苏州,南京更近"
    spans, unaligned = align_strings(text, [("南京", "GPE"), ("苏州", "GPE"), ("南京", "GPE"), ("南京", "GPE")])
    assert spans == [Span(0, 2, "GPE"), Span(3, 5, "GPE"), Span(6, 8, "GPE")]
    assert unaligned == [("南京", "GPE")]


def test_a_string_not_in_the_text_is_unaligned_not_dropped() -> None:
    assert align_strings("张三在北京", [("李四", "PERSON"), ("北京", "GPE")]) == (
        [Span(3, 5, "GPE")], [("李四", "PERSON")])


def test_items_follow_the_previous_match_else_take_the_first_unused_occurrence() -> None:
    text = "北京,上海,北京"
    # The second 北京 comes after 上海: it takes the later occurrence, not the first.
    assert align_strings(text, [("上海", "GPE"), ("北京", "GPE")])[0] == [Span(3, 5, "GPE"), Span(6, 8, "GPE")]
    # Out of order: nothing after the previous match, so the first unused one anywhere.
    assert align_strings(text, [("上海", "GPE"), ("北京", "GPE"), ("北京", "GPE")])[0] == [
        Span(3, 5, "GPE"), Span(6, 8, "GPE"), Span(0, 2, "GPE")]


def test_brackets_whitespace_and_quotes_are_stripped_as_documented() -> None:
    text = "他读了《数据安全法》和“十四五”规划,在“浦东”。"
    assert clean_entity_string(" 《数据安全法》 ", text) == "数据安全法"
    assert clean_entity_string("“十四五”规划", text) == "“十四五”规划"  # present as given: kept
    assert clean_entity_string("“浦东”", "浦东新区") == "浦东"  # absent with quotes: unquoted
    spans, unaligned = align_strings(text, [("《数据安全法》", "LAW"), ("  ", "GPE")])
    assert spans == [Span(4, 9, "LAW")] and unaligned == [("  ", "GPE")]


def test_overlapping_spans_are_returned_and_the_caller_keeps_the_first() -> None:
    spans, unaligned = align_strings("上海市政府", [("上海市政府", "ORG"), ("上海", "GPE")])
    assert spans == [Span(0, 5, "ORG"), Span(0, 2, "GPE")] and not unaligned
    assert drop_overlapping(spans) == ([Span(0, 5, "ORG")], [Span(0, 2, "GPE")])


def test_answers_and_labels_are_parsed_leniently() -> None:
    assert parse_entities("结果如下:\n```json\n" + answer(("张三", "PER")) + "\n```") == ([("张三", "PER")], 0)
    assert parse_entities('{"result": 1} then {"entities": "none"}') is None
    assert parse_entities("[]") is None
    assert [schema_label(label) for label in ("gpe", "Location", "POSITION", "work-of-art", "MISC")] == [
        "GPE", "LOC", "TITLE", "WORK_OF_ART", None]


# -- the prompt -----------------------------------------------------------------------------


def test_the_prompt_names_every_label_and_holds_no_sentence_of_the_article() -> None:
    name, template = load_template(None)
    assert name == "ner-v1" and template.count("{text}") == 1
    for label in ENTITY_LABELS:
        assert re.search(rf"^- {label} — ", template, re.MULTILINE), label
    assert '{"entities": [{"text": ' in template
    article = (ROOT / "corpus" / "article.txt").read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[。！？])|\n", article) if len(s.strip()) > 8]
    assert sentences and not [s for s in sentences if s.strip() in template]
    # Stronger: not even 9 consecutive characters of the article (no test-set leak).
    windows = {article[i:i + 9] for i in range(len(article) - 8)}
    assert not [template[i:i + 9] for i in range(len(template) - 8) if template[i:i + 9] in windows]


# -- the adapter against the stub -----------------------------------------------------------

ROUTES = {
    "#OK#": Canned(answer(("国务院", "ORG"), ("总理", "TITLE"), ("李明", "PERSON"), ("3月5日", "DATE"),
                          ("北京", "GPE"))),
    "#FENCE#": Canned("好的。\n```json\n" + answer(("《数据安全法》", "LAW"), ("全国人大常委会", "ORG")) + "\n```"),
    "#MALFORMED#": Canned("王芳(人名),上海(地名)"),
    "#RATELIMIT#": Canned(answer(("张伟", "PERSON"), ("华为公司", "ORG")), fail_first=1),
    "#TWICE#": Canned(answer(("南京", "GPE"), ("苏州", "GPE"), ("南京", "GPE"))),
    "#THRICE#": Canned(answer(("杭州", "GPE"), ("杭州", "GPE"), ("杭州", "GPE"))),
    "#MISSING#": Canned(answer(("天津港", "FAC"), ("重庆", "GPE"))),
    "#UNKNOWN#": Canned(answer(("李雷", "per"), ("足球", "SPORT"))),
    "#NOFORMAT#": Canned(answer(("法国", "GPE"), ("巴黎", "GPE")), reject_response_format=True),
    "#OVERLAP#": Canned(answer(("上海市政府", "ORG"), ("上海", "GPE"))),
    "#SLOW#": Canned(answer(("深圳", "GPE")), delay=1.2),
    "#SLEEP#": Canned(delay=0.2),
}

SENTENCES = [
    "#OK#国务院总理李明3月5日在北京出席会议。",
    "#FENCE#《数据安全法》由全国人大常委会通过。",
    "#MALFORMED#王芳访问了上海。",
    "#RATELIMIT#张伟是华为公司的工程师。",
    "#TWICE#南京和苏州,南京更近。",
    "#THRICE#杭州与杭州。",
    "#MISSING#天津港。",
    "#UNKNOWN#李雷喜欢足球。",
    "#NOFORMAT#法国巴黎。",
    "#OVERLAP#上海市政府。",
]
TEXT = "".join(SENTENCES[:5]) + "\n\n" + "".join(SENTENCES[5:])


def at(text: str, string: str, label: str, nth: int = 0) -> Span:
    """The span of the ``nth`` occurrence of ``string`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(string, start + 1)
    return Span(start, start + len(string), label)


EXPECTED = sorted([
    at(TEXT, "国务院", "ORG"), at(TEXT, "总理", "TITLE"), at(TEXT, "李明", "PERSON"), at(TEXT, "3月5日", "DATE"),
    at(TEXT, "北京", "GPE"), at(TEXT, "数据安全法", "LAW"), at(TEXT, "全国人大常委会", "ORG"),
    at(TEXT, "张伟", "PERSON"), at(TEXT, "华为公司", "ORG"),
    at(TEXT, "南京", "GPE"), at(TEXT, "苏州", "GPE"), at(TEXT, "南京", "GPE", 1),
    at(TEXT, "杭州", "GPE"), at(TEXT, "杭州", "GPE", 1), at(TEXT, "天津港", "FAC"), at(TEXT, "李雷", "PERSON"),
    at(TEXT, "法国", "GPE"), at(TEXT, "巴黎", "GPE"), at(TEXT, "上海市政府", "ORG"),
])


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(ROUTES) as server:
        yield server


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private answer cache, and no real OpenAI configuration leaking in from the shell."""
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return tmp_path / "cache"


def test_the_adapter_declares_the_tagger_interface() -> None:
    tagger = OpenAIChatTagger(model="Qwen/Qwen2.5-7B-Instruct", retrain=True, device="cpu", batch_size=4)
    assert isinstance(tagger, Tagger)
    assert tagger.name == "openai-qwen-qwen2.5-7b-instruct" and tagger.model == "Qwen/Qwen2.5-7B-Instruct"
    assert re.fullmatch(r"Qwen/Qwen2\.5-7B-Instruct prompt ner-v1 \(openai \S+\)", tagger.version)
    assert tagger.native_labels == ENTITY_LABELS and dict(tagger.label_map) == {label: label for label in ENTITY_LABELS}
    assert tagger.views == ("full", "ontonotes", "coarse")
    with pytest.raises(BaselineUnavailable, match="load"):
        tagger.predict("张三")


def test_end_to_end_spans_diagnostics_and_cache(stub: StubServer, environment: Path) -> None:
    tagger = OpenAIChatTagger(model="stub-model", base_url=stub.base_url, cache=True)
    tagger.load()  # no API key is needed for a local server
    spans = tagger.predict(TEXT)
    assert spans == EXPECTED
    diagnostics = dict(tagger.diagnostics)
    p50, p95 = diagnostics.pop("latency_p50"), diagnostics.pop("latency_p95")
    assert 0 < p50 <= p95
    # Usage is the server's, summed over the answers: the stub counts a token per two characters.
    last_body = {stub.route(body): body for body in stub.bodies}  # each chunk's answered request
    assert diagnostics == {
        "chunks": 10, "requests": 11, "retries": 1, "cached": 0, "failed": 0, "malformed": 1, "items": 23,
        "bad_items": 0, "unknown_label": 1, "unaligned": 2, "overlapping": 1,
        "input_tokens": sum(token_count(m["content"]) for body in last_body.values() for m in body["messages"]),
        "output_tokens": sum(token_count(ROUTES[route].content) for route in last_body),
        "unaligned_examples": [["杭州", "GPE"], ["重庆", "GPE"]],
        "overlapping_examples": [["上海", "GPE"]],
        "failed_examples": [],
        # Each unused item is a false positive in the views of its label ("?": outside the schema).
        "false_positive_labels": ["?", "GPE", "GPE", "GPE"],
    }
    assert tagger.manifest()["served_model"] == "stub-model" + SERVED_SUFFIX
    # The 429 was retried by the client; the response_format refusal by the adapter, once, without it.
    assert stub.calls["#RATELIMIT#"] == 2 and stub.calls["#NOFORMAT#"] == 2 and stub.calls["#OK#"] == 1
    assert all(body["model"] == "stub-model" and body["temperature"] == 0 for body in stub.bodies)
    users = [message["content"] for body in stub.bodies for message in body["messages"] if message["role"] == "user"]
    assert sum(SENTENCES[0] in user for user in users) == 1  # each chunk verbatim in the filled template
    refused = [body for body in stub.bodies if stub.route(body) == "#NOFORMAT#"]
    assert ["response_format" in body for body in refused] == [True, False]
    assert len(list((environment / "llm").glob("*.json"))) == 10  # the malformed answer too
    assert not list((environment / "llm").glob("*.tmp"))

    sent = sum(stub.calls.values())
    again = OpenAIChatTagger(model="stub-model", base_url=stub.base_url, cache=True)
    again.load()
    assert again.predict(TEXT) == spans
    assert sum(stub.calls.values()) == sent
    assert again.diagnostics["requests"] == 0 and again.diagnostics["cached"] == 10
    assert again.diagnostics["malformed"] == 1
    # Tokens and latency come with the cached answers: a rebuild reports what the answers cost.
    for key in ("input_tokens", "output_tokens", "latency_p50", "latency_p95", "items"):
        assert again.diagnostics[key] == tagger.diagnostics[key], key


def test_a_reply_slower_than_the_timeout_fails_its_chunk_only(stub: StubServer, environment: Path) -> None:
    text = SENTENCES[0] + "#SLOW#深圳很热。"
    tagger = OpenAIChatTagger(model="stub-model", base_url=stub.base_url, timeout=0.5, max_retries=1)
    tagger.load()
    started = time.perf_counter()
    spans = tagger.predict(text)
    assert time.perf_counter() - started < 5
    assert spans == sorted(at(text, string, label) for string, label in
                           [("国务院", "ORG"), ("总理", "TITLE"), ("李明", "PERSON"), ("3月5日", "DATE"), ("北京", "GPE")])
    assert tagger.diagnostics["failed"] == 1 and tagger.diagnostics["chunks"] == 2
    assert stub.calls["#SLOW#"] == 2  # the first try and one retry
    assert tagger.diagnostics["requests"] == 2 and tagger.diagnostics["retries"] == 1
    failures = tagger.diagnostics["failed_examples"]
    assert isinstance(failures, list) and "timed out" in failures[0][1]
    assert len(list((environment / "llm").glob("*.json"))) == 1  # a failure is not cached


def test_requests_run_concurrently(stub: StubServer) -> None:
    text = "".join(f"#SLEEP#第{index}句。" for index in range(8))
    tagger = OpenAIChatTagger(model="stub-model", base_url=stub.base_url, concurrency=4, cache=False)
    tagger.load()
    started = time.perf_counter()
    assert tagger.predict(text) == []
    elapsed = time.perf_counter() - started
    assert stub.max_in_flight > 1 and stub.calls["#SLEEP#"] == 8
    assert elapsed < 8 * 0.2
    assert tagger.diagnostics["requests"] == 8 and tagger.diagnostics["malformed"] == 0


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_makes_the_system_unavailable() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    tagger = OpenAIChatTagger(model="stub-model", base_url=url, max_retries=0, concurrency=2)
    tagger.load()
    with pytest.raises(BaselineUnavailable, match=r"^cannot reach http://127\.0\.0\.1:\d+/v1/?: APIConnectionError"):
        tagger.predict("甲。乙。丙。丁。戊。")
    assert tagger.diagnostics["failed"] == 5
    requests = tagger.diagnostics["requests"]
    assert isinstance(requests, int) and requests < 5  # after the first refusal the rest were not sent


def test_a_missing_api_key_for_a_remote_server_makes_the_system_unavailable() -> None:
    tagger = OpenAIChatTagger(model="gpt-4o-mini", base_url="https://llm.example.com/v1")
    with pytest.raises(BaselineUnavailable, match=r"set OPENAI_API_KEY \(and OPENAI_BASE_URL"):
        tagger.load()


def test_the_environment_configures_the_endpoint(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    tagger = OpenAIChatTagger(model="stub-model")
    assert tagger.base_url == stub.base_url
    tagger.load()
    assert tagger.predict(SENTENCES[6]) == [Span(9, 12, "FAC")]


def test_a_custom_prompt_template(stub: StubServer, tmp_path: Path) -> None:
    template = tmp_path / "mine-v2.md"
    template.write_text("只找设施。{text}", encoding="utf-8")
    tagger = OpenAIChatTagger(model="stub-model", base_url=stub.base_url, prompt=str(template))
    assert " prompt mine-v2 " in tagger.version
    tagger.load()
    tagger.predict(SENTENCES[6])
    assert stub.bodies[-1]["messages"][-1]["content"] == "只找设施。" + SENTENCES[6]
    template.write_text("没有占位符", encoding="utf-8")
    with pytest.raises(BaselineUnavailable, match="placeholder"):
        OpenAIChatTagger(model="stub-model", base_url=stub.base_url, prompt=str(template)).load()


def test_the_spec_resolver_builds_the_adapter(stub: StubServer) -> None:
    specs = (ROOT / "zhnerbench" / "baselines" / "specs.py").read_text(encoding="utf-8")
    if "openai:" not in specs:
        pytest.skip("zhnerbench/baselines/specs.py has no openai: prefix yet")
    from zhnerbench.baselines.specs import create_system

    tagger = create_system("openai:stub-model", base_url=stub.base_url, normalize_punctuation=True, msra=False)
    assert isinstance(tagger, OpenAIChatTagger) and tagger.model == "stub-model"
    tagger.load()
    assert tagger.predict(SENTENCES[6]) == [Span(9, 12, "FAC")]


# -- runs that fail say so -------------------------------------------------------------------


@pytest.mark.parametrize(("canned", "message"), [
    (Canned(fail_first=10_000, fail_status=500), "no request to http://127.0.0.1:"),
    (Canned(content="x" * 200_000), "an answer of 200,000 characters (at most 100,000)"),
    (Canned(content=""), "every answer was empty"),
    (Canned(content='{"entities": [{"text": "不在文中", "label": "PERSON"}]}'), "nothing usable in"),
    (Canned(content='{"entities": [{"text": "上海", "label": "CITY"}]}'), "unknown label"),
    (Canned(raw_body=b"<html>not json</html>"), "no request to http://127.0.0.1:"),
    (Canned(raw_body=b"\xff\xfe{}"), "no request to http://127.0.0.1:"),
    (Canned(content='{"entities": ' + "[" * 40_000 + "]" * 40_000 + "}"), "nothing usable in"),  # under the size bound
])
def test_a_run_that_got_nothing_usable_exits_2_with_the_diagnostics(canned: Canned, message: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import zhnerbench.baselines.openai_chat as chat
    from zhnerbench.cli import main

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    factory = chat.create  # no retries: each of the 64 chunks would otherwise be sent six times
    monkeypatch.setattr(chat, "create", lambda model, **options: factory(model, **{**options, "max_retries": 0}))
    out = tmp_path / "pred.jsonl"
    with StubServer({}, canned) as stub:
        code = main(["tag", "openai:stub-model", str(out), "--base-url", stub.base_url, "--concurrency", "4"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists(), err
    assert err.startswith("zhnerbench tag: error: system openai-stub-model: ") and err.count("\n") == 1
    assert message in err
    assert not list((tmp_path / "cache").rglob("*.json")) or "x" * 1000 not in _cached(tmp_path / "cache")


def _cached(folder: Path) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in folder.rglob("*.json"))


def test_a_partly_failed_run_writes_its_predictions_and_prints_the_diagnostics(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from zhnerbench.cli import main

    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "pred.jsonl"
    routes = {"张为": Canned(content='{"entities": [{"text": "张为", "label": "PERSON"}]}'),
              "大会": Canned(fail_first=10_000, fail_status=500)}
    with StubServer(routes) as stub:
        # The article alone: each failing chunk waits out its retries.
        assert main(["tag", "openai:stub-model", str(out), "--base-url", stub.base_url, "--counterfactual", "0"]) == 0
    err = capsys.readouterr().err
    assert out.is_file() and "openai-stub-model diagnostics on " in err and " failed" in err
