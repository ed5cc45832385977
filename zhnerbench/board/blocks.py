"""Generated blocks in the project's Markdown files: the text between ``<!-- generated:NAME -->``
and ``<!-- /generated:NAME -->`` is code's, the rest is prose."""

from __future__ import annotations

import re

from zhnerbench.exceptions import GoldDataError, Problem
from zhnerbench.paths import README_FILE

def replace_block(text: str, name: str, content: str, file: str = README_FILE) -> str:
    r"""``text`` with the block ``<!-- generated:NAME -->`` … ``<!-- /generated:NAME -->`` set to ``content``.

    >>> replace_block("a\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nb", "x", "new")
    'a\n<!-- generated:x -->\nnew\n<!-- /generated:x -->\nb'
    """
    pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- /generated:{name} -->)", re.DOTALL)
    if not pattern.search(text):
        raise GoldDataError(
            [Problem(file, None, f"missing the block <!-- generated:{name} --> … <!-- /generated:{name} -->")]
        )
    return pattern.sub(lambda m: m.group(1) + content + "\n" + m.group(2), text, count=1)
