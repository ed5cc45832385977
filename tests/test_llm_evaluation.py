"""LLM systems on the board (issue 19): manifest, usage and cost, latency, runs and their vote,
failure accounting, few-shot examples and the relation task, against the local stub server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from tests.openai_stub_server import SERVED_SUFFIX, Canned, StubServer, token_count
from zhnerbench.cli import main
from zhnerbench.digests import sha256_hex
from zhnerbench.board.records import Record, read_records, render_record

pytest.importorskip("openai")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent


def answer(*items: tuple[str, str]) -> str:
    return json.dumps({"entities": [{"text": text, "label": label} for text, label in items]}, ensure_ascii=False)


#: Run 1 (seed 0) names 张为, 副市长, 钟志华 and 中国工程院 in the article's third sentence, plus a
#: string not in the text, a label outside the schema and a span inside an earlier one; runs 2
#: and 3 name fewer, so the runs differ and two of three agree on 张为 and 钟志华.
SEED_ANSWERS = {
    0: answer(("张为", "PERSON"), ("副市长", "TITLE"), ("钟志华", "PERSON"), ("不存在", "PERSON"), ("市委", "SPORT"),
              ("中国工程院", "ORG"), ("中国", "GPE")),
    1: answer(("张为", "PERSON")),
    2: answer(("张为", "PERSON"), ("钟志华", "PERSON")),
}
RELATIONS = json.dumps({"relations": [
    {"head": "张为", "type": "has_title", "tail": "副市长", "evidence": [2]},
    {"head": "张为", "type": "speaks_at", "tail": "上海市产业技术创新大会", "evidence": [2]},
    {"head": "不存在", "type": "has_title", "tail": "副市长", "evidence": [2]},
    {"head": "张为", "type": "founded", "tail": "市委", "evidence": [99]},
]}, ensure_ascii=False)
ROUTES = {
    "[0] ": Canned(RELATIONS),  # first: only the relation prompt numbers sentences (it holds every marker below)
    "张为出席": Canned(SEED_ANSWERS[0], by_seed=SEED_ANSWERS, delay=0.01),
    "G60科创大厦召开": Canned("我找到了一些实体。"),  # no JSON: unparseable
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return tmp_path / "cache"


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(ROUTES) as server:
        yield server


def _board(stub: StubServer, board: Path, *extra: str) -> int:
    return main(["leaderboard", "--systems", "openai:stub-model,openai-relations:stub-model", "--base-url",
                 stub.base_url, "--runs", "3", "--vote", "--price-input", "1", "--price-output", "2", "--output",
                 str(board), "--start-empty", "--samples", "50", "--counterfactual", "0", "--jobs", "1", *extra])


def test_a_board_of_three_runs_shows_manifest_cost_latency_spread_and_failures(
        stub: StubServer, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board = tmp_path / "board"
    assert _board(stub, board) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    records = read_records(board)
    record = records["openai-stub-model"]

    manifest: dict[str, Any] = record["llm"]["manifest"]
    template = (ROOT / "baselines" / "prompts" / "ner-v1.md").read_text(encoding="utf-8")
    assert manifest["model"] == "stub-model" and manifest["served_model"] == "stub-model" + SERVED_SUFFIX
    assert manifest["endpoint"].rstrip("/") == stub.base_url
    assert (manifest["temperature"], manifest["top_p"], manifest["max_tokens"], manifest["seed"]) == (0.0, None, None, 0)
    assert manifest["prompt"] == {"name": "ner-v1", "sha256": sha256_hex(template)} and manifest["shots"] is None
    assert re.fullmatch(r"openai \S+", manifest["client"])
    assert record["llm"]["price"] == {"input_per_million": 1.0, "output_per_million": 2.0,
                                      "source": "--price-input/--price-output"}

    # Tokens are the server's usage, summed over the article's 66 requests of run 1 (seed 0).
    bodies = [body for body in stub.bodies if body.get("seed") == 0 and not stub.route(body) == "[0] "]
    diagnostics: dict[str, Any] = record["diagnostics"]
    assert diagnostics["chunks"] == len(bodies) == 66
    assert diagnostics["input_tokens"] == sum(token_count(m["content"]) for b in bodies for m in b["messages"])
    assert (diagnostics["malformed"], diagnostics["items"], diagnostics["unaligned"], diagnostics["unknown_label"],
            diagnostics["overlapping"]) == (1, 7, 1, 1, 1)
    assert diagnostics["false_positive_labels"] == ["?", "GPE", "PERSON"]
    cost = (diagnostics["input_tokens"] * 1 + diagnostics["output_tokens"] * 2) / 1e6
    requests: dict[str, Any] = record["published"]["requests"]
    assert requests["requests"] == 66
    assert 0 < requests["latency_p50"] <= requests["latency_p95"]

    # Three runs: each one's F1, seeds 0-2, their agreement; the first is the score of record.
    runs = record["runs"]
    assert runs["seeds"] == [0, 1, 2] and runs["f1"]["full"][0] == record["scores"]["full"]["micro"]["f1"]
    assert len(set(runs["f1"]["full"])) == 3 and 0 < runs["agreement"] < 1
    assert sorted(record["files"]) == ["predictions/openai-stub-model.jsonl", "predictions/openai-stub-model.run-2.jsonl",
                                       "predictions/openai-stub-model.run-3.jsonl",
                                       *[f"predictions/relations-{b}-on-openai-stub-model.jsonl"
                                         for b in ("cooccurrence", "patterns")]]
    # The vote keeps what two of three runs said: 张为 and 钟志华.
    vote = records["openai-stub-model-vote"]
    voted = json.loads((board / "predictions" / "openai-stub-model-vote.jsonl").read_text(encoding="utf-8"))
    text = (ROOT / "corpus" / "article.txt").read_text(encoding="utf-8")
    assert sorted(text[m["start"]:m["end"]] for m in voted["mentions"]) == ["张为", "钟志华"]
    assert vote["llm"]["vote"] == {"runs": 3, "seeds": [0, 1, 2]}
    assert vote["diagnostics"]["input_tokens"] == sum(run["input_tokens"] for run in record["llm"]["runs"])

    # The board: the LLM table (cost, p50/p95, mean ± sd, failure rates) and the manifests.
    row = next(line for line in out.splitlines() if line.startswith("| openai-stub-model | full |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    mean_sd = f"{100 * sum(runs['f1']['full']) / 3:.1f} ± "
    assert cells[2] == "stub-model" + SERVED_SUFFIX and cells[5] == f"{cost:.4f}"
    assert cells[6] == "66 (0 / 0)"  # run 1's requests (retries / cache hits)
    assert re.fullmatch(r"\d+\.\d\d / \d+\.\d\d", cells[7]) and cells[9].startswith(mean_sd) and cells[9].endswith("(3)")
    assert cells[11:15] == [f"{100 / 66:.1f}", f"{100 / 7:.1f}", f"{100 / 7:.1f}", f"{100 / 7:.1f}"]
    assert "- openai-stub-model: model stub-model (served as stub-model" + SERVED_SUFFIX in out
    assert "seed 0 (runs: seeds 0–2); prompt ner-v1 (SHA-256 " + sha256_hex(template)[:12] in out
    assert "price 1 / 2 per million input / output tokens" in out
    site = (board / "site" / "index.html").read_text(encoding="utf-8")
    assert "LLM systems" in site and "stub-model" + SERVED_SUFFIX in site

    # The relation task: a row of its own on the relation board, its arguments aligned to gold mentions.
    relation = records["openai-stub-model-relations"]
    row_data = relation["relations"][0]
    assert row_data["baseline"] == "openai-stub-model-relations" and row_data["entities"] == "gold (by text)"
    assert row_data["strict"]["micro"]["predicted"] == 2 and row_data["strict"]["micro"]["precision"] == 1.0
    assert row_data["strict"]["evidence"] is not None
    assert (relation["diagnostics"]["items"], relation["diagnostics"]["unknown_type"],
            relation["diagnostics"]["unaligned"]) == (4, 1, 1)
    assert relation["llm"]["manifest"]["task"] == "relations"
    assert any(line.startswith("| openai-stub-model-relations | gold (by text) | 2 | 100.0 |") for line in out.splitlines())

    # A rerun answers from the cache: no request, and no file changes (the records are rescored
    # from their prediction files, the runs' ones included, and agree).
    sent = sum(stub.calls.values())
    assert _board(stub, board) == 0
    assert sum(stub.calls.values()) == sent
    assert "no file changed" in capsys.readouterr().err


def test_an_edited_spread_of_runs_is_refused(stub: StubServer, cache: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    board = tmp_path / "board"
    assert main(["leaderboard", "--systems", "openai:stub-model", "--base-url", stub.base_url, "--runs", "2",
                 "--output", str(board), "--start-empty", "--samples", "20", "--counterfactual", "0"]) == 0
    path = board / "records" / "openai-stub-model.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["runs"]["f1"]["full"][1] = 0.99
    path.write_bytes(render_record(cast(Record, {k: v for k, v in record.items() if k != "digest"})))  # digest recomputed
    capsys.readouterr()
    assert main(["leaderboard", "--systems", "gold", "--output", str(board)]) == 2
    err = capsys.readouterr().err
    assert "record openai-stub-model: its runs differ from a scoring of its own prediction file" in err
    assert err.count("\n") == 1


def test_tag_prints_the_llm_summary_with_its_cost(stub: StubServer, cache: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    prices = tmp_path / "prices.tsv"
    prices.write_text("# model\tinput\toutput\nstub-model\t0.5\t1.5\n", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    assert main(["tag", "openai:stub-model", str(out), "--base-url", stub.base_url, "--counterfactual", "0",
                 "--price-file", str(prices)]) == 0
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith("openai-stub-model on "))
    assert re.search(r": unparseable 1\.5%, unaligned 14\.3%, unknown label 14\.3%, overlapping 14\.3%; "
                     r"[\d,]+ input and [\d,]+ output tokens, cost \d+\.\d{4} \(prices\.tsv\); "
                     r"latency p50 \d+\.\d\d s, p95 \d+\.\d\d s$", line), line


@pytest.mark.parametrize(("arguments", "message"), [
    (["--price-input", "1"], "--price-input and --price-output go together"),
    (["--vote"], "--vote needs --runs K with K >= 2"),
    (["--runs", "101"], "expected an integer between 1 and 100"),
    (["--temperature", "2.5"], "expected a number from 0 to 2"),
    (["--price-file", "PRICES"], "prices.tsv:2: expected MODEL<TAB>INPUT<TAB>OUTPUT"),
])
def test_bad_llm_options_are_errors_before_anything_runs(arguments: list[str], message: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    prices = tmp_path / "prices.tsv"
    prices.write_text("# model\tinput\toutput\nstub-model 0.5 1.5\n", encoding="utf-8")
    arguments = [str(prices) if argument == "PRICES" else argument for argument in arguments]
    try:
        code = main(["leaderboard", "--systems", "openai:stub-model", "--output", str(tmp_path / "b"), *arguments])
    except SystemExit as exit:  # argparse's own errors
        code = int(str(exit.code))
    assert code == 2
    err = capsys.readouterr().err
    # One line (argparse's own errors follow its usage lines, as every command's do).
    assert message in err.splitlines()[-1] and not (tmp_path / "b" / "records").exists()
    assert "usage:" in err or err.count("\n") == 1


def test_shots_come_from_the_versioned_pool_before_the_chunk(stub: StubServer, cache: Path) -> None:
    from zhnerbench.baselines.openai_chat import OpenAIChatTagger

    tagger = OpenAIChatTagger(model="stub-model", base_url=stub.base_url, shots=3)
    assert " 3-shot " in tagger.version
    tagger.load()
    tagger.predict("国务院总理李明出席会议。")
    messages = stub.bodies[-1]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user", "assistant", "user"]
    assert "江北省副省长周明远" in messages[1]["content"] and "# 实体类型 Labels" in messages[1]["content"]
    assert messages[-1]["content"].endswith("国务院总理李明出席会议。") and "# 实体类型" not in messages[-1]["content"]
    assert tagger.manifest()["shots"]["ids"] == ["s01", "s02", "s03"]
    with pytest.raises(Exception, match="holds 8 examples"):
        OpenAIChatTagger(model="stub-model", base_url=stub.base_url, shots=9).load()


def test_the_shot_pool_is_invented_well_formed_and_not_from_the_article() -> None:
    from zhnerbench.baselines.openai_chat import schema_label

    article = (ROOT / "corpus" / "article.txt").read_text(encoding="utf-8")
    windows = {article[i:i + 9] for i in range(len(article) - 8)}
    lines = (ROOT / "baselines" / "prompts" / "ner-shots-v1.jsonl").read_text(encoding="utf-8").splitlines()
    shots = [json.loads(line) for line in lines]
    assert len({shot["id"] for shot in shots}) == len(shots) == 8
    for shot in shots:
        text = shot["text"]
        assert not [text[i:i + 9] for i in range(len(text) - 8) if text[i:i + 9] in windows], shot["id"]
        for entity in shot["entities"]:
            assert entity["text"] in text and schema_label(entity["label"]) == entity["label"], entity
    relation_prompt = (ROOT / "baselines" / "prompts" / "re-v1.md").read_text(encoding="utf-8")
    assert not [relation_prompt[i:i + 9] for i in range(len(relation_prompt) - 8)
                if relation_prompt[i:i + 9] in windows]


def test_a_relation_system_is_not_a_tagger(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["tag", "openai-relations:stub-model", str(tmp_path / "p.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "extracts relations, not entities" in err and err.count("\n") == 1


def readme_llm_commands() -> list[str]:
    from tests.test_readme_examples import readme_block

    block = readme_block("bash", "# three samples (seeds 0, 1, 2)")
    return [line for line in block.splitlines() if line.startswith("zhnerbench ")]


@pytest.mark.parametrize("line", readme_llm_commands())
def test_the_readme_llm_commands_run(line: str, stub: StubServer, cache: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import shlex

    monkeypatch.chdir(tmp_path)
    (tmp_path / "prices.tsv").write_text("stub-model\t0.15\t0.6\n", encoding="utf-8")
    arguments = shlex.split(line.replace("http://127.0.0.1:8000/v1", stub.base_url).replace(":MODEL", ":stub-model"))[1:]
    if arguments[0] == "leaderboard":
        arguments += ["--start-empty", "--samples", "20", "--counterfactual", "0"]
    else:
        arguments += ["--counterfactual", "0"]
    assert main(arguments) == 0
    out, err = capsys.readouterr()
    if arguments[0] == "tag":
        assert "cost " in err and "(prices.tsv)" in err and (tmp_path / "pred.jsonl").is_file()
        return
    records = read_records(tmp_path / "my-board")
    ran = {name for name, record in records.items() if record.get("status") == "ran" and record.get("llm")}
    expected = {"--runs": {"openai-stub-model", "openai-stub-model-vote"}, "--shots": {"openai-stub-model-5shot"},
                "openai-relations:": {"openai-stub-model-relations"}}
    assert ran == next(names for option, names in expected.items() if option in line)
    assert "**LLM systems: cost, latency, variance and failures**" in out
