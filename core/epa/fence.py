"""The fence around a body plugin's hooks: whatever a hook prints, raises, returns or fails to return is that
plugin's failure (a PluginError naming plugin and hook), never epa's output, exit code or hang.

``call`` runs one hook call:

- **Standard output.** Python's ``sys.stdout`` points at ``sys.stderr`` while the hook runs, so a ``print`` in a
  hook (a plugin author's debugging) still reaches the person, on the stream for diagnostics, and can never
  corrupt ``--format json`` or CSV on stdout. Redirected rather than captured: nothing is buffered (a hook
  printing without end costs no memory) and nothing the author wrote is lost. What is not fenced: writes to file
  descriptor 1 itself (``os.write(1, ...)``, ``sys.__stdout__``, a C extension's ``printf``, a subprocess that
  inherits stdout). Swapping the descriptor for every call would cost system calls and a flush of epa's own
  buffered output per hook; a plugin writing there is outside the contract.
- **Anything raised** by the plugin's own implementation (which implementation raised is read from the
  traceback): SystemExit, KeyboardInterrupt (unless ``epa.interrupts.received()`` says the user pressed Ctrl-C:
  then it is re-raised), InputError and any other BaseException become a PluginError, its message cut to a
  bounded length. What the core's default implementations raise, in a call the plugin takes part in, is re-raised
  unchanged: an InputError is about the input (exit 2), anything else epa's own failure ("internal error").
- **The time limit.** A hook that has not returned after ``time_limit()`` seconds (``--hook-timeout``, else the
  environment variable ``EPA_HOOK_TIMEOUT``, else DEFAULT_TIME_LIMIT; 0: no limit) is stopped with SIGALRM
  (``signal.setitimer``), which repeats every ``REPEAT`` seconds until the hook gives up, in case it catches
  what the first one raised. A hook that catches every one of them (``except BaseException`` in a loop) cannot
  be stopped by raising: GRACE seconds after the limit epa says so on stderr, naming plugin and hook, and ends
  the process with ``os._exit(1)`` (standard output flushed first; in a batch worker, the parent reports a worker
  that died). Signals reach only the main thread, so on any other thread (epa used as a library
  from a worker thread), and where the program has a SIGALRM handler of its own, a hook is not stopped: one
  that returns past the limit still fails, one that never returns hangs its thread. Batch workers are
  processes that call hooks on their main thread, so every batch run has the limit.
- **What it is given.** The mappings of the record and the rules a hook is given are read-only: a change raises
  where it is written, and fails the call naming the entry; a plain dict argument is compared with a copy after
  it returns, a change put back and failing the call (``epa.unchanged``).
- **The result.** Checked against the hook's specification (``epa.contracts``) before the core uses it, and
  against the question it answers (a method's grade is about the method asked, and what it lists of the criteria
  is so, its grade its own rule: ``contracts.untold``), and against itself (a gateway requirement's ``mandatory``
  its strength; a deadline's date, status and ``needs`` one verdict: ``contracts.disagrees``).

Not fenced, as no fence inside the process can: ``os._exit``, a crash in C code, a signal sent to the process; nor
a read-only mapping changed through dict's own methods (``dict.update(mapping, ...)``).
"""

from __future__ import annotations

import _signal  # (see epa.interrupts)
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from epa import contracts, interrupts, unchanged
from epa.errors import InputError, PluginError, quote

TIME_LIMIT_ENV = "EPA_HOOK_TIMEOUT"
DEFAULT_TIME_LIMIT = 10.0  # seconds: an honest hook takes milliseconds, a loaded plugin's first call under a second
REPEAT = 0.25  # seconds between further alarms, while a hook that caught the first keeps running
GRACE = 2.0  # seconds past the limit, a hook still catching the alarms, before epa ends the process
TEXT_LIMIT = 1000  # characters of a plugin's own text (an exception's message) in a PluginError

DEFAULTS = "epa.defaults"  # the name the core's default implementations are registered under

_chosen: float | None = None  # set by --hook-timeout; None: EPA_HOOK_TIMEOUT, else the default
_from_env: tuple[str | None, float] = (None, DEFAULT_TIME_LIMIT)  # the variable's text and what it was read as
_armed = False  # an alarm is set for the hook running now
_running: tuple[str, str, float, float] = ("", "", 0.0, 0.0)  # the armed hook's plugin, hook, start and limit


class _Overran(BaseException):
    """Raised by the alarm in a hook over its time limit (a BaseException, so that a hook's ``except Exception``
    does not swallow it)."""


def set_time_limit(seconds: float | None) -> None:
    """The time limit for this process's hook calls (``--hook-timeout``); None: ``EPA_HOOK_TIMEOUT``, else
    DEFAULT_TIME_LIMIT."""
    global _chosen
    if seconds is not None and not seconds >= 0:
        raise InputError(f"a hook's time limit must be a number of seconds, 0 or more, not {seconds!r}")
    _chosen = seconds


def time_limit() -> float:
    """Seconds a hook call may take; 0: no limit."""
    global _from_env
    if _chosen is not None:
        return _chosen
    text = os.environ.get(TIME_LIMIT_ENV)
    if text != _from_env[0]:
        _from_env = (text, _seconds(text))
    return _from_env[1]


def _seconds(text: str | None) -> float:
    if text is None or not text.strip():
        return DEFAULT_TIME_LIMIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise InputError(f"{TIME_LIMIT_ENV} must be a number of seconds, 0 or more (0: no limit), not {text!r}",
                         where=TIME_LIMIT_ENV)
    return seconds


def _alarm(signum: int, frame: Any) -> None:
    if not _armed:
        return
    plugin, hook, started, limit = _running
    if time.perf_counter() - started < limit + GRACE:
        raise _Overran
    # The hook caught every alarm for GRACE seconds: raising cannot stop it, and returning would hang epa.
    interrupts.stop_now(f"error: plugin {quote(plugin)} did not stop in hook {quote(hook)} after "
                        f"{_seconds_said(limit + GRACE)}: epa stops", 1)


def _arm(plugin: str, hook: str, limit: float, started: float) -> bool:
    """Set the alarm for a hook call, where one can be set: on the main thread, with no alarm of a hook that is
    running already (a hook calling another is under the first's limit) and no SIGALRM handler of the program's
    own. Whether it was set."""
    global _armed, _running
    if _armed or threading.current_thread() is not threading.main_thread():
        return False
    handler = _signal.getsignal(_signal.SIGALRM)  # signal.getsignal's own wrapping takes longer than the call
    if handler is not _alarm:
        if handler not in (_signal.SIG_DFL, None):
            return False
        _signal.signal(_signal.SIGALRM, _alarm)
    _armed = True
    _running = (plugin, hook, started, limit)
    _signal.setitimer(_signal.ITIMER_REAL, limit, REPEAT)
    return True


def _disarm() -> None:
    global _armed
    _signal.setitimer(_signal.ITIMER_REAL, 0)
    _armed = False


def call(plugin: str, hook: str, caller: Callable[..., Any], kwargs: Mapping[str, Any],
         check: bool = True, trusted_last: bool = False, told: bool = True) -> Any:
    """``caller(**kwargs)`` (a plugin manager's hook caller), fenced; its result checked against the hook's
    specification (``check``: for a hook of ``epa.hookspecs``; ``trusted_last``: a collected hook's last answer is
    the core default's, left unchecked) and the question (``told``: what a grade lists of the criteria too, which
    the conformance suite asks without, to report it with the record that shows it)."""
    limit = time_limit()
    saved = sys.stdout
    given = unchanged.held(kwargs)
    started = time.perf_counter()
    armed = False
    try:
        sys.stdout = sys.stderr
        armed = limit > 0 and _arm(plugin, hook, limit, started)
        try:
            result = caller(**kwargs)
        finally:
            if armed:
                _disarm()  # first, so that no alarm is raised in what follows
    except _Overran:
        raise PluginError(plugin, hook, f"did not return within {_seconds_said(limit)} (the time limit: "
                          f"--hook-timeout or {TIME_LIMIT_ENV})") from None
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt) and interrupts.received():  # the user's Ctrl-C: epa stops
            raise
        if _raised_by_the_core(exc.__traceback__, caller):  # bad input (exit 2), or epa's own failure
            raise
        raise _failure(plugin, hook, exc, _raised_at(exc.__traceback__, caller, plugin),
                       unchanged.refused(exc, kwargs)) from exc
    finally:
        sys.stdout = saved
        touched = unchanged.changed(given)  # put back, whatever else happened
    if touched is not None:
        raise PluginError(plugin, hook, touched)
    if limit > 0 and (took := time.perf_counter() - started) > limit:  # no alarm, or one the hook caught
        raise PluginError(plugin, hook, f"took {took:.1f} seconds, over the time limit of {_seconds_said(limit)} "
                          f"(--hook-timeout or {TIME_LIMIT_ENV})")
    if check:
        own = result[:-1] if trusted_last else result
        problem = contracts.problem(hook, own) or contracts.disagrees(hook, own) or \
            contracts.unasked(hook, result, kwargs) or (contracts.untold(hook, result, kwargs) if told else None)
        if problem is not None:
            raise PluginError(plugin, hook, problem)
    return result


def _failure(plugin: str, hook: str, exc: BaseException, at: tuple[str, int] | None = None,
             refused: str | None = None) -> PluginError:
    """The plugin's failure that ``exc``, raised by its implementation of ``hook`` (at a line of the plugin's own
    code, where it is known), is; ``refused``: what it tried to change of what it was given, which the exception
    is the refusal of (``unchanged.refused``)."""
    if isinstance(exc, PluginError) and exc.plugin == plugin:  # its hook calling another, through a fence of its own
        return PluginError(plugin, exc.hook, _cut(exc.problem), file=exc.file, line=exc.line)
    where = f" (raised at {at[0]}:{at[1]})" if at else ""
    file, line = at or (None, None)
    if refused is not None:
        return PluginError(plugin, hook, refused + where, file=file, line=line)
    if isinstance(exc, KeyboardInterrupt):
        return PluginError(plugin, hook, f"raised KeyboardInterrupt (the user did not press Ctrl-C){where}",
                           file=file, line=line)
    if isinstance(exc, SystemExit):
        return PluginError(plugin, hook, f"raised SystemExit({quote(exc.code)}): a hook must return its answer, not "
                           f"end the program{where}", file=file, line=line)
    return PluginError(plugin, hook, said(exc) + where, file=file, line=line)


def _raised_at(tb: TracebackType | None, caller: Any, plugin: str) -> tuple[str, int] | None:
    """The file and line of the plugin's own code the exception was raised at: the innermost frame of the
    traceback inside the plugin's package (below its hook implementation), so that an author is sent to the line
    that raised, not to the hook's ``def``, nor into epa or a library the plugin called. None where no
    implementation of the plugin's is on the traceback (pluggy's own code, or a plugin being imported)."""
    impls = getattr(caller, "get_hookimpls", None)
    codes = {getattr(i.function, "__code__", None): i.function for i in (impls() if impls else ())
             if i.plugin_name == plugin}
    root, found = None, None
    while tb is not None:
        frame = tb.tb_frame
        if root is None and frame.f_code in codes:
            root = _package_root(codes[frame.f_code], frame.f_code.co_filename)
        if root is not None and os.path.abspath(frame.f_code.co_filename).startswith(root):
            # named from the package's own folder (epa_acme/__init__.py), as conformance names an author's files:
            # the same wherever the plugin is installed, and never a long site-packages path in a message
            found = (os.path.relpath(frame.f_code.co_filename, os.path.dirname(root.rstrip(os.sep))), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _package_root(function: Any, filename: str) -> str:
    """The folder of the top-level package a hook implementation is in (its own file, for a lone module)."""
    package = (getattr(function, "__module__", None) or "").partition(".")[0]
    module = sys.modules.get(package)
    paths = list(getattr(module, "__path__", None) or ())
    return os.path.abspath(paths[0]) + os.sep if paths else os.path.abspath(filename)


def _raised_by_the_core(tb: TracebackType | None, caller: Any) -> bool:
    """Whether the core, not the plugin, raised the exception in a hook call: the outermost of the hook's
    implementations on the traceback is the core's default, or none of them is (pluggy's own code) where each
    can be recognised by its code. A plugin's module being imported (no implementations) is the plugin's."""
    impls = getattr(caller, "get_hookimpls", None)
    if impls is None:
        return False
    names, unknown = {}, False
    for impl in impls():
        code = getattr(impl.function, "__code__", None)  # (a callable object has none)
        if code is None:
            unknown |= impl.plugin_name != DEFAULTS
        else:
            names[code] = impl.plugin_name
    while tb is not None:
        found = names.get(tb.tb_frame.f_code)
        if found is not None:
            return found == DEFAULTS
        tb = tb.tb_next
    return not unknown


def said(exc: BaseException) -> str:
    """What an exception from a plugin says, for a message: its type and text, cut to TEXT_LIMIT characters."""
    if isinstance(exc, InputError):
        text = exc.render()
    elif isinstance(exc, PluginError):
        text = str(exc)
    else:
        try:
            text = str(exc)
        except Exception:  # a plugin's exception whose own __str__ fails
            text = "(its message cannot be shown)"
    name = _cut(type(exc).__name__, 80)
    return _cut(f"{name}: {text}" if text else name)


def _seconds_said(seconds: float) -> str:
    return f"{seconds:g} second" + ("" if seconds == 1 else "s")


def _cut(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
