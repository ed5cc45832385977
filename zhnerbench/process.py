"""How a ``zhnerbench`` process ends: Ctrl-C, SIGTERM and deadlines end it at once, whole.

Python runs signal handlers in the main thread only, and only between bytecodes; it waits for
every non-daemon thread before it exits. A command waiting on a server that never answers, on
a tagger stuck in its own code or on worker threads would then outlive the signal or the
deadline that should end it. So a command run as a process (:func:`run_as_process`):

* turns SIGTERM into :class:`Terminated`, raised in the main thread like Ctrl-C's
  ``KeyboardInterrupt`` (it is one), so that every cleanup Ctrl-C runs runs for it too;
* watches for both signals in a thread of its own (Python's wakeup file descriptor): if the
  command has not ended :data:`GRACE_SECONDS` after one (its main thread is blocked in C code,
  or joining threads), the watcher prints the command's one line and ends the process;
* ends without waiting for threads when a signal came or any thread is still alive (requests,
  a tagger's worker, an executor's thread, which Python would join at exit even when it is a
  daemon): abandoned, not joined.

Before any such hard exit, the writes in progress finish and no other starts
(:func:`~zhnerbench.writing.stop_writing`): nothing is left half written.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from zhnerbench.writing import stop_writing

#: Exit statuses of the shell's conventions: SIGINT (Ctrl-C) and SIGTERM.
INTERRUPTED, TERMINATED = 130, 143
#: How long after Ctrl-C or SIGTERM the command has to end by itself before the process ends anyway.
GRACE_SECONDS = 1.0
#: How long an ending process waits for a file write in progress.
WRITE_WAIT_SECONDS = 0.8


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread: handled wherever Ctrl-C is."""


def ending(error: KeyboardInterrupt) -> tuple[int, str]:
    """The exit status and the words of an interruption.

    >>> ending(Terminated()), ending(KeyboardInterrupt())
    ((143, 'terminated'), (130, 'interrupted'))
    """
    return (TERMINATED, "terminated") if isinstance(error, Terminated) else (INTERRUPTED, "interrupted")


def interruption_line(command: str, error: KeyboardInterrupt) -> str:
    """The one line a command prints when a signal ends it.

    >>> interruption_line("tag", Terminated())
    'zhnerbench tag: terminated; files are written whole or not at all'
    """
    return f"zhnerbench {command}: {ending(error)[1]}; files are written whole or not at all"


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


class CommandProcess:
    """The signals and the end of one command run as a process (see the module doc)."""

    def __init__(self) -> None:
        self.command = ""
        self.signalled: KeyboardInterrupt | None = None
        self._finished = threading.Event()
        self._said = False
        self._saying = threading.Lock()
        self._watcher: threading.Thread | None = None

    def install(self) -> None:
        """Handle SIGINT and SIGTERM (where they are not ignored, as in a background job) and
        start the watcher. Call it from the main thread. Where the platform has no wakeup file
        descriptor for pipes, signals are handled without the watcher."""
        try:
            read, write = os.pipe()
            os.set_blocking(write, False)
            signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        except (OSError, ValueError, AttributeError):
            read = -1
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
            signal.signal(signal.SIGTERM, _raise_terminated)
        if read >= 0:
            self._watcher = threading.Thread(target=self._watch, args=(read,), name="signal watcher", daemon=True)
            self._watcher.start()

    def say(self, line: str) -> None:
        """Print the command's last line, once, whoever ends it (the command or the watcher)."""
        with self._saying:
            if self._said:
                return
            self._said = True
        try:
            print(line, file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass

    def _watch(self, read: int) -> None:
        while True:
            try:
                received = os.read(read, 64)
            except OSError:
                return
            if not received:
                return
            caught = [number for number in received if number in (signal.SIGINT, signal.SIGTERM)]
            if not caught:
                continue
            error: KeyboardInterrupt = Terminated() if caught[0] == signal.SIGTERM else KeyboardInterrupt()
            self.signalled = self.signalled or error
            if self._finished.wait(GRACE_SECONDS):
                return
            # The command did not end by itself: its main thread is stuck (C code, a join). On a
            # line of its own: a progress bar may have been left mid-line.
            self.say("\n" + interruption_line(self.command or "?", self.signalled))
            self.exit_now(ending(self.signalled)[0])

    def exit_now(self, status: int) -> None:
        """End the process with ``status`` at once, once the writes in progress are done."""
        stop_writing(WRITE_WAIT_SECONDS)
        try:  # stdout is not flushed: it may be a pipe nobody reads, and the command flushed it when it ended
            if sys.stderr is not None:
                sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os._exit(status)

    def finish(self, status: int) -> int:
        """After the command returned ``status``: end the process at once if a signal came or a
        thread is still alive (Python could wait for it); else return ``status``."""
        self._finished.set()
        alive = [thread for thread in threading.enumerate()
                 if thread not in (threading.main_thread(), self._watcher) and thread.is_alive()]
        if self.signalled is None and not alive:
            return status
        if self.signalled is None:
            try:  # what Python does at exit (after a signal the output is cut anyway: not waited for)
                if sys.stdout is not None:
                    sys.stdout.flush()
            except (OSError, ValueError):
                pass
        self.exit_now(status)
        return status  # not reached


def run_as_process(command: Callable[[CommandProcess], int]) -> int:
    """Run ``command`` as the process's whole job (see the module doc); returns its status when
    the process may end the usual way."""
    process = CommandProcess()
    process.install()
    return process.finish(command(process))
