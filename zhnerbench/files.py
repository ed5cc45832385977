"""Writing output files safely: whole or not at all, with the usual permissions."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from zhnerbench.errors import ZhNerBenchError


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, content: bytes, make_parents: bool = True) -> None:
    """Replace ``path`` with ``content`` in one step: readers never see half a file.

    Missing parent directories are created unless ``make_parents`` is false. An OS
    error (no such directory, no permission, disk full) becomes a
    :class:`ZhNerBenchError` naming the path, and no temporary file is left behind.
    """
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise ZhNerBenchError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        # mkstemp creates the file 0600; published files get the usual permissions.
        os.chmod(temporary, _default_file_mode())
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise ZhNerBenchError(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:
        os.unlink(temporary)
        raise
