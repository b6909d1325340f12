"""One batch or audit graded at a time in a worker process (epa.batch.cohort keeps per-run state in its module),
and what a request waiting its turn is told.

The turn is the grading thread's: released when the thread ends, not when its answer does. A thread whose answer has
ended (its time limit, its client gone, a stop) stops at its next row; one in a plugin's hook that does not return
(which nothing can stop on a thread other than the main one: epa.fence) holds the turn until the hook returns. On
246753b every later batch waited for it for --batch-seconds (300 s) to be told 503 busy, and every later audit
waited for ever. Now a thread still running STUCK_SECONDS after its answer ended is taken to be held by such a hook:
the server's log says so in one line, and every batch or audit waiting or coming is refused at once (503 busy,
Retry-After), saying why, until the thread ends (said in the log too). One that had written no row may instead be
still reading its file (a large workbook is read whole before its first row), which nothing stops either: the log
and the refusal say it is one or the other."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable

# seconds a grading thread may run on past its answer's end before it is taken to be stuck in a hook: it stops at
# its next row, a chunk of records (cohort.JSON_CHUNK) graded in about a second, a few on a loaded machine; and a
# hook running past --hook-timeout (10 s unless given) has failed anyway (epa.fence)
STUCK_SECONDS = 10.0
RETRY_AFTER = "30"  # seconds a refused batch is told to wait: a stuck hook may return, or the server be restarted
# where the stuck grading is, as a refusal says it: past its first row, in a hook (a chunk of rows is graded in about
# a second); before it, in a hook or still reading its file, which cannot be told apart from here
IN_A_HOOK = "in a plugin's hook that has not returned"
BEFORE_A_ROW = "reading its file, or in a plugin's hook that has not returned (it had written no row)"


class Turns:
    """The turn (an asyncio.Lock, released from the event loop by the thread's end: ``release``), and the thread
    left running by an answer that has ended (``left``)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.stuck = asyncio.Event()  # set while the turn's thread is stuck: waiting for it is pointless
        self.said = ""  # the stuck batch, as the log and the refusal say it
        self.where = IN_A_HOOK  # where its grading is, as the refusal says it
        self._timer: asyncio.TimerHandle | None = None

    async def take(self) -> bool:
        """True once the turn is this request's; False once (or as soon as) the thread holding it is stuck. Cancelled
        (a stop, the wait's end), a turn that came is given back."""
        if self.stuck.is_set():
            return False
        if not self.lock.locked():  # (the turn free: taken at once, as asyncio.Lock takes it, nothing awaited)
            await self.lock.acquire()
            return True
        taking = asyncio.ensure_future(self.lock.acquire())
        stuck = asyncio.ensure_future(self.stuck.wait())
        try:
            await asyncio.wait({taking, stuck}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            if taking.done() and not taking.cancelled() and taking.exception() is None:
                self.lock.release()
            raise
        finally:
            stuck.cancel()
            if not taking.done():
                taking.cancel()
        if taking.done() and not taking.cancelled():
            taking.result()  # (a failure to take it raised, not said as the turn being stuck)
            return True
        if stuck.exception() is not None:  # (retrieved, not left to be logged as never retrieved)
            raise stuck.exception()  # type: ignore[misc]
        return False

    def left(self, running: Callable[[], bool], said: str, wrote: Callable[[], bool]) -> None:
        """The answer ended while its grading thread was still ``running()`` (``said``: the request, for the log;
        ``wrote()``: whether the thread has written a row, its file read)."""
        if not running():
            return
        loop = asyncio.get_running_loop()
        self._cancel()
        self._timer = loop.call_later(STUCK_SECONDS, self._stuck, running, said, wrote)

    def _stuck(self, running: Callable[[], bool], said: str, wrote: Callable[[], bool]) -> None:
        self._timer = None
        if not running():
            return
        graded = wrote()
        self.said, self.where = said, IN_A_HOOK if graded else BEFORE_A_ROW
        self.stuck.set()
        held = "a plugin's hook has not returned" if graded else f"it is still {BEFORE_A_ROW}"
        _log(f"the grading of {said} is still running {STUCK_SECONDS:g} s after its answer ended: {held}; batches and "
             f"audits are refused (503 busy) until it {'does' if graded else 'ends'} (or the server is restarted)")

    def release(self) -> None:
        """The grading thread has ended (called on the event loop): the turn is the next request's."""
        self._cancel()
        if self.stuck.is_set():
            self.stuck.clear()
            _log(f"the grading of {self.said} has ended: batches and audits are served again")
        self.lock.release()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _log(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # (standard error full or closed: refused all the same)
        print(f"epa serve: {text}", file=sys.stderr, flush=True)
