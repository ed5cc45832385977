"""From a model's own tag set to the schema's labels: presets, a user's label-map file, fair views.

A pretrained model brings its tag set (``B-GPE``, ``B-PER``, ``B-nr``, ``B-company``...).
:func:`choose_label_map` strips the BIO/BIOES/BMES prefixes, finds the preset that
covers the model's types and returns its mapping; ``--label-map FILE`` (a JSON object
``{"model type": "SCHEMA_LABEL"}``) replaces the presets. Types a mapping does not cover
are not predicted (the adapter says which).

=================  ===========================================================================
preset             mapping
=================  ===========================================================================
``ontonotes``      the 18 OntoNotes 5.0 types and TITLE, as they are (``GPE``, ``WORK_OF_ART``...)
``msra``           MSRA / People's Daily types: ``PER`` → PERSON, ``LOC`` → GPE, ``ORG`` → ORG
                   (also ``PERSON``/``LOCATION``/``ORGANIZATION`` spellings)
``pos``            People's Daily part-of-speech names: ``nr`` → PERSON, ``ns`` → GPE, ``nt`` → ORG
``cluener``        CLUENER 2020: ``name`` → PERSON, ``position`` → TITLE, ``government``,
                   ``company``, ``organization`` → ORG, ``address`` → GPE, ``book``,
                   ``movie``, ``game`` → WORK_OF_ART, ``scene`` → FAC
=================  ===========================================================================

CLUENER's ``address`` covers provinces and cities (GPE) as well as streets and buildings,
``scene`` scenic spots (FAC or LOC), and ``game`` titles of games: the mapping takes the
most frequent reading, and the ``coarse`` view (where GPE, LOC and FAC are all LOC) is where
such a system is fairly compared.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.schema import ENTITY_LABELS
from zhnerbench.views import VIEWS

PRESETS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "ontonotes": {label: label for label in ENTITY_LABELS},
    "msra": {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "PERSON": "PERSON", "LOCATION": "GPE",
             "ORGANIZATION": "ORG"},
    "pos": {"nr": "PERSON", "ns": "GPE", "nt": "ORG"},
    "cluener": {"name": "PERSON", "position": "TITLE", "government": "ORG", "company": "ORG", "organization": "ORG",
                "address": "GPE", "book": "WORK_OF_ART", "movie": "WORK_OF_ART", "game": "WORK_OF_ART",
                "scene": "FAC"},
})
_PREFIX = re.compile(r"^(?:[BIESMLU])[-_]")
#: The views a system is scored in when it can predict every label of them.
FAIR_VIEWS: tuple[str, ...] = ("full", "ontonotes", "coarse")


def entity_type(tag: str) -> str | None:
    """The entity type of a tag, ``None`` for ``O``.

    >>> entity_type("B-GPE"), entity_type("S_nr"), entity_type("O"), entity_type("company")
    ('GPE', 'nr', None, 'company')
    """
    if tag in ("O", ""):
        return None
    return _PREFIX.sub("", tag)


def entity_types(tags: Iterable[str]) -> tuple[str, ...]:
    """The distinct entity types of a tag set, in first-seen order.

    >>> entity_types(["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
    ('PER', 'LOC')
    """
    return tuple(dict.fromkeys(t for t in (entity_type(tag) for tag in tags) if t is not None))


def choose_label_map(types: Collection[str], given: Mapping[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """The name and mapping for a model's types: ``given`` if any, else the preset that covers
    the most of them (an error when none covers any).

    >>> choose_label_map(["PER", "LOC", "ORG"])
    ('msra', {'PER': 'PERSON', 'LOC': 'GPE', 'ORG': 'ORG'})
    >>> choose_label_map(["name", "position", "company"])[0]
    'cluener'
    """
    if given is not None:
        return "label map file", {t: given[t] for t in types if t in given}
    best, covered = "", 0
    for name, preset in PRESETS.items():
        count = sum(1 for t in types if t in preset)
        if count > covered:
            best, covered = name, count
    if not covered:
        raise ZhNerBenchError(f"no label preset knows the model's types {', '.join(sorted(types)[:8])}: "
                              "give --label-map FILE, a JSON object {\"model type\": \"SCHEMA_LABEL\"}")
    return best, {t: PRESETS[best][t] for t in types if t in PRESETS[best]}


def read_label_map(path: str | Path) -> dict[str, str]:
    """A ``--label-map`` file: a JSON object from model types to schema labels, checked.

    Problems are one-line :class:`ZhNerBenchError` s naming the file.
    """
    from zhnerbench.reading import read_config_json

    data = read_config_json(path, "label map")
    if not isinstance(data, dict) or not data:
        raise ZhNerBenchError(f"{path}: a label map is a non-empty JSON object {{\"model type\": \"SCHEMA_LABEL\"}}")
    for key, value in data.items():
        if value not in ENTITY_LABELS:
            raise ZhNerBenchError(f"{path}: {key!r} maps to {value!r}, which is not a schema label "
                                  f"({' '.join(ENTITY_LABELS)})")
    return dict(data)


def fair_views(labels: Iterable[str]) -> tuple[str, ...]:
    """The views whose every label the system can predict (scored in others, it would lose
    points for types it was never trained on).

    >>> fair_views(["PERSON", "GPE", "ORG"]), fair_views(list(PRESETS["ontonotes"]))
    (('coarse',), ('full', 'ontonotes', 'coarse'))
    >>> fair_views(["DATE"])
    ()
    """
    predicted = set(labels)
    views = []
    for name in FAIR_VIEWS:
        view = VIEWS[name]
        reachable = {view.mapping[label] for label in predicted if label in view.mapping}
        if set(view.labels) <= reachable:
            views.append(name)
    return tuple(views)


def views_for(labels: Iterable[str]) -> tuple[str, ...]:
    """The views a system predicting ``labels`` is scored in: the fair ones, or, when it can
    predict no view's every label, the flat views that keep every label it predicts.

    >>> views_for(["PERSON", "GPE", "ORG"]), views_for(["TITLE", "ORG"])
    (('coarse',), ('full',))
    """
    chosen = set(labels)
    return fair_views(chosen) or tuple(name for name, view in VIEWS.items()
                                       if view.convention == "flat" and chosen <= set(view.mapping))
