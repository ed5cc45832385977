"""Where trained baseline models live: a user cache directory, never the repository.

A model's directory is keyed by everything that determines it (system, training
settings, library version, data checksum), so changing any of them trains anew
and an unchanged configuration reuses the model.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Mapping

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


def read_metadata(directory: Path) -> dict[str, Any] | None:
    """The model's ``metadata.json``, or ``None`` when the model is absent or incomplete."""
    path = directory / "metadata.json"
    if not path.is_file():
        return None
    metadata: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return metadata


def write_metadata(directory: Path, metadata: Mapping[str, Any]) -> None:
    """Written last, so its presence means the model is complete."""
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / "metadata.json.tmp"
    temporary.write_text(json.dumps(dict(metadata), ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    temporary.replace(directory / "metadata.json")
