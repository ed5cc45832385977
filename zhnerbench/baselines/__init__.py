"""Baseline taggers and relation extractors of the benchmark.

NER baselines are adapters with one interface (:class:`~zhnerbench.baselines.base.Tagger`:
``name``, ``version``, ``requires``, ``native_labels``, ``label_map``, ``views``,
``load()``, ``predict(text) -> list[Span]``), listed in
:mod:`zhnerbench.baselines.registry`. The leaderboard calls them as::

    from zhnerbench.baselines.base import BaselineUnavailable, run_timed
    from zhnerbench.baselines.registry import create, names, TRAINED

    for name in names():
        tagger = create(name)                 # options: normalize_punctuation, msra, retrain
        try:
            result = run_timed(tagger, document.text)   # spans, load_seconds, chars_per_second
        except BaselineUnavailable as reason:           # one line: why, and how to enable it
            ...
        if name in TRAINED:
            tagger.info.msra_test_f1                    # and training_seconds, settings, ...

Relation baselines take a document's text, sentences and entity mentions:
:func:`~zhnerbench.baselines.relations_cooccurrence.predict_cooccurrence` and
:func:`~zhnerbench.baselines.relations_patterns.predict_patterns`.

Nothing here imports a tagging library at import time; adapters never read the gold,
never score and never write into the repository (trained models are cached under
``$ZHNERBENCH_CACHE`` or ``~/.cache/zhnerbench``).
"""
