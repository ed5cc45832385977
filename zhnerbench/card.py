"""The generated parts of README.md, which is also the Hugging Face dataset card.

The YAML front matter (configs and typed features) and the blocks between
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` are produced here
from the schema and the gold; everything else in the README is prose.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml
from datasets import DatasetInfo, SplitDict, SplitInfo

from zhnerbench.annotations.agreement import agreement_markdown
from zhnerbench.dataset import CONFIGS, DEFAULT_CONFIG, FEATURES, SPLIT, data_file
from zhnerbench.errors import GoldDataError, Problem
from zhnerbench.leaderboard.render import leaderboard_markdown, read_leaderboard
from zhnerbench.model import Document
from zhnerbench.schema import ENTITY_LABELS, RELATION_SIGNATURES, SYMMETRIC_RELATIONS

README_FILE = "README.md"
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


#: Each config's rows, built once by ``zhnerbench build`` for the data files and the card alike.
ConfigRows = Mapping[str, list[dict[str, Any]]]


def front_matter(rows: ConfigRows) -> str:
    """The README's YAML header: licence, languages, tasks, configs and typed features."""
    infos = []
    for config in CONFIGS:
        splits = SplitDict()
        splits.add(SplitInfo(name=SPLIT, num_examples=len(rows[config])))
        info = DatasetInfo(features=FEATURES[config], splits=splits)._to_yaml_dict()
        infos.append({"config_name": config, **info})
    header = {
        "language": ["zh"],
        "license": "cc-by-4.0",
        "pretty_name": "zhnerbench: Shanghai industrial technology innovation conference (2022-07-22)",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": ["n<1K"],
        "tags": ["relation-extraction", "ontonotes", "chinese", "news", "document-level"],
        "configs": [
            {"config_name": c, "data_files": [{"split": SPLIT, "path": data_file(c)}], **({"default": True} if c == DEFAULT_CONFIG else {})}
            for c in CONFIGS
        ],
        "dataset_info": infos,
    }
    body = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{body}---\n"


def label_statistics(document: Document) -> str:
    """Markdown table: mentions and entities per label (all 19, zeros included)."""
    mentions = Counter(m.label for m in document.mentions)
    entities = Counter(e.label for e in document.entities)
    rows = ["| label | mentions | entities |", "|---|---:|---:|"]
    rows += [f"| `{label}` | {mentions[label]} | {entities[label]} |" for label in ENTITY_LABELS]
    rows.append(f"| **total** | **{len(document.mentions)}** | **{len(document.entities)}** |")
    return "\n".join(rows)


def relation_statistics(document: Document) -> str:
    """Markdown table: relations per type with their argument types and evidence sentences."""
    counts = Counter(r.relation for r in document.relations)
    evidence = Counter()
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
    return "\n".join(
        [
            "| what | count |",
            "|---|---:|",
            f"| characters | {len(document.text)} |",
            f"| lines | {len(document.lines)} ({role_text}) |",
            f"| sentences (`ner` rows) | {len(document.sentences)} |",
            f"| entity mentions | {len(document.mentions)} |",
            f"| entities (clusters) | {len(document.entities)} |",
            f"| relations | {len(document.relations)} |",
        ]
    )


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


def _one_key_per_line(row: dict) -> str:
    """JSON with one top-level field per line, each value compact."""
    fields = (f' "{key}": {json.dumps(value, ensure_ascii=False)}' for key, value in row.items())
    return "{\n" + ",\n".join(fields) + "\n}"


def example_rows(rows: ConfigRows) -> str:
    """One example row per config, as ``load_dataset`` returns it (labels as names)."""
    parts = []
    ner = next(r for r in rows["ner"] if r["id"].endswith("-004"))
    compact_ner = {k: v for k, v in ner.items() if k not in ("tokens", "ner_tags")}
    compact_ner["tokens"] = "".join(ner["tokens"])
    compact_ner["ner_tags"] = ner["ner_tags"]
    parts.append(
        "`ner` (sentence 4; `tokens` is shown joined, it is a list of single characters; "
        "`ner_tags` are class ids, shown here as their names):\n\n```json\n"
        + json.dumps(compact_ner, ensure_ascii=False) + "\n```"
    )
    parts.append(
        "`documents` (the one row, lists cut to two items):\n\n```json\n"
        + _one_key_per_line(_shorten(rows["documents"][0])) + "\n```"
    )
    signs = next(r for r in rows["relations"] if r["relation"] == "signs")
    parts.append("`relations` (one row):\n\n```json\n" + _one_key_per_line(signs) + "\n```")
    return "\n\n".join(parts)


GENERATED_BLOCKS: dict[str, Callable[[Document], str]] = {
    "corpus-statistics": corpus_statistics,
    "label-statistics": label_statistics,
    "relation-statistics": relation_statistics,
}


def replace_block(readme: str, name: str, content: str) -> str:
    r"""``readme`` with the block ``<!-- generated:NAME -->`` … ``<!-- /generated:NAME -->`` set to ``content``.

    >>> replace_block("a\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nb", "x", "new")
    'a\n<!-- generated:x -->\nnew\n<!-- /generated:x -->\nb'
    """
    pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.DOTALL)
    if not pattern.search(readme):
        raise GoldDataError(
            [Problem(README_FILE, None, f"missing the block <!-- generated:{name} --> … <!-- /generated:{name} -->")]
        )
    return pattern.sub(lambda m: m.group(1) + content + "\n" + m.group(2), readme, count=1)


def render_readme(readme: str, document: Document, root: Path, rows: ConfigRows) -> str:
    """``readme`` with its front matter and every generated block brought up to date."""
    blocks = {
        **GENERATED_BLOCKS,
        "examples": lambda doc: example_rows(rows),
        "agreement": lambda doc: agreement_markdown(root, doc),
        "leaderboard": lambda doc: leaderboard_markdown(read_leaderboard(root)),
    }
    if not _FRONT_MATTER.match(readme):
        raise GoldDataError([Problem(README_FILE, 1, "must start with a YAML front matter block (---)")])
    readme = _FRONT_MATTER.sub(lambda _: front_matter(rows), readme, count=1)
    for name, render in blocks.items():
        readme = replace_block(readme, name, render(document))
    return readme
