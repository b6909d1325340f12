"""A CSV cohort's columns and values as providers write them: the names an MIS or a spreadsheet gives each field
(matched after folding case, spaces, punctuation and ``_``), and values as people type them (UK dates,
``Distinction``, ``Level 2``, ``Y``), each read into the record's own form or refused with a reason.

The vocabulary is data: ALIASES (a field's other names), METHOD_ALIASES and METHOD_PARTS (a method's columns), and
the value words below. README "Cohorts" documents them; tests/test_provider_export.py holds them to it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from epa.errors import quote
from epa.inputs.dates import ZonedTime, without_time
from epa.inputs.hostile import ID_CONTROL_HINT, control_in_id


def fold(name: str) -> str:
    """A column name as it is matched: lower case, letters and digits only ("Date of Birth" -> "dateofbirth")."""
    return "".join(filter(str.isalnum, name.casefold()))


# --- columns -------------------------------------------------------------------------------------------

# A day-first date format a template writes after a date column's name ("Gateway Date (dd/mm/yyyy)", "DOB [DD-MM-YY]",
# "Start Date - yyyy-mm-dd"): no part of the name, so the column is read by the name before it (a date column's
# only: "Observation (dd/mm/yyyy)" is not the observation's grade). A month-first format (mm/dd/yyyy) is left in,
# the column then not read, never read day first.
_DAY_FIRST_FORMAT = re.compile(r"\s*(?:\(|\[|-\s)\s*"
                               r"(?:d{1,2}[/.\- ]?m{1,3}[/.\- ]?y{2,4}|y{4}[/.\- ]?m{1,2}[/.\- ]?d{1,2})\s*[)\]]?\s*",
                               re.IGNORECASE)


# A month-first format after a column's name ("Start Date (mm/dd/yyyy)", "DOB [MM-DD-YY]"): its dates are US ones,
# which epa never reads (a day up to 12 would be read as the month), whatever field the column is mapped to.
_MONTH_FIRST_FORMAT = re.compile(r"\s*(?:\(|\[|-\s)\s*m{1,3}[/.\- ]?d{1,2}[/.\- ]?y{2,4}\s*[)\]]?\s*$", re.IGNORECASE)


def states_month_first(name: str) -> bool:
    """Whether ``name`` ends with a month-first date format (the column's dates are written month first)."""
    return bool(_MONTH_FIRST_FORMAT.search(name))


def without_date_format(name: str) -> str | None:
    """``name`` without a day-first date format written after it, or None where it ends with none."""
    found = _DAY_FIRST_FORMAT.search(name)
    return name[:found.start()] if found and found.end() == len(name) and found.start() > 0 else None


# Each field's names besides its own (date_of_birth is also read as "Date of Birth", "date-of-birth", "DOB"):
# what MIS exports and spreadsheets call it, ILR field names among them (LearnRefNumber, ULN, DateOfBirth,
# LearnStartDate). A name here must not fold to another field's name (a test holds them apart).
ALIASES: dict[str, tuple[str, ...]] = {
    "standard": ("Standard Reference", "Standard Ref", "Apprenticeship Standard", "Standard Code", "IfATE Reference"),
    "apprentice": ("Apprentice ID", "Apprentice Ref", "Apprentice Reference", "Apprentice Number", "Learner ID",
                   "Learner Ref", "Learner Reference", "Learner Number", "Learner Ref Number", "LearnRefNumber", "ULN",
                   "Unique Learner Number", "Student ID", "ID"),
    "date_of_birth": ("DOB", "Birth Date", "Birthdate", "D.O.B."),
    "start_date": ("Apprenticeship Start", "Apprenticeship Start Date", "Learning Start Date", "LearnStartDate",
                   "Programme Start Date", "Start"),
    "english": ("English Level", "English Achieved", "English Qualification", "Functional Skills English",
                "FS English"),
    "maths": ("Math", "Mathematics", "Maths Level", "Math Level", "Maths Achieved", "Maths Qualification",
              "Functional Skills Maths", "FS Maths"),
    "ehcp": ("EHC Plan", "Education Health and Care Plan"),
    "bsl": ("British Sign Language",),
    "gateway_date": ("Date of Gateway", "Gateway Passed Date", "Gateway Completion Date", "Gateway Meeting Date"),
    "portfolio_pieces": ("Portfolio Evidence Pieces", "Pieces of Evidence", "Evidence Pieces", "Portfolio Items"),
    "project_proposal_words": ("Proposal Words", "Proposal Word Count", "Project Proposal Word Count"),
    "photo_id": ("Photo ID Checked", "Photographic ID", "ID Checked", "Photo ID Seen"),
    "gateway_form": ("Gateway Readiness Report", "Readiness Report", "Gateway Meeting Record"),
    "portfolio": ("Portfolio Complete", "Portfolio of Evidence"),
    "project_proposal": ("Proposal", "Project Proposal Received"),
    "portfolio_declaration": ("Portfolio Authenticity Declaration", "Authenticity Declaration"),
    "english_maths_declaration": ("English and Maths Declaration", "English & Maths Declaration",
                                  "English Maths Evidence", "English and Maths Evidence"),
    "registered": ("Registration Date", "Registered Date", "EPA Registration Date", "Date Registered"),
    "evidence_submitted": ("Evidence Submitted Date", "Gateway Evidence Submitted"),
    "epa_start": ("EPA Start Date", "EPA Period Start"),
    "planning_meeting": ("Planning Meeting Date",),
    "proposal_rejected": ("Proposal Rejected Date",),
    "proposal_resubmitted": ("Proposal Resubmitted Date",),
    "portfolio_submitted": ("Portfolio Submitted Date",),
    "project_report_submitted": ("Project Report Submitted Date",),
    "observation_notice": ("Observation Notice Date",),
}

# A method's other names (its columns are these with METHOD_PARTS after them), from the standards' method names.
METHOD_ALIASES: dict[str, tuple[str, ...]] = {
    "observation": ("Practical Observation", "Observation with Q&A", "Obs"),
    "project": ("Work-based Project", "Work Based Project"),
    "discussion": ("Professional Discussion",),
    "showcase": ("Showcase Portfolio", "Showcase Presentation", "Apprentice Showcase"),
}
# A method M's columns: its grade ("M", "M Grade", ...), the criteria met and the attempt's date.
METHOD_PARTS: dict[str, tuple[str, ...]] = {
    "": ("", "Grade", "Result", "Outcome"),
    "_criteria": ("Criteria", "Criteria Met"),
    # (not "Booking Date" or "Date Booked": in MIS exports they are often when the booking was made)
    "_date": ("Date", "Assessment Date", "Booked", "Booked Date", "Booked For"),
}


def vocabulary(fields: Iterable[str], methods: Iterable[str]) -> dict[str, str]:
    """Every folded name a column may have, and the field it means: the fields' own names first."""
    names = {fold(f): f for f in fields}
    for field, aliases in ALIASES.items():
        if field in names.values():
            for alias in aliases:
                names.setdefault(fold(alias), field)
    for m in methods:
        for name in (m, *METHOD_ALIASES.get(m, ())):
            for part, words in METHOD_PARTS.items():
                for word in words:
                    names.setdefault(fold(f"{name} {word}"), m + part)
    return names


# Words naming an attempt after the first (folded): a cohort's row holds one attempt per method, so a column naming
# a method with one of these is not that method's column (its grade would be the resit's, read as the first's).
LATER_ATTEMPT = ("resit", "retake", "secondattempt", "2ndattempt", "reassessment")


# An attempt's number or order in a column's name (folded): a method's own column with one of these in it is a later
# attempt's ("Observation 2", "Observation Grade (Attempt 2)", "Second Observation Grade"), the first attempt being
# the column without it.
_LATER_NUMBER = re.compile(r"second|2nd|third|3rd|(?:attempt|sitting)?[2-9]")


def later_attempt(name: str, methods: Iterable[str]) -> str | None:
    """The method a column ``name`` names together with a resit or retake ("Observation Resit Grade",
    "Project Re-take Date"), or a later attempt's number ("Observation Grade 2", "Second Observation Grade"), if it
    does."""
    key = fold(name)
    resit = any(word in key for word in LATER_ATTEMPT)
    numbered = [key[:m.start()] + key[m.end():] for m in _LATER_NUMBER.finditer(key)]
    if not resit and not numbered:
        return None
    for method in methods:
        names = (method, *METHOD_ALIASES.get(method, ()))
        if resit and any(fold(alias) in key for alias in names):
            return method
        if numbered and {fold(f"{n} {w}") for n in names for ws in METHOD_PARTS.values() for w in ws} & {*numbered}:
            return method
    return None


def first_later_attempt(names: Iterable[str], methods: Iterable[str],
                        mapped: Iterable[str]) -> tuple[int, str, str] | None:
    """The first of a header's column ``names`` (numbered from 1) that holds a later attempt at a method (see
    ``later_attempt``), with that method, unless a column map names it (``mapped``: the names it maps, as given):
    a cohort and an outcomes file each hold one attempt per method, and each says why in its own words."""
    methods, given = tuple(methods), {fold(name) for name in mapped}
    for number, name in enumerate(names, 1):
        method = later_attempt(name, methods) if fold(name) not in given else None
        if method:
            return number, name, method
    return None


def suggestion(name: str, names: dict[str, str]) -> str | None:
    """The field a column name not in the vocabulary most resembles, if any is close (none for a resit's or
    retake's column: the method's own field holds its first attempt)."""
    if any(word in fold(name) for word in LATER_ATTEMPT):
        return None
    close = difflib.get_close_matches(fold(name), list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


# --- values --------------------------------------------------------------------------------------------

class BadCell(Exception):
    """A cell's value that cannot be read as its field's: what is wrong, and a hint."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint


Parse = Callable[[str], Any]

PIVOT = 50  # a two-digit year yy is 20yy below PIVOT, else 19yy (00-49: 2000-2049; 50-99: 1950-1999)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_YMD = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
_NAMED = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]{3,9})\.?[ ,-]+(\d{4}|\d{2})")
# A month's name first, as a US-English "Long Date" or an MIS writes one: Dec 1, 2025; December 1st, 2025
_NAMED_FIRST = re.compile(r"([a-z]{3,9})\.?[ -](\d{1,2})(?:st|nd|rd|th)?,?[ -](\d{4}|\d{2})")
# Eight digits with the day and month in the writer's order, DDMMYYYY (01122025) or, month first, MMDDYYYY: a year
# 1900-2099 last (the groups as _DMY's: the two numbers are 1 and 3). YYYYMMDD never fits it: its fifth and sixth
# digits are a month (01-12), never 19 or 20, so no eight digits are a day within the record's bounds both ways.
_COMPACT = re.compile(r"([0-9]{2})()([0-9]{2})((?:19|20)[0-9]{2})")
_YYYYMMDD = re.compile(r"((?:19|20)[0-9]{2})([0-9]{2})([0-9]{2})")
# A weekday's name before the date, as Excel's "Long Date" and MIS exports write one (Mon 01/12/2025, Monday, 1
# December 2025): read only where the date is that weekday
_WEEKDAY = re.compile(r"([a-z]{3,9})\.?,?\s+(.+)")
_WEEKDAYS = {name: n for n, names in enumerate(
    (("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "weds", "wednesday"), ("thu", "thur", "thurs", "thursday"),
     ("fri", "friday"), ("sat", "saturday"), ("sun", "sunday"))) for name in names}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
_MONTHS = {name: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), 1) for name in names}
_DATE_FORMS = "write it as 2025-12-08, or day first as 08/12/2025"
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\.?)?")  # (casefolded: 09:30, 9:30 am)
_NO_DAY_HINT = ("give the date (2025-12-08, or 08/12/2025); where a formula fills the cell it found no date (an empty "
                "cell counts as 0): leave the cell empty until there is one, =IF(B2=\"\",\"\",B2)")
_dates: dict[str, str | None] = {}  # a cohort has few distinct dates: each is read once (bounded)


# What an MIS writes in a date cell for no date (case and spaces aside, not folded: Excel's error #N/A, a formula's
# lookup that failed, is no N/A): not known yet (TBC, TBA, TBD, to be confirmed, arranged, decided or determined) or
# not applicable (N/A, NA); a dash alone too (NO_DATE_DASH). Each says there is no date, as an empty cell does, and
# is read so: in a date column either reading is no date, so none changes a result (a grade with no date is refused
# as one beside an empty cell is; a required date so left says what the cell holds).
NO_DATE = frozenset({"tbc", "tba", "tbd", "to be confirmed", "to be arranged", "to be decided", "to be determined",
                     "n/a", "na", "not applicable"})
NO_DATE_DASH = re.compile("[-\u2010-\u2015\u2212]+")  # (hyphen, the dashes, minus: a cell that holds only those)


def no_date(value: str) -> bool:
    """Whether a date cell's text (stripped) says there is no date: ``NO_DATE``, or a dash alone."""
    return " ".join(value.casefold().split()) in NO_DATE or NO_DATE_DASH.fullmatch(value) is not None


def parse_date(value: str) -> str | None:
    """A date as ISO 8601 (YYYY-MM-DD), from ISO, UK day-first forms (08/12/2025, 8-12-2025, 08.12.2025, 8/12/25,
    08122025), year-first (2025/12/08, 20251208), or a month named (8 Dec 2025, 08-Dec-25, Dec 8, 2025), with or
    without its weekday before it (Mon 08/12/2025, Monday, 8 December 2025: refused where the date is another
    weekday); a time of day after any of these is read as epa.inputs.dates has it (taken off; with a time zone,
    refused). Never read month first: 01/13/2025 is refused. None: the cell says there is no date (``no_date``)."""
    if value in _dates:
        return _dates[value]
    found = None if no_date(value) else _read_date(value)
    if len(_dates) >= 4096:
        _dates.clear()
    _dates[value] = found
    return found


def _read_date(value: str) -> str:
    try:
        text = without_time(value).casefold()
    except ZonedTime as exc:
        raise BadCell(exc.message, exc.hint) from None
    named = _WEEKDAY.fullmatch(text)
    if named is not None and named[1] in _WEEKDAYS:
        return _on_weekday(value, _WEEKDAYS[named[1]], named[2])
    return _date_of(value, text)


def _date_of(value: str, text: str) -> str:
    """The date ``text`` (``value`` casefolded, its time of day and weekday taken off) is, for ``value``."""
    if _ISO.fullmatch(text):
        return _day(value, int(text[:4]), int(text[5:7]), int(text[8:]))
    if m := _YMD.fullmatch(text):
        return _day(value, int(m[1]), int(m[3]), int(m[4]))
    if m := _DMY.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), m[4]
        if len(year) == 2 and m[2] != "/":
            raise BadCell(f"{quote(value)} is not a date epa reads: a two-digit year is read only with '/', as in "
                          "8/12/25; with '-' or '.' it could be year first", _DATE_FORMS)
        if month > 12 and day <= 12:
            raise BadCell(f"{quote(value)} is not a UK date (day/month/year): there is no month {month}; a US date "
                          "(month first) is never read", f"write it {month:02d}/{day:02d}/{year} or as YYYY-MM-DD; if "
                          "the column is month first, its dates with a day up to 12 were misread too")
        return _day(value, _year(year), month, day)
    if (m := _NAMED.fullmatch(text)) and m[2] in _MONTHS:
        return _day(value, _year(m[3]), _MONTHS[m[2]], int(m[1]))
    if (m := _NAMED_FIRST.fullmatch(text)) and m[1] in _MONTHS:
        if len(m[3]) == 2:  # (Dec 1, 25: the 25 may be the day's, written after the 1st's week, or the year's)
            raise BadCell(f"{quote(value)} is not a date epa reads: a two-digit year after a month's name and day "
                          "could be another number of the date", "write the year in four digits: Dec 1, 2025, or "
                          "2025-12-01")
        return _day(value, int(m[3]), _MONTHS[m[1]], int(m[2]))
    if len(text) == 8 and (_COMPACT.fullmatch(text) or _YYYYMMDD.fullmatch(text)):
        return _eight_digits(value, text)
    if _TIME.fullmatch(text):
        zero = not any(c in "123456789" for c in text)
        raise BadCell(f"{quote(value)} is a time of day, not a date" + (
            ": a workbook's date cell holding 0 shows so, Excel's day 0 (00/01/1900), an empty or zero date"
            if zero else ": a workbook's date cell holding a number below 1 shows so, a time on Excel's day 0"),
            _NO_DAY_HINT)
    if _SERIAL.fullmatch(text):  # (a date and time, as a General-formatted cell shows one: 46000.5)
        raise BadCell(f"{quote(value)} is not a date: it looks like a spreadsheet's date serial number",
                      "format the column as a date in Excel (Format Cells > Date, dd/mm/yyyy) and save the file "
                      "again, as a workbook or as CSV")
    raise BadCell(f"{quote(value)} is not a date", _DATE_FORMS)


_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def _eight_digits(value: str, text: str) -> str:
    """Eight digits as YYYYMMDD (20251201) or, day first, DDMMYYYY (01122025): whichever is a day of 1900-2099 (never
    both: see _COMPACT); month first (12252025) refused, as 12/25/2025 is."""
    if (m := _YYYYMMDD.fullmatch(text)) and _exists(int(m[1]), int(m[2]), int(m[3])):
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    if m := _COMPACT.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
        if _exists(year, month, day):
            return dt.date(year, month, day).isoformat()
        if _exists(year, day, month):
            raise BadCell(f"{quote(value)} is not a UK date (DDMMYYYY): there is no month {month}; a US date (month "
                          "first) is never read", f"write it {month:02d}/{day:02d}/{year} or as YYYY-MM-DD; if the "
                          "column is month first, its dates with a day up to 12 were misread too")
    raise BadCell(f"{quote(value)} is not a date: eight digits are read as DDMMYYYY (01122025) or YYYYMMDD (20251201)",
                  _DATE_FORMS)


def _exists(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _on_weekday(value: str, weekday: int, text: str) -> str:
    """The date ``text`` is, where it is the ``weekday`` written before it (0: Monday); else refused, the weekday or
    the date being mistyped (and, where the date is numbers whose other order is that weekday, saying so)."""
    found = _date_of(value, text)
    date = dt.date.fromisoformat(found)
    if date.weekday() == weekday:
        return found
    hint = "check which day it was, and write it as YYYY-MM-DD (2025-12-08) or 08/12/2025, without the weekday"
    numbers = _DMY.fullmatch(text) or _COMPACT.fullmatch(text)
    if numbers is not None and _exists(date.year, date.day, date.month):
        other = dt.date(date.year, date.day, date.month)
        if other.weekday() == weekday:
            hint = (f"month first (US) it is {_DAY_NAMES[weekday]} {_shown(other)}: if that is meant, write "
                    f"{other.isoformat()}; and if the column is month first, its other dates were written so too, so "
                    "set the export's regional settings to the UK (day first) and export again")
    raise BadCell(f"{quote(value)} is not a date epa reads: {_shown(date)} is a {_DAY_NAMES[date.weekday()]}, not a "
                  f"{_DAY_NAMES[weekday]}", hint)


def _shown(date: dt.date) -> str:
    return f"{date.day} {_MONTH_NAMES[date.month - 1]} {date.year}"


def month_first(value: str) -> bool:
    """Whether ``value`` is a date that can only be read month first, as 12/25/2025 or 12252025 (there is no month
    25): one such value shows its column is month first, so that the column's other dates (03/04/2025) cannot be
    read day first."""
    found = _numbers(value)
    return found is not None and 1 <= int(found[1]) <= 12 < int(found[3]) <= 31


def day_and_month(value: str) -> bool:
    """Whether ``value`` is a date of numbers with the day and month in an order the writer chose (03/04/2025,
    03042025, with a weekday before it or a time after it), not ISO, year first, a month's name or a spreadsheet's
    date cell (an ISO date by then)."""
    return _numbers(value) is not None


def _numbers(value: str) -> re.Match[str] | None:
    found = _DMY.fullmatch(value) or _COMPACT.fullmatch(value)
    if found is None:
        try:
            text = without_time(value)
        except ZonedTime as exc:
            text = exc.day
        named = _WEEKDAY.fullmatch(text.casefold())
        if named is not None and named[1] in _WEEKDAYS:
            text = named[2]
        found = _DMY.fullmatch(text) or _COMPACT.fullmatch(text)
    return found


MONTH_FIRST_HINT = ("write the dates as ISO yyyy-mm-dd or day first, dd/mm/yyyy; or set the export's regional "
                    "settings to the UK (day first) and export again")


def _year(digits: str) -> int:
    year = int(digits)
    return year if len(digits) == 4 else year + (2000 if year < PIVOT else 1900)


def _day(value: str, year: int, month: int, day: int) -> str:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        if (year, month, day) == (1900, 1, 0):  # (as a CSV export writes a date cell holding 0: 00/01/1900)
            raise BadCell(f"{quote(value)} is Excel's day 0, what a date cell holding 0 shows: an empty or zero "
                          "date, no day of the calendar", _NO_DAY_HINT) from None
        if 1 <= month <= 12:
            name = dt.date(2000, month, 1).strftime("%B")
            raise BadCell(f"{quote(value)} is not a date: {name} {year} has no day {day}") from None
        raise BadCell(f"{quote(value)} is not a date: there is no month {month}", _DATE_FORMS) from None
    return date.isoformat()  # (its bounds are the record schema's, checked with the record's other values)


# Component grades: ST0071 and ST0072 grade each method fail, pass or distinction (their standards' `grades`).
GRADES = {"fail": "fail", "failed": "fail", "f": "fail", "pass": "pass", "passed": "pass", "p": "pass",
          "distinction": "distinction", "dist": "distinction", "d": "distinction"}
_OTHER_SCALES = {"merit", "m", "u", "ungraded", "unclassified"}
# A referral is no grade of these standards: none of the documents defines one; a method not passed is a fail
# (003_3692b76548845e1c.txt: "If the apprentice does not meet all the pass criteria, this assessment will be graded
# as a fail"). It is refused, never read as fail: the user says which it was.
_REFERRAL = {"refer", "referral", "referred", "ref", "r"}


def parse_grade(value: str) -> str:
    found = GRADES.get(value) or GRADES.get(value.casefold().rstrip("."))
    if found:
        return found
    word = value.casefold().strip(".")
    if word in _REFERRAL:
        raise BadCell(f"{quote(value)} is not a grade these standards give: none of their documents defines a "
                      "referral; a method whose pass criteria are not all met is graded fail",
                      "write fail if the assessment was failed (a resit or retake is a later attempt, with its own "
                      "date); leave the cell empty if it is not graded yet")
    if word in _OTHER_SCALES:
        raise BadCell(f"{quote(value)} is not a grade these standards give: a method is graded fail, pass or "
                      "distinction; there is no merit or ungraded",
                      "write the grade the assessment gave: fail, pass or distinction")
    close = difflib.get_close_matches(word, ["fail", "pass", "distinction", "merit"], n=1, cutoff=0.6)
    if close and close[0] == "merit":
        raise BadCell(f"{quote(value)} is not a grade: these standards have no merit; a method is graded fail, pass "
                      "or distinction", "write the grade the assessment gave")
    raise BadCell(f"{quote(value)} is not a grade", f"did you mean {close[0]!r}?" if close
                  else "a grade is fail, pass or distinction; leave the cell empty when it is not graded yet")


# What an MIS writes in a method's grade column for an assessment booked and not graded yet (folded): no grade, as an
# empty cell says, so the method's date alone is a booking. Not N/A (the method may not apply), a dash, or a word of
# an attempt's outcome (Absent: an attempt missed, which the user says how to record).
NOT_GRADED_YET = frozenset({"pending", "booked", "scheduled", "awaiting", "awaitingresult", "awaitinggrade",
                            "awaitingoutcome", "awaitingmarking", "resultpending", "gradepending", "tbc",
                            "tobeconfirmed", "notyetgraded", "notgradedyet", "notyetassessed", "tobegraded",
                            "inprogress"})


def parse_grade_or_not_yet(value: str) -> str | None:
    """A cohort's grade cell: a grade (parse_grade), or None where it says the assessment is not graded yet."""
    if value.casefold() in GRADES:
        return GRADES[value.casefold()]
    if fold(value) in NOT_GRADED_YET:
        return None
    return parse_grade(value)


# English and maths: the highest level achieved (the record's none | entry3 | level1 | level2 | level3).
# Never a bare number: 2 could be a level or a GCSE grade (a GCSE at grade 2 is level 1), and 1 a yes.
LEVELS = {"none": "none", "entry3": "entry3", "e3": "entry3", "entrylevel3": "entry3", "el3": "entry3",
          **{f"{w}{n}": f"level{n}" for n in (1, 2, 3) for w in ("level", "l", "lvl", "lev")}}


# A qualification's name before its level, as an MIS writes it ("Functional Skills Level 2", "FS L2"): the level
# is the level either way (a Functional Skills qualification is named by its level).
_QUALIFICATIONS = ("functionalskills", "functionalskill", "fs")


def parse_level(value: str) -> str:
    found = LEVELS.get(value) or LEVELS.get(fold(value))
    if found:
        return found
    word = fold(value)
    named = next((word[len(q):] for q in _QUALIFICATIONS if word.startswith(q)), None)
    if named is not None and (found := LEVELS.get(named)) in ("entry3", "level1", "level2"):
        return found  # (Functional Skills stop at level 2: "FS Level 3" is a slip, not read as either)
    if named is not None:
        hint = ("write the Functional Skills qualification's level: Entry 3, Level 1 or Level 2 (FS L2 is level2); "
                "below Entry 3 is none")
    elif word.startswith("gcse") or word.isdigit():
        hint = "write the level the qualification is at, as Level 2 or L2: a GCSE at grade 4-9 (A*-C) is level2, " \
               "1-3 (D-G) level1 (a number alone could be either)"
    elif word in ("entry1", "entry2", "e1", "e2", "entrylevel1", "entrylevel2"):
        hint = "below entry level 3 is none"
    else:
        hint = "a level is none, Entry 3, Level 1, Level 2 or Level 3; also written entry3, L2, level2"
    raise BadCell(f"{quote(value)} is not a qualification level", hint)


BOOLEANS = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}


_FLAG_POINT_ZERO = re.compile(r"([01])\.0+")  # 1.0, 0.0: a 0/1 flag column as pandas writes one with gaps (a float)


def parse_bool(value: str) -> bool:
    found = BOOLEANS.get(value)
    if found is None:
        found = BOOLEANS.get(value.casefold())
        if found is None and (flag := _FLAG_POINT_ZERO.fullmatch(value)):
            found = flag[1] == "1"
        if found is None:
            raise BadCell(f"{quote(value)} is not yes or no", "write yes or no; also y/n, true/false, 1/0")
    return found


_INT = re.compile(r"[+-]?\d{1,12}")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_POINT_ZERO = re.compile(r"([+-]?\d{1,12})\.0+")  # 12.0: a whole number as pandas writes an integer column with gaps


def parse_int(value: str) -> int:
    if _INT.fullmatch(value):
        return int(value)
    if _GROUPED.fullmatch(value):  # 1,200 (a quoted cell)
        return int(value.replace(",", ""))
    if found := _POINT_ZERO.fullmatch(value):  # (as a workbook's 12.0 is 12, and a JSON record's 12.0)
        return int(found[1])
    raise BadCell(f"{quote(value)} is not a whole number")


def parse_int_ungrouped(value: str) -> int:
    """A whole number in a file whose cells are separated by semicolons or tabs: its digits alone. A semicolon
    file's locale writes a decimal comma (why its list separator is not one), and a tab-delimited file's locale is
    not known, so 1,200 may be 1.2 or 1200, and 1.200 1200 or 1.2: either is refused, never read as one of them."""
    if _INT.fullmatch(value):
        return int(value)
    if any(c in value for c in ",."):
        raise BadCell(f"{quote(value)} is not a whole number epa reads in a file whose cells are separated by "
                      "semicolons or tabs: there a comma may mark decimals, and a point group thousands, or the other "
                      "way", "write the number in digits alone (1200)")
    return parse_int(value)


# A number as Excel writes one in scientific notation when its column is not Text (1.23457E+11, 1.2346E+09)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d{1,3}")


def parse_id(value: str) -> str:
    """An apprentice's id as it stands, or as Excel shows one written ``="00123"`` (a formula giving text, as an
    export writes an id to keep its leading zeros: the id is 00123, not the formula); refused where Excel wrote it
    as a number in scientific notation, which has lost the id's last digits (a ULN of 10 digits shown as
    1.2346E+09): no id is read as another's."""
    if value[:2] == '="' and value[-1] == '"' and len(value) > 3:
        value = value[2:-1].replace('""', '"')  # (a quote inside the formula's text is written twice)
    if ("E" in value or "e" in value) and _SCIENTIFIC.fullmatch(value):
        raise BadCell(f"{quote(value)} is a number in scientific notation, as Excel writes a long number in a column "
                      "not formatted as Text: the id's last digits are lost, so it is not read",
                      "format the id column as Text in Excel, type or paste the ids again, and export again")
    if not value.isprintable() and (control := control_in_id(value)) is not None:
        raise BadCell(control, ID_CONTROL_HINT)
    return value


_STANDARD = re.compile(r"st\s*-?\s*(\d{4})")


def parse_standard(value: str) -> str:
    """ST0071 as written, or in any case and spacing (st0071, ST 0071); anything else is left to the registry."""
    if value[:2] == "ST" and value[2:].isdigit():
        return value
    found = _STANDARD.fullmatch(value.casefold())
    return f"ST{found[1]}" if found else value


# The whitespace parse_standard's \s reads between "ST" and the digits (str.isspace: a no-break space, as Excel and
# web pages write one, among them), as UTF-8: a cohort's text is searched as bytes (standard_finder).
_SPACES = [c for c in map(chr, (*range(0x80), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F,
                                0x205F, 0x3000)) if c.isspace()]
_SPACE = b"(?:" + b"|".join(re.escape(c.encode("utf-8")) for c in _SPACES) + b")*"


def standard_finder(standard: str) -> Callable[[bytes], bool]:
    """Whether a cohort's text (UTF-8, lower case) holds ``standard``'s id in a form parse_standard reads as that id
    (st0071, st 0071, st-0071): the method columns of a cohort's CSV output are those of the standards found so, and
    a record read as one not found would have no column for its methods. The id's digits are looked for, then what
    is before them (a cohort's text holds its own standard's "st" on every row: a search from "st" is slow)."""
    found = re.fullmatch(r"ST(\d{4})", standard)
    if found is None:
        needle = standard.lower().encode("utf-8")
        return lambda text: needle in text
    digits = found[1].encode("ascii")
    before = re.compile(b"st" + _SPACE + b"-?" + _SPACE + b"\\Z")

    def holds(text: bytes) -> bool:
        at = text.find(digits)
        while at >= 0:
            if before.search(text, max(0, at - 64), at):
                return True
            at = text.find(digits, at + 1)
        return False

    return holds


_CRITERIA = re.compile(r"[;,\n]")


def parse_criteria(value: str) -> list[str]:
    """The criteria met, separated by ';' (or ',' or a line break, in a quoted cell)."""
    ids = value.split(";")
    if "" not in ids and " " not in value and "," not in value and "\n" not in value and "\t" not in value:
        return ids  # as epa writes them: K1.1;K1.2
    return [c.strip() for c in _CRITERIA.split(value) if c.strip()]


# Parsers whose cells repeat across a cohort (a few hundred dates, a handful of words, counts): a reader may
# remember what each value read as (see CsvHeader.record). An id is read afresh each time; the criteria met are
# remembered by the reader itself (a list: each record gets its own).
REMEMBERED = (parse_date, parse_grade, parse_grade_or_not_yet, parse_level, parse_bool, parse_standard, parse_int,
              parse_int_ungrouped)
