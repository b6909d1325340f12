"""Reading a cohort for `epa compare --batch`: its physical lines, bounded, and its records (JSON Lines, or CSV rows
turned into the records a YAML file would hold), each with the line it starts on.

Every size is bounded, whatever the input: a line or a CSV record longer than MAX_RECORD is an error as soon as that
much is read (nothing more of it is kept; it is one error item) and reading goes on where it ends; a line (or a
quoted CSV cell) that runs on past MAX_SKIP is the input's last item, a refusal, so that even a device that never
writes a line end is read to an end. Lines end with "\\n" or "\\r\\n", and, from the first line that shows one on,
with a bare "\\r" too (as classic Mac OS and some exports write them). The input is UTF-8 (a byte-order
mark is allowed); UTF-16 and UTF-32 are refused, naming the encoding and how to save the file as UTF-8.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from epa.documents import Source, json_path
from epa.errors import InputError, did_you_mean, quote

MAX_RECORD = 1 << 20  # bytes one record (a JSON line, a CSV row, line end included) may hold; more: an error item
MAX_SKIP = 64 << 20  # bytes of one line (or CSV record) read past before reading stops: the input has no line ends
MAX_COLUMNS = 1000  # columns a CSV header may name (a cohort has a few dozen: more is refused before any check)
csv.field_size_limit(MAX_RECORD)  # a cell may be as long as its record (the csv module's default is 128 KiB)

# --- CSV columns ---------------------------------------------------------------------------------------

APPRENTICE = ("date_of_birth", "start_date", "english", "maths", "ehcp", "bsl")
GATEWAY = ("portfolio_pieces", "project_proposal_words", "photo_id", "gateway_form", "portfolio",
           "project_proposal", "portfolio_declaration", "english_maths_declaration")
DATES = ("registered", "evidence_submitted", "epa_start", "planning_meeting", "proposal_rejected",
         "proposal_resubmitted", "portfolio_submitted", "project_report_submitted", "observation_notice")
BOOLEANS = {"ehcp", "bsl", "photo_id", "gateway_form", "portfolio", "project_proposal", "portfolio_declaration",
            "english_maths_declaration"}
INTEGERS = {"portfolio_pieces", "project_proposal_words"}
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}
_INT = re.compile(r"[+-]?\d{1,12}")


def _column_kinds(methods: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Every column a CSV cohort may have, and where its value goes in the record."""
    kinds: dict[str, tuple[str, ...]] = {"standard": ("standard",), "apprentice": ("apprentice", "id"),
                                         "gateway_date": ("gateway", "date")}
    kinds.update({c: ("apprentice", c) for c in APPRENTICE})
    kinds.update({c: ("gateway", c) for c in GATEWAY})
    kinds.update({c: ("dates", c) for c in DATES})
    for m in methods:
        kinds.update({m: ("method", m, "grade"), f"{m}_criteria": ("method", m, "criteria_met"),
                      f"{m}_date": ("method", m, "date")})
    return kinds


class CsvHeader:
    """A CSV cohort's header, checked once: every column known, none twice, the record's core present."""

    def __init__(self, cells: Sequence[str], methods: Iterable[str], where: str):
        if len(cells) > MAX_COLUMNS:
            raise InputError(f"the header has {len(cells)} columns; a cohort's header names at most {MAX_COLUMNS}",
                             where=where, hint="the first line of a CSV cohort names its columns, each once")
        kinds = _column_kinds(methods)
        self.names = [c.strip() for c in cells]
        for number, name in enumerate(self.names, 1):
            if name not in kinds:
                raise InputError(f"unknown column {quote(name)} (column {number})", where=where,
                                 hint=did_you_mean(name, kinds) or "see `epa compare --help` for the columns")
        twice = sorted(n for n, count in Counter(self.names).items() if count > 1)
        if twice:
            raise InputError(f"column {quote(twice[0])} appears twice", where=where)
        missing = [c for c in ("standard", "apprentice", "gateway_date") if c not in self.names]
        if missing:
            raise InputError("the header has no column " + ", ".join(repr(c) for c in missing), where=where,
                             hint="every record needs its standard, the apprentice's id and the gateway date")
        self.kinds = [kinds[n] for n in self.names]

    def record(self, cells: Sequence[str]) -> tuple[dict[str, Any], dict[tuple[Any, ...], str]]:
        """The record a row says (as a YAML record would), and which column each JSON path came from."""
        if len(cells) > len(self.names):
            raise InputError(f"the row has {len(cells)} cells, the header names {len(self.names)} columns",
                             hint="a cell holding a comma must be quoted")
        data: dict[str, Any] = {}
        columns: dict[tuple[Any, ...], str] = {}
        attempts: dict[str, dict[str, Any]] = {}
        for name, kind, raw in zip(self.names, self.kinds, cells, strict=False):
            value = raw.strip()
            if not value:
                continue
            if kind[0] == "method":
                attempt = attempts.setdefault(kind[1], {"method": kind[1]})
                attempt[kind[2]] = [c.strip() for c in value.split(";") if c.strip()] \
                    if kind[2] == "criteria_met" else value
                attempt.setdefault("_columns", {})[kind[2]] = name
                continue
            typed: Any = value
            if name in BOOLEANS and value.lower() in _TRUE | _FALSE:
                typed = value.lower() in _TRUE
            elif name in INTEGERS and _INT.fullmatch(value):
                typed = int(value)
            if len(kind) == 1:
                data[kind[0]] = typed
            else:
                data.setdefault(kind[0], {})[kind[1]] = typed
            columns[kind] = name
        ordered = sorted(attempts.values(), key=lambda a: str(a.get("date", "9999")))  # stable: header order
        if ordered:
            data["assessments"] = []
        for i, attempt in enumerate(ordered):
            named = attempt.pop("_columns")
            columns[("assessments", i)] = named.get("grade") or named.get("criteria_met") or named["date"]
            for field, name in named.items():
                columns[("assessments", i, field)] = name
            data["assessments"].append(attempt)
        return data, columns


class Located(Source):
    """Where a JSON path sits in a cohort: ``<file>:<line>``, and for CSV the column it came from."""

    def __init__(self, name: str, line: int, columns: dict[tuple[Any, ...], str] | None = None):
        self.path, self.text, self._node = Path(name), "", None  # Source's fields; where() needs none of them
        self.name, self.line, self.columns = name, line, columns or {}

    @property
    def prefix(self) -> str:
        return f"{self.name}:{self.line}"

    def where(self, parts: Sequence[Any]) -> str:
        return f"{self.prefix}: {json_path(parts)}"

    def column(self, parts: Sequence[Any]) -> str | None:
        for n in range(len(parts), 0, -1):
            if tuple(parts[:n]) in self.columns:
                return self.columns[tuple(parts[:n])]
        return None


# --- physical lines ------------------------------------------------------------------------------------

# (line number, bytes, whether they end the line). A line longer than MAX_RECORD comes in pieces of at most
# MAX_RECORD + 1 bytes under one number, the last one ending it; (number, None, True): reading stopped there.
Line = tuple[int, bytes | None, bool]

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"), (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
               (b"\xff\xfe", "UTF-16 (little-endian)"), (b"\xfe\xff", "UTF-16 (big-endian)"))
_SAVE_AS_UTF8 = ("save it as UTF-8 (Excel: Save As 'CSV UTF-8'; elsewhere an encoding choice when saving), or "
                 "convert it: iconv -f {encoding} -t UTF-8 FILE > NEW")


def physical_lines(stream: IO[bytes], name: str = "the input") -> Iterator[Line]:
    """Each line of ``stream`` (see Line), at most MAX_RECORD + 1 bytes held at a time."""
    first = stream.readline(MAX_RECORD + 1)
    for mark, encoding in _OTHER_BOMS:
        if first.startswith(mark):
            raise InputError(f"the cohort is {encoding}, by the byte-order mark it starts with; epa reads UTF-8",
                             where=f"{name}:1", hint=_SAVE_AS_UTF8.format(encoding=encoding.split()[0]))
    first = first.removeprefix(_UTF8_BOM)
    reader: Any = stream
    ends_line: tuple[bytes, ...] = (b"\n",)
    number, piece = 0, first
    while piece:
        if reader is stream and _bare_return(piece):
            # From here on "\r" ends a line too, whichever line first shows one: a file whose line ends change
            # part-way must not fold many records into one. (The C readline stays for files that never do.)
            reader, ends_line = _CarriageReturnLines(stream, piece), (b"\r", b"\n")
            piece = reader.readline(MAX_RECORD + 1)
        number += 1
        if len(piece) <= MAX_RECORD or piece.endswith(ends_line):
            yield number, piece, True
            piece = reader.readline(MAX_RECORD + 1)
            continue
        # Too long: its first piece goes out at once (an error as soon as the limit is read), the rest in pieces.
        read = 0
        while True:
            read += len(piece)
            ends = len(piece) <= MAX_RECORD or piece.endswith(ends_line)
            yield number, piece, ends
            if ends:
                break
            if read > MAX_SKIP:
                yield number, None, True
                return
            piece = reader.readline(MAX_RECORD + 1)
        piece = reader.readline(MAX_RECORD + 1)


def _bare_return(piece: bytes) -> bool:
    """Whether ``piece`` holds a "\r" that is not the start of "\r\n" (two searches for a CRLF line)."""
    at = piece.find(b"\r")
    while at != -1:
        if piece[at + 1:at + 2] != b"\n":
            return True
        at = piece.find(b"\r", at + 2)
    return False


class _CarriageReturnLines:
    """``readline(limit)`` over a stream whose lines end with "\\r", "\\r\\n" or "\\n", after the bytes already read."""

    _END = re.compile(rb"\r\n?|\n")

    def __init__(self, stream: IO[bytes], start: bytes):
        self._stream, self._buffer, self._at, self._eof = stream, start, 0, False

    def readline(self, limit: int) -> bytes:
        while True:
            end = min(len(self._buffer), self._at + limit)
            found = self._END.search(self._buffer, self._at, end)
            # (a "\r" last in what was read may be the start of "\r\n"; a pipe's read may come short of a line)
            if found and (found.end() < len(self._buffer) or found.group() != b"\r" or self._eof):
                stop = found.end()
                break
            if end - self._at >= limit or self._eof:
                stop = end
                break
            more = self._stream.read(limit + 1)
            self._eof = not more
            self._buffer, self._at = self._buffer[self._at:] + more, 0
        line, self._at = self._buffer[self._at:stop], stop
        return line


# --- records -------------------------------------------------------------------------------------------

Item = tuple[int, str, Any]  # (line, "json" | "csv" | "error", payload); an error's payload is (message, hint)

_MiB = MAX_RECORD >> 20
_TOO_LONG = (f"the line is longer than {_MiB} MiB (a record is at most that)",
             "one record a line; is the file JSON Lines?")
_STOPPED = (f"no line end in the {MAX_SKIP >> 20} MiB after this line's start: reading stopped here, and the rest of "
            "the input is not read", "is the input a cohort (JSON Lines or CSV), or a device or binary file?")

# A record past MAX_RECORD is decided on when the limit is read: nothing more of it is kept, and its one error item
# goes out where it ends (or where reading stops), so that each physical record is one item, read = results + errors.


def json_items(lines: Iterable[Line]) -> Iterator[Item]:
    """One item per non-blank line: the JSON text, or an error (a line too long; where reading stopped)."""
    cut = 0  # a line whose first piece was too long: its other pieces are passed over
    for number, raw, ends in lines:
        if raw is None:
            yield number, "error", _STOPPED
            return
        if number == cut:
            if ends:
                yield number, "error", _TOO_LONG
        elif not ends:
            cut = number
        elif raw and not raw.isspace():  # (asked without stripping: no copy of each line)
            yield number, "json", raw


def csv_items(lines: Iterable[Line], methods: Iterable[str], name: str) -> Iterator[Item]:
    """One item per CSV record: a record may span lines inside a quoted cell, and its number is its first line's.

    A quote opens a quoted cell only as the cell's first character (as RFC 4180 and Excel read it): elsewhere it is
    text, so a stray quote in an id never joins the rows after it into one. A record past MAX_RECORD (a quoted cell
    that runs on, or is never closed) is one error item, its lines up to its end read only to find that end.
    """
    header: CsvHeader | None = None
    cells = _Cells()
    parts: list[bytes] = []
    start = size = 0
    last = 0  # the last line read
    skipping = False  # the record is past MAX_RECORD: its end is looked for, nothing kept
    cut_in = ""  # the quoted cell it was inside when it went past, if it was
    for number, raw, ends in lines:
        if raw is None:
            if header is None:
                raise InputError(_STOPPED[0], where=f"{name}:{number}", hint=_STOPPED[1])
            yield (start, "error", _stopped(cut_in)) if skipping or parts else (number, "error", _STOPPED)
            return
        last = number
        if not parts and not skipping:  # a record starts here
            if ends and not raw.strip():
                continue  # a blank line: no record
            start, size = number, 0
            cells.reset()
        if parts or skipping or not ends or b'"' in raw:  # not the common case: one line, no quote
            cells.read(raw, number)
            size += len(raw)
            if skipping:
                if size > MAX_SKIP:
                    yield start, "error", _stopped(cut_in)
                    return
            elif size > MAX_RECORD:
                if header is None:
                    raise InputError(f"the header is longer than {_MiB} MiB", where=f"{name}:{start}",
                                     hint="the first line of a CSV cohort names its columns, each once")
                parts, skipping, cut_in = [], True, cells.quoted_cell(header) if cells.quoted else ""
            else:
                parts.append(raw)
            if not ends or cells.quoted:
                continue
            if skipping:
                yield start, "error", _too_long(cut_in, start, number)
                skipping = False
                continue
            text, parts = b"".join(parts), []
        else:
            text = raw
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            if header is None:
                raise InputError(f"the header holds bytes that are not UTF-8 (at byte {exc.start + 1})",
                                 where=f"{name}:{start}", hint=_SAVE_AS_UTF8.format(encoding="ENCODING")) from None
            yield start, "error", (f"undecodable bytes (not UTF-8) at byte {exc.start + 1} of the record",
                                   "save the file as UTF-8")
            continue
        if header is None and "\x00" in decoded:
            raise InputError("the header holds NUL characters: is the file UTF-16 without a byte-order mark?",
                             where=f"{name}:{start}", hint=_SAVE_AS_UTF8.format(encoding="UTF-16"))
        try:
            row = next(csv.reader([decoded]), [])
        except csv.Error as exc:  # e.g. a bare carriage return in an unquoted cell
            if header is None:
                raise InputError(f"the CSV header cannot be read: {exc}", where=f"{name}:{start}") from None
            yield start, "error", (f"the CSV row cannot be read: {exc}", "quote a cell that holds a line break")
            continue
        if header is None:
            header = CsvHeader(row, methods, f"{name}:{start}")
            continue
        try:
            yield start, "csv", header.record(row)
        except InputError as exc:
            yield start, "error", (exc.message, exc.hint)
    if skipping or parts:  # the input ended inside a quoted cell
        where = cut_in or cells.quoted_cell(header)
        if header is None:
            raise InputError(f"{where} is never closed", where=f"{name}:{start}", hint=_CLOSE_THE_QUOTE)
        yield start, "error", (f"{where} is never closed: every line after it, to the end of the input (line "
                               f"{last}), was read as part of that cell", _CLOSE_THE_QUOTE)


_CLOSE_THE_QUOTE = ("close the quote (\"); a quote inside a quoted cell is written twice (\"\"), and one that is "
                    "not a cell's first character is text")


def _too_long(cut_in: str, start: int, end: int) -> tuple[str, str]:
    if not cut_in:
        return _TOO_LONG[0], "one record a line; is the file CSV?"
    return (f"the record (lines {start} to {end}) is longer than {_MiB} MiB: {cut_in} runs on past that",
            _CLOSE_THE_QUOTE)


def _stopped(cut_in: str) -> tuple[str, str]:
    if not cut_in:
        return _STOPPED
    return (f"{cut_in} is still open after {MAX_SKIP >> 20} MiB: reading stopped here, and the rest of the input "
            "is not read", _CLOSE_THE_QUOTE)


_START, _UNQUOTED, _QUOTED, _QUOTE_IN_QUOTED = range(4)  # where a CSV record's text stands, as the csv module reads


class _Cells:
    """Whether a CSV record is inside a quoted cell after each of its pieces, read as the csv module reads a row
    (its default dialect): a quote opens a quoted cell only as the cell's first character, two quotes inside one
    are a quote, and a quote followed by anything else closes it (what follows is text)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.state, self.cell, self.opened = _START, 0, 0  # opened: the line the last quoted cell opened on

    @property
    def quoted(self) -> bool:
        return self.state == _QUOTED

    def read(self, data: bytes, line: int) -> None:
        state, cell, at, end = self.state, self.cell, 0, len(data)
        while at < end:
            if state == _QUOTED:
                found = data.find(b'"', at)
                if found < 0:
                    break
                state, at = _QUOTE_IN_QUOTED, found + 1
            elif state == _QUOTE_IN_QUOTED:
                if data[at] == 0x22:  # a doubled quote: a quote in the cell's text
                    state, at = _QUOTED, at + 1
                else:
                    state = _UNQUOTED  # the cell closed; what follows it up to a comma is text
            elif state == _START and data[at] == 0x22:
                state, at, self.opened = _QUOTED, at + 1, line
            else:
                found = data.find(b",", at)
                if found < 0:
                    state = _UNQUOTED
                    break
                state, at, cell = _START, found + 1, cell + 1
        self.state, self.cell = state, cell

    def quoted_cell(self, header: CsvHeader | None) -> str:
        """The quoted cell the record is in, for a message: the line it opened on, and its column."""
        column = f"column {self.cell + 1}"
        if header is not None and self.cell < len(header.names):
            column += f", {header.names[self.cell]!r}"
        return f"the quoted cell opened on line {self.opened} ({column})"


def sniff(lines: Iterator[Line]) -> tuple[str, Iterator[Line]]:
    """"jsonl" when the first non-blank line starts with '{', else "csv"; and the lines, none lost."""
    seen: list[Line] = []
    kind = "csv"
    for line in lines:
        seen.append(line)
        raw = line[1]
        if raw is None or raw.strip():
            kind = "jsonl" if raw is not None and raw.lstrip().startswith(b"{") else "csv"
            break
    return kind, _chain(seen, lines)


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest
