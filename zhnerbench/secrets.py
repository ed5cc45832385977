"""Keeping secrets out of everything the project writes or prints.

An endpoint URL may carry a user and password (``http://user:PASSWORD@host/v1``) or a key in
its query (``?api-key=...``); an API key comes from the environment; a server may echo either
in an error body. A URL is shown and stored only as :func:`public_url` (scheme, host, port and
path), and any text that reaches a record, a reason, a cache key, the board, a log or a message
goes through :func:`scrub` with every secret the caller knows. A path names the user's home
folder as ``~`` (:func:`without_home`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

MASK = "***"
#: A URL's user information (``user:password@``), wherever it appears in a text.
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
#: A URL's query string, wherever it appears in a text.
_QUERY = re.compile(r"(?<=[\w/.-])\?[^\s'\"<>]*[^\s'\"<>:,;.)\]]")


def public_url(url: str) -> str:
    """``url`` as scheme://host:port/path: no user, password, query or fragment.

    >>> public_url("http://me:s3cret@127.0.0.1:8000/v1?api-key=k#x")
    'http://127.0.0.1:8000/v1'
    >>> public_url("https://[::1]/v1/")
    'https://[::1]/v1/'
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # not a URL one can show safely
        return MASK
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path}"


def url_secrets(url: str | None) -> list[str]:
    """The parts of ``url`` that may be secret: its user, password, query and query values.

    >>> url_secrets("http://me:s3cret@host/v1?key=abc")
    ['me', 's3cret', 'key=abc', 'abc']
    """
    if not url:
        return []
    try:
        parts = urlsplit(url)
        found = [parts.username or "", parts.password or "", parts.query]
        found += [value for _, value in parse_qsl(parts.query, keep_blank_values=True)]
    except ValueError:
        return [url]
    return [secret for secret in dict.fromkeys(found + [unquote(s) for s in found]) if secret]


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret masked, and the user information and query of any URL in it.

    >>> scrub("401 for http://me:pw@host/v1?k=1: bad key sk-abcdef", ["sk-abcdef"])
    '401 for http://***@host/v1***: bad key ***'
    """
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(MASK + "@", text)
    return _QUERY.sub(MASK, text)


def without_home(text: str, home: str | None = None) -> str:
    """``text`` with the user's home folder (``home``, by default this user's) as ``~`` wherever a
    path in it starts there; nothing replaced when the home is the root (``HOME=/`` in
    containers), where every path would start there.

    >>> without_home("/home/me/models/m: not found; /home/me and /home/meg", "/home/me")
    '~/models/m: not found; ~ and /home/meg'
    >>> without_home("/models/m", "/")
    '/models/m'
    """
    home = (str(Path.home()) if home is None else home).rstrip("/")
    if not home:
        return text
    return re.sub(re.escape(home) + r"(?![^/\s'\"),:;\]])", "~", text)
