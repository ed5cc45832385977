"""zhnerbench as lm-evaluation-harness tasks (issue 33, part 2).

The README's ``lm_eval`` commands run in this process (the harness's own command-line entry,
as written, with the paths and the server replaced): against the local stub server, which
answers every chunk in one of the answer shapes of real models (``tests/answer_shapes.py``,
the gold answer wrapped), and with a tiny causal LM the test builds and saves. The harness's F1
must be those of ``zhnerbench tag openai:`` then ``zhnerbench evaluate`` on the same answers to
the last digit, its requests the very ones ``openai:`` sends, and its ``--log_samples`` output
must join a board with those F1.

The harness indexes its 14,000 built-in tasks at every start (20 s of CPU here); the tests let
it index only the folder ``--include_path`` names, where the zhnerbench tasks are.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
import shlex
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.answer_shapes import SHAPES, Payload, Shape
from tests.openai_stub_server import Canned, StubServer
from tests.test_readme_examples import readme_block
from zhnerbench.baselines.base import diagnostic_count
from zhnerbench.cli import main
from zhnerbench.document import Document

pytest.importorskip("lm_eval")
pytest.importorskip("openai")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "sk-harness-secret-0042"
PASSWORD = "harness-pw-0042"
MODEL = "stub-model"
VIEWS = ("full", "ontonotes", "coarse")
#: The board name of the harness's run.
SUBMITTED = "lm-eval-stub"


def readme_commands() -> list[str]:
    block = readme_block("bash", "# an OpenAI-compatible server (vLLM, SGLang")
    return [line for line in block.splitlines() if line.startswith(("lm_eval ", "zhnerbench "))]


def readme_command(backend: str) -> str:
    return next(line for line in readme_commands() if f"--model {backend} " in line or backend in line.split()[:2])


# --- the stub's answers: every chunk in a shape of real models ------------------------------------------


def _documents() -> tuple[Document, Document]:
    from zhnerbench.harness.lm_eval_tasks import article, copies

    return article(), copies()[0]


def _prompt_parts() -> tuple[str, str]:
    from zhnerbench.harness.lm_eval_tasks import ner_prompt_template

    prefix, suffix = ner_prompt_template().text.split("{text}")
    return prefix, suffix


def chunk_answers() -> dict[str, tuple[int, Payload]]:
    """Each chunk of the article and of its first copy: its index and the gold answer (the flat
    layer inside it, as the prompt asks for it)."""
    from zhnerbench.baselines.openai_chat import chunk_pieces

    found: dict[str, tuple[int, Payload]] = {}
    for document in _documents():
        for index, (start, end) in enumerate(chunk_pieces(document.text)):
            payload = {"entities": [{"text": document.text[span.start:span.end], "label": span.label}
                                    for span in document.spans if start <= span.start and span.end <= end]}
            found.setdefault(document.text[start:end], (index, payload))
    return found


def relation_answer() -> Payload:
    article = _documents()[0]
    texts = {mention.entity: mention.text for mention in reversed(article.all_mentions)}
    return {"relations": [{"head": texts[r.head], "type": r.relation, "tail": texts[r.tail], "evidence": list(r.evidence)}
                          for r in article.relations]}


def shape_of(index: int) -> Shape:
    """The shape chunk ``index`` is answered in: each shape in turn."""
    return SHAPES[index % len(SHAPES)]


def responder(answers: Mapping[str, tuple[int, Payload]]) -> Any:
    prefix, suffix = _prompt_parts()
    relations = next(shape for shape in SHAPES if shape.name == "think-draft").reply(relation_answer())

    def reply(body: Mapping[str, Any]) -> Canned | None:
        user = next((str(m.get("content")) for m in body.get("messages") or [] if m.get("role") == "user"), "")
        if "[0] " in user:  # only the relation prompt numbers sentences
            return relations
        known = answers.get(user[len(prefix):len(user) - len(suffix)])
        return shape_of(known[0]).reply(known[1]) if known is not None else None

    return reply


# --- running lm_eval ----------------------------------------------------------------------------------


def harness_path() -> str:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["harness-path"]) == 0
    path = printed.getvalue().strip()
    assert (Path(path) / "zhnerbench_ner.yaml").is_file()
    return path


def run_lm_eval(line: str, replacements: Mapping[str, str], extra: list[str], patch: pytest.MonkeyPatch) -> None:
    """A README ``lm_eval`` line run by the harness's own entry point in this process."""
    from lm_eval.__main__ import cli_evaluate

    line = line.replace('"$(zhnerbench harness-path)"', shlex.quote(harness_path()))
    for old, new in replacements.items():
        line = line.replace(old, new)
    arguments = shlex.split(line)
    assert arguments[0] == "lm_eval"
    patch.setattr(sys, "argv", [*arguments, *extra])
    cli_evaluate()


@contextlib.contextmanager
def harness_environment(cache: Path) -> Iterator[pytest.MonkeyPatch]:
    """No hub, a key in the environment (which must reach no file), the harness indexing only
    the folder ``--include_path`` names."""
    from lm_eval.tasks import TaskManager

    original = TaskManager.__init__

    def include_path_only(self: Any, *args: Any, include_defaults: bool = True, **kwargs: Any) -> None:
        original(self, *args, include_defaults=False, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "OPENAI_API_KEY": SECRET_KEY,
                            "ZHNERBENCH_CACHE": str(cache), "TOKENIZERS_PARALLELISM": "false"}.items():
            patch.setenv(name, value)
        patch.delenv("OPENAI_BASE_URL", raising=False)
        patch.setattr(TaskManager, "__init__", include_path_only)
        yield patch


def results_of(folder: Path) -> dict[str, Any]:
    (path,) = folder.glob("*/results_*.json")
    results: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return results


def samples_file(folder: Path, task: str) -> Path:
    (path,) = folder.glob(f"*/samples_{task}_2*.jsonl")
    return path


@dataclass(frozen=True)
class Runs:
    """What the module's runs produced: the harness's output, ``tag``'s predictions and their
    evaluation, the board, and the requests the server saw (the harness's, then ``tag``'s; the
    board's adapter systems answered from the answer cache)."""

    harness: Path
    predictions: Path
    evaluation: dict[str, Any]
    board: Path
    bodies: list[dict[str, Any]]
    base_url: str


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    folder = tmp_path_factory.mktemp("harness")
    with harness_environment(folder / "cache") as patch, StubServer({}, responder=responder(chunk_answers())) as stub:
        # A key in the URL's query (as Azure's endpoints take it) and a token among the model's
        # arguments: neither may reach the board. (lm-eval's client refuses a password in the URL.)
        url = f"http://127.0.0.1:{stub.port}/v1/chat/completions?api-key={PASSWORD}"
        # The first copy only (its 66 chunks), not the 1,320 of all 20: the test stays small.
        first_copy = json.dumps({"zhnerbench_ner_counterfactual": list(range(66))})
        run_lm_eval(readme_command("local-chat-completions"),
                    {"model=MODEL": f"model={MODEL},auth_token={SECRET_KEY}-token",
                     "http://127.0.0.1:8000/v1/chat/completions": url,
                     "lm-eval-results": str(folder / "lm-eval-results")},
                    ["--samples", first_copy], patch)
        # The same answers through the adapter: tag, then evaluate.
        predictions = folder / "pred.jsonl"
        llm = ["--base-url", stub.base_url, "--max-tokens", "1024", "--llm-seed", "1234"]
        assert main(["tag", f"openai:{MODEL}", str(predictions), "--counterfactual", "1", *llm]) == 0
        assert main(["evaluate", str(predictions), "--json", str(folder / "evaluation.json"), "--samples", "50"]) == 0
        # The README's board line, with the adapter's two systems beside the run (from the answer cache).
        board = folder / "my-board"
        line = next(line for line in readme_commands() if line.startswith("zhnerbench leaderboard --add"))
        line = line.replace("my-model=lm-eval-results/MODEL/samples_zhnerbench_ner_DATE.jsonl",
                            f"{SUBMITTED}={samples_file(folder / 'lm-eval-results', 'zhnerbench_ner')}")
        line = line.replace("--output my-board", f"--output {board}")
        assert main([*shlex.split(line)[1:], "--start-empty", "--samples", "50", "--counterfactual", "1", "--jobs", "1",
                     "--systems", f"openai:{MODEL},openai-relations:{MODEL}", *llm]) == 0
        yield Runs(folder / "lm-eval-results", predictions,
                   json.loads((folder / "evaluation.json").read_text(encoding="utf-8")), board, list(stub.bodies),
                   stub.base_url)


def metric(results: Mapping[str, Any], task: str, name: str) -> float:
    value = results["results"][task][f"{name},none"]
    assert isinstance(value, float)
    return value


# --- the tests ------------------------------------------------------------------------------------------


def test_the_readme_shows_the_three_backends_and_the_board() -> None:
    lines = readme_commands()
    assert [line.split("--model ")[1].split()[0] for line in lines if line.startswith("lm_eval")] == \
        ["local-chat-completions", "hf", "vllm"]
    assert all('--include_path "$(zhnerbench harness-path)"' in line and "--log_samples" in line
               for line in lines if line.startswith("lm_eval"))
    assert "data_parallel_size=" in readme_command("vllm")
    assert any(line.startswith("zhnerbench leaderboard --add ") for line in lines)


def test_the_harness_reports_what_zhnerbench_evaluate_reports(runs: Runs) -> None:
    results = results_of(runs.harness)
    evaluation = runs.evaluation
    for view in VIEWS:
        scores = evaluation["views"][view]
        # To the last digit: the same spans, scored by the same function.
        assert metric(results, "zhnerbench_ner", f"f1_{view}") == scores["micro"]["f1"], view
        assert metric(results, "zhnerbench_ner", f"text_f1_{view}") == scores["text_match"]["f1"], view
        assert metric(results, "zhnerbench_ner_counterfactual", f"f1_{view}") == \
            evaluation["counterfactual"][view]["counterfactual_f1"], view
    assert 0.3 < metric(results, "zhnerbench_ner", "f1_full") < 1.0  # the gold in most chunks, none in others
    unreadable = sum(shape_of(index).expected != "read" for index in range(66)) / 66
    assert metric(results, "zhnerbench_ner", "unparseable") == pytest.approx(unreadable)
    # The relations: evaluate on the adapter's prediction file of the same answer.
    relation_file = runs.board / "predictions" / f"openai-{MODEL}-relations.jsonl"
    out = runs.harness.parent / "relations.json"
    assert main(["evaluate", str(relation_file), "--json", str(out), "--samples", "20"]) == 0
    relations = json.loads(out.read_text(encoding="utf-8"))["relations"]
    assert metric(results, "zhnerbench_re", "f1_strict") == relations["strict"]["micro"]["f1"] > 0.5
    assert metric(results, "zhnerbench_re", "f1_text") == relations["text"]["micro"]["f1"]
    assert metric(results, "zhnerbench_re", "evidence_f1") == relations["strict"]["evidence"]["f1"]
    assert results["n-samples"]["zhnerbench_ner"]["effective"] == 66
    # zhnerbench evaluate reads the run's logs too: the same scores, its report and intervals beside them.
    report = runs.harness.parent / "run-evaluation.json"
    assert main(["evaluate", str(samples_file(runs.harness, "zhnerbench_ner")), "--json", str(report),
                 "--samples", "50"]) == 0
    evaluated = json.loads(report.read_text(encoding="utf-8"))
    assert {view: evaluated["views"][view] for view in VIEWS} == {view: evaluation["views"][view] for view in VIEWS}
    assert evaluated["counterfactual"] == evaluation["counterfactual"]
    assert evaluated["relations"]["strict"]["micro"]["f1"] == metric(results, "zhnerbench_re", "f1_strict")
    assert results["n-samples"]["zhnerbench_ner_counterfactual"] == {"original": 1320, "effective": 66}


def test_the_harness_sends_the_requests_openai_sends(runs: Runs) -> None:
    from zhnerbench.baselines.openai_chat import SYSTEM_MESSAGE

    def conversation(body: Mapping[str, Any]) -> str:
        return json.dumps(body["messages"], ensure_ascii=False, sort_keys=True)

    harness = [body for body in runs.bodies if "stop" in body]
    assert len(harness) == 66 + 66 + 1 and all("response_format" not in body for body in harness)
    ner = [body for body in harness if body["messages"][0]["content"] == SYSTEM_MESSAGE]
    assert len(ner) == 132 and all([m["role"] for m in body["messages"]] == ["system", "user"] for body in ner)
    # tag's requests hold the same conversations: the system message, the chunk inside ner-v1
    # (the copy's sentences that are the article's are answered from tag's answer cache).
    adapters = [body for body in runs.bodies if "response_format" in body]
    sent = {conversation(body): body for body in adapters if body["messages"][0]["content"] == SYSTEM_MESSAGE}
    adapter = {conversation(body): body for body in ner}
    assert set(sent) == set(adapter)
    # The relation task's conversation is openai-relations:'s on the article (the board's run).
    (relations,) = [body for body in harness if body not in ner]
    assert conversation(relations) in {conversation(body) for body in adapters}
    for key, body in sent.items():
        other = adapter[key]
        assert (other["model"], other["temperature"], other["max_tokens"], other["seed"]) == \
            (body["model"], body["temperature"], body["max_tokens"], body["seed"]) == (MODEL, 0.0, 1024, 1234)


def test_a_harness_run_joins_the_board_with_its_scores_manifest_and_copies(runs: Runs, gold: Document) -> None:
    from zhnerbench.board.records import read_records
    from zhnerbench.board.scoring import scores_problem
    from zhnerbench.digests import sha256_hex
    from zhnerbench.harness.lm_eval_tasks import copies, ner_prompt_template

    results = results_of(runs.harness)
    records = read_records(runs.board)
    submitted, adapter = records[SUBMITTED], records[f"openai-{MODEL}"]
    assert submitted["origin"] == "submitted" and submitted["status"] == "ran"
    for view in VIEWS:
        assert submitted["scores"][view]["micro"]["f1"] == round(metric(results, "zhnerbench_ner", f"f1_{view}"), 4)
        # The same answers through the adapter: the very same scores, copies and Δ included.
        assert submitted["scores"][view] == adapter["scores"][view], view
        assert submitted["counterfactual"][view] == adapter["counterfactual"][view], view
        assert submitted["counterfactual"][view]["copies"] == 1
    # Each record is what a rescoring of its own prediction file gives (what the board checks at every run).
    for name in (SUBMITTED, f"{SUBMITTED}-relations"):
        (prediction_file,) = [path for path in records[name]["files"] if path == f"predictions/{name}.jsonl"]
        text = (runs.board / prediction_file).read_text(encoding="utf-8")
        assert scores_problem(records[name], text, gold, copies()) is None, name
    relation_rows = {row["baseline"]: row for record in records.values() for row in record.get("relations", [])}
    mine, theirs = relation_rows[f"{SUBMITTED}-relations"], relation_rows[f"openai-{MODEL}-relations"]
    assert mine["strict"]["micro"]["f1"] == round(metric(results, "zhnerbench_re", "f1_strict"), 4)
    assert (mine["strict"], mine["text"], mine["entities"]) == (theirs["strict"], theirs["text"], theirs["entities"])

    # What the answers held, counted as openai: counts it, but for what the harness does not keep:
    # the finish reason (a truncated answer is read, and is unparseable) and a reasoning field.
    ours, adapters = submitted["diagnostics"], adapter["diagnostics"]
    for key in ("chunks", "items", "bad_items", "unknown_label", "unaligned", "overlapping", "false_positive_labels"):
        assert ours[key] == adapters[key], key
    assert diagnostic_count(ours, "malformed") == \
        diagnostic_count(adapters, "malformed") + diagnostic_count(adapters, "truncated") > 0 and ours["truncated"] == 0
    field_only = sum(shape_of(i).name in ("reasoning-content-field", "reasoning-field", "truncated-in-reasoning",
                                           "answer-in-reasoning-only") for i in range(66))
    assert diagnostic_count(ours, "with_reasoning") == diagnostic_count(adapters, "with_reasoning") - field_only

    manifest: dict[str, Any] = submitted["llm"]["manifest"]
    assert (manifest["model"], manifest["temperature"], manifest["max_tokens"], manifest["seed"]) == (MODEL, 0.0, 1024, 1234)
    assert manifest["prompt"] == {"name": "ner-v1", "sha256": ner_prompt_template().sha256} \
        == {"name": "ner-v1", "sha256": sha256_hex((ROOT / "baselines" / "prompts" / "ner-v1.md").read_text(encoding="utf-8"))}
    assert manifest["endpoint"] == f"http://127.0.0.1:{runs.base_url.split(':')[-1].split('/')[0]}/v1/chat/completions"
    assert re.fullmatch(r"lm-eval \S+ \(--model local-chat-completions --apply_chat_template\)", str(manifest["client"]))
    assert manifest["harness"]["model_args"]["num_concurrent"] == 8
    assert records[f"{SUBMITTED}-relations"]["llm"]["manifest"]["max_tokens"] == 4096
    board = (runs.board / "leaderboard.md").read_text(encoding="utf-8")
    assert f"| {SUBMITTED} lm-eval " in board and "(--model local-chat-completions --apply_chat_template)" in board
    assert f"- {SUBMITTED}-relations: relation extraction" in board and "tokens not reported" in board
    # No secret of the run (the key in the environment and the model's arguments, the one in the URL) reaches the board.
    for path in runs.board.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET_KEY.encode() not in data and PASSWORD.encode() not in data, path


@pytest.fixture(scope="module")
def tiny_causal_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random Llama of a few thousand parameters over the characters of the prompts and the
    article, with a chat template, saved with ``save_pretrained``: it answers noise."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tokenizers = pytest.importorskip("tokenizers")
    from zhnerbench.harness.lm_eval_tasks import article, copies, ner_prompt_template, relation_prompt_template

    texts = [ner_prompt_template().text, relation_prompt_template().text, article().text, *(c.text for c in copies()[:1])]
    special = ["<unk>", "<s>", "</s>"]
    characters = sorted({c for text in texts for c in text} | {chr(code) for code in range(32, 127)} | {"\n"})
    vocabulary = {token: index for index, token in enumerate(special + characters)}
    tokenizer = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocabulary, unk_token="<unk>"))
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.Split(tokenizers.Regex(r"[\s\S]"), behavior="isolated")
    tokenizer.decoder = tokenizers.decoders.Fuse()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<s>",
                                                eos_token="</s>", pad_token="</s>")
    fast.chat_template = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
                          "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")
    config = transformers.LlamaConfig(vocab_size=len(vocabulary), hidden_size=16, intermediate_size=32,
                                      num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1,
                                      max_position_embeddings=8192, bos_token_id=1, eos_token_id=2, pad_token_id=2)
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-causal-lm")
    transformers.LlamaForCausalLM(config).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def test_the_readme_hf_command_runs_a_local_causal_lm(tiny_causal_lm: Path, tmp_path: Path, gold: Document) -> None:
    from zhnerbench.eval.evaluation import evaluate
    from zhnerbench.formats.prediction_files import Predictions
    from zhnerbench.harness.lm_eval_samples import read_lm_eval_run

    output = tmp_path / "lm-eval-results"
    with harness_environment(tmp_path / "cache") as patch:
        # Its context cut to 512 tokens and its answers to 8: a random model on a CPU, kept quick.
        run_lm_eval(readme_command("hf"), {"pretrained=path/to/model": f"pretrained={tiny_causal_lm},max_length=512",
                                            "lm-eval-results": str(output)},
                    ["--gen_kwargs", "max_gen_toks=8"], patch)
    results = results_of(output)
    assert set(results["results"]) == {"zhnerbench_ner", "zhnerbench_re"}
    for view in VIEWS:
        assert 0.0 <= metric(results, "zhnerbench_ner", f"f1_{view}") < 0.05
    assert metric(results, "zhnerbench_re", "f1_strict") < 0.05
    run = read_lm_eval_run(str(samples_file(output, "zhnerbench_re")), gold)
    assert run.model == str(tiny_causal_lm) and run.relations is not None
    assert run.manifest["client"] == f"lm-eval {run.version} (--model hf --apply_chat_template)"
    assert run.manifest["max_tokens"] == 8 and run.manifest["endpoint"] == "lm-eval --model hf"
    scored = evaluate([gold], Predictions("run", "documents", run.spans, None), list(VIEWS), samples=20)
    assert all(scored.views[view].scores.micro.f1 == metric(results, "zhnerbench_ner", f"f1_{view}") for view in VIEWS)


def test_the_readme_vllm_command_runs_on_gpus(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch") if importlib.util.find_spec("vllm") is not None else None
    if torch is None or not torch.cuda.is_available():
        pytest.skip("vLLM's backend needs GPUs: pip install 'lm-eval[vllm]' ray on a GPU machine, then run this test "
                    "or the README's vLLM line")
    if torch.cuda.device_count() > 1 and importlib.util.find_spec("ray") is None:
        pytest.skip("vLLM's data_parallel_size needs Ray: pip install ray")
    tiny_causal_lm: Path = request.getfixturevalue("tiny_causal_lm")  # built only where it can run
    output = tmp_path / "lm-eval-results"
    line = readme_command("vllm").replace("data_parallel_size=8", f"data_parallel_size={torch.cuda.device_count()}")
    with harness_environment(tmp_path / "cache") as patch:
        run_lm_eval(line, {"pretrained=MODEL": f"pretrained={tiny_causal_lm},max_model_len=8192",
                           "lm-eval-results": str(output)}, ["--gen_kwargs", "max_gen_toks=8"], patch)
    assert 0.0 <= metric(results_of(output), "zhnerbench_ner", "f1_full") < 0.05


def test_any_file_of_a_run_brings_the_whole_run(runs: Runs, tmp_path: Path, gold: Document) -> None:
    from zhnerbench.harness.lm_eval_samples import is_lm_eval_run, read_lm_eval_run, run_files
    from zhnerbench.harness.lm_eval_tasks import TASKS

    for path in runs.harness.glob("*/*"):
        assert is_lm_eval_run(str(path)), path
        logs, results = run_files(str(path))
        assert set(logs) == set(TASKS) and results is not None and results.name.startswith("results_")
    assert not is_lm_eval_run(str(runs.predictions)) and not is_lm_eval_run("-")
    # A log renamed is found by its content, and stands alone: no settings, the model unknown.
    renamed = tmp_path / "my-run.jsonl"
    shutil.copy(samples_file(runs.harness, "zhnerbench_ner"), renamed)
    assert is_lm_eval_run(str(renamed)) and run_files(str(renamed)) == ({"zhnerbench_ner": renamed}, None)
    run = read_lm_eval_run(str(renamed), gold)
    assert run.model is None and run.relations is None and set(run.spans) == {gold.id}
    assert run.manifest["model"] == "?" and run.manifest["max_tokens"] == 1024  # the settings each line carries


# --- bad runs: one line naming the file and the line -----------------------------------------------------


def _copy_run(runs: Runs, folder: Path) -> dict[str, Path]:
    """The run's files, copied (names kept, so that the run's files are found beside each other)."""
    folder.mkdir()
    copied = {}
    for path in sorted(runs.harness.glob("*/*")):
        shutil.copy(path, folder / path.name)
        copied[path.name.split("_2")[0]] = folder / path.name
    return copied


def _edit_line(path: Path, number: int, edit: Any) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = edit(lines[number - 1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _doc_text(text: str) -> str:
    value = json.loads(text)
    value["doc"]["text"] = value["doc"]["text"][:-1] + "X"
    return json.dumps(value, ensure_ascii=False)


def _no_answer(text: str) -> str:
    value = json.loads(text)
    value["filtered_resps"] = "{}"
    return json.dumps(value, ensure_ascii=False)


#: Each case: how the run's files (by kind) are spoiled, which file --add names, the message expected.
BAD_RUNS: dict[str, tuple[Callable[[dict[str, Path]], object], str, str]] = {
    "invalid JSON": (lambda files: _edit_line(files["samples_zhnerbench_ner"], 3, lambda line: line[:40]),
                     "samples_zhnerbench_ner", r":3: invalid JSON"),
    "a chunk that is not the task's": (lambda files: _edit_line(files["samples_zhnerbench_ner"], 5, _doc_text),
                                       "samples_zhnerbench_ner", r":5: chunk 4 of 000_e491b11e84c79d89 is not the chunk"),
    "no answer": (lambda files: _edit_line(files["samples_zhnerbench_ner"], 2, _no_answer),
                  "samples_zhnerbench_ner", r':2: "filtered_resps" must hold one answer'),
    "a chunk twice": (lambda files: files["samples_zhnerbench_ner"].write_text(
        files["samples_zhnerbench_ner"].read_text(encoding="utf-8") +
        files["samples_zhnerbench_ner"].read_text(encoding="utf-8").splitlines()[6] + "\n", encoding="utf-8"),
        "samples_zhnerbench_ner", r":67: chunk 6 of 000_e491b11e84c79d89 again \(first on line 7\)"),
    "a run with --limit": (lambda files: files["samples_zhnerbench_ner"].write_text(
        "\n".join(files["samples_zhnerbench_ner"].read_text(encoding="utf-8").splitlines()[:10]) + "\n", encoding="utf-8"),
        "samples_zhnerbench_ner", r": covers 10 of the 66 chunks of 000_e491b11e84c79d89 \(a run with --limit\?\)"),
    "no article": (lambda files: files["samples_zhnerbench_ner"].unlink(),
                   "samples_zhnerbench_ner_counterfactual", r": the run has no zhnerbench_ner samples"),
    "a key given twice": (lambda files: _edit_line(files["samples_zhnerbench_ner"], 4, lambda line: '{"doc": {}, ' + line[1:]),
                          "samples_zhnerbench_ner", r":4: the key 'doc' is given twice"),
    "a results file with a key twice": (lambda files: files["results"].write_text(
        '{"config": {}, ' + files["results"].read_text(encoding="utf-8").lstrip()[1:], encoding="utf-8"),
        "samples_zhnerbench_re", r"results_[0-9T.\-]+\.json: the key 'config' is given twice"),
    "a broken results file": (lambda files: files["results"].write_text("{\n  \"config\": ", encoding="utf-8"),
                              "samples_zhnerbench_re", r"results_[0-9T.\-]+\.json:2: invalid JSON"),
}


@pytest.mark.parametrize("case", list(BAD_RUNS))
def test_a_bad_run_is_one_line_naming_the_file_and_line(case: str, runs: Runs, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    spoil, given, message = BAD_RUNS[case]
    files = _copy_run(runs, tmp_path / "run")
    spoil(files)
    board = tmp_path / "board"
    assert main(["leaderboard", "--add", f"bad={files[given]}", "--output", str(board), "--start-empty"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and error.startswith("zhnerbench leaderboard: error: "), error
    assert re.search(message, error), error
    assert not board.exists()  # nothing written


def test_the_docs_state_the_prompts_and_docs_of_the_tasks() -> None:
    from zhnerbench.harness.lm_eval_tasks import (
        COUNTERFACTUAL_TASK,
        NER_TASK,
        TASKS_DIR,
        article,
        chunk_docs,
        copies,
        ner_prompt_template,
        relation_prompt_template,
    )

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    manual = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    for text in (readme, manual):
        assert ner_prompt_template().sha256 in text and relation_prompt_template().sha256 in text
    chunks, copy_chunks = len(chunk_docs([article()], NER_TASK)), len(chunk_docs(copies(), COUNTERFACTUAL_TASK))
    assert f"({chunks} in the article, {copy_chunks:,} in the copies)" in readme
    tokens = [int(re.search(r"max_gen_toks: (\d+)", (Path(TASKS_DIR) / name).read_text(encoding="utf-8")).group(1))  # type: ignore[union-attr]
              for name in ("_ner_template_yaml", "zhnerbench_re.yaml")]
    assert f"at most {tokens[0]:,} new tokens a chunk ({tokens[1]:,} for the relations)" in readme
    assert f"`max_gen_toks` {tokens[0]:,} a chunk and {tokens[1]:,} for the relations" in manual
