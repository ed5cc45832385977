"""Text from users, plugins, models and files made safe to print to a terminal or render.

A terminal acts on control characters (ESC starts a sequence that can recolour, move the cursor
or retitle the window; a carriage return overwrites the line), and a bidirectional override
(U+202E and its kin) makes text read in another order than it is stored: a label, a name or a
model's answer that carries them would print or render as something it is not. :func:`printable`
shows each such character as its Python escape instead, so it is visible and harmless.
"""

from __future__ import annotations

import re

#: C0 and C1 controls but tab and newline, DEL, the bidirectional marks, embeddings, overrides and
#: isolates, and the line and paragraph separators (which some renderers break lines at).
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_UNSAFE_IN_A_LINE = re.compile(f"[{_UNSAFE}\n]")
_UNSAFE_IN_LINES = re.compile(f"[{_UNSAFE}]")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str, lines: bool = False) -> str:
    """``text`` with every control and bidirectional-control character shown as its escape;
    newlines too, unless ``lines`` (a multi-line report).

    >>> printable("ORG\\x1b[31m\\u202eevil\\nnext")
    'ORG\\\\x1b[31m\\\\u202eevil\\\\nnext'
    >>> printable("a\\tb\\nc", lines=True)
    'a\\tb\\nc'
    """
    return (_UNSAFE_IN_LINES if lines else _UNSAFE_IN_A_LINE).sub(_escape, text)
