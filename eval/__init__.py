"""The scorer (``zhnerbench.eval``): prediction files against the gold, ``zhnerbench evaluate``.

One module per concern, each a set of small pure functions:

* ``tags``: spans <-> IOB2 / IOBES / BMES tags, per sequence and per document
  sentence; ``sentence_id``.
* ``offsets``: document <-> sentence-local offsets; word tokens -> characters.
* ``views``: the label views (``full``, ``ontonotes``, ``coarse``) as one table.
* ``ner``: seqeval (strict IOB2) scores and the span-set scores that check them.
* ``errors_analysis``: correct / wrong type / wrong boundary / both / missed / spurious.
* ``bootstrap``: confidence intervals and the paired test, resampling sentences.
* ``relations``: document-level triples, ``strict`` and ``text`` modes, evidence.
* ``readers`` / ``writers``: the three prediction formats.
* ``evaluation``: one file scored in its views; its JSON form.
* ``report`` / ``html_page``: the printed report and the ``--html`` page.
* ``command``: the ``evaluate`` subcommand.
* ``exceptions``: ``PredictionFormatError`` and the conversion errors.

Nothing is imported here; seqeval (which brings scikit-learn) is imported when
scoring starts and spaCy only for ``--html``, so building the CLI parser stays cheap.
"""
