"""Files in and out: the prediction formats ``zhnerbench evaluate`` reads and the tools write
(one module each: ``documents``, ``conll``, ``sentences``, ``docred``; found by
:mod:`zhnerbench.formats.registry`), and the gold's exports (``brat``, ``cluener``,
``spacy_docbin``, DocRED's layout in ``docred``)."""
