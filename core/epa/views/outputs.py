"""Where epa's output goes: files written whole or not at all, and standard output that fails clearly.

A file epa writes (``timeline --ics``, ``consistency --out``, ``compare --batch --out``) is checked before the run
starts, then written to a temporary file in the same folder, synced and renamed into place: a reader sees the old
file or the new one, never half of one, and a failed write leaves the old file as it was and no temporary file
behind. Standard output is a separate output: whatever happens to it, a file is written in full. A failure to write
either is an :class:`~epa.errors.OutputError` naming the output (exit 3); a reader that stops reading (``| head``)
is not a failure (exit 0).

The command line imports this module at start-up, so it imports nothing the command line has not loaded already
(tempfile only when a file is written).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from epa.errors import OutputError

STDOUT = "standard output"  # how a message names it


class FileInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM came as the file ``output`` was being put in place (synced, renamed): ``whole`` says which
    way it went, the file written in full (the rename done) or left as it was (no temporary file left behind), so
    that the interruption can say which the user has."""

    def __init__(self, output: str, whole: bool):
        super().__init__(f"interrupted as {output} was written")
        self.output, self.whole = output, whole


def check_file(path: Path) -> None:
    """Refuse, before any work is done, a file output that cannot be written: its folder is missing or not a
    folder, or the folder (or an existing file) is not writable, or the path is a folder."""
    existing = _stat(path)
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise OutputError(str(path), "it is a folder")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        return  # a device or a pipe (/dev/stdout, a FIFO) is written in place: see write_file
    folder = Path(os.path.realpath(path)).parent
    try:
        if not folder.is_dir():
            raise OutputError(str(path), f"the folder {folder} does not exist" if not folder.exists()
                              else f"{folder} is not a folder")
    except OSError as exc:  # e.g. a path too long
        raise OutputError(str(path), _reason(exc)) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(str(path), f"the folder {folder} is not writable")
    if existing is not None and not os.access(path, os.W_OK):
        raise OutputError(str(path), "the file is read-only")


def write_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` whole or not at all.

    A regular file (or a new one) is replaced atomically: the content goes to a temporary file in the same folder,
    is synced to disk and renamed over the target, with the mode a plain write would leave (an existing file's
    own mode; a new file's 0666 less the umask). A link is followed and its target replaced. A target that is not
    a regular file (a terminal, a pipe, ``/dev/stdout``, ``/dev/full``) cannot be renamed over: it is written in
    place, as there is no old file to keep. Any failure raises OutputError naming ``path``; Ctrl-C or SIGTERM,
    FileInterrupted saying whether the file was written in full or left as it was.
    """
    existing = _stat(path)
    try:
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            with open(path, "wb") as stream:
                stream.write(content)
            return
        mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask()
        _replace(path, Path(os.path.realpath(path)), content, mode)
    except OSError as exc:
        raise OutputError(str(path), _reason(exc)) from None


@contextlib.contextmanager
def streaming_file(path: Path) -> Iterator[Callable[[str | bytes | bytearray], None]]:
    """Write text (as UTF-8) or UTF-8 bytes (as they are) to ``path`` as it comes (``with streaming_file(path) as
    write: write(text)``), whole or not at all:
    as write_file, the text goes to a temporary file in the same folder, renamed over the target (with the mode a
    plain write would leave) when the block ends; an exception in it (Ctrl-C and SIGTERM too) removes the temporary
    file and leaves the old one as it was; Ctrl-C or SIGTERM as the file is put in place raises FileInterrupted,
    saying which of the two the user has. For output too large to hold, such as a cohort's rows. A target that is
    not a regular file is written in place. Any failure to write raises OutputError naming ``path``."""
    existing = _stat(path)
    temporary = None
    target = Path(os.path.realpath(path))
    try:
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            stream = open(path, "wb")  # noqa: SIM115 (closed below, in every case)
        else:
            import tempfile  # only when a file is written

            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=_temporary(target), suffix=".tmp")
            stream = os.fdopen(fd, "wb")
    except OSError as exc:
        raise OutputError(str(path), _reason(exc)) from None

    def write(text: str | bytes | bytearray) -> None:
        try:
            stream.write(text.encode("utf-8") if isinstance(text, str) else text)
            if temporary is None:  # written in place: out when the call returns, as a cohort's count of records
                stream.flush()  # written in full says (a buffer a later failure lost was counted: found by review)
        except OSError as exc:
            raise OutputError(str(path), _reason(exc)) from None

    try:
        yield write
    except BaseException:  # a failed write, a failed run, or Ctrl-C: the old file stays, the temporary goes
        with contextlib.suppress(OSError, ValueError):
            stream.close()
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
    if temporary is None:  # written in place: nothing to put in place
        try:
            stream.close()
        except OSError as exc:
            raise OutputError(str(path), _reason(exc)) from None
        return
    _put_in_place(path, stream, temporary, target, stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask())


def _put_in_place(path: Path, stream: Any, temporary: str, target: Path, mode: int) -> None:
    """The temporary file ``stream`` writes, synced and renamed over ``target``; on any failure removed, the old file
    left as it was. Ctrl-C or SIGTERM is held meanwhile (a rename is quick; a sync may not be, and a held signal is
    raised all the same after interrupts.HELD_AT_MOST): raised as FileInterrupted, saying whether the rename was
    done, read from the file system itself (the target now the temporary file: renamed), not from how far this code
    got. (The temporary file gone alone is no proof: its folder removed as it was renamed takes it too.)"""
    from epa import interrupts

    written: os.stat_result | None = None
    try:
        with interrupts.held():
            written = os.fstat(stream.fileno())
            stream.flush()
            os.fsync(stream.fileno())  # the data is on disk before the name points at it
            stream.close()
            os.chmod(temporary, mode)
            os.replace(temporary, target)
            _sync_folder(target.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError, ValueError):
            stream.close()
        whole = written is not None and _same(target, written)
        if not whole:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        if isinstance(exc, KeyboardInterrupt):
            raise FileInterrupted(str(path), whole) from None
        if isinstance(exc, OSError):
            raise OutputError(str(path), _reason(exc)) from None
        raise


def _same(path: Path, written: os.stat_result) -> bool:
    """Whether ``path`` names the file ``written`` was taken of (its device and inode)."""
    try:
        found = os.stat(path)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (written.st_dev, written.st_ino)


def _temporary(target: Path) -> str:
    """The start of a temporary file's name beside ``target``: its name, cut short so that the temporary's (14
    bytes longer) is no longer than a name the file system takes wherever ``target``'s is (255 bytes). Cut by bytes,
    not characters: 64 characters of 4 bytes each (an emoji) are 256."""
    return f".{os.fsdecode(os.fsencode(target.name)[:MAX_NAME_SHOWN])}."


MAX_NAME_SHOWN = 64  # bytes of the target's name a temporary file's name repeats


def _stat(path: Path) -> os.stat_result | None:
    """What ``path`` names, links followed; None when nothing is there yet."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:  # e.g. a loop of links, a path too long, a folder on the way that is a file
        raise OutputError(str(path), _reason(exc)) from None


def _replace(path: Path, target: Path, content: bytes, mode: int) -> None:
    import tempfile  # only when a file is written

    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=_temporary(target), suffix=".tmp")
    stream = os.fdopen(fd, "wb")
    try:
        stream.write(content)
    except BaseException as exc:  # a failed write, or Ctrl-C: the old file stays, the temporary goes
        with contextlib.suppress(OSError, ValueError):
            stream.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, KeyboardInterrupt):
            raise FileInterrupted(str(path), whole=False) from None
        raise
    _put_in_place(path, stream, temporary, target, mode)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; a file system that cannot sync a folder loses nothing by skipping it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


class ClosedStdout:
    """Standing in for a closed standard output (``epa … >&-``), where Python has no stream at all: click would
    drop the text without a word, rich would fail on ``None``. Writing to it is an OutputError; a command that
    prints nothing (``consistency --out``) is not hindered."""

    def write(self, text: str) -> int:
        raise OutputError(STDOUT, "it is closed")

    def flush(self) -> None:
        pass  # nothing was written, so nothing is lost

    def isatty(self) -> bool:
        return False


def stand_in_if_closed() -> None:
    """Put a :class:`ClosedStdout` in place of a closed standard output, before a command runs; and see that what
    is written to standard output is written whole (see written_whole)."""
    if sys.stdout is None:
        sys.stdout = ClosedStdout()  # type: ignore[assignment]
    else:
        written_whole()


def written_whole() -> None:
    """Unbuffered (PYTHONUNBUFFERED, ``python -u``), Python writes standard output's text straight to its file, and
    a write the file takes only part of (the disk full, the file-size limit reached, a signal meanwhile) returns how
    much went out, which the text layer drops without a word: the output cut short, and exit 0. There, standard
    output's text is written through a layer that writes the rest, so that the failure is met (exit 3) or the
    write completed. (Buffered, as by default, Python's own buffer does this already.)"""
    import io

    stream = sys.stdout
    raw = getattr(stream, "buffer", None)
    if not isinstance(raw, io.FileIO) or os.linesep != "\n" or not isinstance(stream, io.TextIOWrapper):
        return
    file: io.FileIO = raw

    class Whole(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def fileno(self) -> int:
            return file.fileno()

        def isatty(self) -> bool:
            return file.isatty()

        def write(self, data: Any) -> int:
            view = memoryview(data).cast("B")
            done = 0
            while done < len(view):
                wrote = file.write(view[done:])
                if wrote is None:  # a non-blocking descriptor that would block: as Python's own buffer says it
                    raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN), done)
                done += wrote
            return done

    sys.stdout = io.TextIOWrapper(Whole(), encoding=stream.encoding, errors=stream.errors, newline="\n",
                                  line_buffering=stream.line_buffering, write_through=True)


class WatchedStderr:
    """Standard error, standing in for it while a command runs: a message it cannot take (a full disk, an I/O
    error, a closed descriptor: ``2>/dev/full``, ``2>&-``) is remembered in ``failed``, not raised, so that it is
    neither a traceback (which could not be shown either) nor the end of the work; the command then exits 3 (an
    output could not be written: see epa.cli.main). A reader gone (a pipe's) is no failure, as on standard output.
    Once it has failed, its descriptor is pointed at devnull, so that Python's own flush at exit cannot fail too."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.failed: str | None = None

    def write(self, text: str) -> int:
        if self.stream is None:
            self.failed = self.failed or "it is closed"
            return len(text)
        try:
            return int(self.stream.write(text))
        except OSError as exc:
            self._lost(exc)
            return len(text)

    def flush(self) -> None:
        if self.stream is not None:
            try:
                self.stream.flush()
            except OSError as exc:
                self._lost(exc)

    def isatty(self) -> bool:
        return self.stream is not None and bool(self.stream.isatty())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def _lost(self, exc: OSError) -> None:
        if not isinstance(exc, BrokenPipeError):
            self.failed = self.failed or _reason(exc)
        with contextlib.suppress(AttributeError, OSError, ValueError):  # (an in-memory stream has no descriptor)
            fd = self.stream.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)


@contextlib.contextmanager
def watching_stderr() -> Iterator[WatchedStderr]:
    """Standard error watched (``WatchedStderr``) for the length of the block, put back as it was after."""
    before = sys.stderr
    watched = sys.stderr = WatchedStderr(before)  # type: ignore[assignment]
    try:
        yield watched  # type: ignore[misc]
    finally:
        sys.stderr = before


@contextlib.contextmanager
def writing_stdout() -> Iterator[None]:
    """Turn a failed write to standard output (a full disk, an I/O error) into OutputError. A reader that stopped
    reading (BrokenPipeError) is left to the caller, which exits 0."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        _stdout_to_devnull()
        raise OutputError(STDOUT, _reason(exc)) from None
    except UnicodeEncodeError as exc:
        # Standard output in an encoding (ASCII) that cannot show the answer: an output not written, as a full disk
        # is, so that a cohort's run says how much of it was written. What went before is written as it was.
        cannot = unshowable(exc)
        if cannot is None:
            raise
        raise OutputError(STDOUT, cannot) from None


def unshowable(exc: UnicodeEncodeError) -> str | None:
    """Why standard output cannot take the text ``exc`` met, where its own encoding (not UTF-8) is what cannot show
    a character of the answer (citations hold dashes and quotes, tables "≠", a record any name): the user's set-up,
    not epa's failure, with a way round it. None where the text could not be encoded for another reason."""
    def name(encoding: str) -> str:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            return encoding
    stdout = name(getattr(sys.stdout, "encoding", None) or "utf-8")
    if not isinstance(exc.object, str) or stdout == "utf-8" or stdout != name(exc.encoding):
        return None
    char = exc.object[exc.start]
    return (f"its encoding ({exc.encoding}) cannot show {char!r} (U+{ord(char):04X}); set PYTHONIOENCODING=utf-8 "
            "(or a UTF-8 locale), or use --out FILE where the command offers it")


def write_stdout(text: str) -> None:
    """Write ``text`` (rows of CSV or JSON Lines, or a line as plain) to standard output as UTF-8, whatever its
    encoding (see ``_bytes_to``), out of Python's buffer when the call returns; OutputError when it cannot be
    written (BrokenPipeError: the reader has gone)."""
    with writing_stdout():
        stream = sys.stdout
        buffer = _bytes_to(stream)
        if buffer is None:
            stream.write(text)
            stream.flush()
        else:
            stream.flush()  # what was written as text goes first
            buffer.write(text.encode("utf-8"))
            # Out now, not at the next write or at exit: a cohort counts these rows as written in full once the call
            # returns, and its last ones, left in the buffer, failed unsaid by any count (as streaming_file's device).
            buffer.flush()


def write_stdout_bytes(data: bytes | bytearray) -> None:
    """Write UTF-8 ``data`` to standard output: as it is, to its binary buffer (see ``_bytes_to``); else decoded and
    written as text; out of Python's buffer when the call returns. OutputError when it cannot be written
    (BrokenPipeError: the reader has gone)."""
    with writing_stdout():
        stream = sys.stdout
        buffer = _bytes_to(stream)
        if buffer is None:
            stream.write(data.decode("utf-8"))
            stream.flush()
        else:
            stream.flush()  # what was written as text goes first
            buffer.write(data)
            buffer.flush()  # (out when the call returns: see write_stdout)


def _bytes_to(stream: Any) -> Any:
    """The binary buffer under ``stream`` that UTF-8 rows are written to as they are, or None where they are written
    as text. Rows of CSV or JSON Lines are UTF-8 whatever the locale, as a file of them (--out) is and as epa reads
    them: in a C locale with Python's UTF-8 mode off (LC_ALL=C PYTHONUTF8=0) standard output's text is ASCII, and a
    cohort holding one apprentice named Zoë had none of its rows written (exit 3), where `epa compare --format json`
    wrote the same id as UTF-8 (click writes to an ASCII stream so). As text where a newline is not "\\n" (Windows:
    standard output's text writes "\\r\\n"), and where standard output has no buffer (closed: ClosedStdout)."""
    buffer = getattr(stream, "buffer", None)
    return buffer if buffer is not None and os.linesep == "\n" else None


def flush_stdout() -> None:
    """Flush what standard output still holds, so that a full disk is met here, with a message and exit 3, rather
    than by Python at exit (which would print a traceback and exit 120). A reader that has gone is no failure."""
    try:
        with writing_stdout():
            sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()


def reader_gone(code: int = 0) -> NoReturn:
    """The reader (e.g. ``| head``) stopped reading: not a failure. Point stdout at devnull, so that Python's final
    flush does not fail too, and exit 0, or ``code``: what the work done says (a cohort's rejected records)."""
    _stdout_to_devnull()
    raise SystemExit(code)


def _stdout_to_devnull() -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):  # no descriptor: an in-memory stdout (tests)
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def _reason(exc: OSError) -> str:
    """What went wrong, in the operating system's words, without Python's '[Errno 28]' prefix and repeated path."""
    if exc.strerror:
        return exc.strerror
    return os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__
