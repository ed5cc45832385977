"""The benchmark inside other tools: scoring with the benchmark's own scorer from inside their loops.

This layer sits above ``baselines`` (it asks and reads as the adapters do, and maps a model's
label names through the same presets as ``hf:``) and ``eval`` (it scores with the scorer of
record), and below the board. :mod:`zhnerbench.harness.lm_eval_tasks` and
:mod:`zhnerbench.harness.lm_eval_samples` make the benchmark lm-evaluation-harness tasks and
read their runs back; :mod:`zhnerbench.harness.trainer` gives ``transformers.Trainer`` its
``compute_metrics``.
"""
