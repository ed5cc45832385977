"""The corpus: the article text and its lines, roles and sentences (``zhnerbench.corpus``)."""
