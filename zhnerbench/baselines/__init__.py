"""Baseline taggers and relation extractors of the benchmark.

NER baselines are adapters with one interface (:class:`~zhnerbench.baselines.base.Tagger`:
``name``, ``version``, ``requires``, ``native_labels``, ``label_map``, ``views``,
``load()``, ``predict(text) -> list[Span]``; a model that reads sentences also has
``predict_sentences(text, sentences)``, see :func:`~zhnerbench.baselines.base.predict_document`),
listed in
:mod:`zhnerbench.baselines.registry`. Any system, registered here, written by a user
(``py:package.module:factory``) or installed as a plugin (entry-point group
``zhnerbench.systems``), is built from its spec by :mod:`zhnerbench.baselines.specs`::

    from zhnerbench.baselines.base import BaselineUnavailable, run_timed
    from zhnerbench.baselines.specs import create_system, default_systems

    for spec in default_systems():
        tagger = create_system(spec)          # options: normalize_punctuation, msra, retrain
        try:
            result = run_timed(tagger, document)   # spans, load_seconds, chars_per_second
        except BaselineUnavailable as reason:           # one line: why, and how to enable it
            ...

Relation baselines take a document's text, sentences and entity mentions:
:func:`~zhnerbench.baselines.relations_cooccurrence.predict_cooccurrence` and
:func:`~zhnerbench.baselines.relations_patterns.predict_patterns`.

Nothing here imports a tagging library at import time; adapters never read the gold,
never score and never write into the repository (trained models are cached under
``$ZHNERBENCH_CACHE`` or ``~/.cache/zhnerbench``).
"""
