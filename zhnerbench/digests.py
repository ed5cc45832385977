"""SHA-256 digests of text, the one definition: bare hex (the article's recorded digest, cache
keys) or tagged with the algorithm (digests stored in records and metadata)."""

from __future__ import annotations

import hashlib


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text``'s UTF-8 bytes, in hex.

    >>> sha256_hex("")[:16]
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tagged_sha256(text: str) -> str:
    """:func:`sha256_hex` prefixed with ``sha256:``, as records store digests.

    >>> tagged_sha256("")[:20]
    'sha256:e3b0c44298fc1'
    """
    return "sha256:" + sha256_hex(text)
