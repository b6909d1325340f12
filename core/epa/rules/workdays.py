"""Date arithmetic the documents use: calendar months, weeks, days and working days.

Working days skip weekends and England and Wales bank holidays, taken from the
maintained ``holidays`` package rather than a list of our own that would go
stale. England's calendar (subdivision ENG) is Wales's too.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from functools import cache, lru_cache
from typing import Any

from epa.model.domain import Offset

# The calendar is worked out once, for the years a record can plausibly name; a date outside them asks the
# holidays package directly (slower, never wrong).
FIRST_YEAR, LAST_YEAR = 2000, 2060


def _country(**options: Any) -> Any:
    import holidays  # about 300 modules (the whole country tree): imported when a working day is first counted

    # The language named, not left to the package: unnamed, it names the days in the locale's (LANGUAGE, LC_ALL,
    # LC_MESSAGES, LANG), Thai under th_TH, and the first start's names were cached for every later one.
    return holidays.country_holidays("GB", subdiv="ENG", language="en_GB", **options)


@cache
def _holidays() -> Any:
    return _country()  # fills in years as they are asked about


# What England's calendar is made from, in each package by import's name: in holidays, its version, the country's
# module, the modules of the classes its class is built on and of the functions they call, and the names'
# translation; in python-dateutil, the date of Easter (Good Friday, Easter Monday). A test checks them against the
# code that runs making the calendar.
CALENDAR_FILES = {
    "holidays": ("__init__.py", "version.py", "constants.py", "countries/united_kingdom.py", "observed_holiday_base.py",
                 "holiday_base.py", "groups/christian.py", "groups/international.py", "groups/custom.py",
                 "calendars/gregorian.py", "helpers.py", "registry.py", "utils.py",
                 "locale/en_GB/LC_MESSAGES/GB.mo"),
    "dateutil": ("easter.py",),
}
DISTRIBUTIONS = ("holidays", "python-dateutil")  # the packages' distributions, whose metadata names their versions


@cache
def _calendar() -> tuple[list[int], dict[int, str]]:
    """England and Wales bank holidays on weekdays from FIRST_YEAR to LAST_YEAR: sorted ordinals, and names.
    Kept in epa's cache, so that a start need not import the package, keyed by the installed metadata of
    DISTRIBUTIONS (which names their versions) and by CALENDAR_FILES where import would find them: a copy first on
    sys.path, or an editable install updated where it lies, makes another calendar with the installed metadata
    unchanged."""
    from epa import cache as stored
    from epa.discovery import metadata_of

    made_by = (metadata_of(*DISTRIBUTIONS), *(stored.installed_files(package, files)
                                             for package, files in CALENDAR_FILES.items()))
    entry = stored.key("bank-holidays", (), *made_by, f"{FIRST_YEAR}-{LAST_YEAR}")
    hit = stored.get_objects(entry, {})  # (an object entry of lists: a warm start need not import json to read it)
    if isinstance(hit, list) and all(isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int)
                                     and isinstance(pair[1], str) for pair in hit):  # anything else: a miss
        names = dict(hit)
    else:
        found = _country(years=range(FIRST_YEAR, LAST_YEAR + 1))
        names = {d.toordinal(): name for d, name in found.items() if d.weekday() < 5}
        stored.put_objects(entry, [list(pair) for pair in sorted(names.items())], {})
    return sorted(names), names


def _in_span(day: dt.date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def is_working_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    if _in_span(day):
        return day.toordinal() not in _calendar()[1]
    return day not in _holidays()


def bank_holidays_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Bank holidays on weekdays after ``start`` up to ``end`` (either order), with their names: the days
    a working-day count between them skipped."""
    low, high = sorted((start, end))
    if _in_span(low) and _in_span(high):
        ordinals, names = _calendar()
        inside = ordinals[bisect_right(ordinals, low.toordinal()):bisect_right(ordinals, high.toordinal())]
        return [(dt.date.fromordinal(o), names[o]) for o in inside]
    days = (low + dt.timedelta(days=n) for n in range(1, (high - low).days + 1))
    return [(d, _holidays()[d]) for d in days if d.weekday() < 5 and d in _holidays()]


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's last day (as dateutil's relativedelta(months=...))."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if day.day <= 28:  # every month has the day
        return day.replace(year=year, month=month + 1)
    import calendar  # (here, where a month's length is asked: not at every start)

    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


_DAY = dt.timedelta(days=1)


def whole_months(later: dt.date, earlier: dt.date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (negative when ``later`` is before it), counted as
    dateutil's ``relativedelta(later, earlier)`` counts them (its years * 12 + months), without its cost: the
    months between the two, less one where counting them from ``earlier`` overshoots ``later``."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later >= earlier:
        # Counted on from ``earlier`` (its day clamped to the month's last), the months land in ``later``'s
        # month: one too many when that day is after ``later``'s, unless ``later`` is its month's last day (the
        # clamped day then is ``later``). A month's last day is the 28th at the earliest.
        if earlier.day > later.day and (later.day < 28 or (later + _DAY).month == later.month):
            months -= 1
    else:
        while add_months(earlier, months) < later:
            months += 1
    return months


def whole_years(later: dt.date, earlier: dt.date) -> int:
    """Whole years from ``earlier`` to ``later``, as dateutil's ``relativedelta(later, earlier).years`` counts them
    (an age, as ``gateway.age_at_start`` counts it)."""
    months = whole_months(later, earlier)
    return months // 12 if months >= 0 else -(-months // 12)


@lru_cache(maxsize=1 << 16)  # a cohort's records share their dates: each (date, offset) is worked out once
def shift(day: dt.date, offset: Offset) -> dt.date:
    """The date ``offset`` after ``day`` (before it, when negative). Months are calendar months,
    clamped to the month's last day (31 January + 1 month is 28 or 29 February)."""
    if offset.months is not None:
        return add_months(day, offset.months)
    if offset.weeks is not None:
        return day + dt.timedelta(weeks=offset.weeks)
    if offset.days is not None:
        return day + dt.timedelta(days=offset.days)
    assert offset.working_days is not None, "the schema requires exactly one unit"
    step = dt.timedelta(days=1 if offset.working_days >= 0 else -1)
    left = abs(offset.working_days)
    while left:
        day += step
        left -= is_working_day(day)
    return day


@cache  # a body's offsets are few
def describe(offset: Offset) -> str:
    """'3 months after', '10 working days before'."""
    for unit in ("months", "weeks", "days", "working_days"):
        value = getattr(offset, unit)
        if value is not None:
            name = unit.replace("_", " ")
            if abs(value) == 1:
                name = name.removesuffix("s")
            return f"{abs(value)} {name} {'before' if value < 0 else 'after'}"
    raise AssertionError("the schema requires exactly one unit")
