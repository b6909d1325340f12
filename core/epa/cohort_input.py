"""Reading a cohort for `epa compare --batch`: its physical lines and its records (JSON Lines, or CSV rows turned
into the records a YAML file would hold), each with the line it starts on."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from epa.documents import Source, json_path
from epa.errors import InputError, did_you_mean

MAX_RECORD = 1 << 20  # bytes one record (a JSON line, a CSV row) may hold; a longer one is an error row
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
        kinds = _column_kinds(methods)
        self.names = [c.strip() for c in cells]
        for name in self.names:
            if name not in kinds:
                raise InputError(f"unknown column {name!r}", where=where,
                                 hint=did_you_mean(name, kinds) or "see `epa compare --help` for the columns")
        twice = sorted({n for n in self.names if self.names.count(n) > 1})
        if twice:
            raise InputError(f"column {twice[0]!r} appears twice", where=where)
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


# --- reading -------------------------------------------------------------------------------------------

Item = tuple[int, str, Any]  # (line, "json" | "csv" | "error", payload)


def _physical_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of each line; None for a line longer than MAX_RECORD, whose rest is skipped."""
    number = 0
    while True:
        chunk = stream.readline(MAX_RECORD + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > MAX_RECORD and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = stream.readline(MAX_RECORD + 1)
            yield number, None
            continue
        if number == 1 and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        yield number, chunk


_TOO_LONG = (f"the record is longer than {MAX_RECORD} bytes", "one record a line; is the file JSON Lines?")


def json_items(lines: Iterable[tuple[int, bytes | None]]) -> Iterator[Item]:
    for number, raw in lines:
        if raw is None:
            yield number, "error", _TOO_LONG
        elif raw and not raw.isspace():  # (asked without stripping: no copy of each line)
            yield number, "json", raw


def csv_items(lines: Iterable[tuple[int, bytes | None]], methods: Iterable[str], name: str) -> Iterator[Item]:
    """One item per CSV record: a record may span lines inside quotes, and its number is its first line's."""
    header: CsvHeader | None = None
    parts: list[bytes] = []
    start, size = 0, 0
    for number, raw in lines:
        if raw is None:
            yield (start or number), "error", _TOO_LONG
            start, parts, size = 0, [], 0
            continue
        if not parts:
            if not raw.strip():
                continue
            start = number
        parts.append(raw)
        size += len(raw)
        text = b"".join(parts)
        if text.count(b'"') % 2:  # inside a quoted cell: the record goes on
            if size > MAX_RECORD:
                yield start, "error", ("a quoted cell is never closed", "close the quote ('\"')")
                start, parts, size = 0, [], 0
            continue
        parts, size = [], 0
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield start, "error", (f"undecodable bytes (not UTF-8) at byte {exc.start + 1} of the record",
                                   "save the file as UTF-8")
            continue
        try:
            cells = next(csv.reader([decoded]), [])
        except csv.Error as exc:  # e.g. a bare carriage return in an unquoted cell
            if header is None:
                raise InputError(f"the CSV header cannot be read: {exc}", where=f"{name}:{start}") from None
            yield start, "error", (f"the CSV row cannot be read: {exc}", "quote a cell that holds a line break")
            continue
        if header is None:
            header = CsvHeader(cells, methods, f"{name}:{start}")
            continue
        try:
            yield start, "csv", header.record(cells)
        except InputError as exc:
            yield start, "error", (exc.message, exc.hint)
    if parts:
        yield start, "error", ("a quoted cell is never closed", "close the quote ('\"')")


def sniff(lines: Iterator[tuple[int, bytes | None]]) -> tuple[str, Iterator[tuple[int, bytes | None]]]:
    """"jsonl" when the first non-blank line starts with '{', else "csv"; and the lines, none lost."""
    seen: list[tuple[int, bytes | None]] = []
    kind = "csv"
    for number, raw in lines:
        seen.append((number, raw))
        if raw is None or raw.strip():
            kind = "jsonl" if raw is not None and raw.lstrip().startswith(b"{") else "csv"
            break
    return kind, _chain(seen, lines)


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest
