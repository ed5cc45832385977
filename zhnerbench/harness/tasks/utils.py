"""The functions the task configs beside this file name (``!function utils.NAME``): the package's own.

lm-evaluation-harness loads this file by its path; everything here comes from
:mod:`zhnerbench.harness.lm_eval_tasks`, so a task reads, aligns and scores exactly as
``zhnerbench`` does.
"""

from zhnerbench.harness.lm_eval_tasks import (  # noqa: F401 (names for the configs)
    counterfactual_dataset,
    evidence_f1,
    f1_coarse,
    f1_full,
    f1_ontonotes,
    f1_strict,
    f1_text,
    ner_dataset,
    ner_prompt,
    ner_results,
    ner_target,
    relation_dataset,
    relation_prompt,
    relation_results,
    relation_target,
    text_f1_coarse,
    text_f1_full,
    text_f1_ontonotes,
    unparseable,
)
