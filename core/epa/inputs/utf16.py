"""A cohort or outcomes file saved as UTF-16, read as the UTF-8 bytes it holds (and a record file, whole, as its text:
epa.inputs.byte_order.text_of).

Excel's "Unicode Text (*.txt)" writes UTF-16 (little-endian) with a byte-order mark, tab-separated, and some MIS
tools write UTF-16 CSV. Where a stream starts with a UTF-16 byte-order mark, :func:`as_utf8` gives its text as UTF-8
bytes, read as they are asked for, so that every reader after it (lines, bounds, sniffing, the month-first scan)
reads one encoding and checks it alike. Text that is not UTF-16 after all (a lone surrogate, an odd byte at the end)
is refused naming its line and byte; a regular file is checked whole first, so such a file is refused before any of
its records is graded. UTF-16 without a byte-order mark is not guessed at (the CSV reader refuses its header's NUL
characters).
"""

from __future__ import annotations

import codecs
import io
from typing import IO, Any

from epa.errors import InputError, Place
from epa.inputs.byte_order import encoding_of, refusal

_BLOCK = 1 << 16


def _peek(stream: IO[bytes], size: int) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(size)[:size])
    if stream.seekable():
        at = stream.tell()
        first = stream.read(size)
        stream.seek(at)
        return first
    return b""


def as_utf8(stream: IO[bytes], name: str) -> IO[bytes]:
    """``stream`` itself, or, where it starts with a UTF-16 byte-order mark, a stream of its text as UTF-8 (no
    byte-order mark); a regular file's text is checked whole first (:class:`_Transcoded`)."""
    try:
        codec = encoding_of(_peek(stream, 4))
    except (OSError, ValueError):  # (the reader after this one says why the stream cannot be read)
        return stream
    if codec is None:
        return stream
    raw = _Transcoded(stream, codec, name)
    if raw.seekable():
        try:
            raw.check()
        except OSError as exc:  # (a failing disk: the cohort could not be read, as physical_lines says it)
            from epa.inputs.cohort_input import unreadable

            raise unreadable(exc, name) from None
    return io.BufferedReader(raw)


class _Transcoded(io.RawIOBase):
    """UTF-16 bytes read as UTF-8 bytes. It seeks where the stream under it is a regular file (as the month-first
    scan and the workbook sniff do): back to a position already given, decoding again from the start."""

    def __init__(self, stream: IO[bytes], codec: str, name: str):
        self._stream, self._codec, self._name = stream, codec, name
        self._start = stream.tell() if _regular(stream) else 0
        self._reset()

    def _reset(self) -> None:
        self._decoder = codecs.getincrementaldecoder(self._codec)("strict")
        self._pending, self._at, self._given, self._read, self._lines, self._done = b"", 0, 0, 0, 1, False
        self._first = True
        self._lines_of: bool | None = None  # whether the text is JSON Lines (not a table), once its first text is read
        self._refused: InputError | None = None  # (met part way: raised once the lines before it are given)

    def close(self) -> None:  # (the file under it is read through this one alone: closed with it)
        if not self.closed:
            self._stream.close()
        super().close()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return _regular(self._stream)

    def tell(self) -> int:
        return self._given

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence != io.SEEK_SET or offset < 0:
            raise io.UnsupportedOperation("a UTF-16 cohort is read from its start only")
        if offset != self._given:
            self._stream.seek(self._start)
            self._reset()
            while self._given < offset and self._fill():
                step = min(offset - self._given, len(self._pending) - self._at)
                self._at, self._given = self._at + step, self._given + step
        return self._given

    def readinto(self, buffer: Any) -> int:
        if not self._fill():
            return 0
        n = min(len(buffer), len(self._pending) - self._at)
        buffer[:n] = self._pending[self._at:self._at + n]
        self._at, self._given = self._at + n, self._given + n
        return n

    def check(self) -> None:
        """Read the whole text once (refusing what is not UTF-16), then start again from its beginning."""
        while self._fill():
            self._at = len(self._pending)
        self._stream.seek(self._start)
        self._reset()

    def _fill(self) -> bool:
        """Have bytes not yet given in ``_pending`` (from ``_at``), decoding the next blocks; False at the end."""
        while self._at >= len(self._pending):
            if self._refused is not None:
                raise self._refused
            if self._done:
                return False
            block = self._stream.read(_BLOCK)
            try:
                text = self._decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                # The whole lines before the character are given first, as UTF-8's are, then the refusal: on a pipe
                # (not checked whole) the lines read with it in one block were lost, the refusal naming a later line.
                good = exc.object[:exc.start].decode(self._codec)
                self._tell_kind(good)
                self._refused = self._refusal(exc, block)
                text = good[:good.rfind("\n") + 1]
            if self._first and text:
                text, self._first = text.removeprefix("\ufeff"), False
            self._tell_kind(text)
            self._lines += text.count("\n")
            self._read += len(block)
            self._pending, self._at = text.encode("utf-8"), 0
            self._done = not block
        return True

    def _tell_kind(self, text: str) -> None:
        """Whether the text is JSON Lines (their first record starts with "{"), told by its first text."""
        if self._lines_of is None and (start := text.lstrip("\ufeff \t\r\n")):
            self._lines_of = start[:1] in ("{", "[")

    def _refusal(self, exc: UnicodeDecodeError, block: bytes) -> InputError:
        held = len(exc.object) - len(block)  # (bytes the decoder held back from the block before: a character's)
        at = self._start + self._read - held + exc.start
        line = self._lines + exc.object[:exc.start].decode(self._codec, "replace").count("\n")
        return refusal(exc, at, Place(self._name, line), table=not self._lines_of)


def _regular(stream: IO[bytes]) -> bool:
    from epa.inputs.cohort_input import rereadable

    return rereadable(stream)
