"""The scorer (``zhnerbench.eval``): prediction files against the gold, ``zhnerbench evaluate``.

It imports the core vocabulary (``zhnerbench.document``, ``schemes``, ``offsets``,
``views``, ``counts``) and nothing imports it but the command line and the
leaderboard. One module per concern, each a set of small pure functions:

* ``readers``: the three prediction formats, read and checked against the gold.
* ``ner``: seqeval (strict IOB2) scores and the span-set scores that check them.
* ``partial``: the SemEval-2013 partial-match schemes, from ``nervaluate``.
* ``errors_analysis``: correct / wrong type / wrong boundary / both / missed / spurious.
* ``bootstrap``: confidence intervals and the paired test, resampling sentences.
* ``relations``: document-level triples, ``strict`` and ``text`` modes, evidence.
* ``evaluation``: one file scored in its views; its JSON form.
* ``report`` / ``html_page``: the printed report and the ``--html`` page.
* ``command``: the ``evaluate`` subcommand.

Nothing is imported here; seqeval (which brings scikit-learn) is imported when
scoring starts and spaCy only for ``--html``, so building the CLI parser stays cheap.
"""
