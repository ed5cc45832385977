"""The lm-evaluation-harness task configs (``zhnerbench harness-path`` prints this folder)."""
