"""zhnerbench: a carefully annotated Chinese NER and relation-extraction benchmark.

The Python API is three functions, and a ``compute_metrics`` for ``transformers.Trainer``::

    from zhnerbench import evaluate, load_gold, read_predictions, trainer_metrics

    gold = load_gold()                                  # the benchmark's article, or load_gold("my.jsonl")
    predictions = read_predictions("pred.jsonl", gold)  # documents, CoNLL, sentences or DocRED format
    result = evaluate(gold, predictions)                # every view the file can be scored in
    result.views["coarse"].scores.micro.f1
    Trainer(..., compute_metrics=trainer_metrics(view="coarse", label_names=model.config.id2label))

Paths may be ``str`` or ``pathlib.Path``; every problem with an input is a
:class:`ZhNerBenchError` naming the file and line.

The code is one package: the core vocabulary (``schema``, ``model``, ``offsets``,
``schemes``, ``views``, ``counts``, ``digests``, ``secrets``, ``paths``, ``errors``) that
every stage imports; ``gold`` (the gold's one home: the article, the annotation files, their
checks, agreement, the ``documents`` codec and ``load_gold``); and one subpackage per stage:
``formats``, ``eval`` (the scorer), ``baselines`` (the systems), ``harness`` (hooks for other
libraries' loops: the Trainer's ``compute_metrics``) and ``leaderboard``.
"""

import time
from typing import TYPE_CHECKING, Any

__version__ = "1.4.1"

#: When the project's code started running (the leaderboard's wall time counts from here).
STARTED = time.perf_counter()

if TYPE_CHECKING:
    from zhnerbench.errors import ZhNerBenchError
    from zhnerbench.eval.evaluation import evaluate
    from zhnerbench.eval.readers import read_predictions
    from zhnerbench.gold import load_gold
    from zhnerbench.harness.trainer import trainer_metrics

__all__ = ["ZhNerBenchError", "evaluate", "load_gold", "read_predictions", "trainer_metrics"]

#: Imported when first used, so that ``import zhnerbench`` (and the command line) stays fast.
_API = {
    "evaluate": "zhnerbench.eval.evaluation",
    "load_gold": "zhnerbench.gold.loading",
    "read_predictions": "zhnerbench.eval.readers",
    "ZhNerBenchError": "zhnerbench.errors",
    "trainer_metrics": "zhnerbench.harness.trainer",
}


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'zhnerbench' has no attribute {name!r}")
