"""A system's score on the counterfactual copies of the article, beside its score on the article.

The copies (:mod:`zhnerbench.gold.counterfactual`) replace every person and place by another
of the same kind and keep everything else. A system that reads the context scores about the
same on both; one that remembers the article's names, or whose lexicon knows them, loses on
the copies. Reported per view:

* the counterfactual F1: micro F1 over every copy the predictions cover (their counts summed);
* Δ = article F1 − counterfactual F1, with a paired bootstrap interval: each draw takes a
  sentence of the article together with the same sentence of every covered copy, so that the
  interval reflects which sentences were drawn, not the copies' number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from zhnerbench.eval.bootstrap import Interval, Resampling, SentenceCounts, difference_interval, sentence_counts
from zhnerbench.eval.evaluation import Evaluation, SentenceLocator, view_spans
from zhnerbench.formats.prediction_files import Predictions
from zhnerbench.eval.relations import relation_sentence_counts
from zhnerbench.document import Document, PredictedRelation, Span
from zhnerbench.views import View


@dataclass(frozen=True)
class CounterfactualScore:
    """One view's scores on the article and on the copies the predictions cover."""

    copies: int
    article_f1: float
    counterfactual_f1: float
    delta_ci: Interval

    @property
    def delta(self) -> float:
        return self.article_f1 - self.counterfactual_f1


def document_counts(document: Document, predictions: Predictions, view: View) -> SentenceCounts:
    """Per-sentence counts of one document's predictions in ``view`` (as the evaluation counts them)."""
    gold_groups, predicted_groups = view_spans([document], predictions, view)
    locate = SentenceLocator([document])

    def entities(groups: Sequence[Sequence[Span]]) -> set[tuple[int, str, int, int]]:
        return {(locate(0, span), span.label, span.start, span.end) for span in groups[0]}

    return sentence_counts(entities(gold_groups), entities(predicted_groups), len(document.sentences), view.labels)


def summed(counts: Sequence[SentenceCounts]) -> SentenceCounts:
    """The counts of several copies of one document, sentence by sentence.

    >>> a = sentence_counts({(0, "PER", 0, 1)}, set(), 2, ["PER"])
    >>> summed([a, a]).gold.tolist()
    [[2], [0]]
    """
    first = counts[0]
    return SentenceCounts(first.labels, *(np.sum([getattr(c, name) for c in counts], axis=0)
                                          for name in ("correct", "predicted", "gold")))


def counterfactual_score(article: Document, copies: Sequence[Document], predictions: Predictions, view: View,
                         resampling: Resampling = Resampling()) -> CounterfactualScore | None:
    """``view``'s scores on the article and on the ``copies`` the predictions cover; ``None``
    when they cover none."""
    covered = [copy for copy in copies if copy.id in predictions.spans]
    if not covered or article.id not in predictions.spans:
        return None
    on_article = document_counts(article, predictions, view)
    on_copies = summed([document_counts(copy, predictions, view) for copy in covered])
    return CounterfactualScore(len(covered), on_article.total().f1, on_copies.total().f1,
                               difference_interval(on_article, on_copies, resampling))


def counterfactual_scores(evaluation: Evaluation, copies: Sequence[Document],
                          resampling: Resampling = Resampling()) -> Mapping[str, CounterfactualScore]:
    """:func:`counterfactual_score` in every view of an evaluation of the article (empty when
    the predictions cover no copy)."""
    article = evaluation.documents[0]
    scores = {}
    for name, result in evaluation.views.items():
        score = counterfactual_score(article, copies, evaluation.predictions, result.view, resampling)
        if score is not None:
            scores[name] = score
    return scores


def relation_counterfactual_score(article: Document, copies: Sequence[Document],
                                  relations: Mapping[str, Sequence[PredictedRelation]],
                                  resampling: Resampling = Resampling()) -> CounterfactualScore | None:
    """Strict relation F1 on the article and on the ``copies`` ``relations`` covers, and Δ with
    a paired bootstrap over sentences (each relation counted in one sentence:
    :func:`~zhnerbench.eval.relations.relation_sentence_counts`); ``None`` without copies."""
    covered = [copy for copy in copies if copy.id in relations]
    if not covered or article.id not in relations:
        return None
    on_article = relation_sentence_counts(article, relations[article.id])
    on_copies = summed([relation_sentence_counts(copy, relations[copy.id]) for copy in covered])
    return CounterfactualScore(len(covered), on_article.total().f1, on_copies.total().f1,
                               difference_interval(on_article, on_copies, resampling))


def counterfactual_json(score: CounterfactualScore) -> dict[str, object]:
    """One view's counterfactual scores as ``--json`` and the records store them.

    >>> counterfactual_json(CounterfactualScore(20, 0.9, 0.8, Interval(0.05, 0.15)))["delta"]
    0.1
    """
    return {"copies": score.copies, "article_f1": score.article_f1, "counterfactual_f1": score.counterfactual_f1,
            "delta": round(score.delta, 12), "delta_ci": [score.delta_ci.low, score.delta_ci.high]}


def counterfactual_report(scores: Mapping[str, CounterfactualScore]) -> str:
    """The text report's counterfactual section ("" when the predictions cover no copy).

    >>> print(counterfactual_report({"coarse": CounterfactualScore(20, 0.9, 0.8, Interval(0.05, 0.15))}), end="")
    <BLANKLINE>
    Counterfactual copies (persons and places replaced; 20 copies):
      coarse     F1 article 0.900  copies 0.800  Δ +0.100 [+0.050, +0.150]
    """
    if not scores:
        return ""
    copies = next(iter(scores.values())).copies
    lines = ["", f"Counterfactual copies (persons and places replaced; {copies} copies):"]
    for view, score in scores.items():
        lines.append(f"  {view:<10} F1 article {score.article_f1:.3f}  copies {score.counterfactual_f1:.3f}  "
                     f"Δ {score.delta:+.3f} [{score.delta_ci.low:+.3f}, {score.delta_ci.high:+.3f}]")
    return "\n".join(lines) + "\n"
