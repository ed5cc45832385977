"""The generated parts of README.md (the Hugging Face dataset card) and CHANGELOG.md.

The YAML front matter (configs, typed features, licence, evaluation index) and the
blocks between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` are
produced here, and only here, from their sources (:class:`CardSources`: the gold,
the dataset rows, the review files' agreement tables, the leaderboard); everything
else in those files is prose. ``zhnerbench build`` and ``zhnerbench leaderboard``
both call :func:`render_generated_files`, so each block has one owner.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from datasets import DatasetInfo, SplitDict, SplitInfo

from zhnerbench.board.assemble import Board, assemble_board
from zhnerbench.board.checks import refuse_edited_scores
from zhnerbench.board.history import convention_change_table, read_history, relation_change_table
from zhnerbench.board.markdown import leaderboard_markdown
from zhnerbench.board.records import read_records
from zhnerbench.document import Document
from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.gold.agreement import agreement_markdown, evidence_agreement_markdown, inner_agreement_markdown
from zhnerbench.gold.counterfactual import article_copies, derived_copies, read_surrogates
from zhnerbench.gold.dataset import CONFIGS, COUNTERFACTUAL_SPLIT, DEFAULT_CONFIG, FEATURES, SPLIT, SPLITS, config_rows
from zhnerbench.formats.registry import formats_list, formats_table
from zhnerbench.paths import CHANGELOG_FILE, HISTORY_BOARD_1_1, MANUAL_FILE, README_FILE, RESULTS_DIR, data_file
from zhnerbench.reading import read_project_file
from zhnerbench.schema import ENTITY_LABELS, RELATION_SIGNATURES, SYMMETRIC_RELATIONS

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)

#: Each config's rows, built once by ``zhnerbench build`` for the data files and the card alike.
ConfigRows = Mapping[str, list[dict[str, Any]]]

LICENSE_NAME = "zhnerbench"


@dataclass(frozen=True)
class CardSources:
    """Everything the generated parts are computed from."""

    document: Document
    rows: ConfigRows
    #: The rows of the counterfactual split (the copies of :mod:`zhnerbench.gold.counterfactual`).
    counterfactual_rows: ConfigRows
    agreement: str
    inner_agreement: str
    evidence_agreement: str
    board: Board
    history: Mapping[str, Any]
    history_1_1: Mapping[str, Any]


def front_matter(rows: ConfigRows, counterfactual_rows: ConfigRows) -> str:
    """The README's YAML header: licence, languages, tasks, configs, typed features, evaluation index."""
    infos = []
    for config in CONFIGS:
        splits = SplitDict()
        splits.add(SplitInfo(name=SPLIT, num_examples=len(rows[config])))
        splits.add(SplitInfo(name=COUNTERFACTUAL_SPLIT, num_examples=len(counterfactual_rows[config])))
        info = DatasetInfo(features=FEATURES[config], splits=splits)._to_yaml_dict()
        infos.append({"config_name": config, **info})
    header = {
        "language": ["zh"],
        # Three licences meet here (code, annotations, the article itself): see the card's "Licence".
        "license": "other",
        "license_name": LICENSE_NAME,
        "license_link": "LICENSE.md",
        "pretty_name": "zhnerbench: Shanghai industrial technology innovation conference (2022-07-22)",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": ["n<1K"],
        "tags": ["relation-extraction", "nested-ner", "ontonotes", "chinese", "news", "document-level"],
        "configs": [
            {"config_name": c, "data_files": [{"split": split, "path": data_file(c, split)} for split in SPLITS],
             **({"default": True} if c == DEFAULT_CONFIG else {})}
            for c in CONFIGS
        ],
        "train-eval-index": [
            {
                "config": "ner",
                "task": "token-classification",
                "task_id": "entity_extraction",
                "splits": {"eval_split": SPLIT},
                "col_mapping": {"tokens": "tokens", "ner_tags": "tags"},
                "metrics": [{"type": "seqeval", "name": "seqeval"}],
            }
        ],
        "dataset_info": infos,
    }
    body = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{body}---\n"


def label_statistics(document: Document) -> str:
    """Markdown table: flat and inner mentions and entities per label (all 19, zeros included)."""
    flat = Counter(m.label for m in document.mentions)
    inner = Counter(m.label for m in document.inner_mentions)
    entities = Counter(e.label for e in document.entities)
    rows = ["| label | mentions (flat) | inner mentions | entities |", "|---|---:|---:|---:|"]
    rows += [f"| `{label}` | {flat[label]} | {inner[label]} | {entities[label]} |" for label in ENTITY_LABELS]
    rows.append(f"| **total** | **{len(document.mentions)}** | **{len(document.inner_mentions)}** | "
                f"**{len(document.entities)}** |")
    return "\n".join(rows)


def relation_statistics(document: Document) -> str:
    """Markdown table: relations per type with their argument types and evidence sentences."""
    counts = Counter(r.relation for r in document.relations)
    evidence: Counter[str] = Counter()
    for relation in document.relations:
        evidence[relation.relation] += len(relation.evidence)
    rows = ["| relation | head → tail | relations | evidence sentences |", "|---|---|---:|---:|"]
    for name, (heads, tails) in RELATION_SIGNATURES.items():
        arrow = "↔" if name in SYMMETRIC_RELATIONS else "→"
        signature = f"{'/'.join(sorted(heads))} {arrow} {'/'.join(sorted(tails))}"
        rows.append(f"| `{name}` | {signature} | {counts[name]} | {evidence[name]} |")
    rows.append(f"| **total** | | **{len(document.relations)}** | **{sum(evidence.values())}** |")
    return "\n".join(rows)


def corpus_statistics(document: Document) -> str:
    roles = Counter(line.role for line in document.lines)
    role_text = ", ".join(f"{roles[r]} {r}" for r in ("title", "heading", "caption", "body"))
    depth = max((_depth(document, m.id) for m in document.inner_mentions), default=0)
    return "\n".join(
        [
            "| what | count |",
            "|---|---:|",
            f"| characters | {len(document.text)} |",
            f"| lines | {len(document.lines)} ({role_text}) |",
            f"| sentences (`ner` rows) | {len(document.sentences)} |",
            f"| entity mentions, flat layer | {len(document.mentions)} |",
            f"| inner mentions (nested layer, up to {depth} levels below a flat mention) | {len(document.inner_mentions)} |",
            f"| entities (clusters of both layers) | {len(document.entities)} |",
            f"| relations | {len(document.relations)} |",
        ]
    )


def _depth(document: Document, mention_id: str) -> int:
    parents = {m.id: m.parent for m in document.inner_mentions}
    depth = 0
    while mention_id in parents:
        mention_id = parents[mention_id] or ""
        depth += 1
    return depth


def _shorten(value: object, items: int = 2, chars: int = 60) -> object:
    """A row made small enough to read: long strings and lists are cut, and say so."""
    if isinstance(value, str) and len(value) > chars:
        return value[:chars] + f"…(+{len(value) - chars} chars)"
    if isinstance(value, list) and len(value) > items:
        return [_shorten(v, items, chars) for v in value[:items]] + [f"…(+{len(value) - items} more)"]
    if isinstance(value, list):
        return [_shorten(v, items, chars) for v in value]
    if isinstance(value, dict):
        return {k: _shorten(v, items, chars) for k, v in value.items()}
    return value


def _one_key_per_line(row: Mapping[str, Any]) -> str:
    """JSON with one top-level field per line, each value compact."""
    fields = (f' "{key}": {json.dumps(value, ensure_ascii=False)}' for key, value in row.items())
    return "{\n" + ",\n".join(fields) + "\n}"


def _first(rows: list[dict[str, Any]], wanted: Callable[[dict[str, Any]], bool], config: str) -> dict[str, Any]:
    found = next((row for row in rows if wanted(row)), None)
    if found is None:
        raise GoldDataError([Problem(README_FILE, None, f"no `{config}` row to show as the card's example")])
    return found


def example_rows(rows: ConfigRows) -> str:
    """One example row per config, as ``load_dataset`` returns it (labels as names)."""
    parts = []
    ner = _first(rows["ner"], lambda r: any(tag != "O" for tag in r["ner_tags"]), "ner")
    compact_ner = {k: v for k, v in ner.items() if k not in ("tokens", "ner_tags")}
    compact_ner["tokens"] = "".join(ner["tokens"])
    compact_ner["ner_tags"] = ner["ner_tags"]
    parts.append(
        f"`ner` (sentence {ner['sentence']}; `tokens` is shown joined, it is a list of single characters; "
        "`ner_tags` are class ids, shown here as their names):\n\n```json\n"
        + json.dumps(compact_ner, ensure_ascii=False) + "\n```"
    )
    nested = _first(rows["nested"], lambda r: any(s["layer"] == "inner" for s in r["spans"]), "nested")
    compact_nested = {k: v for k, v in nested.items() if k != "tokens"}
    compact_nested["tokens"] = "".join(nested["tokens"])
    parts.append(
        f"`nested` (sentence {nested['sentence']}; every span of both layers, sentence-local offsets; `label` "
        "and `layer` are class ids, shown as names):\n\n```json\n" + _one_key_per_line(compact_nested) + "\n```"
    )
    parts.append(
        "`documents` (the one row, lists cut to two items):\n\n```json\n"
        + _one_key_per_line(_shorten(rows["documents"][0])) + "\n```"  # type: ignore[arg-type]
    )
    signs = _first(rows["relations"], lambda r: r["relation"] == "signs", "relations")
    parts.append("`relations` (one row):\n\n```json\n" + _one_key_per_line(signs) + "\n```")
    return "\n\n".join(parts)


def readme_blocks(sources: CardSources) -> dict[str, str]:
    """The content of every generated block of the README."""
    return {
        "corpus-statistics": corpus_statistics(sources.document),
        "label-statistics": label_statistics(sources.document),
        "relation-statistics": relation_statistics(sources.document),
        "examples": example_rows(sources.rows),
        "agreement": sources.agreement,
        "inner-agreement": sources.inner_agreement,
        "evidence-agreement": sources.evidence_agreement,
        "leaderboard": leaderboard_markdown(sources.board),
        "prediction-formats": formats_list(),
    }


def manual_blocks() -> dict[str, str]:
    """The content of every generated block of the manual."""
    return {"prediction-formats": formats_table()}


def changelog_blocks(sources: CardSources) -> dict[str, str]:
    """The content of every generated block of the CHANGELOG."""
    return {"coarse-1.0-to-1.1": convention_change_table(sources.history, sources.board),
            "relations-1.1-to-1.2": relation_change_table(sources.history_1_1, sources.board)}


def replace_block(text: str, name: str, content: str, file: str = README_FILE) -> str:
    r"""``text`` with the block ``<!-- generated:NAME -->`` … ``<!-- /generated:NAME -->`` set to ``content``.

    >>> replace_block("a\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nb", "x", "new")
    'a\n<!-- generated:x -->\nnew\n<!-- /generated:x -->\nb'
    """
    pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.DOTALL)
    if not pattern.search(text):
        raise GoldDataError(
            [Problem(file, None, f"missing the block <!-- generated:{name} --> … <!-- /generated:{name} -->")]
        )
    return pattern.sub(lambda m: m.group(1) + content + "\n" + m.group(2), text, count=1)


def heading_anchor(heading: str) -> str:
    """The anchor GitHub and the Hub give a Markdown heading (lower case, punctuation dropped,
    spaces as hyphens; CJK characters kept).

    >>> heading_anchor("Corpus processing (`corpus/`)"), heading_anchor("What is checked (`zhnerbench validate`, run in CI)")
    ('corpus-processing-corpus', 'what-is-checked-zhnerbench-validate-run-in-ci')
    """
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def table_of_contents(markdown: str) -> str:
    r"""A nested list linking every ``##`` and ``###`` heading of ``markdown`` (outside code
    blocks and the YAML front matter), in order; a repeated heading gets GitHub's ``-1`` suffix.

    >>> print(table_of_contents("# T\n## A b\n```\n## not\n```\n### C\n## A b\n"))
    - [A b](#a-b)
      - [C](#c)
    - [A b](#a-b-1)
    """
    lines, fenced, seen = [], False, Counter[str]()
    for line in _FRONT_MATTER.sub("", markdown, count=1).splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        match = re.match(r"(##|###) (.+)", line)
        if fenced or match is None:
            continue
        level, title = match.groups()
        anchor = heading_anchor(title)
        suffix = f"-{seen[anchor]}" if seen[anchor] else ""
        seen[anchor] += 1
        lines.append(f"{'  ' * (len(level) - 2)}- [{title.strip()}](#{anchor}{suffix})")
    return "\n".join(lines)


def render_generated_files(texts: Mapping[str, str], sources: CardSources) -> dict[str, str]:
    """README.md, CHANGELOG.md and the manual (given as ``texts``, keyed by path) with every generated
    part brought up to date."""
    readme = texts[README_FILE]
    if not _FRONT_MATTER.match(readme):
        raise GoldDataError([Problem(README_FILE, 1, "must start with a YAML front matter block (---)")])
    readme = _FRONT_MATTER.sub(lambda _: front_matter(sources.rows, sources.counterfactual_rows), readme, count=1)
    for name, content in readme_blocks(sources).items():
        readme = replace_block(readme, name, content)
    # Last: the contents list the headings of everything above, generated blocks included.
    readme = replace_block(readme, "contents", "**Contents**\n\n" + table_of_contents(readme))
    changelog = texts[CHANGELOG_FILE]
    for name, content in changelog_blocks(sources).items():
        changelog = replace_block(changelog, name, content, CHANGELOG_FILE)
    manual = texts[MANUAL_FILE]
    for name, content in manual_blocks().items():
        manual = replace_block(manual, name, content, MANUAL_FILE)
    return {README_FILE: readme, CHANGELOG_FILE: changelog, MANUAL_FILE: manual}


def read_text(root: Path, path: str) -> str:
    """A text file of the checkout, decoded strictly; problems are :class:`GoldDataError` s naming it."""
    try:
        return read_project_file(root / path, path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise GoldDataError([Problem(path, None, f"not valid UTF-8 (byte offset {error.start})")]) from None


def card_sources(root: Path, document: Document, board: Board | None = None) -> CardSources:
    """What the card is generated from; ``board`` replaces the board of the committed records
    (the leaderboard passes the board it is about to write)."""
    copies = derived_copies(document, read_surrogates(root))  # from this document (the seed's text)
    return CardSources(
        document=document,
        rows={config: config_rows(config, document) for config in CONFIGS},
        counterfactual_rows={config: config_rows(config, *copies) for config in CONFIGS},
        agreement=agreement_markdown(root, document),
        inner_agreement=inner_agreement_markdown(root, document),
        evidence_agreement=evidence_agreement_markdown(root, document),
        board=board if board is not None else committed_board(root, document),
        history=read_history(root),
        history_1_1=read_history(root, HISTORY_BOARD_1_1, ("systems", "relations")),
    )


def committed_board(root: Path, document: Document) -> Board:
    """The board of the committed records, refusing any whose scores were edited."""
    records = read_records(root / RESULTS_DIR)
    refuse_edited_scores(records, root / RESULTS_DIR, document, article_copies(root))
    return assemble_board(records, document)


def card_files(root: Path, sources: CardSources) -> dict[str, bytes]:
    """README.md, CHANGELOG.md and the manual as they should be."""
    texts = {path: read_text(root, path) for path in (README_FILE, CHANGELOG_FILE, MANUAL_FILE)}
    return {path: text.encode("utf-8") for path, text in render_generated_files(texts, sources).items()}
