"""The benchmark inside other tools: lm-evaluation-harness tasks, a ``compute_metrics`` for ``transformers.Trainer``."""
