"""Hooks for the loops other libraries run: scoring with the benchmark's own scorer from inside them.

This layer sits above ``baselines`` (it maps a model's label names through the same presets
as ``hf:``) and ``eval`` (it scores with the scorer of record), and below the leaderboard.
:mod:`zhnerbench.harness.trainer` gives ``transformers.Trainer`` its ``compute_metrics``.
"""
