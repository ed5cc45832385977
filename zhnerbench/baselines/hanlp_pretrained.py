"""HanLP 2.x pretrained NER models, loaded with ``hanlp.load``.

Two models:

* ``hanlp-msra-electra-small``: ``hanlp.pretrained.ner.MSRA_NER_ELECTRA_SMALL_ZH``,
  a character-level ELECTRA tagger trained on HanLP's fine-grained MSRA corpus
  (person/location/organisation plus dates, times and numeric types);
* ``hanlp-mtl-ontonotes``: the ``ner/ontonotes`` task of
  ``hanlp.pretrained.mtl.CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH``
  (OntoNotes 5's 18 types, over HanLP's own fine tokenisation).

The weights come from HanLP's download server into ``$HANLP_HOME`` (default
``~/.hanlp``). Where the model is already there, or the server is reachable, the
adapter runs; elsewhere ``load()`` raises :class:`BaselineUnavailable` saying where to
put the archive.

MSRA fine-grained label map (HanLP's MSRA annotation; types not listed, such as
postal codes, telephone numbers or e-mail addresses, are dropped): ``PERSON ->
PERSON``, ``LOCATION -> GPE``, ``ORGANIZATION -> ORG``, ``DATE -> DATE``, ``TIME ->
TIME``, ``INTEGER/DECIMAL/FRACTION -> CARDINAL``, ``ORDINAL -> ORDINAL``,
``PERCENT/RATE -> PERCENT``, ``MONEY -> MONEY``, measures (``MEASURE, LENGTH,
WEIGHT, AREA, CAPACTITY, SPEED, TEMPERATURE, AGE, FREQUENCY``) ``-> QUANTITY``.
Because ``LOCATION`` covers GPE, LOC and FAC it is scored in the coarse view only.
OntoNotes: identity, scored in the ``ontonotes`` and ``coarse`` views.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import urllib.parse
from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from zhnerbench.baselines.base import (
    BaselineUnavailable,
    ModelTagger,
    one_line,
    require_module,
    spans_from_pieces,
    split_for_tagging,
)
from zhnerbench.document import Span
from zhnerbench.offsets import align_tokens
from zhnerbench.schema import ONTONOTES_LABELS

REQUIRES = "pip install torch==2.13.0 'zhnerbench[hanlp]' (hanlp==2.1.5), then let hanlp.load download the model"

HANLP_MSRA_LABEL_MAP: Mapping[str, str] = {
    "PERSON": "PERSON", "LOCATION": "GPE", "ORGANIZATION": "ORG", "DATE": "DATE", "TIME": "TIME",
    "INTEGER": "CARDINAL", "DECIMAL": "CARDINAL", "FRACTION": "CARDINAL", "ORDINAL": "ORDINAL",
    "PERCENT": "PERCENT", "RATE": "PERCENT", "MONEY": "MONEY",
    "MEASURE": "QUANTITY", "LENGTH": "QUANTITY", "WEIGHT": "QUANTITY", "AREA": "QUANTITY",
    "CAPACTITY": "QUANTITY", "SPEED": "QUANTITY", "TEMPERATURE": "QUANTITY", "AGE": "QUANTITY",
    "FREQUENCY": "QUANTITY",
}
ONTONOTES_IDENTITY: Mapping[str, str] = {label: label for label in ONTONOTES_LABELS}


def hanlp_home() -> Path:
    """Where HanLP keeps downloaded models: ``$HANLP_HOME`` or ``~/.hanlp``."""
    return Path(os.environ.get("HANLP_HOME") or Path.home() / ".hanlp")


def model_is_local(identifier: str, home: Path) -> bool:
    """Whether HanLP already unpacked the model ``identifier`` (a URL) somewhere under ``home``.

    >>> model_is_local("https://example.org/hanlp/ner/some_model_1.zip", Path("/nonexistent"))
    False
    """
    stem = identifier.rsplit("/", 1)[-1].removesuffix(".zip")
    return home.is_dir() and any(path.is_dir() for path in home.rglob(stem))


def download_host_reachable(identifier: str, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the model URL's host opens within ``timeout`` seconds.

    HanLP itself retries an unreachable server for about 25 s per model; this probe
    lets an offline machine skip in seconds.
    """
    url = urllib.parse.urlsplit(identifier)
    if not url.hostname:
        return True  # not a URL: let hanlp.load decide
    try:
        with socket.create_connection((url.hostname, url.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def hanlp_silenced() -> Iterator[None]:
    """Keep HanLP's console output (download progress, advice, training logs) off the terminal.

    Besides ``print``, HanLP "flashes" status lines through a printer that holds the stream it
    found at import time, so redirecting ``sys.stdout``/``sys.stderr`` alone does not catch
    them; its training loop's timers bound their default stream at import too.
    """
    from hanlp.utils import log_util, time_util

    printer = log_util._printer
    stream = printer.out
    printer.out = io.StringIO()
    printers = (log_util.ErasablePrinter.__init__, time_util.CountdownTimer.__init__)
    defaults = [function.__defaults__ for function in printers]
    for function in printers:
        function.__defaults__ = (io.StringIO(),)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        printer.out = stream
        for function, default in zip(printers, defaults, strict=True):
            function.__defaults__ = default


def load_hanlp(identifier: str) -> Any:
    """``hanlp.load(identifier)`` without its console output: a pretrained model's identifier (a
    URL, downloaded into ``$HANLP_HOME`` unless it is there) or a directory HanLP saved a model
    into (callers check that hanlp is installed)."""
    import hanlp

    local = Path(identifier).is_dir()
    name = identifier if local else identifier.rsplit("/", 1)[-1]
    if not local and not model_is_local(identifier, hanlp_home()) and not download_host_reachable(identifier):
        raise BaselineUnavailable(
            f"HanLP model {name} is not in $HANLP_HOME (default ~/.hanlp) and its download server is unreachable: {REQUIRES}"
        )
    try:
        with hanlp_silenced():
            return hanlp.load(identifier, devices=[])
    except (Exception, SystemExit) as error:
        where = "does not load" if local else "is not in $HANLP_HOME (default ~/.hanlp) and could not be downloaded"
        raise BaselineUnavailable(f"HanLP model {name} {where} ({one_line(error, 90)}): {REQUIRES}") from error


def hanlp_entities(model: Any, texts: Sequence[str]) -> list[list[Span]]:
    """The entities a HanLP character NER component finds in each text, with their native labels.

    A list of character lists is a batch to HanLP, so one entity list per text comes back.
    """
    if not texts:
        return []
    with hanlp_silenced():
        results = model([list(text) for text in texts])
    return [[Span(begin, end, kind) for _, kind, begin, end in entities] for entities in results]


class _HanlpPretrainedTagger(ModelTagger):
    """What the pretrained HanLP adapters share: ``load()`` of one model by its identifier."""

    requires = REQUIRES
    library = "hanlp"

    @abstractmethod
    def _identifier(self) -> str:
        """The model's ``hanlp.pretrained`` identifier (imports hanlp, so only called by ``load``)."""

    def _load_model(self) -> Any:
        require_module("hanlp", REQUIRES)
        return load_hanlp(self._identifier())


class HanlpMsraElectraTagger(_HanlpPretrainedTagger):
    name = "hanlp-msra-electra-small"
    native_labels: tuple[str, ...] = tuple(HANLP_MSRA_LABEL_MAP)
    label_map: Mapping[str, str] = HANLP_MSRA_LABEL_MAP
    views: tuple[str, ...] = ("coarse",)
    tags_lines_independently = True  # pieces of lines (spans_from_pieces)

    def _identifier(self) -> str:
        import hanlp.pretrained.ner

        return str(hanlp.pretrained.ner.MSRA_NER_ELECTRA_SMALL_ZH)

    def _predict(self, text: str) -> list[Span]:
        # The ELECTRA model reads at most 126 characters (its 128 positions less [CLS] and [SEP]).
        return spans_from_pieces(text, self.normalize_punctuation, lambda texts: hanlp_entities(self._model, texts),
                                 self.label_map, max_chars=126)


class HanlpMtlOntonotesTagger(_HanlpPretrainedTagger):
    name = "hanlp-mtl-ontonotes"
    native_labels: tuple[str, ...] = ONTONOTES_LABELS
    label_map: Mapping[str, str] = ONTONOTES_IDENTITY
    views: tuple[str, ...] = ("ontonotes", "coarse")

    def _identifier(self) -> str:
        import hanlp.pretrained.mtl

        return str(hanlp.pretrained.mtl.CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH)

    def _predict(self, text: str) -> list[Span]:
        source = self.source(text)
        spans: list[Span] = []
        for start, end in split_for_tagging(source, max_chars=200):
            piece = source[start:end]
            document = self._model(piece, tasks=["tok/fine", "ner/ontonotes"])
            # NER offsets are token indices over HanLP's own tokens: map them to characters.
            offsets, _ = align_tokens(document["tok/fine"], piece)
            for _, kind, first, last in document["ner/ontonotes"]:
                begin, finish = offsets[first], offsets[last - 1]
                if kind in self.label_map and last > first and begin is not None and finish is not None:
                    spans.append(Span(start + begin[0], start + finish[1], self.label_map[kind]))
        return spans
