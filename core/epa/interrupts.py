"""Telling the user's Ctrl-C apart from a KeyboardInterrupt that a plugin raised itself.

``install()`` (run by the command line) replaces Python's SIGINT handler with one that records the signal before
raising KeyboardInterrupt, and turns SIGTERM and SIGHUP (the terminal closed, where ``nohup`` does not ignore it)
into the same: a file being written is then left as it was, not a temporary file beside it. A hook fence that
catches KeyboardInterrupt asks ``received()``: True means the user asked epa to stop (re-raise it); False means a
plugin raised it (a plugin failure). Batch workers ignore SIGINT and SIGHUP (their parent stops them), so there it
is always a plugin's.

A second SIGINT, SIGTERM or SIGHUP, the first received already, ends the process at once (``stop_now``): whatever caught
the first (a hook catching BaseException in a loop) cannot keep epa running against the user's wish.

``held()`` holds the first signal back for the length of a block (a batch's chunk written and counted as one, so
that what the interruption says was written is exact), raising it when the block ends, or HELD_AT_MOST seconds
after it came where the block is still running (a write blocked on a pipe whose reader reads no more).
"""

from __future__ import annotations

import _signal  # signal's functions, without the enums signal makes of its constants at import (0.4 ms a start)
import contextlib
import os
import sys
import threading
from typing import Any

_received = False
_stopping = False  # stop_now has begun: a signal meanwhile (a flush blocked on a full pipe) exits without it
_holding = False  # inside held(): the first signal is recorded, and raised when the block ends
_before_alarm: Any = None  # while a held signal's alarm is set: SIGALRM's handler before it (the hook fence's)
HELD_AT_MOST = 0.5  # seconds a held signal waits for its block to end (README: every process stops within a second)


def received() -> bool:
    """Whether SIGINT, SIGTERM or SIGHUP reached this process since ``install()``."""
    return _received


def _handler(signum: int, frame: Any) -> None:
    global _received
    if _received:
        stop_now("interrupted again: stopping now; the output is incomplete", 130)
    _received = True
    if not _holding:
        raise KeyboardInterrupt
    # Held: raised as the block ends, which a write to a full pipe whose reader reads no more may never do; so it is
    # raised in the block (where it is waiting) if it has not ended in HELD_AT_MOST seconds. (The block's work is then
    # not finished, and not counted: what the interruption says is still exact.)
    global _before_alarm
    if hasattr(_signal, "setitimer") and _before_alarm is None:
        _before_alarm = _signal.signal(_signal.SIGALRM, _overdue)
        _signal.setitimer(_signal.ITIMER_REAL, HELD_AT_MOST)


def _overdue(signum: int, frame: Any) -> None:
    if _holding:
        raise KeyboardInterrupt


def _no_alarm() -> None:
    """The alarm a held signal set, taken back, and SIGALRM's handler put back as it was."""
    global _before_alarm
    if _before_alarm is not None:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
        _signal.signal(_signal.SIGALRM, _before_alarm)
        _before_alarm = None


class held:
    """``with held(): ...``: a Ctrl-C or SIGTERM arriving in the block is raised as KeyboardInterrupt when it ends,
    not halfway through it unless it is still running HELD_AT_MOST seconds later; a second one still ends epa at
    once (see ``stop_now``). Where the block failed too (a write to a full disk, a reader gone), the interruption
    is raised all the same, the failure its ``__context__``: the user's stop is what epa exits with (130, README
    "Exit codes"), never hidden by what failed meanwhile. For the main thread only, where the handler runs;
    elsewhere the block runs as it is."""

    def __enter__(self) -> None:
        global _holding
        self.holding = threading.current_thread() is threading.main_thread() and not _holding
        if self.holding:
            _holding = True

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        global _holding
        if self.holding:
            _holding = False
            _no_alarm()
            if _received and (kind is None or issubclass(kind, Exception)):
                raise KeyboardInterrupt


def stop_now(line: str, code: int) -> None:
    """End the process at once with exit ``code``, saying ``line`` on standard error: for where raising cannot
    stop it (a hook that catches whatever is raised). What standard output holds is flushed first, so that
    output already written is not lost; nothing here raises, and ``os._exit`` runs no cleanup that could
    block (nor the finally blocks a hook might loop in)."""
    global _stopping
    if not _stopping:
        _stopping = True
        # (sys.stdout is stderr while a hook runs.) Closed, full, a reentrant call, a signal meanwhile: the exit
        # matters more than any of them.
        for stream in dict.fromkeys((sys.__stdout__, sys.stdout, sys.stderr)):
            with contextlib.suppress(BaseException):
                stream.flush()  # type: ignore[union-attr]  # (None, where closed: suppressed with the rest)
        with contextlib.suppress(BaseException):
            os.write(2, f"{line}\n".encode(errors="replace"))
    os._exit(code)


# SIGHUP where the system has one (not Windows): Python leaves it to end the process at once, cleaning up nothing.
HANGUP: tuple[int, ...] = (_signal.SIGHUP,) if hasattr(_signal, "SIGHUP") else ()
STOPS = (_signal.SIGINT, _signal.SIGTERM, *HANGUP)  # the signals that stop epa as the user's Ctrl-C does


def install() -> None:
    """Record SIGINT, SIGTERM and SIGHUP and raise KeyboardInterrupt for each. One the parent left ignored stays
    ignored: SIGHUP under ``nohup epa ...``, SIGINT under ``trap '' INT`` or in a script's background job (which a
    shell starts with SIGINT ignored, and Python keeps so). Only from the main thread (signal's rule)."""
    global _received
    _received = False
    if threading.current_thread() is threading.main_thread():
        for stop in STOPS:
            if _signal.getsignal(stop) != _signal.SIG_IGN:
                _signal.signal(stop, _handler)


def finished() -> None:
    """epa's work is done: its output written and flushed, its exit code decided. A stop signal from here on, as
    the interpreter exits, is ignored, so that the exit code is the command's: Python's own handler (epa's) would
    raise KeyboardInterrupt in an exit function (a traceback on standard error), and, once the interpreter has
    put back the signals' default actions in its last steps, SIGTERM would kill it (exit 143), though nothing was
    left undone. Only from the main thread."""
    if threading.current_thread() is threading.main_thread():
        for stop in STOPS:
            if _signal.getsignal(stop) is _handler:
                _signal.signal(stop, _signal.SIG_IGN)


def hang_up_as_before() -> None:
    """SIGHUP ends the process at once again (a server that answers SIGINT and SIGTERM itself, and was so ended by
    it before), unless ``nohup`` ignores it."""
    for hangup in HANGUP:
        if _signal.getsignal(hangup) is _handler:
            _signal.signal(hangup, _signal.SIG_DFL)


def ignore_in_worker() -> None:
    """A batch worker leaves SIGINT and SIGHUP (sent to the terminal's whole process group) to its parent, which
    stops it, and dies quietly of the SIGTERM its parent sends to stop it: a worker never prints a traceback for
    any of them (a fork inherits ``install()``'s handler)."""
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    for hangup in HANGUP:
        _signal.signal(hangup, _signal.SIG_IGN)
    _signal.signal(_signal.SIGTERM, _signal.SIG_DFL)
