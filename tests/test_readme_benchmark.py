"""The README's "Benchmark your model" commands, run as written with the paths and the server
replaced by artefacts the tests make: a tiny BERT, a small spaCy pipeline, a local
OpenAI-compatible server. Systems whose models are not here must be listed as unavailable."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.openai_stub_server import Canned, StubServer
from tests.test_baselines_adapters import save_spacy_pipeline, save_tiny_bert
from tests.test_readme_examples import readme_block
from zhnerbench.cli import main
from zhnerbench.baselines.base import diagnostic_count
from zhnerbench.board.records import read_records
from zhnerbench.document import Document

pytest.importorskip("matplotlib")


def readme_commands() -> list[str]:
    block = readme_block("bash", "# a Hugging Face token-classification model")
    return [line for line in block.splitlines() if line.startswith("zhnerbench ")]


@pytest.fixture(scope="module")
def stub() -> Iterator[StubServer]:
    answer = json.dumps({"entities": [{"text": "张为", "label": "PERSON"}, {"text": "不在文中", "label": "ORG"}]},
                        ensure_ascii=False)
    with StubServer({"张为": Canned(answer)}) as server:
        yield server


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory, gold: Document) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("readme")
    return {"model": save_tiny_bert(folder, gold.text, "张为"),
            "pipeline": save_spacy_pipeline(tmp_path_factory.mktemp("spacy") / "pipeline")}


def test_the_readme_shows_one_command_per_kind() -> None:
    kinds = {re.search(r"(?:--system|tag) (\w+):", line).group(1) for line in readme_commands()}  # type: ignore[union-attr]
    assert kinds == {"hf", "spacy", "openai", "gliner", "stanza", "ltp"}


@pytest.mark.parametrize("line", readme_commands())
def test_a_readme_command_runs(line: str, artefacts: dict[str, Path], stub: StubServer, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZHNERBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path / "stanza"))
    line = (line.replace("path/to/model", str(artefacts["model"])).replace("path/to/pipeline", str(artefacts["pipeline"]))
            .replace("http://127.0.0.1:8000/v1", stub.base_url).replace("openai:MODEL", "openai:stub-model")
            .replace("--device cuda", "--device cpu"))
    arguments = shlex.split(line)[1:]
    if arguments[0] == "leaderboard":
        arguments += ["--start-empty", "--samples", "20", "--counterfactual", "2"]
    assert main(arguments) == 0
    if arguments[0] == "tag":
        assert json.loads(Path("pred.jsonl").read_text(encoding="utf-8").splitlines()[0])["mentions"]
        return
    (record,) = [r for name, r in read_records(tmp_path / "my-board").items() if r["kind"] == "ner"]
    if any(kind in line for kind in ("hf:", "spacy:", "openai:")):
        assert record["status"] == "ran" and record["scores"]["coarse"]["micro"]["correct"] > 0, record
    else:  # no model here: listed with the command that gets it
        assert record["status"] == "unavailable" and record["system"]["requires"]
    if "openai:" in line:
        assert diagnostic_count(record["diagnostics"], "unaligned") >= 1  # 不在文中 is not in the text: counted, not dropped
        assert f"{record['diagnostics']['unaligned']} unaligned (e.g. 不在文中 ORG" in \
            (tmp_path / "my-board" / "leaderboard.md").read_text(encoding="utf-8")
