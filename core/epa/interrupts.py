"""Telling the user's Ctrl-C apart from a KeyboardInterrupt that a plugin raised itself.

``install()`` (run by the command line) replaces Python's SIGINT handler with one that records the signal before
raising KeyboardInterrupt, and turns SIGTERM into the same. A hook fence that catches KeyboardInterrupt asks
``received()``: True means the user asked epa to stop (re-raise it); False means a plugin raised it (a plugin
failure). Batch workers ignore SIGINT (their parent stops them), so there it is always a plugin's.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

_received = False


def received() -> bool:
    """Whether SIGINT or SIGTERM reached this process since ``install()``."""
    return _received


def _handler(signum: int, frame: Any) -> None:
    global _received
    _received = True
    raise KeyboardInterrupt


def install() -> None:
    """Record SIGINT and SIGTERM and raise KeyboardInterrupt for each. Only from the main thread (signal's rule)."""
    global _received
    _received = False
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _handler)
        signal.signal(signal.SIGTERM, _handler)


def ignore_in_worker() -> None:
    """A batch worker leaves SIGINT to its parent, which stops it, and dies quietly of the SIGTERM its parent
    sends to stop it: a worker never prints a traceback for either (a fork inherits ``install()``'s handler)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
