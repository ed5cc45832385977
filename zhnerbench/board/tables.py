"""The board's tables, each defined once: one column spec per table, read by every renderer.

A :class:`Column` says what a column is (its name, header, alignment), how a row's cell reads
(:attr:`Column.cell`, the text every rendering shows) and sorts (:attr:`Column.sort`, the value the
site sorts by), and what the site adds to it (a link, an interval bar). :func:`board_sections`
turns a :class:`~zhnerbench.board.assemble.Board` into :class:`Section` s, in the order the README
shows them; :mod:`zhnerbench.board.markdown` renders them as Markdown, :mod:`zhnerbench.board.site`
as HTML, and ``leaderboard.json`` carries them as data (:func:`sections_json`). A new column is
one entry in one of the ``*_COLUMNS`` specs below.

Cells hold raw text: whatever a user, a plugin or a model handed in is escaped by the renderer
that writes it (and clipped here to :data:`TEXT_LIMIT` characters).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypedDict, TypeVar

from zhnerbench.baselines.base import diagnostics_summary
from zhnerbench.baselines.llm_diagnostics import FailureRates, failure_rates, reasoning_phrase
from zhnerbench.board.assemble import Board, SystemEntry
from zhnerbench.board.llm import failure_adjusted, false_positives, run_cost, runs_summary
from zhnerbench.board.records import CounterfactualViewScore, RelationRow
from zhnerbench.eval.score_json import RatiosJson, f1_interval

#: Longest text of a user, plugin or model shown in one cell or line.
TEXT_LIMIT = 200
WIDE_VIEW = 6  # views with more labels list per-label F1 in one cell instead of one column each

Row = TypeVar("Row")
Align = Literal["left", "right"]
#: What the site sorts a cell by: a number, a text, or nothing (sorted last).
SortValue = float | str | None


def clip(value: object, limit: int = TEXT_LIMIT) -> str:
    """At most ``limit`` characters of a text handed in, marked where it was cut.

    >>> clip("x" * 5, 3)
    'xxx…'
    """
    text = str(value)
    return text[:limit] + "…" if len(text) > limit else text


def percent(value: float | None) -> str:
    """A ratio in percent with one decimal; ``–`` for none.

    >>> percent(0.8791), percent(None)
    ('87.9', '–')
    """
    return "–" if value is None else f"{100 * value:.1f}"


def signed_points(value: float) -> str:
    """A difference in points with its sign; never "-0.0".

    >>> signed_points(-0.0004), signed_points(0.0123)
    ('+0.0', '+1.2')
    """
    return f"{round(100 * value, 1) + 0.0:+.1f}"


def interval_text(interval: Sequence[float] | None) -> str:
    """
    >>> interval_text([0.827, 0.935]), interval_text(None)
    ('82.7–93.5', '–')
    """
    return "–" if not interval else f"{percent(interval[0])}–{percent(interval[1])}"


def duration(seconds: float | None) -> str:
    """
    >>> duration(42.0), duration(754.4), duration(4000.0), duration(None)
    ('42 s', '12 min 34 s', '1 h 6 min', '–')
    """
    if seconds is None:
        return "–"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def copies_text(score: CounterfactualViewScore | None) -> str:
    """The F1 on the counterfactual copies, with their number.

    >>> copies_text({"copies": 20, "article_f1": 0.9, "counterfactual_f1": 0.8, "delta": 0.1, "delta_ci": [0.05, 0.15]})
    '80.0 (20)'
    """
    return "–" if not score else f"{percent(score['counterfactual_f1'])} ({score['copies']})"


def delta_text(score: CounterfactualViewScore | None) -> str:
    """Δ (article minus copies) with its interval.

    >>> delta_text({"copies": 20, "article_f1": 0.9, "counterfactual_f1": 0.8, "delta": 0.1, "delta_ci": [0.05, 0.15]})
    '+10.0 (+5.0 to +15.0)'
    """
    if not score:
        return "–"
    low, high = score["delta_ci"]
    return f"{signed_points(score['delta'])} ({signed_points(low)} to {signed_points(high)})"


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column of a table (see the module doc)."""

    name: str
    header: str
    cell: Callable[[Row], str]
    sort: Callable[[Row], SortValue] | None = None
    align: Align = "right"
    #: The score of record: bold.
    strong: bool = False
    #: A command: shown as code.
    code: bool = False
    #: The site's link from the cell (relative to the index), if any.
    link: Callable[[Row], str | None] | None = None
    #: The site's interval bar: (value, low, high) ratios, if any.
    interval: Callable[[Row], tuple[float, float, float] | None] | None = None


@dataclass(frozen=True)
class Cell:
    """One rendered cell: its text, its sort value, and what the site adds."""

    text: str
    sort: SortValue = None
    link: str | None = None
    interval: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class Head:
    """A column as renderers see it."""

    name: str
    header: str
    align: Align
    strong: bool
    code: bool
    numeric: bool


@dataclass(frozen=True)
class Table:
    """A table: its columns and its rows of cells, each row keyed (a system's name)."""

    heads: tuple[Head, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]


@dataclass(frozen=True)
class Item:
    """One list item: who it is about, and what is said (raw text)."""

    lead: str
    text: str


@dataclass(frozen=True)
class Section:
    """A part of the board: a title (Markdown: code spans only), an optional note in brackets, and
    a table, a list, or a sentence, or a table and a list (an LLM table and its manifests)."""

    name: str
    title: str
    note: str = ""
    table: Table | None = None
    items: tuple[Item, ...] = ()
    sentence: str = ""


def build_table(rows: Sequence[Row], columns: Sequence[Column[Row]], key: Callable[[Row], str]) -> Table:
    """The cells of ``rows`` under ``columns``.

    >>> column = Column[int]("n", "n", str, sort=float)
    >>> build_table([2, 1], [column], str).rows
    (('2', (Cell(text='2', sort=2.0, link=None, interval=None),)), ('1', (Cell(text='1', sort=1.0, link=None, interval=None),)))
    """
    heads = tuple(Head(c.name, c.header, c.align, c.strong, c.code, c.align == "right") for c in columns)
    built = []
    for row in rows:
        cells = []
        for column in columns:
            text = column.cell(row)
            cells.append(Cell(text, column.sort(row) if column.sort is not None else text,
                              column.link(row) if column.link is not None else None,
                              column.interval(row) if column.interval is not None else None))
        built.append((key(row), tuple(cells)))
    return Table(heads, tuple(built))


# --- NER, one table per view ----------------------------------------------------------------------


def _score_column(name: str, header: str, value: Callable[[SystemEntry], float | None],
                  strong: bool = False) -> Column[SystemEntry]:
    return Column(name, header, lambda s: percent(value(s)), lambda s: value(s), strong=strong)


def _counterfactual(system: SystemEntry, view: str) -> CounterfactualViewScore | None:
    return system["counterfactual"].get(view)


def system_name_cell(system: SystemEntry) -> str:
    """A system's name and version, marked when its predictions were submitted."""
    name = clip(f"{system['name']} {system['version']}".strip())
    return name + " (submitted)" if system["origin"] == "submitted" else name


def ner_columns(view: str, labels: Sequence[str]) -> list[Column[SystemEntry]]:
    """The columns of one view's table; a view with more than :data:`WIDE_VIEW` labels lists its
    per-label F1 in one cell."""
    def micro(key: Literal["precision", "recall", "f1"]) -> Callable[[SystemEntry], float]:
        return lambda s: s["scores"][view]["micro"][key]

    def label_f1(label: str) -> Callable[[SystemEntry], float | None]:
        return lambda s: s["scores"][view]["per_label"][label]["f1"] if label in s["scores"][view]["per_label"] else None

    def interval(s: SystemEntry) -> tuple[float, float, float] | None:
        bounds = f1_interval(s["scores"][view]["micro"])
        return (s["scores"][view]["micro"]["f1"], bounds[0], bounds[1]) if bounds else None

    def per_label(s: SystemEntry) -> str:
        found = s["scores"][view]["per_label"]
        return " · ".join(f"{label} {percent(found[label]['f1'])}" for label in labels if label in found)

    label_columns: list[Column[SystemEntry]] = \
        [Column("per_label_f1", "per-label F1", per_label, align="left")] if len(labels) > WIDE_VIEW else \
        [_score_column(f"f1_{label}", label, label_f1(label)) for label in labels]
    return [
        Column("rank", "rank", lambda s: str(s["ranks"].get(view, "–")), lambda s: s["ranks"].get(view), align="left"),
        Column("system", "system", system_name_cell, lambda s: s["name"], align="left",
               link=lambda s: f"systems/{s['name']}.html"),
        _score_column("precision", "P", micro("precision")),
        _score_column("recall", "R", micro("recall")),
        _score_column("f1", "F1", micro("f1"), strong=True),
        Column("f1_ci", "F1 95% CI", lambda s: interval_text(f1_interval(s["scores"][view]["micro"])),
               lambda s: s["scores"][view]["micro"]["f1"], interval=interval),
        _score_column("text_f1", "text F1", lambda s: s["scores"][view]["text_match"]["f1"]),
        Column("copies_f1", "copies F1 (n)", lambda s: copies_text(_counterfactual(s, view)),
               lambda s: (score := _counterfactual(s, view)) and score["counterfactual_f1"]),
        Column("delta", "Δ (95% CI)", lambda s: delta_text(_counterfactual(s, view)),
               lambda s: (score := _counterfactual(s, view)) and score["delta"]),
        *label_columns,
        Column("load_seconds", "load (s)", lambda s: "–" if s["load_seconds"] is None else f"{s['load_seconds']:.1f}",
               lambda s: s["load_seconds"]),
        Column("chars_per_second", "chars/s",
               lambda s: "–" if s["chars_per_second"] is None else f"{s['chars_per_second']:,.0f}",
               lambda s: s["chars_per_second"]),
    ]


def ner_rows(board: Board, view: str) -> list[SystemEntry]:
    """The systems that ran in ``view``, best F1 first (then by name)."""
    ran = [s for s in board["systems"] if s["status"] == "ran" and view in s["scores"]]
    return sorted(ran, key=lambda s: (-s["scores"][view]["micro"]["f1"], s["name"]))


# --- trained baselines -----------------------------------------------------------------------------


def trained_systems(board: Board) -> list[SystemEntry]:
    """The systems that ran with a model trained on MSRA NER (their records carry ``training``)."""
    return [s for s in board["systems"] if s["status"] == "ran" and s.get("training")]


def _training(system: SystemEntry) -> Mapping[str, object]:
    return system["training"] or {}


def _training_ratio(key: str) -> Callable[[SystemEntry], float | None]:
    def value(system: SystemEntry) -> float | None:
        found = _training(system).get(key)
        return float(found) if isinstance(found, (int, float)) else None
    return value


def _training_text(key: str) -> Callable[[SystemEntry], str]:
    return lambda s: clip(_training(s).get(key, "–"))


def _sentences(system: SystemEntry) -> str:
    training = _training(system)
    return f"{training.get('train_sentences', 0):,} / {training.get('dev_sentences', 0):,}"


TRAINED_COLUMNS: tuple[Column[SystemEntry], ...] = (
    Column("system", "trained system", lambda s: clip(s["name"]), align="left"),
    Column("weights", "weights", _training_text("weights"), align="left"),
    Column("sentences", "train / dev sentences", _sentences, _training_ratio("train_sentences")),
    Column("selected", "selected on dev", _training_text("selected"), align="left"),
    Column("msra_dev_f1", "MSRA dev F1", lambda s: percent(_training_ratio("msra_dev_f1")(s)), _training_ratio("msra_dev_f1")),
    Column("msra_test_precision", "MSRA test P", lambda s: percent(_training_ratio("msra_test_precision")(s)),
           _training_ratio("msra_test_precision")),
    Column("msra_test_recall", "MSRA test R", lambda s: percent(_training_ratio("msra_test_recall")(s)),
           _training_ratio("msra_test_recall")),
    Column("msra_test_f1", "MSRA test F1", lambda s: percent(_training_ratio("msra_test_f1")(s)),
           _training_ratio("msra_test_f1"), strong=True),
    Column("training_time", "training time", lambda s: duration(_training_ratio("training_seconds")(s)),
           _training_ratio("training_seconds")),
)


# --- LLM systems -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LlmRow:
    """An LLM system that ran, with what its row shows computed once."""

    system: SystemEntry
    view: str
    rates: FailureRates | None
    cost: float | None
    spread: tuple[float, float] | None
    adjusted: RatiosJson | None


def llm_view(system: SystemEntry) -> str | None:
    """The view an LLM row reports: ``full`` when the system is scored in it, else its first."""
    views = [view for view in system["views"] if view in system["scores"]]
    return "full" if "full" in views else (views[0] if views else None)


def llm_rows(board: Board) -> list[LlmRow]:
    """One row per LLM system that ran (in name order)."""
    rows = []
    for system in board["systems"]:
        llm, view = system.get("llm"), llm_view(system)
        if not llm or system["status"] != "ran" or view is None:
            continue
        diagnostics = system["diagnostics"]
        rates = failure_rates(diagnostics) if "chunks" in diagnostics else None
        labels = diagnostics.get("false_positive_labels", [])
        adjusted = failure_adjusted(system["scores"][view]["micro"],
                                    false_positives(labels if isinstance(labels, list) else [], view))
        rows.append(LlmRow(system, view, rates, run_cost(llm, diagnostics), runs_summary(system.get("runs"), view),
                           adjusted if rates is not None else None))
    return rows


def _latency(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "–"


def _tokens(key: str) -> Callable[[LlmRow], str]:
    def text(row: LlmRow) -> str:
        value = row.system["diagnostics"].get(key)
        return f"{value:,}" if isinstance(value, int) else "–"
    return text


def _token_count(key: str) -> Callable[[LlmRow], float | None]:
    def value(row: LlmRow) -> float | None:
        found = row.system["diagnostics"].get(key)
        return float(found) if isinstance(found, int) else None
    return value


def _requests(row: LlmRow) -> str:
    requests = row.system.get("requests") or {}
    if "requests" not in requests:
        return "–"
    return f"{requests['requests'] or 0:,} ({requests.get('retries') or 0:,} / {requests.get('cached') or 0:,})"


def _rate(key: str) -> Column[LlmRow]:
    header = {"unparseable": "unparseable %", "truncated": "truncated %", "unaligned": "unaligned %",
              "unknown_label": "unknown label %", "overlapping": "overlapping %"}[key]
    return Column(key, header, lambda row: "–" if row.rates is None else percent(row.rates[key]),
                  lambda row: None if row.rates is None else row.rates[key])


def _manifest(row: LlmRow) -> Mapping[str, object]:
    return row.system["llm"]["manifest"] if "llm" in row.system else {}


LLM_COLUMNS: tuple[Column[LlmRow], ...] = (
    Column("system", "system", lambda row: clip(row.system["name"]), align="left"),
    Column("view", "view", lambda row: row.view, align="left"),
    Column("served", "model served", lambda row: clip(_manifest(row).get("served_model") or "–"), align="left"),
    Column("input_tokens", "input tokens", _tokens("input_tokens"), _token_count("input_tokens")),
    Column("output_tokens", "output tokens", _tokens("output_tokens"), _token_count("output_tokens")),
    Column("cost", "cost", lambda row: "–" if row.cost is None else f"{row.cost:.4f}", lambda row: row.cost),
    Column("requests", "requests (retries / cached)", _requests,
           lambda row: (row.system.get("requests") or {}).get("requests")),
    Column("latency", "latency p50 / p95 (s)",
           lambda row: f"{_latency((row.system.get('requests') or {}).get('latency_p50'))} / "
                       f"{_latency((row.system.get('requests') or {}).get('latency_p95'))}",
           lambda row: (row.system.get("requests") or {}).get("latency_p50")),
    Column("f1", "F1", lambda row: percent(row.system["scores"][row.view]["micro"]["f1"]),
           lambda row: row.system["scores"][row.view]["micro"]["f1"]),
    Column("runs", "F1 mean ± sd (runs)",
           lambda row: "–" if row.spread is None else
           f"{percent(row.spread[0])} ± {percent(row.spread[1])} ({len((row.system.get('runs') or {'seeds': []})['seeds'])})",
           lambda row: None if row.spread is None else row.spread[0]),
    Column("agreement", "span agreement",
           lambda row: percent(runs["agreement"]) if (runs := row.system.get("runs")) else "–",
           lambda row: runs["agreement"] if (runs := row.system.get("runs")) else None),
    _rate("unparseable"), _rate("truncated"), _rate("unaligned"), _rate("unknown_label"), _rate("overlapping"),
    Column("adjusted", "F1, failures as FP", lambda row: "–" if row.adjusted is None else percent(row.adjusted["f1"]),
           lambda row: None if row.adjusted is None else row.adjusted["f1"]),
)

LLM_NOTE = ("Tokens and cost are those of one pass over the article (a vote: of all its runs), at the price "
            "given when the system ran (`--price-input`/`--price-output` per million tokens, or `--price-file`; "
            "`–`: none given); requests, retries and cache hits are those of the run that made the record, and "
            "latency is per request, retries included (answers from the cache keep the latency of the request "
            "that fetched them). `F1 mean ± sd` is over the `--runs` "
            "samples (their number in brackets; the first is the score of record), `span agreement` the mean F1 "
            "between any two runs' spans. Unparseable answers (no JSON answer once reasoning is set aside) and "
            "truncated ones (stopped by the token limit) are counted per answer; unaligned strings (not in "
            "the text), labels outside the schema and answers overlapping an earlier one per entity named. "
            "`F1, failures as FP` counts each such entity as a false positive in the views of its label (every "
            "view for a label outside the schema).")


def llm_systems(board: Board) -> list[SystemEntry]:
    """The LLM systems that ran, NER and relation ones, whose manifests the board states."""
    return [system for system in [*board["systems"], *board["relation_systems"]]
            if system.get("llm") and system["status"] == "ran"]


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def manifest_parts(system: SystemEntry) -> list[str]:
    """What an LLM system's run manifest says, in short phrases (raw text: escape where rendered)."""
    llm = system.get("llm") or {"manifest": {}}
    manifest: Mapping[str, object] = llm.get("manifest") or {}

    def setting(key: str) -> str:
        value = manifest.get(key)
        return "server default" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    shots = manifest.get("shots")
    shot_text = (f"{len(shots['ids'])}-shot from {shots['pool']} ({', '.join(shots['ids'])})"
                 if isinstance(shots, dict) and shots else "0-shot")
    runs = system.get("runs")
    seeds = runs["seeds"] if runs else None
    vote = llm.get("vote")
    price = llm.get("price")
    prompt = manifest.get("prompt") if isinstance(manifest.get("prompt"), dict) else {}
    assert isinstance(prompt, dict)
    parts = [
        f"model {manifest.get('model', '?')}" + (f" (served as {manifest['served_model']})"
                                                  if manifest.get("served_model") else "")
        + f" at {manifest.get('endpoint', '?')}",
        f"temperature {setting('temperature')}, top_p {setting('top_p')}, max tokens {setting('max_tokens')}, "
        f"seed {setting('seed')}" + (f" (runs: seeds {seeds[0]}–{seeds[-1]})" if seeds else "")
        + (f" (majority of {vote['runs']} runs, seeds {', '.join(map(str, vote['seeds']))})" if vote else ""),
        f"prompt {prompt.get('name', '?')} (SHA-256 {str(prompt.get('sha256', '?'))[:12]}…), {shot_text}",
        str(manifest.get("client", "?")),
        f"run {system.get('date') or '?'}",
        *([reasoning_phrase(_int(reasoning.get("answers")), _int(reasoning.get("with_reasoning")),
                            tokens if isinstance(tokens := reasoning.get("reasoning_tokens"), int) else None)
           + " on the article"] if isinstance(reasoning := manifest.get("reasoning"), Mapping) else []),
        f"price {price['input_per_million']:g} / {price['output_per_million']:g} per million input / output "
        f"tokens ({price['source']})" if price else "no price given",
    ]
    if manifest.get("task") == "relations":
        # No row in the NER table: its usage is stated here.
        diagnostics = system["diagnostics"]
        cost = run_cost(llm, diagnostics)
        parts.insert(0, f"relation extraction, entities {system.get('entities', '?')}")
        # A run submitted from lm-evaluation-harness reports no usage.
        parts.append(f"{diagnostics.get('input_tokens', 0):,} input and {diagnostics.get('output_tokens', 0):,} "
                     f"output tokens on the article, cost {'–' if cost is None else f'{cost:.4f}'}"
                     if "input_tokens" in diagnostics else "tokens not reported")
    return parts


def manifest_item(system: SystemEntry) -> Item:
    """One system's run manifest as a list item (each phrase clipped).

    >>> manifest_item({"name": "openai-m", "date": "2026-01-01", "llm": {"manifest": {"model": "m",
    ...     "served_model": "m-1", "endpoint": "https://api.example.com/v1", "temperature": 0.0, "top_p": None,
    ...     "max_tokens": None, "seed": 0, "prompt": {"name": "ner-v1", "sha256": "ab" * 32}, "shots": None,
    ...     "client": "openai 3.0"}, "price": None}}).text  # type: ignore[typeddict-item]
    'model m (served as m-1) at https://api.example.com/v1; temperature 0, top_p server default, max tokens server default, seed 0; prompt ner-v1 (SHA-256 abababababab…), 0-shot; openai 3.0; run 2026-01-01; no price given'
    """
    return Item(clip(system["name"]), "; ".join(clip(part, 400) for part in manifest_parts(system)))


# --- what adapters could not use -----------------------------------------------------------------------

#: What an LLM's diagnostics say of its usage, not of what it could not use (the LLM table shows them).
USAGE_DIAGNOSTICS = frozenset({"input_tokens", "output_tokens", "items", "with_reasoning", "reasoning_tokens"})


def diagnostics_items(board: Board) -> list[Item]:
    """What adapters could not use, per system (strings an LLM answered that are not in the
    text, malformed answers...): counted, never dropped silently.

    >>> diagnostics_items({"systems": [{"name": "llm", "diagnostics": {"chunks": 9, "unaligned": 2,
    ...     "malformed": 0, "unaligned_examples": [["上海市", "GPE"]]}}]})  # type: ignore[typeddict-item]
    [Item(lead='llm', text='9 chunks, 2 unaligned (e.g. 上海市 GPE)')]
    """
    items = []
    for system in board["systems"]:
        diagnostics = {key: value for key, value in system["diagnostics"].items() if key not in USAGE_DIAGNOSTICS}
        counts = diagnostics_summary(diagnostics)
        examples = diagnostics.get("unaligned_examples") or []
        if counts:
            shown = "; ".join(" ".join(clip(part, 40) for part in example) for example in examples[:3]  # type: ignore[index]
                              if isinstance(example, list))
            items.append(Item(clip(system["name"]), clip(counts) + (f" (e.g. {shown})" if shown else "")))
    return items


# --- relations -----------------------------------------------------------------------------------------


def _strict(key: Literal["intra_sentence", "inter_sentence"]) -> Callable[[RelationRow], float]:
    return lambda row: row["strict"][key]["f1"]


def _evidence(row: RelationRow) -> float | None:
    evidence = row["strict"]["evidence"]
    return None if evidence is None else evidence["f1"]


RELATION_COLUMNS: tuple[Column[RelationRow], ...] = (
    Column("baseline", "relation baseline", lambda row: clip(row["baseline"]), align="left"),
    Column("entities", "entities from", lambda row: clip(row["entities"]), align="left"),
    Column("predicted", "predicted (strict)", lambda row: str(row["strict"]["micro"]["predicted"]),
           lambda row: row["strict"]["micro"]["predicted"]),
    Column("precision", "strict P", lambda row: percent(row["strict"]["micro"]["precision"]),
           lambda row: row["strict"]["micro"]["precision"]),
    Column("recall", "strict R", lambda row: percent(row["strict"]["micro"]["recall"]),
           lambda row: row["strict"]["micro"]["recall"]),
    Column("f1", "strict F1", lambda row: percent(row["strict"]["micro"]["f1"]), lambda row: row["strict"]["micro"]["f1"],
           strong=True),
    Column("intra_f1", "intra F1", lambda row: percent(_strict("intra_sentence")(row)), _strict("intra_sentence")),
    Column("inter_f1", "inter F1", lambda row: percent(_strict("inter_sentence")(row)), _strict("inter_sentence")),
    Column("evidence_f1", "evidence F1", lambda row: percent(_evidence(row)), _evidence),
    Column("text_f1", "text F1", lambda row: percent(row["text"]["micro"]["f1"]), lambda row: row["text"]["micro"]["f1"]),
    Column("copies_f1", "copies strict F1 (n)", lambda row: copies_text(row.get("counterfactual")),
           lambda row: (score := row.get("counterfactual")) and score["counterfactual_f1"]),
    Column("delta", "Δ (95% CI)", lambda row: delta_text(row.get("counterfactual")),
           lambda row: (score := row.get("counterfactual")) and score["delta"]),
)


def relation_rows(board: Board) -> list[RelationRow]:
    """Every relation row, best strict F1 first."""
    return sorted(board["relations"], key=lambda r: (-r["strict"]["micro"]["f1"], r["baseline"], r["entities"]))


# --- systems that did not run ----------------------------------------------------------------------------

UNAVAILABLE_COLUMNS: tuple[Column[SystemEntry], ...] = (
    Column("system", "system", lambda s: clip(s["name"]), align="left"),
    Column("status", "status", lambda s: clip(s["status"]), align="left"),
    Column("reason", "why it did not run", lambda s: clip(s["reason"]), align="left"),
    Column("requires", "how to enable it", lambda s: " ".join(clip(s["requires"]).split()), align="left", code=True),
)


def did_not_run(board: Board) -> list[SystemEntry]:
    """The systems (NER and relation ones) that did not run here, in name order."""
    return [s for s in [*board["systems"], *board["relation_systems"]] if s["status"] != "ran"]


# --- the board, section by section ------------------------------------------------------------------------

#: The sentence that explains the ranks (the README says the same).
RANK_NOTE = (
    "Systems share a `rank` when a one-sided paired bootstrap test over sentences (95%) cannot tell "
    "them from the best system of their group; the next system it can tell apart starts a group at "
    "its own position."
)

#: The two sentences that explain the counterfactual columns (the README says the same).
COUNTERFACTUAL_NOTE = (
    "`copies F1 (n)` is the F1 on n counterfactual copies of the article, in which every person and place "
    "is replaced by an invented person or another real place of the same kind; `Δ` is the article's F1 minus "
    "it, with a paired bootstrap interval over sentences. A Δ well above 0 means the system does better on the "
    "article's own names than on others in the same contexts: it remembers names (from a lexicon or from "
    "pre-training) more than it reads them."
)

TRAINED_NOTE = ("trained by `python -m zhnerbench.baselines train` on MSRA train but its last sentences, the dev "
                "set that selected the model; the test split is scored, never used to select. `shipped`: the "
                "weights the project's seeded run produced, installed with the package; `--retrain` trains them "
                "anew in about the time shown")
DIAGNOSTICS_NOTE = ("strings not found in the text, malformed answers; the `text F1` column scores (sentence, text, "
                    "label) triples, CLUENER/DuIE style")
RELATIONS_NOTE = ("document-level triples; `strict`: arguments must be spans of the gold entities; `text`: "
                  "DuIE-style string match; `intra`/`inter`: strict F1 over the relations whose entities some "
                  "sentence names together, and over the others; `evidence`: DocRED's evidence F1, where the "
                  "system gives evidence; `copies` and `Δ` as for NER, strict, each relation counted in its first "
                  "evidence sentence")


def introduction(board: Board) -> str:
    """The paragraph before the tables: what was scored, how, and how to read the columns."""
    article, scoring = board["article"], board["scoring"]
    normalization = {
        True: "on (ASCII `,;:?!()` mapped 1:1 to full-width in the taggers' input; offsets unchanged)",
        False: "off (taggers see the verbatim text)",
        None: "as each record says (the systems were run with different settings)",
    }[board["normalize_punctuation"]]
    bootstrap = (f"95% CIs from {scoring['bootstrap_samples']:,} bootstrap resamples of its {article['sentences']} "
                 f"sentences (seed {scoring['seed']})" if scoring and "bootstrap_samples" in scoring and "seed" in scoring
                 else "95% CIs as each record says")
    return (f"Scored by `zhnerbench evaluate`'s scorer (seqeval strict IOB2, exact spans) on the "
            f"{article['characters']:,}-character article; {bootstrap}. Input normalisation: {normalization}. "
            "Per-label columns are F1; `text F1` counts a (sentence, text, label) triple as correct wherever "
            "in the sentence it was found (CLUENER/DuIE style; the offset-exact F1 is the score of record); "
            "speeds exclude model loading. Systems marked (submitted) were "
            "run elsewhere and their predictions scored here. " + RANK_NOTE + " " + COUNTERFACTUAL_NOTE)


def board_sections(board: Board) -> list[Section]:
    """Every part of the board after the introduction, in the README's order: one NER table per
    view some system ran in, the trained baselines, the LLM systems and their manifests, what
    adapters could not use, the relations, the systems that did not run."""
    sections = [Section(f"ner-{view}", f"NER, view `{view}`", ", ".join(labels),
                        table=build_table(ner_rows(board, view), ner_columns(view, labels), lambda s: s["name"]))
                for view, labels in board["views"].items() if any(view in s["scores"] for s in board["systems"])]
    trained = trained_systems(board)
    if trained:
        rows = sorted(trained, key=lambda s: (-(_training_ratio("msra_test_f1")(s) or 0.0), s["name"]))
        sections.append(Section("trained", "Trained baselines on MSRA NER", TRAINED_NOTE,
                                table=build_table(rows, TRAINED_COLUMNS, lambda s: s["name"])))
    manifests = tuple(manifest_item(system) for system in llm_systems(board))
    if manifests:
        llm = llm_rows(board)
        sections.append(Section("llm", "LLM systems: cost, latency, variance and failures", LLM_NOTE,
                                table=build_table(llm, LLM_COLUMNS, lambda row: row.system["name"]) if llm else None,
                                items=manifests))
    diagnostics = tuple(diagnostics_items(board))
    if diagnostics:
        sections.append(Section("diagnostics", "What adapters could not use", DIAGNOSTICS_NOTE, items=diagnostics))
    sections.append(Section("relations", "Relations", RELATIONS_NOTE,
                            table=build_table(relation_rows(board), RELATION_COLUMNS,
                                              lambda row: f"{row['baseline']} on {row['entities']}")))
    missing = did_not_run(board)
    sections.append(Section("did-not-run", "Systems that did not run here",
                            table=build_table(missing, UNAVAILABLE_COLUMNS, lambda s: s["name"]) if missing else None,
                            sentence="" if missing else "Every system on the board ran."))
    return sections


class ColumnJson(TypedDict):
    name: str
    header: str
    align: Align


class SectionJson(TypedDict):
    name: str
    title: str
    note: str
    columns: list[ColumnJson]
    rows: list[list[str]]
    items: list[list[str]]
    sentence: str


def sections_json(sections: Sequence[Section]) -> list[SectionJson]:
    """The sections as ``leaderboard.json`` carries them: what each cell and item says, as text."""
    return [{"name": section.name, "title": section.title, "note": section.note,
             "columns": [{"name": head.name, "header": head.header, "align": head.align}
                         for head in section.table.heads] if section.table else [],
             "rows": [[cell.text for cell in cells] for _, cells in section.table.rows] if section.table else [],
             "items": [[item.lead, item.text] for item in section.items], "sentence": section.sentence}
            for section in sections]
