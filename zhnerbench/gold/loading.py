"""The gold a prediction file is scored against: the benchmark's article, or any corpus.

:func:`load_gold` is the one entry point:

* ``load_gold()``: the benchmark's gold, validated (from the checkout, or the copy the
  installed package carries; see :func:`zhnerbench.paths.gold_root`);
* ``load_gold("corpus.jsonl")``: a JSONL file in the ``documents`` format, one document per
  line (the rows of this dataset's ``documents`` config are one example);
* ``load_gold("folder/")``: a dataset directory that ``datasets.load_dataset`` reads (its
  ``documents`` config when it has one, its ``test`` split or its only one).

A document of the ``documents`` format needs ``id``, ``text`` and ``mentions`` (objects with
``start``, ``end`` (exclusive, in characters) and ``label``); it may give ``inner_mentions``
(spans nested in a mention), ``sentences`` (``start``/``end`` objects; default: the
project's sentence splitter over the text), ``title``, ``date``, mention ``id``/``entity``
ids and ``relations`` between entity ids (``head``, ``relation``, ``tail``, ``evidence``).
Labels may be the schema's 19 or a corpus's own (then the corpus is scored in views of its
own labels, :func:`zhnerbench.views.default_views`). Every problem is a
:class:`~zhnerbench.exceptions.GoldDataError` naming the file and line (or row).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeGuard

from zhnerbench.exceptions import GoldDataError, Problem, ZhNerBenchError, excerpt
from zhnerbench.gold.codec import LineProblem, decode_text, json_objects
from zhnerbench.reading import InputError, read_input_bytes
from zhnerbench.document import Document, Line, Mention, Relation, Sentence
from zhnerbench.offsets import sentence_at

#: What a corpus's own label may look like (it becomes a tag suffix and a table column).
LABEL_FORM = re.compile(r"[^\s]{1,40}")


def load_gold(source: str | os.PathLike[str] | None = None) -> tuple[Document, ...]:
    """The gold documents of ``source`` (see the module doc); the benchmark's article by default.

    >>> [document.id for document in load_gold()]
    ['000_e491b11e84c79d89']
    """
    if source is None:
        from zhnerbench.gold.annotation_files import load_article_gold
        from zhnerbench.paths import gold_root

        return (load_article_gold(gold_root()),)
    path = Path(source)
    if path.is_dir():
        return documents_from_rows(dataset_rows(path), str(path))
    try:
        data = read_input_bytes(path)
    except InputError as error:
        raise GoldDataError([Problem(str(path), None, str(error).removeprefix(f"{path}: "))]) from None
    return documents_from_rows(jsonl_rows(data, str(path)), str(path))


def jsonl_rows(data: bytes, shown: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, object)`` for each non-blank line of a ``documents`` file, read by the codec the
    prediction reader uses (:mod:`zhnerbench.gold.codec`); ``where`` is ``file:line``.

    >>> [where for where, _ in jsonl_rows('{"id": "a", "text": "甲\\u2028乙"}\\n'.encode(), "g.jsonl")]
    ['g.jsonl:1']
    """
    try:
        for number, value in json_objects(decode_text(data)):
            yield f"{shown}:{number}", value
    except LineProblem as problem:
        raise GoldDataError([Problem(shown, problem.line, problem.message)]) from None


def _readable(value: Any, feature: Any) -> Any:
    """A ``datasets`` value with class labels as their names and dates as ISO text."""
    from datasets import ClassLabel

    if isinstance(feature, ClassLabel):
        return feature.int2str(value) if isinstance(value, int) else value
    if isinstance(value, dict) and isinstance(feature, Mapping):
        return {key: _readable(item, feature.get(key)) for key, item in value.items()}
    if isinstance(value, list):
        inner = getattr(feature, "feature", None)
        return [_readable(item, inner) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def dataset_rows(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, row)`` for each row of the dataset directory ``folder`` (see the module doc)."""
    try:
        import datasets
    except ImportError:  # a dependency; missing only in a broken environment
        raise ZhNerBenchError("reading a dataset directory needs the `datasets` package: pip install datasets") from None
    shown = str(folder)
    # A cache of its own, removed afterwards: scoring leaves nothing in the user's HF cache.
    with tempfile.TemporaryDirectory(prefix="zhnerbench-gold-") as cache:
        try:
            configs = datasets.get_dataset_config_names(shown)
            config = "documents" if "documents" in configs else None
            loaded = datasets.load_dataset(shown, config, cache_dir=cache)
        except Exception as error:  # the library's many error types: one line naming the folder
            raise GoldDataError([Problem(shown, None, f"not a dataset directory load_dataset can read: "
                                                      f"{type(error).__name__}: {excerpt(str(error), 200)}")]) from None
        splits = list(loaded)
        split = "test" if "test" in splits else splits[0] if len(splits) == 1 else None
        if split is None:
            raise GoldDataError([Problem(shown, None, f"has the splits {', '.join(splits)} and no test split: "
                                                      "export the one to score against as JSONL")])
        dataset = loaded[split]
        for index, row in enumerate(dataset):
            yield f"{shown} ({split} row {index})", _readable(row, dataset.features)


def documents_from_rows(rows: Iterator[tuple[str, dict[str, Any]]], shown: str) -> tuple[Document, ...]:
    """Documents from ``documents``-format rows; every problem of every row, at once."""
    documents: list[Document] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for where, row in rows:
        document, found = document_from_row(row, where)
        problems.extend(found)
        if document is not None:
            if document.id in seen:
                problems.append(Problem(where, None, f"duplicate document id {document.id!r} (first at {seen[document.id]})"))
            seen.setdefault(document.id, where)
            documents.append(document)
    if not documents and not problems:
        problems.append(Problem(shown, None, "has no documents"))
    if problems:
        raise GoldDataError(problems)
    return tuple(documents)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_or(value: object, default: str) -> str:
    """``value`` when it is a non-empty string, else ``default``."""
    return value if isinstance(value, str) and value else default


def _lines(row: Mapping[str, Any], text: str) -> tuple[Line, ...]:
    """The lines a row gives (``start``, ``end``, ``role``), else one line per line of the text."""
    from zhnerbench.gold.segmentation import split_lines

    given = row.get("lines")
    if isinstance(given, list) and given and all(
            isinstance(item, dict) and _is_int(item.get("start")) and _is_int(item.get("end")) for item in given):
        return tuple(Line(index, item["start"], item["end"], _text_or(item.get("role"), "body"))
                     for index, item in enumerate(given))
    return tuple(Line(index, start, end, "body") for index, (start, end) in enumerate(split_lines(text)))


def _sentences(row: Mapping[str, Any], text: str, problem: Any) -> tuple[tuple[Line, ...], tuple[Sentence, ...]] | None:
    from zhnerbench.gold.segmentation import segment

    given = row.get("sentences")
    if given is None or given == []:
        return segment(text)
    if not isinstance(given, list):
        problem("'sentences' must be a list of {start, end} objects")
        return None
    lines = _lines(row, text)
    line_starts = [line.start for line in lines]
    sentences: list[Sentence] = []
    for index, item in enumerate(given):
        start, end = (item.get("start"), item.get("end")) if isinstance(item, dict) else (None, None)
        if not (_is_int(start) and _is_int(end)):
            problem(f"sentence {index}: needs integer start and end")
            return None
        previous = sentences[-1].end if sentences else 0
        if not previous <= start < end <= len(text):
            problem(f"sentence {index}: [{start},{end}) must be non-empty, after the previous sentence and within "
                    f"the {len(text)}-character text")
            return None
        sentences.append(Sentence(index, start, end, sentence_at(line_starts, start)))
    return lines, tuple(sentences)


def _mentions(row: Mapping[str, Any], key: str, text: str, starts: Sequence[int], sentences: Sequence[Sentence],
              prefix: str, problem: Any) -> list[Mention]:
    given = row.get(key, [] if key == "inner_mentions" else None)
    if not isinstance(given, list):
        problem(f"'{key}' must be a list of {{start, end, label}} objects" + (" (it is required)" if given is None else ""))
        return []
    mentions = []
    for index, item in enumerate(given):
        what = f"{key}[{index}]"
        if not isinstance(item, dict):
            problem(f"{what}: expected an object with start, end and label")
            continue
        start, end, label = item.get("start"), item.get("end"), item.get("label")
        if not (_is_int(start) and _is_int(end) and 0 <= start < end <= len(text)):
            problem(f"{what}: start and end must be integers with 0 <= start < end <= {len(text)}")
            continue
        if not isinstance(label, str) or not LABEL_FORM.fullmatch(label):
            problem(f"{what}: label must be 1-40 characters without spaces, found {excerpt(str(label), 40)}")
            continue
        if "text" in item and item["text"] != text[start:end]:
            problem(f"{what}: text {excerpt(str(item['text']), 30)} differs from the text at [{start},{end}), "
                    f"{excerpt(text[start:end], 30)}")
            continue
        sentence = sentences[max(sentence_at(starts, start), 0)]
        if not sentence.start <= start < sentence.end:
            problem(f"{what}: [{start},{end}) starts outside every sentence")
            continue
        if end > sentence.end:
            problem(f"{what}: [{start},{end}) crosses the end of sentence {sentence.index} at {sentence.end}")
            continue
        identifier = _text_or(item.get("id"), f"{prefix}{index}")
        entity = _text_or(item.get("entity"), identifier)
        # An inner mention's parent as the row names it; resolved against the mentions later.
        named_parent = _text_or(item.get("parent"), "") if key == "inner_mentions" else ""
        mentions.append(Mention(identifier, start, end, label, entity, text[start:end], named_parent or None))
    return mentions


def _relations(row: Mapping[str, Any], entities: set[str], sentences: int, problem: Any) -> tuple[Relation, ...]:
    given = row.get("relations") or []
    if not isinstance(given, list):
        problem("'relations' must be a list")
        return ()
    relations = []
    for index, item in enumerate(given):
        what = f"relations[{index}]"
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("head", "relation", "tail")):
            problem(f"{what}: needs string head, relation and tail (entity ids and a relation type)")
            continue
        unknown = [item[k] for k in ("head", "tail") if item[k] not in entities]
        if unknown:
            problem(f"{what}: {', '.join(map(repr, unknown))} is not the entity id of any mention")
            continue
        evidence = item.get("evidence") or []
        if not isinstance(evidence, list) or not all(_is_int(i) and 0 <= i < sentences for i in evidence):
            problem(f"{what}: evidence must be a list of sentence indices below {sentences}")
            continue
        identifier = _text_or(item.get("id"), f"R{index}")
        relations.append(Relation(identifier, item["head"], item["relation"], item["tail"], tuple(evidence)))
    return tuple(relations)


def _parent(inner: Mention, given: object, mentions: Sequence[Mention]) -> str | None:
    """The mention ``inner`` nests in: the one the row names if it contains it, else the smallest that does."""
    containers = [m for m in mentions if m.start <= inner.start and inner.end <= m.end and m.id != inner.id
                  and (m.start, m.end) != (inner.start, inner.end)]
    named = [m for m in containers if m.id == given]
    if named:
        return named[0].id
    return min(containers, key=lambda m: m.end - m.start).id if containers else None


def document_from_row(row: Mapping[str, Any], where: str) -> tuple[Document | None, list[Problem]]:
    """One document from one ``documents``-format row, and the problems found in it.

    >>> document, problems = document_from_row({"id": "d1", "text": "张为在上海。",
    ...     "mentions": [{"start": 0, "end": 2, "label": "PERSON"}, {"start": 3, "end": 5, "label": "GPE"}]}, "x:1")
    >>> [(m.text, m.label) for m in document.mentions], len(document.sentences), problems
    ([('张为', 'PERSON'), ('上海', 'GPE')], 1, [])
    >>> document_from_row({"id": "d1", "text": "张为", "mentions": [{"start": 0, "end": 9, "label": "X"}]}, "x:1")[1]
    [Problem(file='x:1', line=None, message='document d1: mentions[0]: start and end must be integers with 0 <= start < end <= 2')]
    """
    problems: list[Problem] = []
    identifier, text = row.get("id"), row.get("text")
    if not isinstance(identifier, str) or not identifier:
        return None, [Problem(where, None, "'id' must be a non-empty string")]
    if not isinstance(text, str) or not text:
        return None, [Problem(where, None, f"document {identifier}: 'text' must be a non-empty string")]

    def problem(message: str) -> None:
        problems.append(Problem(where, None, f"document {identifier}: {message}"))

    segmented = _sentences(row, text, problem)
    if segmented is None:
        return None, problems
    lines, sentences = segmented
    starts = [sentence.start for sentence in sentences]
    flat = _mentions(row, "mentions", text, starts, sentences, "M", problem)
    spans = sorted(m.span for m in flat)
    for first, second in zip(spans, spans[1:]):
        if second.start < first.end:
            problem(f"mentions [{first.start},{first.end}) and [{second.start},{second.end}) overlap: the flat layer "
                    "cannot hold overlapping spans; put the nested ones in 'inner_mentions'")
            break
    nested = _mentions(row, "inner_mentions", text, starts, sentences, "I", problem)
    inner = [replace(m, parent=_parent(m, m.parent, flat + nested)) for m in nested]
    for mention in inner:
        if mention.parent is None:
            problem(f"inner mention {mention.id} [{mention.start},{mention.end}) lies inside no other mention; "
                    "put it in 'mentions'")
    ids = [m.id for m in flat + inner]
    if len(set(ids)) != len(ids):
        problem("mention ids must be unique")
    if problems:
        return None, problems
    from zhnerbench.gold.annotation_files import derive_entities

    entities = derive_entities(flat + inner)
    relations = _relations(row, {entity.id for entity in entities}, len(sentences), problem)
    document = Document(identifier, _text_or(row.get("title"), ""), _text_or(row.get("date"), ""),
                        _text_or(row.get("language"), "zh"), text, lines, sentences, tuple(flat), entities,
                        relations, tuple(inner))
    return (None if problems else document), problems
