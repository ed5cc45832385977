"""The small dev search behind spacy-msra's settings: each candidate trained on an evenly spaced
slice of MSRA train, scored on the same 2,000 held-out dev sentences the shipped model is
selected on (test is scored on 500 sentences for the curve only and never used to choose).

    ZHNERBENCH_CACHE=$(mktemp -d) python benchmarks/search_spacy_msra.py [TRAIN_SENTENCES] [EPOCHS]

Prints one line per candidate: its settings, best dev F1, training seconds.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from zhnerbench.baselines.spacy_msra import SpacyMsraTagger
from zhnerbench.baselines.training import TrainingSettings

CANDIDATES: tuple[dict[str, Any], ...] = (
    {"features": False, "encoder": "cnn", "width": 96, "window": 1},
    {"features": True, "encoder": "cnn", "width": 128, "window": 1},
    {"features": True, "encoder": "bilstm", "width": 128},
)


def main(argv: list[str]) -> int:
    sentences = int(argv[0]) if argv else 10_000
    epochs = int(argv[1]) if len(argv) > 1 else 2
    settings = TrainingSettings(train_sentences=sentences, epochs=epochs, test_sentences=500)
    for candidate in CANDIDATES:
        tagger = SpacyMsraTagger(settings, retrain=True, **candidate, eval_frequency=500)
        tagger.load()
        info = tagger.info
        assert info is not None
        print(json.dumps({**candidate, "train_sentences": info.train_sentences, "dev_f1": info.msra_dev_f1,
                          "selected": info.selected, "training_seconds": info.training_seconds}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
