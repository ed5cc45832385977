"""Fuzz tests of every reader `zhnerbench evaluate` uses.

Random bytes, random JSON and random tag sequences go through the readers and
through the CLI: each input either loads or raises the project's own error type
with a message (the CLI: exit status 2 and one line); nothing else escapes, and
nothing is written.

``make test`` runs 120 examples per reader test (40 through the CLI), to keep the loop fast;
``ZHNERBENCH_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_readers.py`` searches harder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhnerbench.cli import main
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.formats.registry import format_names, read_predictions
from zhnerbench.tag_schemes import sentence_id
from zhnerbench.document import Document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("ZHNERBENCH_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.large_base_example, HealthCheck.too_slow],
)
TAGS = st.sampled_from(["O", "B-PERSON", "I-PERSON", "B-ORG", "I-ORG", "E-ORG", "S-GPE", "B-PER", "I-XYZ", "B-", "x", ""])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5000) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "mentions", "relations", "start", "end", "label", "text", "head", "tail", "relation",
                         "evidence", "tags", "tokens", "x"]),
        children, max_size=5),
    max_leaves=20,
)


def tree_digest(*folders: str) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module", autouse=True)
def nothing_is_written_to_the_checkout():
    before = tree_digest("annotations", "data", "corpus", "seeds")
    yield
    assert tree_digest("annotations", "data", "corpus", "seeds") == before


def read_or_fail_cleanly(data: bytes, gold: Document, format: str | None, lenient: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pred.txt"
        path.write_bytes(data)
        try:
            read_predictions(path, [gold], format=format, lenient=lenient)
        except ZhNerBenchError as error:
            assert str(error).strip(), "an error needs a message"
            assert "\n" not in str(error), "one line"
        assert [p.name for p in Path(folder).iterdir()] == ["pred.txt"]


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([None, *format_names()]))
def test_random_bytes(gold, data, format):
    read_or_fail_cleanly(data, gold, format)


@FUZZ
@given(st.lists(json_values, max_size=3), st.sampled_from([None, "documents", "sentences"]))
def test_random_json_lines(gold, values, format):
    data = "\n".join(json.dumps(v, ensure_ascii=False) for v in values).encode("utf-8")
    read_or_fail_cleanly(data, gold, format)


@FUZZ
@given(st.data())
def test_random_documents_records(gold, data):
    mention = st.fixed_dictionaries(
        {"start": st.integers(-2, len(gold.text) + 2), "end": st.integers(-2, len(gold.text) + 2),
         "label": st.sampled_from(["PERSON", "ORG", "PER", "TITLE", "NOPE", ""])},
        optional={"text": st.text(max_size=4)},
    )
    argument = st.fixed_dictionaries({"start": st.integers(0, 400), "end": st.integers(0, 400)})
    relation = st.fixed_dictionaries(
        {"head": argument, "relation": st.sampled_from(["has_title", "partner_of", "x"]), "tail": argument},
        optional={"evidence": st.lists(st.integers(-1, 70), max_size=3)},
    )
    record = {"id": data.draw(st.sampled_from([gold.id, "other"])),
              "mentions": data.draw(st.lists(mention, max_size=4)),
              "relations": data.draw(st.lists(relation, max_size=3))}
    read_or_fail_cleanly((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"), gold, None)


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, 63), st.floats(0, 1, exclude_max=True), TAGS), max_size=12),
    st.none() | st.tuples(st.integers(0, 63), st.sampled_from([-1, 1])),
    st.booleans(),
)
def test_random_tag_sequences_in_conll_and_sentences(gold, changes, resize, lenient):
    """The gold's own tags with random tags dropped in, and maybe one sentence too short or long."""
    from zhnerbench.tag_schemes import document_tags

    sequences = document_tags(gold, gold.spans)
    for sentence, where, tag in changes:
        sequences[sentence][int(where * len(sequences[sentence]))] = tag
    texts = [gold.text[s.start:s.end] for s in gold.sentences]
    if resize is not None:
        index, delta = resize
        sequences[index] = sequences[index][:-1] if delta < 0 else sequences[index] + ["O"]
        texts[index] = texts[index][:-1] if delta < 0 else texts[index] + "字"
    lines, records = [], []
    for sentence, text, tags in zip(gold.sentences, texts, sequences, strict=True):
        lines += [f"{char}\t{tag}" for char, tag in zip(text, tags, strict=True)] + [""]
        records.append(json.dumps({"id": sentence_id(gold.id, sentence.index), "tags": tags}, ensure_ascii=False))
    read_or_fail_cleanly("\n".join(lines).encode("utf-8"), gold, "conll", lenient)
    read_or_fail_cleanly("\n".join(records).encode("utf-8"), gold, "sentences", lenient)


@settings(max_examples=max(1, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_cli_exits_0_or_2_with_one_line(capsys, data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pred.jsonl"
        path.write_bytes(data)
        status = main(["evaluate", str(path), "--samples", "10"])
        captured = capsys.readouterr()
        assert status in (0, 2)
        if status == 2:
            assert len(captured.err.strip().splitlines()) == 1 and captured.err.startswith("zhnerbench evaluate: error: ")
        assert [p.name for p in Path(folder).iterdir()] == ["pred.jsonl"]
