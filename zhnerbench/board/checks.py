"""Whether the records can be published: scored against the current gold and copies, their
prediction files intact, and their scores those of a fresh scoring of those files.

Rescoring is the costly part of a build and of every run: a record and prediction files
already found consistent (same bytes, same gold, copies and scorer) are not scored again, in
this process or in another (:mod:`zhnerbench.board.verdicts`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

from zhnerbench.board.records import Record, record_digest, render_record
from zhnerbench.board.verdicts import known_consistent, remember_consistent
from zhnerbench.digests import tagged_sha256
from zhnerbench.document import Document
from zhnerbench.eval.bootstrap import Resampling
from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.gold.fingerprint import copies_fingerprint, gold_fingerprint
from zhnerbench.reading import InputError, read_input_bytes

def record_problems(records: Mapping[str, Record], results: Path, gold: Document,
                    copies: Sequence[Document]) -> list[str]:
    """What makes the records an untrustworthy board: scored against another gold, or
    prediction files missing or changed since they were scored, or scores that are not those of
    their prediction file (:func:`edited_scores`)."""
    problems = []
    current = gold_fingerprint(gold)
    for name, record in sorted(records.items()):
        scored = record.get("scoring", {}).get("gold")
        if scored is not None and scored != current:
            problems.append(f"record {name}: scored against another version of the gold; "
                            "run `zhnerbench leaderboard --rescore`")
        elif not _same_copies(record, copies):
            problems.append(f"record {name}: scored on other counterfactual copies than the current ones "
                            "(the surrogate lists changed); run `zhnerbench leaderboard --rescore`")
        for path, digest in record.get("files", {}).items():
            try:
                content = read_input_bytes(results / path).decode("utf-8", "replace")
            except InputError as error:
                problems.append(f"record {name}: its prediction file {path} cannot be read "
                                f"({str(error).removeprefix(f'{results / path}: ')})")
                continue
            if tagged_sha256(content) != digest:
                problems.append(f"record {name}: its prediction file {path} changed after it was scored")
    return problems + edited_scores(records, results, gold, copies)


def _same_copies(record: Record, copies: Sequence[Document]) -> bool:
    """Whether a record scored on counterfactual copies was scored on these."""
    scored = record.get("scoring", {}).get("counterfactual_gold")
    return scored is None or scored == copies_fingerprint(copies)


def refuse_edited_scores(records: Mapping[str, Record], results: Path, gold: Document,
                         copies: Sequence[Document]) -> None:
    """Raise the first of :func:`edited_scores` (with how many there are): such a record is
    never published."""
    problems = edited_scores(records, results, gold, copies)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ZhNerBenchError(f"{results}: {problems[0]}{more}")


def edited_scores(records: Mapping[str, Record], results: Path, gold: Document,
                  copies: Sequence[Document]) -> list[str]:
    """The records whose scores are not those of their own (intact) prediction file, scored
    against the gold they name: a hand edit that recomputed the record's digest."""
    from zhnerbench.board.records import predictions_name
    from zhnerbench.board.scoring import run_file_names, scores_problem

    problems = []
    fingerprints = (gold_fingerprint(gold), copies_fingerprint(copies))
    for name, record in sorted(records.items()):
        if (not is_scored_system(record) or record.get("scoring", {}).get("gold") != gold_fingerprint(gold)
                or not _same_copies(record, copies)):
            continue
        texts = digest_checked_texts(record, results, [predictions_name(name), *run_file_names(record)])
        if texts is None:
            continue  # a file missing or changed: reported by record_problems
        # Rescoring is the costly part of build and of every run: a record and prediction
        # files already found consistent (same bytes, same gold, copies and scorer) are not
        # scored again, in this process or in another (a verdict file, see verdicts.py).
        key = (record_digest(record), tagged_sha256("\0".join(texts)), *fingerprints)
        if key not in _CHECKED:
            if known_consistent(*key):
                _CHECKED[key] = None
            else:
                _CHECKED[key] = scores_problem(record, texts[0], gold, copies, texts[1:])
                if _CHECKED[key] is None:
                    remember_consistent(*key)
        if _CHECKED[key] is not None:
            problems.append(f"record {name}: {_CHECKED[key]}")
    return problems


def is_scored_system(record: Record) -> bool:
    """Whether a record holds the scores of a system's own prediction files (an NER system, or a
    relation system run here or submitted), which a rescoring must reproduce; the relation
    baselines on the gold entities are made anew by every run.

    >>> is_scored_system({"name": "x", "kind": "relations", "origin": "submitted", "status": "ran"})
    True
    >>> is_scored_system({"name": "gold", "kind": "relations", "status": "ran"})
    False
    """
    return record.get("status") == "ran" and (record.get("kind") == "ner" or record.get("origin") in ("run", "submitted"))


def digest_checked_texts(record: Record, results: Path, paths: Sequence[str]) -> list[str] | None:
    """The texts of a record's files ``paths``, each matching the digest the record names;
    ``None`` when one is missing, unreadable or changed."""
    texts = []
    for path in paths:
        try:
            content = read_input_bytes(results / path).decode("utf-8")
        except (InputError, UnicodeDecodeError):
            return None
        if tagged_sha256(content) != record.get("files", {}).get(path):
            return None
        texts.append(content)
    return texts


#: :func:`edited_scores`'s findings by (record, predictions, gold, copies) digests.
_CHECKED: dict[tuple[str, str, str, str], str | None] = {}


def _verdict_key(record: Record, texts: Sequence[str], gold: Document, copies: Sequence[Document]) -> tuple[str, ...]:
    return record_digest(record), tagged_sha256("\0".join(texts)), gold_fingerprint(gold), copies_fingerprint(copies)


def gold_relations(previous: Record | None, results: Path, gold: Document, copies: Sequence[Document],
                   resampling: Resampling) -> tuple[Record, dict[str, str]]:
    """The record of the relation baselines on the gold entities and its new files: ``previous``,
    with none to write, when a run found it to be what this gold, these copies, this bootstrap
    and this scorer give (a verdict, :mod:`zhnerbench.board.verdicts`); else made anew, with the
    verdict that it is what they give remembered for the next run."""
    from zhnerbench.board.scoring import gold_relations_record

    if previous is not None and previous.get("scoring", {}).get("bootstrap_samples") == resampling.samples \
            and previous.get("scoring", {}).get("seed") == resampling.seed:
        texts = digest_checked_texts(previous, results, sorted(previous.get("files", {})))
        if texts is not None and known_consistent(*_verdict_key(previous, texts, gold, copies)):
            return previous, {}
    record, files = gold_relations_record(gold, copies, resampling)
    stored = cast(Record, json.loads(render_record(record)))  # as the next run reads it back
    remember_consistent(*_verdict_key(stored, [files[path] for path in sorted(stored["files"])], gold, copies))
    return record, files
