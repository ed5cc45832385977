"""Rendering the leaderboard's JSON as Markdown (``results/leaderboard.md``, the README) and PNG.

Pure functions of the JSON document, so the README's table can be regenerated
from ``results/leaderboard.json`` alone and checked against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhnerbench.baselines.base import diagnostics_summary
from zhnerbench.board.llm import failure_adjusted, false_positives, run_cost, runs_summary
from zhnerbench.baselines.llm_diagnostics import failure_rates

WIDE_VIEW = 6  # views with more labels list per-label F1 in one cell instead of one column each


#: Longest text of a user, plugin or model shown in one table cell or line.
TEXT_LIMIT = 200
_MARKDOWN_SPECIAL = str.maketrans({"\\": "\\\\", "|": "\\|", "`": "\\`", "<": "&lt;", ">": "&gt;", "*": "\\*",
                                   "[": "\\[", "]": "\\]", "\n": " ", "\r": " ", "\t": " "})


def md(value: object, limit: int = TEXT_LIMIT) -> str:
    """Text a user, a plugin or a model handed in, safe in a Markdown table cell or line: one line,
    at most ``limit`` characters, with Markdown and HTML characters escaped (so it can add no
    row, heading, link, script or generated-block marker).

    >>> md("x | y\\n## z <!-- /generated:leaderboard --> <script>")
    'x \\\\| y ## z &lt;!-- /generated:leaderboard --&gt; &lt;script&gt;'
    """
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.translate(_MARKDOWN_SPECIAL)


def md_code(value: object, limit: int = TEXT_LIMIT) -> str:
    """Text shown as inline code in a table cell (a command): one line, no backtick to close the
    span early, pipes escaped as GitHub's tables need inside code.

    >>> md_code("pip install 'x[y]' | sh `rm`")
    "`pip install 'x[y]' \\\\| sh 'rm'`"
    """
    text = " ".join(str(value)[:limit].split()).replace("`", "'").replace("|", "\\|")
    return f"`{text}`"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _ci(interval: list[float] | None) -> str:
    return "–" if not interval else f"{100 * interval[0]:.1f}–{100 * interval[1]:.1f}"


def _speed(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def ner_table(board: Mapping[str, Any], view: str) -> str:
    """One view's table: every system that ran in it, best F1 first.

    >>> board = {"views": {"coarse": ["PER", "LOC", "ORG"]}, "systems": [{"name": "x", "version": "1",
    ...   "origin": "run", "status": "ran", "load_seconds": 1.0, "chars_per_second": 10.0, "training": None,
    ...   "scores": {"coarse": {"precision": 0.5, "recall": 0.25, "f1": 0.3333, "f1_ci": [0.2, 0.4], "support": 4,
    ...   "predicted": 2, "per_label_f1": {"PER": 1.0, "LOC": 0.0, "ORG": 0.0}}}}]}
    >>> print(ner_table(board, "coarse"))
    | rank | system | P | R | F1 | F1 95% CI | text F1 | copies F1 (n) | Δ (95% CI) | PER | LOC | ORG | load (s) | chars/s |
    |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
    | – | x 1 | 50.0 | 25.0 | **33.3** | 20.0–40.0 | – | – | – | 100.0 | 0.0 | 0.0 | 1.0 | 10 |
    """
    labels = board["views"][view]
    wide = len(labels) > WIDE_VIEW
    label_columns = ["per-label F1"] if wide else list(labels)
    header = ["rank", "system", "P", "R", "F1", "F1 95% CI", "text F1", "copies F1 (n)", "Δ (95% CI)", *label_columns,
              "load (s)", "chars/s"]
    rows = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * (len(header) - 2)]
    ran = [s for s in board["systems"] if s["status"] == "ran" and view in s["scores"]]
    for system in sorted(ran, key=lambda s: -s["scores"][view]["f1"]):
        score = system["scores"][view]
        per_label = score["per_label_f1"]
        if wide:
            cells = [" · ".join(f"{label} {percent(per_label[label])}" for label in labels if label in per_label)]
        else:
            cells = [percent(per_label.get(label)) for label in labels]
        name = md(f"{system['name']} {system['version']}".strip())
        if system.get("origin") == "submitted":
            name += " (submitted)"
        rows.append("| " + " | ".join([
            str(system.get("ranks", {}).get(view, "–")), name, percent(score["precision"]), percent(score["recall"]),
            f"**{percent(score['f1'])}**", _ci(score["f1_ci"]),
            percent(score.get("text_f1")), *_counterfactual_cells(system.get("counterfactual", {}).get(view)),
            *cells, _seconds(system.get("load_seconds")), _speed(system.get("chars_per_second")),
        ]) + " |")
    return "\n".join(rows)


def _counterfactual_cells(score: Mapping[str, Any] | None) -> list[str]:
    """The counterfactual F1 with the number of copies, and Δ with its interval ("–" without copies).

    >>> _counterfactual_cells({"copies": 20, "counterfactual_f1": 0.8, "delta": 0.1, "delta_ci": [0.05, 0.15]})
    ['80.0 (20)', '+10.0 (+5.0 to +15.0)']
    """
    if not score:
        return ["–", "–"]
    low, high = score["delta_ci"]
    return [f"{percent(score['counterfactual_f1'])} ({score['copies']})",
            f"{signed_points(score['delta'])} ({signed_points(low)} to {signed_points(high)})"]


def signed_points(value: float) -> str:
    """A difference in points with its sign; never "-0.0".

    >>> signed_points(-0.0004), signed_points(0.0123)
    ('+0.0', '+1.2')
    """
    return f"{round(100 * value, 1) + 0.0:+.1f}"


def _duration(seconds: float) -> str:
    """
    >>> _duration(42.0), _duration(754.4), _duration(4000.0)
    ('42 s', '12 min 34 s', '1 h 6 min')
    """
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def trained_systems(board: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The systems that ran with a model trained on MSRA NER (their records carry ``training``)."""
    return [s for s in board["systems"] if s["status"] == "ran" and s.get("training")]


def training_table(board: Mapping[str, Any]) -> str:
    """The trained baselines on MSRA NER: the model the dev set selected, its dev and test F1,
    and what training it cost, best test F1 first.

    >>> board = {"systems": [{"name": "crf", "status": "ran", "training": {"weights": "shipped",
    ...   "train_sentences": 48289, "dev_sentences": 2000, "selected": "150 iterations", "msra_dev_f1": 0.88,
    ...   "msra_test_f1": 0.86, "msra_test_precision": 0.9, "msra_test_recall": 0.83, "training_seconds": 754.0}}]}
    >>> print(training_table(board))
    | trained system | weights | train / dev sentences | selected on dev | MSRA dev F1 | MSRA test P | MSRA test R | MSRA test F1 | training time |
    |---|---|---:|---|---:|---:|---:|---:|---:|
    | crf | shipped | 48,289 / 2,000 | 150 iterations | 88.0 | 90.0 | 83.0 | **86.0** | 12 min 34 s |
    """
    rows = ["| trained system | weights | train / dev sentences | selected on dev | MSRA dev F1 | MSRA test P | "
            "MSRA test R | MSRA test F1 | training time |", "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for system in sorted(trained_systems(board), key=lambda s: (-s["training"]["msra_test_f1"], s["name"])):
        training = system["training"]  # records from before 1.1.0's trained baselines lack some keys
        seconds = training.get("training_seconds")
        rows.append("| " + " | ".join([
            md(system["name"]), md(training.get("weights", "–")),
            f"{training.get('train_sentences', 0):,} / {training.get('dev_sentences', 0):,}",
            md(training.get("selected", "–")), percent(training.get("msra_dev_f1")), percent(training.get("msra_test_precision")),
            percent(training.get("msra_test_recall")), f"**{percent(training['msra_test_f1'])}**",
            "–" if seconds is None else _duration(seconds),
        ]) + " |")
    return "\n".join(rows)


#: What an LLM's diagnostics say of its usage, not of what it could not use (the LLM table shows them).
USAGE_DIAGNOSTICS = frozenset({"input_tokens", "output_tokens", "items"})


def diagnostics_lines(board: Mapping[str, Any]) -> str:
    """What adapters could not use, per system (strings an LLM answered that are not in the
    text, malformed answers...): counted, never dropped silently.

    >>> print(diagnostics_lines({"systems": [{"name": "llm", "diagnostics": {"chunks": 9, "unaligned": 2,
    ...     "malformed": 0, "unaligned_examples": [["上海市", "GPE"]]}}]}))
    - llm: 9 chunks, 2 unaligned (e.g. 上海市 GPE)
    """
    lines = []
    for system in board["systems"]:
        diagnostics = {key: value for key, value in (system.get("diagnostics") or {}).items()
                       if key not in USAGE_DIAGNOSTICS}
        counts = diagnostics_summary(diagnostics)
        examples = diagnostics.get("unaligned_examples") or []
        if counts:
            shown = "; ".join(" ".join(md(part, 40) for part in example) for example in examples[:3])
            lines.append(f"- {md(system['name'])}: {md(counts)}" + (f" (e.g. {shown})" if shown else ""))
    return "\n".join(lines)


def llm_view(system: Mapping[str, Any]) -> str | None:
    """The view an LLM row reports: ``full`` when the system is scored in it, else its first."""
    views = [view for view in system.get("views", []) if view in system.get("scores", {})]
    return "full" if "full" in views else (views[0] if views else None)


def _latency(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def llm_rows(board: Mapping[str, Any]) -> list[dict[str, str]]:
    """The cells of the LLM table, one row per LLM system that ran (text, not yet escaped)."""
    rows = []
    for system in board["systems"]:
        llm = system.get("llm")
        view = llm_view(system)
        if not llm or system["status"] != "ran" or view is None:
            continue
        diagnostics = system.get("diagnostics") or {}
        manifest = llm.get("manifest") or {}
        cost = run_cost(llm, diagnostics)
        rates = failure_rates(diagnostics) if "chunks" in diagnostics else None
        spread = runs_summary(system.get("runs"), view)
        adjusted = failure_adjusted(system["scores"][view],
                                    false_positives(diagnostics.get("false_positive_labels", []), view))
        latency = system.get("requests") or {}
        rows.append({
            "system": system["name"], "view": view, "served": manifest.get("served_model") or "–",
            "input": f"{diagnostics['input_tokens']:,}" if "input_tokens" in diagnostics else "–",
            "output": f"{diagnostics['output_tokens']:,}" if "output_tokens" in diagnostics else "–",
            "cost": "–" if cost is None else f"{cost:.4f}",
            "latency": f"{_latency(latency.get('latency_p50'))} / {_latency(latency.get('latency_p95'))}",
            "requests": f"{latency['requests']:,} ({latency.get('retries', 0):,} / {latency.get('cached', 0):,})"
            if "requests" in latency else "–",
            "f1": percent(system["scores"][view]["f1"]),
            "runs": "–" if spread is None else
            f"{percent(spread[0])} ± {percent(spread[1])} ({len(system['runs']['seeds'])})",
            "agreement": percent(system["runs"]["agreement"]) if system.get("runs") else "–",
            **{key: "–" if rates is None else percent(rates[key])
               for key in ("unparseable", "unaligned", "unknown_label", "overlapping")},
            "adjusted": percent(adjusted["f1"]) if rates is not None else "–",
        })
    return rows


#: The LLM table's columns: (header, key of :func:`llm_rows`).
LLM_COLUMNS = (("system", "system"), ("view", "view"), ("model served", "served"), ("input tokens", "input"),
               ("output tokens", "output"), ("cost", "cost"), ("requests (retries / cached)", "requests"),
               ("latency p50 / p95 (s)", "latency"), ("F1", "f1"),
               ("F1 mean ± sd (runs)", "runs"), ("span agreement", "agreement"), ("unparseable %", "unparseable"),
               ("unaligned %", "unaligned"), ("unknown label %", "unknown_label"), ("overlapping %", "overlapping"),
               ("F1, failures as FP", "adjusted"))

LLM_NOTE = ("Tokens and cost are those of one pass over the article (a vote: of all its runs), at the price "
            "given when the system ran (`--price-input`/`--price-output` per million tokens, or `--price-file`; "
            "`–`: none given); requests, retries and cache hits are those of the run that made the record, and "
            "latency is per request, retries included (answers from the cache keep the latency of the request "
            "that fetched them). `F1 mean ± sd` is over the `--runs` "
            "samples (their number in brackets; the first is the score of record), `span agreement` the mean F1 "
            "between any two runs' spans. Unparseable answers are counted per answer; unaligned strings (not in "
            "the text), labels outside the schema and answers overlapping an earlier one per entity named. "
            "`F1, failures as FP` counts each such entity as a false positive in the views of its label (every "
            "view for a label outside the schema).")


def llm_table(board: Mapping[str, Any]) -> str:
    """The LLM systems' cost, latency, variance and failures (:func:`llm_rows`), with their manifests below."""
    rows = llm_rows(board)
    manifests = "\n".join(manifest_line(system) for system in llm_systems(board))
    if not rows:  # relation systems only: their usage is in their manifest lines
        return manifests
    lines = ["| " + " | ".join(header for header, _ in LLM_COLUMNS) + " |",
             "|---|---|---|" + "---:|" * (len(LLM_COLUMNS) - 3)]
    lines += ["| " + " | ".join(md(row[key]) for _, key in LLM_COLUMNS) + " |" for row in rows]
    return "\n".join(lines) + "\n\n" + manifests


def llm_systems(board: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The LLM systems that ran, NER and relation ones, whose manifests the board states."""
    return [system for system in [*board["systems"], *board.get("relation_systems", [])]
            if system.get("llm") and system["status"] == "ran"]


def manifest_line(system: Mapping[str, Any]) -> str:
    """One system's run manifest (:func:`manifest_parts`) as a Markdown list item, every value escaped.

    >>> print(manifest_line({"name": "openai-m", "date": "2026-01-01", "llm": {"manifest": {"model": "m",
    ...     "served_model": "m-1", "endpoint": "https://api.example.com/v1", "temperature": 0.0, "top_p": None,
    ...     "max_tokens": None, "seed": 0, "prompt": {"name": "ner-v1", "sha256": "ab" * 32}, "shots": None,
    ...     "client": "openai 3.0"}, "price": None}}))
    - openai-m: model m (served as m-1) at https://api.example.com/v1; temperature 0, top_p server default, max tokens server default, seed 0; prompt ner-v1 (SHA-256 abababababab…), 0-shot; openai 3.0; run 2026-01-01; no price given
    """
    return f"- {md(system['name'])}: " + "; ".join(md(part, 400) for part in manifest_parts(system))


def manifest_parts(system: Mapping[str, Any]) -> list[str]:
    """What an LLM system's run manifest says, in short phrases (raw text: escape where rendered)."""
    llm = system["llm"]
    manifest = llm.get("manifest") or {}

    def setting(key: str) -> str:
        value = manifest.get(key)
        return "server default" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    shots = manifest.get("shots")
    shot_text = f"{len(shots['ids'])}-shot from {shots['pool']} ({', '.join(shots['ids'])})" if shots else "0-shot"
    seeds = (system.get("runs") or {}).get("seeds")
    vote = llm.get("vote")
    price = llm.get("price")
    parts = [
        f"model {manifest.get('model', '?')}" + (f" (served as {manifest['served_model']})"
                                                  if manifest.get("served_model") else "")
        + f" at {manifest.get('endpoint', '?')}",
        f"temperature {setting('temperature')}, top_p {setting('top_p')}, max tokens {setting('max_tokens')}, "
        f"seed {setting('seed')}" + (f" (runs: seeds {seeds[0]}–{seeds[-1]})" if seeds else "")
        + (f" (majority of {vote['runs']} runs, seeds {', '.join(map(str, vote['seeds']))})" if vote else ""),
        f"prompt {(manifest.get('prompt') or {}).get('name', '?')} "
        f"(SHA-256 {str((manifest.get('prompt') or {}).get('sha256', '?'))[:12]}…), {shot_text}",
        str(manifest.get("client", "?")),
        f"run {system.get('date') or '?'}",
        f"price {price['input_per_million']:g} / {price['output_per_million']:g} per million input / output "
        f"tokens ({price['source']})" if price else "no price given",
    ]
    if manifest.get("task") == "relations":
        # No row in the NER table: its usage is stated here.
        diagnostics = system.get("diagnostics") or {}
        cost = run_cost(llm, diagnostics)
        parts.insert(0, f"relation extraction, entities {system.get('entities', '?')}")
        parts.append(f"{diagnostics.get('input_tokens', 0):,} input and {diagnostics.get('output_tokens', 0):,} "
                     f"output tokens on the article, cost {'–' if cost is None else f'{cost:.4f}'}")
    return parts


def relation_table(board: Mapping[str, Any]) -> str:
    """The relation baselines on every entity source, best strict F1 first."""
    rows = [
        "| relation baseline | entities from | predicted (strict) | strict P | strict R | strict F1 | intra F1 | "
        "inter F1 | evidence F1 | text F1 | copies strict F1 (n) | Δ (95% CI) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(board["relations"], key=lambda r: (-r["strict"]["f1"], r["baseline"], r["entities"])):
        strict = row["strict"]
        # A record scored before 1.2 has no intra/inter or evidence F1 (--rescore adds them).
        optional = ["–" if strict.get(key) is None else percent(strict[key]) for key in ("intra_f1", "inter_f1", "evidence_f1")]
        rows.append(
            f"| {md(row['baseline'])} | {md(row['entities'])} | {strict['predicted']} | {percent(strict['precision'])} | "
            f"{percent(strict['recall'])} | **{percent(strict['f1'])}** | {' | '.join(optional)} | {percent(row['text']['f1'])} | "
            + " | ".join(_counterfactual_cells(row.get("counterfactual"))) + " |"
        )
    return "\n".join(rows)


def unavailable_table(board: Mapping[str, Any]) -> str:
    missing = [s for s in [*board["systems"], *board.get("relation_systems", [])] if s["status"] != "ran"]
    if not missing:
        return "Every system on the board ran."
    rows = ["| system | status | why it did not run | how to enable it |", "|---|---|---|---|"]
    for system in missing:
        rows.append(f"| {md(system['name'])} | {md(system['status'])} | {md(system['reason'])} | {md_code(system['requires'])} |")
    return "\n".join(rows)


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


def leaderboard_markdown(board: Mapping[str, Any]) -> str:
    """The whole leaderboard: settings, one NER table per view, relations, systems that did not run."""
    article, scoring = board["article"], board["scoring"]
    normalization = {
        True: "on (ASCII `,;:?!()` mapped 1:1 to full-width in the taggers' input; offsets unchanged)",
        False: "off (taggers see the verbatim text)",
        None: "as each record says (the systems were run with different settings)",
    }[board["normalize_punctuation"]]
    bootstrap = (f"95% CIs from {scoring['bootstrap_samples']:,} bootstrap resamples of its {article['sentences']} "
                 f"sentences (seed {scoring['seed']})" if scoring else "95% CIs as each record says")
    parts = [
        f"Scored by `zhnerbench evaluate`'s scorer (seqeval strict IOB2, exact spans) on the "
        f"{article['characters']:,}-character article; {bootstrap}. Input normalisation: {normalization}. "
        "Per-label columns are F1; `text F1` counts a (sentence, text, label) triple as correct wherever "
        "in the sentence it was found (CLUENER/DuIE style; the offset-exact F1 is the score of record); "
        "speeds exclude model loading. Systems marked (submitted) were "
        "run elsewhere and their predictions scored here. " + RANK_NOTE + " "
        + COUNTERFACTUAL_NOTE,
    ]
    for view, labels in board["views"].items():
        if any(view in s.get("scores", {}) for s in board["systems"]):
            parts.append(f"**NER, view `{view}`** ({', '.join(labels)}):\n\n" + ner_table(board, view))
    if trained_systems(board):
        parts.append("**Trained baselines on MSRA NER** (trained by `python -m zhnerbench.baselines train` on "
                     "MSRA train but its last sentences, the dev set that selected the model; the test split is "
                     "scored, never used to select. `shipped`: the weights the project's seeded run produced, "
                     "installed with the package; `--retrain` trains them anew in about the time shown):\n\n"
                     + training_table(board))
    llm = llm_table(board)
    if llm:
        parts.append("**LLM systems: cost, latency, variance and failures** (" + LLM_NOTE + "):\n\n" + llm)
    diagnostics = diagnostics_lines(board)
    if diagnostics:
        parts.append("**What adapters could not use** (strings not found in the text, malformed answers; "
                     "the `text F1` column scores (sentence, text, label) triples, CLUENER/DuIE style):\n\n"
                     + diagnostics)
    parts.append("**Relations** (document-level triples; `strict`: arguments must be spans of the gold "
                 "entities; `text`: DuIE-style string match; `intra`/`inter`: strict F1 over the relations whose "
                 "entities some sentence names together, and over the others; `evidence`: DocRED's evidence F1, "
                 "where the system gives evidence; `copies` and `Δ` as for NER, strict, each relation counted in its "
                 "first evidence sentence):\n\n" + relation_table(board))
    parts.append("**Systems that did not run here:**\n\n" + unavailable_table(board))
    return "\n\n".join(parts)


