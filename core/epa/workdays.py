"""Date arithmetic the documents use: calendar months, weeks, days and working days.

Working days skip weekends and England and Wales bank holidays, taken from the
maintained ``holidays`` package rather than a list of our own that would go
stale. England's calendar (subdivision ENG) is Wales's too.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

from epa.model import Offset


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG")  # fills in years as they are asked about


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays()


def bank_holidays_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Bank holidays on weekdays after ``start`` up to ``end`` (either order), with their names: the days
    a working-day count between them skipped."""
    low, high = sorted((start, end))
    days = (low + dt.timedelta(days=n) for n in range(1, (high - low).days + 1))
    return [(d, _bank_holidays()[d]) for d in days if d.weekday() < 5 and d in _bank_holidays()]


def shift(day: dt.date, offset: Offset) -> dt.date:
    """The date ``offset`` after ``day`` (before it, when negative). Months are calendar months,
    clamped to the month's last day (31 January + 1 month is 28 or 29 February)."""
    if offset.months is not None:
        return day + relativedelta(months=offset.months)
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
