"""Reading an lm-evaluation-harness run of the zhnerbench tasks (``--log_samples``) for the board.

``lm_eval --log_samples --output_path DIR`` writes, in ``DIR/MODEL/``, one
``samples_TASK_DATE.jsonl`` per task (a line per doc: the doc, the request's arguments, the
answers ``resps`` and ``filtered_resps``) and ``results_DATE.json`` (the model, its arguments,
the settings, each task's config). ``zhnerbench leaderboard --add NAME=FILE`` takes any of
these files (:func:`is_lm_eval_run`) and reads the whole run, the files of the same ``DATE``
beside it (:func:`read_lm_eval_run`):

* ``zhnerbench_ner`` (required): each line's answer is read and placed in its chunk exactly as
  the task's ``process_results`` does it (:mod:`zhnerbench.harness.lm_eval_tasks`, the ``openai:``
  adapter's own functions), so the board's score is the harness's;
* ``zhnerbench_ner_counterfactual``: the copies it covers whole, for the counterfactual F1 and Δ;
* ``zhnerbench_re``: the relations, a relation record of their own;
* ``results_DATE.json``: the model, the backend and its arguments (secrets left out), the
  generation settings, lm-eval's version, for the record's manifest.

Every doc is checked against this zhnerbench's gold: its chunk must be the chunk the task sends
(same offsets, same text), each once, and every document a file names covered whole (a run
with ``--limit`` is for testing, and the board scores whole documents). Each problem is one
error naming the file and the line.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from zhnerbench.baselines import openai_chat, openai_relations
from zhnerbench.baselines.base import Diagnostics
from zhnerbench.baselines.chat_client import Answer, reasoning_record
from zhnerbench.baselines.llm_answers import Reading
from zhnerbench.document import Document, PredictedRelation, Span
from zhnerbench.exceptions import PredictionFormatError
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.harness.lm_eval_tasks import COUNTERFACTUAL_TASK, NER_TASK, RELATION_TASK, TASKS, read_ner_answer
from zhnerbench.reading import InputError, RepeatedKey, loads_unique, read_input_bytes
from zhnerbench.secrets import public_url, scrub, without_home

#: ``samples_TASK_DATE.jsonl``, as lm-eval names a task's samples (the longest task name first).
SAMPLES_NAME = re.compile(r"samples_(?P<task>" + "|".join(sorted(TASKS, key=len, reverse=True)) +
                          r")_(?P<date>[0-9T:.\-]+)\.jsonl")
#: ``results_DATE.json`` (or ``STEM_DATE.json`` when ``--output_path`` named a ``.json`` file).
RESULTS_NAME = re.compile(r"(?P<stem>.+)_(?P<date>\d{4}-\d\d-\d\dT[0-9.\-]+)\.json")
#: How much of a file is read to tell whether it is a sample log (its first line holds a whole prompt).
SNIFF_BYTES = 1 << 20
#: Model arguments whose values are never recorded (keys, tokens, headers).
SECRET_ARGUMENT = re.compile(r"(^|_)(api_?key|key|token|secret|password|passwd|auth|headers?|credentials?)(_|$)",
                             re.IGNORECASE)
#: lm-eval's backends that send requests to a server at ``base_url``.
ENDPOINT_ARGUMENT = "base_url"
#: The most characters of a text setting (a system instruction) a manifest keeps.
MAX_SETTING_CHARS = 300


@dataclass(frozen=True)
class SampleLine:
    """One doc of a sample log: where it is, the doc, its answer and its generation settings."""

    line: int
    doc: Mapping[str, Any]
    answer: str
    generation: Mapping[str, Any]


@dataclass(frozen=True)
class TaskSamples:
    """One task's sample log, read: its file (as messages name it) and its lines."""

    task: str
    file: str
    lines: tuple[SampleLine, ...]


@dataclass(frozen=True)
class LmEvalRun:
    """What one lm-eval run of the zhnerbench tasks predicts, and how it was made.

    ``spans`` holds the article's spans and those of every copy the run covers; ``relations``
    the relations of the documents ``zhnerbench_re`` covers (``None``: the run has no such
    task). The manifests are those of the records (:class:`~zhnerbench.board.records.LlmInfo`)."""

    files: tuple[str, ...]
    model: str | None
    version: str
    spans: dict[str, tuple[Span, ...]]
    diagnostics: Diagnostics
    manifest: dict[str, object]
    relations: dict[str, tuple[PredictedRelation, ...]] | None = None
    relation_diagnostics: Diagnostics | None = None
    relation_manifest: dict[str, object] | None = None


# --- which files -------------------------------------------------------------------------------------


def _first_line(path: str) -> bytes | None:
    """The start of a regular file's first line (``None`` for anything else: standard input, a FIFO...)."""
    try:
        if path == "-" or not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as stream:
            return stream.read(SNIFF_BYTES).split(b"\n", 1)[0]
    except OSError:
        return None


def sample_task(line: bytes | str) -> str | None:
    """The zhnerbench task a sample-log line is of (``None``: it is no such line).

    >>> sample_task('{"doc_id": 0, "doc": {"task": "zhnerbench_ner"}, "filtered_resps": [""]}')
    'zhnerbench_ner'
    >>> sample_task('{"id": "000_e491b11e84c79d89", "mentions": []}') is None
    True
    """
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict) or "filtered_resps" not in value or not isinstance(value.get("doc"), dict):
        return None
    task = value["doc"].get("task")
    return task if task in TASKS else None


def is_lm_eval_run(path: str) -> bool:
    """Whether ``path`` is a file of an lm-eval run of the zhnerbench tasks: a sample log of one
    of them (by its content, whatever its name) or the run's results file, with their logs beside it."""
    first = _first_line(path)
    if first is None:
        return False
    if sample_task(first) is not None:
        return True
    named = RESULTS_NAME.fullmatch(Path(path).name)
    return named is not None and any(Path(path).parent.glob(f"samples_zhnerbench_*_{named.group('date')}.jsonl"))


def run_files(path: str) -> tuple[dict[str, Path], Path | None]:
    """The sample logs of the run ``path`` belongs to, by task, and its results file (``None``:
    not found). A file named as lm-eval names it brings the files of the same date beside it;
    a renamed sample log stands alone."""
    file = Path(path)
    named = SAMPLES_NAME.fullmatch(file.name) or RESULTS_NAME.fullmatch(file.name)
    if named is None:
        task = sample_task(_first_line(path) or b"")
        return ({task: file} if task is not None else {}), None
    date = named.group("date")
    folder = file.parent
    samples = {task: folder / f"samples_{task}_{date}.jsonl" for task in TASKS
               if (folder / f"samples_{task}_{date}.jsonl").is_file()}
    results = [candidate for candidate in sorted(folder.glob(f"*_{date}.json"))
               if not candidate.name.startswith("samples_")]
    preferred = [candidate for candidate in results if candidate.name == f"results_{date}.json"]
    chosen = preferred or results
    return samples, chosen[0] if chosen else None


# --- reading sample logs -------------------------------------------------------------------------------


def _text(path: Path, shown: str) -> str:
    try:
        data = read_input_bytes(path)
    except InputError as error:
        raise PredictionFormatError(shown, None, str(error).removeprefix(f"{path}: ")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PredictionFormatError(shown, None, f"not UTF-8 (byte {error.start})") from None


def _sample_line(raw: str, number: int, task: str, shown: str) -> SampleLine:
    try:
        value = loads_unique(raw)
    except RepeatedKey as error:
        raise PredictionFormatError(shown, number, f"the key {error.key[:40]!r} is given twice") from None
    except json.JSONDecodeError as error:
        raise PredictionFormatError(shown, number, f"invalid JSON ({error.msg})") from None
    if not isinstance(value, dict) or not isinstance(value.get("doc"), dict):
        raise PredictionFormatError(shown, number, "not a line of lm-eval's sample log (no \"doc\" object)")
    doc = value["doc"]
    if doc.get("task") != task:
        raise PredictionFormatError(shown, number, f"a doc of task {str(doc.get('task'))[:60]!r}, in the {task} log")
    answers = value.get("filtered_resps")
    if not isinstance(answers, list) or len(answers) != 1 or not (answers[0] is None or isinstance(answers[0], str)):
        raise PredictionFormatError(shown, number, "\"filtered_resps\" must hold one answer (a string)")
    arguments = value.get("arguments")
    generation: Mapping[str, Any] = {}
    if isinstance(arguments, dict) and isinstance(arguments.get("gen_args_0"), dict) \
            and isinstance(arguments["gen_args_0"].get("arg_1"), dict):
        generation = arguments["gen_args_0"]["arg_1"]
    return SampleLine(number, doc, answers[0] or "", generation)


def read_task_samples(path: Path, task: str) -> TaskSamples:
    """A task's sample log, line by line (each a doc of ``task`` with one answer)."""
    shown = str(path)
    lines = [_sample_line(raw, number, task, shown)
             for number, raw in enumerate(_text(path, shown).splitlines(), 1) if raw.strip()]
    if not lines:
        raise PredictionFormatError(shown, None, "empty file")
    return TaskSamples(task, shown, tuple(lines))


def _field(line: SampleLine, key: str, kind: type, shown: str) -> Any:
    value = line.doc.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise PredictionFormatError(shown, line.line, f"the doc has no {kind.__name__} {key!r}")
    return value


def _same_prompt(samples: TaskSamples) -> dict[str, str]:
    """The prompt (version and SHA-256) every doc of a log names; docs that disagree are an error."""
    first = samples.lines[0]
    prompt = {"name": _field(first, "prompt", str, samples.file), "sha256": _field(first, "prompt_sha256", str, samples.file)}
    for line in samples.lines:
        if (line.doc.get("prompt"), line.doc.get("prompt_sha256")) != (prompt["name"], prompt["sha256"]):
            raise PredictionFormatError(samples.file, line.line, f"prompt {str(line.doc.get('prompt'))[:40]} "
                                        f"{str(line.doc.get('prompt_sha256'))[:12]}… differs from line {first.line}'s")
    return prompt


#: The gold documents a run may cover, by id: the article and its copies.
Gold = Mapping[str, Document]


def gold_document(gold: Gold, identifier: str, shown: str, line: int) -> Document:
    """The gold document a doc names; another is an error naming the line."""
    document = gold.get(identifier)
    if document is None:
        known = sorted(gold)
        raise PredictionFormatError(shown, line, f"document {identifier[:80]!r} is not one of this log's task "
                                    f"({', '.join(known[:2])}{', ...' if len(known) > 2 else ''})")
    return document


def chunk_answers(samples: TaskSamples, gold: Gold) -> dict[str, list[tuple[tuple[int, int], str]]]:
    """Each document's chunks ``((start, end), answer)`` in order, checked against the gold:
    every chunk the one the task sends, each once, every document covered whole."""
    shown = samples.file
    seen: dict[tuple[str, int], int] = {}
    by_document: dict[str, dict[int, tuple[tuple[int, int], str]]] = {}
    for line in samples.lines:
        identifier = _field(line, "document", str, shown)
        chunk, start, end = (_field(line, key, int, shown) for key in ("chunk", "start", "end"))
        text = _field(line, "text", str, shown)
        document = gold_document(gold, identifier, shown, line.line)
        pieces = openai_chat.chunk_pieces(document.text)
        if not 0 <= chunk < len(pieces) or pieces[chunk] != (start, end) or document.text[start:end] != text:
            raise PredictionFormatError(shown, line.line, f"chunk {chunk} of {identifier} is not the chunk this "
                                        "zhnerbench's task sends (made with another version of the tasks or the gold?)")
        if (identifier, chunk) in seen:
            raise PredictionFormatError(shown, line.line, f"chunk {chunk} of {identifier} again (first on line "
                                        f"{seen[identifier, chunk]})")
        seen[identifier, chunk] = line.line
        by_document.setdefault(identifier, {})[chunk] = ((start, end), line.answer)
    for identifier, chunks in by_document.items():
        total = len(openai_chat.chunk_pieces(gold[identifier].text))
        if len(chunks) != total:
            raise PredictionFormatError(shown, None, f"covers {len(chunks)} of the {total} chunks of {identifier} (a run "
                                        "with --limit?); the board scores whole documents: run the task without --limit")
    return {identifier: [chunks[index] for index in sorted(chunks)] for identifier, chunks in by_document.items()}


def ner_spans(samples: TaskSamples, gold: Gold) -> tuple[dict[str, tuple[Span, ...]], dict[str, Diagnostics]]:
    """Each document's spans, placed by ``openai:``'s alignment, and each document's diagnostics
    (what the answers held that could not be used, as ``openai:`` counts it)."""
    spans: dict[str, tuple[Span, ...]] = {}
    diagnostics: dict[str, Diagnostics] = {}
    for identifier, chunks in chunk_answers(samples, gold).items():
        document = gold[identifier]
        readings: list[Reading | None] = [read_ner_answer(answer) for _, answer in chunks]
        placed = openai_chat.place_answers(document.text, [piece for piece, _ in chunks], readings)
        spans[identifier] = tuple(sorted(placed.spans))
        counts = openai_chat.reading_diagnostics(readings, placed)
        diagnostics[identifier] = {"chunks": len(chunks), "failed": 0,
                                   **{key: counts[key] for key in openai_chat.ANSWER_COUNTS},
                                   "unaligned_examples": counts["unaligned_examples"],
                                   "overlapping_examples": counts["overlapping_examples"],
                                   "false_positive_labels": counts["false_positive_labels"]}
    return spans, diagnostics


def relations_of(samples: TaskSamples, gold: Gold) -> tuple[dict[str, tuple[PredictedRelation, ...]], dict[str, Diagnostics]]:
    """Each document's relations, aligned to its gold mentions by ``openai-relations:``'s rule, and its diagnostics."""
    shown = samples.file
    relations: dict[str, tuple[PredictedRelation, ...]] = {}
    diagnostics: dict[str, Diagnostics] = {}
    seen: dict[str, int] = {}
    for line in samples.lines:
        identifier = _field(line, "document", str, shown)
        document = gold_document(gold, identifier, shown, line.line)
        if _field(line, "text", str, shown) != openai_relations.numbered_sentences(document):
            raise PredictionFormatError(shown, line.line, f"the text of {identifier} is not the one this zhnerbench's "
                                        "task sends (made with another version of the tasks or the gold?)")
        if identifier in seen:
            raise PredictionFormatError(shown, line.line, f"{identifier} again (first on line {seen[identifier]})")
        seen[identifier] = line.line
        reading = openai_relations.read_relations(Answer(line.answer))
        found, unusable = openai_relations.answer_relations(document, reading)
        relations[identifier] = tuple(found)
        counts = openai_relations.answer_diagnostics(reading, unusable)
        diagnostics[identifier] = {"documents": 1, "failed": 0,
                                   **{key: counts[key] for key in openai_relations.ANSWER_COUNTS},
                                   "unaligned_examples": counts["unaligned_examples"]}
    return relations, diagnostics


# --- the run's settings --------------------------------------------------------------------------------


def _results(path: Path | None) -> Mapping[str, Any]:
    if path is None:
        return {}
    text = _text(path, str(path))
    try:
        value = loads_unique(text)
    except RepeatedKey as error:
        raise PredictionFormatError(str(path), None, f"the key {error.key[:40]!r} is given twice") from None
    except json.JSONDecodeError as error:
        raise PredictionFormatError(str(path), error.lineno, f"invalid JSON ({error.msg})") from None
    if not isinstance(value, dict) or not isinstance(value.get("config"), dict):
        raise PredictionFormatError(str(path), None, "not lm-eval's results file (no \"config\" object)")
    return value


def model_arguments(value: object) -> dict[str, object]:
    """The model arguments as a record may keep them: ``key=value,...`` or an object, without
    the values of keys, tokens or headers, and URLs without user, password or query.

    >>> model_arguments("pretrained=m,base_url=http://u:pw@host/v1?key=k,auth_token=s3cret,num_concurrent=8,"
    ...                 "tokenizer=t,hf_token=s3cret,api_key=s3cret")
    {'pretrained': 'm', 'base_url': 'http://host/v1', 'num_concurrent': 8, 'tokenizer': 't'}
    """
    if isinstance(value, str):
        pairs: dict[str, object] = {}
        for part in value.split(","):
            key, _, item = part.partition("=")
            if key.strip():
                pairs[key.strip()] = int(item) if item.strip().isdigit() else item.strip()
        value = pairs
    if not isinstance(value, dict):
        return {}
    kept: dict[str, object] = {}
    for key, item in value.items():
        if not isinstance(key, str) or SECRET_ARGUMENT.search(key):
            continue
        if isinstance(item, str):
            item = public_url(item) if "://" in item else without_home(scrub(item, [os.environ.get("OPENAI_API_KEY")]))
        elif not isinstance(item, (int, float, bool)) and item is not None:
            item = scrub(json.dumps(item, ensure_ascii=False)[:MAX_SETTING_CHARS])
        kept[key] = item
    return kept


def _generation(samples: TaskSamples) -> dict[str, Any]:
    """The generation settings of a log's requests (those of its first doc; every doc has the same)."""
    return {key: value for key, value in samples.lines[0].generation.items()
            if isinstance(value, (str, int, float, bool, list)) or value is None}


def _max_tokens(generation: Mapping[str, Any]) -> object:
    return next((generation[key] for key in ("max_gen_toks", "max_tokens", "max_new_tokens", "max_completion_tokens")
                 if key in generation), None)


def manifest(task: str, results: Mapping[str, Any], arguments: Mapping[str, object], samples: TaskSamples,
             prompt: Mapping[str, str], diagnostics: Diagnostics) -> dict[str, object]:
    """A record's manifest (the keys of ``openai:``'s, which the board shows) and what lm-eval
    states of the run (``harness``)."""
    config: Mapping[str, Any] = results.get("config") or {}
    backend = str(config.get("model") or "?")
    version = str(results.get("lm_eval_version") or "?")
    generation = _generation(samples)
    endpoint = arguments.get(ENDPOINT_ARGUMENT)
    seed = arguments.get("seed", config.get("torch_seed"))
    instruction = results.get("system_instruction")
    # lm-eval records the chat template it applied (an API backend's is ""), None without one.
    chat = results.get("chat_template") is not None if results else None
    return {
        "task": task,
        "model": model_name(results, arguments) or "?",
        "served_model": "",
        "endpoint": str(endpoint) if isinstance(endpoint, str) else f"lm-eval --model {backend}",
        "temperature": generation.get("temperature"),
        "top_p": generation.get("top_p"),
        "max_tokens": _max_tokens(generation),
        "seed": seed if isinstance(seed, int) else None,
        "prompt": dict(prompt),
        "shots": None,
        "client": f"lm-eval {version} (--model {backend}{' --apply_chat_template' if chat else ''})",
        "reasoning": reasoning_record(diagnostics),
        "harness": {
            "name": "lm-eval",
            "version": version,
            "model": backend,
            "model_args": dict(arguments),
            "generation": generation,
            "chat_template": chat,
            "system_instruction": scrub(instruction)[:MAX_SETTING_CHARS] if isinstance(instruction, str) else None,
            "limit": config.get("limit"),
            "transformers": results.get("transformers_version"),
            "tasks": sorted(str(task) for task in (results.get("versions") or {})),
        },
    }


def model_name(results: Mapping[str, Any], arguments: Mapping[str, object]) -> str | None:
    """The model a run evaluated: its ``pretrained``, ``model`` or ``path`` argument, else lm-eval's name for it.

    >>> model_name({}, {"pretrained": "Qwen/Qwen2.5-7B-Instruct", "dtype": "bfloat16"})
    'Qwen/Qwen2.5-7B-Instruct'
    """
    for key in ("pretrained", "model", "path", "engine"):
        value = arguments.get(key)
        if isinstance(value, str) and value:
            return value
    name = results.get("model_name")
    return without_home(name) if isinstance(name, str) and name else None


# --- the run ---------------------------------------------------------------------------------------------


def read_lm_eval_run(path: str, article: Document, copies: Sequence[Document] = ()) -> LmEvalRun:
    """The run ``path`` belongs to (see the module doc), read and checked against the gold:
    the ``article`` and its counterfactual ``copies``."""
    logs, results_path = run_files(path)
    if NER_TASK not in logs:
        raise PredictionFormatError(path, None, f"the run has no {NER_TASK} samples (samples_{NER_TASK}_DATE.jsonl "
                                    f"beside it): the board scores the article first; run lm_eval with --tasks "
                                    f"{NER_TASK} (or zhnerbench) and --log_samples")
    samples = {task: read_task_samples(file, task) for task, file in logs.items()}
    results = _results(results_path)
    arguments = model_arguments((results.get("config") or {}).get("model_args"))
    ner = samples[NER_TASK]
    spans, diagnostics = ner_spans(ner, {article.id: article})
    if COUNTERFACTUAL_TASK in samples:
        copy_spans, _ = ner_spans(samples[COUNTERFACTUAL_TASK], {copy.id: copy for copy in copies})
        spans.update(copy_spans)
    run = LmEvalRun(
        files=tuple([log.file for log in samples.values()] + ([str(results_path)] if results_path is not None else [])),
        model=model_name(results, arguments), version=str(results.get("lm_eval_version") or "?"), spans=spans,
        diagnostics=diagnostics[article.id],
        manifest=manifest("ner", results, arguments, ner, _same_prompt(ner), diagnostics[article.id]))
    if RELATION_TASK not in samples:
        return run
    relation_log = samples[RELATION_TASK]
    relations, relation_diagnostics = relations_of(relation_log, {article.id: article, **{c.id: c for c in copies}})
    if article.id not in relations:
        raise PredictionFormatError(relation_log.file, None, f"does not cover the article ({article.id})")
    return replace(run, relations=relations, relation_diagnostics=relation_diagnostics[article.id],
                   relation_manifest=manifest("relations", results, arguments, relation_log,
                                              _same_prompt(relation_log), relation_diagnostics[article.id]))


def run_predictions(run: LmEvalRun) -> Predictions:
    """A run's predictions as a prediction file holds them: the spans of the article and of the
    copies it covers, and its relations (arguments aligned to gold mentions) when it has them."""
    return Predictions(run.files[0], "documents", run.spans, run.relations)


def run_summary(run: LmEvalRun) -> str:
    """One line saying what a run holds (for the leaderboard's output).

    >>> run_summary(LmEvalRun((), "m", "0.4.13", {"a": (), "b": ()}, {}, {}))
    'lm-eval 0.4.13 run of m: the article, 1 counterfactual copy'
    """
    copies = len(run.spans) - 1
    parts = [f"lm-eval {run.version} run of {run.model or 'an unnamed model'}: the article",
             *([f"{copies} counterfactual cop{'y' if copies == 1 else 'ies'}"] if copies else []),
             *(["relations"] if run.relations is not None else [])]
    return ", ".join(parts)
