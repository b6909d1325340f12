"""Reading a file of recorded outcomes for `epa audit`: one row per apprentice, naming the awarding body, the
standard, each component's grade and the overall grade that body recorded (a provider's export, or an awarding
organisation's return to Ofqual).

Columns are matched by meaning, as a cohort's are (``epa.inputs.columns``: folded names, the cohort's aliases,
``--column``, ``--columns``, ``--strict``), and read by the cohort's own readers (``cohort_input.csv_items``,
``cohort_xlsx.xlsx_items``) with this module's header in place of the cohort's: the same bounds, encodings, error
rows and workbook checks.

Ofqual's "End-point assessment outcomes - file format" (gov.uk, updated 12 February 2024 and 6 March 2025) names
the columns of an awarding organisation's return: ReportingDate (1), AwardingOrganisation (2),
AwardingOrganisationID (3, ``EPAxxxx``), StandardTitle (4), StandardID (5, ``STxxxx``), AssessmentPlanVersionNumber
(6, ``-2`` where not available), QualificationNumber (7), ULN (8, ``-2`` where the apprentice has none) and
CandidateIdentifierOther (9). Each is read here by that name. The names of its component and overall grade columns
could not be read from the copy of the specification this was written from, so none is assumed: name them with
``--column "NAME=observation"`` (or ``overall``) where they differ from the names below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from epa.errors import InputError, Place, quote
from epa.inputs import columns
from epa.inputs.cohort_input import (
    MAX_COLUMNS,
    TOTAL_ROW,
    ColumnMap,
    CsvHeader,
    MonthFirst,
    NoHeader,
    RowProblems,
    cell_given,
    header_hint,
    header_names,
    match_columns,
    standard_like,
    strict_columns,
    unnamed_value,
)
from epa.inputs.dates import BOUNDS_HINT, out_of_range
from epa.inputs.hostile import ID_BLANKS

# The fields of an outcomes row besides each method's, and their other names. A name must not fold to another's.
ALIASES: dict[str, tuple[str, ...]] = {
    "standard": (*columns.ALIASES["standard"], "StandardID"),
    "apprentice": columns.ALIASES["apprentice"],
    "candidate_other": ("CandidateIdentifierOther", "Other Candidate Identifier"),
    "body": ("Awarding Body", "AwardingOrganisation", "Awarding Organisation", "EPAO", "EPAO Name",
             "End-Point Assessment Organisation", "End Point Assessment Organisation", "Assessment Organisation"),
    # (EPAOrgID: the ILR's name for it, LearningDelivery.EPAOrgID, "EPAXXXX" from the register of EPA organisations)
    "body_id": ("AwardingOrganisationID", "Awarding Organisation ID", "EPAO ID", "EPAO Number", "EPAO Reference",
                "EPAOrgID", "EPA Organisation ID"),
    "overall": ("Overall Grade", "Overall Result", "Overall Outcome", "EPA Grade", "EPA Result", "EPA Outcome",
                "Overall EPA Grade", "Final Grade", "Achievement Grade"),
    "document_version": ("Document Version", "Rules Version", "Specification Version"),
    "plan_version": ("AssessmentPlanVersionNumber", "Assessment Plan Version", "Assessment Plan Version Number",
                     "Plan Version"),
    "gateway_date": columns.ALIASES["gateway_date"],
    "exceptional_circumstances": ("Exceptional Circumstances", "EC", "Exceptional Circumstances Applied"),
    # Ofqual's fields the audit has no use for: read (so that --strict takes an Ofqual return as it is), not used.
    "reporting_date": ("ReportingDate",),
    "standard_title": ("StandardTitle",),
    "qualification_number": ("QualificationNumber",),
}
UNUSED = ("reporting_date", "standard_title", "qualification_number")
# A method M's attempt column ("Observation Attempt"): whether its grade came from a first attempt, a resit or a retake.
ATTEMPT_WORDS = ("Attempt", "Attempt Type", "Attempt Kind", "Kind")
ATTEMPTS = {"first": "first", "firstattempt": "first", "1st": "first", "resit": "resit", "retake": "retake"}
NOT_AVAILABLE = "-2"  # Ofqual's value for a ULN or plan version that is not available
# The fields whose -2 is read as empty. CandidateIdentifierOther's too: read as an id, the rows of every apprentice
# without one were one apprentice '-2', said to be audited on more than one row.
_MAY_BE_NOT_AVAILABLE = frozenset({"apprentice", "candidate_other", "plan_version"})


# What an export records in the overall grade's column where the EPA has no grade to audit, folded: the EPA ended or
# paused without one (withdrawn, void, cancelled, deferred, a break in learning), or is under way (booked, pending).
# A regulator counts such rows, one by one, as not audited: neither rejected (the row is not wrong) nor passed over.
ENDED = {**dict.fromkeys(("withdrawn", "withdrawal", "withdrew"), "withdrawn"),
         **dict.fromkeys(("void", "voided"), "void"),
         **dict.fromkeys(("cancelled", "canceled", "cancellation"), "cancelled"),
         **dict.fromkeys(("deferred", "deferral", "postponed"), "deferred"),
         **dict.fromkeys(("breakinlearning", "bil", "onbreak", "onabreakinlearning"), "break in learning")}
PENDING = columns.NOT_GRADED_YET  # (the words a cohort's grade cells read as no grade yet: one list for both)


@attrs.frozen
class Status:
    """An overall grade's cell holding no grade but what became of the EPA (``ended``: withdrawn, void, …) or that
    it is under way (``ended`` None: booked, pending, …), and the cell as written."""

    ended: str | None
    written: str


def parse_outcome(value: str) -> str | Status:
    """The overall grade recorded, or the EPA's status where the cell records one in place of a grade."""
    folded = columns.fold(value)
    if folded in ENDED or folded in PENDING:
        return Status(ENDED.get(folded), value)
    try:
        return columns.parse_grade(value)
    except columns.BadCell as exc:
        if exc.hint and exc.hint.startswith("a grade is"):  # (no grade it resembles: it may be a status of ours)
            raise columns.BadCell(exc.message, f"{exc.hint}; where the EPA ended without a grade, write withdrawn, "
                                  "void, cancelled, deferred or break in learning (not audited)") from None
        raise


def parse_attempt(value: str) -> str:
    found = ATTEMPTS.get(columns.fold(value))
    if found:
        return found
    if value.strip().isdigit():
        raise columns.BadCell(f"{quote(value)} is an attempt number: it does not say whether the attempt was a resit "
                              "or a retake, which some documents cap differently", "write first, resit or retake")
    raise columns.BadCell(f"{quote(value)} is not an attempt", "write first, resit or retake (also re-sit, re-take)")


def _kinds(methods: Iterable[str]) -> dict[str, columns.Parse | None]:
    """Every field an outcomes column may hold, and how its value is read (None: as it stands)."""
    kinds: dict[str, columns.Parse | None] = {
        "standard": columns.parse_standard, "apprentice": columns.parse_id, "candidate_other": columns.parse_id,
        "body": None, "body_id": None, "overall": parse_outcome, "document_version": None, "plan_version": None,
        "gateway_date": columns.parse_date, "exceptional_circumstances": columns.parse_bool,
        **{field: None for field in UNUSED}}
    for m in methods:
        kinds.update({m: columns.parse_grade_or_not_yet, f"{m}_attempt": parse_attempt})
    return kinds


def vocabulary(fields: Iterable[str], methods: Iterable[str]) -> dict[str, str]:
    """Every folded name an outcomes column may have, and its field: the fields' own names, ALIASES, and each
    method's names as a cohort's grade column and its attempt column. (A method's date or criteria are not read:
    the audit checks the grades recorded.)"""
    fields = tuple(fields)
    names = {k: v for k, v in columns.vocabulary(fields, methods).items() if v in fields}
    for field, aliases in ALIASES.items():
        for alias in aliases:
            names.setdefault(columns.fold(alias), field)
    for m in methods:
        for name in (m, *columns.METHOD_ALIASES.get(m, ())):
            for word in ATTEMPT_WORDS:
                names.setdefault(columns.fold(f"{name} {word}"), f"{m}_attempt")
    return names


class OutcomesHeader(CsvHeader):
    """An outcomes file's header: which field each column holds (by name, alias or the user's map), none twice,
    and the columns an audit needs present: the standard, the apprentice, the overall grade and, unless ``--body``
    names it for every row (``body_given``), the body by name or EPAO id. Each row is read by ``record``."""

    body_given = False
    EMPTY_HINT = None  # `epa audit` refuses an empty file in its own words
    TOTAL_ROW = (TOTAL_ROW[0], "delete the row (and any other below the records): each row of an outcomes file is "
                               "one apprentice's recorded result")

    def __init__(self, cells: Sequence[str], methods: Iterable[str], where: str | Place,
                 column_map: ColumnMap | None = None):
        if len(cells) > MAX_COLUMNS:
            raise InputError(f"the header has {len(cells)} columns; a file's header names at most {MAX_COLUMNS}",
                             where=where, hint="the first line of an outcomes file names its columns, each once")
        column_map = column_map or ColumnMap()
        methods = tuple(methods)
        self.kinds_read = _kinds(methods)
        known = vocabulary(self.kinds_read, methods)
        self.known, self.where = known, where  # (a row under it that reads as its second row is told so)
        self.names, self.hidden_taken_out, taken = header_names(cells, where)
        self.width = len(self.names)
        self.unchecked_dates = ""  # (as a cohort's: why the date columns could not be checked whole)
        later = columns.first_later_attempt(self.names, methods, (name for name, _ in column_map.names))
        if later:  # not read, the row would be audited on the first attempt's grade: a false "does not follow"
            number, name, method = later
            raise InputError(
                f"column {quote(name)} (column {number}) holds a later attempt at {method}: an outcomes file "
                f"records one grade per method, the one that counts, with its attempt (first, resit or retake) "
                f"in a column of its own, so a row cannot be audited on the first attempt's grade", where=where,
                hint=f'read it as the grade with --column "{name}={method}" (and the first attempt\'s grade '
                     f'column left out, --column "NAME="), with its attempt as {method}_attempt; or leave it '
                     f'out with --column "{name}=" if it holds no grade')
        holds, self.ignored, self.left_out, self.unmatched = match_columns(self.names, known, column_map, where,
                                                                           "an outcomes file", taken)
        # A method's date or criteria column (a cohort's "Observation Date") means no field the audit reads: the
        # field its name resembles (observation_attempt) is not what it holds.
        unmeant = {name for name, field in columns.vocabulary((), methods).items() if field not in methods}
        self.ignored = [attrs.evolve(u, suggestion=None) if columns.fold(u.name) in unmeant else u
                        for u in self.ignored]
        required = {"standard": "the standard", "overall": "the overall grade recorded"}
        if not ({"apprentice", "candidate_other"} & holds.keys()):
            required["apprentice"] = "the apprentice's id"
        if not self.body_given and not ({"body", "body_id"} & holds.keys()):
            required["body"] = "the awarding body (or name it for every row with --body)"
        missing = [f for f in required if f not in holds]
        if missing:
            raise NoHeader("the header has no column for " + ", ".join(f"{required[f]} ({f})" for f in missing)
                           + (f"; columns not read: {', '.join(map(str, self.ignored))}" if self.ignored else ""),
                           where=where, hint=header_hint(self.names, known, holds) or
                           f'name the column that holds it: --column "YOUR NAME={missing[0]}" '
                           '(README "Audit of recorded outcomes" lists the names read)').of(self.names)
        self.unnamed = strict_columns(self.ignored, column_map, where)
        self.column = {field: self.names[numbers[0] - 1] for field, numbers in holds.items()}
        slots: dict[str, tuple[str | None, str]] = {f: (bucket, m) for m in methods for f, bucket in
                 ((m, "grades"), (f"{m}_attempt", "attempts"))}
        # Each column read, in order: (index, field, how it is read, where it goes: ("grades", method) or (None, field))
        self.reading = sorted((numbers[0] - 1, field, self.kinds_read[field], slots.get(field, (None, field)))
                              for field, numbers in holds.items() if field not in UNUSED)
        self._apprentice = next((c for c, field, _, _ in self.reading if field == "apprentice"), None)
        self.graded = frozenset(m for m in methods if m in holds)  # the methods whose grade has a column
        self.attempts_given = any(f"{m}_attempt" in holds for m in methods)
        self._memo: dict[tuple[str, str], Any] = {}

    def row_like(self, cells: Sequence[str], row: Sequence[str]) -> bool:
        """Whether a line of a quoted cell of ``row`` reads as an outcomes row (see CsvHeader.row_like): its standard
        an id; or its apprentice (or other identifier) given and its overall grade a grade. Either alone: a row
        taken in without an id or a standard is an error row of its own, lost with the note where both were
        needed."""
        index = {field: column for column, field, _, _ in self.reading}
        return standard_like(cells, index["standard"], row) or (any(
            cell_given(cells, index[field]) for field in ("apprentice", "candidate_other") if field in index)
            and _grade_like(cells, index["overall"]))

    def separated_by(self, separator: str) -> None:
        self.separator = separator  # (an outcomes file reads no number that a decimal comma could change)

    def read_columns(self) -> set[int]:
        return {entry[0] for entry in self.reading} | set(self.unnamed)

    def date_columns(self) -> list[int]:
        return [index for index, _, parse, _ in self.reading if parse is columns.parse_date]

    def refuse_month_first(self, found: dict[int, tuple[str, int]]) -> None:
        """As a cohort's header does (CsvHeader.refuse_month_first): once a column is found month first, no date
        column of the file reads a date whose day and month could be either way round (one export, one setting)."""
        if not found:
            return
        index, (value, line) = min(found.items(), key=lambda item: (item[1][1], item[0]))
        shown = MonthFirst(value, line, self.names[index] if index < len(self.names) else "")
        for at, (column, field, parse, slot) in enumerate(self.reading):
            if parse is columns.parse_date:
                self.reading[at] = (column, field, shown, slot)

    def record(self, cells: Sequence[str]) -> tuple[dict[str, Any], dict[tuple[Any, ...], str]] | None:
        """The row's fields, read (a method's grade and attempt under "grades" and "attempts"),
        and the column each came from; None for a row of empty cells. Every cell that cannot be read is named in
        one RowProblems."""
        if self.unnamed:
            unnamed_value(self.unnamed, cells, self._apprentice)
        if len(cells) > self.width and any(c.strip() for c in cells[self.width:]):
            raise self.too_wide(cells)
        if not any(c.strip() for c in cells):
            return None
        data: dict[str, Any] = {"grades": {}, "attempts": {}, "not_yet": {}}
        problems: list[tuple[str, tuple[str, ...], columns.BadCell]] = []
        for index, field, parse, (bucket, key) in self.reading:
            cell = cells[index] if index < len(cells) else ""
            value = cell.strip(ID_BLANKS) if parse is columns.parse_id else cell.strip()  # (an id's: as a cohort's)
            if not value or (value == NOT_AVAILABLE and field in _MAY_BE_NOT_AVAILABLE):
                continue
            if parse is not None:
                memo = (field, value)
                typed = self._memo.get(memo)
                if typed is None:
                    try:
                        typed = parse(value)
                    except columns.BadCell as problem:
                        problems.append((self.column[field], kind(field), problem))
                        continue
                    if len(self._memo) < 4096:
                        self._memo[memo] = typed
                if typed is None:  # (a component's "Pending": no grade yet, kept as written for what it says)
                    if bucket == "grades":
                        data["not_yet"][key] = value
                    continue
                if field == "gateway_date" and (why := out_of_range(value, typed)) is not None:  # (a record's bounds)
                    problems.append((self.column[field], kind(field), columns.BadCell(why, BOUNDS_HINT)))
                    continue
                value = typed
            if bucket is None:
                data[key] = value
            else:
                data[bucket][key] = value
        if isinstance(data.get("overall"), Status):  # (no grade to audit: the row's status says why, epa.audit)
            data["status"] = data.pop("overall")
        ident = data.get("apprentice") or data.get("candidate_other")
        data["apprentice"] = {"id": ident} if ident else {}
        if "standard" not in data and not any(k == kind("standard") for _, k, _ in problems):
            problems.append((self.column["standard"], kind("standard"), columns.BadCell(NO_STANDARD)))
        if not ident and not any(k in _ID_KINDS for _, k, _ in problems):  # (an id refused is not an empty one)
            named = self.column.get("apprentice") or self.column["candidate_other"]
            uln = self.column.get("apprentice")
            other = self.column.get("candidate_other")
            said = "empty" if uln is None or self._cell(cells, uln) != NOT_AVAILABLE else \
                f"{NOT_AVAILABLE} (Ofqual's value for no ULN)" + (
                    f", and {other} is {self._cell(cells, other) or 'empty'}" if other else "")
            problems.append((named, kind("apprentice"), columns.BadCell(
                f"{said}: every row needs the apprentice's id (a ULN, or another identifier)")))
        if problems:  # (an empty overall grade is none of them: the row is not graded yet, epa.audit)
            raise RowProblems(sorted(problems, key=lambda p: self.names.index(p[0])), data)
        return data, {}


    def _cell(self, cells: Sequence[str], name: str) -> str:
        index = self.names.index(name)
        return cells[index].strip() if index < len(cells) else ""


NO_STANDARD = "empty: every row needs the standard"


def kind(field: str) -> tuple[str, ...]:
    """The JSON path a field's problem names (a method's has none: RowProblems names its column)."""
    return ("apprentice", "id") if field == "apprentice" else (field,)


_ID_KINDS = frozenset({kind("apprentice"), kind("candidate_other")})  # the problems of an id given but refused


def header_class(body_given: bool) -> type[OutcomesHeader]:
    """The header for a file whose rows name their body, or (``body_given``) one that ``--body`` names."""
    return type("OutcomesHeaderWithBody", (OutcomesHeader,), {"body_given": True}) if body_given else OutcomesHeader


def _grade_like(cells: Sequence[str], index: int) -> bool:
    """Whether ``cells``' column ``index`` holds a grade (or what became of the EPA in its place)."""
    try:
        return index < len(cells) and bool(cells[index].strip()) and parse_outcome(cells[index]) is not None
    except columns.BadCell:
        return False
