"""Writing output files safely: whole or not at all, never over what the user did not ask for.

* :func:`write_atomically` replaces one file in one step (readers never see half a file).
* :func:`write_all` replaces several files as one transaction, with a journal: a process
  killed before the commit point changed nothing, one killed after it is completed by the
  next :func:`recover`. Either way the files are all old or all new.
* :func:`exclusive` keeps two commands from writing the same files at once.
* :func:`check_output` is the policy for the files a user names (``--json``, ``export OUT``):
  a regular file or a new path, never a special file, a symbolic link, a file git tracks in
  the checkout, anything under ``.git`` or the folders holding the gold.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path, PurePosixPath

from zhnerbench.exceptions import ZhNerBenchError
from zhnerbench.paths import PROTECTED_FOLDERS
from zhnerbench.reading import loads_unique

#: Suffix of the new contents a transaction writes next to their targets before renaming them.
PENDING_SUFFIX = ".zhnerbench-pending"
JOURNAL_NAME = ".zhnerbench-transaction.json"
LOCK_NAME = ".zhnerbench.lock"


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _failure(path: Path, error: OSError) -> ZhNerBenchError:
    return ZhNerBenchError(f"cannot write {path}: {error.strerror or error}")


def _write_new(path: Path, content: bytes) -> None:
    """Write ``content`` to the new file ``path`` and flush it to disk (it is renamed into place later)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _default_file_mode())
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())


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
        raise _failure(path, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        # mkstemp creates the file 0600; published files get the usual permissions.
        os.chmod(temporary, _default_file_mode())
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise _failure(path, error) from None
    except BaseException:
        os.unlink(temporary)
        raise


def _pending(path: Path) -> Path:
    return path.with_name(f".{path.name}{PENDING_SUFFIX}")


def inside(root: Path, relative: str, source: Path) -> Path:
    """``root / relative`` when ``relative`` is a relative path that stays inside ``root`` and
    passes through no symbolic link below it; else one line naming ``source`` (a journal or
    record that listed it). Paths read back from files are data, not instructions.

    >>> inside(Path("/tmp"), "a/b.json", Path("j"))
    PosixPath('/tmp/a/b.json')
    >>> inside(Path("/tmp"), "../etc/passwd", Path("j"))
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.ZhNerBenchError: j: lists '../etc/passwd', which is not a path inside /tmp; it is refused
    """
    pure = PurePosixPath(relative)
    if not relative or pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or "\\" in relative \
            or "\0" in relative:
        raise ZhNerBenchError(f"{source}: lists {relative[:80]!r}, which is not a path inside {root}; it is refused")
    current = root
    for part in pure.parts:
        current = current / part
        if current.is_symlink():
            raise ZhNerBenchError(f"{source}: {current} is a symbolic link; zhnerbench never writes or deletes "
                                  "through one (replace it with a real folder or file)")
    return current


def _relative(path: Path, root: Path) -> str:
    """``path`` relative to the transaction's folder, checked as :func:`recover` will check it."""
    try:
        relative = path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        raise AssertionError(f"{path} is outside the transaction's folder {root}") from None  # a caller's bug
    inside(root, relative, path)
    return relative


def _plan(files: Mapping[Path, bytes | None], committed: bool, root: Path) -> bytes:
    # Paths relative to the journal's folder: a journal is data, never a list of places to write.
    return json.dumps({
        "committed": committed,
        "replace": [_relative(path, root) for path, content in files.items() if content is not None],
        "delete": [_relative(path, root) for path, content in files.items() if content is None],
    }, ensure_ascii=False).encode("utf-8")


def _write_journal(journal: Path, files: Mapping[Path, bytes | None], committed: bool) -> None:
    """Replace the journal in one step, through a pending file of a known name (which
    :func:`recover` removes if a kill leaves it behind)."""
    _write_new(_pending(journal), _plan(files, committed, journal.parent))
    os.replace(_pending(journal), journal)


def holds(path: Path, content: bytes | None) -> bool:
    """Whether ``path`` already is what it should be (absent for ``None``): what a writer of
    several files compares with, so that an unchanged file is not written again.

    >>> holds(Path("/dev/zero"), b"")  # only a regular file of the right size is read
    False
    """
    if content is None:
        return not path.exists()
    try:  # a FIFO or device put there must not block or exhaust the run
        return path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content
    except OSError:
        return False


def write_all(files: Mapping[Path, bytes | None], journal: Path) -> None:
    """Write every file of ``files`` (``None``: delete it) as one transaction.

    The journal is written first, uncommitted, listing the pending files; then the
    pending files; then the journal is marked committed (one atomic rename: the commit
    point); then the pending files are renamed over their targets and the journal
    removed. :func:`recover` finishes a committed transaction and discards an
    uncommitted one, so a kill at any moment leaves the files all old or all new.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_all({folder / "a.txt": b"a", folder / "b.txt": b"b"}, folder / JOURNAL_NAME)
    >>> write_all({folder / "a.txt": b"A", folder / "b.txt": None}, folder / JOURNAL_NAME)
    >>> sorted(path.name for path in folder.iterdir()), (folder / "a.txt").read_bytes()
    (['a.txt'], b'A')
    """
    if not files:
        return
    try:
        journal.parent.mkdir(parents=True, exist_ok=True)
        _write_journal(journal, files, committed=False)
        for path, content in files.items():
            if content is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_new(_pending(path), content)
        _write_journal(journal, files, committed=True)
    except BaseException as error:
        _discard(files)
        _pending(journal).unlink(missing_ok=True)
        journal.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise ZhNerBenchError(f"cannot write the results: {error.strerror or error}; nothing was changed") from None
        raise
    # Committed: from here on, a failure is completed by recover(), never undone.
    _apply(_checked_plan(journal))
    journal.unlink()


def _discard(files: Mapping[Path, bytes | None]) -> None:
    for path, content in files.items():
        if content is not None:
            with contextlib.suppress(OSError):  # its folder may be what failed
                _pending(path).unlink(missing_ok=True)


def _checked_plan(journal: Path) -> tuple[bool, list[Path], list[Path]]:
    """A journal's commit flag, targets to replace and targets to delete, every path checked
    (:func:`inside`) before anything is touched."""
    try:
        plan = loads_unique(journal.read_text(encoding="utf-8"))
        committed, replace, delete = plan["committed"], plan["replace"], plan["delete"]
        if not (isinstance(committed, bool) and all(isinstance(p, str) for p in [*replace, *delete])):
            raise TypeError("unexpected types")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ZhNerBenchError(f"{journal}: an interrupted write left an unreadable journal ({error}); "
                              "check the files it wrote with `git status`, then delete it") from None
    root = journal.parent
    return committed, [inside(root, p, journal) for p in replace], [inside(root, p, journal) for p in delete]


def journal_problem(journal: Path) -> str | None:
    """Why a pending journal cannot be completed by the next run (it is unreadable, or names a
    path outside its folder), or ``None`` when it can."""
    try:
        _checked_plan(journal)
    except ZhNerBenchError as error:
        return str(error)
    return None


def _apply(plan: tuple[bool, list[Path], list[Path]]) -> None:
    _, replace, delete = plan
    for target in replace:
        if _pending(target).exists():
            os.replace(_pending(target), target)
    for target in delete:
        target.unlink(missing_ok=True)


def recover(journal: Path) -> bool:
    """Finish the transaction a killed process committed, or discard the one it had not
    committed (its pending files). Returns whether there was one to finish or discard."""
    _pending(journal).unlink(missing_ok=True)  # a journal killed while being written: nothing was committed
    if not journal.is_file():
        return False
    plan = _checked_plan(journal)
    if plan[0]:
        _apply(plan)
    else:
        for target in plan[1]:
            _pending(target).unlink(missing_ok=True)
    journal.unlink()
    return True


@contextlib.contextmanager
def exclusive(lock: Path, what: str) -> Iterator[None]:
    """Hold the lock file ``lock`` for the block; if another process holds it, fail at once."""
    from filelock import FileLock, Timeout

    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        # filelock reports a lock it cannot create (a read-only checkout, a directory in its
        # place) as held by another process: open it first to say what is wrong.
        os.close(os.open(lock, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as error:
        raise ZhNerBenchError(f"cannot write {what}: cannot create the lock file {lock} "
                              f"({error.strerror or error})") from None
    try:
        with FileLock(str(lock), timeout=0):
            yield
    except Timeout:
        raise ZhNerBenchError(f"another zhnerbench command is writing {what} (lock {lock}); "
                              "try again when it has finished") from None


@cache
def tracked_files(root: Path) -> frozenset[Path]:
    """The files git tracks in the checkout at ``root`` (empty when git or the checkout is absent)."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(_resolved(root / name) for name in listed.stdout.decode("utf-8", "replace").split("\0") if name)


def _resolved(path: Path) -> Path:
    """``path`` with its symlinks resolved, or as it is where they cannot be (a loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def check_output(path: Path, root: Path | None, inputs: Sequence[Path] = (), command: str = "evaluation",
                 directory: bool = False) -> None:
    """Refuse an output path the user cannot have meant to overwrite (see the module doc).

    >>> check_output(Path("/tmp/out.json"), None)
    >>> check_output(Path("/dev/null"), None)
    Traceback (most recent call last):
    ...
    zhnerbench.exceptions.ZhNerBenchError: refusing to write /dev/null: it is a device, not a regular file
    """
    if path.is_symlink():
        raise ZhNerBenchError(f"refusing to write {path}: it is a symbolic link; give the path of a regular file")
    if path.exists():
        mode = path.stat().st_mode
        if directory and not stat.S_ISDIR(mode):
            raise ZhNerBenchError(f"refusing to write {path}: {command} writes a directory, and this is not one")
        if not directory and not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
                else "a FIFO" if stat.S_ISFIFO(mode) else "a special file"
            raise ZhNerBenchError(f"refusing to write {path}: it is {kind}, not a regular file")
    target = path.resolve()
    for source in inputs:
        if target == _resolved(source):
            raise ZhNerBenchError(f"refusing to write {path}: it is an input file")
    if root is None:
        return
    root = root.resolve()
    if target.is_relative_to(root / ".git") or ".git" in target.parts:
        raise ZhNerBenchError(f"refusing to write {path}: it is inside a .git directory")
    for folder in PROTECTED_FOLDERS:
        if target.is_relative_to(root / folder):
            raise ZhNerBenchError(f"refusing to write {path}: {command} never writes under {folder}/")
    if target in tracked_files(root):
        raise ZhNerBenchError(f"refusing to write {path}: git tracks it in the checkout; write elsewhere")
