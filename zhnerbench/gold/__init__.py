"""The gold's one home: the article and its segmentation (:mod:`~zhnerbench.gold.article`,
:mod:`~zhnerbench.gold.segmentation`), the annotation files and every check of them
(:mod:`~zhnerbench.gold.annotation_files`), the agreement of the double annotation
(:mod:`~zhnerbench.gold.agreement`), the ``documents`` format's codec
(:mod:`~zhnerbench.gold.codec`, shared with the prediction reader) and :func:`load_gold`, the one
way to load gold: the benchmark's, or any corpus a prediction file is scored against.
"""

from zhnerbench.gold.loading import load_gold

__all__ = ["load_gold"]
