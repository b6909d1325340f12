"""Reading a cohort from an Excel workbook (.xlsx, .xlsm) for `epa compare --batch`: one worksheet's rows, each
turned into the strings a CSV row of the same cells would hold and read by the same CsvHeader, so that a workbook
and its "CSV UTF-8" copy give the same records, checks and error rows (a row's number is its line).

The reader is python-calamine (Rust), chosen by measurement (bench/xlsx_bench.py --readers): on a 100,000-row sheet
it reads about ten times as many rows a second as openpyxl's streaming mode, with which a workbook would take about
three times as long to grade as its CSV. It is imported only when a workbook is read. It holds the sheet's used range
in memory (about 32 bytes a cell, dense), so before it reads anything the workbook is checked here, with the
standard library, against bounds that keep that memory and time small whatever the file: the zip's declared sizes
(a zip bomb), the sheet's used range in rows, columns and cells, and formulas written without a value.

Cell values become text as a CSV export of the sheet would hold them: a string as it is; a number as Excel shows it
in General format (15 significant digits, an integer-valued one without ".0" or an exponent, so that an id Excel
stored as a number, such as a ULN, stays its digits), or, where its format pads it or writes text around it (an id
formatted 000000), as it shows (epa.inputs.xlsx_formats); a date cell as an ISO date (YYYY-MM-DD), never a number or
a US reading, and a date and time at midnight as its date (another time as an ISO date and time, which a date
column reads as its date: epa.inputs.dates); TRUE/FALSE as "true"/"false"; an error cell as its text
(#N/A), which the checks then refuse; an empty cell as "". A
formula gives the value Excel calculated and stored with it; a workbook whose formulas have no stored value (one a
program wrote and nothing calculated) is refused: grading would otherwise read those cells as empty.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import itertools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from epa.errors import InputError, Place, did_you_mean, quote
from epa.inputs import xlsx_formats
from epa.inputs.cohort_input import (
    MAX_COLUMNS,
    MAX_RECORD,
    ColumnMap,
    CsvHeader,
    Item,
    NoHeader,
    RowProblems,
    RowRefusal,
    as_typed,
    column_path,
    header_below,
    month_first_in,
    row_item,
    unreadable,
)
from epa.inputs.columns import standard_finder
from epa.inputs.marks import MARK, unmarked
from epa.inputs.xlsx_formats import HINT as _SHOWN_HINT
from epa.inputs.xlsx_formats import ShownCells

if TYPE_CHECKING:  # (imported when a workbook is read: a CSV or JSON Lines cohort needs neither)
    import zipfile
    from xml.etree import ElementTree

ZIP = b"PK\x03\x04"  # every .xlsx is a zip
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 workbook (.xls), or any password-protected workbook
SUFFIXES = (".xlsx", ".xlsm")

MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELLS = 40_000_000  # rows x columns of the used range held in memory (about 1.3 GB): a cohort has far fewer
# A lower bound, for this thread only (epa serve sets it from the upload's size, so that a few KB cannot ask for a
# GB): a ContextVar, so that a thread grading one request does not bound another's
CELLS_ALLOWED: contextvars.ContextVar[int] = contextvars.ContextVar("cells_allowed", default=MAX_CELLS)
# Called between the chunks of the checking pass (epa serve's grading thread sets it, for this thread only): it raises
# to stop a read whose answer has ended (its client gone, its time, a stop). python-calamine's own reading of the
# sheet, after the pass, cannot be stopped part way (about 1.4 s for 100,000 rows of 24 columns, README "Serve")
CHECKPOINT: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar("checkpoint", default=None)
MAX_SHEET_XML = 2 << 30  # uncompressed bytes of the worksheet (a 100,000-row, 24-column cohort has about 100 MB)
MAX_STRINGS_XML = 512 << 20  # uncompressed bytes of the shared strings, which the reader holds in memory
MAX_SMALL_XML = 16 << 20  # uncompressed bytes of the workbook's list of sheets and its relationships
MAX_STDIN = 512 << 20  # bytes of a workbook read from standard input (a zip is read from its end: held whole)
_CHUNK = 1 << 20

_SAVE_AS = "open it in Excel and save it as 'Excel Workbook (.xlsx)', or as 'CSV UTF-8'"


def is_workbook(source: str, first: bytes, name: str) -> bool:
    """Whether the cohort ``source`` ("-": standard input) is a workbook: by its name, or on standard input by its
    first bytes. A workbook that cannot be read, or one named as text (CSV, JSON Lines), is refused, saying what
    it is and what to do."""
    suffix = posixpath.splitext(source.lower())[1] if source != "-" else ""
    if suffix in SUFFIXES:
        return True
    if first.startswith(OLE) or (suffix == ".xls" and not first.startswith(ZIP)):
        raise _ole(name)
    if first.startswith(ZIP):
        if source == "-":
            return True
        kind = _zip_kind(source)
        if kind == "ods":
            raise _ods(name)
        if kind != "xlsx":  # (a Word document, a zip of files: not a workbook, whatever its name says)
            raise InputError("this is a zip file holding no Excel workbook (a Word document, an archive...): epa "
                             "reads CSV and .xlsx workbooks", where=name,
                             hint="give the CSV file or the Excel workbook (.xlsx) itself")
        raise InputError(f"this is an Excel workbook (.xlsx: it is a zip file), though its name ends {suffix!r}",
                         where=name, hint="name it .xlsx and give it to --batch as it is (epa reads workbooks), or "
                                          "save it from Excel as 'CSV UTF-8'")
    return False


def _zip_kind(path: str) -> str | None:
    """"xlsx" for a zip holding an Excel workbook, "ods" for an OpenDocument spreadsheet (LibreOffice's own), else
    None (a zip that cannot be read is taken for a workbook: reading it says what is wrong)."""
    import os
    import zipfile

    if not os.path.isfile(path):  # (a pipe is not opened twice)
        return "xlsx"
    try:
        with zipfile.ZipFile(path) as archive:
            return "xlsx" if "xl/workbook.xml" in archive.namelist() else "ods" if _is_ods(archive) else None
    except (OSError, zipfile.BadZipFile):
        return "xlsx"


def _is_ods(archive: zipfile.ZipFile) -> bool:
    """Whether the zip is an OpenDocument spreadsheet: its "mimetype" member says so."""
    try:
        return archive.getinfo("mimetype").file_size < 100 and archive.read("mimetype").startswith(_ODS)
    except KeyError:
        return False


_ODS = b"application/vnd.oasis.opendocument.spreadsheet"


def _ods(where: str) -> InputError:
    return InputError("this is an OpenDocument spreadsheet (.ods, as LibreOffice and Google Sheets save one), not an "
                      "Excel workbook; epa reads .xlsx workbooks and CSV", where=where,
                      hint="save it as 'Excel 2007-365 (.xlsx)' (LibreOffice: File > Save As) or as CSV UTF-8")


def _ole(where: str) -> InputError:
    return InputError("this is an Excel 97-2003 workbook (.xls) or a password-protected workbook; epa reads .xlsx "
                      "workbooks without a password, and CSV", where=where,
                      hint=f"remove the password if it has one (File > Info > Protect Workbook), then {_SAVE_AS}")


def head(stream: IO[bytes], name: str = "the cohort") -> bytes:
    """The first bytes of ``stream``, left to be read again."""
    try:
        peek = getattr(stream, "peek", None)
        if peek is not None:
            return bytes(peek(8)[:8])
        if stream.seekable():
            at = stream.tell()
            first = stream.read(8)
            stream.seek(at)
            return first
    except OSError as exc:
        raise unreadable(exc, name) from None
    return b""


def xlsx_items(source: str | IO[bytes], methods: Iterable[str], name: str, sheet: str | None = None,
               column_map: ColumnMap | None = None, on_header: Callable[[CsvHeader], Any] | None = None,
               standards: Standards | None = None, header_class: type[CsvHeader] | None = None) -> Iterator[Item]:
    """One item per non-empty row after the header (the sheet's first non-empty row), as csv_items gives them:
    (row, "csv", (record, columns)) or (row, "error", (message, hint)). ``source`` is a path, or a stream read
    whole (standard input). A workbook that cannot be read safely is refused here, before any item."""
    import io

    if not isinstance(source, str):
        data = source.read(MAX_STDIN + 1)
        if len(data) > MAX_STDIN:
            raise InputError(f"the workbook on standard input is larger than {MAX_STDIN >> 20} MiB", where=name,
                             hint="give the file's name to --batch, or save it as 'CSV UTF-8' and pipe that")
        source = io.BytesIO(data)
    rows, (first_row, first_column), errors, again, merged, hidden, shown = _open(source, name, sheet, standards)
    by_row: dict[int, list[tuple[int, Cell]]] = {}
    for (row, column), text in errors.items():
        by_row.setdefault(row, []).append((column - first_column, text))
    return _items(rows, first_row, methods, name, by_row, column_map, on_header, header_class or CsvHeader, again,
                  (first_column, merged), hidden, None if shown is None else (shown, shown.by_column(first_column)))


Merged = list[tuple[tuple[int, int], tuple[int, int]]]  # merged ranges: (first row, column), (last...), from 0


def _merged_notes(merged: Merged, first_column: int, header: CsvHeader, header_row: int) -> tuple[str, ...]:
    """A note of the merged cells that leave a column read empty below the header (Excel keeps a merged range's
    value in its first cell), if any: each row below it was refused as missing a value the user sees on screen,
    with nothing to say why (found by the hunt)."""
    read = {entry[0] for entry in getattr(header, "plan", None) or ()} or set(range(header.width))
    emptied = []
    for (top, left), (bottom, right) in merged:
        for column in range(left, right + 1):
            first = top + (column == left)  # (the range's first cell holds its value)
            if column + 1 - first_column in read and first <= bottom and bottom + 1 > header_row:
                emptied.append(f"{_letters(left + 1)}{top + 1}:{_letters(right + 1)}{bottom + 1}")
                break
    if not emptied:
        return ()
    return (f"merged cells ({', '.join(emptied[:5])}{', ...' if len(emptied) > 5 else ''}) leave the rows below "
            "their first empty in the columns epa reads, as a CSV copy holds them (a merged cell's value is in its "
            "first cell only): unmerge them and fill each row's value in (Merge & Center, then Fill Down)",)


def _letters(column: int) -> str:
    """A column's letters from its number (1: A, 27: AA)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _items(rows: Iterator[list[Any]], first_row: int, methods: Iterable[str], name: str,
           errors: dict[int, list[tuple[int, Cell]]], column_map: ColumnMap | None,
           on_header: Callable[[CsvHeader], Any] | None, header_class: type[CsvHeader] = CsvHeader,
           again: Callable[[], Iterator[list[Any]]] | None = None,
           merged: tuple[int, Merged] | None = None, hidden: tuple[str, ...] = (),
           shown: tuple[ShownCells, list[tuple[int, bytearray]]] | None = None) -> Iterator[Item]:
    """The items of ``rows``; ``again`` reads them once more, before the first record, for the date columns that
    are month first (given only where the sheet holds text shaped so: see _check); ``merged``: the sheet's first
    column's number and its merged ranges; ``hidden``: the workbook's hidden worksheets holding values, named where
    the sheet read is no cohort (the cohort may be on one); ``shown``: the numbers shown through a format that
    makes them other text (000123), by column (epa.inputs.xlsx_formats)."""
    header: CsvHeader | None = None
    texts, text_class = _Texts(), str  # (locals: this is the one per-cell loop a workbook adds to a CSV's work)
    for number, row in enumerate(rows, first_row):
        lost: dict[int, tuple[str, str]] | None = None
        try:
            cells = [c if c.__class__ is text_class else texts[c.__class__][c] for c in row]
        except _NotExact as exc:
            column = next(i for i, c in enumerate(row) if c.__class__ is float and c.is_integer() and abs(c) >= 1e15)
            if header is None:
                raise InputError(f"{exc} (column {column + 1})", where=Place(name, number),
                                 hint=_NotExact.HINT) from None
            if getattr(header, "plan", None) is None:  # a header read another way: the row is refused, as ever
                where = f"column {column + 1}" + (f", {header.names[column]!r}" if column < len(header.names) else "")
                yield number, "error", (f"{exc} ({where})", _NotExact.HINT)
                continue
            cells, lost = _inexact(row, texts)
        if shown is not None:
            lost = _as_shown(shown, number, row, cells, lost)
        for column, error in errors.get(number, ()) if errors else ():  # (the reader gives them as empty cells)
            if 0 <= column < len(cells):
                if isinstance(error, str):
                    cells[column] = error
                elif isinstance(row[column], dt.date):  # (a date and time too)
                    cells[column] = error.text()
        while cells and not cells[-1]:
            cells.pop()
        text = "".join(cells)
        if MARK in text:  # a byte-order mark pasted into a cell is no text (as in a CSV row)
            cells = [unmarked(cell) for cell in cells]
            text = unmarked(text)
        if not text or text.isspace():
            continue  # a row of empty cells (Excel keeps formatted ones): no record
        if header is None:  # as csv_items reads its header: the same column map, the same notes
            # (as wide as the sheet, as its CSV copy's is: a column holding values below a header cell left empty is
            # a column with no name, not read, as in the CSV; trimmed, each row holding one was refused, "the row
            # has 6 cells, the header names 5 columns", with a hint to quote a comma)
            cells.extend([""] * (len(row) - len(cells)))
            try:
                header = header_class(cells, methods, Place(name, number), column_map)
            except NoHeader as exc:  # (a title above the header? the rows under it say)
                if not hidden:
                    raise header_below(((n, [_cell_text(c) for c in r]) for n, r in enumerate(rows, number + 1)),
                                       exc, header_class, methods, column_map) from None
                raise InputError(exc.message, where=exc.place or exc.where, hint=f"{exc.hint}; or is the cohort on "
                                 f"{_hidden_named(hidden)}") from None
            except InputError as exc:
                if not hidden:
                    raise
                raise InputError(exc.message, where=exc.place or exc.where, hint=f"{exc.hint}; or is the cohort on "
                                 f"{_hidden_named(hidden)}") from None
            if again is not None:
                header.refuse_month_first(month_first_in(header, ((n, row) for n, row in enumerate(again(), first_row)
                                                                 if n > number)))
            if merged and merged[1]:
                header.sheet_notes = _merged_notes(merged[1], merged[0], header, number)
            if on_header is not None:
                on_header(header)
            continue
        if len(text) > MAX_RECORD:
            yield number, "error", (f"the row holds more than {MAX_RECORD >> 20} MiB of text (a record is at most "
                                    "that)", "is this sheet a cohort, one apprentice a row?")
            continue
        # An outcomes file's header (reading: the columns read) refuses a row for a column it reads alone: a fee shown
        # as £1,500.00 in a column the audit does not read refused every row holding one
        if lost and getattr(header, "plan", None) is None and (reading := getattr(header, "reading", None)) is not None:
            read = {column for column, *_ in reading}
            lost = {column: why for column, why in lost.items() if column in read}
        if lost and getattr(header, "plan", None) is None:  # (a header read another way: refused, as ever)
            column, (message, hint) = next(iter(lost.items()))
            yield number, "error", (f"{message} (column {column + 1})", hint)
            continue
        item = row_item(header, number, cells)
        if lost:
            item = _lost_digits(header, number, item, lost)
        if item is not None:
            yield item
    if header is None:
        raise InputError("the worksheet has no rows", where=name, hint=f"is the cohort on {_hidden_named(hidden)}"
                         if hidden else "its first row names the columns, as a CSV cohort's header does")


def _hidden_named(hidden: tuple[str, ...]) -> str:
    """The hidden worksheets holding values, as a question's end: which to read, and how."""
    return (f"the hidden worksheet {quote(hidden[0])}? name it with --sheet {quote(hidden[0])}" if len(hidden) == 1
            else "a hidden worksheet (" + ", ".join(map(quote, hidden)) + ")? name it with --sheet NAME")


def _as_shown(shown: tuple[ShownCells, list[tuple[int, bytearray]]], number: int, row: list[Any], cells: list[str],
              lost: dict[int, tuple[str, str]] | None) -> dict[int, tuple[str, str]] | None:
    """Each number of row ``number`` that its format shows as other text (000123 for 123), put in ``cells`` as it
    shows; one whose format is not written out here is added to ``lost`` (refused where epa reads its column)."""
    cells_shown, columns = shown
    for column, marks in columns:
        if number < len(marks) and (code := marks[number]) and 0 <= column < len(row) \
                and row[column].__class__ in (float, int) and not (lost and column in lost):
            text = cells_shown.text(code, row[column])
            if text is not None:
                cells[column] = text
            else:
                lost = {**(lost or {}), column: (cells_shown.refusal(code), _SHOWN_HINT)}
    return lost


def _inexact(row: list[Any], texts: _Texts) -> tuple[list[str], dict[int, tuple[str, str]]]:
    """A row's cells as text, each number Excel cannot hold exactly (see _text) an empty cell; and those numbers'
    columns (index) with why."""
    cells, lost = [], {}
    for at, cell in enumerate(row):
        try:
            cells.append(cell if cell.__class__ is str else texts[cell.__class__][cell])
        except _NotExact as exc:
            cells.append("")
            lost[at] = (str(exc), _NotExact.HINT)
    return cells, lost


def _lost_digits(header: CsvHeader, number: int, item: Item | None, lost: dict[int, tuple[str, str]]) -> Item | None:
    """``item`` (the row read without the numbers in ``lost``), refused where epa reads one of their columns, each
    named beside the row's other problems and its apprentice; a column epa does not read (or one left out) is not
    read, so its number refuses nothing."""
    mine = [{"column": name, "path": column_path(kind), "message": lost[index][0], "hint": lost[index][1]}
            for index, _, _, _, _, kind, name in header.plan if index in lost]
    if not mine:
        return item
    theirs: tuple[dict[str, Any], ...] = ()
    apprentice = None
    if item is not None and item[1] == "error":
        other = item[2]
        apprentice = other.apprentice if isinstance(other, RowRefusal) else None
        if isinstance(other, RowRefusal) and other.problems:
            theirs = tuple(other.problems)
        else:
            message, hint = other[0], other[1]
            theirs = ({"column": getattr(other, "column", None), "path": getattr(other, "path", None),
                       "message": message, "hint": hint},)
    elif item is not None:
        ident = item[2][0].get("apprentice", {}).get("id")
        apprentice = ident if isinstance(ident, str) else None
    named = {problem["column"] for problem in mine}  # (read empty there, so "missing" is said of them)
    theirs = tuple(problem for problem in theirs if problem["column"] not in named)
    return number, "error", RowProblems.listed([*mine, *theirs], apprentice).refusal()


# --- cell values ---------------------------------------------------------------------------------------------

_MIDNIGHT = dt.time()


class _NotExact(ValueError):
    HINT = "format the column as Text in Excel and type the ids again (Excel keeps 15 digits of a number)"


def _text(value: Any) -> str:
    """A cell's value as a CSV export of it holds it (see the module's doc)."""
    if value.__class__ is float:
        if value.is_integer():
            if abs(value) < 1e15:
                return str(int(value))
            raise _NotExact(f"a cell holds the number {value:.15g}: Excel keeps 15 significant digits of a number, so "
                            "an id this long has lost its last digits")
        return f"{value:.15g}"
    if value.__class__ is bool:
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == _MIDNIGHT else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


_TEXT: dict[type, Callable[[Any], str]] = {float: _text, bool: {True: "true", False: "false"}.__getitem__,
                                            dt.date: dt.date.isoformat}


def _cell_text(value: Any) -> str:
    """A cell's text where a number Excel cannot hold exactly is no matter (a look for the header)."""
    try:
        return cell_text(value)
    except _NotExact:
        return ""


def cell_text(value: Any) -> str:
    """A cell's value as a CSV export holds it (see the module's doc)."""
    return value if value.__class__ is str else _TEXT.get(value.__class__, _text)(value)


class _Memo(dict[Any, str]):
    """The text of each value of one class seen so far (a cohort's dates and numbers repeat: each is converted
    once; at most _MEMO kept). A value whose text cannot be written raises, and is not kept."""

    def __init__(self, convert: Callable[[Any], str]):
        super().__init__()
        self.convert = convert

    def __missing__(self, value: Any) -> str:
        text = self.convert(value)
        if len(self) < _MEMO:
            self[value] = text
        return text


class _Texts(dict[type, _Memo]):
    """A _Memo for each class of cell value (by class: True, 1 and 1.0 are one key to a dict, not to a CSV)."""

    def __missing__(self, kind: type) -> _Memo:
        memo = self[kind] = _Memo(_TEXT.get(kind, _text))
        return memo


_MEMO = 1 << 12


# --- the workbook, checked -----------------------------------------------------------------------------------

def _open(source: str | IO[bytes], name: str, sheet: str | None, standards: Standards | None = None
          ) -> tuple[Iterator[list[Any]], tuple[int, int], dict[tuple[int, int], Cell],
                     Callable[[], Iterator[list[Any]]] | None, Merged, tuple[str, ...], ShownCells | None]:
    """The rows of the sheet asked for (or the one visible worksheet), the first one's row and column numbers,
    the cells holding an Excel error (such as #N/A), by row and column number, with the error's text, a way to
    read the rows again where the sheet holds text shaped as a month-first date, its merged ranges, and (where
    no sheet is asked for) the hidden worksheets holding values, and the numbers shown as other text (000123).
    ``standards``: ids (each with its lower-case bytes) to look for, and the set the ones found are added to."""
    import zipfile

    try:
        with open(source, "rb") if isinstance(source, str) else _kept(source) as stream:
            first = stream.read(8)
            stream.seek(0)
            if first.startswith(OLE):
                raise _ole(name)
            if not first.startswith(ZIP):
                raise InputError("this is not an Excel workbook (.xlsx files are zip files; this one is not)",
                                 where=name, hint=f"if it is CSV, name it .csv; if it is a workbook, {_SAVE_AS}")
            with zipfile.ZipFile(stream) as archive:
                title, part, hidden = _sheet(archive, name, sheet)
                errors, month_first, shown = _check(archive, part, name, title, standards)
    except zipfile.BadZipFile as exc:
        raise InputError(f"the workbook is damaged: {exc}", where=name, hint=_SAVE_AS) from None
    except OSError as exc:
        raise InputError(f"cannot read the workbook: {exc.strerror or exc}", where=name) from None
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_object(source)
        used = book.get_sheet_by_name(title)
    except python_calamine.PasswordError:
        raise _ole(name) from None
    except Exception as exc:  # the reader's own errors (XmlError, ZipError, CalamineError, WorksheetNotFound)
        raise InputError(f"the workbook cannot be read: {type(exc).__name__}: {exc}", where=name,
                         hint=_SAVE_AS) from None
    except BaseException as exc:  # a panic in the reader's Rust code is pyo3's PanicException, a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise InputError(f"the workbook cannot be read: {exc}", where=name, hint=_SAVE_AS) from None
    if used.start is None:
        return iter(()), (1, 1), {}, None, [], hidden, None
    top, left = used.start

    def rows() -> Iterator[list[Any]]:
        # The reader gives the used range's columns, but its rows from the sheet's first: one empty row for each row
        # above the range comes first. Skipped, so that the first row given is row top + 1 (a row's number is its
        # line, and an error cell is put in its own row, not one `top` rows above it: found by review)
        return itertools.islice(used.iter_rows(), top, None)

    return (rows(), (top + 1, left + 1), errors, rows if month_first else None, used.merged_cell_ranges or [],
            hidden, shown)


class _kept:
    """A stream left open (the caller owns it) in a ``with``."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream

    def __enter__(self) -> IO[bytes]:
        return self.stream

    def __exit__(self, *_: object) -> None:
        self.stream.seek(0)


def _small_xml(archive: zipfile.ZipFile, part: str, name: str) -> ElementTree.Element:
    from xml.etree import ElementTree

    info = archive.getinfo(part)
    if info.file_size > MAX_SMALL_XML:
        raise InputError(f"the workbook's {part} is {info.file_size:,} bytes uncompressed, more than a workbook's "
                         "list of sheets ever holds", where=name, hint=_SAVE_AS)
    try:
        return ElementTree.fromstring(archive.read(part))
    except ElementTree.ParseError as exc:
        raise InputError(f"the workbook's {part} is not XML: {exc}", where=name, hint=_SAVE_AS) from None


def _sheet(archive: zipfile.ZipFile, name: str, wanted: str | None) -> tuple[str, str, tuple[str, ...]]:
    """The worksheet to read (``wanted``, else the one visible worksheet): its title and the zip part holding it;
    and, where none is asked for, the hidden worksheets holding values (a visible sheet of instructions and the
    cohort hidden: the sheet read was 'no rows', or a header of no columns, without a word of the other)."""
    try:
        book = _small_xml(archive, "xl/workbook.xml", name)
        rels = _small_xml(archive, "xl/_rels/workbook.xml.rels", name)
    except KeyError:
        if _is_ods(archive):
            raise _ods(name) from None
        raise InputError("this zip file is not an Excel workbook (it has no xl/workbook.xml)", where=name,
                         hint=_SAVE_AS) from None
    wanted = None if wanted is None else as_typed(wanted)
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets = []  # (title, part, visible): worksheets only (a chart sheet's part is under xl/chartsheets)
    for s in book.iter():
        if s.tag.rpartition("}")[2] != "sheet":  # (by its local name: Strict Open XML has other namespaces)
            continue
        target = targets.get(next((v for k, v in s.attrib.items() if k.endswith("}id")), None), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part.startswith("xl/worksheets/"):
            sheets.append((s.get("name", ""), part, s.get("state", "visible") == "visible"))
    if wanted is not None:
        for title, part, _ in sheets:
            if title == wanted:
                return title, part, ()
        titles = [t for t, _, _ in sheets]
        raise InputError(f"the workbook has no worksheet {quote(wanted)}", where=name,
                         hint=did_you_mean(wanted, titles) or "its worksheets: " + ", ".join(map(quote, titles)))
    shown = [(title, part) for title, part, visible in sheets if visible]
    if len(shown) > 1:  # an empty worksheet is no cohort (an old Excel's new workbook has Sheet1 to Sheet3)
        shown = [(title, part) for title, part in shown if _holds_values(archive, part)] or shown
    if len(shown) > 1:  # which one is the cohort is not epa's to guess (Excel saves the active one as CSV)
        raise InputError(f"the workbook has {len(shown)} worksheets: which one is the cohort?", where=name,
                         hint="name it with --sheet NAME: " + ", ".join(quote(title) for title, _ in shown))
    hidden = tuple(title for title, part, visible in sheets if not visible and _holds_values(archive, part))
    if shown:
        return (*shown[0], hidden)
    raise InputError("the workbook has no visible worksheet", where=name,
                     hint=f"is the cohort on {_hidden_named(hidden)}" if hidden else _SAVE_AS)


def _holds_values(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the worksheet ``part`` holds any cell with a value (one too large to look through, or not there, is
    taken to: it is checked, or refused, as the sheet read)."""
    try:
        info = archive.getinfo(part)
    except KeyError:
        return True
    if info.file_size > MAX_SMALL_XML:
        return True
    with archive.open(info) as xml:
        text = xml.read()
    return any(tag in text for tag in _VALUES)


# A cell in a column past Z: its column letters (a cohort's sheet seldom has one, so the search is quick)
_WIDE = re.compile(rb'r=["\']([A-Z]{2,})\d')
# The last cell holding a value in a chunk: its value (<v>, or an inline string's <is>), then its position before it.
# Cells that only carry formatting (Excel keeps them on rows nobody filled) hold no value: the reader skips them.
_VALUES = (b"<v>", b"<is>", b":v>", b":is>")
_CELL_AT = b' r="'
_ROW_NUMBER = re.compile(rb"[A-Z]{0,3}(\d+)")  # (a cell's place, or its row's where the cell has none)
# A formula written without a value: </f> (or <f .../>) then the cell's end, or an empty <v/>
_NO_VALUE = re.compile(rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(?:<(?:\w+:)?v\s*/>\s*)?</(?:\w+:)?c>")
# A cell holding an error, <c r="B7" t="e"><v>#N/A</v></c> (a formula may stand before its value): the tag, the text
_ERROR = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt=["\']e["\'][^>]*)>(?:\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>))?'
                    rb'\s*<(?:\w+:)?v>([^<]{1,40})</')
_AT = re.compile(rb'\br=["\']([A-Z]{1,3})(\d{1,7})["\']')
_FORMULA = re.compile(rb"f[ />]")  # <f>, </f> or <f .../>: a formula (a search for a literal is quicker than ``in``)
# Text shaped as a month-first date, 12/25/2025: an inline or shared string's (<t>), or a formula's text result
# (<v>: TEXT(A2,"mm/dd/yyyy"), passed over before, so its column's 03/04/2025 was read as 3 April; a number's <v>
# never holds two of / . -); or eight digits so, MMDDYYYY (12252025), as text or as a number typed so
_MONTH_FIRST_TEXT = re.compile(rb"<(?:\w+:)?(?:t\b[^>]*|v)>\s*(?:\d{1,2}([/.-])(?:1[3-9]|2\d|3[01])\1"
                               rb"|(?:0[1-9]|1[0-2])(?:1[3-9]|2[0-9]|3[01])(?:19|20)[0-9][0-9]\s*<)")
MAX_ERRORS = 100_000  # error cells remembered; a worksheet with more is refused (the reader gives them as empty)
_FULL_CALC = re.compile(rb"""fullCalcOnLoad=["'](?:1|true)["']""")  # (an XML boolean is 1 or true)
_DATE_1904 = re.compile(rb"""date1904=["'](?:1|true)["']""")
# A number the reader gives as another day than Excel's, if its cell is a date: a time a hair before midnight
# (23:59:59.9999: the reader rounds it to the millisecond, which carries into the next day), and Excel's
# 29 February 1900 (the serial 60), which never was. Its tag, and the number as written.
_SERIAL = re.compile(rb'<(?:\w+:)?c\b([^>]*)>(?:\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>))?'
                     rb'\s*<(?:\w+:)?v>(\d{1,7}\.99999999\d*|60(?:\.\d+)?)</')
_TAIL = 64 << 10  # bytes of a chunk read again with the next, at most: a cell's start is looked for within them


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


# Standard ids to look for in a workbook's text, each with its lower-case bytes, and the set of those found: read in
# the one pass over its XML that _check makes anyway (batch.run's CSV columns are those of the standards found).
Standards = tuple[dict[str, bytes], set[str]]


def _check(archive: zipfile.ZipFile, part: str, name: str, title: str,
           standards: Standards | None = None) -> tuple[dict[tuple[int, int], Cell], bool, ShownCells | None]:
    """Refuse a workbook that could not be read in bounded memory and time, or would be read wrong: a zip bomb,
    a used range too large, formulas without values. The sheet's XML is read once, as a stream, each chunk
    searched with a few quick searches: this is most of the time a workbook takes beyond its CSV copy. Return
    the cells holding an Excel error, which the reader gives as empty (a CSV export holds their text), and whether
    any text in the sheet is shaped as a month-first date (12/25/2025), for which its date columns are read whole
    before grading (cohort_input.month_first_in); and the numbers its styles show as other text (000123 for 123:
    epa.inputs.xlsx_formats), None where no style does."""
    try:
        info = archive.getinfo(part)
    except KeyError:
        raise InputError(f"the workbook lists the worksheet {quote(title)} but does not hold it", where=name,
                         hint=_SAVE_AS) from None
    for what, size, limit in ((f"the worksheet {quote(title)}", info.file_size, MAX_SHEET_XML),
                              ("the shared strings", _size(archive, "xl/sharedStrings.xml"), MAX_STRINGS_XML)):
        if size > limit:
            raise InputError(f"{what} is {size:,} bytes uncompressed, more than the {limit >> 20:,} MiB epa reads "
                             "of a workbook (is it a zip bomb?)", where=name,
                             hint="save the cohort as 'CSV UTF-8': CSV is read as a stream, whatever its size")
    # Excel and LibreOffice store every formula's value; a program that writes formulas without them asks the
    # reader to calculate on opening (fullCalcOnLoad): only then are the formulas looked for.
    book = archive.read("xl/workbook.xml")
    uncalculated = _FULL_CALC.search(book) is not None
    from_1900 = _DATE_1904.search(book) is None
    # (single-letter columns are not searched for, to save a search per cell: a sheet is taken to reach Z, 26
    # columns, unless a wider one is found, so that a stray cell at Z1048576 is counted as the 27 million it is)
    bottom, widest, formulas, tail, month_first = 0, b"Z", 0, b"", False
    placeless = False  # a cell or row written without its place (r="B7"): placed by a pass of its own, below
    errors: dict[tuple[int, int], Cell] = {}
    needles = _needles(standards)
    checkpoint = CHECKPOINT.get() or _go_on
    allowed = min(MAX_CELLS, CELLS_ALLOWED.get())
    styles = xlsx_formats.formats(archive, MAX_SMALL_XML, name)
    shown = ShownCells(styles, allowed) if styles else None
    with archive.open(info) as xml:  # (zipfile reads no more than the declared size, and checks its CRC)
        while chunk := xml.read(_CHUNK):
            checkpoint()
            text = tail + chunk
            if _WIDE.search(text):
                widest = max([widest, *set(_WIDE.findall(text))], key=lambda letters: (len(letters), letters))
            value = _last_value(text)
            at = text.rfind(_CELL_AT, 0, value) if value >= 0 else -1
            # (a program writes every cell with its place or none: the last cell holding a value is looked at)
            if value >= 0 and at < max(text.rfind(b"<c", 0, value), text.rfind(b":c", 0, value)):
                placeless = True
            if at >= 0 and (digits := _ROW_NUMBER.match(text, at + len(_CELL_AT))):
                bottom = max(bottom, int(digits[1]))
            # (every error the reader accepts is written with a "#", #N/A to #SPILL!: one byte, found at once)
            if b"#" in text and b't="e"' in text:
                for cell, error in _ERROR.findall(text):
                    where = _at(cell)
                    if where is None:
                        placeless = True
                    else:
                        _error(errors, where, error, name, title)
            if b"99999999" in text or (from_1900 and (b">60<" in text or b">60." in text)):
                placeless = not _serials(text, errors, from_1900, name, title) or placeless
            if shown is not None:
                placeless = not shown.find(text, _at) or placeless
            if uncalculated and _FORMULA.search(text):  # (<f>, </f>, <f .../>: its value is looked for only then)
                formulas += sum(1 for f in _NO_VALUE.finditer(text) if f.end() > len(tail))  # (once: not the tail's)
            if needles:
                _find(text, needles, standards)
            month_first = month_first or bool(_MONTH_FIRST_TEXT.search(text))
            tail = _tail(text)  # a cell cut by the chunk's end is whole in the next one (a cell read twice is
            # harmless: only the extremes are kept, a cell's error or serial by its place, formulas counted once)
    if "xl/sharedStrings.xml" in archive.namelist():  # (its size checked above)
        with archive.open("xl/sharedStrings.xml") as shared:
            tail = b""
            while chunk := shared.read(_CHUNK):
                checkpoint()
                _find(tail + chunk, needles, standards)
                month_first = month_first or bool(_MONTH_FIRST_TEXT.search(tail + chunk))
                tail = chunk[-64:]
    columns = _column(widest)
    if placeless:
        placed_bottom, placed_columns = _place(archive, info, errors, from_1900, name, title, shown)
        bottom, columns = max(bottom, placed_bottom), max(columns, placed_columns)
        widest = _letters(columns).encode()
    if columns > MAX_COLUMNS:
        raise _too_large(name, title, f"its cells reach column {widest[:8].decode()} ({columns:,}); a cohort has "
                                      f"at most {MAX_COLUMNS:,} columns")
    if bottom > MAX_ROWS or bottom * columns > allowed:
        raise _too_large(name, title, f"its cells reach row {bottom:,} and {columns:,} columns, more than the "
                                      f"{allowed:,} cells epa reads of {'a' if allowed == MAX_CELLS else 'this'} "
                                      "worksheet")
    if formulas:
        raise InputError(f"the worksheet {quote(title)} has {formulas:,} formula{'s' if formulas > 1 else ''} with "
                         "no stored value (the workbook was written by a program that did not calculate them), which "
                         "would read as empty cells",
                         where=name, hint="open it in Excel or LibreOffice and save it: each formula's value is "
                                          "stored then; or save it as 'CSV UTF-8'")
    return errors, month_first, shown


def _go_on() -> None:
    """No one to stop the read (the command line's: Ctrl-C does)."""


def _at(cell: bytes) -> tuple[int, int] | None:
    """The row and column of a cell from its tag's attributes; None for a cell written without its place (r="B7",
    which the format lets a program leave out: _place places it as the reader does)."""
    found = _AT.search(cell)
    return None if found is None else (int(found[2]), _column(found[1]))


def _error(errors: dict[tuple[int, int], Cell], where: tuple[int, int], error: bytes, name: str, title: str) -> None:
    """Note the error cell at ``where`` (its text ``error``)."""
    if len(errors) >= MAX_ERRORS and where not in errors:  # (one more would be read as empty)
        raise InputError(f"the worksheet {quote(title)} has more than {MAX_ERRORS:,} cells holding an Excel error "
                         "(#N/A, #VALUE!...), more than epa keeps in mind to read each as its text", where=name,
                         hint="replace the errors (a formula's IFERROR, or the values pasted as values), or save the "
                              "sheet as 'CSV UTF-8', which holds their text")
    errors[where] = error.decode("utf-8", "replace")


# A row's or a cell's tag (a cell whole: its attributes, its value's XML), in the order the worksheet gives them
_PLACE = re.compile(rb"<(?:\w+:)?(?:(row)\b([^>]*)>|c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>))", re.DOTALL)
_ROW_AT = re.compile(rb'\br=["\'](\d{1,7})["\']')


def _place(archive: zipfile.ZipFile, info: zipfile.ZipInfo, errors: dict[tuple[int, int], Cell], from_1900: bool,
           name: str, title: str, shown: ShownCells | None = None) -> tuple[int, int]:
    """A worksheet with cells or rows written without their place (r="B7", r="7": the format lets a program leave
    them out), read once more tag by tag to place each as the reader does (a row after the one before it, a cell
    in the column after the one before it in its row): the last row and column holding a value (the used range the
    reader will hold, bounded as any other), and each error cell and date serial the reader gives wrong, added to
    ``errors``. They were refused, 'a cell written without its place', wherever a number 60 or a time a hair before
    midnight stood, in a date's cell or not, and the used range went unchecked (found by the hunt). The numbers
    shown as other text (000123) are placed in ``shown`` too."""
    row = column = bottom = right = 0
    tail = b""
    checkpoint = CHECKPOINT.get() or _go_on
    with archive.open(info) as xml:
        while True:
            checkpoint()
            chunk = xml.read(_CHUNK)
            text = tail + chunk
            done = 0
            for tag in _PLACE.finditer(text):
                if chunk and tag.end() > len(text) - 64:  # (a tag the chunk's end may cut: read with the next)
                    break
                done = tag.end()
                if tag[1]:
                    at = _ROW_AT.search(tag[2])
                    row, column = (int(at[1]) if at else row + 1), 0
                    continue
                at = _AT.search(tag[3])
                column = _column(at[1]) if at else column + 1
                where = (int(at[2]) if at else row, column)
                if tag[4] is None or not any(value in tag[4] for value in _VALUES):
                    continue
                bottom, right = max(bottom, where[0]), max(right, column)
                if b't="e"' in tag[3] and (error := _ERROR.match(tag[0])):
                    _error(errors, where, error[2], name, title)
                elif (serial := _SERIAL.match(tag[0])) and (from_1900 or not serial[2].startswith(b"60")):
                    _serial(errors, where, serial[2], from_1900, title, name)
                if shown is not None and (styled := xlsx_formats.STYLED.match(tag[0])) \
                        and styled[2] in shown.styles and shown.numeric(styled[1]):
                    shown.mark(where, styled[2])
            if not chunk:
                return bottom, right
            tail = text[done:]
            if len(tail) > MAX_RECORD + _CHUNK:
                raise _too_large(name, title, f"a cell holds more than {MAX_RECORD >> 20} MiB")


class _Serial(float):
    """A date cell's number that the reader gives as another day than Excel's (see _SERIAL): its text, as Excel
    shows it, in place of the reader's date, if the reader gives a date there (the same number in a cell of
    another format, a count of 60, is that number)."""

    from_1900 = True

    def text(self) -> str:
        days = int(self)  # (its day is the number's whole part: a time never carries into the next day)
        time = dt.timedelta(milliseconds=min(int((self - days) * 86_400_000), 86_399_999))
        if self.from_1900 and days == 60:  # Excel's 29 February 1900 (Lotus 1-2-3's), which the date reader refuses
            return "1900-02-29" + (f"T{dt.datetime.min + time:%H:%M:%S}" if time else "")
        # (Excel counts the days before its 29 February from 31 December 1899, those after it from the 30th)
        epoch = dt.datetime(1899, 12, 31 if days < 60 else 30) if self.from_1900 else dt.datetime(1904, 1, 1)
        return _text(epoch + dt.timedelta(days=days) + time)


# A cell the reader gives other than a CSV export holds it, and what it holds: an error's text, or a date's number
Cell = str | _Serial


def _serials(text: bytes, found: dict[tuple[int, int], Cell], from_1900: bool, name: str, title: str) -> bool:
    """Add to ``found`` each cell in ``text`` of a number the reader gives as another day than Excel would (see
    _SERIAL), by its row and column; False where one has no place (r="B7": _place places it)."""
    placed = True
    for cell, number in _SERIAL.findall(text):
        where = _at(cell)
        if where is None:
            placed = False
        else:
            _serial(found, where, number, from_1900, title, name)
    return placed


def _serial(found: dict[tuple[int, int], Cell], where: tuple[int, int], number: bytes, from_1900: bool, title: str,
            name: str) -> None:
    if where not in found:
        if len(found) >= MAX_ERRORS:
            raise InputError(f"the worksheet {quote(title)} has more than {MAX_ERRORS:,} cells holding an Excel "
                             "error or a time a hair before midnight, more than epa keeps in mind", where=name,
                             hint="save the sheet as 'CSV UTF-8'")
        serial = _Serial(number)
        serial.from_1900 = from_1900
        found[where] = serial


def _tail(text: bytes) -> bytes:
    """The end of a chunk read again with the next one: from the start of the last cell in it, so that a cell cut
    by the chunk's end is whole in the next (an error cell with its formula is longer than a tag: one cut so was
    read as empty, found by the hunt), and at least the last 64 bytes (a tag cut so)."""
    near = max(0, len(text) - _TAIL)
    at = max(text.rfind(b"<c ", near), text.rfind(b"<c>", near))
    prefixed = text.rfind(b":c ", near)  # (<x:c r=...>: Strict Open XML's prefix, a few letters before it)
    if prefixed > at:
        at = text.rfind(b"<", max(near, prefixed - 16), prefixed)
    return text[max(0, min(at, len(text) - 64)) if at >= 0 else -64:]


def _last_value(text: bytes) -> int:
    """Where the last value tag in ``text`` starts (-1: none): looked for near the end first, since a chunk of a
    worksheet ends among its cells (a tag absent from the window is looked for in the whole chunk)."""
    near = max(0, len(text) - _NEAR)
    found = max([text.rfind(tag, near) for tag in _VALUES])
    return found if found >= 0 or not near else max([text.rfind(tag) for tag in _VALUES])


_NEAR = 1 << 14


Needle = tuple[str, bytes, re.Pattern[bytes], Callable[[bytes], bool]]


def _needles(standards: Standards | None) -> list[Needle]:
    """Each standard id to look for: its lower-case bytes, a search for the longest run of them with no letter
    (b"0071" of b"st0071"), which has no case: a text without it does not hold the id, and is not lowered; and a
    finder of the id in each form a row's cell is read as it (st 0071: columns.standard_finder)."""
    if standards is None:
        return []
    return [(s, i, re.compile(re.escape(max(re.split(rb"[a-z]+", i), key=len))), standard_finder(s))
            for s, i in standards[0].items()]


def _find(text: bytes, needles: list[Needle], standards: Standards | None) -> None:
    """Add to the found set each standard whose id ``text`` holds, in any case (as a CSV cohort is scanned)."""
    if standards is None:
        return
    found = standards[1]
    lowered = None
    for s, i, caseless, forms in needles:
        if s not in found and caseless.search(text):
            if lowered is None:
                lowered = text.lower()
            if i in lowered or forms(lowered):
                found.add(s)


def _size(archive: zipfile.ZipFile, part: str) -> int:
    try:
        return archive.getinfo(part).file_size
    except KeyError:
        return 0


def _too_large(name: str, title: str, why: str) -> InputError:
    return InputError(f"the worksheet {quote(title)} is too large to read: {why}", where=name,
                      hint="delete the rows and columns beyond the cohort (a stray cell far away makes the sheet "
                           "that large), or save it as 'CSV UTF-8'")
