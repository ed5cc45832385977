"""``zhnerbench harness-path``: where the lm-evaluation-harness task configs are installed.

``lm_eval --include_path "$(zhnerbench harness-path)" --tasks zhnerbench ...`` runs the tasks
``zhnerbench_ner`` (the article), ``zhnerbench_ner_counterfactual`` (its 20 copies) and
``zhnerbench_re`` (document-level relations) with any backend of the harness; the configs come
with the package, so nothing is copied (see :mod:`zhnerbench.harness.lm_eval_tasks`).
"""

from __future__ import annotations

import argparse


def run_harness_path(args: argparse.Namespace) -> int:
    from zhnerbench.harness.lm_eval_tasks import TASKS_DIR

    print(TASKS_DIR)
    return 0


def add_harness_path_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``harness-path`` subcommand.

    >>> parser = argparse.ArgumentParser(prog="zhnerbench")
    >>> add_harness_path_parser(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["harness-path"]).func.__name__
    'run_harness_path'
    """
    parser = subparsers.add_parser(
        "harness-path",
        help="print the folder of the lm-evaluation-harness task configs (for lm_eval --include_path)",
        description=__doc__.split("\n\n")[1].replace("``", "`").replace(" (see :mod:`zhnerbench.harness.lm_eval_tasks`)", ""),
    )
    parser.set_defaults(func=run_harness_path)
