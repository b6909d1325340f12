"""Reading a cohort for `epa compare --batch`: its physical lines, bounded, and its records (JSON Lines, or CSV rows
turned into the records a YAML file would hold), each with the line it starts on.

Every size is bounded, whatever the input: a line or a CSV record longer than MAX_RECORD is an error as soon as that
much is read (nothing more of it is kept; it is one error item) and reading goes on where it ends; a line (or a
quoted CSV cell) that runs on past MAX_SKIP is the input's last item, a refusal, so that even a device that never
writes a line end is read to an end. Lines end with "\\n" or "\\r\\n", and, from the first line that shows one on,
with a bare "\\r" too (as classic Mac OS and some exports write them). The input is UTF-8 (a byte-order
mark is allowed); a UTF-16 file reaches these readers as UTF-8 (utf16.as_utf8), so one whose mark is still here
was not given to it, and UTF-32 is refused, each naming the encoding and how to save the file as UTF-8.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import operator
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from io import RawIOBase
from pathlib import Path
from typing import IO, Any, NamedTuple

import attrs

from epa.errors import REORDERING, InputError, Place, character_named, control_in_name, quote
from epa.inputs import columns
from epa.inputs.documents import Source, json_path
from epa.inputs.hostile import ID_BLANKS, LINE_TOO_LONG, MAX_RECORD  # bytes one record may hold; more: an error item
from epa.inputs.marks import unmarked, unmarked_json

MAX_SKIP = 64 << 20  # bytes of one line (or CSV record) read past before reading stops: the input has no line ends
# The suffixes of a file read as CSV: tab-separated text too (its separator is found from its header), as Excel saves
# "Unicode Text (*.txt)" (UTF-16) and "Text (Tab delimited) (*.txt)", and other tools .tsv.
DELIMITED = (".csv", ".tsv", ".txt")
MAX_COLUMNS = 1000  # columns a CSV header may name (a cohort has a few dozen: more is refused before any check)
# (a cohort's total row: CsvHeader.TOTAL_ROW; row_item)
TOTAL_ROW = ("the row is a total row (its first cell says so), not a record: a spreadsheet's sum or count under the "
             "records", "delete the row (and any other below the records): each row of a cohort is one apprentice")
# A cell may be as long as its record (the csv module's default is 128 KiB). The limit is the csv module's, one per
# process: set once, here, and only ever raised, never set and put back per run, which would race between the
# server's threads (one thread putting the default back while another reads a long cell).
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD))

# --- CSV columns ---------------------------------------------------------------------------------------

APPRENTICE = ("date_of_birth", "start_date", "english", "maths", "ehcp", "bsl")
GATEWAY = ("portfolio_pieces", "project_proposal_words", "photo_id", "gateway_form", "portfolio",
           "project_proposal", "portfolio_declaration", "english_maths_declaration")
DATES = ("registered", "evidence_submitted", "epa_start", "planning_meeting", "proposal_rejected",
         "proposal_resubmitted", "portfolio_submitted", "project_report_submitted", "observation_notice")
BOOLEANS = {"ehcp", "bsl", "photo_id", "gateway_form", "portfolio", "project_proposal", "portfolio_declaration",
            "english_maths_declaration"}
INTEGERS = {"portfolio_pieces", "project_proposal_words"}
REQUIRED = {"standard": "the standard", "apprentice": "the apprentice's id", "gateway_date": "the gateway date"}


def _column_kinds(methods: Iterable[str]) -> dict[str, tuple[tuple[str, ...], columns.Parse | None]]:
    """Every field a CSV cohort's column may hold: where its value goes in the record, and how it is read."""
    kinds: dict[str, tuple[tuple[str, ...], columns.Parse | None]] = {
        "standard": (("standard",), columns.parse_standard), "apprentice": (("apprentice", "id"), columns.parse_id),
        "gateway_date": (("gateway", "date"), columns.parse_date)}
    for c in APPRENTICE:
        kinds[c] = ("apprentice", c), (columns.parse_level if c in ("english", "maths") else columns.parse_bool
                                       if c in BOOLEANS else columns.parse_date)
    for c in GATEWAY:
        kinds[c] = ("gateway", c), columns.parse_bool if c in BOOLEANS else columns.parse_int
    kinds.update({c: (("dates", c), columns.parse_date) for c in DATES})
    for m in methods:
        kinds.update({m: (("method", m, "grade"), columns.parse_grade_or_not_yet),
                      f"{m}_criteria": (("method", m, "criteria_met"), columns.parse_criteria),
                      f"{m}_date": (("method", m, "date"), columns.parse_date)})
    return kinds


@attrs.frozen
class ColumnMap:
    """The user's names for columns (``--column "Learner Ref=apprentice"``, ``--columns FILE``): each column name
    (as the header spells it, or folded alike) and the field it holds, "" to leave the column out; and whether a
    column epa does not read is an error (``--strict``)."""

    names: tuple[tuple[str, str], ...] = ()
    strict: bool = False


@attrs.frozen
class Unread:
    """A column of the header that epa does not read: its name as the header spells it, its number (from 1), and
    the field it most resembles, if one is close."""

    name: str
    number: int
    suggestion: str | None = None

    def __str__(self) -> str:
        named = f'"{self.name}"' if self.name else "(no name)"
        return f"{named} (column {self.number}" + (f"; did you mean {self.suggestion}?)" if self.suggestion else ")")


def _shown(text: str) -> str:
    """``text`` without its invisible format characters (Unicode's Cf)."""
    return text if text.isprintable() else "".join(c for c in text if unicodedata.category(c) != "Cf")


def _invisible(char: str) -> bool:
    """Whether a column name's ``char`` shows nothing: a format character (Cf), or a control character (Cc) but a
    tab and the line breaks (a name typed over two lines, Alt+Enter, shows as it is read)."""
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and char not in "\t\n\r")


_SEPARATOR_NAMES = {",": "a comma", ";": "a semicolon", "\t": "a tab", "|": "a vertical bar (|)"}


def header_names(cells: Sequence[str], where: str | Place) -> tuple[list[str], str, dict[int, str]]:
    """Each column's name as it shows, the blanks around it taken off, and what is said (a note's sentence, or "")
    of the names that held an invisible format character (Unicode's Cf: a zero-width space, a soft hyphen, a
    byte-order mark from a joined export), taken out. A name is read as it shows: "Start Date (dd/mm<U+200B>/yyyy)"
    was a column not read (its date format unseen), and a hint's --column "NAME=" held a character --column refuses.
    A bidirectional control that reorders what follows it (an embedding, override or isolate), with which a name
    shows as other than it is, is refused, naming the column; a right-to-left or left-to-right mark, ordinary in
    Arabic and Hebrew text, is taken out as the others are (refusing it refused a whole cohort for a column of notes
    epa does not read). A control character (a corrupt export's U+0001) is taken out and named so too: matching
    dropped it without a word (found by the hunt). Last, the characters taken out of each such column's name (by
    its number), for a refusal of two columns alike once they are out (match_columns) to say which held them."""
    names, said, taken = [], [], {}
    for number, cell in enumerate(cells, 1):
        name = cell.strip()
        if not name.isprintable():  # (Cf and Cc are not printable: the common case is one scan)
            found = [c for c in name if _invisible(c)]
            if found:
                if (bidi := next((c for c in found if c in REORDERING), None)) is not None:
                    raise InputError(f"column {number}, {quote(name)}, holds {character_named(bidi)}: the name "
                                     "shows as other than it is", where=where,
                                     hint="retype the column's name in the file, or save it again as CSV UTF-8")
                name = "".join(c for c in name if not _invisible(c)).strip()
                codes = ", ".join(dict.fromkeys(character_named(c).removeprefix("the invisible format character ")
                                                .removeprefix("the ") for c in found))
                said.append(f'column {number} "{name}" ({codes})')
                taken[number] = codes
        names.append(name)
    return names, ("invisible characters taken out of a column's name, each read as it shows: " + ", ".join(said)
                   if said else ""), taken


def strict_columns(ignored: Sequence[Unread], column_map: ColumnMap, where: str | Place) -> tuple[int, ...]:
    """Under --strict, refuse a header naming a column epa does not read; and the columns it leaves without a name
    (index), which no map can name: an export's empty columns after the last (Excel writes ",,," for each it kept
    formatted) were refused with a hint no map could follow. Each is refused in a row that holds a value in it."""
    if not column_map.strict:
        return ()
    named = [unread for unread in ignored if unread.name]
    if named:
        raise InputError("columns epa does not read (--strict): " + ", ".join(map(str, named)), where=where,
                         hint='map each to a field with --column "NAME=FIELD", or leave it out with --column "NAME="')
    return tuple(unread.number - 1 for unread in ignored)


def unnamed_value(unnamed: Sequence[int], cells: Sequence[str], apprentice: int | None) -> None:
    """Refuse a row holding a value in a column its header leaves without a name (under --strict), naming the row's
    apprentice (its id in column ``apprentice``), where it gives one, as every other error row does."""
    for index in unnamed:
        if index < len(cells) and cells[index].strip():
            ident = cells[apprentice].strip() if apprentice is not None and apprentice < len(cells) else ""
            try:
                ident = columns.parse_id(ident)
            except columns.BadCell:
                ident = ""  # (its id is no id: the row's error names none, as a row refused for its id does)
            raise RowProblems.listed([{
                "column": None, "path": None, "hint": "name the column in the header (and map it, or leave it out "
                "with --column \"NAME=\"), or delete the value",
                "message": f"column {index + 1} has no name in the header, so epa does not read it (--strict), but "
                           f"this row holds {quote(cells[index].strip())} there"}], ident or None)


def _is_date(field: str) -> bool:
    """Whether a cohort's or an outcomes file's field holds a date."""
    return field in DATES or field.endswith("_date") or field == "date_of_birth"


def match_columns(names: Sequence[str], known: dict[str, str], column_map: ColumnMap, where: str | Place,
                  what: str = "epa", taken: dict[int, str] | None = None
                  ) -> tuple[dict[str, list[int]], list[Unread], list[Unread], list[str]]:
    """Which field each of a header's column ``names`` holds: by the user's map, else by its name folded in
    ``known`` (folded name -> field). Returns each field's columns (numbered from 1: more than one is refused), the
    columns not read, those the map leaves out, and the map's names that name no column. ``what`` has the fields
    (for a map naming a field it has not: "epa", "an outcomes file"); ``taken``: the invisible characters taken out
    of a column's name (by its number: header_names), which a refusal of two columns alike names."""
    ignored: list[Unread] = []
    left_out: list[Unread] = []
    mapped = {columns.fold(name): (name, field) for name, field in column_map.names}
    used: set[str] = set()
    holds: dict[str, list[int]] = {}  # field -> the columns holding it
    for number, name in enumerate(names, 1):
        key = columns.fold(name)
        if key in mapped and name:
            used.add(key)
            field = mapped[key][1].strip()
            if not field:
                left_out.append(Unread(name, number))
                continue
            found = known.get(columns.fold(field))
            if found is None:
                raise InputError(f"--column {quote(mapped[key][0] + '=' + field)}: {what} has no field {quote(field)}",
                                 where=where, hint=_did_you_mean(field, known))
        else:
            found = known.get(key) if key else None
            if found is None and (bare := columns.without_date_format(name)) is not None:
                found = known.get(columns.fold(bare))
                found = found if found is not None and _is_date(found) else None
        if found is None:
            ignored.append(Unread(name, number, columns.suggestion(name, known) if key else None))
        elif _is_date(found) and columns.states_month_first(name):
            # (mapped by the user, perhaps as the note on an unread column suggests: read day first, its 10/01/2024
            # was 10 January, every date with a day up to 12 misread and the month-first scan blind to them)
            raise InputError(f'column {number}, "{name}", says its dates are written month first (US): epa never '
                             f"reads a date month first, so it cannot be read as {found}", where=where,
                             hint=columns.MONTH_FIRST_HINT + ", and name the column without its format")
        else:
            holds.setdefault(found, []).append(number)
    for field, numbers in holds.items():
        if len(numbers) > 1:
            both = " and ".join(f'"{names[n - 1]}" (column {n}' + (f"; its name held {taken[n]}, taken out)"
                                                                   if taken and n in taken else ")")
                                for n in numbers[:2])
            more = f" (and {len(numbers) - 2} more columns)" if len(numbers) > 2 else ""
            named = [columns.fold(names[n - 1]) for n in numbers]
            # (a map names a column by its name: one of two alike would leave out or map both, the field unread)
            hint = (f'rename one of the columns named "{names[numbers[-1] - 1]}" in the file: a column map names '
                    "columns by their names, so it cannot tell them apart" if len(set(named)) < len(named) else
                    f'leave one out with --column "{names[numbers[-1] - 1]}=", or map it to another field')
            raise InputError(f"columns {both}{more} both hold {field}", where=where, hint=hint)
    return holds, ignored, left_out, [name for key, (name, _) in mapped.items() if key not in used]


class NoHeader(InputError):
    """A header row lacking a column every row needs: the first row may be a title above it, or the first of two
    (header_below). ``names``: the row's names."""

    names: Sequence[str] = ()

    def of(self, names: Sequence[str]) -> NoHeader:
        self.names = names
        return self


def header_below(rows: Iterable[tuple[int, Sequence[str]]], refused: NoHeader, header_class: type[CsvHeader],
                 methods: Iterable[str], column_map: ColumnMap | None) -> InputError:
    """The refusal of a first row that is no header (``refused``), saying on which line the header is where one of
    the next few ``rows`` (line, cells) reads as one: a title or a note above the header (an MIS export's "Cohort
    report, December 2025") was refused with a hint to delete "it", the line of the header unsaid (found by the
    hunt). So is a header split over two rows (an MIS export's 'Gateway' over 'Date'), where the first two read as
    one header with each column's names joined. The cohort is refused all the same: the lines above a header are
    no part of a cohort, and epa does not guess which they are."""
    if refused.place is None or refused.place.line is None:
        return refused
    methods = tuple(methods)
    first = refused.place.line
    for line, cells in itertools.islice(rows, _LOOK_AHEAD):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            found = header_class(cells, methods, Place(refused.place.file, line), column_map)
        except InputError:
            if line == first + 1 and refused.names and (split := _split_header(refused, cells, header_class, methods,
                                                                               column_map)):
                return refused.moved(refused.place, hint=split)
            continue
        above = f"line {first}" if line == first + 1 else f"lines {first} to {line - 1}"
        named = f"the header looks to be line {line} ({', '.join(n for n in found.names if n)[:200]})"
        # (a hint saying what the first row is, Excel's sep= line, a row of headings over groups of columns, is kept:
        # only the one asking for a column map, which no map can follow here, is not)
        return refused.moved(refused.place, hint=f"{refused.hint}; {named}" if refused.hint and not refused.hint
                             .startswith(_MAP_HINT) else f"{named}: delete {above} (a title or a note above it), so "
                                                          "that the header is the first line")
    return refused


def _split_header(refused: NoHeader, cells: Sequence[str], header_class: type[CsvHeader], methods: Iterable[str],
                  column_map: ColumnMap | None) -> str | None:
    """What to do where the refused first row and the row under it (``cells``) read as one header, each column's
    names joined ('Gateway' over 'Date': Gateway Date); None where they do not."""
    assert refused.place is not None and refused.place.line is not None
    first = refused.place.line
    joined = [f"{above} {below}".strip() for above, below in itertools.zip_longest(refused.names, cells, fillvalue="")]
    try:
        header_class(joined, methods, Place(refused.place.file, first), column_map)
    except InputError:
        return None
    said = [f"{quote(above)} over {quote(below)}" for above, below in zip(refused.names, cells, strict=False)
            if above.strip() and below.strip()]
    return (f"the header looks split over lines {first} and {first + 1} ({', '.join(said[:3])}): make it one row, "
            f"each column's whole name in it ({', '.join(joined[:3])}...), and delete line {first + 1}")


_LOOK_AHEAD = 10  # rows after a first row that is no header looked at for the header


class CsvHeader:
    """A CSV cohort's header, read once: which field each column holds (by its name folded, an alias, or the
    user's map), none twice, the record's core present; the columns not read (``ignored``) and left out as asked
    (``left_out``); map entries that name no column (``unmatched``).

    A row is read by ``record(cells)`` (an .xlsx row too: its cells as strings, dates as ISO strings)."""

    # What a file with no header row at all is told it needs (csv_items refuses it: no header, no cohort); None
    # where the reader refuses an empty file in its own words (`epa audit`'s OutcomesHeader).
    EMPTY_HINT: str | None = (
        "a CSV cohort's first line names its columns (at least standard, apprentice and gateway_date, and a "
        "grade column per method), then one record a row (README \"Cohorts: `epa compare --batch`\")")

    def __init__(self, cells: Sequence[str], methods: Iterable[str], where: str | Place,
                 column_map: ColumnMap | None = None):
        if len(cells) > MAX_COLUMNS:
            raise InputError(f"the header has {len(cells)} columns; a cohort's header names at most {MAX_COLUMNS}",
                             where=where, hint="the first line of a CSV cohort names its columns, each once")
        column_map = column_map or ColumnMap()
        methods = tuple(methods)
        kinds = _column_kinds(methods)
        known = columns.vocabulary(kinds, methods)
        self.known, self.where = known, where  # (a row under it that reads as its second row is told so)
        self.names, self.hidden_taken_out, taken = header_names(cells, where)
        self.width = len(self.names)
        self.unchecked_dates = ""  # why the date columns could not be checked whole before the rows were read
        later = columns.first_later_attempt(self.names, methods, (name for name, _ in column_map.names))
        if later:  # read as the method's column, the row would be graded on one attempt of two
            number, name, method = later
            raise InputError(
                f"column {quote(name)} (column {number}) holds a later attempt at {method}: a CSV or .xlsx cohort "
                "holds one attempt per method (its grade, criteria and date), so a resit or retake cannot be "
                "graded from it", where=where,
                hint=f"give resits and retakes as JSON Lines (assessments), or leave the column out with "
                     f"--column \"{name}=\" to grade the first attempts alone")
        holds, self.ignored, self.left_out, self.unmatched = match_columns(self.names, known, column_map, where,
                                                                           taken=taken)
        missing = [f for f in REQUIRED if f not in holds]
        if missing:
            raise NoHeader("the header has no column for " + ", ".join(f"{REQUIRED[f]} ({f})" for f in missing)
                           + (f"; columns not read: {', '.join(map(str, self.ignored))}" if self.ignored else ""),
                           where=where, hint=header_hint(self.names, known, holds) or
                           _MAP_HINT + ": --column \"YOUR NAME=" + missing[0]
                           + "\" (README \"CSV columns\" lists the names read without one)").of(self.names)
        for unread in self.ignored:  # a grade column not read would make every graded attempt a booking
            method = (unread.suggestion or "").removesuffix("_criteria")
            if (f"{method}_date" in holds and method not in holds and f"{method}_criteria" not in holds
                    and method in methods):
                raise InputError(f"{unread} is not read, but {self.names[holds[method + '_date'][0] - 1]!r} is: "
                                 f"with no grade or criteria column for {method}, every {method} would be read as "
                                 "booked, not graded", where=where,
                                 hint=f'read it with --column "{unread.name}={unread.suggestion}", or leave it out '
                                      f'with --column "{unread.name}=" if it holds no grade')
        self.unnamed = strict_columns(self.ignored, column_map, where)
        # Each column read, in order: (index, how it is read, the record's part it goes in ("" for the top, "method"
        # for an attempt's), its key there, its JSON path (an attempt's: ("method", method, field)), its name).
        # (and what each value of a column read as, where a column's values repeat: see columns.REMEMBERED)
        memos: dict[Any, dict[str, Any]] = {parse: {} for parse in columns.REMEMBERED}
        self.plan = sorted((n - 1, memos.get(kinds[field][1]), kinds[field][1], *_slot(kinds[field][0]),
                            kinds[field][0], self.names[n - 1]) for field, (n,) in holds.items())
        self.kinds = {kinds[field][0]: self.names[n - 1] for field, (n,) in holds.items()}
        self.kinds_at = {kinds[field][0]: n - 1 for field, (n,) in holds.items()}  # each's column index
        # The column each JSON path comes from is the same for every row but an attempt's (its index is the row's)
        self._where: dict[tuple[Any, ...], str] = {kind: name for kind, name in self.kinds.items()
                                                   if kind[0] != "method"}
        self._where.update({("schedule", kind[1]): name for kind, name in self.kinds.items() if kind[2:] == ("date",)})
        self._method_columns: dict[str, dict[str, str]] = {}
        for kind, name in self.kinds.items():
            if kind[0] == "method":
                self._method_columns.setdefault(kind[1], {})[kind[2]] = name
        self._wheres: dict[tuple[Any, ...], dict[tuple[Any, ...], str]] = {}  # see _attempts
        self._compile()

    def _compile(self) -> None:
        """Write out ``record``'s reading of a row's cells for this header (see _row_reader)."""
        self._need = self.plan[-1][0] + 1 if self.plan else 0
        self._read, self.source = _row_reader(self.plan)

    def row_like(self, cells: Sequence[str], row: Sequence[str]) -> bool:
        """Whether ``cells``, a line of a quoted cell of ``row`` split as a row, read as a record's row would: its
        standard an id (ST0071 in any form, or ``row``'s own standard); or its apprentice given and its gateway
        date a date (or one of numbers, either way round). Either alone: a row taken in that lacks the other
        (a gateway date not yet known, a standard left empty) is a record all the same, its error row lost with
        it where all three were needed; a note's line holds neither."""
        named = {kind: index for index, _, _, _, _, kind, _ in self.plan}
        return standard_like(cells, named[("standard",)], row) or (
            cell_given(cells, named[("apprentice", "id")]) and _date_like(cells, named[("gateway", "date")]))

    def read_columns(self) -> set[int]:
        """The index of each column whose cells are read (under --strict, a nameless column's too)."""
        return {entry[0] for entry in self.plan} | set(self.unnamed)

    def date_columns(self) -> list[int]:
        """The index of each column read as a date."""
        return [entry[0] for entry in self.plan if entry[2] is columns.parse_date]

    def refuse_month_first(self, found: dict[int, tuple[str, int]]) -> None:
        """Refuse the dates of every date column once ``found`` holds one month first (its index: a value that can
        only be month first, and its line): one export comes from one regional setting, so no date of numbers in
        the file can be read day first (03/04/2025 may be 4 March), in that column or another. Each row giving one
        is an error row naming its column and the value (line, column) that shows the file month first, and none
        is read silently the wrong way round (see MonthFirst)."""
        if not found:
            return
        index, (value, line) = min(found.items(), key=lambda item: (item[1][1], item[0]))
        shown = MonthFirst(value, line, self.names[index] if index < len(self.names) else "")
        for at, entry in enumerate(self.plan):
            if entry[2] is columns.parse_date:
                self.plan[at] = (entry[0], None, shown, *entry[3:])
        self._compile()

    TOTAL_ROW = TOTAL_ROW  # what a total row under the records is told (an outcomes file's rows are no cohort's)
    sheet_notes: tuple[str, ...] = ()  # what a workbook's reader says of its sheet (cohort_xlsx: merged cells)
    separator = ","  # what separates a CSV row's cells (csv_items: a sep= line, or a header split at ';' or a tab)

    def separated_by(self, separator: str) -> None:
        """The CSV's rows are separated by ``separator``: with semicolons, whose locale writes a decimal comma, or
        tabs, whose locale is not known, a whole number is read from its digits alone (columns.parse_int_ungrouped:
        1,200 may be 1.2)."""
        self.separator = separator
        if separator in (";", "\t"):
            self.plan = [(e[0], {}, columns.parse_int_ungrouped, *e[3:]) if e[2] is columns.parse_int else e
                         for e in self.plan]
            self._compile()

    def notes(self) -> list[str]:
        """What the user is told of the header: the columns not read, those left out as asked, and map entries
        that name no column (each line a sentence); then what the reader says of a workbook's sheet."""
        said = [self.hidden_taken_out] if self.hidden_taken_out else []
        if self.ignored:
            many = len(self.ignored) > 1
            said.append(f"{len(self.ignored)} column{'s' if many else ''} not read (epa has no field for "
                        f"{'them' if many else 'it'}): " + ", ".join(map(str, self.ignored)))
        if self.left_out:
            said.append("left out, as the column map (--column or --columns) asked: "
                        + ", ".join(map(str, self.left_out)))
        if self.unmatched:
            said.append("the column map names no column of this header: " + ", ".join(f'"{n}"' for n in self.unmatched))
        if self.unchecked_dates:
            said.append(self.unchecked_dates)
        return [*said, *self.sheet_notes]

    unnamed: tuple[int, ...] = ()  # under --strict, the columns the header names not: a value in one refuses its row

    def too_wide(self, cells: Sequence[str]) -> InputError:
        """The refusal of a row holding a value past the header's last column: a cell holding the file's separator
        (as the header was split: a semicolon's file's hint named a comma) not quoted."""
        separator = _SEPARATOR_NAMES.get(self.separator, repr(self.separator))
        return InputError(f"the row has {len(cells)} cells, the header names {self.width} columns",
                          hint=f"a cell holding {separator} must be quoted")

    def record(self, cells: Sequence[str]) -> tuple[dict[str, Any], dict[tuple[Any, ...], str]] | None:
        """The record a row says (as a YAML record would), and which column each JSON path came from; None for a
        row of empty cells (no record). Every cell that cannot be read is named in one RowProblems."""
        if self.unnamed:
            unnamed_value(self.unnamed, cells, self.kinds_at.get(("apprentice", "id")))
        width = len(cells)
        if width > self.width and any(c.strip() for c in cells[self.width:]):
            raise self.too_wide(cells)
        data: dict[str, Any] = {}
        attempts: dict[str, dict[str, Any]] = {}
        problems: list[tuple[str, tuple[str, ...], columns.BadCell]] = []
        if width < self._need:  # a short row: the columns it does not reach are empty
            cells = [*cells, *[""] * (self._need - width)]
        data, attempts = self._read(cells, problems)
        if not data and not attempts and not problems and not any(c.strip() for c in cells):
            return None  # a row of empty cells, as a spreadsheet writes after its last row
        if not ("standard" in data and "id" in data.get("apprentice", ()) and "date" in data.get("gateway", ())):
            self._missing(data, problems, cells)
        where = self._attempts(data, attempts, problems) if attempts else self._where.copy()
        if problems:
            problems.sort(key=lambda p: self.names.index(p[0]))  # in the header's order
            raise RowProblems(problems, data)
        return data, where

    def _said(self, cells: Sequence[str], kind: tuple[str, ...]) -> str:
        """What a required cell read as no value holds: "empty", or the words saying there is no date (TBC, N/A)."""
        index = self.names.index(self.kinds[kind]) if self.kinds[kind] in self.names else len(cells)
        held = cells[index].strip() if index < len(cells) else ""
        return f"{quote(held)} gives no date" if held else "empty"

    def _missing(self, data: dict[str, Any], problems: list[Any], cells: Sequence[str]) -> None:
        """A required cell left empty, named by its column (one that cannot be read is named already)."""
        for field, what in REQUIRED.items():
            kind = _REQUIRED_KINDS[field]
            given = data.get(kind[0]) if len(kind) == 1 else data.get(kind[0], {}).get(kind[1])
            if given is None and not any(k == kind for _, k, _ in problems):
                problems.append((self.kinds[kind], kind, columns.BadCell(f"{self._said(cells, kind)}: every record "
                                                                         f"needs {what}")))

    def _attempts(self, data: dict[str, Any], attempts: dict[str, dict[str, Any]], problems: list[Any]
                  ) -> dict[tuple[Any, ...], str]:
        """Each method's cells as an attempt (a grade or the criteria met, and its date) or, a date alone, as a
        booked attempt in the record's schedule; and the column of each JSON path of the record. (Those depend on
        the attempts' methods, order and cells alone: worked out once for each such shape, a handful a cohort.)"""
        kept = []
        for method, cells in attempts.items():
            if len(cells) == 2 and "date" in cells:  # a date, and a grade or the criteria met: an attempt
                kept.append((cells["date"], method, cells))
                continue
            named = self._method_columns[method]
            if "date" in cells and len(cells) == 1:
                data.setdefault("schedule", {})[method] = cells["date"]
            elif "grade" in cells and "criteria_met" in cells:
                problems.append((named["grade"], ("method", method, "grade"), columns.BadCell(
                    f'a grade ({quote(cells["grade"])}) and the criteria met (column "{named["criteria_met"]}"): '
                    "an attempt gives one", "keep the grade the assessment gave, or the criteria met, not both")))
            elif "date" not in cells:
                if any(kind == ("method", method, "date") for _, kind, _ in problems):
                    continue  # its date is named already
                given = named.get("grade") or named["criteria_met"]
                date = named.get("date")
                problems.append((given, ("method", method, "date"), columns.BadCell(
                    f"an attempt at the {method} with no date", f'give its date in column "{date}"' if date else
                    f"add a column {method}_date for its date")))
            else:
                kept.append((cells["date"], method, cells))
        if len(kept) > 1:
            kept.sort(key=_FIRST)  # stable: header order on a day
        if not kept:
            return self._where.copy()
        data["assessments"] = [{"method": method, **cells} for _, method, cells in kept]
        shape = tuple([(method, *cells) for _, method, cells in kept])
        where = self._wheres.get(shape)
        if where is None:
            where = self._where.copy()
            for i, (_, method, cells) in enumerate(kept):
                named = self._method_columns[method]
                where[("assessments", i)] = named.get("grade") or named.get("criteria_met") or named["date"]
                for part in cells:
                    where[("assessments", i, part)] = named[part]
            self._wheres[shape] = where
        return where.copy()


class MonthFirst:
    """The reading of a date column found month first: each date written with its day and month in the writer's
    order (03/04/2025) is refused, naming the value that shows the column month first; a date whose reading does
    not hang on that order (ISO, a month's name, a spreadsheet's date cell) is read as ever."""

    def __init__(self, value: str, line: int, column: str = ""):
        self.value, self.line, self.column = value, line, column

    def __call__(self, value: str) -> Any:
        if not columns.day_and_month(value):
            return columns.parse_date(value)
        where = f"line {self.line}, column {quote(self.column)}" if self.column else f"line {self.line}"
        raise columns.BadCell(
            f"the dates in this {'file' if self.column else 'column'} look month first (US): {quote(self.value)} "
            f"({where}) can only be "
            "month/day/year" + ("" if value == self.value else f", so {quote(value)} is not read (day first, it may "
                                                               "be another date)"), columns.MONTH_FIRST_HINT)


def month_first_in(header: CsvHeader, rows: Iterable[tuple[int, Sequence[Any]]]) -> dict[int, tuple[str, int]]:
    """Each date column of ``header`` whose text holds a value that can only be month first (see columns.month_first):
    its index, that value and its line. A spreadsheet's date cell (not text) is never such a value."""
    found: dict[int, tuple[str, int]] = {}
    dates = header.date_columns()
    for line, cells in rows:
        width = len(cells)
        for index in dates:
            if index < width and index not in found:
                cell = cells[index]
                if cell.__class__ is float and cell.is_integer() and 1e7 <= cell < 1e8:
                    cell = str(int(cell))  # (a workbook's number typed as eight digits, 12252025, read as its text)
                if cell.__class__ is str and columns.month_first(value := cell.strip()):
                    found[index] = value, line
    return found


# A value shaped like a month-first date (the second number 13 to 31): bytes a file is searched for before it is
# read for month-first date columns (a search for a literal is quick; a file without one needs no second reading);
# and eight digits so, MMDDYYYY (12252025: columns.month_first), at a cell's start (after a separator, a quote or a
# line's end: a search from a literal, each some three times quicker than one from a digit).
_MONTH_FIRST_SHAPES = (*(re.compile(re.escape(sep) + rb"(?:1[3-9]|2\d|3[01])" + re.escape(sep))
                         for sep in (b"/", b"-", b".")),
                       *(re.compile(re.escape(start) + rb"(?:0[1-9]|1[0-2])(?:1[3-9]|2[0-9]|3[01])(?:19|20)[0-9]{2}")
                         for start in (b",", b'"', b"\n", b"\r", b"\t", b";", b"|")))
MAX_REREAD = 64 << 20  # bytes of standard input held, so that its date columns are checked whole before grading


def month_first_columns(stream: IO[bytes], methods: Iterable[str], name: str, column_map: ColumnMap | None = None,
                        header_class: type[CsvHeader] | None = None) -> dict[int, tuple[str, int]]:
    """The date columns of the seekable CSV cohort ``stream`` that are month first (see month_first_in), read
    before its rows are graded; the stream is left where it was. Only a file holding a value of that shape is
    read whole (as csv_items reads it, with ``header_class``'s header)."""
    try:
        at = stream.tell()
    except OSError as exc:
        raise unreadable(exc, name) from None
    try:
        stream.seek(0)
        tail = b""
        while block := stream.read(1 << 20):
            text = tail + block
            if any(shape.search(text) for shape in _MONTH_FIRST_SHAPES):
                break
            tail = text[-8:]  # (a shape cut by a block's end: the longest is 9 bytes)
        else:
            return {}
        stream.seek(0)
        headers: list[CsvHeader] = []
        items = csv_items(physical_lines(stream, name), methods, name, column_map, headers.append,
                          header_class=header_class, cells_only=True)
        rows = ((line, cells) for line, kind, cells in items if kind == "cells")
        first = next(rows, None)
        if first is None:
            return {}
        return month_first_in(headers[0], _chain([first], rows))
    except OSError as exc:
        raise unreadable(exc, name) from None
    finally:
        with contextlib.suppress(OSError):  # (met already, where it fails)
            stream.seek(at)


def rereadable(stream: IO[bytes]) -> bool:
    """Whether ``stream`` can be read once to its end and then again: a regular file, or bytes held in memory. A
    device seeks too, but /dev/zero (or a link to it named cohort.csv) has no end: a first reading would never stop,
    where the one that grades its rows stops at a header or line too long."""
    try:
        if not stream.seekable():
            return False
    except (OSError, ValueError):
        return False
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # (io.UnsupportedOperation: no descriptor, so held in memory)
        return True
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        return False


def rewindable(stream: IO[bytes]) -> tuple[IO[bytes], bool]:
    """``stream`` (standard input) as one that can be read twice, held in memory, when it is at most MAX_REREAD
    bytes; else the same bytes, read once, and False."""
    import io

    head = stream.read(MAX_REREAD + 1)
    if len(head) <= MAX_REREAD:
        return io.BytesIO(head), True
    return io.BufferedReader(_Joined(head, stream)), False


class _Joined(RawIOBase):
    """The bytes already read from a stream, then the rest of it."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head, self._at, self._rest = memoryview(head), 0, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._at < len(self._head):
            n = min(len(buffer), len(self._head) - self._at)
            buffer[:n] = self._head[self._at:self._at + n]
            self._at += n
            return n
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


_FIRST = operator.itemgetter(0)
_EMPTY = object()  # what a memo holds for a cell that is empty but for spaces (or one that cannot be read)


def _row_reader(plan: Sequence[tuple[Any, ...]]) -> tuple[Callable[..., tuple[dict[str, Any], dict[str, Any]]], str]:
    """A header's reading of a row, written out as one Python function of its cells (and the list its problems go
    in), with the function's text: a cohort has many rows and one header, so the columns are unrolled, each cell
    read by its index and put where it goes with no loop or test of its kind per row (in a loop those take about
    as long as the reading itself). A value of a column whose values repeat (columns.REMEMBERED, and the criteria
    met: see _criteria) is looked up in its memo by the cell as it stands, so a repeated value, or an empty cell,
    costs one look-up; others are stripped and read each time. Each part of the record (``apprentice``...) and
    each method's attempt is made at its first value, as the columns come, so the record is the one a loop over
    the plan builds. For the bench's 24 columns, with its start::

        def read(cells, problems):
            data = {}
            attempts = {}
            p0 = p1 = p2 = a0 = a1 = a2 = None
            v = get0(cells[0])  # column 1, standard
            if v is None:
                v = missed(E0, cells[0], problems)
            if v is not EMPTY:
                data['standard'] = v
            v = cells[1].strip()  # column 2, apprentice.id
            if v:
                try:
                    v = parse1(v)
                except Problem as problem:
                    problems.append((N1, K1, problem))
                else:
                    if p0 is None:
                        p0 = data['apprentice'] = {}
                    p0['id'] = v
            ...
            return data, attempts

    Nothing of the file is in the text: column names, memos and parsers are names in its namespace."""
    namespace: dict[str, Any] = {"EMPTY": _EMPTY, "Problem": columns.BadCell, "missed": _missed, "ID_BLANKS": ID_BLANKS}
    parts: dict[str, str] = {}  # a part of the record, or a method: its local name
    body = []
    for i, (index, memo, parse, part, key, kind, name) in enumerate(plan):
        if parse is columns.parse_criteria:  # (a list: remembered per column, as a tuple)
            memo, parse = {}, _criteria
        namespace.update({f"get{i}": memo.get if memo is not None else None, f"E{i}": (memo, parse, name, kind),
                          f"parse{i}": parse, f"N{i}": name, f"K{i}": kind})
        if part == "method":
            local = parts.setdefault(f"method {key}", f"a{len(parts)}")
            made, slot = f"attempts[{key!r}]", kind[2]
        elif part:
            local = parts.setdefault(part, f"p{len(parts)}")
            made, slot = f"data[{part!r}]", key
        value = "list(v)" if parse is _criteria else "v"
        place = [f"data[{key!r}] = v"] if not part else [
            f"if {local} is None:", f"    {local} = {made} = {{}}", f"{local}[{slot!r}] = {value}"]
        if memo is not None:
            body += [f"v = get{i}(cells[{index}])  # column {index + 1}: {'.'.join(kind)!r}", "if v is None:",
                     f"    v = missed(E{i}, cells[{index}], problems)", "if v is not EMPTY:",
                     *("    " + line for line in place)]
        elif parse is None:
            body += [f"v = cells[{index}].strip()  # column {index + 1}: {'.'.join(kind)!r}", "if v:",
                     *("    " + line for line in place)]
        else:  # (an id's ends: its blanks taken off, not a control character, which it refuses)
            # a value its parser reads as None (a date column's TBC or N/A, read month first: MonthFirst) is an
            # empty cell, as _missed makes it
            strip = "strip(ID_BLANKS)" if parse is columns.parse_id else "strip()"
            body += [f"v = cells[{index}].{strip}  # column {index + 1}: {'.'.join(kind)!r}", "if v:", "    try:",
                     f"        v = parse{i}(v)", "    except Problem as problem:",
                     f"        problems.append((N{i}, K{i}, problem))", "    else:", "        if v is not None:",
                     *("            " + line for line in place)]
    locals_ = " = ".join([*parts.values(), "None"]) if parts else "pass"
    source = "\n".join(["def read(cells, problems):", "    data = {}", "    attempts = {}", f"    {locals_}",
                        *("    " + line for line in body), "    return data, attempts", ""])
    exec(compile(source, "<epa row reader>", "exec"), namespace)  # noqa: S102 (our own text: indices and field names)
    return namespace["read"], source


def _missed(entry: tuple[dict[str, Any], columns.Parse, str, tuple[str, ...]], cell: str,
            problems: list[tuple[str, tuple[str, ...], columns.BadCell]]) -> Any:
    """A cell its column's memo does not hold yet: its value read (and remembered, up to _REMEMBER), _EMPTY for a
    cell of spaces or one its parser reads as None (a grade column's "Pending": no grade yet, as an empty cell); or,
    where it cannot be read, its problem noted and _EMPTY (such a value is read again)."""
    memo, parse, name, kind = entry
    value = cell.strip()
    if not value:
        typed = _EMPTY
    else:
        try:
            typed = parse(value)
        except columns.BadCell as problem:
            problems.append((name, kind, problem))
            return _EMPTY
        if typed is None:
            typed = _EMPTY
    if len(memo) < _REMEMBER:
        memo[cell] = typed
    return typed


def _criteria(value: str) -> tuple[str, ...]:
    return tuple([sys.intern(c) for c in columns.parse_criteria(value)])
_REMEMBER = 1 << 12  # distinct values remembered per parser and header (a cohort's dates and words: a few hundred)
_REQUIRED_KINDS = {"standard": ("standard",), "apprentice": ("apprentice", "id"), "gateway_date": ("gateway", "date")}


def as_typed(argument: str) -> str:
    """A command line's text (a --column pair, a --sheet name) as the user typed it, in UTF-8 whatever the locale:
    Python decodes its arguments with the locale's encoding, and in a C locale with its UTF-8 mode off (LC_ALL=C
    PYTHONUTF8=0) each byte of a name such as "Notés" is a surrogate escape, which matched no column ("the column map
    names no column of this header: "Not??s""). Where those bytes are no UTF-8, the text is left as it was."""
    if argument.isascii() or not any("\udc80" <= c <= "\udcff" for c in argument):
        return argument
    try:
        return os.fsencode(argument).decode("utf-8")
    except UnicodeError:
        return argument


def column_map(file: Path | None, pairs: Iterable[str], strict: bool) -> ColumnMap:
    """The user's column map: ``--columns FILE`` (a YAML mapping, ``Learner Ref: apprentice``; a field left empty
    or ``~`` leaves the column out), then each ``--column "NAME=FIELD"`` (which wins over the file's)."""
    names: dict[str, tuple[str, str]] = {}
    if file is not None:
        from epa.inputs.documents import read

        data, source = read(file)
        if not isinstance(data, dict):
            raise InputError("a column map is a YAML mapping of a column's name to a field", where=str(file),
                             hint="one line a column, e.g.  Learner Ref: apprentice  (Employer: ~ leaves it out)")
        for name, field in data.items():
            if not isinstance(field, str | None):
                raise _not_a_field(name, field, source)
            names[columns.fold(str(name))] = (str(name), field or "")
    for pair in map(as_typed, pairs):
        name, equals, field = pair.partition("=")
        if (control := control_in_name(pair, "--column")) is not None:  # (before fold() drops it: Ob\x01s read Obs)
            raise control
        if not equals or not name.strip():
            raise InputError(f"--column {quote(pair)}: expected NAME=FIELD", hint='e.g. --column "Learner Ref='
                             'apprentice"; --column "Employer=" leaves a column out')
        names[columns.fold(name)] = (name.strip(), field)
    return ColumnMap(tuple(names.values()), strict)


def _not_a_field(name: str, field: Any, source: Any) -> InputError:
    """A column map's entry whose value YAML reads as no field's name (``Employer: no`` is false), said as the file
    writes it, at its line and column."""
    at = source.position([name])
    written = source.written([name]) or quote(field)
    if isinstance(field, bool):
        word = str(field).lower()
        read = f"{written} (a yes/no)" if written.casefold() == word else f"{written}, read as {word} (a yes/no)"
    elif isinstance(field, int | float):
        read = f"{written}, read as a number"
    else:
        read = "a list" if isinstance(field, list) else "a mapping"
    return InputError(f"the column {quote(name)} is mapped to {read}, not a field",
                      where=f"{source.path}:{at[0]}:{at[1]}" if at else str(source.path),
                      hint=f"write the field it holds ({name}: FIELD), or ~ to leave it out ({name}: ~)")


def header_hint(names: Sequence[str], known: dict[str, str], matched: Iterable[str]) -> str | None:
    """Why a header lacking its core columns may be no header, as a hint: its names separated by ';' or a tab (a
    spreadsheet saved in a locale whose list separator is not ','), Excel's "sep=" line first, a row of headings over
    groups of columns (merged cells) or a title above it (a first line with no column read, by name or by the user's
    map: ``matched``, the fields found)."""
    if names and names[0].casefold().startswith("sep="):
        return (f"the first line, {quote(','.join(names))}, is Excel's note of the separator, not the header: delete "
                "it (or save the sheet as 'CSV UTF-8'), so that the header is the first line")
    for separator, called in ((";", "semicolons"), ("\t", "tabs")):
        split = [part for name in names for part in name.split(separator)]
        if len(split) > len(names) and sum(columns.fold(part) in known for part in split) >= 2:
            return (f"the header's names are separated by {called}: a cohort's cells are separated by one character "
                    "throughout, a comma, a semicolon or a tab where the header holds no comma, or the one a first "
                    "line sep=X names; save the sheet as 'CSV UTF-8 (Comma delimited)'")
    named = [bool(name) for name in names]
    gap = any(not named[i] and named[i + 1] for i in range(len(named) - 1))
    if gap and named.count(False) >= named.count(True):
        # (a header's nameless columns, if any, are the last: Excel's formatted empty ones)
        return _GROUPS_HINT
    if not any(matched):
        return _TITLE_HINT
    return None


_MAP_HINT = "name the column that holds it"  # (the start of a header's hint where no other fits)
_GROUPS_HINT = ("the first line leaves most columns without a name, some between its names: if it is a row of headings "
                "over groups of columns (merged cells, as 'Observation' over its grade and date), delete it so that "
                "the header, naming each column, is the first line")
_TITLE_HINT = ("the first line names no column epa reads: if it is a title or a note above the header, delete it (and "
               "any line under it) so that the header, naming the columns, is the first line")


def _slot(kind: tuple[str, ...]) -> tuple[str, str]:
    """The part of the record a field's value goes in ("" the top, "method" an attempt's cells) and its key."""
    return ("", kind[0]) if len(kind) == 1 else (kind[0], kind[1])


def _did_you_mean(field: str, known: dict[str, str]) -> str:
    close = columns.suggestion(field, known)
    return f"did you mean {close}?" if close else "README \"CSV columns\" lists the fields"


class RowProblems(InputError):
    """Every cell of a CSV row that cannot be read, each named by its column as the header spells it."""

    def __init__(self, problems: Sequence[tuple[str, tuple[str, ...], columns.BadCell]], data: dict[str, Any]):
        self.problems: tuple[dict[str, Any], ...] = tuple(
            {"column": name, "path": column_path(kind), "message": p.message, "hint": p.hint}
            for name, kind, p in problems)
        ident = data.get("apprentice", {}).get("id")
        self._name(ident if isinstance(ident, str) else None)

    @classmethod
    def listed(cls, problems: Sequence[dict[str, Any]], apprentice: str | None) -> RowProblems:
        """Problems already listed (each a dict as ``problems`` holds them), for the apprentice ``apprentice``."""
        found = cls.__new__(cls)
        found.problems = tuple(problems)
        found._name(apprentice)
        return found

    def _name(self, apprentice: str | None) -> None:
        self.apprentice = apprentice
        problems = self.problems
        if len(problems) == 1:
            first = self.problems[0]
            super().__init__(first["message"], hint=first["hint"])
            self.column, self.path = first["column"], first["path"]
        else:
            super().__init__(f"{len(problems)} problems: " + "; ".join(
                f'column "{p["column"]}": {p["message"]}' + (f" ({p['hint']})" if p["hint"] else "")
                for p in self.problems))
            self.column = self.path = None

    def refusal(self) -> RowRefusal:
        return RowRefusal(self.message, self.hint, self.column, self.path, self.apprentice, self.problems)


def column_path(kind: tuple[str, ...]) -> str | None:
    """The JSON path a column's value takes (None for a method's, whose attempt has no index yet)."""
    return None if kind[0] == "method" else json_path(kind)


class RowRefusal(NamedTuple):
    """An error item's payload: why a record is refused, and a hint; for a CSV row's cells, also the column and
    JSON path (one problem), the apprentice's id where it was read, and every problem (see RowProblems)."""

    message: str
    hint: str | None
    column: str | None = None
    path: str | None = None
    apprentice: str | None = None
    problems: tuple[dict[str, Any], ...] = ()


class Located(Source):
    """Where a JSON path sits in a cohort: ``<file>:<line>``, and for CSV the column it came from."""

    def __init__(self, name: str, line: int, columns: dict[tuple[Any, ...], str] | None = None):
        self.path, self.text, self._node = Path(name), "", None  # Source's fields; where() needs none of them
        self.name, self.line, self.columns = name, line, columns or {}

    @property
    def prefix(self) -> str:
        return f"{self.name}:{self.line}"

    def place(self, parts: Sequence[Any]) -> Place:
        return Place(self.name, self.line, None, json_path(parts))

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
def _not_utf8(header: CsvHeader, text: bytes, exc: UnicodeDecodeError, row: Sequence[str] | None) -> RowRefusal | None:
    """A row holding bytes that are not UTF-8 (a Windows-1252 export's é) in a column epa reads (``row``: its cells,
    the bytes as surrogates; None where they cannot be split), refused naming the column and the byte, with how to
    save the file; None where every such byte is in a column not read (a surname, a note), whose cells are not read
    and so cannot be misread: the row was refused for a name's é, though every value read was ASCII, the same in
    either encoding (found by the hunt)."""
    first = text[exc.start]
    said = f"byte 0x{first:02x} at byte {exc.start + 1} of the record"
    column = None
    read = header.read_columns()
    for index, cell in enumerate(row or ()):
        escaped = [c for c in cell if "\udc80" <= c <= "\udcff"]
        if not escaped:
            continue
        if index not in read:
            said = ""  # (the first such byte is in a column not read: the one named is another)
            continue
        names = getattr(header, "names", ())
        column = names[index] if index < len(names) else None
        said = said or f"byte 0x{ord(escaped[0]) - 0xDC00:02x}"
        if column is not None:
            shown = cell.encode("utf-8", "surrogateescape").decode("cp1252", "replace").strip()
            said += f", in {quote(shown)} if the file is Windows-1252"
        break
    else:
        if row is not None:
            return None
        said = f"byte 0x{first:02x} at byte {exc.start + 1} of the record"
    return RowRefusal(f"undecodable bytes (not UTF-8): {said}",
                      "save as CSV UTF-8 (Excel: Save As › CSV UTF-8), or convert it: "
                      "iconv -f WINDOWS-1252 -t UTF-8 FILE > NEW", column)


_SAVE_AS_UTF8 = ("save it as UTF-8 (Excel: Save As 'CSV UTF-8'; elsewhere an encoding choice when saving), or "
                 "convert it: iconv -f {encoding} -t UTF-8 FILE > NEW")


def physical_lines(stream: IO[bytes], name: str = "the input") -> Iterator[Line]:
    """Each line of ``stream`` (see Line), at most MAX_RECORD + 1 bytes held at a time; a Ctrl-Z ending the input
    (``_DOS_EOF``) left out."""
    number = 0
    try:
        first = stream.readline(MAX_RECORD + 1)
        for mark, encoding in _OTHER_BOMS:
            if first.startswith(mark):
                raise InputError(f"the cohort is {encoding}, by the byte-order mark it starts with; epa reads UTF-8",
                                 where=Place(name, 1), hint=_SAVE_AS_UTF8.format(encoding=encoding.split()[0]))
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
            # (a line ending "\n", the common case, is looked at further only when it is short enough to be "\x1a\r\n")
            if (len(piece) < 4 or piece[-1] != 10) and piece.endswith(_DOS_EOF) and len(piece) <= MAX_RECORD:
                after = reader.readline(MAX_RECORD + 1)
                if not after:  # the input's last line: its Ctrl-Z marks the end of the file, and is no data
                    piece = piece.rstrip(b"\r\n")[:-1]
                    if piece:
                        yield number, piece, True
                    return
                yield number, piece, True
                piece = after
                continue
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
    except OSError as exc:  # (a failing disk, a network file system gone): the cohort could not be read
        raise unreadable(exc, f"{name}:{number + 1}") from None


# DOS's end-of-file mark (Ctrl-Z), which old MIS exports still write after the last line: ignored there, alone on the
# last line or at the very end of the input (anywhere else it is data, and refused as such).
_DOS_EOF = (b"\x1a", b"\x1a\n", b"\x1a\r\n", b"\x1a\r")


def unreadable(exc: OSError, where: str) -> InputError:
    """A cohort whose reading failed (an I/O error): bad input, exit 2, as a record file that cannot be read is,
    never epa's own failure."""
    return InputError(f"cannot read the cohort: {exc.strerror or exc}", where=where)


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
_TOO_LONG = LINE_TOO_LONG
_STOPPED = (f"no line end in the {MAX_SKIP >> 20} MiB after this line's start: reading stopped here, and the rest of "
            "the input is not read", "is the input a cohort (JSON Lines or CSV), or a device or binary file?")

# A record past MAX_RECORD is decided on when the limit is read: nothing more of it is kept, and its one error item
# goes out where it ends (or where reading stops), so that each physical record is one item, read = results + errors.


def json_items(lines: Iterable[Line], name: str | None = None) -> Iterator[Item]:
    """One item per non-blank line: the JSON text, or an error (a line too long; where reading stopped). A file
    without one non-blank line is no cohort: refused (``name``: the file, for the message), as a CSV file without
    a header is."""
    cut = 0  # a line whose first piece was too long: its other pieces are passed over
    empty = True
    for number, raw, ends in lines:
        empty = False if raw is None or raw.strip() else empty
        if raw is None:
            yield number, "error", _STOPPED
            return
        if number == cut:
            if ends:
                yield number, "error", _TOO_LONG
        elif not ends:
            cut = number
        elif raw and not raw.isspace():  # (asked without stripping: no copy of each line)
            yield number, "json", unmarked_json(raw)
    if empty:
        raise InputError(f"the {'file' if name and name != 'stdin' else 'input'} is empty: it holds no line, or "
                         "blank lines only, so no record", where=name, hint=_EMPTY_JSONL)


_EMPTY_JSONL = ("a JSON Lines cohort holds one record a line, each a JSON object as the record schema has it "
                "(README \"Cohorts: `epa compare --batch`\")")


def csv_items(lines: Iterable[Line], methods: Iterable[str], name: str, column_map: ColumnMap | None = None,
              on_header: Callable[[CsvHeader], Any] | None = None, header_class: type[CsvHeader] | None = None,
              cells_only: bool = False, month_first: dict[int, tuple[str, int]] | None = None) -> Iterator[Item]:
    """One item per CSV record: a record may span lines inside a quoted cell, and its number is its first line's.
    A row of empty cells (a blank line, or Excel's ``,,,,``) is no record. ``column_map`` names columns as the user
    asked; ``on_header`` is given the header once it is read (its ignored columns are for the user to hear of);
    ``header_class`` reads the header and each row (default CsvHeader: a cohort's; `epa audit` reads its own).

    A quote opens a quoted cell only as the cell's first character (as RFC 4180 and Excel read it): elsewhere it is
    text, so a stray quote in an id never joins the rows after it into one. A record past MAX_RECORD (a quoted cell
    that runs on, or is never closed) is one error item, its lines up to its end read only to find that end.

    ``month_first``: the date columns found month first (month_first_columns), each value of which is refused;
    ``cells_only``: each row's cells as they are, (line, "cells", cells), for that search.
    """
    header: CsvHeader | None = None
    cells = _Cells()
    parts: list[bytes] = []
    start = size = 0
    last = 0  # the last line read
    skipping = False  # the record is past MAX_RECORD: its end is looked for, nothing kept
    cut_in = ""  # the quoted cell it was inside when it went past, if it was
    row_end = b""  # how the header's line ends: the file's rows end so
    separator, blank = ",", _BLANK  # the cells' separator (see _separated), and what a line of empty cells holds
    named = False  # whether a first line sep=X named the separator
    inner: set[bytes] = set()  # how the lines of a record read across lines end inside it
    lines = iter(lines)  # (read on past a first row that is no header, to find the header: header_below)
    for number, raw, ends in lines:
        if raw is None:
            if header is None:
                raise InputError(_STOPPED[0], where=Place(name, number), hint=_STOPPED[1])
            yield (start, "error", _stopped(cut_in)) if skipping or parts else (number, "error", _STOPPED)
            return
        last = number
        if not parts and not skipping:  # a record starts here
            if ends and not raw.strip(blank):
                continue  # a blank line, or a row of empty cells: no record
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
                    raise InputError(f"the header is longer than {_MiB} MiB", where=Place(name, start),
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
            inner = {_line_end(part) for part in parts[:-1]}
            text, parts = b"".join(parts), []
        else:
            text = raw
        escaped = None  # the bytes that are not UTF-8, if the row holds any: refused where a column read holds them
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            if header is None:
                raise InputError(f"the header holds bytes that are not UTF-8 (at byte {exc.start + 1})",
                                 where=Place(name, start), hint=_SAVE_AS_UTF8.format(encoding="ENCODING")) from None
            decoded, escaped = text.decode("utf-8", "surrogateescape"), exc
        decoded = unmarked(decoded)  # a byte-order mark inside the file (pasted in, or a file joined on): no text
        if header is None and "\x00" in decoded:
            raise InputError("the header holds NUL characters: is the file UTF-16 without a byte-order mark?",
                             where=Place(name, start), hint=_SAVE_AS_UTF8.format(encoding="UTF-16"))
        try:
            row = next(csv.reader([decoded], delimiter=separator), [])
        except csv.Error as exc:  # e.g. a bare carriage return in an unquoted cell
            if header is None:
                raise InputError(f"the CSV header cannot be read: {exc}", where=Place(name, start)) from None
            yield start, "error", _not_utf8(header, text, escaped, None) if escaped else (
                f"the CSV row cannot be read: {exc}", "quote a cell that holds a line break")
            continue
        if escaped is not None and header is not None and (refused := _not_utf8(header, text, escaped, row)):
            yield start, "error", refused
            continue
        if header is None and number == 1 and decoded[:4].casefold() == "sep=":  # Excel's note of the separator
            separator, named = _named_separator(decoded, Place(name, start)), True
            blank, cells.separator = b" \t\r\n" + separator.encode(), separator.encode()
            continue
        if header is None:
            row_end = _line_end(raw)
            try:
                header, row = _separated(header_class or CsvHeader, row, decoded, separator, named, methods,
                                         Place(name, start), column_map)
            except NoHeader as exc:
                raise header_below(_rows_after(lines), exc, header_class or CsvHeader, methods, column_map) from None
            if header.separator != separator:
                separator = header.separator
                blank, cells.separator = b" \t\r\n" + separator.encode(), separator.encode()
            if month_first:
                header.refuse_month_first(month_first)
            if on_header is not None:
                on_header(header)
            continue
        if cells_only:
            yield start, "cells", row
            continue
        # (a cell's line breaks unlike the rows' ends, as a spreadsheet writes a note's Alt+Enter, LF in CRLF rows,
        # cannot be rows taken in, whatever its lines say)
        if number > start and row_end in inner and (joined := _joined_rows(header, row)) is not None:
            yield start, "error", (f"the quoted cell opened on line {start} ({joined}) runs to line {number} and "
                                   "holds a line that reads as a row of the cohort: its quote took in the records "
                                   "after it, each of which is lost unless the quote is closed where the cell ends",
                                   _CLOSE_THE_QUOTE)
            continue
        item = row_item(header, start, row)
        if item is not None:
            yield item
    empty_hint = (header_class or CsvHeader).EMPTY_HINT
    if header is None and not (skipping or parts) and empty_hint:  # no header row: no cohort, not one of 0 records
        raise InputError(f"the {'input' if name == 'stdin' else 'file'} is empty: it has no header row, and no rows"
                         + (" (blank lines only)" if last else ""), where=name, hint=empty_hint)
    if skipping or parts:  # the input ended inside a quoted cell
        where = cut_in or cells.quoted_cell(header)
        if header is None:
            raise InputError(f"{where} is never closed", where=Place(name, start), hint=_CLOSE_THE_QUOTE)
        yield start, "error", (f"{where} is never closed: every line after it, to the end of the input (line "
                               f"{last}), was read as part of that cell", _CLOSE_THE_QUOTE)


def row_item(header: CsvHeader, line: int, cells: Sequence[str]) -> Item | None:
    """A row's item, at the line it starts on: its record (with the column of each JSON path), or an error naming
    every cell that cannot be read; None for a row of empty cells. (An .xlsx row is read the same way.)"""
    try:
        read = header.record(cells)
    except RowProblems as exc:
        if _repeats_header(header, cells):  # (looked for in a row refused, never in one read)
            return line, "error", RowRefusal(*REPEATED_HEADER)
        second_row(header, line, cells)
        if _total_row(header, cells):
            return line, "error", RowRefusal(*header.TOTAL_ROW)
        return line, "error", exc.refusal()
    except InputError as exc:
        return line, "error", RowRefusal(exc.message, exc.hint)
    return None if read is None else (line, "csv", read)


def second_row(header: CsvHeader, line: int, cells: Sequence[Any]) -> None:
    """Refuse the cohort where the row refused at ``line``, the one right under the header, reads as the header's
    second row: a header over two rows (an MIS export's, or merged cells: 'Observation' over 'Grade' and 'Date'),
    or a row of formats under it ('(dd/mm/yyyy)'). Each of its cells was a problem of its own ("empty: every record
    needs the standard"...), none saying why, and the rows under it were read by the first row's names alone
    (found by the hunt). No cell of it may read as a standard's id, and at least half of those it gives must read
    as a column's name (alone, or after the name above it or, under a merged heading, before it) or a format."""
    where, known = getattr(header, "where", None), getattr(header, "known", None)
    if not isinstance(where, Place) or where.line is None or line != where.line + 1 or not known:
        return
    given = [(index, cell.strip()) for index, cell in enumerate(cells) if isinstance(cell, str) and cell.strip()]
    if not given or any(_STANDARD_ID.fullmatch(columns.parse_standard(cell)) for _, cell in given):
        return
    names = header.names
    said, formats = [], 0
    for index, cell in given:
        above = next((names[at] for at in range(min(index, len(names) - 1), -1, -1) if names[at]), "")
        if _FORMAT_CELL.fullmatch(cell):
            said.append(f"{quote(cell)} (column {index + 1})")
            formats += 1
        elif columns.fold(f"{above} {cell}") in known or (columns.fold(cell) in known and not (
                index < len(names) and names[index] and columns.fold(names[index]) in known)):
            said.append(f"{quote(cell)} under {quote(above)} (column {index + 1})" if above else quote(cell))
    # One format cell alone (a record's 'Y/N' beside its id) is no header row: the row is refused alone, as any
    # record's, and the cohort graded (found by review: ',A-1,,,,,,,,Y/N' refused the whole cohort). Nor is a row
    # giving, under the id's column, what reads as an id (a digit in it) and as no name: a sparse record whose status
    # or surname is a word of a column's name ('Standard' under 'Programme Type', 'EC' under 'Notes': found by the
    # stress run). A label there ('ULN', 'Learner Ref' under 'Apprentice') holds no digit: a header's second row.
    column = _id_column(header)
    ident = None if column is None else dict(given).get(column)
    if not said or 2 * len(said) < len(given) or len(said) == formats == 1 or \
            (ident is not None and any(c.isdigit() for c in ident) and not _FORMAT_CELL.fullmatch(ident)):
        return
    raise InputError(
        f"line {line} reads as the header's second row ({', '.join(said[:4])}{', ...' if len(said) > 4 else ''}): "
        f"a header is one row, line {where.line}, so the columns would be read by its names alone",
        where=Place(where.file, line),
        hint="make the header one row: give each column its whole name in it (Gateway Date, Observation Grade, "
             f"Observation Date; unmerge merged headings), and delete line {line}")


def _id_column(header: CsvHeader) -> int | None:
    """The index of the column a header reads the apprentice's id from: a cohort's (its plan) or an outcomes file's
    (the columns it reads); None where it names none."""
    plan = getattr(header, "plan", None)
    if plan is not None:
        return next((entry[0] for entry in plan if entry[5] == ("apprentice", "id")), None)
    return next((column for column, field, *_ in getattr(header, "reading", ()) if field == "apprentice"), None)


# A cell saying how a column is written, not a value: (dd/mm/yyyy), DD-MM-YY, (yes/no), Y/N
_FORMAT_CELL = re.compile(r"[(\[]?\s*(?:d{1,2}[/.\- ]?m{1,3}[/.\- ]?y{2,4}|yyyy[/.\-]?mm[/.\-]?dd"
                          r"|yes\s*/\s*no|y\s*/\s*n|true\s*/\s*false)\s*[)\]]?", re.IGNORECASE)


REPEATED_HEADER = ("the row repeats the header's column names: two files joined into one, or the header written "
                   "again?", "delete the row: the rows after it are read by the first header's columns")


# What a total row's first cell says (folded): Total, Totals, Grand Total:, Subtotal, Total learners...; Count, Sum
_TOTAL = re.compile(r"(?:grand|sub)?totals?(?:[a-z]*)|count|sum")


def _total_row(header: CsvHeader, cells: Sequence[Any]) -> bool:
    """Whether a row refused is a spreadsheet's total row: its first cell given says so, and it gives no standard's
    id (a record's row does; a total's id cell, if any, holds a count)."""
    first = next((c for c in cells if isinstance(c, str) and c.strip()), "")
    standard = getattr(header, "kinds_at", {}).get(("standard",))
    given = cells[standard] if standard is not None and standard < len(cells) else None
    return says_total(first, given if isinstance(given, str) else None)


def says_total(first: str, standard: str | None) -> bool:
    """Whether a refused row whose first value is ``first`` and standard's cell ``standard`` is a total row."""
    return _TOTAL.fullmatch(columns.fold(first)) is not None and not (
        standard is not None and _STANDARD_ID.fullmatch(columns.parse_standard(standard.strip())))


def _repeats_header(header: CsvHeader, cells: Sequence[Any]) -> bool:
    """Whether a row repeats the header's names (as they show, header_names): its first cell's byte-order mark too
    (two "CSV UTF-8" exports joined with cat or copy: the second's mark starts its header row)."""
    names: list[str] = header.names
    return bool(names) and len(cells) >= len(names) and all(
        isinstance(c, str) and _shown(c).strip() == n for c, n in zip(cells, names, strict=False)
    ) and not any(str(c).strip() for c in cells[len(names):])


_BLANK = b" \t\r\n,"  # what a line of empty cells holds


def _joined_rows(header: CsvHeader, row: Sequence[str]) -> str | None:
    """The column (number and name) of a cell of a row read across lines that holds, after a line break, a line that
    reads as a row of the cohort (its standard an id, each other column every record needs given: see
    CsvHeader.row_like): a quote at a cell's start that was never meant as one (a note typed "Excellent...) made one
    cell of the rows up to the next quote, each of those records lost from the cohort, the row graded without a word
    (found by the hunt). A row may stop short of the columns it leaves empty, a notes column last among them (found
    by review): only the columns a record needs are looked at. A note's own lines, commas and all ("Good work, on
    time\nNext: review, sign off"), read as no row: they were refused when a line with as many commas as a row was
    taken for one (found by the hunt)."""
    for index, cell in enumerate(row):
        if ("\n" in cell or "\r" in cell) and any(
                header.row_like(next(csv.reader([line], delimiter=header.separator), []), row)
                for line in _BREAK.split(cell)[1:] if line):
            return f"column {index + 1}" + (f", {header.names[index]!r}" if index < len(header.names) else "")
    return None


_BREAK = re.compile("\r\n|\r|\n")


_STANDARD_ID = re.compile(r"ST\d{4}")


def standard_like(cells: Sequence[str], index: int, row: Sequence[str]) -> bool:
    """Whether ``cells``' column ``index`` holds a standard's id, or ``row``'s own standard."""
    value = cells[index].strip() if index < len(cells) else ""
    return bool(value) and (_STANDARD_ID.fullmatch(columns.parse_standard(value)) is not None or (
        index < len(row) and value.casefold() == row[index].strip().casefold()))


def cell_given(cells: Sequence[str], index: int) -> bool:
    return index < len(cells) and bool(cells[index].strip())


def _date_like(cells: Sequence[str], index: int) -> bool:
    """Whether ``cells``' column ``index`` holds a date (month first too: such a file's rows are rows); a word
    saying there is none (TBC, N/A: ``columns.NO_DATE``) is no date, so a note's line ending ", TBC" is no row."""
    value = cells[index].strip() if index < len(cells) else ""
    try:
        if columns.parse_date(value) is None:
            return False
    except columns.BadCell:
        return columns.day_and_month(value)
    return True


# What a CSV's first line "sep=X" may name (Excel writes it so that a file opens split by X): a character that can
# separate cells (not a quote, a line's end or a space).
_SEPARATORS = (",", ";", "\t", "|")


def _named_separator(line: str, where: str | Place) -> str:
    """The separator a first line ``sep=X`` names (Excel's, as "sep=;" or "sep=," before the header), or refused."""
    named = line.rstrip("\r\n")[4:]
    if named not in _SEPARATORS:
        raise InputError(f"the first line, {quote(line.rstrip())}, names no separator epa reads: Excel's sep= line "
                         "names the one character between cells", where=where,
                         hint="write sep=, or sep=; (or sep= and a tab), or delete the line so that the header is "
                              "the first line and the cells are separated by commas")
    return named


def _separated(header_class: type[CsvHeader], row: list[str], text: str, separator: str, named: bool,
               methods: Iterable[str], where: str | Place, column_map: ColumnMap | None
               ) -> tuple[CsvHeader, list[str]]:
    """The header ``row`` (the line ``text``, split at ``separator``) reads as, and its cells; or, where no separator
    is ``named`` (by a sep= line), a comma separates none of its cells and it cannot be a header so, the header it
    reads as split at semicolons or tabs (a spreadsheet saved where the list separator is ';', as across much of
    Europe, or as tab-delimited text), whose rows are then split so too. A header holding a comma is never read
    another way: a cohort names at least three columns."""
    try:
        header = header_class(row, methods, where, column_map)
        header.separated_by(separator)
        return header, row
    except InputError:
        if len(row) != 1 or named:
            raise
        for other in (";", "\t"):
            cells = next(csv.reader([text], delimiter=other), []) if other in text else []
            if len(cells) > 1:  # (its own refusal, where it is no header either: a column missing, say)
                header = header_class(cells, methods, where, column_map)
                header.separated_by(other)
                return header, cells
        raise


def _rows_after(lines: Iterator[Line]) -> Iterator[tuple[int, list[str]]]:
    """The lines after a first row that is no header, each split as a header would be (by commas, else semicolons
    or tabs), for header_below."""
    for number, raw, _ in lines:
        if raw is None:
            return
        text = unmarked(raw.decode("utf-8", "replace")).strip("\r\n")
        try:
            cells = next(csv.reader([text]), [])
            if len(cells) == 1:
                cells = next((split for other in (";", "\t") if len(split := text.split(other)) > 1), cells)
        except csv.Error:
            continue
        yield number, cells


def _line_end(raw: bytes) -> bytes:
    """How a physical line ends (b"" for the input's last line without an end)."""
    return b"\r\n" if raw.endswith(b"\r\n") else raw[-1:] if raw.endswith((b"\n", b"\r")) else b""


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

    separator = b","  # the cells' separator: a semicolon or a tab where the file is so (see _separated)

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
                found = data.find(self.separator, at)
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


def sniff(lines: Iterator[Line], name: str = "stdin") -> tuple[str, Iterator[Line]]:
    """"jsonl" when the first non-blank line starts with '{', or is a JSON array whole on its line (a line each of
    whose records is said to be no record, not one mapping: cohort.LISTED); else "csv"; and the lines, none lost.

    A JSON array over several lines (its first line '[' alone, or '[{' without its end), the records of a .json file
    sent as a cohort, is refused, saying so: read as CSV, it was refused as a header naming none of the columns
    (its first line's pieces listed as columns not read), which told the sender nothing of what they had sent."""
    seen: list[Line] = []
    kind = "csv"
    for line in lines:
        seen.append(line)
        raw = line[1]
        if raw is None or raw.strip():
            start = b"" if raw is None else raw.strip()
            kind = "jsonl" if start.startswith(b"{") or (_ARRAY_OPENS.match(start) and (
                not line[2] or _json_array(start))) else "csv"  # (a line cut as too long is JSON Lines' to say)
            if kind == "csv" and _ARRAY_OPENS.match(start):
                raise InputError("this is a JSON array of records written over several lines, not JSON Lines",
                                 where=Place(name, line[0]), hint=_ARRAY_HINT)
            break
    return kind, _chain(seen, lines)


# the start of a JSON array of records, not a CSV header (whose first name might be "[ULN]"): '[' then the end of
# the line, '{', '[' or ']'
_ARRAY_OPENS = re.compile(rb"\[\s*(?:$|[{\[\]])")
_ARRAY_HINT = ("a JSON Lines cohort holds one record a line, each a JSON object, with no '[' around them: write each "
               "record on a line of its own (jq -c '.[]' FILE.json does)")


def _json_array(text: bytes) -> bool:
    import json

    try:
        return isinstance(json.loads(text), list)
    except ValueError:
        return False


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest
