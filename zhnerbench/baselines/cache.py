"""Where trained baseline models live: a user cache directory, never the repository.

A model's directory is keyed by everything that determines it (system, training
settings, library version, data checksum), so changing any of them trains anew
and an unchanged configuration reuses the model. Its ``metadata.json`` records the
SHA-256 of every file: a truncated or damaged model is found before it is used, and
trained again with a warning instead of failing (or, worse, predicting garbage).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Mapping

from zhnerbench.digests import tagged_sha256

CACHE_ENV = "ZHNERBENCH_CACHE"


def cache_root() -> Path:
    """``$ZHNERBENCH_CACHE``, else ``$XDG_CACHE_HOME/zhnerbench``, else ``~/.cache/zhnerbench``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "zhnerbench"


def cache_key(system: str, settings: Mapping[str, Any], data_checksum: str) -> str:
    """A short stable key for one trained model.

    >>> cache_key("x", {"epochs": 1}, "abc") == cache_key("x", {"epochs": 1}, "abc")
    True
    >>> cache_key("x", {"epochs": 1}, "abc") == cache_key("x", {"epochs": 2}, "abc")
    False
    """
    payload = json.dumps({"system": system, "settings": dict(settings), "data": data_checksum}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def model_dir(system: str, settings: Mapping[str, Any], data_checksum: str) -> Path:
    """The cache directory of one trained model (not created here)."""
    return cache_root() / "models" / f"{system}-{cache_key(system, settings, data_checksum)}"


METADATA = "metadata.json"


def file_digests(directory: Path) -> dict[str, str]:
    """SHA-256 of every file of a model directory but its metadata, by relative path."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name not in (METADATA, f"{METADATA}.tmp")
    }


def read_metadata(directory: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The cached model's metadata, or why the cache cannot be trusted.

    Returns ``(None, None)`` when there is no complete model (``metadata.json`` is
    written last), ``(None, problem)`` when the entry is corrupt (unreadable metadata,
    a file missing or changed since it was trained), else ``(metadata, None)``. Entries
    written before digests were recorded are checked by loading them.
    """
    path = directory / METADATA
    if not path.is_file():
        return None, None
    try:
        metadata = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, f"{METADATA} is unreadable ({str(error)[:60]})"
    if not isinstance(metadata, dict):
        return None, f"{METADATA} is not an object"
    digest = metadata.get(METADATA_DIGEST)
    if digest is not None and digest != metadata_digest(metadata):
        # Its scores and settings are what the board shows: a hand edit must not pass as the training run's.
        return None, f"{METADATA} changed since the model was trained (its digest differs)"
    expected = metadata.get("files")
    if isinstance(expected, dict):
        actual = file_digests(directory)
        missing = sorted(set(expected) - set(actual))
        changed = sorted(name for name in set(expected) & set(actual) if expected[name] != actual[name])
        if missing or changed:
            what = [f"{name} is missing" for name in missing[:2]] + [f"{name} changed" for name in changed[:2]]
            return None, ", ".join(what) + (" ..." if len(missing) + len(changed) > 2 else "")
    return metadata, None


#: The key of ``metadata.json``'s digest of its own content.
METADATA_DIGEST = "digest"


def metadata_digest(metadata: Mapping[str, Any]) -> str:
    """The digest of a model's metadata (its scores, settings and file digests), itself left out.

    >>> metadata_digest({"a": 1, "digest": "x"}) == metadata_digest({"a": 1})
    True
    """
    content = {key: value for key, value in metadata.items() if key != METADATA_DIGEST}
    return tagged_sha256(json.dumps(content, ensure_ascii=False, sort_keys=True))


def sealed(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """``metadata`` with its digest (what :func:`read_metadata` checks)."""
    return {**dict(metadata), METADATA_DIGEST: metadata_digest(metadata)}


def write_metadata(directory: Path, metadata: Mapping[str, Any]) -> None:
    """Written last, with the digests of the model's files and its own, so its presence means the
    model is complete."""
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f"{METADATA}.tmp"
    complete = sealed({**dict(metadata), "files": file_digests(directory)})
    temporary.write_text(json.dumps(complete, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    temporary.replace(directory / METADATA)
