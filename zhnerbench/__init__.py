"""zhnerbench: a carefully annotated Chinese NER and relation-extraction benchmark.

The Python API is three functions::

    from zhnerbench import evaluate, load_gold, read_predictions

    gold = load_gold()                                  # the benchmark's article, or load_gold("my.jsonl")
    predictions = read_predictions("pred.jsonl", gold)  # documents, CoNLL, sentences or DocRED format
    result = evaluate(gold, predictions)                # every view the file can be scored in
    result.views["coarse"].scores.micro.f1

Paths may be ``str`` or ``pathlib.Path``; every problem with an input is a
:class:`ZhNerBenchError` naming the file and line.

A tagger plugin returns :class:`Span` s (``from zhnerbench import Span``).

The code is one package in floors, each importing only from the floors below it: the core
vocabulary (``schema``, ``document``, ``offsets``, ``tag_schemes``, ``views``, ``counts``,
``digests``, ``secrets``, ``paths``, ``exceptions``, ``reading``, ``writing``); ``gold`` (the
gold's one home); ``formats`` (prediction formats and exports); ``eval`` (the scorer);
``baselines`` (the systems); ``harness`` (lm-evaluation-harness tasks, a Trainer
``compute_metrics``); ``board`` (records and their renderings); ``runner`` (running systems into
records); ``commands`` and ``cli``. The README's layout section lists them.
"""

from typing import TYPE_CHECKING, Any

from zhnerbench.timing import STARTED as STARTED  # first, so that the wall time counts from here
from zhnerbench.version import __version__ as __version__

if TYPE_CHECKING:
    from zhnerbench.document import Span
    from zhnerbench.exceptions import ZhNerBenchError
    from zhnerbench.eval.evaluation import evaluate
    from zhnerbench.formats.registry import read_predictions
    from zhnerbench.gold import load_gold

__all__ = ["Span", "ZhNerBenchError", "evaluate", "load_gold", "read_predictions"]

#: Imported when first used, so that ``import zhnerbench`` (and the command line) stays fast.
_API = {
    "evaluate": "zhnerbench.eval.evaluation",
    "load_gold": "zhnerbench.gold.loading",
    "read_predictions": "zhnerbench.formats.registry",
    "ZhNerBenchError": "zhnerbench.exceptions",
    "Span": "zhnerbench.document",
}


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'zhnerbench' has no attribute {name!r}")
