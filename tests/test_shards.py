"""``tag --shard I/N``: Hugging Face ``Dataset.shard``'s documents, and shards that concatenate
to the unsharded prediction file byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zhnerbench.cli import main
from zhnerbench.shards import Shard

TEXTS = ["张三在北京见到李四。\n王五去了上海。", "北京大学的赵六。", "李明昨天到了广州。", "王建华在深圳工作。\n他认识张伟。",
         "上海的刘洋去了杭州。", "陈静和周杰在南京。", "孙丽住在成都。"]
CORPUS = [{"id": f"doc{i}", "text": text, "mentions": [{"start": 0, "end": 2, "label": "PERSON"}]}
          for i, text in enumerate(TEXTS)]


@pytest.mark.parametrize("total", [0, 1, 5, 7, 12])
def test_a_shard_holds_the_rows_dataset_shard_gives(total: int) -> None:
    from datasets import Dataset

    rows = Dataset.from_dict({"row": list(range(total))})
    for count in (1, 2, 3, 5, 8):
        ours = [list(Shard(index, count).bounds(total)) for index in range(count)]
        for index, held in enumerate(ours):
            try:
                theirs = rows.shard(count, index)["row"]  # contiguous=True, its default
            except IndexError:  # datasets 5 cannot select an empty range at the end: an empty shard
                theirs = []
            assert held == theirs
        assert sum(ours, []) == list(range(total))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "gold.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in CORPUS), encoding="utf-8")
    return path


# jieba tags one document a call; crf-char-msra all of a shard's documents in one batch.
@pytest.mark.parametrize("system, module", [("jieba-posseg", "jieba"), ("crf-char-msra", "pycrfsuite")])
def test_the_shards_concatenated_are_the_unsharded_file(system: str, module: str, corpus: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip(module)
    whole = tmp_path / "whole.jsonl"
    assert main(["tag", system, str(whole), "--gold", str(corpus)]) == 0
    for count in (3, 9):  # 9 shards of 7 documents: the last two are empty files
        parts = [tmp_path / f"part-{index}-of-{count}.jsonl" for index in range(count)]
        for index, part in enumerate(parts):
            assert main(["tag", system, str(part), "--gold", str(corpus), "--shard", f"{index}/{count}"]) == 0
        assert b"".join(part.read_bytes() for part in parts) == whole.read_bytes()
        assert [len(part.read_text(encoding="utf-8").splitlines()) for part in parts] == \
            ([3, 2, 2] if count == 3 else [1] * 7 + [0, 0])
    said = capsys.readouterr().err
    assert "shard 1/3: documents 4-5 of 7" in said and "shard 8/9: no document (only 7 for 9 shards)" in said


def test_evaluate_takes_the_concatenation_and_says_what_a_lone_shard_lacks(corpus: Path, tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("jieba")
    parts = [tmp_path / f"part-{index}.jsonl" for index in range(2)]
    for index, part in enumerate(parts):
        assert main(["tag", "jieba-posseg", str(part), "--gold", str(corpus), "--shard", f"{index}/2"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(parts[1]), "--gold", str(corpus), "--samples", "20"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == (f"zhnerbench evaluate: error: {parts[1]}: no line for document doc0 and 3 more (every gold "
                     "document needs one; the file of one `tag --shard I/N` holds only its shard: concatenate the N "
                     "files, in shard order)")
    whole = tmp_path / "whole.jsonl"
    whole.write_bytes(b"".join(part.read_bytes() for part in parts))
    assert main(["evaluate", str(whole), "--gold", str(corpus), "--samples", "20"]) == 0


@pytest.mark.parametrize("shard, message", [
    ("3/3", "the shard index 3 must be between 0 and 2 (shards are numbered from 0, as Dataset.shard's index)"),
    ("1/0", "the number of shards must be between 1 and 1,000,000, found 0"),
    ("-1/4", "expected I/N, the I-th of N shards counted from 0 (e.g. 0/4), found '-1/4'"),
    ("2", "expected I/N, the I-th of N shards counted from 0 (e.g. 0/4), found '2'"),
])
def test_a_shard_that_does_not_exist_is_refused_before_anything_runs(shard: str, message: str, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit) as stop:  # argparse's refusal: usage, then one line
        main(["tag", "jieba-posseg", str(out), f"--shard={shard}"])
    assert stop.value.code == 2 and capsys.readouterr().err.splitlines()[-1].endswith(f"argument --shard: {message}")
    assert not out.exists()
